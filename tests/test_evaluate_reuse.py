"""Graded reuse: the relation rule that separates derived texts from texts on the same topic, and
`retold eval reuse` on answers in the Clough & Stevenson format (made up here)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from made_up import article
from retold.clean import clean
from retold.cli import main
from retold.relation import DERIVED_LINK, classify, coverage_scores
from retold.types import Alignment, LinkKind, Relation, SentenceLink

_SOURCE = (
    "The river authority opened a new flood barrier on the east bank on Tuesday. "
    "The barrier cost 40 million pounds and took three years to build. "
    "Engineers say it will protect 2,000 homes from a one-in-a-hundred-year flood. "
    "Residents had campaigned for the scheme since the floods of 2012. "
    "The authority plans a second barrier further upstream. "
    "Work on it is due to start next spring."
)
_OTHER = (
    "A flood barrier now guards homes along the east bank of the river. "
    "Local people asked for protection for many years after their streets flooded. "
    "The structure is large and was expensive. "
    "Officials hope it will keep water out of houses in a severe flood. "
    "More defences may follow in the years ahead. "
    "Some residents remain worried about the west bank."
)


def _relation(kinds: list[tuple[LinkKind, float]]) -> Relation:
    """The relation of the two texts above when sentences 0, 1, ... are linked with these kinds."""
    src, cpy = clean(_SOURCE), clean(_OTHER)
    links = tuple(SentenceLink((i,), (i,), kind, score) for i, (kind, score) in enumerate(kinds))
    used = set(range(len(kinds)))
    alignment = Alignment(
        links,
        tuple(i for i in range(len(src.sentences)) if i not in used),
        tuple(j for j in range(len(cpy.sentences)) if j not in used),
    )
    scores = coverage_scores(src, cpy, alignment)
    scores["document_cosine"] = 0.8  # the same topic
    return classify(src, cpy, alignment, scores)


def test_paraphrase_level_links_alone_are_the_same_story_not_reuse() -> None:
    # Two texts on one topic state the same facts: sentences pair up at paraphrase level.
    weak = DERIVED_LINK - 0.05
    assert _relation([(LinkKind.PARAPHRASED, weak), (LinkKind.PARAPHRASED, weak)]) is Relation.RELATED


@pytest.mark.parametrize(
    "kinds",
    [
        [(LinkKind.EDITED, 0.9), (LinkKind.VERBATIM, 1.0)],
        [(LinkKind.PARAPHRASED, DERIVED_LINK + 0.05), (LinkKind.PARAPHRASED, DERIVED_LINK + 0.1)],
    ],
    ids=["shared wording", "close paraphrase"],
)
def test_two_passages_kept_in_wording_or_closely_paraphrased_are_partial_reuse(
    kinds: list[tuple[LinkKind, float]],
) -> None:
    assert _relation(kinds) is Relation.PARTIAL_REUSE


def test_one_derived_link_among_weak_ones_is_not_enough() -> None:
    kinds = [(LinkKind.EDITED, 0.7), (LinkKind.PARAPHRASED, 0.65), (LinkKind.PARAPHRASED, 0.64)]
    assert _relation(kinds) is Relation.RELATED


# --- retold eval reuse ---------------------------------------------------------------------------


def _corpus(tmp_path: Path, rows: list[str]) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    rng = random.Random(7)
    orig = article(rng, paragraphs=4)
    (data / "orig_taska.txt").write_text(orig, encoding="utf-8")
    body = orig.split("\n\n")
    # copy and paste: two paragraphs of the source under a line of the answer's own
    cut = "My answer follows.\n\n" + "\n\n".join(body[1:3]) + "\n"
    (data / "cut_a.txt").write_text(cut, encoding="utf-8")
    (data / "non_a.txt").write_text(article(random.Random(99), paragraphs=3), encoding="utf-8")
    (data / "file_information.csv").write_text("File,Task,Category\n" + "".join(r + "\n" for r in rows))
    return data


def test_eval_reuse_reports_each_answer_and_the_derived_accuracy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], embedder: object
) -> None:
    data = _corpus(tmp_path, ["orig_taska.txt,a,orig", "cut_a.txt,a,cut", "non_a.txt,a,non"])
    assert main(["eval", "reuse", str(data), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    by_file = {a["file"]: a for a in report["answers"]}
    assert set(by_file) == {"cut_a.txt", "non_a.txt"}  # the source is not an answer
    assert by_file["cut_a.txt"]["relation"] == "partial_reuse" and by_file["cut_a.txt"]["correct"]
    assert by_file["non_a.txt"]["relation"] in ("related", "unrelated") and by_file["non_a.txt"]["correct"]
    assert report["totals"]["derived_accuracy"] == 1.0
    assert report["totals"]["non_called_derived"] == 0.0
    assert report["table"] == {"cut": {"partial_reuse": 1}, "non": {by_file["non_a.txt"]["relation"]: 1}}


@pytest.mark.parametrize(
    ("rows", "where", "what"),
    [
        (["cut_a.txt,a,cut", "non_a.txt,a,sideways"], "file_information.csv:3", "Category"),
        (["cut_a.txt,a,cut", "gone.txt,a,non"], "gone.txt", "not found"),
        (["cut_a.txt,b,cut"], "orig_taskb.txt", "not found"),
    ],
    ids=["unknown category", "missing answer", "missing source"],
)
def test_eval_reuse_bad_index_names_the_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: list[str], where: str, what: str
) -> None:
    data = _corpus(tmp_path, rows)
    assert main(["eval", "reuse", str(data)]) == 2
    err = capsys.readouterr().err
    assert where in err and what in err and "Traceback" not in err


def test_eval_reuse_needs_the_index_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "reuse", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "file_information.csv" in err and str(tmp_path) in err
