"""The corpus commands of the ``retold`` CLI: ``index``, ``search`` and ``dedup``.

Parsing and printing only; the work is done by :mod:`retold.indexer`,
:mod:`retold.search` and :mod:`retold.dedup`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from retold.errors import ConfigError, InputError, RetoldError
from retold.ingest import Skip

__all__ = ["add_corpus_commands"]

DEFAULT_DB = "retold.db"

_INPUTS_HELP = (
    "inputs: directories of .txt/.md/.html files (id = path relative to the directory), "
    ".jsonl (one {id, text, url?, title?, date?, site?} object per line), .csv (same columns), "
    ".parquet (same columns) and .warc/.warc.gz crawl files (HTML responses)"
)

_INDEX_DESCRIPTION = f"""\
Add documents to a persistent index (an SQLite file plus a vector index beside it).

Indexing is incremental and resumable: documents already in the index (same id,
same text) are skipped, so an interrupted run can simply be started again;
every batch is committed in one transaction, so a crash never leaves half a
batch behind. The same id with a different text is bad input.

{_INPUTS_HELP}.
"""

_SEARCH_DESCRIPTION = """\
Find the indexed documents that DOC copies or that copy DOC: exact and
near-verbatim copies (MinHash bands), paraphrases that share almost no 5-word
sequence (document vectors), and partial reuse. Each hit carries a screening
relation, its scores and a direction; --explain compares the top hits
sentence by sentence, as `retold compare` does.
"""

_DEDUP_DESCRIPTION = f"""\
Group documents into copy families and write one row per document:
id, cluster, original (the id judged to be the family's source: earliest date
when dates are known, else content evidence), relation to the original, score.

Every family member is a verified copy of its original: candidate pairs are
checked on their full texts, and families never chain unrelated documents
through a middle one. Without --db a temporary index is used.

{_INPUTS_HELP}.
"""


def add_corpus_commands(commands: Any, formatter: type[argparse.HelpFormatter]) -> None:
    """Register ``index``, ``search`` and ``dedup`` on the CLI's subparsers."""
    idx = commands.add_parser(
        "index",
        help="add documents to a persistent index (incremental, resumable)",
        description=_INDEX_DESCRIPTION,
        formatter_class=formatter,
        epilog=(
            "examples:\n  retold index ../shared/data/bbc --db bbc.db\n"
            "  retold index crawl.warc.gz news.jsonl --db news.db --on-error skip\n"
        ),
    )
    idx.add_argument("paths", nargs="+", metavar="PATH", help="files or directories to index")
    _db_option(idx)
    _ingest_options(idx)
    _engine_options(idx)
    idx.add_argument(
        "--out",
        metavar="DIR",
        help="with --engine spark: where to write the index as Parquet (DIR/documents, DIR/bands); "
        "any path Spark can write (local, hdfs://, s3a:// when configured)",
    )
    idx.set_defaults(func=_cmd_index)

    srch = commands.add_parser(
        "search",
        help="find the indexed documents a text copies or that copy it",
        description=_SEARCH_DESCRIPTION,
        formatter_class=formatter,
        epilog=(
            "examples:\n  retold search rewrite.txt --db bbc.db\n"
            "  retold search rewrite.txt --db bbc.db --json --explain\n"
        ),
    )
    srch.add_argument("doc", metavar="DOC", help='the article to look up (a file, or "-" for standard input)')
    _db_option(srch)
    srch.add_argument("--top", type=int, default=10, metavar="N", help="at most N hits (default 10)")
    srch.add_argument("--json", action="store_true", help='print {"query": ..., "hits": [...]} as JSON')
    srch.add_argument(
        "--explain",
        nargs="?",
        type=int,
        const=3,
        default=0,
        metavar="N",
        help="compare the top N hits (default 3) sentence by sentence and include the full comparison",
    )
    srch.add_argument("--date", metavar="YYYY-MM-DD", help="publication date of DOC (decides direction)")
    srch.set_defaults(func=_cmd_search)

    dd = commands.add_parser(
        "dedup",
        help="group documents into copy families (one row per document)",
        description=_DEDUP_DESCRIPTION,
        formatter_class=formatter,
        epilog=(
            "examples:\n  retold dedup ../shared/data/bbc --out clusters.parquet\n"
            "  retold dedup news.jsonl --db news.db --out clusters.jsonl\n"
        ),
    )
    dd.add_argument("paths", nargs="*", metavar="PATH", help="files or directories to add before grouping")
    dd.add_argument(
        "--out", required=True, metavar="FILE", help="where to write the rows: .parquet or .jsonl"
    )
    dd.add_argument("--db", metavar="FILE", help="index to use and update (default: a temporary one)")
    _ingest_options(dd)
    _engine_options(dd)
    dd.set_defaults(func=_cmd_dedup)


