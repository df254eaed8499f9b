"""Reading corpora: paths -> a stream of :class:`Document` records.

``iter_documents(paths)`` reads every path in turn and yields documents one at
a time; nothing holds the whole corpus in memory (a set of the ids seen so far
is the only state that grows). ``count_documents(paths)`` estimates the total
cheaply, for a progress bar.

Formats, chosen by the path:

* **a directory**: every ``.txt``, ``.md``, ``.html`` and ``.htm`` file under
  it, recursively, in sorted order of their relative paths; the id is the
  path relative to the directory given, with ``/`` separators
  (``politics/2024/budget.txt``). Files under it with one of the corpus
  extensions below are read in their own format (their records keep their own
  ids). Hidden files and directories (name starting with ``.``) and files with
  other extensions are ignored. Symbolic links to directories are not
  followed.
* **one** ``.txt`` / ``.md`` / ``.html`` / ``.htm`` **file**: one document whose
  id is the file name. Text files are read with :func:`retold.io.read_text`
  (UTF-8, a leading BOM dropped; empty, binary and non-UTF-8 files refused).
* ``.jsonl`` / ``.jsonl.gz``: one JSON object per line::

      {"id": "bbc-123", "text": "The council...", "url": "https://...", "title": "...",
       "date": "2024-03-05", "site": "bbc.co.uk", "section": "politics"}

  ``id`` and ``text`` are required; ``url``, ``title``, ``date`` and ``site``
  are optional; any other field passes through in ``Document.extra``. Blank
  lines are ignored.
* ``.csv`` (also ``.csv.gz``): a header row naming at least ``id`` and
  ``text``; columns as in JSONL, other columns go to ``extra`` as strings. An
  empty cell of an optional column means "not given".
* ``.parquet``: columns as in JSONL, read one record batch at a time (never
  the whole file). Other columns go to ``extra``, converted to JSON values
  (dates and times as ISO strings, decimals as strings, bytes as UTF-8 text
  or else base64).
* ``.warc`` / ``.warc.gz``: only ``response`` records with HTTP status 200 and
  an HTML content type (``text/html``, ``application/xhtml+xml``) are
  documents; other records are passed over silently. The id and url are the
  ``WARC-Target-URI``, the date the ``WARC-Date``; the text is the HTML
  decoded with the charset of the HTTP ``Content-Type`` header, else of a
  ``<meta charset>`` in the page, else UTF-8. A page where more than a tenth
  of the characters cannot be decoded is refused.

The text is kept as given (HTML stays HTML: cleaning comes later). A date is
normalised to ``YYYY-MM-DD`` with :func:`retold.io.parse_date`; an ISO
date-time keeps its date part.

Where a document came from, ``Document.origin`` and ``Skip.origin``:
``path`` for a whole file, ``path:LINE`` for JSONL and CSV (1-based physical
line; a CSV record spanning lines is named by its first line), ``path#ROW``
for Parquet (0-based row index in the file) and ``path@OFFSET`` for WARC (byte
offset of the record in the file as stored, the offset ``warcio extract``
takes).

Bad input (a malformed or non-object JSON line, a missing, empty or
non-string id or text, a bad date, a duplicate id, a corrupt or truncated
file, a missing column, binary content, an HTML page with no text, a missing
or unreadable path, an unknown extension) raises an
:class:`~retold.errors.InputError` naming the file and line, row or byte
offset when ``on_error="fail"``; with ``on_error="skip"`` it is reported as a
:class:`Skip` to ``on_skip`` and reading goes on with the next document, or
the next file when the rest of a file cannot be read.
"""

from __future__ import annotations

import base64
import codecs
import csv
import dataclasses
import datetime as dt
import decimal
import gzip
import io
import json
import os
import re
import stat
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, cast

from retold.clean import clean, looks_like_html, page_date
from retold.errors import ConfigError, InputError
from retold.io import DEFAULT_MAX_BYTES, parse_date, read_text

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Document",
    "Skip",
    "Source",
    "count_documents",
    "declared_date",
    "iter_documents",
    "iter_source",
    "list_sources",
]


@dataclass(frozen=True, slots=True)
class Document:
    """One input document, as read from a corpus.

    ``text`` is the document exactly as given (HTML stays HTML). ``date`` is
    ``YYYY-MM-DD`` or None. ``extra`` holds the input's other fields as JSON
    values. ``origin`` says where the document came from, for messages:
    ``path``, ``path:line``, ``path#row`` or ``path@offset``.
    """

    id: str
    text: str
    url: str | None = None
    title: str | None = None
    date: str | None = None
    site: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    origin: str = ""


