"""``retold dedup``: copy families in an indexed corpus.

1. **Same body.** Documents whose cleaned bodies are byte-identical form
   groups at once (identical, or republished with other boilerplate or
   headline); one representative of each group takes part in the rest.
2. **Candidates.** Representatives sharing a MinHash band (near-verbatim
   copies) and each representative's nearest static-vector neighbours
   (paraphrases, partial reuse) are candidate pairs.
3. **Verification.** Every candidate pair is measured exactly
   (:func:`retold.evidence.pair_evidence`: shingle Jaccard and containment on
   the full shingle sets, not the MinHash estimate) and screened; only copy
   relations become edges.
4. **Families without chaining.** Documents are taken in originality order
   (:func:`retold.evidence.originality_key`: earliest date, then content
   evidence). Each document not yet placed opens a family as its original
   and takes every unplaced document it has a *verified edge* to. So every
   member of a family is a verified copy of that family's original: A~B and
   B~C never pull an unrelated A and C together through B.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from retold.errors import ConfigError
from retold.evidence import Evidence, anchors, originality_key, pair_evidence, screen
from retold.fingerprint import candidate_pairs, shingle_set
from retold.store import SQLiteStore, StoredDoc
from retold.types import Relation

__all__ = ["ClusterRow", "DedupResult", "dedup", "write_rows"]

NEIGHBOURS = 10  # vector neighbours screened per document ...
EXACT_KNN = 50_000
CANDIDATE_COS = 0.9  # ... when at least this close (partial reuse lowers the cosine of a pair)
COPY_RELATIONS = frozenset(
    {
        Relation.IDENTICAL,
        Relation.REPUBLISH,
        Relation.NEAR_DUPLICATE,
        Relation.LIGHT_EDIT,
        Relation.PARAPHRASE,
        Relation.PARTIAL_REUSE,
    }
)


@dataclass(frozen=True, slots=True)
class ClusterRow:
    """One document's place in the copy families."""

    id: str
    cluster: str  # the family: its original's id
    original: str
    relation: str  # to the original; "original" for the original itself
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "cluster": self.cluster, "original": self.original, "relation": self.relation, "score": round(self.score, 4)}


@dataclass(frozen=True, slots=True)
class DedupResult:
    rows: tuple[ClusterRow, ...]
    candidate_pairs: int
    verified_edges: int

    @property
    def families(self) -> dict[str, list[ClusterRow]]:
        """Families with at least two members, by original id."""
        fams: dict[str, list[ClusterRow]] = defaultdict(list)
        for r in self.rows:
            fams[r.cluster].append(r)
        return {k: v for k, v in fams.items() if len(v) > 1}


@dataclass(frozen=True, slots=True)
class _Meta:
    rowid: int
    id: str
    sha: str
    body_sha: str
    date: str | None
    boilerplate: int
    specifics: int


