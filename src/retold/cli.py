"""The ``retold`` command line: argument parsing and printing only.

Each command reads its inputs with :mod:`retold.io`, calls one library
function and prints the result. Library errors become CLI errors once, in
:func:`main`: ``retold: error: <message>`` on standard error, never a
traceback (set ``RETOLD_DEBUG=1`` to see one).

Exit status: 0 success, 1 failure (model, dependency, writing output),
2 bad input or usage, 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from retold import __version__
from retold.errors import ConfigError, InputError, MissingDependency, RetoldError
from retold.io import DEFAULT_MAX_BYTES, atomic_write_text, parse_date, parse_size, read_text

__all__ = ["build_parser", "main"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

_FORMATTER = argparse.RawDescriptionHelpFormatter

_MAIN_EPILOG = """\
examples:
  retold compare original.txt rewrite.txt
  retold compare original.txt rewrite.html --json > changes.json
  retold compare demo/harbour-original.txt demo/harbour-rewrite.txt --html report.html
  retold eval pairs data/rewrites --corpus data/bbc
  retold index data/bbc --db bbc.db
  retold search rewrite.txt --db bbc.db --explain
  retold dedup data/bbc --out clusters.parquet

exit status: 0 success, 1 failure (model, dependency, writing output),
2 bad input or usage, 130 interrupted. Set RETOLD_DEBUG=1 to see tracebacks.
"""

_COMPARE_DESCRIPTION = """\
Compare a news article (SOURCE) with a rewritten copy (COPY) and explain every
change of meaning: changed or blurred numbers, softened or reworded quotes,
dropped sentences, added claims, people blurred to roles, shifts in tone, and
page furniture (sign-up prompts, share bars) set apart as boilerplate.

Inputs are UTF-8 text, Markdown or HTML files; "-" reads one of them from
standard input. Character offsets in the output index each input as given
(after UTF-8 decoding, without a leading byte order mark).
"""

_COMPARE_EPILOG = """\
examples:
  retold compare demo/harbour-original.txt demo/harbour-rewrite.txt
  retold compare original.txt rewrite.txt --html report.html
  retold compare original.txt rewrite.txt --json | jq '.changes[] | .type'
  curl -s https://example.com/story | retold compare original.txt - --json
  retold compare a.txt b.txt --source-date 2024-03-05 --copy-date 2024-03-07
"""

_EVAL_PAIRS_DESCRIPTION = """\
Evaluate retold on a directory of labelled source/rewrite pairs whose sources
come from a corpus directory, and print precision/recall per change type.
"""

_EVAL_PAIRS_EPILOG = """\
examples:
  retold eval pairs ../shared/data/rewrites --corpus ../shared/data/bbc
  retold eval pairs ../shared/data/rewrites --corpus ../shared/data/bbc --json > eval.json
