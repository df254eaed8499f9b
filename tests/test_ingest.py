"""Tests of retold.ingest: every format round-trips, bad input is named and skipped, reading streams."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import pathlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from retold import ingest
from retold.errors import ConfigError, InputError
from retold.ingest import Document, Skip, count_documents, iter_documents

ARTICLE = "The harbour board approved a budget of £2.4m on Monday.\nWork starts in May."
PAGE = (
    "<!doctype html><html><head><title>Harbour budget</title></head><body>"
    "<article><h1>Harbour budget approved</h1>"
    "<p>The harbour board approved a budget of £2.4m on Monday after a long debate.</p>"
    "<p>Work on the new pier starts in May, the chair said.</p></article></body></html>"
)
EMPTY_PAGE = "<html><head><script>var a = 1;</script></head><body><div> </div><p></p></body></html>"


def _jsonl(path: Path, rows: list[Any]) -> Path:
    """Write rows (objects, or raw lines as str or bytes) one per line."""
    lines = [r if isinstance(r, bytes) else (r if isinstance(r, str) else json.dumps(r)).encode()
             for r in rows]
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def _read(paths: Any, **kw: Any) -> tuple[list[Document], list[Skip]]:
    skips: list[Skip] = []
    docs = list(iter_documents(paths, on_error="skip", on_skip=skips.append, **kw))
    return docs, skips


@dataclass
class _Record:
    kind: str  # "response" or "request"
    uri: str
    status: str = "200 OK"
    content_type: str = "text/html; charset=utf-8"
    payload: bytes = b""


def _warc(path: Path, records: list[_Record], *, gz: bool = False) -> list[int]:
    """Write a WARC with warcio; return each record's byte offset."""
    offsets = []
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=gz)
        for r in records:
            offsets.append(f.tell())
            when = {"WARC-Date": "2024-03-05T10:20:30Z"}
            if r.kind == "request":
                http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.com")], is_http_request=True)
                rec = writer.create_warc_record(r.uri, "request", http_headers=http, warc_headers_dict=when)
            else:
                http = StatusAndHeaders(r.status, [("Content-Type", r.content_type)], protocol="HTTP/1.1")
                rec = writer.create_warc_record(
                    r.uri, "response", payload=io.BytesIO(r.payload), length=len(r.payload),
                    http_headers=http, warc_headers_dict=when,
                )
            writer.write_record(rec)
    return offsets


# -- round trips -----------------------------------------------------------------


def test_directory_ids_are_relative_posix_paths(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "world" / "europe").mkdir(parents=True)
    (root / "b.txt").write_text(ARTICLE, "utf-8")
    (root / "a.md").write_bytes(b"\xef\xbb\xbf# Title\n\n" + ARTICLE.encode())
    (root / "world" / "europe" / "page.html").write_text(PAGE, "utf-8")
    (root / "world" / "c.htm").write_text(ARTICLE, "utf-8")
    (root / "world" / "notes.pdf").write_bytes(b"%PDF-1.4 \x00\x01")  # other extensions: ignored
    (root / ".hidden.txt").write_text(ARTICLE, "utf-8")
    (root / ".git").mkdir()
    (root / ".git" / "x.txt").write_text(ARTICLE, "utf-8")
    _jsonl(root / "world" / "more.jsonl", [{"id": "j1", "text": ARTICLE}])

    docs, skips = _read([root])

    assert skips == []
    assert [d.id for d in docs] == ["a.md", "b.txt", "world/c.htm", "world/europe/page.html", "j1"]
    by_id = {d.id: d for d in docs}
    assert by_id["a.md"].text == "# Title\n\n" + ARTICLE  # BOM dropped, as retold.io reads
    assert by_id["world/europe/page.html"].text == PAGE  # HTML stays HTML
    assert by_id["b.txt"].origin == str(root / "b.txt")
    assert by_id["j1"].origin == f"{root / 'world' / 'more.jsonl'}:1"


