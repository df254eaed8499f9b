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

import dataclasses
import json
import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retold.errors import ConfigError
from retold.evidence import anchors, originality_key
from retold.families import (
    CANDIDATE_COS,
    KNN_BLOCK,
    NEIGHBOURS,
    ClusterRow,
    band_pairs,
    knn_pairs,
    passage_pairs,
    representatives,
    rows,
    star_families,
    verify,
    worth_verifying,
)
from retold.fingerprint import shingle_set
from retold.store import SQLiteStore, StoredDoc
from retold.types import Relation

__all__ = ["ClusterRow", "DedupResult", "dedup", "write_rows"]

_NO_U32 = np.zeros(0, dtype=np.uint32)
_NO_U64 = np.zeros(0, dtype=np.uint64)
EXACT_KNN = 50_000  # exact vector neighbours up to this many representatives; HNSW beyond
DEDUP_EF = 64  # HNSW search breadth of dedup's all-neighbours search


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
    key_rows: list[np.ndarray] = []
    passage_rows: list[np.ndarray] = []
    for batch in store.iter_columns("id, sha, body_sha, date, boilerplate, specifics, bands, passages"):
        for rowid, i, sha, body_sha, date, boiler, spec, bands, passages in batch:
            metas.append(_Meta(rowid, i, sha, body_sha, date, boiler, spec))
            key_rows.append(np.frombuffer(bands, dtype=np.uint64))
            passage_rows.append(np.frombuffer(passages, dtype=np.uint64))
    n = len(metas)
    say(f"{n:,} documents")
    if n == 0:
        return DedupResult((), 0, 0)
    # Everything below works on ranks: positions in originality order.
    order = sorted(range(n), key=lambda i: originality_key(metas[i]))
    metas = [metas[i] for i in order]
    keys = np.stack([key_rows[i] for i in order])
    ranked_passages = [passage_rows[i] for i in order]
    del key_rows, passage_rows

    rep = representatives([m.body_sha for m in metas])
    reps = np.flatnonzero(rep == np.arange(n))
    say(f"{n - len(reps):,} documents share their body with another")

    pairs = {(int(a), int(b)) for a, b in band_pairs(reps, keys)}
    say(f"{len(pairs):,} candidate pairs from MinHash bands")
    pairs |= {(int(a), int(b)) for a, b in passage_pairs(reps, ranked_passages)}
    say(f"{len(pairs):,} with pairs sharing passages")
    pairs |= _vector_pairs(store, metas, reps)
    say(f"{len(pairs):,} candidate pairs in all")

    edges = _verify(store, metas, sorted(pairs))
    say(f"{len(edges):,} verified copy edges")
    family = star_families(n, edges)
    out = rows([m.id for m in metas], [m.sha for m in metas], rep, family)
    by_id = {r.id: r for r in out}
    # Report in the store's order (the order documents were indexed).
    ordered = tuple(by_id[m.id] for m in sorted(metas, key=lambda m: m.rowid))
    return DedupResult(ordered, len(pairs), len(edges))


def _vector_pairs(store: SQLiteStore, metas: list[_Meta], reps: np.ndarray) -> set[tuple[int, int]]:
    """Representatives whose document vectors are near neighbours."""
    if len(reps) < 2:
        return set()
    # The float32 vectors of the database (the ANN index holds them as float16).
    got = {r: (v, g) for batch in store.iter_columns("vector, signature") for r, v, g in batch}
    vecs = np.stack([np.frombuffer(got[metas[i].rowid][0], dtype=np.float32) for i in reps])
    sigs = np.stack([np.frombuffer(got.pop(metas[i].rowid)[1], dtype=np.uint32) for i in reps])
    del got
    found: set[tuple[int, int]] = set()
    if len(reps) <= EXACT_KNN:
        for block in range((len(reps) + KNN_BLOCK - 1) // KNN_BLOCK):
            for a, b in knn_pairs(vecs, block, sigs):
                found.add((int(reps[a]), int(reps[b])))
        return found
    ann = store._index()
    # Row id -> position among the representatives (-1: not a representative).
    rowids = np.array([metas[i].rowid for i in reps], dtype=np.int64)
    pos_of_row = np.full(int(rowids.max()) + 2, -1, dtype=np.int64)
    pos_of_row[rowids] = np.arange(len(reps))
    # A narrower beam for the one bulk search: on the 100k bench corpus ef=64 keeps 0.998 of the
    # exact candidate pairs (ef=256: 0.9986) in a quarter of the time. Queries keep the wide beam.
    wide = ann.expansion_search
    ann.expansion_search = DEDUP_EF
    try:
        res = ann.search(vecs, NEIGHBOURS + 1)
    finally:
        ann.expansion_search = wide
    found_keys = np.asarray(res.keys)
    keys = found_keys.astype(np.int64).ravel()
    cos = 1.0 - np.asarray(res.distances, dtype=np.float64).ravel()
    a = np.repeat(np.arange(len(reps)), found_keys.shape[1])
    inside = (keys >= 0) & (keys < len(pos_of_row))  # a missing neighbour's key is out of range
    b = np.where(inside, pos_of_row[np.clip(keys, 0, len(pos_of_row) - 1)], -1)
    ok = (b >= 0) & (b != a) & (cos >= CANDIDATE_COS)
    a, b, cos = a[ok], b[ok], cos[ok]
    keep = worth_verifying(a, b, cos, sigs)  # the same rule as the exact path (knn_pairs)
    i, j = reps[a[keep]], reps[b[keep]]
    found.update(zip(np.minimum(i, j).tolist(), np.maximum(i, j).tolist(), strict=True))
    return found


def _verify(
    store: SQLiteStore, metas: list[_Meta], pairs: list[tuple[int, int]]
) -> dict[tuple[int, int], tuple[Relation, float]]:
    """Measure candidate pairs exactly; keep those screened as copies."""
    need = sorted({i for p in pairs for i in p})
    docs: dict[int, StoredDoc] = {}
    cache: dict[int, tuple[np.ndarray, frozenset[str]]] = {}
    k = store.params.shingle
    for s in range(0, len(need), 2000):
        chunk = need[s : s + 2000]
        for i, d in zip(chunk, store.get([metas[i].rowid for i in chunk]), strict=True):
            # Only what pair_evidence reads once shingles and anchors are cached: dropping the body
            # and the signature and band arrays saves ≈ 5 KB of the ≈ 17 KB held per document.
            docs[i] = dataclasses.replace(d, text="", body="", signature=_NO_U32, bands=_NO_U64)
            cache[i] = (shingle_set(d.body, k), anchors(d.body))
    edges: dict[tuple[int, int], tuple[Relation, float]] = {}
    for i, j in pairs:
        verdict = verify(docs[i], docs[j], k, cache[i], cache[j])
        if verdict is not None:
            edges[(i, j)] = verdict
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
                    [
                        ("id", pa.string()),
                        ("cluster", pa.string()),
                        ("original", pa.string()),
                        ("relation", pa.string()),
                        ("score", pa.float64()),
                    ]
                ),
            )
            pq.write_table(table, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