"""


_EVAL_REUSE_DESCRIPTION = """\
Evaluate retold's relation on graded reuse in the format of the Clough &
Stevenson (2011) corpus: each answer listed in DIR/file_information.csv is
compared with DIR/orig_task<Task>.txt. Answers labelled cut, light or heavy
should be found derived (a copy relation); answers labelled non (written
without the source) should come out related or unrelated.
"""

_EVAL_REUSE_EPILOG = """\
examples:
  retold eval reuse ../shared/data/clough-stevenson/data
  retold eval reuse ../shared/data/clough-stevenson/data --json > reuse.json
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``retold`` command, with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="retold",
        description="Find rewritten copies of news articles and show exactly what each rewrite changed.",
        epilog=_MAIN_EPILOG,
        formatter_class=_FORMATTER,
    )
    parser.add_argument("--version", action="version", version=f"retold {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands", required=True)

    cmp = commands.add_parser(
        "compare",
        help="compare an article with a rewritten copy and explain every change of meaning",
        description=_COMPARE_DESCRIPTION,
        epilog=_COMPARE_EPILOG,
        formatter_class=_FORMATTER,
    )
    cmp.add_argument(
        "source", metavar="SOURCE", help='the original article (a file path, or "-" for standard input)'
    )
    cmp.add_argument(
        "copy", metavar="COPY", help='the rewritten copy to check (a file path, or "-" for standard input)'
    )
    cmp.add_argument(
        "--json",
        action="store_true",
        help="print the comparison as JSON on standard output instead of the terminal report "
        "(keys: relation, scores, direction, boilerplate, alignment, changes)",
    )
    cmp.add_argument(
        "--html",
        metavar="PATH",
        help="also write a self-contained HTML report to PATH; an existing file is replaced "
        "atomically, so a reader never sees half a report",
    )
    cmp.add_argument(
        "--source-date",
        metavar="YYYY-MM-DD",
        help="publication date of SOURCE; helps decide which text came first",
    )
    cmp.add_argument(
        "--copy-date",
        metavar="YYYY-MM-DD",
        help="publication date of COPY; helps decide which text came first",
    )
    cmp.add_argument(
        "--max-bytes",
        metavar="N",
        default=str(DEFAULT_MAX_BYTES),
        help=f"refuse inputs larger than N bytes (default {DEFAULT_MAX_BYTES:,}); "
        "suffixes are accepted: 50MB, 64MiB",
    )
    cmp.set_defaults(func=_cmd_compare)

    ev = commands.add_parser(
        "eval",
        help="measure how well retold finds planted changes in labelled data",
        description="Measure how well retold finds rewrites and their changes in labelled data.",
        epilog="examples:\n  retold eval pairs ../shared/data/rewrites --corpus ../shared/data/bbc\n"
        "  retold eval reuse ../shared/data/clough-stevenson/data\n",
        formatter_class=_FORMATTER,
    )
    ev_commands = ev.add_subparsers(dest="eval_command", metavar="DATASET", title="datasets", required=True)
    pairs = ev_commands.add_parser(
        "pairs",
        help="score change detection on a directory of labelled source/rewrite pairs",
        description=_EVAL_PAIRS_DESCRIPTION,
        epilog=_EVAL_PAIRS_EPILOG,
        formatter_class=_FORMATTER,
    )
    pairs.add_argument("pairs_dir", metavar="DIR", help="directory of labelled rewrite pairs")
    pairs.add_argument(
        "--corpus",
        metavar="CORPUS_DIR",
        required=True,
        help="directory of the source corpus (e.g. the BBC news articles) the pairs were made from",
    )
    pairs.add_argument(
        "--json",
        action="store_true",
        help="print the full evaluation report as JSON instead of the summary table",
    )
    pairs.set_defaults(func=_cmd_eval_pairs)
    reuse = ev_commands.add_parser(
        "reuse",
        help="score the relation of graded reused answers (cut/light/heavy/non) to their sources",
        description=_EVAL_REUSE_DESCRIPTION,
        epilog=_EVAL_REUSE_EPILOG,
        formatter_class=_FORMATTER,
    )
    reuse.add_argument(
        "data_dir", metavar="DIR",
        help="directory with file_information.csv (File,Task,Category), orig_task<T>.txt and the answers",
    )
    reuse.add_argument(
        "--json",
        action="store_true",
        help="print the full evaluation report as JSON instead of the summary table",
    )
    reuse.set_defaults(func=_cmd_eval_reuse)

    from retold.cli_corpus import add_corpus_commands

    add_corpus_commands(commands, _FORMATTER)
    importlib.import_module("retold.cli_serve").add_serve_command(commands, _FORMATTER)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``retold`` command line and return its exit status.

    Args:
        argv: the arguments after the program name (default ``sys.argv[1:]``).

    Returns:
        0 on success, 1 on failure, 2 for bad input or usage, 130 when interrupted.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version, or a usage error already printed
        return e.code if isinstance(e.code, int) else (EXIT_OK if e.code is None else EXIT_USAGE)
    func: Callable[[argparse.Namespace], int] = args.func
    debug = bool(os.environ.get("RETOLD_DEBUG"))
    try:
        return func(args)
    except RetoldError as e:
        if debug:
            raise
        _error(str(e))
        return EXIT_USAGE if isinstance(e, InputError | ConfigError) else EXIT_FAILURE
    except KeyboardInterrupt:
        if debug:
            raise
        _error("interrupted", prefix="retold: ")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (e.g. `retold ... --json | head`): stop quietly.
        _silence_stdout()
        return EXIT_FAILURE


def _error(message: str, *, prefix: str = "retold: error: ") -> None:
    """Print one error line on standard error."""
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(f"{prefix}{message}\n")
        sys.stderr.flush()


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the final flush at exit cannot fail again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


@contextlib.contextmanager
def _status(message: str) -> Iterator[Callable[[str], None]]:
    """Show a spinner with ``message`` on stderr while the block runs, if stderr is a terminal.

    Yields a function that replaces the message (a no-op when nothing is shown).
    """
    if not sys.stderr.isatty():
        yield lambda _message: None
        return
    from rich.console import Console

    with Console(stderr=True).status(message) as status:
        yield lambda new: status.update(new)