def test_single_text_file_id_is_its_name(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(ARTICLE, "utf-8")
    [doc] = iter_documents(str(path))  # one path alone is accepted too
    assert (doc.id, doc.text, doc.origin, doc.url, doc.extra) == ("story.txt", ARTICLE, str(path), None, {})


@pytest.mark.parametrize("gz", [False, True])
def test_jsonl_round_trip(tmp_path: Path, gz: bool) -> None:
    rows = [
        {"id": "a", "text": ARTICLE, "url": "https://example.com/a", "title": "Budget", "date": "2024-03-05",
         "site": "example.com", "section": "local", "tags": ["harbour", "money"], "n": 3},
        "",
        "   ",
        {"id": 7, "text": "Second story.\n", "date": "2024-03-06T14:30:00", "title": None},
    ]
    path = _jsonl(tmp_path / "c.jsonl", rows)
    if gz:
        data = path.read_bytes()
        path.unlink()
        path = tmp_path / "c.jsonl.gz"
        path.write_bytes(gzip.compress(data))

    docs, skips = _read([path])

    assert skips == []
    a, b = docs
    assert a == Document("a", ARTICLE, "https://example.com/a", "Budget", "2024-03-05", "example.com",
                         {"section": "local", "tags": ["harbour", "money"], "n": 3}, f"{path}:1")
    assert (b.id, b.text, b.date, b.title) == ("7", "Second story.\n", "2024-03-06", None)
    assert b.origin == f"{path}:4"
    json.dumps(dict(a.extra))  # passes through as JSON


def test_csv_round_trip_with_multiline_and_large_fields(tmp_path: Path) -> None:
    big = "word " * 40_000  # 200,000 characters: over the csv module's default field limit
    path = _csv(tmp_path / "c.csv", [
        ["id", "text", "url", "title", "date", "site", "lang"],
        ["a", "First line.\nSecond line.", "https://example.com/a", "Budget", "2024-03-05", "", "en"],
        [],
        ["b", big, "", "", "", "example.org", ""],
    ])

    docs, skips = _read([path])

    assert skips == []
    a, b = docs
    assert a == Document("a", "First line.\nSecond line.", "https://example.com/a", "Budget", "2024-03-05",
                         None, {"lang": "en"}, f"{path}:2")
    assert (b.id, b.text, b.url, b.date, b.site, b.extra, b.origin) == (
        "b", big, None, None, "example.org", {"lang": ""}, f"{path}:5")


def test_parquet_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "c.parquet"
    table = pa.table({
        "id": pa.array([1, 2], pa.int64()),
        "text": [ARTICLE, "Second story."],
        "url": ["https://example.com/1", None],
        "date": pa.array([dt.date(2024, 3, 5), None], pa.date32()),
        "views": [10, 20],
        "fetched": pa.array([dt.datetime(2024, 3, 5, 9, 0), None], pa.timestamp("s")),
    })
    pq.write_table(table, path)

    docs, skips = _read([path])

    assert skips == []
    one, two = docs
    assert one == Document("1", ARTICLE, "https://example.com/1", None, "2024-03-05", None,
                           {"views": 10, "fetched": "2024-03-05T09:00:00"}, f"{path}#0")
    assert (two.id, two.url, two.date, two.origin) == ("2", None, None, f"{path}#1")
    assert two.extra == {"views": 20, "fetched": None}
    json.dumps([dict(d.extra) for d in docs])


def test_parquet_is_read_batch_by_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.parquet"
    n = 10
    pq.write_table(pa.table({"id": [f"d{i}" for i in range(n)], "text": [f"Story {i}." for i in range(n)]}),
                   path, row_group_size=3)
    assert pq.ParquetFile(path).num_row_groups == 4
    pulled: list[int] = []
    real = pq.ParquetFile.iter_batches

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        for batch in real(self, *args, **kwargs):
            pulled.append(batch.num_rows)
            yield batch

    def no_whole_file(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the whole file was loaded")

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", spy)
    monkeypatch.setattr(pq.ParquetFile, "read", no_whole_file)
    monkeypatch.setattr(pq, "read_table", no_whole_file)
    monkeypatch.setattr(ingest, "_PARQUET_BATCH_ROWS", 2)

    docs = iter_documents([path])
    assert next(docs).id == "d0"
    assert pulled == [2]  # one small batch in memory, not the file
    rest = list(docs)
    assert [d.id for d in rest] == [f"d{i}" for i in range(1, n)]
    assert [d.origin for d in rest][-1] == f"{path}#9"
    assert pulled == [2, 1, 2, 1, 2, 1, 1]  # row groups of 3 in batches of at most 2


@pytest.mark.parametrize("gz", [False, True])
def test_warc_keeps_only_html_responses_with_status_200(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    latin = PAGE.replace("approved", "approuvé").encode("latin-1", errors="replace")
    offsets = _warc(path, [
        _Record("request", "https://example.com/a"),
        _Record("response", "https://example.com/a", payload=PAGE.encode()),
        _Record("response", "https://example.com/logo.png", content_type="image/png", payload=b"\x89PNG\r\n"),
        _Record("response", "https://example.com/gone", status="404 Not Found", payload=PAGE.encode()),
        _Record("response", "https://example.com/fr", content_type="text/html; charset=ISO-8859-1",
                payload=latin),
    ], gz=gz)

    docs, skips = _read([path])

    assert skips == []
    assert [d.id for d in docs] == ["https://example.com/a", "https://example.com/fr"]
    a, fr = docs
    assert (a.url, a.date, a.text) == ("https://example.com/a", "2024-03-05", PAGE)
    assert a.origin == f"{path}@{offsets[1]}"
    assert "approuvé" in fr.text and fr.origin == f"{path}@{offsets[4]}"


def test_count_documents(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text(ARTICLE, "utf-8")
    (root / "sub" / "b.html").write_text(PAGE, "utf-8")
    (root / "sub" / "skip.pdf").write_bytes(b"%PDF")
    _jsonl(root / "sub" / "c.jsonl", [{"id": str(i), "text": "x"} for i in range(3)])
    csv_path = _csv(tmp_path / "d.csv", [["id", "text"], ["1", "One."], ["2", "Two."]])
    parquet_path = tmp_path / "e.parquet"
    pq.write_table(pa.table({"id": ["1", "2", "3", "4"], "text": ["t"] * 4}), parquet_path, row_group_size=2)
    gz_path = tmp_path / "f.jsonl.gz"
    # no final newline: the last line still counts
    gz_path.write_bytes(gzip.compress(b'{"id": "1", "text": "x"}\n{"id": "2", "text": "y"}'))

    assert count_documents([root]) == 5
    assert count_documents([root, csv_path, parquet_path, gz_path]) == 5 + 2 + 4 + 2
    assert count_documents([tmp_path / "missing.jsonl", csv_path]) == 2
    warc = tmp_path / "g.warc"
    _warc(warc, [_Record("response", "https://example.com/", payload=PAGE.encode())])
    assert count_documents([csv_path, warc]) is None


def test_duplicate_ids_across_files_name_the_first(tmp_path: Path) -> None:
    first = _jsonl(tmp_path / "a.jsonl", [{"id": "x", "text": "One."}, {"id": "y", "text": "Two."}])
    second = _csv(tmp_path / "b.csv", [["id", "text"], ["z", "Three."], ["y", "Again."]])

    docs, skips = _read([first, second])

    assert [d.id for d in docs] == ["x", "y", "z"]
    assert skips == [Skip(f"{second}:3", f"duplicate id 'y' (first seen at {first}:2)")]
    with pytest.raises(InputError, match=r"b\.csv:3: duplicate id 'y' \(first seen at .*a\.jsonl:2\)"):
        list(iter_documents([first, second]))


def test_options_are_checked() -> None:
    with pytest.raises(ConfigError, match="on_error"):
        iter_documents([], on_error="ignore")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="max_bytes"):
        iter_documents([], max_bytes=0)


# -- bad input -------------------------------------------------------------------


@dataclass
class Case:
    paths: list[Path]
    good: list[str]  # ids still yielded in skip mode
    origin: str  # Skip.origin of the bad input
    located: str  # what the InputError message must contain (file and line/row/offset)
    reason: str  # a word of the reason


def _jsonl_case(tmp_path: Path, bad: Any, reason: str) -> Case:
    path = _jsonl(tmp_path / "c.jsonl", [{"id": "g1", "text": ARTICLE}, bad, {"id": "g2", "text": ARTICLE}])
    return Case([path], ["g1", "g2"], f"{path}:2", f"{path}:2:", reason)


def _csv_case(tmp_path: Path, bad_line: str, reason: str) -> Case:
    path = tmp_path / "c.csv"
    path.write_text(f'id,text\ng1,"{ARTICLE}"\n{bad_line}\ng2,Another story.\n', "utf-8")
    return Case([path], ["g1", "g2"], f"{path}:4", f"{path}:4:", reason)  # ARTICLE spans lines 2-3


def _file_case(tmp_path: Path, make: Callable[[Path], Path], reason: str) -> Case:
    """A bad file between two good ones."""
    before = _jsonl(tmp_path / "before.jsonl", [{"id": "g1", "text": ARTICLE}])
    after = tmp_path / "after.txt"
    after.write_text(ARTICLE, "utf-8")
    bad = make(tmp_path)
    return Case([before, bad, after], ["g1", "after.txt"], str(bad), f"{bad}: ", reason)


def _csv_header_case(tmp_path: Path) -> Case:
    def make(tmp: Path) -> Path:
        return _csv(tmp / "h.csv", [["id", "body"], ["a", "x"]])

    case = _file_case(tmp_path, make, "missing column 'text'")
    case.origin += ":1"  # the header line
    case.located = case.located.replace(": ", ":1: ", 1)
    return case


def _truncated_parquet(tmp: Path) -> Path:
    path = tmp / "t.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "text": ["One.", "Two."]}), path)
    path.write_bytes(path.read_bytes()[:-20])
    return path


def _parquet_missing_text(tmp: Path) -> Path:
    path = tmp / "m.parquet"
    pq.write_table(pa.table({"id": ["a"], "body": ["One."]}), path)
    return path


def _parquet_row_case(tmp_path: Path) -> Case:
    path = tmp_path / "r.parquet"
    pq.write_table(pa.table({"id": ["g1", "bad", "g2"], "text": [ARTICLE, None, ARTICLE]}), path)
    return Case([path], ["g1", "g2"], f"{path}#1", f"{path}: row 1:", "missing 'text'")


def _warc_case(tmp_path: Path, *, truncate: bool) -> Case:
    path = tmp_path / "w.warc"
    middle = PAGE.replace("pier", "quay") if truncate else EMPTY_PAGE
    offsets = _warc(path, [
        _Record("response", "https://example.com/good", payload=PAGE.encode()),
        _Record("response", "https://example.com/empty", payload=middle.encode()),
        _Record("response", "https://example.com/last", payload=PAGE.replace("pier", "jetty").encode()),
    ])
    if truncate:  # cut the last record's payload short
        path.write_bytes(path.read_bytes()[:-60])
        return Case([path], ["https://example.com/good", "https://example.com/empty"], f"{path}@{offsets[2]}",
                    f"{path}: record at byte {offsets[2]}:", "truncated")
    return Case([path], ["https://example.com/good", "https://example.com/last"], f"{path}@{offsets[1]}",
                f"{path}: record at byte {offsets[1]}:", "no text")


def _corrupt_warc_case(tmp_path: Path) -> Case:
    def make(tmp: Path) -> Path:
        path = tmp / "bad.warc.gz"
        path.write_bytes(gzip.compress(b"no archive here\r\n\r\nat all\r\n"))
        return path

    case = _file_case(tmp_path, make, "corrupt WARC")
    case.origin += "@0"
    case.located = f"{case.origin[:-2]}: record at byte 0:"
    return case


def _write(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        (tmp / name).write_bytes(data)
        return tmp / name

    return make


CASES: dict[str, Callable[[Path], Case]] = {
    "malformed json": lambda t: _jsonl_case(t, '{"id": "b", "text": "unclosed', "malformed JSON"),
    "line not an object": lambda t: _jsonl_case(t, '["b", "text"]', "not a JSON object"),
    "missing id": lambda t: _jsonl_case(t, {"text": ARTICLE}, "missing 'id'"),
    "empty id": lambda t: _jsonl_case(t, {"id": "  ", "text": ARTICLE}, "empty 'id'"),
    "non-string id": lambda t: _jsonl_case(t, {"id": ["b"], "text": ARTICLE}, "must be a string"),
    "float id": lambda t: _jsonl_case(t, {"id": 1.5, "text": ARTICLE}, "must be a string"),
    "missing text": lambda t: _jsonl_case(t, {"id": "b"}, "missing 'text'"),
    "empty text": lambda t: _jsonl_case(t, {"id": "b", "text": " \n"}, "empty 'text'"),
    "text not a string": lambda t: _jsonl_case(t, {"id": "b", "text": {"p": 1}}, "must be a string"),
    "bad date": lambda t: _jsonl_case(t, {"id": "b", "text": ARTICLE, "date": "2024-02-30"}, "invalid date"),
    "duplicate id": lambda t: _jsonl_case(t, {"id": "g1", "text": ARTICLE}, "duplicate id 'g1'"),
    "html without text": lambda t: _jsonl_case(t, {"id": "b", "text": EMPTY_PAGE}, "no text"),
    "binary text": lambda t: _jsonl_case(t, {"id": "b", "text": "PK\x00\x03\x04"}, "binary"),
    "bad utf-8 line": lambda t: _jsonl_case(t, b'{"id": "b", "text": "caf\xe9"}', "UTF-8"),
    "csv missing text": lambda t: _csv_case(t, "b,", "empty 'text'"),
    "csv wrong field count": lambda t: _csv_case(t, "b,One.,extra", "3 fields"),
    "csv duplicate id": lambda t: _csv_case(t, "g1,Again.", "duplicate id 'g1'"),
    "csv malformed quotes": lambda t: _csv_case(t, 'b,"quoted"then more', "malformed CSV"),
    "csv missing column": _csv_header_case,
    "parquet truncated": lambda t: _file_case(t, _truncated_parquet, "Parquet"),
    "parquet not parquet": lambda t: _file_case(t, _write("x.parquet", b"id,text\n1,hello\n"), "Parquet"),
    "parquet missing column": lambda t: _file_case(t, _parquet_missing_text, "missing column 'text'"),
    "parquet bad row": _parquet_row_case,
    "warc html without text": lambda t: _warc_case(t, truncate=False),
    "warc truncated": lambda t: _warc_case(t, truncate=True),
    "warc corrupt": _corrupt_warc_case,
    "missing path": lambda t: _file_case(t, lambda d: d / "nowhere.jsonl", "no such file"),
    "unknown extension": lambda t: _file_case(t, _write("a.docx", b"PK\x03\x04"), "unknown file type"),
    "binary txt": lambda t: _file_case(t, _write("b.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "binary"),
    "binary jsonl": lambda t: _file_case(t, _write("b.jsonl", gzip.compress(b'{"id": "1"}\n')), "binary"),
    "not gzip": lambda t: _file_case(t, _write("b.jsonl.gz", b'{"id": "1", "text": "x"}\n'), "corrupt"),
    "empty txt": lambda t: _file_case(t, _write("e.txt", b""), "empty"),
    "html file without text": lambda t: _file_case(t, _write("e.html", EMPTY_PAGE.encode()), "no text"),
}


@pytest.mark.parametrize("name", CASES)
def test_bad_input_fails_naming_file_and_place(tmp_path: Path, name: str) -> None:
    case = CASES[name](tmp_path)
    with pytest.raises(InputError) as info:
        list(iter_documents(case.paths))
    message = str(info.value)
    assert case.located in message
    assert case.reason in message
    assert info.value.path is not None and info.value.path in message


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_skipped_and_reading_goes_on(tmp_path: Path, name: str) -> None:
    case = CASES[name](tmp_path)
    docs, skips = _read(case.paths)
    assert [d.id for d in docs] == case.good
    assert len(skips) == 1, skips
    assert skips[0].origin == case.origin
    assert case.reason in skips[0].reason
    assert not skips[0].reason.startswith(str(tmp_path))  # the place is in origin, not repeated


def test_bad_utf8_in_csv_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b"id,text\ng1,Fine.\nb,caf\xe9 au lait\ng2,Also fine.\n")
    docs, skips = _read([path])
    assert [d.id for d in docs] == ["g1", "g2"]
    assert skips == [Skip(f"{path}:3", "not valid UTF-8")]


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = _jsonl(tmp_path / "good.jsonl", [{"id": "g", "text": ARTICLE}])
    locked = _jsonl(tmp_path / "locked.jsonl", [{"id": "x", "text": ARTICLE}])
    real_open = pathlib.Path.open

    def guarded(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == locked:  # chmod 000 does not stop root, so refuse as the OS would
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", guarded)
    docs, skips = _read([locked, good])
    assert [d.id for d in docs] == ["g"]
    assert skips == [Skip(str(locked), "permission denied: cannot read this file")]
    with pytest.raises(InputError, match=r"locked\.jsonl: permission denied"):
        list(iter_documents([locked, good]))


def test_overlong_line_is_skipped(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "c.jsonl", [{"id": "big", "text": "x" * 500}, {"id": "ok", "text": "Short."}])
    docs, skips = _read([path], max_bytes=200)
    assert [d.id for d in docs] == ["ok"]
    assert skips[0].origin == f"{path}:1" and "longer than the limit" in skips[0].reason


def test_undecodable_warc_page_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "w.warc"
    junk = bytes(range(0x80, 0x100)) * 20
    offsets = _warc(path, [
        _Record("response", "https://example.com/junk", content_type="text/html", payload=b"<p>" + junk),
        _Record("response", "https://example.com/ok", payload=PAGE.encode()),
    ])
    docs, skips = _read([path])
    assert [d.id for d in docs] == ["https://example.com/ok"]
    assert skips[0].origin == f"{path}@{offsets[0]}" and "cannot be decoded" in skips[0].reason


def test_warc_record_with_wrong_length_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "w.warc"
    offsets = _warc(path, [
        _Record("response", "https://example.com/short", payload=PAGE.encode()),
        _Record("response", "https://example.com/ok", payload=PAGE.replace("pier", "quay").encode()),
    ])
    data = path.read_bytes()
    length = data[: offsets[1]].split(b"Content-Length: ")[1].split(b"\r\n")[0]
    shorter = str(int(length) - 30).encode()
    path.write_bytes(data.replace(b"Content-Length: " + length, b"Content-Length: " + shorter, 1))
    docs, skips = _read([path])
    assert [d.id for d in docs] == ["https://example.com/ok"]
    assert [s.origin for s in skips] == [f"{path}@0"] and "Content-Length" in skips[0].reason


DATED_PAGE = PAGE.replace(
    "<title>", '<meta property="article:published_time" content="2024-02-01T08:00:00Z"><title>'
)


def test_html_documents_take_the_date_their_page_gives(tmp_path: Path) -> None:
    root = tmp_path / "pages"
    root.mkdir()
    (root / "dated.html").write_text(DATED_PAGE, encoding="utf-8")
    (root / "undated.html").write_text(PAGE, encoding="utf-8")
    (root / "plain.txt").write_text(ARTICLE + "\nPosted 2024-02-01.", encoding="utf-8")
    rows = _jsonl(tmp_path / "rows.jsonl", [
        {"id": "page", "text": DATED_PAGE},
        {"id": "given", "text": DATED_PAGE, "date": "2024-03-09"},  # a date given wins
    ])
    docs, skips = _read([root, rows])
    assert skips == []
    assert {d.id: d.date for d in docs} == {
        "dated.html": "2024-02-01", "plain.txt": None, "undated.html": None,
        "page": "2024-02-01", "given": "2024-03-09",
    }


def test_warc_page_date_comes_before_the_crawl_date(tmp_path: Path) -> None:
    path = tmp_path / "w.warc"
    _warc(path, [
        _Record("response", "https://example.com/dated", payload=DATED_PAGE.encode()),
        _Record("response", "https://example.com/undated", payload=PAGE.replace("pier", "quay").encode()),
    ])
    docs, skips = _read([path])
    assert skips == []
    # The page's own date, else the WARC-Date of its capture.
    assert [(d.id, d.date) for d in docs] == [
        ("https://example.com/dated", "2024-02-01"), ("https://example.com/undated", "2024-03-05"),
    ]