def dedup(store: SQLiteStore, *, progress: Callable[[str], None] | None = None) -> DedupResult:
    """Group every document of ``store`` into copy families."""
    say = progress or (lambda _msg: None)
    metas: list[_Meta] = []
    keys: list[np.ndarray] = []
    for rows in store.iter_columns("id, sha, body_sha, date, boilerplate, specifics, bands"):
        for rowid, i, sha, body_sha, date, boiler, spec, bands in rows:
            metas.append(_Meta(rowid, i, sha, body_sha, date, boiler, spec))
            keys.append(np.frombuffer(bands, dtype=np.uint64))
    n = len(metas)
    say(f"{n:,} documents")
    if n == 0:
        return DedupResult((), 0, 0)
    order = sorted(range(n), key=lambda i: originality_key(metas[i]))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)

    # 1. same body: the first in originality order represents the group.
    rep_of = np.arange(n)
    first_by_body: dict[str, int] = {}
    for i in order:
        first = first_by_body.setdefault(metas[i].body_sha, i)
        rep_of[i] = first
    # Representatives in originality order: a MinHash bucket too large to pair out is joined
    # as a star to its first row, which is then its most original member (every engine agrees).
    reps = np.array([i for i in order if rep_of[i] == i], dtype=np.int64)
    say(f"{n - len(reps):,} documents share their body with another")

    # 2. candidates among representatives.
    pos_of_row = {m.rowid: i for i, m in enumerate(metas)}
    rep_keys = np.stack([keys[i] for i in reps])
    pairs = {(int(reps[a]), int(reps[b])) for a, b in candidate_pairs(rep_keys)}
    say(f"{len(pairs):,} candidate pairs from MinHash bands")
    is_rep = rep_of == np.arange(n)
    ann = store._index()
    if len(ann):
        vecs = np.stack([ann.get(metas[i].rowid) for i in reps]).astype(np.float32)
        # Exact neighbours up to EXACT_KNN documents (reproducible by any engine); HNSW beyond.
        found = ann.search(vecs, min(NEIGHBOURS + 1, len(ann)), exact=len(ann) <= EXACT_KNN)
        found_keys = np.asarray(found.keys).reshape(len(reps), -1)
        found_dist = np.asarray(found.distances).reshape(len(reps), -1)
        for a, (ks, ds) in enumerate(zip(found_keys, found_dist, strict=True)):
            for key, dist in zip(ks, ds, strict=True):
                j = pos_of_row.get(int(key))
                i = int(reps[a])
                if j is None or j == i or not is_rep[j] or 1.0 - float(dist) < CANDIDATE_COS:
                    continue
                pairs.add((min(i, j), max(i, j)))
    say(f"{len(pairs):,} candidate pairs in all")

    # 3. verification on the full texts.
    edges = _verify(store, metas, sorted(pairs))
    say(f"{len(edges):,} verified copy edges")

    # 4. families: star clusters in originality order.
    adjacency: dict[int, list[tuple[int, Relation, float]]] = defaultdict(list)
    for (i, j), (rel, score) in edges.items():
        adjacency[i].append((j, rel, score))
        adjacency[j].append((i, rel, score))
    family: dict[int, tuple[int, str, float]] = {}  # member -> (original, relation, score)
    for i in order:
        if not is_rep[i] or i in family:
            continue
        family[i] = (i, "original", 1.0)
        for j, rel, score in sorted(adjacency.get(i, ()), key=lambda e: rank[e[0]]):
            if j not in family:
                family[j] = (i, rel.value, score)

    out: list[ClusterRow] = []
    for i in range(n):
        rep = int(rep_of[i])
        orig, rel, score = family[rep]
        if rep != i:  # same body as its representative
            rel = Relation.IDENTICAL.value if metas[i].sha == metas[rep].sha else Relation.REPUBLISH.value
            score = 1.0
            if orig != rep:  # the representative is itself a copy: keep the weaker link
                rel, score = family[rep][1], family[rep][2]
        o = metas[orig].id
        out.append(ClusterRow(metas[i].id, o, o, rel, score))
    return DedupResult(tuple(out), len(pairs), len(edges))


def _verify(
    store: SQLiteStore, metas: list[_Meta], pairs: list[tuple[int, int]]
) -> dict[tuple[int, int], tuple[Relation, float]]:
    """Measure candidate pairs exactly; keep those screened as copies."""
    need = sorted({i for p in pairs for i in p})
    cache: dict[int, tuple[StoredDoc, np.ndarray, frozenset[str]]] = {}
    k = store.params.shingle
    for s in range(0, len(need), 2000):
        chunk = need[s : s + 2000]
        for i, d in zip(chunk, store.get([metas[i].rowid for i in chunk]), strict=True):
            light = StoredDoc(
                id=d.id, text="", body=d.body, sha=d.sha, body_sha=d.body_sha, signature=d.signature,
                bands=d.bands, vector=d.vector, boilerplate=d.boilerplate, specifics=d.specifics, date=d.date,
            )
            cache[i] = (light, shingle_set(d.body, k), anchors(d.body))
    edges: dict[tuple[int, int], tuple[Relation, float]] = {}
    for i, j in pairs:
        (a, sa, aa), (b, sb, ab) = cache[i], cache[j]
        ev: Evidence = pair_evidence(a, b, k=k, a_shingles=sa, b_shingles=sb, a_anchors=aa, b_anchors=ab)
        rel, score = screen(ev)
        if rel in COPY_RELATIONS:
            edges[(i, j)] = (rel, score)
    return edges


def write_rows(rows: Iterable[ClusterRow], out: str | Path) -> Path:
    """Write rows to ``.parquet`` or ``.jsonl`` atomically (a crash never leaves half a file)."""
    path = Path(out)
    suffix = "".join(path.suffixes[-1:]).lower()
    if suffix not in (".parquet", ".jsonl"):
        raise ConfigError(f"--out must end in .parquet or .jsonl, got {path.name}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        data = [r.to_dict() for r in rows]
        if suffix == ".jsonl":
            with tmp.open("w", encoding="utf-8") as f:
                for d in data:
                    f.write(json.dumps(d, ensure_ascii=False) + "\n")
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pylist(
                data,
                schema=pa.schema(
                    [("id", pa.string()), ("cluster", pa.string()), ("original", pa.string()),
                     ("relation", pa.string()), ("score", pa.float64())]
                ),
            )
            pq.write_table(table, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
