"""``retold serve``: an HTTP API and a web page over one index.

:func:`create_app` builds a FastAPI application around one
:class:`~retold.store.SQLiteStore`:

- ``POST /api/compare``, ``POST /api/search``: the JSON of ``retold compare
  --json`` and ``retold search --json``;
- ``POST /api/documents`` (one document or a list), ``GET`` and ``DELETE
  /api/documents/{id}`` (an id may contain slashes): adding and deleting need
  ``Authorization: Bearer TOKEN``;
- ``GET /health``, ``GET /openapi.json``;
- ``GET /`` (the web page), ``POST /report`` (the HTML report of
  ``retold compare --html``, for a form or a JSON body).

Errors are JSON ``{"error": message}`` with the status saying what went
wrong (400 bad input, 401/403 token, 404, 409 id taken by another text, 413
body too large, 422 invalid request).

Concurrency: the library calls block, so they run in the thread pool and the
event loop stays free. Reads of the index (search, get, compare by id) share
a readers-writer lock; adding and deleting take it exclusively, so a search
never sees a batch half written (the SQLite rows committed but the vectors
not yet in the vector file, say). Full comparisons are heavy (≈ 0.6 s of CPU,
mostly Python holding the GIL), so by default they run in worker processes
(:class:`CompareRunner`), leaving the server process to searches and I/O;
with ``compare_workers=0`` they run in threads, at most
:data:`COMPARE_SLOTS` at a time, the rest waiting without holding a thread.

Untrusted text: the page builds the DOM with ``textContent`` only, the report
escapes everything, and every response carries a strict
Content-Security-Policy (scripts from this server only, or by hash in the
report), ``X-Content-Type-Options: nosniff`` and ``frame-ancestors``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import html
import json
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, MutableMapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from importlib import resources
from pathlib import Path
from string import Template
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Body, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from retold import __version__
from retold.errors import ConfigError, InputError, RetoldError
from retold.io import parse_date, stored_date
from retold.report._assets import csp_hash
from retold.store import SQLiteStore, StoredDoc

__all__ = ["DEFAULT_MAX_BODY", "LOOPBACK_HOSTS", "create_app"]

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY = 10_000_000
MAX_TOP = 100
COMPARE_SLOTS = 2  # comparisons at a time when they run in threads (compare_workers=0)
FLUSH_SECONDS = 30.0  # merge staged band rows at most this often after writes (and at shutdown)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
TOKEN_HINT = "start the server with --token TOKEN or set RETOLD_TOKEN"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# The page and API: scripts, styles and images from this server only; nothing inline.
APP_CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "frame-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


def _report_csp() -> str:
    """The report's own policy (inline style and script allowed by hash), framable by the page only."""
    from retold.report._assets import CONTENT_SECURITY_POLICY

    return f"{CONTENT_SECURITY_POLICY}; frame-ancestors 'self'; sandbox allow-scripts"


# -- readers-writer lock ------------------------------------------------------------------------


