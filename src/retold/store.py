"""The persistent index: documents, their fingerprints and band tables.

:class:`Store` is the interface the corpus tools use; :class:`SQLiteStore`
is the embedded default — one SQLite database file (WAL mode, so readers
never see a half-written batch) plus the document vectors in a flat sidecar
file (``<db>.vectors``, :mod:`retold.vectors`), searched exactly.

Crash safety: every batch of documents is written in one transaction, so a
killed ``retold index`` leaves the database as it was after the last whole
batch. The vector file is a cache of the vectors held in the database: each
batch's vectors are appended after its commit and, when the file lags behind
the database after a crash (or has a torn last record), what it lacks is
added back from the database when it is next read.

Band keys (and passage keys) are written to append-only staging tables (``bands_new``) and
merged, sorted, into the indexed ``bands`` table when the store is flushed
(or the stage grows past :data:`STAGE_ROWS`): inserting 32 random keys per
document straight into the B-tree dirtied a random page per key, so every
batch rewrote tens of megabytes once the table outgrew the cache. Lookups
read both tables, so staged keys are found at once.

A merge rewrites nearly every page of the indexed tables (the keys are random), so the stage
may grow as large as those tables before it is merged: the tables are rewritten a logarithmic
number of times, not once per :data:`STAGE_ROWS`. Writing a million documents' keys merged 36
times (278 s of 447 s) with a fixed stage and 7 times (138 s of 314 s) this way (``bench/merges.py``).
"""

from __future__ import annotations

import json
import sqlite3
import struct
import threading
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from retold.errors import ConfigError, InputError
from retold.vectors import VectorFile, top_k

__all__ = ["SCHEMA_VERSION", "EncodedDoc", "IndexParams", "SQLiteStore", "Store", "StoredDoc", "encode"]

SCHEMA_VERSION = 3
STAGE_ROWS = 2_000_000  # staged band rows (≈ 30,000 documents) that trigger a merge, at least


@dataclass(frozen=True, slots=True)
class IndexParams:
    """Fingerprint settings an index was built with (fixed for its lifetime)."""

    num_perm: int = 128
    shingle: int = 5
    bands: int = 32
    rows: int = 4
    dims: int = 128
    window: int = 30  # winnowing window of the passage fingerprints

    def to_json(self) -> str:
        return json.dumps({f: getattr(self, f) for f in self.__slots__})

    @classmethod
    def from_json(cls, raw: str) -> IndexParams:
        return cls(**json.loads(raw))


@dataclass(frozen=True, slots=True)
class StoredDoc:
    """One indexed document with everything search and dedup need."""

    id: str
    text: str  # the document as given (HTML stays HTML)
    body: str  # its content after cleaning (boilerplate and markup removed)
    sha: str  # sha256 of ``text``: re-adding the same id with the same text is a no-op
    body_sha: str  # sha256 of ``body``: equal bodies are republished copies
    signature: np.ndarray  # MinHash of the body, uint32[num_perm]
    bands: np.ndarray  # band keys, uint64[bands]
    vector: np.ndarray  # static document vector, float32[dims]
    passages: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))  # winnowing keys
    boilerplate: int = 0  # lines of boilerplate removed
    specifics: int = 0  # figures and names in the body (content evidence of originality)
    anchors: np.ndarray | None = None  # their keys (evidence.anchor_keys); None: take them from the body
    url: str | None = None
    title: str | None = None
    date: str | None = None
    site: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    origin: str = ""
    rowid: int = -1


@dataclass(frozen=True, slots=True)
class EncodedDoc:
    """A document as :class:`SQLiteStore` writes it: its row (text compressed) and the keys and
    vector of the band tables and the vector file. ``retold index`` encodes in its worker processes,
    so the one writing process only writes."""

    values: tuple[Any, ...]  # the ``docs`` columns after ``rowid``, in the order of ``_COLUMNS``
    bands: str  # band keys as signed 64-bit integers, a JSON array (SQLite's json_each reads it)
    passages: str  # passage keys, likewise
    vector: np.ndarray  # float32[dims]


def encode(d: StoredDoc) -> EncodedDoc:
    """The row and keys :meth:`SQLiteStore.add` writes for ``d``."""
    return EncodedDoc(
        values=(
            d.id,
            d.sha,
            d.body_sha,
            _pack(d.text),
            _pack_body(d.text, d.body),
            d.signature.astype(np.uint32).tobytes(),
            d.bands.astype(np.uint64).tobytes(),
            d.vector.astype(np.float32).tobytes(),
            d.passages.astype(np.uint64).tobytes(),
            d.boilerplate,
            d.specifics,
            _anchor_blob(d),
            d.url,
            d.title,
            d.date,
            d.site,
            json.dumps(d.extra) if d.extra else None,
            d.origin,
        ),
        bands=_json_keys(d.bands),
        passages=_json_keys(d.passages),
        vector=d.vector.astype(np.float32),
    )


