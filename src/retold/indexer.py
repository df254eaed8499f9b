"""``retold index``: add documents to a store, incrementally and resumably.

Documents stream from :func:`retold.ingest.iter_documents`, are prepared in
batches (:func:`retold.evidence.prepare`, optionally in worker processes) and
written one batch per transaction. A rerun after an interruption skips what
is already in the store (same id, same text), so nothing is indexed twice and
nothing committed is lost; the same id with a *different* text is bad input.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from retold.errors import InputError
from retold.ingest import Document, Skip, count_documents, iter_documents
from retold.store import EncodedDoc, IndexParams, SQLiteStore, StoredDoc, encode

__all__ = ["IndexReport", "index_paths"]

# Batches handed to the workers ahead of the writer. While the writer merges the band tables
# (tens of seconds at a million documents) the workers go on with these: ≈ 4 MB each of memory
# (documents sent and rows returned; index peak RSS 0.87 GB at 1M, was 0.59 GB with 4 batches).
AHEAD = 48


@dataclass(slots=True)
class IndexReport:
    """What one ``index`` run did."""

    added: int = 0
    already: int = 0  # same id and text were already in the store (a resumed run)
    skipped: list[Skip] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def docs_per_second(self) -> float:
        return (self.added + self.already) / self.seconds if self.seconds else 0.0


def _prepare_in_worker(docs: list[Document], params: IndexParams) -> tuple[list[EncodedDoc], list[Skip]]:
    """Prepare and encode a batch (text compressed, keys signed): the writing process only writes,
    and the compressed rows cost less to send back than the documents."""
    from retold.docvec import static_embedder
    from retold.evidence import prepare

    prepared, skips = prepare(docs, params, static_embedder())
    return [encode(d) for d in prepared], skips


def _batches(it: Iterator[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for d in it:
        batch.append(d)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def index_paths(
    paths: Sequence[str | Path],
    store: SQLiteStore,
    *,
    on_error: Literal["skip", "fail"] = "fail",
    batch_size: int = 500,
    workers: int = 1,
    progress: bool = False,
    on_skip: Callable[[Skip], None] | None = None,
) -> IndexReport:
    """Index every document under ``paths`` into ``store``.

    Raises:
        InputError: bad input when ``on_error="fail"`` (everything committed
            before it stays in the store).
    """
    from retold.docvec import static_embedder
    from retold.evidence import prepare, text_sha

    report = IndexReport()
    started = time.perf_counter()
    embedder = static_embedder()  # builds the word table once, before any worker needs it

    def skip(s: Skip) -> None:
        report.skipped.append(s)
        if on_skip:
            on_skip(s)

    def fresh(batch: list[Document]) -> list[Document]:
        known = store.known([d.id for d in batch])
        out = []
        for d in batch:
            if d.id not in known:
                out.append(d)
            elif known[d.id][0] == text_sha(d.text):
                report.already += 1
            else:
                first = known[d.id][1] or "an earlier run"
                msg = f"duplicate id {d.id!r}: already indexed from {first} with another text"
                if on_error == "fail":
                    raise InputError(msg, path=d.origin or None)
                skip(Skip(d.origin or d.id, msg))
        return out

    def commit(prepared: Sequence[StoredDoc | EncodedDoc], skips: list[Skip]) -> None:
        for s in skips:
            if on_error == "fail":
                raise InputError(s.reason, path=s.origin)
            skip(s)
        store.add(prepared)
        report.added += len(prepared)

    total = count_documents(paths)
    bar = _progress(progress, total)
    docs = iter_documents(paths, on_error=on_error, on_skip=skip)
    pool = ProcessPoolExecutor(workers) if workers > 1 else None
    pending: deque[tuple[int, Future[tuple[list[EncodedDoc], list[Skip]]]]] = deque()
    try:
        for batch in _batches(docs, batch_size):
            todo = fresh(batch)
            if pool is None:
                commit(*prepare(todo, store.params, embedder))
                bar(len(batch))
            else:
                pending.append((len(batch), pool.submit(_prepare_in_worker, todo, store.params)))
                while len(pending) > max(AHEAD, 2 * workers):
                    n, fut = pending.popleft()
                    commit(*fut.result())
                    bar(n)
        while pending:
            n, fut = pending.popleft()
            commit(*fut.result())
            bar(n)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        store.flush()
        bar(0, done=True)
    report.seconds = time.perf_counter() - started
    return report


class _Bar:
    def __init__(self, total: int | None) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("indexing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} docs/s"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            transient=False,
        )
        self.task = self.progress.add_task("index", total=total, rate="-")
        self.start = time.perf_counter()
        self.done = 0
        self.progress.start()

    def __call__(self, n: int, done: bool = False) -> None:
        self.done += n
        rate = self.done / max(time.perf_counter() - self.start, 1e-9)
        self.progress.update(self.task, advance=n, rate=f"{rate:,.0f}")
        if done:
            self.progress.stop()


def _progress(enabled: bool, total: int | None) -> Callable[..., None]:
    if enabled and os.environ.get("RETOLD_NO_PROGRESS") is None:
        return _Bar(total)
    return lambda n, done=False: None