def _engine_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--engine",
        choices=("local", "spark"),
        default="local",
        help="local (default: one machine, the embedded store) or spark (Apache Spark; "
        "pip install 'retold[spark]'); both give the same results",
    )
    p.add_argument(
        "--spark-master",
        metavar="URL",
        help="Spark master with --engine spark (default local[*]; e.g. spark://host:7077, yarn)",
    )


def _db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default=DEFAULT_DB, metavar="FILE", help=f"the index file (default {DEFAULT_DB})")


def _ingest_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--on-error",
        choices=("fail", "skip"),
        default="fail",
        help="bad input (malformed line, corrupt file, document without text, duplicate id): "
        "stop with an error naming the file and line (fail, default; everything indexed before stays), "
        "or report it and go on (skip)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="worker processes preparing documents (default 1; use the number of cores for large corpora)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def _progress_wanted(args: argparse.Namespace) -> bool:
    return not args.no_progress and sys.stderr.isatty()


def _say(message: str) -> None:
    sys.stderr.write(f"dedup: {message}\n")


def _report_skip(s: Skip) -> None:
    sys.stderr.write(f"retold: skipped {s.origin}: {s.reason}\n")


def _open_store(path: str, *, readonly: bool = False) -> Any:
    from retold.store import SQLiteStore

    return SQLiteStore(path, readonly=readonly)


def _run_index(args: argparse.Namespace, store: Any) -> Any:
    from retold.indexer import index_paths

    if args.workers < 1:
        raise ConfigError("--workers must be at least 1")
    for p in args.paths:
        if not os.path.exists(p):
            raise InputError("no such file or directory", path=p)
    report = index_paths(
        args.paths,
        store,
        on_error=args.on_error,
        workers=args.workers,
        progress=_progress_wanted(args),
        on_skip=_report_skip,
    )
    sys.stderr.write(
        f"indexed {report.added:,} new documents, {report.already:,} already indexed, "
        f"{len(report.skipped):,} skipped, in {report.seconds:.1f} s "
        f"({report.docs_per_second:,.0f} docs/s); index holds {store.count():,}\n"
    )
    return report


def _cmd_index(args: argparse.Namespace) -> int:
    if args.engine == "spark":
        return _spark_index(args)
    if args.out:
        raise ConfigError("--out is for --engine spark; the local engine writes to --db")
    store = _open_store(args.db)
    try:
        _run_index(args, store)
    finally:
        store.close()
    return 0


def _cmd_search(args: argparse.Namespace) -> int:
    from retold.io import parse_date, read_text
    from retold.search import search

    if args.top < 1:
        raise ConfigError("--top must be at least 1")
    text = read_text(args.doc)
    qdate = parse_date(args.date) if args.date else None
    store = _open_store(args.db, readonly=True)
    try:
        result = search(store, text, name=args.doc, top=args.top, explain=args.explain, query_date=qdate)
    finally:
        store.close()
    if args.json:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return 0
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    if not result.hits:
        console.print(Text(f"No indexed document copies {args.doc} or is copied by it."))
        return 0
    table = Table(title=Text(f"Documents related to {args.doc}"))
    for col in ("#", "id", "relation", "score", "source is", "jaccard", "cosine"):
        table.add_column(col)
    for i, h in enumerate(result.hits, 1):
        src = h.direction.get("source")
        table.add_row(
            str(i),
            Text(h.id),
            h.relation.value,
            f"{h.score:.3f}",
            {"query": "the query", "hit": "the hit"}.get(str(src), "undecided"),
            f"{h.scores.get('jaccard', 0):.2f}",
            f"{h.scores.get('cosine', 0):.2f}",
        )
    console.print(table)
    for h in result.hits:
        if h.comparison is not None:
            from retold.report import print_comparison

            console.print(Text(f"\n{h.id}", style="bold"))
            print_comparison(h.comparison, source_name="source", copy_name="copy")
    return 0


