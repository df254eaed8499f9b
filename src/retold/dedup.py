"""``retold dedup``: copy families in an indexed corpus.

1. **Same body.** Documents whose cleaned bodies are byte-identical form
   groups at once (identical, or republished with other boilerplate or
   headline); one representative of each group takes part in the rest.
2. **Candidates.** Representatives sharing a MinHash band (near-verbatim
   copies), sharing passages (partial reuse), sharing an LSH band of their
   names and figures (paraphrases) and, up to :data:`EXACT_KNN`
   representatives, each one's nearest static-vector neighbours are
   candidate pairs.
3. **Verification.** Every candidate pair is measured exactly
   (:func:`retold.evidence.evidence_of`: shingle Jaccard and containment on
   the full shingle sets, not the MinHash estimate, and the stored names and
   figures) and screened; only copy relations become edges. Pairs are taken
   component by component of the candidate graph and a document's shingle set
   is dropped after its last pair, so memory holds a batch, not the corpus.
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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from retold.errors import ConfigError
from retold.evidence import originality
from retold.families import (
    KNN_BLOCK,
    MIN_SHARED_PASSAGES,
    AnchorTable,
    ClusterRow,
    anchor_pairs,
    band_pairs,
    close_pairs,
    knn_pairs,
    passage_pairs,
    rows,
    star_families,
    verify_measured,
)
from retold.fingerprint import shingle_set
from retold.store import SQLiteStore
from retold.types import Relation

__all__ = ["ClusterRow", "DedupResult", "dedup", "write_rows"]

# Exact vector neighbours up to this many representatives (a brute-force product of every pair of
# vectors: ≈ 20 s of CPU at 50,000); beyond, the LSH of names and figures finds the paraphrases.
EXACT_KNN = 50_000
VERIFY_BATCH = 20_000  # candidate pairs verified per batch (their bodies are read together)
_NO_PAIRS = np.empty((0, 2), dtype=np.int64)
_NO_KEYS = np.zeros(0, dtype=np.uint64)


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
class _Ranked:
    """What dedup reads of every document, as arrays in rank order (originality order).

    Arrays, not an object per document: at a million documents Python objects per document
    (and per band and passage array) cost more memory than everything else together.
    """

    rowid: np.ndarray  # int64[n]
    ids: list[str]
    text: np.ndarray  # int64[n]: a number per distinct text (equal numbers, equal texts)
    body: np.ndarray  # int64[n]: likewise per cleaned body
    keys: np.ndarray  # uint64[n, bands]: MinHash band keys
    passage_keys: np.ndarray  # uint64[m]: every document's passage fingerprints ...
    passage_ranks: np.ndarray  # int64[m]: ... and the rank each belongs to


def _load(store: SQLiteStore) -> _Ranked:
    rowids: list[int] = []
    ids: list[str] = []
    order_keys: list[tuple[str, int, int, str]] = []
    texts: dict[str, int] = {}
    bodies: dict[str, int] = {}
    text_no: list[int] = []
    body_no: list[int] = []
    band_parts: list[np.ndarray] = []
    passage_parts: list[np.ndarray] = []
    passage_lens: list[int] = []
    for batch in store.iter_columns("id, sha, body_sha, date, boilerplate, specifics, bands, passages"):
        band_bytes: list[bytes] = []
        passage_bytes: list[bytes] = []
        for rowid, doc_id, sha, body_sha, date, boiler, spec, bands, passages in batch:
            rowids.append(rowid)
            ids.append(doc_id)
            order_keys.append(originality(doc_id, date, boiler, spec))
            text_no.append(texts.setdefault(sha, len(texts)))
            body_no.append(bodies.setdefault(body_sha, len(bodies)))
            band_bytes.append(bands)
            passage_bytes.append(passages)
            passage_lens.append(len(passages) // 8)
        band_parts.append(np.frombuffer(b"".join(band_bytes), dtype=np.uint64))
        passage_parts.append(np.frombuffer(b"".join(passage_bytes), dtype=np.uint64))
    del texts, bodies
    n = len(ids)
    order = np.array(sorted(range(n), key=order_keys.__getitem__), dtype=np.int64)
    del order_keys
    rank_of = np.empty(n, dtype=np.int64)
    rank_of[order] = np.arange(n)
    keys = np.concatenate(band_parts) if band_parts else np.zeros(0, dtype=np.uint64)
    return _Ranked(
        rowid=np.array(rowids, dtype=np.int64)[order],
        ids=[ids[i] for i in order],
        text=np.array(text_no, dtype=np.int64)[order],
        body=np.array(body_no, dtype=np.int64)[order],
        keys=keys.reshape(n, store.params.bands)[order],
        passage_keys=np.concatenate(passage_parts) if passage_parts else np.zeros(0, dtype=np.uint64),
        passage_ranks=np.repeat(rank_of, np.array(passage_lens, dtype=np.int64)),
    )


def _first_of_group(groups: np.ndarray) -> np.ndarray:
    """``rep[i]``: the lowest rank in the same group as rank ``i``."""
    if len(groups) == 0:
        return np.zeros(0, dtype=np.int64)
    _, first, inverse = np.unique(groups, return_index=True, return_inverse=True)
    return first[inverse.ravel()].astype(np.int64)


def _unique_pairs(*parts: np.ndarray) -> np.ndarray:
    parts = tuple(p for p in parts if len(p))
    return np.unique(np.concatenate(parts), axis=0) if parts else _NO_PAIRS


def dedup(store: SQLiteStore, *, progress: Callable[[str], None] | None = None) -> DedupResult:
    """Group every document of ``store`` into copy families."""
    say = progress or (lambda _msg: None)
    docs = _load(store)
    n = len(docs.ids)
    say(f"{n:,} documents")
    if n == 0:
        return DedupResult((), 0, 0)
    # Everything below works on ranks: positions in originality order.
    rep = _first_of_group(docs.body)
    reps = np.flatnonzero(rep == np.arange(n))
    say(f"{n - len(reps):,} documents share their body with another")

    pairs = band_pairs(reps, docs.keys)
    say(f"{len(pairs):,} candidate pairs from MinHash bands")
    by_passage, shared = passage_pairs(reps, docs.passage_keys, docs.passage_ranks)
    pairs = _unique_pairs(pairs, by_passage[shared >= MIN_SHARED_PASSAGES])
    say(f"{len(pairs):,} with pairs sharing passages")
    rep_rows = _Reps.of(reps, docs.rowid)
    vecs = _vectors(store, rep_rows)
    one_passage = by_passage[shared < MIN_SHARED_PASSAGES]
    pairs = _unique_pairs(pairs, _similar_pairs(store, rep_rows, vecs, one_passage))
    say(f"{len(pairs):,} candidate pairs in all")

    edges = _verify(store, docs.rowid, pairs, vecs, rep_rows.of_rank)
    say(f"{len(edges):,} verified copy edges")
    family = star_families(n, edges)
    out = rows(docs.ids, docs.text, rep, family)
    # Report in the store's order (the order documents were indexed).
    ordered = tuple(out[i] for i in np.argsort(docs.rowid, kind="stable").tolist())
    return DedupResult(ordered, len(pairs), len(edges))


@dataclass(frozen=True, slots=True)
class _Reps:
    """The representatives: their ranks, and where each rank and each row id sits among them
    (-1: not a representative)."""

    ranks: np.ndarray  # int64[r]
    of_rank: np.ndarray  # int64[n]
    of_row: np.ndarray  # int64[max row id + 1]

    @classmethod
    def of(cls, ranks: np.ndarray, rowid: np.ndarray) -> _Reps:
        at = np.arange(len(ranks))
        of_rank = np.full(len(rowid), -1, dtype=np.int64)
        of_rank[ranks] = at
        of_row = np.full(int(rowid.max()) + 1 if len(rowid) else 0, -1, dtype=np.int64)
        of_row[rowid[ranks]] = at
        return cls(ranks, of_rank, of_row)

    def read(self, store: SQLiteStore, columns: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(position, column values) of every representative's row in the store."""
        for batch in store.iter_columns(columns):
            for r, *values in batch:
                if r < len(self.of_row) and (at := int(self.of_row[r])) >= 0:
                    yield at, tuple(values)


