"""Near-duplicate fingerprinting: word shingles, exact Jaccard, MinHash signatures and LSH banding.

Everything hot runs in numba kernels (``@njit(cache=True, nogil=True)``) over the UTF-8 bytes of the
texts; a batch is encoded once into one byte buffer plus offsets and fingerprinted in one kernel call.

Words
    Maximal runs of word bytes: ASCII letters and digits, and any byte ≥ 0x80 (so UTF-8 letters stay
    inside words), except these characters, which separate words like ASCII punctuation does:
    U+0080–U+00BF (NBSP, «», ¡¿, £, §, °, ·, …: all of the ``C2`` lead byte), U+2000–U+20CF (spaces,
    dashes, curly quotes, ellipsis, bullets, super/subscripts, currency signs: lead ``E2`` with second
    byte 80–82) and the BOM U+FEFF. So "don’t" splits like "don't" and “quoted” like "quoted".
    ASCII letters and the Latin-1 capitals À–Þ (except ×) are lower-cased; other scripts are kept as
    they are. In Python terms a word is ``[0-9A-Za-z\\u00C0-\\u1FFF\\u20D0-\\uFEFE\\uFF00-\\U0010FFFF]+``
    (see :data:`WORD_PATTERN`).

Hashes
    word hash = FNV-1a 64 over the (lower-cased) word bytes, then the murmur3 ``fmix64`` finaliser;
    shingle = ``k`` consecutive words (default 5), shingle hash = ``fmix64`` of the polynomial
    ``((w0·P + w1)·P + …)`` of its word hashes mod 2^64, so order matters. A document with fewer than
    ``k`` (but at least one) words has exactly one shingle made of all its words; an empty document (no
    words) has the empty set.

MinHash
    :func:`signatures` uses one-permutation hashing (P. Li, A. Owen, C.-H. Zhang, "One Permutation
    Hashing", NIPS 2012): each shingle hash ``x`` falls into bin ``(x >> 32) · num_perm >> 32`` and each
    bin keeps the minimum of the low 32 bits of the hashes it received, so a document costs
    O(shingles), not O(shingles × num_perm). Bins that received no shingle are filled by optimal
    densification (A. Shrivastava, "Optimal Densification for Fast and Accurate Minwise Hashing",
    ICML 2017): an empty bin ``i`` probes bins ``h(i, 1), h(i, 2), …`` (a fixed hash of bin and attempt,
    the same for every document) and copies the value of the first bin that was not empty. The fraction
    of equal positions of two signatures is then an unbiased estimate of the Jaccard similarity of the
    two shingle sets (up to 32-bit value collisions, ~2^-32). With ``seed=0`` the shingle hashes are
    exactly those of :func:`shingle_set`; another seed is mixed in before the shingle finaliser, giving
    an independent family. An empty document gets all positions 0xFFFFFFFF.

LSH
    :func:`choose_banding` picks bands × rows, :func:`band_keys` hashes each band of a signature to one
    uint64, :func:`candidate_pairs` returns the pairs of documents sharing a band key.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

__all__ = [
    "WORD_PATTERN",
    "band_keys",
    "candidate_pairs",
    "choose_banding",
    "containment",
    "jaccard",
    "overlap",
    "passages",
    "scurve",
    "set_band_keys",
    "shingle_set",
    "signatures",
    "sorted_unique",
    "warm_up",
    "words",
]

#: The word definition of the kernels as a Python regular expression (apply it to the text, then
#: lower-case ASCII and À–Þ). Used by tests and benchmarks as the reference tokeniser.
WORD_PATTERN = "[0-9A-Za-z\u00c0-\u1fff\u20d0-\ufefe\uff00-\U0010ffff]+"

_F = TypeVar("_F", bound=Callable[..., Any])


def _jit(fn: _F) -> _F:
    """``numba.njit(cache=True, nogil=True)``, without the on-disk cache when no cache dir is writable."""
    try:
        return cast(_F, numba.njit(cache=True, nogil=True)(fn))
    except RuntimeError:  # "cannot cache function ...: no locator available" (read-only install)
        return cast(_F, numba.njit(cache=False, nogil=True)(fn))


def _jit_parallel(fn: _F) -> _F:
    """:func:`_jit` with ``parallel=True`` (``numba.prange`` loops run on numba's thread pool)."""
    try:
        return cast(_F, numba.njit(cache=True, nogil=True, parallel=True)(fn))
    except RuntimeError:
        return cast(_F, numba.njit(cache=False, nogil=True, parallel=True)(fn))


# --- constants (numpy scalars so numba keeps every operation in uint64) -----------------------------

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_FMIX_C1 = np.uint64(0xFF51AFD7ED558CCD)
_FMIX_C2 = np.uint64(0xC4CEB9FE1A85EC53)
_SHINGLE_P = np.uint64(0x9E3779B97F4A7C15)  # odd: golden-ratio multiplier
_SHINGLE_SEED = np.uint64(0x2545F4914F6CDD1D)
_DENSE_SALT = np.uint64(0xBF58476D1CE4E5B9)
_BAND_SALT = np.uint64(0xD6E8FEB86659FD93)
_S32 = np.uint64(32)
_S33 = np.uint64(33)
_LOW32 = np.uint64(0xFFFFFFFF)
_EMPTY = np.uint32(0xFFFFFFFF)


def _byte_table() -> npt.NDArray[np.uint8]:
    """Byte class table: 0 = separator, 1 = lead byte that needs a look-ahead, else the lower-cased byte."""
    t = np.zeros(256, dtype=np.uint8)
    for c in range(ord("0"), ord("9") + 1):
        t[c] = c
    for c in range(ord("a"), ord("z") + 1):
        t[c] = c
        t[c - 32] = c
    for c in range(0x80, 0x100):
        t[c] = c
    for c in (0xC2, 0xC3, 0xE2, 0xEF):
        t[c] = 1
    return t


_BYTES = _byte_table()


# --- kernels -------------------------------------------------------------------------------------


@_jit
def _fmix64(h: np.uint64) -> np.uint64:
    h ^= h >> _S33
    h *= _FMIX_C1
    h ^= h >> _S33
    h *= _FMIX_C2
    h ^= h >> _S33
    return h


@_jit
def _doc_words(buf: Any, start: int, end: int, out: Any) -> int:
    """Write the word hashes of ``buf[start:end]`` to ``out``; return how many.

    The ASCII path is branch-free (a word end is a conditional increment, the hash reset a select):
    word boundaries are too frequent and irregular for branch prediction.
    """
    n = 0
    h = _FNV_OFFSET
    inword = False
    i = start
    while i < end:
        t = _BYTES[buf[i]]
        if t == 1:  # a lead byte that needs a look-ahead (rare in English text)
            c = buf[i]
            if c == 0xC3:  # U+00C0–U+00FF: letters; fold the capitals À–Þ (not ×) to lower case
                d = buf[i + 1] if i + 1 < end else np.uint8(0)
                if 0x80 <= d <= 0x9E and d != 0x97:
                    d += np.uint8(0x20)
                h = (h ^ np.uint64(c)) * _FNV_PRIME
                h = (h ^ np.uint64(d)) * _FNV_PRIME
                inword = True
                i += 2
                continue
            width = 0  # separator width in bytes
            if c == 0xC2:  # U+0080–U+00BF
                width = 2
            elif c == 0xE2:  # U+2000–U+20CF
                width = 3 if i + 1 < end and buf[i + 1] <= 0x82 else 0
            elif c == 0xEF:  # the BOM U+FEFF
                width = 3 if i + 2 < end and buf[i + 1] == 0xBB and buf[i + 2] == 0xBF else 0
            if width == 0:  # any other character: part of the word
                h = (h ^ np.uint64(c)) * _FNV_PRIME
                inword = True
                i += 1
                continue
            if inword:
                out[n] = h
                n += 1
                h = _FNV_OFFSET
                inword = False
            i += width
            continue
        isword = t != 0
        out[n] = h  # kept only if a word ends here
        n += inword and not isword
        hn = (h ^ np.uint64(t)) * _FNV_PRIME
        h = hn if isword else _FNV_OFFSET
        inword = isword
        i += 1
    if inword:
        out[n] = h
        n += 1
    for j in range(n):
        out[j] = _fmix64(out[j])
    return n


@_jit
def _shingles_in_place(wbuf: Any, nw: int, k: int, mix: np.uint64) -> int:
    """Turn the ``nw`` word hashes in ``wbuf`` into shingle hashes in place; return how many.

    Shingle hash = fmix64((S·P^m + Σ_j w_j·P^(m-1-j)) ^ mix) over its m = min(k, nw) words, i.e. the
    polynomial ``h = S; h = h·P + w_j`` of the word hashes, computed as a rolling hash (O(1) per shingle).
    """
    if nw == 0:
        return 0
    m = min(k, nw)
    pm1 = np.uint64(1)  # P^(m-1)
    for _ in range(m - 1):
        pm1 *= _SHINGLE_P
    top = _SHINGLE_SEED * pm1 * _SHINGLE_P  # S·P^m
    r = np.uint64(0)
    for j in range(m):
        r = r * _SHINGLE_P + wbuf[j]
    ns = nw - m + 1
    for i in range(ns):
        wi = wbuf[i]
        wbuf[i] = _fmix64((top + r) ^ mix)
        if i + 1 < ns:
            r = (r - wi * pm1) * _SHINGLE_P + wbuf[i + m]
    return ns


@_jit
def _max_len(offsets: Any) -> int:
    m = 0
    for d in range(offsets.shape[0] - 1):
        m = max(m, offsets[d + 1] - offsets[d])
    return int(m)


@_jit
def _shingles_kernel(buf: Any, offsets: Any, k: int) -> Any:
    """All shingle hashes (with repeats, in text order) of the single document ``buf``."""
    wbuf = np.empty(buf.shape[0] // 2 + 2, dtype=np.uint64)
    nw = _doc_words(buf, offsets[0], offsets[1], wbuf)
    ns = _shingles_in_place(wbuf, nw, k, np.uint64(0))
    return wbuf[:ns].copy()


@_jit
def _oph_add(row: Any, filled: Any, x: np.uint64, num_perm: np.uint64) -> None:
    b = ((x >> _S32) * num_perm) >> _S32
    v = np.uint32(x & _LOW32)
    filled[b] = True
    if v < row[b]:
        row[b] = v


@_jit
def _densify(row: Any, filled: Any, mix: np.uint64, num_perm: int) -> None:
    """Optimal densification (Shrivastava 2017): empty bin i copies the first non-empty h(i, attempt)."""
    nfilled = 0
    for b in range(num_perm):
        if filled[b]:
            nfilled += 1
    if nfilled == 0 or nfilled == num_perm:
        return
    m = np.uint64(num_perm)
    dmix = mix ^ _DENSE_SALT
    for b in range(num_perm):
        if filled[b]:
            continue
        attempt = np.uint64(1)
        while True:
            x = _fmix64(dmix ^ (np.uint64(b) << _S32) ^ attempt)
            j = ((x >> _S32) * m) >> _S32
            if filled[j]:
                row[b] = row[j]
                break
            attempt += np.uint64(1)


@_jit
def _signature_rows(buf: Any, offsets: Any, lo: int, hi: int, k: int, mix: np.uint64, out: Any) -> None:
    """Signatures of documents ``lo … hi-1`` into the same rows of ``out``."""
    num_perm = out.shape[1]
    m = np.uint64(num_perm)
    wbuf = np.empty(_max_len(offsets[lo : hi + 1]) // 2 + 2, dtype=np.uint64)
    filled = np.empty(num_perm, dtype=np.bool_)
    for d in range(lo, hi):
        row = out[d]
        row[:] = _EMPTY
        filled[:] = False
        nw = _doc_words(buf, offsets[d], offsets[d + 1], wbuf)
        ns = _shingles_in_place(wbuf, nw, k, mix)
        if ns == 0:
            continue
        for i in range(ns):
            _oph_add(row, filled, wbuf[i], m)
        _densify(row, filled, mix, num_perm)


@_jit
def _signatures_kernel(buf: Any, offsets: Any, k: int, seed: int, out: Any) -> None:
    # mix is 0 for seed 0: the bins then come straight from the shingle_set hashes
    _signature_rows(buf, offsets, 0, offsets.shape[0] - 1, k, _fmix64(np.uint64(seed)), out)


@_jit_parallel
def _signatures_kernel_parallel(buf: Any, offsets: Any, k: int, seed: int, out: Any, parts: int) -> None:
    n = offsets.shape[0] - 1
    mix = _fmix64(np.uint64(seed))
    for p in numba.prange(parts):
        _signature_rows(buf, offsets, n * p // parts, n * (p + 1) // parts, k, mix, out)


@_jit
def _intersection_size(a: Any, b: Any) -> int:
    i = 0
    j = 0
    n = 0
    while i < a.shape[0] and j < b.shape[0]:
        if a[i] < b[j]:
            i += 1
        elif a[i] > b[j]:
            j += 1
        else:
            n += 1
            i += 1
            j += 1
    return n


@_jit
def _band_keys_kernel(sigs: Any, bands: int, rows: int, out: Any) -> None:
    for d in range(sigs.shape[0]):
        for band in range(bands):
            h = _BAND_SALT ^ np.uint64(band)
            for r in range(band * rows, band * rows + rows):
                h = (h ^ np.uint64(sigs[d, r])) * _SHINGLE_P
            out[d, band] = _fmix64(h)


@_jit
def _set_band_kernel(offsets: Any, keys: Any, bands: int, rows: int, out: Any) -> None:
    """MinHash of each set ``keys[offsets[i]:offsets[i + 1]]`` (``bands * rows`` hash functions, each
    an fmix64 of the key under its own salt), folded into one key per band as :func:`band_keys` does."""
    mins = np.empty(bands * rows, dtype=np.uint64)
    salts = np.empty(bands * rows, dtype=np.uint64)
    for p in range(bands * rows):
        salts[p] = _DENSE_SALT * np.uint64(p + 1)
    for d in range(offsets.shape[0] - 1):
        for p in range(bands * rows):
            mins[p] = np.uint64(0xFFFFFFFFFFFFFFFF)
        for t in range(offsets[d], offsets[d + 1]):
            key = keys[t]
            for p in range(bands * rows):
                h = _fmix64(key ^ salts[p])
                if h < mins[p]:
                    mins[p] = h
        for band in range(bands):
            h = _BAND_SALT ^ np.uint64(band)
            for r in range(band * rows, band * rows + rows):
                h = (h ^ mins[r]) * _SHINGLE_P
            out[d, band] = _fmix64(h)


@_jit
def _bucket_pairs(order: Any, starts: Any, sizes: Any, max_bucket: int, n: int, out: Any) -> int:
    """Encode the pairs of each bucket as ``i * n + j`` (i < j); return how many were written."""
    p = 0
    for q in range(starts.shape[0]):
        s = starts[q]
        size = sizes[q]
        if size > max_bucket:  # star: everyone to the first member
            first = order[s]
            for t in range(s + 1, s + size):
                out[p] = first * n + order[t]
                p += 1
        else:
            for a in range(s, s + size):
                ia = order[a] * n
                for b in range(a + 1, s + size):
                    out[p] = ia + order[b]
                    p += 1
    return p


# --- public API ----------------------------------------------------------------------------------

_CHUNK_DOCS = 8192  # documents per kernel call: bounds the concatenated buffer


def _encode(texts: Sequence[str]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """UTF-8 bytes of all texts in one buffer, and ``len(texts) + 1`` offsets into it."""
    encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
    buf = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    return buf, offsets


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")


def words(text: str) -> list[str]:
    """The words of ``text`` as the kernels see them (lower-cased), via :data:`WORD_PATTERN`.

    A readable reference for the tokeniser, not used on the fast path.
    """
    fold = {c: c + 32 for c in [*range(0x41, 0x5B), *range(0xC0, 0xDF)] if c != 0xD7}
    return [w.translate(fold) for w in re.findall(WORD_PATTERN, text)]


def shingle_set(text: str, k: int = 5) -> npt.NDArray[np.uint64]:
    """Sorted unique uint64 hashes of the ``k``-word shingles of ``text`` (see the module docstring)."""
    _check_k(k)
    buf, offsets = _encode([text])
    return sorted_unique(_shingles_kernel(buf, offsets, k))


def sorted_unique(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """``np.unique(values)`` for the short arrays of one document: a sort and one comparison.
    numpy 2's ``unique`` hashes first, then sorts: 42 µs against 10 µs for 600 values (a shingle
    set of one article); under a profile, ``dedup`` of a million documents spent 23 s of 121 s in it."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


@_jit
def _winnow_kernel(h: Any, w: int) -> Any:
    """Minimum of every window of ``w`` consecutive hashes (fewer hashes: their minimum)."""
    n = h.shape[0]
    if n == 0:
        return h[:0].copy()
    if n <= w:
        out = np.empty(1, dtype=np.uint64)
        out[0] = h.min()
        return out
    out = np.empty(n - w + 1, dtype=np.uint64)
    # a monotone deque of positions: the window minimum in O(1) amortised per step
    dq = np.empty(n, dtype=np.int64)
    head = 0
    tail = 0
    for i in range(n):
        while tail > head and h[dq[tail - 1]] >= h[i]:
            tail -= 1
        dq[tail] = i
        tail += 1
        if dq[head] <= i - w:
            head += 1
        if i >= w - 1:
            out[i - w + 1] = h[dq[head]]
    return out


def passages(text: str, k: int = 5, w: int = 30) -> npt.NDArray[np.uint64]:
    """Winnowing fingerprints (Schleimer, Wilkerson & Aiken 2003) of the ``k``-word shingles of ``text``.

    The minimum shingle hash of every window of ``w`` consecutive shingles, sorted and unique: about
    ``2/(w+1)`` of the shingles. Two texts sharing a passage of at least ``w + k - 1`` words share at
    least one fingerprint, whatever else surrounds it — the guarantee that finds two paragraphs lifted
    into a new story, which whole-document MinHash cannot see.
    """
    _check_k(k)
    if w < 1:
        raise ValueError(f"w must be at least 1, got {w}")
    buf, offsets = _encode([text])
    return sorted_unique(_winnow_kernel(_shingles_kernel(buf, offsets, k), w))


def jaccard(a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]) -> float:
    """Exact Jaccard similarity |a ∩ b| / |a ∪ b| of two sorted unique arrays (e.g. from
    :func:`shingle_set`). Two empty sets share nothing: 0.0."""
    inter = int(_intersection_size(a, b))
    union = a.shape[0] + b.shape[0] - inter
    return inter / union if union else 0.0


def overlap(a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]) -> int:
    """|a ∩ b| of two sorted unique arrays."""
    return int(_intersection_size(a, b))


def containment(a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]) -> float:
    """Exact containment |a ∩ b| / |a| of ``a`` in ``b`` (sorted unique arrays): how much of ``a`` is
    found in ``b``. An empty ``a`` is not evidence of anything: 0.0."""
    if a.shape[0] == 0:
        return 0.0
    return float(_intersection_size(a, b) / a.shape[0])


def signatures(
    texts: Sequence[str], num_perm: int = 128, k: int = 5, seed: int = 0, threads: int = 1
) -> npt.NDArray[np.uint32]:
    """MinHash signatures, shape ``(len(texts), num_perm)`` uint32, by one-permutation hashing with
    optimal densification (Li, Owen & Zhang 2012; Shrivastava 2017 — see the module docstring).

    ``np.mean(sig_a == sig_b)`` estimates the Jaccard similarity of the two texts' :func:`shingle_set`
    without bias. Signatures are comparable only for equal ``num_perm``, ``k`` and ``seed``; the result
    does not depend on ``threads`` or on how texts are batched.

    The texts are UTF-8 encoded into one buffer (per chunk of 8192) and fingerprinted by one kernel
    call, which releases the GIL. ``threads > 1`` splits each chunk over numba's thread pool
    (``numba.prange``; capped by ``numba.get_num_threads()``); ``threads=0`` means all of that pool.
    """
    _check_k(k)
    if not 1 <= num_perm <= 1 << 16:
        raise ValueError(f"num_perm must be in 1..65536, got {num_perm}")
    if not 0 <= seed < 1 << 64:
        raise ValueError("seed must fit in 64 unsigned bits")
    if threads < 0:
        raise ValueError(f"threads must be ≥ 0, got {threads}")
    if threads != 1:  # asking for the pool size starts numba's threads: only when wanted
        pool = numba.get_num_threads()
        threads = pool if threads == 0 else min(threads, pool)
    n = len(texts)
    out = np.empty((n, num_perm), dtype=np.uint32)
    for lo in range(0, n, _CHUNK_DOCS):
        hi = min(n, lo + _CHUNK_DOCS)
        buf, offsets = _encode(texts[lo:hi])
        if threads > 1 and hi - lo >= 2 * threads:
            _signatures_kernel_parallel(buf, offsets, k, seed, out[lo:hi], 4 * threads)
        else:
            _signatures_kernel(buf, offsets, k, seed, out[lo:hi])
    return out


def scurve(s: npt.ArrayLike, bands: int, rows: int) -> npt.NDArray[np.float64]:
    """Probability that two documents of Jaccard ``s`` share at least one band key: 1-(1-s^r)^b."""
    x = np.asarray(s, dtype=np.float64)
    return 1.0 - (1.0 - x**rows) ** bands


def choose_banding(
    threshold: float, num_perm: int, fn_weight: float = 0.9, fp_weight: float = 0.1
) -> tuple[int, int]:
    """Bands ``b`` and rows ``r`` (``b * r ≤ num_perm``) minimising
    ``fn_weight · ∫_t^1 (1 - P(s)) ds + fp_weight · ∫_0^t P(s) ds`` with ``P(s) = 1-(1-s^r)^b``,
    integrated numerically (trapezoid rule, 513 points per side).

    The default weights lean to recall (0.9 / 0.1): every candidate pair is verified afterwards by exact
    Jaccard on its shingle sets, so a false positive costs one cheap check while a false negative is a
    copy never found. With these weights ``P(threshold)`` is typically well above 0.5.
    """
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0, 1), got {threshold}")
    if num_perm < 1:
        raise ValueError(f"num_perm must be positive, got {num_perm}")
    lo = np.linspace(0.0, threshold, 513)
    hi = np.linspace(threshold, 1.0, 513)
    best = (math.inf, 1, 1)
    for r in range(1, num_perm + 1):
        b = np.arange(1, num_perm // r + 1, dtype=np.float64)[:, None]
        fp = np.asarray(np.trapezoid(1.0 - (1.0 - lo[None, :] ** r) ** b, lo, axis=1))
        fn = np.asarray(np.trapezoid((1.0 - hi[None, :] ** r) ** b, hi, axis=1))
        cost = fn_weight * fn + fp_weight * fp
        i = int(np.argmin(cost))
        if cost[i] < best[0]:
            best = (float(cost[i]), i + 1, r)
    return best[1], best[2]


def band_keys(sigs: npt.NDArray[np.uint32], bands: int, rows: int) -> npt.NDArray[np.uint64]:
    """One 64-bit hash per band of each signature: shape ``(n, bands)`` uint64. Band ``i`` covers
    signature positions ``i*rows … (i+1)*rows - 1``; the band index is part of the hash."""
    sigs = np.ascontiguousarray(sigs, dtype=np.uint32)
    if sigs.ndim != 2:
        raise ValueError("sigs must be a 2-d array (documents × num_perm)")
    if bands < 1 or rows < 1 or bands * rows > sigs.shape[1]:
        raise ValueError(f"bands × rows = {bands} × {rows} does not fit num_perm = {sigs.shape[1]}")
    out = np.empty((sigs.shape[0], bands), dtype=np.uint64)
    _band_keys_kernel(sigs, bands, rows, out)
    return out


def set_band_keys(
    offsets: npt.NDArray[np.int64], keys: npt.NDArray[np.uint64], bands: int, rows: int
) -> npt.NDArray[np.uint64]:
    """LSH band keys of sets of 64-bit keys (set ``i`` is ``keys[offsets[i]:offsets[i + 1]]``): a
    MinHash of ``bands * rows`` values per set, one key per band of ``rows`` values, shape
    ``(n, bands)``. Two sets of Jaccard similarity J share a band key with probability
    ``1 - (1 - J**rows)**bands``. An empty set's keys are all equal: leave empty sets out."""
    if bands < 1 or rows < 1:
        raise ValueError("bands and rows must be at least 1")
    offsets = np.ascontiguousarray(offsets, dtype=np.int64)
    out = np.empty((max(len(offsets) - 1, 0), bands), dtype=np.uint64)
    _set_band_kernel(offsets, np.ascontiguousarray(keys, dtype=np.uint64), bands, rows, out)
    return out


def candidate_pairs(keys: npt.NDArray[np.uint64], max_bucket: int = 1000) -> npt.NDArray[np.int64]:
    """Unique pairs ``(i, j)``, ``i < j``, of rows of ``keys`` (from :func:`band_keys`) that share a key in
    at least one band; shape ``(m, 2)`` int64, sorted.

    Each band column is sorted with numpy (stable argsort) and runs of equal keys are buckets. A bucket
    of up to ``max_bucket`` rows yields all its pairs; a larger one (typically many exact or templated
    duplicates, which are handled separately) is connected as a star to its first (lowest) row only, so
    its members stay connected through that row without a quadratic number of pairs.
    """
    keys = np.asarray(keys, dtype=np.uint64)
    if keys.ndim != 2:
        raise ValueError("keys must be a 2-d array (documents × bands)")
    if max_bucket < 2:
        raise ValueError("max_bucket must be at least 2")
    n = keys.shape[0]
    found: list[npt.NDArray[np.int64]] = []
    for band in range(keys.shape[1]):
        col = keys[:, band]
        order = np.argsort(col, kind="stable").astype(np.int64)
        sc = col[order]
        starts = np.flatnonzero(np.concatenate(([True], sc[1:] != sc[:-1])))
        sizes = np.diff(np.append(starts, n))
        multi = sizes >= 2
        starts, sizes = starts[multi].astype(np.int64), sizes[multi].astype(np.int64)
        if starts.size == 0:
            continue
        total = int(np.where(sizes > max_bucket, sizes - 1, sizes * (sizes - 1) // 2).sum())
        out = np.empty(total, dtype=np.int64)
        _bucket_pairs(order, starts, sizes, max_bucket, n, out)
        found.append(out)
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(found))
    return np.stack([codes // n, codes % n], axis=1)


def warm_up() -> None:
    """Compile (or load from the numba cache) every kernel on a tiny input."""
    texts = ["One two three, four five six seven.", "Çà “va” — ok", ""]
    sets = [shingle_set(t) for t in texts]
    jaccard(sets[0], sets[1])
    containment(sets[0], sets[1])
    sigs = signatures(texts, num_perm=8)
    if numba.get_num_threads() > 1:
        signatures(texts * 2, num_perm=8, threads=2)
    candidate_pairs(band_keys(sigs, 2, 4))
