"""Tests of ``retold serve``: the real server (uvicorn, started by the CLI in a
subprocess on a free loopback port) spoken to over HTTP with httpx.

The index is built from generated articles plus the demo harbour pair.
``ServerProcess`` and ``build_index`` are reused by ``test_browser.py``.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from made_up import article
from retold.cli import main
from retold.indexer import index_paths
from retold.store import SQLiteStore

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo"
TOKEN = "test-token-5f2c"
MAX_BODY = 200_000
JSON_KEYS = {"relation", "scores", "direction", "boilerplate", "alignment", "changes"}
XSS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    '<a href="javascript:window.__xss=1">click here</a>',
]

def make_article(rng: random.Random, paragraphs: int = 4) -> str:
    """A made-up article (see tests/made_up.py)."""
    return article(rng, paragraphs)


def build_index(path: Path, articles: dict[str, str]) -> Path:
    """An index at ``path`` of ``articles`` (id -> text) and the two harbour demo texts."""
    corpus = path.parent / (path.stem + "-corpus")
    (corpus / "demo").mkdir(parents=True)
    jsonl = corpus / "generated.jsonl"
    jsonl.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in articles.items()), "utf-8")
    for name in ("harbour-original.txt", "harbour-rewrite.txt"):
        shutil.copy(DEMO / name, corpus / "demo" / name)
    store = SQLiteStore(path)
    try:
        index_paths([jsonl, corpus / "demo"], store)
    finally:
        store.close()
    return path


class ServerProcess:
    """``retold serve`` in a subprocess on a free loopback port (``--port 0``)."""

    def __init__(self, db: Path, *, token: str | None, max_body: int = MAX_BODY) -> None:
        env = {k: v for k, v in os.environ.items() if k != "RETOLD_TOKEN"}
        cmd = [
            sys.executable,
            "-m",
            "retold",
            "serve",
            "--db",
            str(db),
            "--port",
            "0",
            "--max-body",
            str(max_body),
        ]
        if token is not None:
            cmd += ["--token", token]
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        self.lines: list[str] = []
        found = threading.Event()
        self.url = ""

        def pump() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                self.lines.append(line)
                m = re.search(r"listening on (http://\S+)", line)
                if m and not found.is_set():
                    self.url = m.group(1)
                    found.set()

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + 90
        while not found.wait(0.1):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("retold serve did not start:\n" + "".join(self.lines))
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/health", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("retold serve never answered /health:\n" + "".join(self.lines))

    def client(self, **kw: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=kw.pop("timeout", 180), **kw)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture(scope="module")
def articles() -> dict[str, str]:
    rng = random.Random(11)
    return {f"news/{i:03d}.txt": make_article(rng) for i in range(24)}


@pytest.fixture(scope="module")
def index_db(tmp_path_factory: pytest.TempPathFactory, articles: dict[str, str]) -> Path:
    return build_index(tmp_path_factory.mktemp("serve") / "index.db", articles)


@pytest.fixture(scope="module")
def server(index_db: Path) -> Iterator[ServerProcess]:
    srv = ServerProcess(index_db, token=TOKEN)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture()
def http(server: ServerProcess) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _error(resp: httpx.Response, status: int) -> str:
    """Check an error response: the status, a JSON body {"error": message}; return the message."""
    assert resp.status_code == status, (resp.status_code, resp.text)
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"error"} and isinstance(body["error"], str) and body["error"], body
    return str(body["error"])


def _security_headers(resp: httpx.Response) -> None:
    csp = resp.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["referrer-policy"] == "no-referrer"


# -- service endpoints ---------------------------------------------------------------------------


def test_health_openapi_and_security_headers(http: httpx.Client, articles: dict[str, str]) -> None:
    r = http.get("/health")
    assert r.status_code == 200
    assert r.json() == {
        "status": "ok",
        "version": r.json()["version"],
        "documents": len(articles) + 2,
        "writes": "enabled",
    }
    _security_headers(r)
    assert r.headers["x-frame-options"] == "DENY"
    spec = http.get("/openapi.json").json()
    for path in ("/api/compare", "/api/search", "/api/documents", "/api/documents/{doc_id}", "/health"):
        assert path in spec["paths"], path
    assert "HTTPBearer" in spec["components"]["securitySchemes"]


def test_compare_texts_and_indexed_ids(http: httpx.Client) -> None:
    src = (DEMO / "harbour-original.txt").read_text("utf-8")
    cpy = (DEMO / "harbour-rewrite.txt").read_text("utf-8")
    r = http.post("/api/compare", json={"source": src, "copy": cpy, "source_date": "2024-03-05"})
    assert r.status_code == 200, r.text
    data = r.json()
    assert set(data) == JSON_KEYS
    assert data["relation"] == "paraphrase"
    assert data["direction"]["source"] == "source"
    assert any(c["type"] == "number" and c["copy"] and "121" in c["copy"]["text"] for c in data["changes"])
    by_id = http.post(
        "/api/compare", json={"source_id": "harbour-original.txt", "copy_id": "harbour-rewrite.txt"}
    )
    assert by_id.status_code == 200
    assert by_id.json()["changes"] == data["changes"]
    mixed = http.post("/api/compare", json={"source_id": "harbour-original.txt", "copy": cpy})
    assert mixed.json()["relation"] == "paraphrase"


def test_compare_errors(http: httpx.Client) -> None:
    assert "no indexed document" in _error(
        http.post("/api/compare", json={"source_id": "nope", "copy": "x"}), 404
    )
    assert "exactly one" in _error(
        http.post("/api/compare", json={"source": "a", "source_id": "b", "copy": "c"}), 422
    )
    assert "copy" in _error(http.post("/api/compare", json={"source": "Some text here."}), 422)
    assert "empty" in _error(http.post("/api/compare", json={"source": "   ", "copy": "A sentence."}), 400)
    assert "date" in _error(
        http.post("/api/compare", json={"source": "a", "copy": "b", "copy_date": "5 May"}), 422
    )
    assert "unknown" not in _error(
        http.post("/api/compare", json={"source": "a", "copy": "b", "colour": 1}), 422
    )
    assert "JSON" in _error(
        http.post("/api/compare", content=b"{not json", headers={"content-type": "application/json"}), 400
    )


def test_search(http: httpx.Client, articles: dict[str, str]) -> None:
    query = articles["news/005.txt"]
    r = http.post("/api/search", json={"text": query})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["query"] == "<query>"
    assert data["hits"][0]["id"] == "news/005.txt" and data["hits"][0]["relation"] == "identical"
    assert {"id", "relation", "score", "direction", "scores"} <= set(data["hits"][0])
    rewrite = (DEMO / "harbour-rewrite.txt").read_text("utf-8")
    hits = http.post("/api/search", json={"text": rewrite, "top": 2}).json()["hits"]
    assert [h["id"] for h in hits] == ["harbour-rewrite.txt", "harbour-original.txt"]
    assert hits[1]["direction"]["source"] == "hit"
    assert len(http.post("/api/search", json={"text": rewrite, "top": 1}).json()["hits"]) == 1
    _error(http.post("/api/search", json={"text": rewrite, "top": 0}), 422)
    _error(http.post("/api/search", json={"text": rewrite, "top": 10_000}), 422)
    _error(http.post("/api/search", json={"top": 3}), 422)
    _error(http.post("/api/search", json=["not", "an", "object"]), 422)
    assert "no text" in _error(http.post("/api/search", json={"text": "!!! ..."}), 400)


def test_documents_add_get_conflict_delete(http: httpx.Client) -> None:
    doc = {
        "id": "sport/2024/derby 1.txt",
        "text": "Harwick won the derby 3-1 on Saturday. The coach praised the defence.",
        "url": "https://example.org/derby",
        "title": "Derby day",
        "date": "2024-05-04",
        "site": "example.org",
    }
    r = http.post("/api/documents", json=doc, headers=AUTH)
    assert r.status_code == 201, r.text
    assert r.json()["added"] == [doc["id"]]
    count = r.json()["documents"]
    # The same id and text again: a no-op.
    again = http.post("/api/documents", json=doc, headers=AUTH)
    assert again.status_code == 200 and again.json() == {
        "added": [],
        "unchanged": [doc["id"]],
        "documents": count,
    }
    # The same id with another text: a conflict, and nothing else in the request is added.
    clash = [
        {"id": "sport/other.txt", "text": "Delmont drew 0-0."},
        {**doc, "text": "Something else entirely."},
    ]
    assert "different text" in _error(http.post("/api/documents", json=clash, headers=AUTH), 409)
    _error(http.get("/api/documents/sport/other.txt"), 404)
    # An id with slashes (and a space) is one path parameter.
    got = http.get("/api/documents/sport/2024/derby%201.txt")
    assert got.status_code == 200
    assert got.json() == {**doc, "extra": {}}
    # A list.
    batch = [
        {"id": "b/1", "text": "The ferry to Ostrava resumed on Monday after the storm."},
        {"id": "b/2", "text": "Kellerman said prices rose 4% in March, the most in a year."},
    ]
    r = http.post("/api/documents", json=batch, headers=AUTH)
    assert r.status_code == 201 and r.json()["added"] == ["b/1", "b/2"] and r.json()["documents"] == count + 2
    # Delete.
    d = http.delete("/api/documents/sport/2024/derby%201.txt", headers=AUTH)
    assert d.status_code == 200 and d.json() == {"deleted": doc["id"], "documents": count + 1}
    _error(http.get("/api/documents/sport/2024/derby%201.txt"), 404)
    _error(http.delete("/api/documents/sport/2024/derby%201.txt", headers=AUTH), 404)
    for i in ("b/1", "b/2"):
        assert http.delete(f"/api/documents/{i}", headers=AUTH).status_code == 200


def test_documents_bad_input(http: httpx.Client) -> None:
    assert "text" in _error(http.post("/api/documents", json={"id": "x"}, headers=AUTH), 422)
    assert "text" in _error(http.post("/api/documents", json=[{"id": "x"}], headers=AUTH), 422)
    _error(http.post("/api/documents", json={"id": "x", "text": "t", "date": "yesterday"}, headers=AUTH), 422)
    _error(http.post("/api/documents", json={"id": "", "text": "Some text."}, headers=AUTH), 422)
    _error(http.post("/api/documents", json=[], headers=AUTH), 400)
    assert "no text" in _error(
        http.post("/api/documents", json={"id": "x", "text": "!!! ..."}, headers=AUTH), 400
    )
    twice = [{"id": "t", "text": "One text."}, {"id": "t", "text": "Another text."}]
    assert "twice" in _error(http.post("/api/documents", json=twice, headers=AUTH), 400)
    _error(http.get("/api/documents/x"), 404)


def test_writes_need_the_token(http: httpx.Client) -> None:
    doc = {"id": "tok/1", "text": "The museum reopened on Friday."}
    for headers in (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": TOKEN},
        {"Authorization": f"Basic {TOKEN}"},
    ):
        r = http.post("/api/documents", json=doc, headers=headers)
        assert "token" in _error(r, 401)
        assert r.headers["www-authenticate"] == "Bearer"
        _error(http.delete("/api/documents/news/001.txt", headers=headers), 401)
    # Checked before the body: a bad body without the token is still a 401.
    _error(http.post("/api/documents", json={"nonsense": 1}), 401)
    assert http.get("/api/documents/news/001.txt").status_code == 200


def test_writes_refused_with_403_when_no_token_is_configured(tmp_path: Path, index_db: Path) -> None:
    db = tmp_path / "copy.db"
    shutil.copy(index_db, db)
    srv = ServerProcess(db, token=None)
    try:
        with srv.client() as http:
            assert http.get("/health").json()["writes"] == "disabled"
            msg = _error(http.post("/api/documents", json={"id": "a", "text": "b"}, headers=AUTH), 403)
            assert "RETOLD_TOKEN" in msg and "--token" in msg
            _error(http.delete("/api/documents/news/001.txt", headers=AUTH), 403)
            assert http.get("/api/documents/news/001.txt").status_code == 200
    finally:
        srv.stop()


def test_body_limit_on_content_length_and_on_streamed_body(http: httpx.Client) -> None:
    big = json.dumps({"text": "word " * (MAX_BODY // 4)}).encode()
    assert len(big) > MAX_BODY
    assert "too large" in _error(
        http.post("/api/search", content=big, headers={"content-type": "application/json"}), 413
    )

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is enforced while reading
        for i in range(0, len(big), 16_384):
            yield big[i : i + 16_384]

    with httpx.Client(base_url=str(http.base_url), timeout=60) as fresh:
        r = fresh.post("/api/search", content=chunks(), headers={"content-type": "application/json"})
        assert "content-length" not in r.request.headers
        assert "too large" in _error(r, 413)
    with httpx.Client(base_url=str(http.base_url), timeout=60) as fresh:
        form = b"source=" + b"a" * MAX_BODY + b"&copy=b"
        r = fresh.post(
            "/report",
            content=iter([form[:1000], form[1000:]]),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert r.status_code == 413
    # Just under the limit is served.
    ok = json.dumps({"text": "The harbour wall was rebuilt. " * 100}).encode()
    assert (
        http.post("/api/search", content=ok, headers={"content-type": "application/json"}).status_code == 200
    )


def test_json_errors_for_unknown_paths_and_methods(http: httpx.Client) -> None:
    assert "/nowhere" in _error(http.get("/nowhere"), 404)
    _error(http.get("/api/search"), 405)
    _error(http.put("/api/documents/x", json={}), 405)
    r = http.get("/health", headers={"Host": "attacker.example"})
    assert "Host" in _error(r, 400)


# -- untrusted text ------------------------------------------------------------------------------


def test_xss_payload_is_data_in_json_and_text_in_html(http: httpx.Client) -> None:
    payload = " ".join(XSS)
    text = f"The mayor of Delmont resigned on Monday. {payload} She had served 12 years.\n"
    doc = {"id": "xss/<script>1</script>", "text": text, "title": XSS[0]}
    assert http.post("/api/documents", json=doc, headers=AUTH).status_code == 201
    try:
        got = http.get("/api/documents/xss/<script>1</script>")
        assert got.status_code == 200 and got.json()["text"] == text  # JSON carries the text as it is
        assert (
            got.headers["content-type"] == "application/json"
            and got.headers["x-content-type-options"] == "nosniff"
        )
        hits = http.post("/api/search", json={"text": text}).json()["hits"]
        assert hits[0]["id"] == doc["id"]
        # One tag each: the texts are prose, and the report shows the tags as text.
        src = f"The mayor of Delmont resigned on Monday. {XSS[0]} She had served 12 years.\n"
        cpy = f"The mayor of Delmont quit on Tuesday. {XSS[1]} She had served 21 years. {XSS[2]}\n"
        # All of them: the texts read as HTML, reduced to their visible text.
        html_src = f"<p>The mayor of Delmont resigned on Monday. {payload} She had served 12 years.</p>"
        for source, copy in ((src, cpy), (html_src, cpy), (src, html_src)):
            r = http.post(
                "/report", data={"source": source, "copy": copy, "source_name": XSS[1], "copy_name": XSS[2]}
            )
            assert r.status_code == 200, r.text
            page = r.text
            for raw in XSS:
                assert raw not in page, raw
            assert not re.search(r"<(img|iframe)\b", page)
            assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", page, re.IGNORECASE)
            assert len(re.findall(r"<script\b", page)) == 1  # the report's own (hash-allowed) script only
            assert "&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;" in page  # the names, escaped
            csp = r.headers["content-security-policy"]
            assert (
                "script-src 'sha256-" in csp
                and "unsafe-inline" not in csp
                and "frame-ancestors 'self'" in csp
            )
            assert r.headers["x-content-type-options"] == "nosniff"
            if source == src:
                assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in page
        # The error page escapes what it repeats too.
        err = http.post("/report", data={"source_id": XSS[0], "copy": "x"})
        assert err.status_code == 404 and XSS[0] not in err.text and "&lt;script&gt;" in err.text
    finally:
        http.delete("/api/documents/xss/<script>1</script>", headers=AUTH)


def test_page_and_static_assets(http: httpx.Client) -> None:
    r = http.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    _security_headers(r)
    assert "script-src 'self'" in r.headers["content-security-policy"]
    page = r.text
    assert re.findall(r"<script\b[^>]*>", page) == ['<script src="/static/app.js" defer>']  # nothing inline
    assert 'action="/report"' in page and 'sandbox="allow-scripts"' in page
    assert "documents indexed" in page
    for name, kind in (("app.js", "javascript"), ("app.css", "text/css"), ("favicon.svg", "image/svg+xml")):
        s = http.get(f"/static/{name}")
        assert s.status_code == 200 and kind in s.headers["content-type"], name
    assert "innerHTML" not in http.get("/static/app.js").text
    _error(http.get("/static/../serve.py"), 404)
    _error(http.get("/static/nothing.js"), 404)


def test_report_form(http: httpx.Client) -> None:
    src = (DEMO / "harbour-original.txt").read_text("utf-8").replace("\n", "\r\n")
    r = http.post(
        "/report", data={"source": src, "copy_id": "harbour-rewrite.txt", "source_name": "mine.txt"}
    )
    assert r.status_code == 200
    assert "harbour-rewrite.txt compared with mine.txt" in r.text and "Changes (" in r.text
    empty = http.post("/report", data={"source": "", "copy": "Some text."})
    assert (
        empty.status_code == 422
        and "source" in empty.text
        and empty.headers["content-type"].startswith("text/html")
    )
    assert (
        http.post("/report", json={"source": "The council met.", "copy": "The council met."}).status_code
        == 200
    )


# -- concurrency ---------------------------------------------------------------------------------


def test_concurrent_searches_while_documents_are_added(
    server: ServerProcess, articles: dict[str, str]
) -> None:
    """Readers see each added batch whole or not at all, and never fail."""
    query = articles["news/010.txt"]
    pairs = 12
    done = threading.Event()
    failures: list[str] = []
    seen_counts: list[list[int]] = []

    def reader() -> None:
        mine: list[int] = []
        seen_counts.append(mine)
        with server.client() as http:
            while not done.is_set():
                r = http.post("/api/search", json={"text": query, "top": 100})
                if r.status_code != 200:
                    failures.append(f"search: {r.status_code} {r.text[:200]}")
                    continue
                ids = {h["id"] for h in r.json()["hits"]}
                if "news/010.txt" not in ids:
                    failures.append(f"the original is missing from {sorted(ids)}")
                for n in range(pairs):
                    if (f"pair{n}/a" in ids) != (f"pair{n}/b" in ids):
                        failures.append(f"half a batch visible: pair {n} in {sorted(ids)}")
                mine.append(sum(1 for n in range(pairs) if f"pair{n}/a" in ids))

    def writer() -> None:
        with server.client() as http:
            try:
                for n in range(pairs):
                    batch = [
                        {"id": f"pair{n}/a", "text": query + f"\nReporting by Tamsin Okafor, desk {n}.\n"},
                        {
                            "id": f"pair{n}/b",
                            "text": f"Share this story\n\n{query}\nEdited by Marlow, desk {n}.\n",
                        },
                    ]
                    r = http.post("/api/documents", json=batch, headers=AUTH)
                    if r.status_code != 201:
                        failures.append(f"add: {r.status_code} {r.text[:200]}")
                    time.sleep(0.05)
            finally:
                done.set()

    readers = [threading.Thread(target=reader) for _ in range(6)]
    for t in readers:
        t.start()
    time.sleep(0.3)
    w = threading.Thread(target=writer)
    w.start()
    w.join(240)
    for t in readers:
        t.join(60)
    assert not failures, failures[:5]
    assert sum(len(c) for c in seen_counts) >= 12  # the readers really ran alongside the writer
    for counts in seen_counts:  # what a reader sees only grows
        assert counts == sorted(counts)
    with server.client() as http:
        ids = {h["id"] for h in http.post("/api/search", json={"text": query, "top": 100}).json()["hits"]}
        assert all(f"pair{n}/a" in ids and f"pair{n}/b" in ids for n in range(pairs))
        for n in range(pairs):
            for side in ("a", "b"):
                assert http.delete(f"/api/documents/pair{n}/{side}", headers=AUTH).status_code == 200


# -- command line --------------------------------------------------------------------------------


def test_cli_serve_bad_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--db", str(tmp_path / "x.db"), "--max-body", "lots"]) == 2
    assert "--max-body" in capsys.readouterr().err
    assert main(["serve", "--db", str(tmp_path / "x.db"), "--port", "70000"]) == 2
    assert "--port" in capsys.readouterr().err
    (tmp_path / "dir.db").mkdir()
    assert main(["serve", "--db", str(tmp_path / "dir.db")]) == 2
    assert "directory" in capsys.readouterr().err
