"""The document vectors of an index, in a flat sidecar file searched exactly.

``<db>.vectors`` is a log of fixed-size records — a row id (int64) and the
vector as float16 — that :class:`VectorFile` appends to after each batch is
committed to the database. A deleted row gets a *tombstone* record (row id,
vector of NaN) written before its deletion is committed. Reading keeps the
last record of each row id, so a row id SQLite reuses after a deletion gets
its new vector, and a tombstone hides the old one.

The file is a cache of the vectors the database holds: a crash between a
commit and its append, a torn last record, or a file deleted by hand is
repaired on load (:meth:`VectorFile.load` with the database's live row ids),
by appending what is missing; records of rows no longer in the database are
left out.

Search is a matrix–vector product over every vector (exact, no index to
build): at a million 128-dimensional vectors held as float32 it takes
≈ 40 ms on one core, and adding a document costs one 264-byte append. An
HNSW graph (usearch) answered in ≈ 15 ms at that size, but building it cost
≈ 500 s of CPU per million documents, a third of all indexing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

__all__ = ["VectorFile", "top_k"]

_CHUNK = 262_144  # rows per matrix-vector product (bounds the temporary of a search)


def _record(dims: int) -> np.dtype:
    return np.dtype([("row", "<i8"), ("vec", "<f2", (dims,))])


def _as_stored(vectors: np.ndarray) -> np.ndarray:
    """float32 vectors rounded as the file holds them (float16), so memory matches a reload."""
    return vectors.astype(np.float16).astype(np.float32)


class VectorFile:
    """Row ids and float32 vectors of the live documents, backed by ``path``.

    Not loaded until first needed (:meth:`matrix`); appends go to the file at
    once and, once loaded, to the matrix in memory too.
    """

    def __init__(self, path: Path, dims: int) -> None:
        self.path = path
        self.dims = dims
        self.dtype = _record(dims)
        self._rows: np.ndarray | None = None  # int64[n]
        self._matrix: np.ndarray | None = None  # float32[n, dims]
        self._extra: list[tuple[np.ndarray, np.ndarray]] = []  # appended since the matrix was built

    # -- writing ------------------------------------------------------------------------------
    def _write(self, rows: np.ndarray, vectors: np.ndarray) -> None:
        rec = np.empty(len(rows), dtype=self.dtype)
        rec["row"] = rows
        rec["vec"] = vectors
        self._align()
        with open(self.path, "ab") as f:
            f.write(rec.tobytes())

    def _align(self) -> None:
        """Cut a torn last record (a crash in the middle of an append) before appending."""
        size = self.path.stat().st_size if self.path.exists() else 0
        torn = size % self.dtype.itemsize
        if torn:
            os.truncate(self.path, size - torn)

    def append(self, rows: Iterable[int], vectors: np.ndarray) -> None:
        """Record the vectors of rows just committed."""
        r = np.fromiter(rows, dtype=np.int64)
        if len(r) == 0:
            return
        v = np.asarray(vectors, dtype=np.float32).reshape(len(r), self.dims)
        self._write(r, v)
        if self._rows is not None:
            self._extra.append((r, v))

    def forget(self, row: int) -> None:
        """Write the tombstone of ``row`` (before its deletion is committed)."""
        self._write(np.array([row], dtype=np.int64), np.full((1, self.dims), np.nan, dtype=np.float32))
        if self._rows is not None:
            self._flush_extra()
            assert self._rows is not None and self._matrix is not None
            keep = self._rows != row
            self._rows, self._matrix = self._rows[keep], self._matrix[keep]

    # -- reading ------------------------------------------------------------------------------
    def load(
        self,
        live: np.ndarray,
        fetch: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
        *,
        writable: bool,
    ) -> None:
        """Read the file and repair it against the database.

        Args:
            live: the row ids in the database now.
            fetch: vectors of the given row ids from the database: (row ids found, float32 rows).
            writable: append what the file lacks (else it is only patched in memory).
        """
        n = (self.path.stat().st_size // self.dtype.itemsize) if self.path.is_file() else 0
        rec = np.fromfile(self.path, dtype=self.dtype, count=n) if n else np.empty(0, dtype=self.dtype)
        # the last record of each row id wins
        rows_rev = rec["row"][::-1]
        _, first_rev = np.unique(rows_rev, return_index=True)
        last = len(rec) - 1 - first_rev
        last = last[~np.isnan(rec["vec"][last, 0])] if len(last) else last
        last = last[np.isin(rec["row"][last], live)]
        last.sort()
        rows = rec["row"][last].astype(np.int64)
        matrix = rec["vec"][last].astype(np.float32)
        del rec
        missing = np.setdiff1d(live, rows)
        if len(missing):
            got_rows, got = fetch(missing)
            if len(got_rows):
                if writable:
                    self._write(got_rows, got)
                rows = np.concatenate([rows, got_rows])
                matrix = np.concatenate([matrix, _as_stored(got)])
        self._rows, self._matrix, self._extra = rows, matrix, []

    @property
    def loaded(self) -> bool:
        return self._rows is not None

    def _flush_extra(self) -> None:
        if self._extra:
            assert self._rows is not None and self._matrix is not None
            self._rows = np.concatenate([self._rows, *(r for r, _ in self._extra)])
            extra = [_as_stored(v) for _, v in self._extra]
            self._matrix = np.concatenate([self._matrix, *extra])
            self._extra = []

    def matrix(self) -> tuple[np.ndarray, np.ndarray]:
        """(row ids, float32 vectors as stored, float16-rounded) of every live document."""
        if self._rows is None:
            raise RuntimeError("VectorFile.load() first")
        self._flush_extra()
        assert self._rows is not None and self._matrix is not None
        return self._rows, self._matrix


def top_k(matrix: np.ndarray, vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions and cosines of the ``k`` rows of ``matrix`` (unit vectors) closest to ``vector``,
    best first (ties by position), computed exactly ``_CHUNK`` rows at a time."""
    n = len(matrix)
    k = min(k, n)
    if k <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    q = np.asarray(vector, dtype=np.float32)
    best_pos: list[np.ndarray] = []
    best_sim: list[np.ndarray] = []
    for s in range(0, n, _CHUNK):
        sims = matrix[s : s + _CHUNK] @ q
        kk = min(k, len(sims))
        part = np.argpartition(-sims, kk - 1)[:kk]
        best_pos.append(part + s)
        best_sim.append(sims[part])
    pos, sim = np.concatenate(best_pos), np.concatenate(best_sim)
    order = np.lexsort((pos, -sim))[:k]
    return pos[order].astype(np.int64), sim[order]