@dataclass(frozen=True, slots=True)
class Skip:
    """A piece of input that was passed over, and why."""

    origin: str  # path, path:line, path#row or path@offset
    reason: str


# Suffix -> format; longer suffixes first so ".jsonl.gz" wins over ".gz".
_FORMATS: tuple[tuple[str, str], ...] = (
    (".jsonl.gz", "jsonl"),
    (".jsonl", "jsonl"),
    (".csv.gz", "csv"),
    (".csv", "csv"),
    (".parquet", "parquet"),
    (".warc.gz", "warc"),
    (".warc", "warc"),
    (".txt", "text"),
    (".md", "text"),
    (".html", "text"),
    (".htm", "text"),
)
_KNOWN_SUFFIXES = ", ".join(s for s, _ in _FORMATS)
_FIELDS = frozenset({"id", "text", "url", "title", "date", "site"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

_SAMPLE = 8192  # bytes (or characters) looked at to tell text from binary
_MAX_CONTROL_SHARE = 0.10
_MAX_UNDECODABLE_SHARE = 0.10
_PARQUET_BATCH_ROWS = 1024
_POS_SPAN = 1 << 48  # packs (source index, position) into one int per seen id
_SHOW = 80  # longest id shown in a message

_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_SURROGATE = re.compile("[\udc80-\udcff]")  # undecodable bytes under errors="surrogateescape"
_WORD = re.compile(r"[^\W_]")
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE
)
_READ_ERRORS = (OSError, EOFError, zlib.error)  # what a corrupt or truncated (gzip) stream raises


class _Bad(Exception):
    """One record is bad input; ``reason`` says why (the caller knows where)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class _Where:
    """A place in the input: a file, or a line, row or byte offset in it."""

    path: str
    kind: Literal["", "line", "row", "offset"] = ""
    pos: int | None = None

    @property
    def origin(self) -> str:
        if self.pos is None or not self.kind:
            return self.path
        mark = {"line": ":", "row": "#", "offset": "@"}[self.kind]
        return f"{self.path}{mark}{self.pos}"

    def error(self, reason: str) -> InputError:
        """The InputError for bad input here; its message names the file and the line, row or offset."""
        if self.kind == "line":
            return InputError(reason, path=self.path, line=self.pos)
        if self.kind == "row":
            return InputError(f"row {self.pos}: {reason}", path=self.path)
        if self.kind == "offset":
            return InputError(f"record at byte {self.pos}: {reason}", path=self.path)
        return InputError(reason, path=self.path)


def iter_documents(
    paths: Sequence[str | Path] | str | Path,
    *,
    on_error: Literal["skip", "fail"] = "fail",
    on_skip: Callable[[Skip], None] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Document]:
    """Stream the documents of the given corpus paths, in order.

    Args:
        paths: directories and files (see the module docstring for the
            formats); a single path is accepted too.
        on_error: ``"fail"`` raises on the first bad input; ``"skip"`` passes
            over it, tells ``on_skip`` and goes on.
        on_skip: called with a :class:`Skip` for each piece of bad input
            passed over (``on_error="skip"`` only).
        max_bytes: the largest document (file, JSONL line, text value or WARC
            payload) accepted, in bytes.

    Returns:
        A generator of :class:`Document`; files are opened as it is consumed.

    Raises:
        InputError: (while iterating, ``on_error="fail"``) bad input; the
            message names the file and the line, row or byte offset.
        ConfigError: ``on_error`` or ``max_bytes`` is out of range.

    Examples:
        >>> import pathlib, tempfile
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "a.jsonl").write_text('{"id": "a1", "text": "The mayor resigned.", "lang": "en"}\\n')
        >>> [(doc.id, doc.extra, doc.origin.endswith("a.jsonl:1")) for doc in iter_documents([d])]
        [('a1', {'lang': 'en'}, True)]
    """
    if on_error not in ("skip", "fail"):
        raise ConfigError(f"on_error must be 'skip' or 'fail', not {on_error!r}")
    if max_bytes <= 0:
        raise ConfigError(f"max_bytes must be a positive number of bytes, not {max_bytes}")
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    return _Reader(on_error == "fail", on_skip, max_bytes).read(items)


@dataclass(frozen=True, slots=True)
class Source:
    """One input file, as :func:`list_sources` finds it: what a distributed engine hands a task."""

    path: str  # the file to open
    name: str  # how messages name it
    fmt: str  # text, jsonl, csv, parquet or warc
    text_id: str  # the id of the document when the file is a single text document


def list_sources(
    paths: Sequence[str | Path] | str | Path,
    *,
    on_error: Literal["skip", "fail"] = "fail",
    on_skip: Callable[[Skip], None] | None = None,
) -> list[Source]:
    """The input files behind ``paths``, in the order :func:`iter_documents` reads them.

    Directories are expanded as :func:`iter_documents` does (ids relative to
    the directory given); a missing path or an unknown file type is bad input.
    """
    reader = _Reader(on_error == "fail", on_skip, DEFAULT_MAX_BYTES)
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    out: list[Source] = []
    for item in items:
        path, name = Path(item), str(item)
        if path.is_dir():
            files, errors = _walk(path)
            for e in errors:
                where = _Where(e.filename if isinstance(e.filename, str) else name)
                reader.report(where, f"cannot list this directory: {e.strerror or e}")
            for rel, f in files:
                fmt = _format_of(f.name)
                assert fmt is not None
                out.append(Source(str(f), str(Path(name) / rel), fmt, rel))
        elif not path.exists():
            reader.report(_Where(name), "no such file or directory")
        else:
            fmt = _format_of(path.name)
            if fmt is None:
                msg = f"unknown file type; give a directory or a file ending in {_KNOWN_SUFFIXES}"
                reader.report(_Where(name), msg)
                continue
            out.append(Source(str(path), name, fmt, path.name))
    return out


def iter_source(
    source: Source,
    *,
    on_error: Literal["skip", "fail"] = "fail",
    on_skip: Callable[[Skip], None] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Document]:
    """The documents of one input file (duplicate ids are checked within the file only)."""
    reader = _Reader(on_error == "fail", on_skip, max_bytes)
    return reader.read_file(Path(source.path), source.name, source.fmt, source.text_id)


def count_documents(paths: Sequence[str | Path] | str | Path) -> int | None:
    """Estimate how many documents ``iter_documents(paths)`` will yield, cheaply.

    Counts text files in directories, lines in JSONL and CSV files (less the
    CSV header; blank lines and skipped records are counted too) and rows in
    Parquet metadata. Paths that cannot be read count as 0: this never raises
    for bad input.

    Returns:
        The estimate, or None when a WARC file is among the inputs (counting
        its records would mean reading it all).

    Examples:
        >>> import pathlib, tempfile
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "c.csv").write_text("id,text\\n1,One.\\n2,Two.\\n")
        >>> count_documents([d / "c.csv"])
        2
    """
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    total = 0
    for item in items:
        path = Path(item)
        if path.is_dir():
            files, _ = _walk(path)
            counts = [_count_file(p, _format_of(p.name)) for _, p in files]
        else:
            counts = [_count_file(path, _format_of(path.name))]
        for n in counts:
            if n is None:
                return None
            total += n
    return total


class _Reader:
    """The state of one iter_documents call: error policy and the ids seen so far."""

    def __init__(self, fail: bool, on_skip: Callable[[Skip], None] | None, max_bytes: int) -> None:
        self.fail = fail
        self.on_skip = on_skip
        self.max_bytes = max_bytes
        self.sources: list[tuple[str, Literal["", "line", "row", "offset"]]] = []
        self.seen: dict[str, int] = {}  # id -> source index * _POS_SPAN + position + 1

    # -- reporting ---------------------------------------------------------

    def report(self, where: _Where, reason: str) -> None:
        """Raise bad input (fail mode) or hand it to on_skip."""
        if self.fail:
            raise where.error(reason) from None
        if self.on_skip is not None:
            self.on_skip(Skip(where.origin, reason))

    def report_input_error(self, e: InputError, name: str) -> None:
        """Pass on an InputError from retold.io (which already names the file)."""
        if self.fail:
            raise e
        prefix = f"{e.path}:{e.line}: " if e.line is not None else f"{e.path}: "
        message = str(e)
        reason = message[len(prefix) :] if message.startswith(prefix) else message
        where = _Where(name, "line", e.line) if e.line is not None else _Where(name)
        if self.on_skip is not None:
            self.on_skip(Skip(where.origin, reason))

    def source(self, name: str, kind: Literal["", "line", "row", "offset"]) -> int:
        """Register a file (for 'first seen at' messages); return its index."""
        self.sources.append((name, kind))
        return len(self.sources) - 1

    def accept(self, doc: Document, src: int, pos: int | None, where: _Where) -> bool:
        """Check a built document for a duplicate id and for HTML without text; report if bad."""
        first = self.seen.get(doc.id)
        if first is not None:
            index, rest = divmod(first, _POS_SPAN)
            name, kind = self.sources[index]
            seen_at = _Where(name, kind, rest - 1 if rest else None).origin
            self.report(where, f"duplicate id {_show(doc.id)} (first seen at {seen_at})")
            return False
        reason = _html_without_text(doc.text)
        if reason:
            self.report(where, reason)
            return False
        self.seen[doc.id] = src * _POS_SPAN + (pos + 1 if pos is not None else 0)
        return True

    # -- dispatch ----------------------------------------------------------

    def read(self, items: list[str | Path]) -> Iterator[Document]:
        """Yield the documents of every path in turn."""
        for item in items:
            yield from self.read_path(Path(item), str(item))

    def read_path(self, path: Path, name: str) -> Iterator[Document]:
        """One path given by the user: a directory or a file of a known format."""
        try:
            st = path.stat()
        except FileNotFoundError:
            self.report(_Where(name), "no such file or directory")
            return
        except PermissionError:
            self.report(_Where(name), "permission denied: cannot look up this path")
            return
        except OSError as e:
            self.report(_Where(name), f"cannot look up this path: {e.strerror or e}")
            return
        if stat.S_ISDIR(st.st_mode):
            yield from self.read_directory(path, name)
            return
        fmt = _format_of(path.name)
        if fmt is None:
            self.report(
                _Where(name),
                f"unknown file type; give a directory or a file ending in {_KNOWN_SUFFIXES}",
            )
            return
        yield from self.read_file(path, name, fmt, path.name)

    def read_directory(self, root: Path, name: str) -> Iterator[Document]:
        """Every known file under a directory, sorted by relative path."""
        files, errors = _walk(root)
        for e in errors:
            where = _Where(e.filename if isinstance(e.filename, str) else name)
            self.report(where, f"cannot list this directory: {e.strerror or e}")
        for rel, path in files:
            fmt = _format_of(path.name)
            assert fmt is not None  # _walk keeps only known formats
            yield from self.read_file(path, str(Path(name) / rel), fmt, rel)

    def read_file(self, path: Path, name: str, fmt: str, text_id: str) -> Iterator[Document]:
        """A file in its format; ``text_id`` is the id a text file gets."""
        if fmt == "text":
            yield from self.read_text_file(path, name, text_id)
        elif fmt == "jsonl":
            yield from self.read_jsonl(path, name)
        elif fmt == "csv":
            yield from self.read_csv(path, name)
        elif fmt == "parquet":
            yield from self.read_parquet(path, name)
        else:
            yield from self.read_warc(path, name)

    # -- formats -----------------------------------------------------------

    def read_text_file(self, path: Path, name: str, doc_id: str) -> Iterator[Document]:
        """A .txt / .md / .html / .htm file: one document."""
        try:
            text = read_text(path, max_bytes=self.max_bytes)
        except InputError as e:
            self.report_input_error(e, name)
            return
        doc = Document(id=doc_id, text=text, date=declared_date(text), origin=name)
        if self.accept(doc, self.source(name, ""), None, _Where(name)):
            yield doc

    def read_jsonl(self, path: Path, name: str) -> Iterator[Document]:
        """A JSONL file (gzip-compressed when it ends in .gz), one object per line."""
        f = self.open_sniffed(path, name)
        if f is None:
            return
        src = self.source(name, "line")
        with f:
            lineno = 0
            while True:
                try:
                    raw, complete = _read_line(f, self.max_bytes)
                except _READ_ERRORS as e:
                    self.report(_Where(name, "line", lineno + 1), _corrupt(e))
                    return
                if not raw:
                    break
                lineno += 1
                where = _Where(name, "line", lineno)
                if not complete:
                    self.report(where, f"line is longer than the limit of {self.max_bytes:,} bytes")
                    continue
                if not raw.strip():
                    continue
                try:
                    doc = _document(_json_object(raw, lineno == 1), where.origin, self.max_bytes)
                except _Bad as b:
                    self.report(where, b.reason)
                    continue
                if self.accept(doc, src, lineno, where):
                    yield doc

    def read_csv(self, path: Path, name: str) -> Iterator[Document]:
        """A CSV file with a header row naming at least id and text."""
        f = self.open_sniffed(path, name)
        if f is None:
            return
        src = self.source(name, "line")
        csv.field_size_limit(max(csv.field_size_limit(), min(self.max_bytes, 2**31 - 1)))
        with io.TextIOWrapper(f, encoding="utf-8-sig", errors="surrogateescape", newline="") as text:
            reader = csv.reader(text, strict=True)
            header: list[str] | None = None
            while True:
                start = reader.line_num + 1
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as e:
                    self.report(_Where(name, "line", start), f"malformed CSV: {e}")
                    continue
                except _READ_ERRORS as e:
                    self.report(_Where(name, "line", start), _corrupt(e))
                    return
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                where = _Where(name, "line", start)
                if header is None:
                    header = [h.strip() for h in row]
                    problem = _header_problem(header)
                    if problem:
                        self.report(where, problem)
                        return
                    continue
                if len(row) != len(header):
                    self.report(where, f"the row has {len(row)} fields but the header has {len(header)}")
                    continue
                if any(_SURROGATE.search(v) for v in row):
                    self.report(where, "not valid UTF-8")
                    continue
                record = dict(zip(header, row, strict=True))
                try:
                    doc = _document(record, where.origin, self.max_bytes)
                except _Bad as b:
                    self.report(where, b.reason)
                    continue
                if self.accept(doc, src, start, where):
                    yield doc

    def read_parquet(self, path: Path, name: str) -> Iterator[Document]:
        """A Parquet file, one record batch at a time, row group by row group."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        f = self.open_binary(path, name, gz=False)
        if f is None:
            return
        with f:
            try:
                pf = pq.ParquetFile(f)
                columns = list(pf.schema_arrow.names)
                sizes = [pf.metadata.row_group(i).num_rows for i in range(pf.num_row_groups)]
            except (pa.ArrowException, OSError, ValueError) as e:
                self.report(_Where(name), f"not a readable Parquet file (corrupt or truncated?): {e}")
                return
            missing = [c for c in ("id", "text") if c not in columns]
            if missing:
                self.report(_Where(name), _missing_columns(missing, columns))
                return
            src = self.source(name, "row")
            row = 0
            for group, size in enumerate(sizes):
                end = row + size
                batches = pf.iter_batches(batch_size=_PARQUET_BATCH_ROWS, row_groups=[group])
                while True:
                    try:
                        batch = next(batches, None)
                        if batch is None:
                            break
                        names = batch.schema.names
                        values = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
                    except (pa.ArrowException, OSError, ValueError) as e:
                        self.report(
                            _Where(name, "row", row),
                            f"cannot read rows {row} to {end - 1} (row group {group}); "
                            f"the file is corrupt: {e}",
                        )
                        row = end
                        break
                    for k in range(batch.num_rows):
                        where = _Where(name, "row", row)
                        record = {c: v[k] for c, v in zip(names, values, strict=True)}
                        row += 1
                        try:
                            doc = _document(record, where.origin, self.max_bytes)
                        except _Bad as b:
                            self.report(where, b.reason)
                            continue
                        if self.accept(doc, src, where.pos, where):
                            yield doc

    def read_warc(self, path: Path, name: str) -> Iterator[Document]:
        """A WARC file (plain or gzip per record): HTML responses with status 200."""
        from warcio.archiveiterator import ArchiveIterator

        f = self.open_binary(path, name, gz=False)
        if f is None:
            return
        src = self.source(name, "offset")
        with f:
            size = os.fstat(f.fileno()).st_size
            archive = ArchiveIterator(f)
            records = iter(archive)
            start = 0  # where the next record begins
            while True:
                try:
                    record = next(records, None)
                    if record is None:
                        break
                    errors = archive.err_count
                    try:
                        doc, bad = self.warc_document(record), None
                    except _Bad as b:
                        doc, bad = None, b.reason
                    # warcio finds a record's offset by reading the record to its end
                    where = _Where(name, "offset", int(archive.get_record_offset()))
                    start = int(archive.offset)
                    if archive.err_count > errors and (doc is not None or bad is not None):
                        bad = "the record does not end where its Content-Length says; the file is corrupt"
                except Exception as e:  # warcio raises many types on corrupt input
                    self.report(_Where(name, "offset", start), f"corrupt WARC: {type(e).__name__}: {e}")
                    return
                if bad is not None:
                    self.report(where, bad)
                    continue
                if doc is None:
                    continue
                doc = dataclasses.replace(doc, origin=where.origin)
                if self.accept(doc, src, where.pos, where):
                    yield doc
            end = int(getattr(archive, "offset", size) or 0)
            if end < size:
                self.report(
                    _Where(name, "offset", end),
                    "the file is truncated or corrupt here: an incomplete record follows",
                )

    def warc_document(self, record: Any) -> Document | None:
        """The document of a WARC record (origin not yet set), or None when it is not an HTML page."""
        if record.rec_type != "response" or record.http_headers is None:
            return None
        if str(record.http_headers.get_statuscode()) != "200":
            return None
        mime, charset = _content_type(str(record.http_headers.get_header("Content-Type") or ""))
        if mime not in _HTML_TYPES:
            return None
        url = str(record.rec_headers.get_header("WARC-Target-URI") or "").strip()
        if url.startswith("<") and url.endswith(">"):
            url = url[1:-1]
        if not url:
            raise _Bad("response record has no WARC-Target-URI")
        try:
            data: bytes = record.content_stream().read(self.max_bytes + 1)
        except Exception as e:  # chunked or gzip transfer decoding of a damaged payload
            raise _Bad(f"cannot decode the HTTP payload: {type(e).__name__}: {e}") from None
        if len(data) > self.max_bytes:
            raise _Bad(f"the page is larger than the limit of {self.max_bytes:,} bytes")
        raw = record.raw_stream
        while raw.read(65536):
            pass
        if getattr(raw, "limit", 0):
            raise _Bad("record is truncated: the file ends before the end of the record")
        text = _decode_page(data, charset)
        # The date the page gives itself, else the date it was crawled.
        date = declared_date(text) or _date(record.rec_headers.get_header("WARC-Date"))
        return Document(id=url, text=text, url=url, date=date)

    # -- opening -----------------------------------------------------------

    def open_binary(self, path: Path, name: str, *, gz: bool) -> IO[bytes] | None:
        """Open a file for reading bytes (decompressing gzip); report and return None on failure."""
        try:
            return cast(IO[bytes], gzip.open(path, "rb")) if gz else path.open("rb")
        except PermissionError:
            self.report(_Where(name), "permission denied: cannot read this file")
        except IsADirectoryError:
            self.report(_Where(name), "is a directory, not a file")
        except FileNotFoundError:
            self.report(_Where(name), "no such file")
        except OSError as e:
            self.report(_Where(name), f"cannot read this file: {e.strerror or e}")
        return None

    def open_sniffed(self, path: Path, name: str) -> IO[bytes] | None:
        """Open a line-based file and refuse it when its first bytes are not text."""
        f = self.open_binary(path, name, gz=path.name.lower().endswith(".gz"))
        if f is None:
            return None
        try:
            sample = f.read(_SAMPLE)
            f.seek(0)
        except _READ_ERRORS as e:
            f.close()
            self.report(_Where(name), _corrupt(e))
            return None
        reason = _binary_reason(sample)
        if reason:
            f.close()
            self.report(_Where(name), reason)
            return None
        return f