class Store(Protocol):
    """What the corpus tools need from an index; a server database can implement it too."""

    params: IndexParams

    def known(self, ids: Sequence[str]) -> dict[str, tuple[str, str]]: ...  # id -> (sha, origin)
    def add(self, docs: Sequence[StoredDoc]) -> list[int]: ...
    def delete(self, doc_id: str) -> bool: ...
    def get(self, rowids: Sequence[int]) -> list[StoredDoc]: ...
    def get_by_id(self, doc_id: str) -> StoredDoc | None: ...
    def band_matches(self, keys: np.ndarray) -> list[int]: ...
    def nearest(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]: ...
    def count(self) -> int: ...
    def close(self) -> None: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    sha TEXT NOT NULL,
    body_sha TEXT NOT NULL,
    text BLOB NOT NULL,
    body BLOB NOT NULL,
    signature BLOB NOT NULL,
    bands BLOB NOT NULL,
    vector BLOB NOT NULL,
    passages BLOB NOT NULL,
    boilerplate INTEGER NOT NULL,
    specifics INTEGER NOT NULL,
    anchors BLOB NOT NULL,
    url TEXT, title TEXT, date TEXT, site TEXT, extra TEXT, origin TEXT
);
CREATE INDEX IF NOT EXISTS docs_body_sha ON docs(body_sha);
CREATE TABLE IF NOT EXISTS bands(key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY(key, doc))
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS passages(key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY(key, doc))
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bands_new(key INTEGER NOT NULL, doc INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS passages_new(key INTEGER NOT NULL, doc INTEGER NOT NULL);
"""

_MARKS = ",".join("?" * 18)  # the columns after rowid
_STAGE_BANDS = "INSERT INTO bands_new SELECT value, ? FROM json_each(?)"
_STAGE_PASSAGES = "INSERT INTO passages_new SELECT value, ? FROM json_each(?)"
_COLUMNS = (
    "rowid, id, sha, body_sha, text, body, signature, bands, vector, passages, boilerplate, specifics, "
    "anchors, url, title, date, site, extra, origin"
)


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 1)


def _unpack(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")


# A body blob that is a slice of the text: b"S" + start + end (a zlib stream never starts with "S").
_SLICE = b"S"


def _pack_body(text: str, body: str) -> bytes:
    """The body, stored as its place in the text when it is one piece of it (no boilerplate or
    markup was cut out of its middle): one compression less per document and a smaller file."""
    start = text.find(body) if body else -1
    if start >= 0:
        return _SLICE + struct.pack("<QQ", start, start + len(body))
    return _pack(body)


def _unpack_body(text: str, blob: bytes) -> str:
    if blob[:1] == _SLICE:
        start, end = struct.unpack("<QQ", blob[1:17])
        return text[start:end]
    return _unpack(blob)


def _anchor_blob(d: StoredDoc) -> bytes:
    if d.anchors is None:
        from retold.evidence import anchor_keys

        return anchor_keys(d.body).tobytes()
    return d.anchors.astype(np.uint64).tobytes()


def _json_keys(keys: np.ndarray) -> str:
    """uint64 keys as a JSON array of the signed 64-bit integers SQLite stores. Staged a document
    at a time through json_each, the rows cost ≈ 30 µs a document to write instead of ≈ 100-150 µs
    as (key, rowid) tuples through executemany (measured on 20,000 documents of 71 keys)."""
    return "[" + ",".join(map(str, _signed(keys))) + "]"


def _signed(keys: np.ndarray) -> list[int]:
    """uint64 band keys as the signed 64-bit integers SQLite stores."""
    signed: list[int] = keys.astype(np.uint64).view(np.int64).tolist()
    return signed


def _require_json(db: sqlite3.Connection) -> None:
    """Band and passage keys are written through ``json_each``: built into SQLite since 3.38."""
    try:
        db.execute("SELECT json_valid('[]')")
    except sqlite3.OperationalError:
        raise ConfigError(
            f"this Python's SQLite ({sqlite3.sqlite_version}) has no JSON functions, which writing an"
            " index needs: use a Python built with SQLite 3.38 or newer"
        ) from None


class SQLiteStore:
    """The embedded default store: ``path`` (SQLite) and ``path + '.vectors'`` (document vectors)."""

    def __init__(
        self, path: str | Path, params: IndexParams | None = None, *, readonly: bool = False
    ) -> None:
        self.path = Path(path)
        if readonly and not self.path.is_file():
            raise InputError("no such index (run `retold index` first)", path=str(self.path))
        if self.path.is_dir():
            raise InputError("is a directory, expected an index file", path=str(self.path))
        self.readonly = readonly
        self._lock = threading.RLock()
        try:
            self.db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            if not readonly:
                _require_json(self.db)
                self.db.executescript(_SCHEMA)
            row = (
                self.db.execute("SELECT value FROM meta WHERE key='params'").fetchone()
                if self._has_meta()
                else None
            )
        except sqlite3.DatabaseError as exc:
            raise InputError(f"not a retold index ({exc})", path=str(self.path)) from exc
        if row is None:
            if readonly:
                raise InputError("not a retold index (no parameters)", path=str(self.path))
            self.params = params or IndexParams()
            with self._tx():
                self.db.execute("INSERT INTO meta VALUES ('params', ?)", (self.params.to_json(),))
                self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        else:
            version = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if version is None or int(version[0]) != SCHEMA_VERSION:
                raise InputError(
                    f"index schema {version[0] if version else '?'} was written by another version of retold "
                    f"(this one reads schema {SCHEMA_VERSION}); index the documents again into a new file",
                    path=str(self.path),
                )
            self.params = IndexParams.from_json(row[0])
            if params is not None and params != self.params:
                raise ConfigError(f"{self.path} was built with {self.params}, not {params}")
        self._vecs = VectorFile(self.vectors_path, self.params.dims)
        self._staged = 0  # band rows staged by this process since the last merge
        self._has_stage = self._has_table("bands_new")  # an index made before staging has none
        self._merged = self._merged_rows() if not readonly else 0

    def _has_meta(self) -> bool:
        return self._has_table("meta")

    def _has_table(self, name: str) -> bool:
        return self.db.execute("SELECT 1 FROM sqlite_master WHERE name=?", (name,)).fetchone() is not None

    # -- transactions -------------------------------------------------------------------------
    class _Tx:
        def __init__(self, store: SQLiteStore) -> None:
            self.store = store

        def __enter__(self) -> None:
            self.store._lock.acquire()
            self.store.db.execute("BEGIN IMMEDIATE")

        def __exit__(self, exc_type: object, *_: object) -> None:
            try:
                self.store.db.execute("ROLLBACK" if exc_type else "COMMIT")
            finally:
                self.store._lock.release()

    def _tx(self) -> SQLiteStore._Tx:
        return SQLiteStore._Tx(self)

    # -- writing ------------------------------------------------------------------------------
    def known(self, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        out: dict[str, tuple[str, str]] = {}
        with self._lock:
            for s in range(0, len(ids), 500):
                chunk = list(ids[s : s + 500])
                q = f"SELECT id, sha, origin FROM docs WHERE id IN ({','.join('?' * len(chunk))})"
                for i, sha, origin in self.db.execute(q, chunk):
                    out[i] = (sha, origin or "")
        return out

    def add(self, docs: Sequence[StoredDoc | EncodedDoc]) -> list[int]:
        """Insert documents in one transaction; return their row ids.

        Their vectors are appended to the vector file after the commit; a crash in between loses
        nothing: the file is caught up from the database when it is next read.
        """
        encoded = [d if isinstance(d, EncodedDoc) else encode(d) for d in docs]
        rowids: list[int] = []
        staged = 0
        with self._tx():
            for e in encoded:
                cur = self.db.execute(f"INSERT INTO docs({_COLUMNS}) VALUES (NULL,{_MARKS})", e.values)
                rowid = int(cur.lastrowid or 0)
                rowids.append(rowid)
                staged += self.db.execute(_STAGE_BANDS, (rowid, e.bands)).rowcount
                staged += self.db.execute(_STAGE_PASSAGES, (rowid, e.passages)).rowcount
        if encoded:
            with self._lock:
                self._vecs.append(rowids, np.stack([e.vector for e in encoded]))
        self._staged += staged
        if self._staged >= max(STAGE_ROWS, self._merged):
            self._merge_bands()
        return rowids

    def delete(self, doc_id: str) -> bool:
        with self._tx():
            row = self.db.execute("SELECT rowid, bands, passages FROM docs WHERE id=?", (doc_id,)).fetchone()
            if row is None:
                return False
            rowid, bands, passages = row
            with self._lock:  # the tombstone first: a row id SQLite reuses must not find this vector
                self._vecs.forget(rowid)
            pkeys = _signed(np.frombuffer(passages, dtype=np.uint64))
            self.db.executemany("DELETE FROM passages WHERE key=? AND doc=?", [(k, rowid) for k in pkeys])
            keys = _signed(np.frombuffer(bands, dtype=np.uint64))
            self.db.executemany("DELETE FROM bands WHERE key=? AND doc=?", [(k, rowid) for k in keys])
            if self._has_stage:
                self.db.execute("DELETE FROM bands_new WHERE doc=?", (rowid,))
                self.db.execute("DELETE FROM passages_new WHERE doc=?", (rowid,))
            self.db.execute("DELETE FROM docs WHERE rowid=?", (rowid,))
        return True

    # -- reading ------------------------------------------------------------------------------
    def _row(self, r: tuple[Any, ...]) -> StoredDoc:
        return StoredDoc(
            rowid=r[0],
            id=r[1],
            sha=r[2],
            body_sha=r[3],
            text=(text := _unpack(r[4])),
            body=_unpack_body(text, r[5]),
            signature=np.frombuffer(r[6], dtype=np.uint32),
            bands=np.frombuffer(r[7], dtype=np.uint64),
            vector=np.frombuffer(r[8], dtype=np.float32),
            passages=np.frombuffer(r[9], dtype=np.uint64),
            boilerplate=r[10],
            specifics=r[11],
            anchors=np.frombuffer(r[12], dtype=np.uint64),
            url=r[13],
            title=r[14],
            date=r[15],
            site=r[16],
            extra=json.loads(r[17]) if r[17] else {},
            origin=r[18] or "",
        )

    def get(self, rowids: Sequence[int]) -> list[StoredDoc]:
        """Documents by row id, in the order asked (missing ones left out)."""
        found: dict[int, StoredDoc] = {}
        with self._lock:
            for s in range(0, len(rowids), 500):
                chunk = [int(r) for r in rowids[s : s + 500]]
                q = f"SELECT {_COLUMNS} FROM docs WHERE rowid IN ({','.join('?' * len(chunk))})"
                for r in self.db.execute(q, chunk):
                    found[r[0]] = self._row(r)
        return [found[r] for r in rowids if r in found]

    def bodies(self, rowids: Sequence[int]) -> dict[int, tuple[str, np.ndarray]]:
        """Cleaned body and anchor keys of documents by row id: what verifying a pair reads."""
        found: dict[int, tuple[str, np.ndarray]] = {}
        with self._lock:
            for s in range(0, len(rowids), 500):
                chunk = [int(r) for r in rowids[s : s + 500]]
                marks = ",".join("?" * len(chunk))
                q = f"SELECT rowid, text, body, anchors FROM docs WHERE rowid IN ({marks})"
                for r, text, body, names in self.db.execute(q, chunk):
                    # a body stored as a slice needs the text; a compressed one does not
                    full = _unpack(text) if body[:1] == _SLICE else ""
                    found[r] = (_unpack_body(full, body), np.frombuffer(names, dtype=np.uint64))
        return found

    def get_by_id(self, doc_id: str) -> StoredDoc | None:
        with self._lock:
            r = self.db.execute(f"SELECT {_COLUMNS} FROM docs WHERE id=?", (doc_id,)).fetchone()
        return self._row(r) if r else None

    def band_matches(self, keys: np.ndarray) -> list[int]:
        """Row ids of documents sharing at least one band key."""
        signed = _signed(keys)
        with self._lock:
            marks = ",".join("?" * len(signed))
            if not self._has_stage:
                q = f"SELECT DISTINCT doc FROM bands WHERE key IN ({marks})"
                return [r[0] for r in self.db.execute(q, signed)]
            # plus keys not merged yet (a scan of the stage, kept short by merging)
            q = (
                f"SELECT doc FROM bands WHERE key IN ({marks}) "
                f"UNION SELECT doc FROM bands_new WHERE key IN ({marks})"
            )
            return [r[0] for r in self.db.execute(q, signed + signed)]

    def passage_matches(self, keys: np.ndarray, limit: int = 50, max_docs_per_key: int = 100) -> list[int]:
        """Row ids of the documents sharing the most passage fingerprints with ``keys`` (at least two).

        A fingerprint found in more than ``max_docs_per_key`` documents is a stock phrase, not reuse.
        """
        signed = _signed(keys)
        if not signed:
            return []
        marks = ",".join("?" * len(signed))
        q = (
            f"WITH p AS (SELECT key, doc FROM passages WHERE key IN ({marks})"
            f" UNION SELECT key, doc FROM passages_new WHERE key IN ({marks})),"
            " ok AS (SELECT key FROM p GROUP BY key HAVING COUNT(*) <= ?)"
            " SELECT doc, COUNT(*) AS n FROM p WHERE key IN (SELECT key FROM ok)"
            " GROUP BY doc HAVING n >= 2 ORDER BY n DESC, doc LIMIT ?"
        )
        with self._lock:
            return [r[0] for r in self.db.execute(q, [*signed, *signed, max_docs_per_key, limit])]

    def same_body(self, body_sha: str) -> list[int]:
        with self._lock:
            return [r[0] for r in self.db.execute("SELECT rowid FROM docs WHERE body_sha=?", (body_sha,))]

    def nearest(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The ``k`` documents whose vectors are closest to ``vector``: (row id, cosine), exactly."""
        rows, matrix = self.vectors()
        pos, sims = top_k(matrix, vector, k)
        return [(int(r), float(c)) for r, c in zip(rows[pos].tolist(), sims.tolist(), strict=True)]

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(row ids, float32 vectors) of every document, read from the vector file on first use
        (and repaired against the database: see :mod:`retold.vectors`)."""
        with self._lock:
            if not self._vecs.loaded:
                live = np.array([r for rows in self.iter_columns("1") for r, _ in rows], dtype=np.int64)
                self._vecs.load(live, self._fetch_vectors, writable=not self.readonly)
            return self._vecs.matrix()

    def _fetch_vectors(self, rowids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows: list[int] = []
        vecs: list[np.ndarray] = []
        for s in range(0, len(rowids), 500):
            chunk = [int(r) for r in rowids[s : s + 500]]
            q = f"SELECT rowid, vector FROM docs WHERE rowid IN ({','.join('?' * len(chunk))}) ORDER BY rowid"
            for r, v in self.db.execute(q, chunk):
                rows.append(r)
                vecs.append(np.frombuffer(v, dtype=np.float32))
        matrix = np.stack(vecs) if vecs else np.zeros((0, self.params.dims), dtype=np.float32)
        return np.array(rows, dtype=np.int64), matrix

    def count(self) -> int:
        with self._lock:
            return int(self.db.execute("SELECT COUNT(*) FROM docs").fetchone()[0])

    def iter_columns(self, columns: str, batch: int = 20000) -> Iterable[list[tuple[Any, ...]]]:
        """Selected raw columns of every document (with rowid first), in row order, in batches."""
        last = 0
        while True:
            with self._lock:
                rows = self.db.execute(
                    f"SELECT rowid, {columns} FROM docs WHERE rowid > ? ORDER BY rowid LIMIT ?", (last, batch)
                ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield rows

    @property
    def vectors_path(self) -> Path:
        return self.path.with_name(self.path.name + ".vectors")

    def _merged_rows(self) -> int:
        """Rows in the indexed band and passage tables, as a merge threshold: kept in ``meta`` (rows
        deleted since are not subtracted) or, for an index written before it was kept, estimated from
        the number of documents."""
        row = self.db.execute("SELECT value FROM meta WHERE key='merged_rows'").fetchone()
        if row is not None:
            return int(row[0])
        return int(self.db.execute("SELECT COUNT(*) FROM docs").fetchone()[0]) * self.params.bands

    def _merge_bands(self) -> None:
        """Move the staged band rows into the indexed table, in key order (one pass over its pages)."""
        with self._tx():
            moved = self.db.execute(
                "INSERT OR IGNORE INTO bands SELECT key, doc FROM bands_new ORDER BY key, doc"
            ).rowcount
            self.db.execute("DELETE FROM bands_new")
            moved += self.db.execute(
                "INSERT OR IGNORE INTO passages SELECT key, doc FROM passages_new ORDER BY key, doc"
            ).rowcount
            self.db.execute("DELETE FROM passages_new")
            merged = self._merged + max(moved, 0)
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('merged_rows', ?)", (str(merged),))
        self._merged = merged
        self._staged = 0

    def flush(self) -> None:
        """Merge the staged band rows into the indexed tables."""
        if not self.readonly and self._has_stage:
            with self._lock:
                pending = self._staged or self.db.execute("SELECT 1 FROM bands_new LIMIT 1").fetchone()
            if pending:
                self._merge_bands()

    def close(self) -> None:
        try:
            self.flush()
        finally:
            with self._lock:
                self.db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
