"""The stages of grouping documents into copy families, shared by every engine.

Documents are numbered by *rank*: their position in originality order
(:func:`retold.evidence.originality_key`). The local engine
(:mod:`retold.dedup`) and the Spark engine (:mod:`retold.spark`) call these
same functions on the same ranks, so they produce the same families:

- :func:`representatives` — documents with the same cleaned body collapse onto
  the first of them;
- :func:`band_pairs` — representatives sharing a MinHash band;
- :func:`passage_pairs` — representatives sharing winnowing fingerprints of a
  passage (a paragraph lifted into another story);
- :func:`close_pairs` — the rule a pair found by weaker evidence (vector
  neighbours, names and figures, one shared passage) must pass to be verified;
- :func:`knn_pairs` — each representative's nearest document vectors, exact,
  computed block by block (:data:`KNN_BLOCK` rows against all) so that both
  engines do the same float arithmetic;
- :func:`anchor_pairs` — representatives sharing an LSH band of their names
  and figures (paraphrases keep those while changing the wording), at any
  corpus size;
- :func:`verify` — a candidate pair measured on the full texts and screened;
- :func:`star_families` — the families: taking documents in rank order, a
  document not yet placed becomes an original and takes every unplaced
  document it has a verified edge to. This is the lexicographically first
  maximal independent set of the edge graph, with every other document
  joining its lowest-ranked original neighbour; it is unique, so a
  distributed engine can compute it in rounds and reach the same answer;
- :func:`rows` — one output row per document.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from retold.evidence import PARAPHRASE_ANCHORS, PARAPHRASE_COS, Evidence, evidence_of, pair_evidence, screen
from retold.fingerprint import candidate_pairs, overlap, set_band_keys, sorted_unique
from retold.store import StoredDoc
from retold.types import Relation

__all__ = [
    "CANDIDATE_COS",
    "COPY_RELATIONS",
    "KNN_BLOCK",
    "NEIGHBOURS",
    "AnchorTable",
    "ClusterRow",
    "anchor_pairs",
    "band_pairs",
    "close_pairs",
    "knn_pairs",
    "passage_pairs",
    "representatives",
    "rows",
    "star_families",
    "verify",
    "verify_measured",
    "worth_verifying",
]

NEIGHBOURS = 10  # vector neighbours screened per representative ...
CANDIDATE_COS = 0.9  # ... when at least this close (partial reuse lowers the cosine of a pair)
KNN_BLOCK = 1024
# LSH of the names and figures: 48 bands of 5 MinHash values. A pair of anchor sets at Jaccard J
# shares a band with probability 1 - (1 - J^5)^48: 0.87 at J = 0.53, 0.98 at 0.6, 0.9996 at 0.7.
# The 18 whole-article paraphrases of ../shared/data/rewrites have J = 0.53-0.90 (the screen needs
# 0.75 of the smaller set, J ≈ 0.6 for sets of equal size). 4 rows per band found 5x the pairs for
# the same paraphrase edges on 100k bench documents.
ANCHOR_BANDS = 48
ANCHOR_ROWS = 5
CLOSE_CHUNK = 200_000  # pairs whose vectors close_pairs gathers at a time (2 x 100 MB)
MIN_SHARED_PASSAGES = 2  # winnowing fingerprints shared: a passage of ≈ 35+ words in common
MAX_PASSAGE_BUCKET = 100
MIN_SIGNATURE_MATCHES = 2  # of 128 MinHash values: expected at Jaccard ≈ 0.016
MAX_BUCKET = 1000
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
        return {
            "id": self.id,
            "cluster": self.cluster,
            "original": self.original,
            "relation": self.relation,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True, slots=True)
class AnchorTable:
    """Every row's anchor keys (:func:`retold.evidence.anchor_keys`, sorted) in one array: row
    ``i`` has ``keys[offsets[i]:offsets[i + 1]]``. 8 bytes a name, no object per row."""

    offsets: np.ndarray  # int64[n + 1]
    keys: np.ndarray  # uint64[m]

    @classmethod
    def of(cls, rows: Sequence[np.ndarray]) -> AnchorTable:
        lens = np.array([len(r) for r in rows], dtype=np.int64)
        offsets = np.concatenate(([0], np.cumsum(lens))).astype(np.int64)
        keys = np.concatenate(rows).astype(np.uint64) if len(rows) else np.zeros(0, dtype=np.uint64)
        return cls(offsets, keys)

    def shares(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """For each pair of rows, the share of the smaller anchor set found in the other: the
        ``anchors`` figure of :func:`retold.evidence.evidence_of`, computed the same way."""
        out = np.zeros(len(a), dtype=np.float64)
        o, k = self.offsets, self.keys
        for n, (i, j) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
            ka, kb = k[o[i] : o[i + 1]], k[o[j] : o[j + 1]]
            small = min(len(ka), len(kb))
            out[n] = overlap(ka, kb) / small if small else 0.0
        return out


def representatives(body_shas: Sequence[str]) -> np.ndarray:
    """``rep[i]``: the lowest rank with the same body as rank ``i``."""
    first: dict[str, int] = {}
    return np.array([first.setdefault(b, i) for i, b in enumerate(body_shas)], dtype=np.int64)


def band_pairs(reps: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Pairs of representative ranks sharing a band key (``keys`` rows are in rank order)."""
    local = candidate_pairs(keys[reps], max_bucket=MAX_BUCKET)
    return reps[local] if len(local) else np.empty((0, 2), dtype=np.int64)