class RWLock:
    """Many readers or one writer; a waiting writer goes before readers that arrive after it."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    @contextlib.contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            try:
                while self._writer or self._readers:
                    self._cond.wait()
            finally:
                self._writers_waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


# -- ASGI middleware: body size, Host header, security headers ------------------------------------


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body too large: the limit is {limit:,} bytes")


class Guard:
    """Outermost ASGI layer of the app.

    * refuses a body larger than ``max_body`` bytes with 413: at once when
      ``Content-Length`` says so, else as soon as the streamed body passes
      the limit (chunked uploads, or a Content-Length that lies);
    * refuses a ``Host`` header outside ``allowed_hosts`` (when given) with
      400, so a page on another site cannot reach a loopback server through
      DNS rebinding;
    * adds the security headers to every response (a route may set its own
      Content-Security-Policy and frame options, as the report does).
    """

    def __init__(self, app: ASGIApp, *, max_body: int, allowed_hosts: Sequence[str] | None = None) -> None:
        self.app = app
        self.max_body = max_body
        self.allowed_hosts = {h.lower().strip("[]") for h in allowed_hosts} if allowed_hosts else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if self.allowed_hosts is not None and _hostname(headers.get("host", "")) not in self.allowed_hosts:
            await _send_json(send, 400, {"error": "unexpected Host header: this server only answers to "
                                         + ", ".join(sorted(self.allowed_hosts))})
            return
        length = headers.get("content-length")
        if length is not None:
            if not length.strip().isdigit():
                await _send_json(send, 400, {"error": "invalid Content-Length header"})
                return
            if int(length) > self.max_body:
                await _send_json(send, 413, {"error": BodyTooLarge(self.max_body).detail})
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        async def secured_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = _with_security_headers(list(message.get("headers", [])))
            await send(message)

        try:
            await self.app(scope, limited_receive, secured_send)
        except BodyTooLarge as exc:  # read outside a route's body parsing
            if started:
                raise
            await _send_json(send, 413, {"error": exc.detail})
        except Exception:
            # Here rather than in an exception handler, so a 500 carries the security headers too.
            log.exception("internal error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            await _send_json(send, 500, {"error": "internal server error"})


def _hostname(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):  # [::1]:8000
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


_SECURITY_HEADERS = (
    (b"content-security-policy", APP_CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
)


def _with_security_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    have = {k.lower() for k, _ in headers}
    return headers + [(k, v) for k, v in _SECURITY_HEADERS if k not in have]


async def _send_json(send: Send, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status == 413:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status,
                "headers": _with_security_headers(headers)})
    await send({"type": "http.response.body", "body": body})


# -- request and response models -----------------------------------------------------------------


def _check_date(value: str | None) -> str | None:
    """A date as YYYY-MM-DD (an ISO date-time keeps its date), or None."""
    if value is None or not value.strip():
        return None
    return parse_date(value).isoformat()  # ConfigError is a ValueError: a 422 naming the field


class CompareIn(BaseModel):
    """Two texts to compare, each given as text or as the id of an indexed document."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    source: str | None = Field(None, description="the original text (plain, Markdown or HTML)")
    copy_text: str | None = Field(None, alias="copy", description="the text believed to derive from it")
    source_id: str | None = Field(None, description="an indexed document to use as the source")
    copy_id: str | None = Field(None, description="an indexed document to use as the copy")
    source_date: str | None = Field(None, description="publication date of the source, YYYY-MM-DD")
    copy_date: str | None = Field(None, description="publication date of the copy, YYYY-MM-DD")

    check_dates = field_validator("source_date", "copy_date")(_check_date)

    @model_validator(mode="after")
    def _one_of_each(self) -> CompareIn:
        sides = (("source", self.source, self.source_id), ("copy", self.copy_text, self.copy_id))
        for side, text, doc_id in sides:
            if (text is None) == (doc_id is None):
                raise ValueError(
                    f"give either {side} (a text) or {side}_id (an indexed document), exactly one"
                )
        return self


class SearchIn(BaseModel):
    """An article to look up in the index."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="the article (text, Markdown or HTML)")
    top: int = Field(10, ge=1, le=MAX_TOP, description=f"at most this many hits (1-{MAX_TOP})")
    date: str | None = Field(None, description="publication date of the article (decides direction)")

    check_date = field_validator("date")(_check_date)


class DocumentIn(BaseModel):
    """A document to add to the index."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=1024, description="unique id, e.g. 'sport/001.txt'")
    text: str = Field(min_length=1, description="the document (text, Markdown or HTML)")
    url: str | None = None
    title: str | None = None
    date: str | None = Field(None, description="publication date, YYYY-MM-DD")
    site: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict, description="any other fields, kept as given")

    check_date = field_validator("date")(_check_date)

    @field_validator("id")
    @classmethod
    def _id_printable(cls, value: str) -> str:
        if not value.strip() or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            raise ValueError("an id must be non-blank and free of control characters")
        return value


# -- the application -----------------------------------------------------------------------------


_BEARER = HTTPBearer(
    auto_error=False, description="the token given to `retold serve` (--token or RETOLD_TOKEN)"
)


def _asset(name: str) -> bytes:
    return (resources.files("retold") / "web" / name).read_bytes()


_STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}


