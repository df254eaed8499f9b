"""References to a group named just before: "All three have left", "Both men denied it".

A rewrite often names people once and then counts them; the sentence model does not know
that "all three" are the three names of the sentence before, nor a figure detector that
"three" counts a list. This module reads both, by the surface: a coordinated list of
capitalised names ("Ann Lee, Bo Chen and Cy Diaz") and a sentence opening on a count of
them.
"""

from __future__ import annotations

import re

# A sentence that opens on a count of people or things named just before ("All three have left",
# "Both men denied it", "The pair met"): the words, and how many names they stand for.
_GROUP_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "pair": 2, "duo": 2, "trio": 3}
_GROUP_REFERENCE = re.compile(
    r"^(?:(?:all|the)\s+(two|three|four|five|six)|the\s+(pair|duo|trio)|(both))"
    # what they are: "men", "of them", or any plural noun ("The two companies"), not a verb ("has")
    r"(?:\s+(?:men|women|of\s+them|(?!(?:has|was|is|does)\b)[a-z]{2,}s))?\b",
    re.IGNORECASE,
)
# A name: capitalised words, with the particles of surnames before one ("Ludwig van Beethoven";
# not the "al" of "Jones all agreed").
_WORD = r"[A-Z][\w'’-]*"
_NAME = rf"{_WORD}(?:\s+(?:(?:de|van|von|da|del|der|le|la|bin|al)\s+)?{_WORD})*"
_NAME_LIST = re.compile(rf"{_NAME}(?:,\s+{_NAME})*,?\s+(?:and|&)\s+{_NAME}")
_LIST_SEPARATOR = re.compile(r",\s+(?:and\s+|&\s+)?|\s+(?:and|&)\s+")


def group_names(text: str, before: str) -> tuple[int, list[str]] | None:
    """The names an opening reference to a group in ``text`` ("All three", "Both", "The pair")
    stands for: the last list of as many names in the sentence ``before`` it, each by its last
    word as news names people the second time; with the end of the reference in ``text``. None
    when ``text`` opens on no such reference or the names are not there.

    >>> group_names("Both denied it.", "Police questioned John Smith and Ken Brown.")
    (4, ['Smith', 'Brown'])
    """
    m = _GROUP_REFERENCE.match(text)
    if m is None:
        return None
    count = _GROUP_WORDS[(m.group(1) or m.group(2) or "two").lower()]
    for found in reversed(list(_NAME_LIST.finditer(before))):
        names = [n.split()[-1] for n in _items(found.group())]
        if len(names) == count:
            return m.end(), names
    return None


def resolve_group_reference(text: str, before: str) -> str | None:
    """``text`` with an opening reference to a group replaced by the names it stands for (see
    :func:`group_names`), or None.

    >>> resolve_group_reference("All three have retired.", "Ann Lee, Bo Chen and Cy Diaz won.")
    'Lee, Chen and Diaz have retired.'
    """
    found = group_names(text, before)
    if found is None:
        return None
    end, names = found
    return f"{', '.join(names[:-1])} and {names[-1]}{text[end:]}"


def name_list_sizes(text: str) -> set[int]:
    """How many names each coordinated list of names in ``text`` holds.

    >>> sorted(name_list_sizes("Ann Lee, Bo Chen and Cy Diaz met Ed Fox and Al Gore."))
    [2, 3]
    """
    return {len(_items(m.group())) for m in _NAME_LIST.finditer(text)}


def _items(name_list: str) -> list[str]:
    """The names of a coordinated list ("Ann Lee, Bo Chen and Cy Diaz" -> three)."""
    return [p for p in _LIST_SEPARATOR.split(name_list) if p]


def counts_a_list(word: str) -> int | None:
    """The number of names a count word at the head of a group reference stands for ("three" -> 3)."""
    return _GROUP_WORDS.get(word.lower())