# -- records ---------------------------------------------------------------


def _document(record: Mapping[str, Any], origin: str, max_bytes: int) -> Document:
    """Build a Document from a JSONL/CSV/Parquet record; raise _Bad when it cannot be one."""
    doc_id = _id(record.get("id"))
    text = _text(record.get("text"), max_bytes)
    return Document(
        id=doc_id,
        text=text,
        url=_optional_str(record, "url"),
        title=_optional_str(record, "title"),
        date=_date(record.get("date")) or declared_date(text),
        site=_optional_str(record, "site"),
        extra={k: _jsonable(v) for k, v in record.items() if k not in _FIELDS},
        origin=origin,
    )


def _json_object(raw: bytes, first: bool) -> dict[str, Any]:
    """Parse one JSONL line into an object."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        bad = f"0x{raw[e.start]:02x}"
        raise _Bad(f"not valid UTF-8: bad byte {bad} at byte {e.start + 1} of the line") from None
    if first and line.startswith("\ufeff"):
        line = line[1:]
    try:
        value = json.loads(line)
    except json.JSONDecodeError as e:
        raise _Bad(f"malformed JSON: {e.msg} at column {e.colno}") from None
    except (ValueError, RecursionError) as e:
        raise _Bad(f"malformed JSON: {e}") from None
    if not isinstance(value, dict):
        raise _Bad(f"the line is {_kind(value)}, not a JSON object with 'id' and 'text'")
    return value


def _id(value: Any) -> str:
    """A document id: a non-empty string (an integer is converted)."""
    if value is None:
        raise _Bad("missing 'id'")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _Bad(f"'id' must be a string, not {_kind(value)}")
    doc_id = str(value)
    if not doc_id.strip():
        raise _Bad("empty 'id'")
    return doc_id


def _text(value: Any, max_bytes: int) -> str:
    """A document text: a string with something in it, not binary, within the size limit."""
    if value is None:
        raise _Bad("missing 'text'")
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            raise _Bad("'text' is not valid UTF-8") from None
    if not isinstance(value, str):
        raise _Bad(f"'text' must be a string, not {_kind(value)}")
    if not value.strip():
        raise _Bad("empty 'text'")
    if len(value) > max_bytes // 4 and len(value.encode("utf-8", "surrogatepass")) > max_bytes:
        raise _Bad(f"'text' is larger than the limit of {max_bytes:,} bytes")
    reason = _binary_text(value)
    if reason:
        raise _Bad(reason)
    return value


def _optional_str(record: Mapping[str, Any], key: str) -> str | None:
    """An optional string field; absent, null or blank is None."""
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Bad(f"'{key}' must be a string, not {_kind(value)}")
    return value if value.strip() else None


def declared_date(text: str) -> str | None:
    """The publication date an HTML page gives itself (:func:`retold.clean.page_date`), as YYYY-MM-DD."""
    found = page_date(text)
    return found.isoformat() if found else None


def _date(value: Any) -> str | None:
    """A date normalised to YYYY-MM-DD; absent, null or blank is None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise _Bad(f"'date' must be a string, not {_kind(value)}")
    if not value.strip():
        return None
    try:
        return parse_date(value).isoformat()
    except ConfigError as e:
        raise _Bad(str(e)) from None