class _Service:
    """The index and the locks around it; every method blocks (call it in the thread pool)."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        self.rw = RWLock()
        self.last_flush = time.monotonic()

    def count(self) -> int:
        with self.rw.read():
            return self.store.count()

    def get(self, doc_id: str) -> StoredDoc | None:
        with self.rw.read():
            return self.store.get_by_id(doc_id)

    def search(self, text: str, top: int, query_date: date | None) -> dict[str, Any]:
        from retold.search import search

        with self.rw.read():
            result = search(self.store, text, top=top, query_date=query_date)
        return result.to_dict()

    def add(self, docs: list[DocumentIn]) -> tuple[int, dict[str, Any]]:
        from retold.docvec import static_embedder
        from retold.evidence import prepare, text_sha
        from retold.ingest import Document, declared_date

        given: dict[str, DocumentIn] = {}
        for d in docs:
            if d.id in given and given[d.id].text != d.text:
                raise HTTPException(400, f"id {d.id!r} is given twice with different texts")
            given.setdefault(d.id, d)
        shas = {i: text_sha(d.text) for i, d in given.items()}
        with self.rw.read():
            known = self.store.known(list(given))
        self._conflicts(known, shas)
        todo = [
            Document(id=d.id, text=d.text, url=d.url, title=d.title, date=d.date or declared_date(d.text),
                     site=d.site, extra=d.extra, origin=d.id)
            for i, d in given.items() if i not in known
        ]
        # The slow part (cleaning, fingerprints, vectors) runs before taking the write lock.
        prepared, skips = prepare(todo, self.store.params, static_embedder()) if todo else ([], [])
        if skips:
            raise HTTPException(400, "; ".join(f"document {s.origin!r}: {s.reason}" for s in skips))
        with self.rw.write():
            known = self.store.known(list(given))  # again: another request may have added some since
            self._conflicts(known, shas)
            fresh = [p for p in prepared if p.id not in known]
            self.store.add(fresh)
            self._maybe_flush()
            total = self.store.count()
        added = [p.id for p in fresh]
        added_set = set(added)
        unchanged = [i for i in given if i not in added_set]
        return (201 if added else 200), {"added": added, "unchanged": unchanged, "documents": total}

    @staticmethod
    def _conflicts(known: dict[str, tuple[str, str]], shas: dict[str, str]) -> None:
        taken = [i for i, (sha, _) in known.items() if sha != shas[i]]
        if taken:
            first = taken[0]
            more = f" (and {len(taken) - 1} more)" if len(taken) > 1 else ""
            raise HTTPException(
                409,
                f"document {first!r}{more} is already indexed with a different text; "
                f"delete it first (DELETE /api/documents/{first})",
            )

    def delete(self, doc_id: str) -> tuple[bool, int]:
        with self.rw.write():
            found = self.store.delete(doc_id)
            if found:
                self._maybe_flush()
            return found, self.store.count()

    def _maybe_flush(self) -> None:  # under the write lock
        if time.monotonic() - self.last_flush >= FLUSH_SECONDS:
            self.store.flush()
            self.last_flush = time.monotonic()

    def close(self) -> None:
        with self.rw.write():
            self.store.close()


def _warm(compare_models: bool = True) -> None:
    """Load the models so the first requests do not wait for them."""
    try:
        from retold.docvec import static_embedder

        static_embedder()
        if compare_models:
            from retold.embed import default_embedder
            from retold.nlp import parse

            default_embedder().encode(["warming up"])
            parse("Warming up.")
    except Exception:  # the request that needs a model will report the problem
        log.debug("model warm-up failed", exc_info=True)


def _compare_job(
    source: str, copy: str, source_date: date | None, copy_date: date | None,
    render: tuple[str, str, str] | None,
) -> Any:
    """One comparison: its JSON, or with ``render`` = (title, source name, copy name) its HTML report."""
    from retold.pipeline import compare

    result = compare(source, copy, source_date=source_date, copy_date=copy_date)
    if render is None:
        return result.to_dict()
    from retold.report import render_html

    title, source_name, copy_name = render
    return render_html(result, title=title, source_name=source_name, copy_name=copy_name)


def _worker_start() -> None:
    _warm(compare_models=True)


def _default_workers() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, cpus - 1)


class CompareRunner:
    """Runs :func:`_compare_job` in worker processes (``workers`` > 0) or in threads (0).

    The analysis is mostly Python and holds the GIL for most of its ≈ 0.6 s;
    in worker processes it leaves the server process free for searches and
    I/O. Workers are spawned (not forked: the server has threads) and load
    the models as they start. A worker that dies is replaced on the next
    request; the request it was running gets a 503.
    """

    def __init__(self, workers: int) -> None:
        self.workers = max(0, workers)
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._slots = asyncio.Semaphore(COMPARE_SLOTS)

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_start
                )
            return self._pool

    def start(self) -> None:
        """Spawn the workers now (they load the models) rather than on the first comparison."""
        if self.workers:
            self._executor().submit(int)

    async def run(self, *job: Any) -> Any:
        if not self.workers:
            async with self._slots:
                return await run_in_threadpool(_compare_job, *job)
        pool = self._executor()
        try:
            return await asyncio.wrap_future(pool.submit(_compare_job, *job))
        except BrokenProcessPool as exc:
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            log.error("a comparison worker stopped: %s", exc)
            raise HTTPException(503, "the comparison worker stopped unexpectedly; try again") from exc

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def create_app(
    db_path: str | Path,
    *,
    token: str | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    allowed_hosts: Sequence[str] | None = None,
    warm: bool = True,
    compare_workers: int | None = None,
) -> FastAPI:
    """The web service over the index at ``db_path`` (created when missing).

    Args:
        db_path: the index file (``retold index --db``).
        token: the bearer token that adding and deleting documents require;
            None refuses those requests (403).
        max_body: the largest request body accepted, in bytes (413 beyond).
        allowed_hosts: host names the ``Host`` header may carry (None: any).
            ``retold serve`` passes the loopback names when it binds loopback.
        warm: load the models at startup (in the background; the workers too).
        compare_workers: processes running full comparisons (None: one per
            core but one, at least one; 0: threads in this process).
    """
    if max_body < 1:
        raise ConfigError("the body limit must be at least 1 byte")
    store = SQLiteStore(db_path)
    service = _Service(store)
    runner = CompareRunner(_default_workers() if compare_workers is None else compare_workers)
    static = {name: _asset(f"static/{name}") for name in ("app.css", "app.js", "favicon.svg")}
    index_page = Template(_asset("index.html").decode("utf-8"))
    message_css = _asset("message.css").decode("utf-8")
    message_page = Template(_asset("message.html").decode("utf-8"))
    message_csp = f"default-src 'none'; style-src {csp_hash(message_css)}; base-uri 'none'; " \
        "form-action 'none'; frame-ancestors 'self'; sandbox"
    report_csp = _report_csp()

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warm:
            in_process = runner.workers == 0  # the compare models are needed here only without workers
            threading.Thread(target=_warm, args=(in_process,), name="retold-warm", daemon=True).start()
            runner.start()
        try:
            yield
        finally:
            await run_in_threadpool(runner.close)
            await run_in_threadpool(service.close)

    app = FastAPI(
        title="retold",
        version=__version__,
        description="Find rewritten copies of news articles and explain what changed.",
        docs_url=None,  # Swagger UI and ReDoc load from a CDN: not served (the CSP would block them)
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.service = service

    # -- errors as JSON ------------------------------------------------------------------------
    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        detail = str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"not found: {request.url.path}"
        return JSONResponse({"error": detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> Response:
        errors = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in errors):
            why = next((e.get("ctx", {}).get("error") for e in errors if e.get("type") == "json_invalid"), "")
            return JSONResponse({"error": f"the body is not valid JSON: {why}".rstrip(": ")}, status_code=400)
        # A body that may be one document or a list: report the errors of the shape that was sent.
        body = getattr(exc, "body", None)
        if isinstance(body, list | dict):
            wrong = "DocumentIn" if isinstance(body, list) else "list[DocumentIn]"
            errors = [e for e in errors if wrong not in e.get("loc", ())] or errors
        return JSONResponse({"error": _validation_message(errors)}, status_code=422)

    @app.exception_handler(RetoldError)
    async def _retold_error(_: Request, exc: RetoldError) -> Response:
        status = 400 if isinstance(exc, InputError | ConfigError) else 500
        return JSONResponse({"error": str(exc)}, status_code=status)

    # -- token -------------------------------------------------------------------------------
    def require_token(creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)]) -> None:
        if not token:
            raise HTTPException(403, f"adding and deleting documents is disabled: {TOKEN_HINT}")
        if creds is None or not hmac.compare_digest(creds.credentials.encode(), token.encode()):
            raise HTTPException(
                401, "missing or wrong token: send Authorization: Bearer TOKEN",
                headers={"WWW-Authenticate": "Bearer"},
            )

    # -- comparison ---------------------------------------------------------------------------
    async def resolve(
        text: str | None, doc_id: str | None, when: str | None, side: str
    ) -> tuple[str, date | None, str]:
        if doc_id is not None:
            doc = await run_in_threadpool(service.get, doc_id)
            if doc is None:
                raise HTTPException(404, f"no indexed document with id {doc_id!r} (the {side})")
            return doc.text, stored_date(when) or stored_date(doc.date), doc_id
        assert text is not None
        return text, stored_date(when), side

    async def run_compare(req: CompareIn, names: dict[str, str] | None = None) -> Any:
        """The compare JSON, or with ``names`` (source_name, copy_name overrides) the HTML report."""
        src, src_date, src_name = await resolve(req.source, req.source_id, req.source_date, "source")
        cpy, cpy_date, cpy_name = await resolve(req.copy_text, req.copy_id, req.copy_date, "copy")
        render = None
        if names is not None:
            src_name = names.get("source_name", "").strip() or src_name
            cpy_name = names.get("copy_name", "").strip() or cpy_name
            render = (f"{cpy_name} compared with {src_name}", src_name, cpy_name)
        try:
            return await runner.run(src, cpy, src_date, cpy_date, render)
        except InputError as exc:
            raise HTTPException(400, str(exc)) from exc

    # -- API ----------------------------------------------------------------------------------
    @app.get("/health", tags=["service"], summary="liveness and index size")
    async def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "version": __version__,
            "documents": await run_in_threadpool(service.count),
            "writes": "enabled" if token else "disabled",
        }

    @app.post(
        "/api/compare", tags=["compare"], summary="compare two texts (the JSON of `retold compare --json`)"
    )
    async def api_compare(req: CompareIn) -> dict[str, Any]:
        payload: dict[str, Any] = await run_compare(req)
        return payload

    @app.post("/api/search", tags=["search"], summary="the indexed documents a text copies or that copy it")
    async def api_search(req: SearchIn) -> dict[str, Any]:
        try:
            return await run_in_threadpool(service.search, req.text, req.top, stored_date(req.date))
        except InputError as exc:
            raise HTTPException(400, str(exc)) from exc

    @app.post(
        "/api/documents", tags=["documents"], status_code=201, dependencies=[Depends(require_token)],
        summary="add one document or a list (same id and text: no-op; same id, other text: 409)",
        responses={200: {"description": "nothing new: every document was already indexed"}},
    )
    async def add_documents(payload: Annotated[DocumentIn | list[DocumentIn], Body()]) -> Response:
        docs = payload if isinstance(payload, list) else [payload]
        if not docs:
            raise HTTPException(400, "no documents given")
        status, body = await run_in_threadpool(service.add, docs)
        return JSONResponse(body, status_code=status)

    @app.get("/api/documents/{doc_id:path}", tags=["documents"], summary="one indexed document")
    async def get_document(doc_id: str) -> dict[str, Any]:
        doc = await run_in_threadpool(service.get, doc_id)
        if doc is None:
            raise HTTPException(404, f"no indexed document with id {doc_id!r}")
        return {
            "id": doc.id, "text": doc.text, "url": doc.url, "title": doc.title,
            "date": doc.date, "site": doc.site, "extra": doc.extra,
        }

    @app.delete(
        "/api/documents/{doc_id:path}", tags=["documents"], dependencies=[Depends(require_token)],
        summary="delete an indexed document",
    )
    async def delete_document(doc_id: str) -> dict[str, Any]:
        found, total = await run_in_threadpool(service.delete, doc_id)
        if not found:
            raise HTTPException(404, f"no indexed document with id {doc_id!r}")
        return {"deleted": doc_id, "documents": total}

    # -- the web page -------------------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    async def page() -> Response:
        count = await run_in_threadpool(service.count)
        body = index_page.safe_substitute(
            documents=f"{count:,}",
            plural="" if count == 1 else "s",
            version=html.escape(__version__),
            writes="" if token else " · read-only (no token set)",
        )
        return HTMLResponse(body)

    @app.get("/static/{name}", include_in_schema=False)
    async def static_file(name: str) -> Response:
        if name not in static:
            raise HTTPException(404, f"no such file: {name}")
        return Response(
            static[name], media_type=_STATIC_TYPES[Path(name).suffix],
            # Public assets: also loadable by the sandboxed (opaque-origin) report frame.
            headers={"Cache-Control": "no-cache", "Cross-Origin-Resource-Policy": "cross-origin"},
        )

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(static["favicon.svg"], media_type=_STATIC_TYPES[".svg"])

    def message(status: int, title: str, text: str) -> Response:
        body = message_page.safe_substitute(
            style=message_css, title=html.escape(title), message=html.escape(text)
        )
        return HTMLResponse(
            body, status_code=status,
            headers={"Content-Security-Policy": message_csp, "X-Frame-Options": "SAMEORIGIN"},
        )

    @app.post(
        "/report", tags=["compare"], response_class=HTMLResponse,
        summary="the side-by-side HTML report (`retold compare --html`) for a form post or a JSON body",
        openapi_extra={"requestBody": {"content": {
            "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/CompareIn"}},
            "application/json": {"schema": {"$ref": "#/components/schemas/CompareIn"}},
        }}},
    )
    async def report(request: Request) -> Response:
        try:
            fields = _form_fields(await request.body(), request.headers.get("content-type", ""))
        except BodyTooLarge:
            raise
        except ValueError as exc:
            return message(400, "Cannot read the request", str(exc))
        names = {k: fields.pop(k, "")[:200] for k in ("source_name", "copy_name")}
        for side, what in (("source", "the original"), ("copy", "the possible rewrite")):
            if not fields.get(side) and not fields.get(f"{side}_id"):
                text = f"The {side} ({what}) is empty: paste or upload it."
                return message(422, "Nothing to compare yet", text)
        try:
            req = CompareIn.model_validate(fields)
        except ValidationError as exc:
            return message(422, "Nothing to compare yet", _validation_message(exc.errors()))
        try:
            page_html = await run_compare(req, names)
        except HTTPException as exc:
            return message(exc.status_code, "Cannot compare these texts", str(exc.detail))
        return HTMLResponse(
            page_html,
            headers={"Content-Security-Policy": report_csp, "X-Frame-Options": "SAMEORIGIN"},
        )

    app.add_middleware(Guard, max_body=max_body, allowed_hosts=allowed_hosts)
    return app


def _form_fields(body: bytes, content_type: str) -> dict[str, Any]:
    """The fields of a form post (urlencoded) or a JSON object; empty fields are left out."""
    kind = content_type.split(";")[0].strip().lower()
    try:
        raw = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError("the request is not UTF-8") from exc
    if kind == "application/json":
        data = json.loads(raw) if raw.strip() else {}
        if not isinstance(data, dict):
            raise ValueError("the JSON body must be an object")
        return {k: v for k, v in data.items() if v not in (None, "")}
    if kind in ("application/x-www-form-urlencoded", ""):
        # Browsers send textarea line breaks as CRLF; the texts are compared as typed.
        return {k: v.replace("\r\n", "\n") for k, v in parse_qsl(raw, keep_blank_values=False)}
    raise ValueError(f"unsupported content type {kind!r}: post a form or a JSON object")


def _validation_message(errors: Sequence[Any]) -> str:
    parts = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ()) if p not in ("body", "DocumentIn", "list[DocumentIn]")]
        msg = str(e.get("msg", "invalid"))
        msg = msg.removeprefix("Value error, ")
        parts.append(f"{'.'.join(loc)}: {msg}" if loc else msg)
    return "; ".join(parts) or "invalid request"