def _vectors(store: SQLiteStore, reps: _Reps) -> np.ndarray:
    """The float32 vectors of the representatives (as the database holds them), one row
    each in the order of ``reps.ranks``."""
    vecs = np.zeros((len(reps.ranks), store.params.dims), dtype=np.float32)
    for at, (v,) in reps.read(store, "vector"):
        vecs[at] = np.frombuffer(v, dtype=np.float32)
    return vecs


def _signatures(store: SQLiteStore, reps: _Reps) -> tuple[np.ndarray, AnchorTable]:
    """The MinHash signatures and the anchor keys of the representatives, in the order of ``reps.ranks``."""
    sigs = np.zeros((len(reps.ranks), store.params.num_perm), dtype=np.uint32)
    names: list[np.ndarray] = [_NO_KEYS] * len(reps.ranks)
    for at, (g, a) in reps.read(store, "signature, anchors"):
        sigs[at] = np.frombuffer(g, dtype=np.uint32)
        names[at] = np.frombuffer(a, dtype=np.uint64)
    return sigs, AnchorTable.of(names)


def _similar_pairs(store: SQLiteStore, reps: _Reps, vecs: np.ndarray, one_passage: np.ndarray) -> np.ndarray:
    """Representatives that could be paraphrases or partial copies by their vectors, names and
    figures (pairs of ranks): pairs sharing one passage (``one_passage``, ranks) or an LSH band of
    their names and figures that pass :func:`~retold.families.close_pairs` and, up to
    :data:`EXACT_KNN` representatives, vector neighbours."""
    n = len(reps.ranks)
    if n < 2:
        return _NO_PAIRS
    sigs, names = _signatures(store, reps)
    a, b = reps.of_rank[one_passage[:, 0]], reps.of_rank[one_passage[:, 1]]
    keep = close_pairs(a, b, vecs, sigs, names)
    found = [anchor_pairs(names, vecs, sigs), np.stack([a[keep], b[keep]], axis=1)]
    if n <= EXACT_KNN:
        found += [
            knn_pairs(vecs, block, sigs, anchors=names) for block in range((n + KNN_BLOCK - 1) // KNN_BLOCK)
        ]
    local = _unique_pairs(*found)
    if len(local) == 0:
        return _NO_PAIRS
    i, j = reps.ranks[local[:, 0]], reps.ranks[local[:, 1]]
    return np.stack([np.minimum(i, j), np.maximum(i, j)], axis=1).astype(np.int64)


def _components(pairs: np.ndarray) -> np.ndarray:
    """The connected component of each pair's graph, numbered by its lowest rank (union-find)."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])  # path halving
            x = parent[x]
        return x

    for i, j in pairs.tolist():
        ri, rj = root(i), root(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    return np.array([root(i) for i in pairs[:, 0].tolist()], dtype=np.int64)


def _verify(
    store: SQLiteStore, rowid: np.ndarray, pairs: np.ndarray, vecs: np.ndarray, position: np.ndarray
) -> dict[tuple[int, int], tuple[Relation, float]]:
    """Measure candidate pairs exactly; keep those screened as copies.

    Pairs are taken component by component of the candidate graph, and a document's shingle set
    is dropped after the last pair that needs it: memory holds the documents of the batch in hand,
    not of the whole corpus (at a million documents, 600,000 shingle sets would be ≈ 3 GB).
    """
    edges: dict[tuple[int, int], tuple[Relation, float]] = {}
    if len(pairs) == 0:
        return edges
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0], _components(pairs)))]
    last_use = np.full(len(position), -1, dtype=np.int64)
    np.maximum.at(last_use, pairs.ravel(), np.repeat(np.arange(len(pairs)), 2))
    k = store.params.shingle
    cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for s in range(0, len(pairs), VERIFY_BATCH):
        chunk = pairs[s : s + VERIFY_BATCH]
        ranks = np.unique(chunk).tolist()
        new = [r for r in ranks if r not in cache]
        got = store.bodies([int(rowid[r]) for r in new])
        for r in new:
            if (found := got.get(int(rowid[r]))) is not None:  # (a row deleted meanwhile has none)
                cache[r] = (shingle_set(found[0], k), found[1])
        for i, j in chunk.tolist():
            if i in cache and j in cache:
                (si, ai), (sj, aj) = cache[i], cache[j]
                verdict = verify_measured(si, sj, ai, aj, float(np.dot(vecs[position[i]], vecs[position[j]])))
                if verdict is not None:
                    edges[(i, j)] = verdict
        for r in ranks:
            if last_use[r] < s + VERIFY_BATCH:
                cache.pop(r, None)
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