def _jsonable(value: Any) -> Any:
    """A value as JSON would hold it (for Parquet columns passed through)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(value).decode("ascii")
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


def _kind(value: Any) -> str:
    """What a value is, in JSON's words, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _show(doc_id: str) -> str:
    """An id quoted for a message, shortened when long."""
    return repr(doc_id if len(doc_id) <= _SHOW else doc_id[: _SHOW - 1] + "…")


def _header_problem(header: list[str]) -> str | None:
    """Why a CSV header cannot be used, or None."""
    if any(_SURROGATE.search(h) for h in header):
        return "the header row is not valid UTF-8"
    missing = [c for c in ("id", "text") if c not in header]
    if missing:
        return _missing_columns(missing, header)
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        return f"the header names column(s) more than once: {', '.join(map(repr, dupes))}"
    return None


def _missing_columns(missing: list[str], present: list[str]) -> str:
    """The message for required columns that are absent."""
    names = " and ".join(repr(c) for c in missing)
    shown = ", ".join(present[:20]) + (", …" if len(present) > 20 else "")
    return f"missing column {names} (columns: {shown or 'none'}); the id and text columns are required"


# -- content checks --------------------------------------------------------


def _binary_reason(sample: bytes) -> str | None:
    """Why the first bytes of a file say it is not UTF-8 text, or None."""
    if not sample:
        return None
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "file is encoded as UTF-16; retold reads UTF-8 (convert it, e.g. iconv -f UTF-16 -t UTF-8)"
    if b"\x00" in sample:
        return "looks like a binary file (it contains NUL bytes), not text"
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > _MAX_CONTROL_SHARE * len(sample):
        return "looks like a binary file (many control characters), not text"
    bad = sample.decode("utf-8", errors="replace").count("\ufffd")
    if bad > _MAX_UNDECODABLE_SHARE * len(sample):
        return "looks like a binary file (most of it is not UTF-8), not text"
    return None


