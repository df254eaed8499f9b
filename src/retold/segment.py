"""Sentence segmentation with character offsets into the original text.

Rule-based and fast: a sentence ends at ``.``, ``!`` or ``?`` (optionally
followed by closing quotes or brackets) when the next word starts a new
sentence, and always at a blank line or a line break between paragraphs.
Abbreviations ("Mr.", "U.S.", "e.g."), decimals ("2.5"), initials
("J. K. Rowling") and spaced ellipses (". . .") do not end a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from retold.types import Sentence

_ABBREVIATIONS = frozenset(
    ["mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "gen", "col", "lt", "sgt", "capt", "cmdr", "adm",
     "gov", "sen", "rep", "rev", "hon", "pres", "supt", "insp", "det", "fr", "mt", "ft", "no", "nos", "vol",
     "vols", "fig", "figs", "approx", "est", "dept", "univ", "inc", "ltd", "co", "corp", "bros", "plc",
     "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue",
     "wed", "thu", "fri", "sat", "sun", "vs", "etc", "al", "eg", "ie", "cf", "op", "pp", "ed", "eds"]
)

# Candidate sentence ends: terminal punctuation, optional closers, then space.
_END = re.compile(r"""([.!?]+|\.\s\.\s\.)(["'”’)\]]*)(\s+)""")
_OPENERS = "\"'“‘(["


def _ends_sentence(text: str, m: re.Match[str]) -> bool:
    """Decide whether the punctuation matched by ``m`` closes a sentence."""
    punct, closers, space = m.group(1), m.group(2), m.group(3)
    nxt_pos = m.end()
    if nxt_pos >= len(text):
        return True
    nxt = text[nxt_pos]
    if "\n" in space:
        return True
    if punct.startswith(". ."):  # spaced ellipsis inside a quote
        return False
    if nxt.islower() or nxt in ",;:)]":
        return False
    if punct != ".":
        return nxt.isupper() or nxt.isdigit() or nxt in _OPENERS
    if closers:
        return nxt.isupper() or nxt.isdigit() or nxt in _OPENERS
    # A full stop directly after a word: check for abbreviations and initials.
    word_match = re.search(r"([\w.&'-]+)$", text[: m.start(1)])
    word = word_match.group(1) if word_match else ""
    bare = word.replace(".", "").lower()
    if bare in _ABBREVIATIONS:
        return False
    if len(word) == 1 and word.isupper():  # initial: "J. Smith"
        return False
    if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word):  # "U.S", "e.g"
        # "U.S." ends a sentence only when a clear new sentence follows.
        following = text[nxt_pos : nxt_pos + 20].split(" ", 1)[0]
        return following.lower() in {
            "the", "a", "an", "he", "she", "it", "they", "we", "i", "but", "in", "this"
        }
    return nxt.isupper() or nxt.isdigit() or nxt in _OPENERS


def _paragraphs(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Yield the non-blank lines of ``text[start:end]`` as paragraph ranges."""
    pos = start
    for line in text[start:end].splitlines(keepends=True):
        line_end = pos + len(line)
        body = line.rstrip("\r\n")
        stripped = body.strip()
        if stripped:
            lead = len(body) - len(body.lstrip())
            yield pos + lead, pos + lead + len(stripped)
        pos = line_end


def split_sentences(
    text: str, ranges: list[tuple[int, int]] | None = None, first_paragraph: int = 0
) -> list[Sentence]:
    """Split ``text`` (or only the given ranges of it) into sentences.

    Each line is a paragraph; a sentence never crosses a line break.

    Args:
        text: the full input text; offsets index it.
        ranges: character ranges to segment (default: the whole text).
        first_paragraph: the number given to the first paragraph.

    Returns:
        Sentences in text order with ``text[s.start:s.end] == s.text``.

    Examples:
        >>> [s.text for s in split_sentences('Mr. Smith paid $1.5m. He left.')]
        ['Mr. Smith paid $1.5m.', 'He left.']
    """
    out: list[Sentence] = []
    paragraph = first_paragraph
    for r_start, r_end in ranges if ranges is not None else [(0, len(text))]:
        for p_start, p_end in _paragraphs(text, r_start, r_end):
            chunk = text[p_start:p_end]
            sent_start = 0
            for m in _END.finditer(chunk):
                if _ends_sentence(chunk, m):
                    s_end = m.end(2)
                    _append(out, text, p_start + sent_start, p_start + s_end, paragraph)
                    sent_start = m.end()
            _append(out, text, p_start + sent_start, p_end, paragraph)
            paragraph += 1
    return out


def _append(out: list[Sentence], text: str, start: int, end: int, paragraph: int) -> None:
    """Append the stripped sentence ``text[start:end]`` if it has a word in it."""
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    start += lead
    end = start + len(piece.strip())
    if end > start and any(ch.isalnum() for ch in text[start:end]):
        out.append(Sentence(len(out), start, end, text[start:end], paragraph))


def has_headline(sentences: Sequence[Sentence]) -> bool:
    """True when the first sentence is a headline: one short sentence alone on its first line,
    without a full stop."""
    if not sentences:
        return False
    s = sentences[0]
    alone = len(sentences) == 1 or sentences[1].paragraph != s.paragraph
    return alone and len(s.text.split()) <= 20 and s.text.rstrip()[-1] not in ".!?\"”"