def _load(module: str, name: str) -> Any:
    """Import ``module.name`` lazily, turning a missing module into MissingDependency."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name and (e.name == module or module.startswith(e.name + ".")):
            raise MissingDependency(
                f"this installation of retold has no {module} module; reinstall retold (pip install -e .)"
            ) from e
        raise MissingDependency(
            f"the Python package {e.name!r} needed by {module} is not installed; "
            "reinstall retold with its dependencies (make install, or pip install -e .)"
        ) from e
    return getattr(mod, name)


def _display_name(path: str) -> str:
    """How an input is named in reports."""
    return "stdin" if path == "-" else path


def _check_output_path(path: str) -> Path:
    """Fail early, before any slow work, when a report cannot be written to ``path``."""
    target = Path(path)
    if target.is_dir():
        raise ConfigError(f"--html {path}: is a directory; give a file name such as {target / 'report.html'}")
    parent = target.parent
    if not parent.is_dir():
        raise ConfigError(f"--html {path}: directory {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK):
        raise ConfigError(f"--html {path}: directory {str(parent)!r} is not writable")
    return target


def _cmd_compare(args: argparse.Namespace) -> int:
    """``retold compare SOURCE COPY``."""
    max_bytes = _option(parse_size, args.max_bytes, "--max-bytes")
    source_date = _option(parse_date, args.source_date, "--source-date") if args.source_date else None
    copy_date = _option(parse_date, args.copy_date, "--copy-date") if args.copy_date else None
    if args.source == "-" and args.copy == "-":
        raise ConfigError('only one of SOURCE and COPY can be "-" (standard input)')
    html_path = _check_output_path(args.html) if args.html else None

    source_text = read_text(args.source, max_bytes=max_bytes)
    copy_text = read_text(args.copy, max_bytes=max_bytes)
    source_name, copy_name = _display_name(args.source), _display_name(args.copy)

    with _status("Loading models and comparing…"):
        compare = _load("retold.pipeline", "compare")
        try:
            comparison = compare(source_text, copy_text, source_date=source_date, copy_date=copy_date)
        except InputError as e:
            if e.path is not None:
                raise
            # The library speaks of "the source" and "the copy"; say which files those are.
            raise InputError(f"{e} (source: {source_name}, copy: {copy_name})") from e

    if html_path is not None:
        render_html = _load("retold.report", "render_html")
        title = f"{Path(copy_name).name} compared with {Path(source_name).name}"
        page = render_html(comparison, title=title, source_name=source_name, copy_name=copy_name)
        try:
            atomic_write_text(html_path, page)
        except OSError as e:
            raise RetoldError(f"cannot write the HTML report to {html_path}: {e.strerror or e}") from e

    if args.json:
        sys.stdout.write(json.dumps(comparison.to_dict(), ensure_ascii=False, indent=2) + "\n")
        sys.stdout.flush()
    else:
        print_comparison = _load("retold.report", "print_comparison")
        print_comparison(comparison, source_name=source_name, copy_name=copy_name)
        sys.stdout.flush()

    if html_path is not None:
        out = sys.stderr if args.json else sys.stdout
        out.write(f"HTML report written to {html_path}\n")
        out.flush()
    return EXIT_OK


def _cmd_eval_pairs(args: argparse.Namespace) -> int:
    """``retold eval pairs DIR --corpus CORPUS_DIR``."""
    dirs = (_existing_dir(args.pairs_dir), _existing_dir(args.corpus))
    return _run_eval("retold.evaluate", "evaluate_pairs", dirs, "pairs", as_json=args.json)


def _cmd_eval_reuse(args: argparse.Namespace) -> int:
    """``retold eval reuse DIR``."""
    dirs = (_existing_dir(args.data_dir),)
    return _run_eval("retold.evaluate_reuse", "evaluate_reuse", dirs, "answers", as_json=args.json)


def _run_eval(module: str, function: str, dirs: tuple[Path, ...], noun: str, *, as_json: bool) -> int:
    """Run an evaluation with a status line, then print its report as JSON or as a table."""
    with _status("Loading models…") as update:
        evaluate = _load(module, function)
        done = 0

        def progress(item: str) -> None:
            nonlocal done
            done += 1
            update(f"Evaluated {done} {noun} (last: {item})…")

        report = evaluate(*dirs, progress=progress)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
        sys.stdout.flush()
    else:
        from rich.console import Console

        Console().print(report.summary_table())
    return EXIT_OK


def _existing_dir(path: str) -> Path:
    """``path`` as a Path, or an InputError when it is not an existing directory."""
    p = Path(path)
    if not p.exists():
        raise InputError("no such directory", path=path)
    if not p.is_dir():
        raise InputError("is a file, not a directory", path=path)
    return p


def _option(parse: Callable[[str], Any], value: str, option: str) -> Any:
    """Parse an option value, naming the option in the error."""
    try:
        return parse(value)
    except ConfigError as e:
        raise ConfigError(f"{option}: {e}") from None
