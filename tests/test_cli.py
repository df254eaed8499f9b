"""Tests of the ``retold`` command line.

Most tests run ``retold.cli.main`` in-process with the analysis replaced by a
fake, so they check argument handling, error reporting and output wiring
without the model. ``TestRealCompare`` runs the real pipeline on the demo pair.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import retold.cli
from retold.clean import clean
from retold.cli import build_parser, main
from retold.errors import ModelError
from retold.types import Alignment, Comparison, Direction, Relation

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo"
RETOLD_BIN = Path(sys.executable).parent / "retold"
JSON_KEYS = {"relation", "scores", "direction", "boilerplate", "alignment", "changes"}

SOURCE = "The council approved the plan on Tuesday. It will cost £4 million.\n"
COPY = "Sign up for our newsletter\nThe council backed the plan on Tuesday. It will cost £5 million.\n"


def fake_comparison(source: str, copy: str) -> Comparison:
    """A Comparison built without the model."""
    return Comparison(
        clean(source), clean(copy), Relation.PARAPHRASE, {"source_coverage": 1.0},
        Direction(None, 0.0, ()), Alignment((), (), ()), (),
    )


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """Replace retold.compare, retold.report and retold.evaluate with recording fakes."""
    calls: dict[str, list[Any]] = {"compare": [], "render_html": [], "print_comparison": [], "evaluate": []}

    def compare(source: str, copy: str, **kw: Any) -> Comparison:
        calls["compare"].append((source, copy, kw))
        return fake_comparison(source, copy)

    def render_html(comparison: Comparison, **kw: Any) -> str:
        calls["render_html"].append(kw)
        return "<!doctype html><html><body>report ✓</body></html>"

    def print_comparison(comparison: Comparison, console: Any = None, **kw: Any) -> None:
        calls["print_comparison"].append(kw)
        print(f"TERMINAL REPORT {comparison.relation.value}")

    class Report:
        def to_dict(self) -> dict[str, Any]:
            return {"pairs": 2, "recall": 0.5}

        def summary_table(self) -> Any:
            from rich.table import Table

            table = Table("metric", "value")
            table.add_row("recall", "0.50")
            return table

    def evaluate_pairs(pairs_dir: Path, corpus_dir: Path, progress: Any = None) -> Report:
        calls["evaluate"].append((pairs_dir, corpus_dir))
        if progress:
            progress("pair-1")
        return Report()

    monkeypatch.setitem(sys.modules, "retold.pipeline", types.SimpleNamespace(compare=compare))
    monkeypatch.setitem(
        sys.modules, "retold.report",
        types.SimpleNamespace(render_html=render_html, print_comparison=print_comparison),
    )
    monkeypatch.setitem(sys.modules, "retold.evaluate", types.SimpleNamespace(evaluate_pairs=evaluate_pairs))
    return calls


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    src, cpy = tmp_path / "source.txt", tmp_path / "copy.txt"
    src.write_text(SOURCE, encoding="utf-8")
    cpy.write_text(COPY, encoding="utf-8")
    return src, cpy


def assert_clean_error(err: str, *needles: str) -> None:
    """One ``retold: error:`` line, no traceback."""
    assert err.startswith("retold: error: "), err
    assert "Traceback" not in err
    assert err.count("\n") == 1
    for needle in needles:
        assert needle in err, (needle, err)


# --- help ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv", [[], ["compare"], ["eval"], ["eval", "pairs"], ["index"], ["search"], ["dedup"], ["serve"]]
)
def test_every_command_has_help_with_an_example(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*argv, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: retold")
    assert "examples:" in out
    assert "retold " in out.split("examples:")[1]


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def test_every_command_and_option_has_help_text() -> None:
    parsers = list(_parsers(build_parser()))
    assert [p.prog for p in parsers] == [
        "retold", "retold compare", "retold eval", "retold eval pairs", "retold eval reuse",
        "retold index", "retold search", "retold dedup", "retold serve",
    ]
    for parser in parsers:
        assert parser.description, parser.prog
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    assert choice.help, (parser.prog, choice.dest)
            else:
                assert action.help, (parser.prog, action.dest)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("retold ")


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: retold" in capsys.readouterr().err


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "a", "b", "--colour"]) == 2
    assert "unrecognized arguments: --colour" in capsys.readouterr().err


# --- compare, with the analysis faked -------------------------------------------------------


def test_compare_prints_terminal_report(
    fakes: dict[str, list[Any]], pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    src, cpy = pair
    assert main(["compare", str(src), str(cpy)]) == 0
    out, err = capsys.readouterr()
    assert "TERMINAL REPORT paraphrase" in out
    assert err == ""
    [(source, copy, kw)] = fakes["compare"]
    assert (source, copy) == (SOURCE, COPY)
    assert kw == {"source_date": None, "copy_date": None}
    assert fakes["print_comparison"] == [{"source_name": str(src), "copy_name": str(cpy)}]


def test_compare_json(
    fakes: dict[str, list[Any]], pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    src, cpy = pair
    assert main(["compare", str(src), str(cpy), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == JSON_KEYS
    assert data["relation"] == "paraphrase"
    assert data["boilerplate"][0]["text"] == "Sign up for our newsletter"
    assert fakes["print_comparison"] == []


def test_compare_passes_dates(fakes: dict[str, list[Any]], pair: tuple[Path, Path]) -> None:
    import datetime as dt

    src, cpy = pair
    assert main(["compare", str(src), str(cpy), "--json", "--source-date", "2024-03-05",
                 "--copy-date", "2024-03-07T09:00"]) == 0
    kw = fakes["compare"][0][2]
    assert kw == {"source_date": dt.date(2024, 3, 5), "copy_date": dt.date(2024, 3, 7)}


def test_compare_reads_stdin(
    fakes: dict[str, list[Any]], pair: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import io

    src, _ = pair
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(COPY.encode())))
    assert main(["compare", str(src), "-"]) == 0
    assert fakes["compare"][0][1] == COPY
    assert fakes["print_comparison"][0]["copy_name"] == "stdin"


def test_compare_html_written_atomically(
    fakes: dict[str, list[Any]], pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, cpy = pair
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "report.html"
    target.write_text("old report", encoding="utf-8")
    assert main(["compare", str(src), str(cpy), "--html", str(target)]) == 0
    out, err = capsys.readouterr()
    assert target.read_text(encoding="utf-8") == "<!doctype html><html><body>report ✓</body></html>"
    assert [p.name for p in out_dir.iterdir()] == ["report.html"]
    assert f"HTML report written to {target}" in out
    assert err == ""
    [kw] = fakes["render_html"]
    assert kw["source_name"] == str(src) and kw["copy_name"] == str(cpy)
    assert "copy.txt" in kw["title"]


def test_compare_html_message_goes_to_stderr_with_json(
    fakes: dict[str, list[Any]], pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, cpy = pair
    target = tmp_path / "r.html"
    assert main(["compare", str(src), str(cpy), "--json", "--html", str(target)]) == 0
    out, err = capsys.readouterr()
    json.loads(out)  # stdout stays pure JSON
    assert f"HTML report written to {target}" in err
    assert target.exists()


@pytest.mark.parametrize(
    ("html", "needle"),
    [("missing-dir/r.html", "does not exist"), (".", "is a directory")],
)
def test_compare_bad_html_path_fails_before_comparing(
    fakes: dict[str, list[Any]], pair: tuple[Path, Path], tmp_path: Path, html: str, needle: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    src, cpy = pair
    assert main(["compare", str(src), str(cpy), "--html", str(tmp_path / html)]) == 2
    assert_clean_error(capsys.readouterr().err, "--html", needle)
    assert fakes["compare"] == []


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--source-date", "05/03/2024"], "--source-date: invalid date"),
        (["--copy-date", "2024-02-30"], "--copy-date: invalid date"),
        (["--max-bytes", "lots"], "--max-bytes: invalid size"),
        (["--max-bytes", "0"], "--max-bytes"),
    ],
)
def test_compare_bad_options(
    fakes: dict[str, list[Any]], pair: tuple[Path, Path], extra: list[str], needle: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    src, cpy = pair
    assert main(["compare", str(src), str(cpy), *extra]) == 2
    assert_clean_error(capsys.readouterr().err, needle)
    assert fakes["compare"] == []


def test_compare_both_stdin(fakes: dict[str, list[Any]], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "-", "-"]) == 2
    assert_clean_error(capsys.readouterr().err, "standard input")


def test_model_error_exits_1(
    fakes: dict[str, list[Any]], pair: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def broken(*args: Any, **kw: Any) -> Comparison:
        raise ModelError("model file fails its sha256 check")

    monkeypatch.setitem(sys.modules, "retold.pipeline", types.SimpleNamespace(compare=broken))
    src, cpy = pair
    assert main(["compare", str(src), str(cpy)]) == 1
    assert_clean_error(capsys.readouterr().err, "sha256")


def test_library_input_error_names_the_files(
    fakes: dict[str, list[Any]], pair: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from retold.errors import InputError

    def no_content(*args: Any, **kw: Any) -> Comparison:
        raise InputError("the copy has no sentences of content")

    monkeypatch.setitem(sys.modules, "retold.pipeline", types.SimpleNamespace(compare=no_content))
    src, cpy = pair
    assert main(["compare", str(src), str(cpy)]) == 2
    assert_clean_error(capsys.readouterr().err, "no sentences", f"copy: {cpy}")


def test_keyboard_interrupt_exits_130(
    fakes: dict[str, list[Any]], pair: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def interrupted(*args: Any, **kw: Any) -> Comparison:
        raise KeyboardInterrupt

    monkeypatch.setitem(sys.modules, "retold.pipeline", types.SimpleNamespace(compare=interrupted))
    src, cpy = pair
    assert main(["compare", str(src), str(cpy)]) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "Traceback" not in err


def test_broken_pipe_is_quiet(
    fakes: dict[str, list[Any]], pair: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    class ClosedPipe:
        def write(self, s: str) -> int:
            raise BrokenPipeError

        def flush(self) -> None:
            raise BrokenPipeError

        def fileno(self) -> int:
            raise OSError("no file descriptor")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    src, cpy = pair
    assert main(["compare", str(src), str(cpy), "--json"]) == 1
    assert capsys.readouterr().err == ""


def test_missing_module_is_reported_cleanly(
    pair: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "retold.pipeline", None)  # makes the import fail
    src, cpy = pair
    assert main(["compare", str(src), str(cpy)]) == 1
    assert_clean_error(capsys.readouterr().err, "retold.pipeline")


def test_debug_env_shows_traceback(
    fakes: dict[str, list[Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from retold.errors import InputError

    monkeypatch.setenv("RETOLD_DEBUG", "1")
    with pytest.raises(InputError):
        main(["compare", str(tmp_path / "a"), str(tmp_path / "b")])


# --- bad input files ------------------------------------------------------------------------


def _bad_input(tmp_path: Path, kind: str) -> Path:
    p = tmp_path / f"{kind}.txt"
    if kind == "empty":
        p.write_bytes(b"")
    elif kind == "binary":
        p.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8)
    elif kind == "latin1":
        p.write_bytes("Line one.\nLine two.\nCafé".encode("latin-1"))
    elif kind == "huge":
        with p.open("wb") as f:
            line = b"All work and no play makes a very long article indeed. " * 20 + b"\n"
            for _ in range(50_000_000 // len(line) + 1):
                f.write(line)
    elif kind == "missing":
        pass
    elif kind == "directory":
        p.mkdir()
    return p


BAD_INPUTS = [
    ("empty", "empty"),
    ("binary", "binary"),
    ("latin1", "not valid UTF-8"),
    ("huge", "--max-bytes"),
    ("missing", "no such file"),
    ("directory", "is a directory"),
]


@pytest.mark.parametrize(("kind", "needle"), BAD_INPUTS)
@pytest.mark.parametrize("side", ["source", "copy"])
def test_bad_input_files(
    fakes: dict[str, list[Any]], pair: tuple[Path, Path], tmp_path: Path, kind: str, needle: str, side: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if kind == "huge" and side == "copy":
        pytest.skip("one 50 MB file is enough")
    bad = _bad_input(tmp_path, kind)
    good = pair[0]
    argv = ["compare", str(bad), str(good)] if side == "source" else ["compare", str(good), str(bad)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert_clean_error(err, needle, str(bad))
    if kind == "latin1":
        assert f"{bad}:3:" in err  # names the line
    if kind == "huge":
        assert "20,000,000" in err
    assert fakes["compare"] == []


def test_huge_file_passes_with_raised_limit(
    fakes: dict[str, list[Any]], pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.txt"
    big.write_text("A sentence of the article. " * 1000, encoding="utf-8")
    assert main(["compare", str(pair[0]), str(big), "--json", "--max-bytes", "10kB"]) == 2
    assert "--max-bytes" in capsys.readouterr().err
    assert main(["compare", str(pair[0]), str(big), "--json", "--max-bytes", "1MB"]) == 0


def test_subprocess_huge_file_no_traceback(tmp_path: Path) -> None:
    """The installed ``retold`` script refuses a 50 MB file with one clear line."""
    big = _bad_input(tmp_path, "huge")
    other = tmp_path / "other.txt"
    other.write_text(SOURCE, encoding="utf-8")
    proc = subprocess.run(
        [str(RETOLD_BIN), "compare", str(big), str(other)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "RETOLD_DEBUG": ""},
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert_clean_error(proc.stderr, str(big), "bytes", "--max-bytes")


@pytest.mark.parametrize("kind", ["latin1", "missing"])
def test_subprocess_python_m(tmp_path: Path, kind: str) -> None:
    bad = _bad_input(tmp_path, kind)
    proc = subprocess.run(
        [sys.executable, "-m", "retold", "compare", str(bad), str(bad)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    assert_clean_error(proc.stderr, str(bad))


# --- eval -----------------------------------------------------------------------------------


def test_eval_pairs_table(
    fakes: dict[str, list[Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pairs").mkdir()
    (tmp_path / "bbc").mkdir()
    assert main(["eval", "pairs", str(tmp_path / "pairs"), "--corpus", str(tmp_path / "bbc")]) == 0
    out = capsys.readouterr().out
    assert "recall" in out and "0.50" in out
    assert fakes["evaluate"] == [(tmp_path / "pairs", tmp_path / "bbc")]


def test_eval_pairs_json(
    fakes: dict[str, list[Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "pairs", str(tmp_path), "--corpus", str(tmp_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"pairs": 2, "recall": 0.5}


@pytest.mark.parametrize("which", ["pairs", "corpus"])
def test_eval_pairs_missing_dir(
    fakes: dict[str, list[Any]], tmp_path: Path, which: str, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "nope")
    argv = ["eval", "pairs", missing, "--corpus", str(tmp_path)]
    if which == "corpus":
        argv = ["eval", "pairs", str(tmp_path), "--corpus", missing]
    assert main(argv) == 2
    assert_clean_error(capsys.readouterr().err, missing, "no such directory")
    assert fakes["evaluate"] == []


def test_eval_pairs_needs_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "pairs", "."]) == 2
    assert "--corpus" in capsys.readouterr().err


# --- the real pipeline on the demo pair -----------------------------------------------------


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, str, Path]:
    """One run of the installed script on the demo pair, with --json and --html."""
    html = tmp_path_factory.mktemp("report") / "demo-report.html"
    source, copy = DEMO / "harbour-original.txt", DEMO / "harbour-rewrite.txt"
    proc = subprocess.run(
        [str(RETOLD_BIN), "compare", str(source), str(copy), "--json", "--html", str(html),
         "--source-date", "2025-03-04"],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    return proc.returncode, proc.stdout, proc.stderr, html


class TestRealCompare:
    """``retold compare`` end to end with the real model, on the demo pair."""

    def test_json(self, demo_run: tuple[int, str, str, Path]) -> None:
        code, out, err, _ = demo_run
        assert code == 0, err
        data = json.loads(out)
        assert set(data) >= JSON_KEYS
        assert data["relation"] in {"paraphrase", "light_edit"}
        assert data["changes"], "the demo pair has planted changes"
        copy_text = (DEMO / "harbour-rewrite.txt").read_text(encoding="utf-8")
        for b in data["boilerplate"]:
            if b["side"] == "copy":
                assert copy_text[b["start"] : b["end"]] == b["text"]
        assert {b["text"].split()[0] for b in data["boilerplate"]} >= {"Get", "Share"}

    def test_html(self, demo_run: tuple[int, str, str, Path]) -> None:
        code, _, err, html = demo_run
        assert code == 0, err
        page = html.read_text(encoding="utf-8")
        assert "<html" in page
        assert f"HTML report written to {html}" in err
        assert list(html.parent.iterdir()) == [html]

    def test_terminal_report_in_process(self, capsys: pytest.CaptureFixture[str]) -> None:
        code = main(["compare", str(DEMO / "harbour-original.txt"), str(DEMO / "harbour-rewrite.txt")])
        out, err = capsys.readouterr()
        assert code == 0, err
        assert "harbour-rewrite.txt" in out
        assert "Traceback" not in err

    def test_identical_texts(self, capsys: pytest.CaptureFixture[str]) -> None:
        lib = str(DEMO / "library-original.txt")
        assert main(["compare", lib, lib, "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["relation"] == "identical"
        assert data["changes"] == []


def test_cli_module_is_light() -> None:
    """``retold --help`` must not pay for loading the model stack."""
    code = (
        "import sys, retold.cli; "
        "heavy = {'onnxruntime', 'spacy', 'trafilatura', 'numpy', 'retold.pipeline', 'rich'}; "
        "heavy &= set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert retold.cli.main is main


def test_a_failed_spark_job_is_one_line_naming_its_cause() -> None:
    """A Spark job that fails reaches the user as its cause, not as pages of Java stack."""
    from retold.cli_corpus import _spark_failure

    class Py4JJavaError(Exception):  # the shape of py4j's error: a message and a Java stack
        pass

    exc = Py4JJavaError(
        "An error occurred while calling o314.collectToPython.\n"
        ": org.apache.spark.SparkException: Job aborted due to stage failure: TaskResultLost\n"
        "\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(DAGScheduler.scala:1)\n"
    )
    msg = str(_spark_failure(exc))
    assert msg.startswith("the Spark job failed: ") and "TaskResultLost" in msg
    assert "\n" not in msg and "DAGScheduler" not in msg