def _cmd_dedup(args: argparse.Namespace) -> int:
    from retold.dedup import dedup, write_rows

    out = Path(args.out)
    if out.suffix.lower() not in (".parquet", ".jsonl"):
        raise ConfigError(f"--out must end in .parquet or .jsonl, got {out.name}")
    if args.engine == "spark":
        return _spark_dedup(args)
    if not out.parent.is_dir():
        raise ConfigError(f"--out {args.out}: directory {str(out.parent)!r} does not exist")
    with tempfile.TemporaryDirectory(prefix="retold-") as tmp:
        store = _open_store(args.db or os.path.join(tmp, "dedup.db"))
        try:
            if args.paths:
                _run_index(args, store)
            elif not args.db:
                raise ConfigError("give PATHs to group, or --db with an existing index")
            say = _say if _progress_wanted(args) else None
            result = dedup(store, progress=say)
        finally:
            store.close()
    write_rows(result.rows, out)
    fams = result.families
    sizes = Counter(len(v) for v in fams.values())
    copies = sum(len(v) - 1 for v in fams.values())
    relations = Counter(r.relation for r in result.rows if r.relation != "original")
    print(f"{len(result.rows):,} documents, {len(fams):,} copy families, {copies:,} documents are copies")
    print("family sizes: " + ", ".join(f"{k}: {v}" for k, v in sorted(sizes.items())))
    print("copies by relation: " + ", ".join(f"{k} {v}" for k, v in relations.most_common()))
    print(
        f"candidate pairs checked: {result.candidate_pairs:,}; verified copy edges: {result.verified_edges:,}"
    )
    near = [r for r in result.rows if r.relation not in ("original", "identical")]
    if near:
        print("near-duplicates and rewrites found (copy -> original):")
        for r in sorted(near, key=lambda r: -r.score)[:20]:
            print(f"  {r.id} -> {r.original}  {r.relation} {r.score:.3f}")
        if len(near) > 20:
            print(f"  ... and {len(near) - 20} more in {out}")
    print(f"rows written to {out}")
    return 0


def _spark_paths(args: argparse.Namespace) -> list[str]:
    if not args.paths:
        raise ConfigError("--engine spark needs input PATHs")
    return list(args.paths)


def _spark_index(args: argparse.Namespace) -> int:
    from retold import spark as rs

    if not args.out:
        raise ConfigError("--engine spark writes Parquet: give --out DIR")
    with _spark_session(args.spark_master) as spark:
        docs = rs.read_documents(spark, _spark_paths(args), on_error=args.on_error, on_skip=_report_skip)
        prepared = rs.prepare(docs, on_error=args.on_error, on_skip=_report_skip)
        rs.index(prepared, args.out)
        n = spark.read.parquet(f"{args.out.rstrip('/')}/documents").count()
    sys.stderr.write(f"indexed {n:,} documents into {args.out}/documents and {args.out}/bands\n")
    return 0


@contextmanager
def _spark_session(master: str | None) -> Iterator[Any]:
    """A Spark session, stopped at the end; a failed Spark job is raised as :func:`_spark_failure`."""
    from retold import spark as rs

    spark = rs.session(master)
    try:
        yield spark
    except Exception as exc:
        if type(exc).__name__ == "Py4JJavaError":  # a failed job: its cause, not a Java stack
            raise _spark_failure(exc) from exc
        raise
    finally:
        spark.stop()


def _spark_failure(exc: Exception) -> RetoldError:
    """A failed Spark job (py4j's ``Py4JJavaError``) as a one-line error naming its cause, e.g. a
    lost task result or an executor out of memory."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    first = lines[0] if lines else ""
    cause = next((ln for ln in lines if "Exception" in ln and not ln.startswith("at ")), first)
    return RetoldError(f"the Spark job failed: {cause[:500]}")


def _spark_dedup(args: argparse.Namespace) -> int:
    from retold import spark as rs

    with _spark_session(args.spark_master) as spark:
        docs = rs.read_documents(spark, _spark_paths(args), on_error=args.on_error, on_skip=_report_skip)
        rows = rs.dedup(docs, on_error=args.on_error, on_skip=_report_skip).cache()
        writer = rows.orderBy("id").write.mode("overwrite")
        if args.out.lower().endswith(".parquet"):
            writer.parquet(args.out)
        else:
            writer.json(args.out)
        stats = rows.groupBy("relation").count().collect()
        families = rows.where(rows.relation != "original").select("cluster").distinct().count()
    counts = {r["relation"]: r["count"] for r in stats}
    total = sum(counts.values())
    copies = total - counts.get("original", 0)
    print(f"{total:,} documents, {families:,} copy families, {copies:,} documents are copies")
    print(
        "copies by relation: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k != "original")
    )
    print(f"rows written to {args.out} (a directory of Parquet/JSON part files, replaced as a whole)")
    return 0
