from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from retold.segment import split_sentences


def texts(ss):  # type: ignore[no-untyped-def]
    return [s.text for s in ss]


def test_abbreviations_numbers_and_quotes() -> None:
    text = (
        "Mr. Smith paid $10.5m to the U.S. Treasury on Monday. “It is done,” he said. "
        "Sales rose 1,300 units."
    )
    assert texts(split_sentences(text)) == [
        "Mr. Smith paid $10.5m to the U.S. Treasury on Monday.",
        "“It is done,” he said.",
        "Sales rose 1,300 units.",
    ]


def test_spaced_ellipsis_and_initials_do_not_split() -> None:
    text = "It said its “operation . . . continues”. J. K. Rowling agreed."
    assert texts(split_sentences(text)) == [
        "It said its “operation . . . continues”.", "J. K. Rowling agreed."
    ]


def test_lines_are_paragraphs() -> None:
    ss = split_sentences("Title line\n\nFirst one. Second one.\nThird")
    assert [s.paragraph for s in ss] == [0, 1, 1, 2]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .!?\n“”\"'A1,")), max_size=200))
def test_offsets_slice_back_to_the_text(text: str) -> None:
    for s in split_sentences(text):
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip()