def _binary_text(text: str) -> str | None:
    """Why a text value looks like binary data, or None."""
    if "\x00" in text:
        return "the text looks like binary data (it contains NUL characters)"
    sample = text[:_SAMPLE]
    # Control characters are ASCII, and UTF-8 writes no other character with an ASCII byte: the
    # count of control bytes in the encoded sample is the count of control characters (≈ 8x faster
    # than a regex over the sample).
    encoded = sample.encode("utf-8", "surrogatepass")
    controls = len(encoded) - len(encoded.translate(None, _CONTROL_BYTES))
    if controls > _MAX_CONTROL_SHARE * len(sample):
        return "the text looks like binary data (many control characters)"
    return None


def _html_without_text(text: str) -> str | None:
    """Why an HTML document has no usable text, or None (also None for non-HTML)."""
    if not looks_like_html(text):
        return None
    try:
        body = clean(text).body
    except Exception as e:  # a page the HTML cleaner cannot handle is bad input, not a crash
        return f"cannot extract text from this HTML: {type(e).__name__}: {e}"
    if not _WORD.search(body):
        return "HTML page with no text: nothing but markup, scripts or white space"
    return None


def _content_type(header: str) -> tuple[str, str | None]:
    """The MIME type (lower case) and charset parameter of a Content-Type header."""
    parts = header.split(";")
    mime = parts[0].strip().lower()
    charset = None
    for part in parts[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return mime, charset


def _known_codec(name: str | None) -> str | None:
    """The codec name when Python knows it, else None."""
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _decode_page(data: bytes, charset: str | None) -> str:
    """Decode a web page: header charset, else <meta charset>, else UTF-8; refuse undecodable pages."""
    if not data.strip():
        raise _Bad("empty page")
    encoding = _known_codec(charset)
    if encoding is None:
        m = _META_CHARSET.search(data[:4096])
        encoding = _known_codec(m.group(1).decode("ascii") if m else None) or "utf-8"
    text = data.decode(encoding, errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    if text.count("\ufffd") > _MAX_UNDECODABLE_SHARE * len(text):
        raise _Bad(f"the page cannot be decoded as {encoding}: too many undecodable bytes")
    reason = _binary_text(text)
    if reason:
        raise _Bad(reason)
    return text


# -- files -----------------------------------------------------------------


def _format_of(name: str) -> str | None:
    """The format of a file from its name, or None."""
    lower = name.lower()
    for suffix, fmt in _FORMATS:
        if lower.endswith(suffix):
            return fmt
    return None


def _walk(root: Path) -> tuple[list[tuple[str, Path]], list[OSError]]:
    """Known files under ``root`` as (POSIX relative path, path), sorted; and listing errors."""
    found: list[tuple[str, Path]] = []
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        base = Path(dirpath)
        for fname in filenames:
            if fname.startswith(".") or _format_of(fname) is None:
                continue
            path = base / fname
            found.append((path.relative_to(root).as_posix(), path))
    found.sort(key=lambda item: item[0])
    return found, errors


def _read_line(f: IO[bytes], max_bytes: int) -> tuple[bytes, bool]:
    """Read one line of at most ``max_bytes``; (line, False) when it was longer (rest skipped)."""
    raw = f.readline(max_bytes + 1)
    if len(raw) <= max_bytes or raw.endswith(b"\n"):
        return raw, True
    chunk = raw
    while chunk and not chunk.endswith(b"\n"):
        chunk = f.readline(1 << 20)
    return raw, False


def _corrupt(e: BaseException) -> str:
    """The message for a file that stops being readable part way."""
    if isinstance(e, PermissionError):
        return "permission denied: cannot read this file"
    detail = str(e) or type(e).__name__
    return f"cannot read on from here; the file is corrupt or truncated ({detail})"


def _count_file(path: Path, fmt: str | None) -> int | None:
    """Cheap document count of one file (0 when unreadable, None for WARC)."""
    if fmt == "warc":
        return None
    if fmt == "text":
        return 1
    try:
        if fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            try:
                return int(pq.ParquetFile(path).metadata.num_rows)
            except pa.ArrowException:
                return 0
        if fmt in ("jsonl", "csv"):
            n = _count_lines(path)
            return max(0, n - 1) if fmt == "csv" else n
    except (*_READ_ERRORS, ValueError):
        return 0
    return 0


def _count_lines(path: Path) -> int:
    """Number of lines in a (possibly gzip-compressed) file, a final unterminated line included."""
    n = 0
    last = b"\n"
    with gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb") as f:
        while chunk := f.read(1 << 20):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    return n + (last != b"\n")
