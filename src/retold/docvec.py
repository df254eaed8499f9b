"""Document vectors at close to hashing cost, for finding paraphrased copies.

A paraphrase shares few 5-word shingles with its source, so MinHash cannot
find it; a sentence transformer can, but reads ≈ 400 sentences/s on two
cores — far too slow to read every document of a large corpus. This module
distils the transformer into a *static* word table, the idea of model2vec
(Tulkens & van Dongen, 2024):

1. every whole-word entry of the model's vocabulary (the uncased WordPiece
   vocabulary of all-MiniLM-L6-v2, ≈ 22,000 words) is run through the ONNX
   model on its own and mean-pooled, as a sentence of one word;
2. the vectors are centred and reduced by PCA to :data:`DIMS` dimensions;
3. each word gets a weight that grows with the logarithm of its rank in the
   vocabulary, which is roughly frequency-ordered (the Zipf/SIF weighting
   model2vec uses), so "the" counts little and "howitzer" much.

A document vector is the weighted sum of its words' rows, L2-normalised.
Words outside the vocabulary (most names) add nothing here: names and
numbers are compared by the lexical evidence that verifies candidates.

The table is *generated*, not shipped: :func:`build_table` makes it from the
pinned model in ≈ 20-30 s on two cores and caches it under
``$RETOLD_CACHE`` (default ``~/.cache/retold``), keyed by the model's hash.

Measured on the development data (``../shared/data``: 36 rewrites and 100
extractive summaries searched among the 2,225 BBC articles by this vector
alone): the source is the nearest article for 133 of 136 queries and among
the ten nearest for all 136 (128 dimensions; 256 gave the same).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numba import njit

from retold.embed import MODEL_SHA256, cache_dir

__all__ = ["DIMS", "StaticEmbedder", "build_table", "cache_dir", "static_embedder"]

log = logging.getLogger(__name__)

DIMS = 128
TABLE_VERSION = 1
_RANK_OFFSET = 1000  # the vocabulary's first ≈ 1,000 entries are special and single characters


def _table_path() -> Path:
    return cache_dir() / f"static-minilm-{MODEL_SHA256[:12]}-d{DIMS}-v{TABLE_VERSION}.npz"


def build_table(path: Path | None = None, batch: int = 1024) -> Path:
    """Distil the static word table from the ONNX sentence model and save it atomically."""
    from retold.embed import OnnxMiniLM

    path = path or _table_path()
    model = OnnxMiniLM()
    vocab = model.tokenizer.get_vocab()
    words = sorted(
        ((i, w) for w, i in vocab.items() if w.isascii() and w.isalnum() and not w.startswith("[")),
        key=lambda x: x[0],
    )
    ids = np.array([i for i, _ in words], dtype=np.int64)
    pooled = np.zeros((len(ids), model.dim), dtype=np.float32)
    for s in range(0, len(ids), batch):
        chunk = ids[s : s + batch]
        n = len(chunk)
        inp = np.stack([np.full(n, 101), chunk, np.full(n, 102)], axis=1).astype(np.int64)
        (hidden,) = model.session.run(
            None,
            {"input_ids": inp, "attention_mask": np.ones_like(inp), "token_type_ids": np.zeros_like(inp)},
        )
        pooled[s : s + n] = hidden.mean(axis=1)
    centred = pooled - pooled.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    vectors = (centred @ vt[:DIMS].T).astype(np.float32)
    weights = np.log1p(np.maximum(ids - _RANK_OFFSET, 1)).astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as f:
        np.savez(f, words=np.array([w for _, w in words]), vectors=vectors * weights[:, None])
    os.replace(tmp, path)
    return path


@njit(cache=True, nogil=True)
def _fnv(buf: np.ndarray, start: int, end: int) -> np.uint64:
    h = np.uint64(0xCBF29CE484222325)
    for i in range(start, end):
        c = buf[i]
        if 65 <= c <= 90:
            c += 32
        h = (h ^ np.uint64(c)) * np.uint64(0x100000001B3)
    return h


@njit(cache=True, nogil=True)
def _is_word_byte(c: np.uint8) -> bool:
    return bool((48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122) or c >= 128)


@njit(cache=True, nogil=True)
def _embed_batch(
    buf: np.ndarray, offsets: np.ndarray, keys: np.ndarray, rows: np.ndarray, table: np.ndarray
) -> np.ndarray:
    n = len(offsets) - 1
    dims = table.shape[1]
    mask = np.uint64(len(keys) - 1)
    out = np.zeros((n, dims), dtype=np.float32)
    for d in range(n):
        i, end = offsets[d], offsets[d + 1]
        while i < end:
            if not _is_word_byte(buf[i]):
                i += 1
                continue
            j = i
            while j < end and _is_word_byte(buf[j]):
                j += 1
            h = _fnv(buf, i, j)
            slot = h & mask
            while keys[slot] != 0:
                if keys[slot] == h:
                    r = rows[slot]
                    for k in range(dims):
                        out[d, k] += table[r, k]
                    break
                slot = (slot + np.uint64(1)) & mask
            i = j
        norm = 0.0
        for k in range(dims):
            norm += out[d, k] * out[d, k]
        if norm > 0:
            inv = 1.0 / np.sqrt(norm)
            for k in range(dims):
                out[d, k] *= inv
    return out


class StaticEmbedder:
    """Document vectors from the distilled word table (thread-safe, no model at run time)."""

    dim = DIMS

    def __init__(self, path: Path | None = None) -> None:
        path = path or _table_path()
        if not path.is_file():
            log.info("building the static word table (one-off, ≈ 30 s): %s", path)
            build_table(path)
        with np.load(path) as data:
            words = [str(w) for w in data["words"]]
            self.table = np.ascontiguousarray(data["vectors"], dtype=np.float32)
        size = 1 << (2 * len(words) - 1).bit_length()
        keys = np.zeros(size, dtype=np.uint64)
        rows = np.zeros(size, dtype=np.int32)
        for r, w in enumerate(words):
            b = np.frombuffer(w.encode(), dtype=np.uint8)
            h = _fnv(b, 0, len(b))
            slot = int(h) & (size - 1)
            while keys[slot] != 0 and keys[slot] != h:
                slot = (slot + 1) & (size - 1)
            keys[slot], rows[slot] = h, r
        self.keys, self.rows = keys, rows

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text (shape ``(n, DIMS)``); a text with no known word gives zeros."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encoded = [t.encode("utf-8", "replace") for t in texts]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        buf = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        return _embed_batch(buf, offsets, self.keys, self.rows, self.table)


_default: StaticEmbedder | None = None
_lock = threading.Lock()


def static_embedder() -> StaticEmbedder:
    """The process-wide static embedder (the table is built on first use if missing)."""
    global _default
    with _lock:
        if _default is None:
            _default = StaticEmbedder()
        return _default


if __name__ == "__main__":  # pragma: no cover - used by `make` to prebuild the table
    logging.basicConfig(level=logging.INFO)
    print(build_table() if not _table_path().is_file() else _table_path())