def passage_pairs(reps: np.ndarray, keys: np.ndarray, ranks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of representative ranks sharing winnowing fingerprints, and how many each shares
    (``keys[i]`` is a fingerprint of rank ``ranks[i]``; fingerprints of ranks that are not in
    ``reps`` are left out); a fingerprint found in more than :data:`MAX_PASSAGE_BUCKET`
    representatives is a stock phrase and pairs nothing.

    A pair sharing :data:`MIN_SHARED_PASSAGES` is a candidate as it is; a pair sharing one (a
    passage of ≈ 35 words: the window guarantees a fingerprint in every run of 30 shingles, the
    :data:`~retold.evidence.PARTIAL_SHINGLES` of a lifted paragraph) only if :func:`close_pairs`
    keeps it."""
    none = (np.empty((0, 2), dtype=np.int64), np.zeros(0, dtype=np.int64))
    is_rep = np.zeros(int(ranks.max()) + 1 if len(ranks) else 0, dtype=bool)
    is_rep[reps[reps < len(is_rep)]] = True
    mine = is_rep[ranks] if len(ranks) else np.zeros(0, dtype=bool)
    if not mine.any():
        return none
    keys, ranks = keys[mine].astype(np.uint64), ranks[mine].astype(np.int64)
    # Almost every fingerprint belongs to one document: only the entries of those found more than
    # once are sorted by (key, rank) and walked. They are found by sorting the keys alone, then
    # tested through a bit table of their low bits first (it rules out ≈ 90 % of the entries at
    # once) and a binary search only for the rest. 39M entries, 1.9M of them repeated: 3.6 s for
    # this function, against 11-13 s for a (key, rank) sort of every entry and a Python loop per key.
    sorted_keys = np.sort(keys)
    repeated = sorted_unique(sorted_keys[1:][sorted_keys[1:] == sorted_keys[:-1]])
    if not len(repeated):
        return none
    low = np.uint64((1 << max(16, min(28, (8 * len(repeated)).bit_length()))) - 1)
    table = np.zeros(int(low) + 1, dtype=bool)
    table[repeated & low] = True
    maybe = np.flatnonzero(table[keys & low])
    at = np.minimum(np.searchsorted(repeated, keys[maybe]), len(repeated) - 1)
    again = maybe[repeated[at] == keys[maybe]]
    keys, ranks = keys[again], ranks[again]
    order = np.lexsort((ranks, keys))
    keys, ranks = keys[order], ranks[order]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    sizes = np.diff(np.append(starts, len(keys)))
    two = starts[sizes == 2]  # most shared fingerprints: one pair each, taken all at once
    found: list[np.ndarray] = [np.stack([ranks[two], ranks[two + 1]], axis=1)]
    more = (sizes > 2) & (sizes <= MAX_PASSAGE_BUCKET)
    for s, size in zip(starts[more].tolist(), sizes[more].tolist(), strict=True):
        members = ranks[s : s + size]
        a, b = _TRIU[size] if size < len(_TRIU) else np.triu_indices(size, 1)
        found.append(np.stack([members[a], members[b]], axis=1))
    pairs, counts = np.unique(np.concatenate(found), axis=0, return_counts=True)
    return pairs.astype(np.int64), counts.astype(np.int64)


def close_pairs(
    a: np.ndarray, b: np.ndarray, vectors: np.ndarray, signatures: np.ndarray, anchors: AnchorTable
) -> np.ndarray:
    """Mask of the pairs of rows ``(a[i], b[i])`` that pass the rule of vector neighbours: cosine ≥
    :data:`CANDIDATE_COS` and :func:`worth_verifying`. Rows of ``vectors`` (unit), ``signatures``
    and ``anchors`` are in the same order."""
    keep = np.zeros(len(a), dtype=bool)
    for s in range(0, len(a), CLOSE_CHUNK):
        sa, sb = a[s : s + CLOSE_CHUNK], b[s : s + CLOSE_CHUNK]
        cos = np.einsum("ij,ij->i", vectors[sa], vectors[sb])
        close = np.flatnonzero(cos >= CANDIDATE_COS)
        keep[s + close[worth_verifying(sa[close], sb[close], cos[close], signatures, anchors)]] = True
    return keep


_TRIU = [np.triu_indices(size, 1) for size in range(17)]  # the pair indices of small buckets


def knn_pairs(
    vectors: np.ndarray,
    block: int,
    signatures: np.ndarray | None = None,
    k: int = NEIGHBOURS,
    min_cos: float = CANDIDATE_COS,
    anchors: AnchorTable | None = None,
) -> np.ndarray:
    """Pairs (i, j), i < j, of rows of ``vectors`` where j is among i's ``k`` nearest or vice versa,
    at cosine ≥ ``min_cos``, for the rows of block number ``block`` (rows ``block*KNN_BLOCK`` on).

    Exact brute force: ties are broken by the lower row, so the result is reproducible. With
    ``signatures`` (MinHash rows in the same order), a pair below the paraphrase cosine must also
    share at least :data:`MIN_SIGNATURE_MATCHES` MinHash values — some verbatim text — to be worth
    verifying: neighbours on the same topic that share no wording are dropped before the exact check
    (with ``anchors``, rows in the same order, also those that share too few names and figures to be
    a paraphrase: see :func:`worth_verifying`).
    """
    lo = block * KNN_BLOCK
    hi = min(lo + KNN_BLOCK, len(vectors))
    if lo >= hi:
        return np.empty((0, 2), dtype=np.int64)
    sims = vectors[lo:hi] @ vectors.T
    sims[np.arange(hi - lo), np.arange(lo, hi)] = -np.inf  # not its own neighbour
    kk = min(k, len(vectors) - 1)
    if kk <= 0:
        return np.empty((0, 2), dtype=np.int64)
    rows_, b, cos = _top_k(sims, kk)
    close = cos >= min_cos
    a, b, cos = rows_[close] + lo, b[close], cos[close]
    if signatures is not None and len(a):
        keep = worth_verifying(a, b, cos, signatures, anchors)
        a, b = a[keep], b[keep]
    pairs = np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1).astype(np.int64)
    return np.unique(pairs, axis=0) if len(pairs) else pairs


def anchor_pairs(anchors: AnchorTable, vectors: np.ndarray, signatures: np.ndarray) -> np.ndarray:
    """Pairs (i, j), i < j, of rows sharing an LSH band of their anchor keys (names and figures:
    :data:`ANCHOR_BANDS` bands of :data:`ANCHOR_ROWS` MinHash values) that :func:`close_pairs` keeps.

    This is how a paraphrase that shares no 5-gram with its source becomes a candidate without a
    nearest-neighbour search. A row with fewer than :data:`ANCHOR_ROWS` anchors takes no part.
    ``vectors``, ``signatures`` and ``anchors`` rows are in the same order."""
    ok = np.flatnonzero(np.diff(anchors.offsets) >= ANCHOR_ROWS)
    if len(ok) < 2:
        return np.empty((0, 2), dtype=np.int64)
    keys = set_band_keys(anchors.offsets, anchors.keys, ANCHOR_BANDS, ANCHOR_ROWS)
    local = candidate_pairs(keys[ok], max_bucket=MAX_BUCKET)
    a, b = ok[local[:, 0]], ok[local[:, 1]]
    keep = close_pairs(a, b, vectors, signatures, anchors)
    return np.stack([a[keep], b[keep]], axis=1).astype(np.int64)


def _top_k(sims: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``k`` largest entries of each row of ``sims`` as (row, column, value), ties broken by the
    lower column — what a stable sort of each row would pick — without sorting whole rows."""
    m, n = sims.shape
    part = np.argpartition(sims, n - k, axis=1)[:, n - k :]
    kth = np.take_along_axis(sims, part, axis=1).min(axis=1)
    r, c = np.nonzero(sims >= kth[:, None])  # the top k and any ties with the k-th value
    v = sims[r, c]
    o = np.lexsort((c, -v, r))
    r, c, v = r[o], c[o], v[o]
    first = np.searchsorted(r, np.arange(m))
    keep = np.arange(len(r)) - first[r] < k
    return r[keep], c[keep], v[keep]


def worth_verifying(
    a: np.ndarray,
    b: np.ndarray,
    cos: np.ndarray,
    signatures: np.ndarray,
    anchors: AnchorTable | None = None,
    chunk: int = 65_536,
) -> np.ndarray:
    """Mask of vector-neighbour pairs ``(a[i], b[i])`` at cosine ``cos[i]`` worth the exact check.

    A pair sharing at least :data:`MIN_SIGNATURE_MATCHES` MinHash values (some verbatim text) is
    checked. A pair sharing none is checked only if it can be a paraphrase: close enough
    (:data:`~retold.evidence.PARAPHRASE_COS`) and, with ``anchors``, sharing enough names and
    figures (:data:`~retold.evidence.PARAPHRASE_ANCHORS`, the very test of ``screen``). On the
    300,000-document bench corpus 85,534 neighbour pairs were close but shared neither wording
    nor names: none of them verified, and they were 3/4 of all candidate pairs.

    Signatures are compared ``chunk`` pairs at a time: gathering both rows of every pair at once
    took 3.4 GB for the 3.3 million neighbour pairs of 300,000 documents.
    """
    keep = np.zeros(len(a), dtype=bool)
    for s in range(0, len(a), chunk):
        sl = slice(s, s + chunk)
        keep[sl] = (signatures[a[sl]] == signatures[b[sl]]).sum(axis=1) >= MIN_SIGNATURE_MATCHES
    close = np.flatnonzero(~keep & (cos >= PARAPHRASE_COS))
    if anchors is not None and len(close):
        close = close[anchors.shares(a[close], b[close]) >= PARAPHRASE_ANCHORS]
    keep[close] = True
    return keep


def verify(
    a: StoredDoc,
    b: StoredDoc,
    k: int,
    a_shingles: np.ndarray | None = None,
    b_shingles: np.ndarray | None = None,
) -> tuple[Relation, float] | None:
    """The copy relation and score of a candidate pair, or None when it is not a copy."""
    return _copy(pair_evidence(a, b, k=k, a_shingles=a_shingles, b_shingles=b_shingles))


def verify_measured(
    sa: np.ndarray, sb: np.ndarray, aa: np.ndarray, ab: np.ndarray, cosine: float
) -> tuple[Relation, float] | None:
    """:func:`verify` for two representatives (different bodies) from their shingle sets, anchor
    keys and vector cosine, without the documents."""
    return _copy(evidence_of(sa, sb, aa, ab, cosine=cosine))


def _copy(ev: Evidence) -> tuple[Relation, float] | None:
    rel, score = screen(ev)
    return (rel, score) if rel in COPY_RELATIONS else None


def star_families(
    n: int, edges: dict[tuple[int, int], tuple[Relation, float]]
) -> dict[int, tuple[int, str, float]]:
    """``{rank: (original rank, relation, score)}`` for every rank that has edges or is given.

    Ranks absent from the result are originals of their own (singleton) families.
    """
    adjacency: dict[int, list[tuple[int, Relation, float]]] = defaultdict(list)
    for (i, j), (rel, score) in edges.items():
        adjacency[i].append((j, rel, score))
        adjacency[j].append((i, rel, score))
    family: dict[int, tuple[int, str, float]] = {}
    for i in sorted(adjacency):
        if i in family:
            continue
        family[i] = (i, "original", 1.0)
        for j, rel, score in sorted(adjacency[i], key=lambda e: e[0]):
            if j not in family:
                family[j] = (i, rel.value, score)
    return family


def rows(
    ids: Sequence[str],
    shas: Sequence[str] | np.ndarray,
    rep: np.ndarray,
    family: dict[int, tuple[int, str, float]],
) -> list[ClusterRow]:
    """One row per rank: its family's original, its relation to it and the score (``shas``: the
    texts' hashes, or any numbers equal exactly when the texts are)."""
    out: list[ClusterRow] = []
    for i in range(len(ids)):
        r = int(rep[i])
        orig, rel, score = family.get(r, (r, "original", 1.0))
        if r != i and orig == r:  # same body as its representative, which is an original
            rel = Relation.IDENTICAL.value if shas[i] == shas[r] else Relation.REPUBLISH.value
            score = 1.0
        # (when the representative is itself a copy, this document shares its link)
        out.append(ClusterRow(ids[i], ids[orig], ids[orig], rel, round(score, 4)))
    return out
