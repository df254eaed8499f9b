"""Records that cross stage boundaries.

Every offset is a character offset into the text the user gave (after UTF-8
decoding), so ``text[span.start:span.end]`` always gives back the span's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ChangeType(StrEnum):
    """The kinds of change of meaning retold explains."""

    NUMBER = "number"
    QUOTE = "quote"
    OMISSION = "omission"
    ADDITION = "addition"
    ENTITY = "entity"
    ATTRIBUTION = "attribution"
    TONE = "tone"
    BOILERPLATE = "boilerplate"


class Relation(StrEnum):
    """How a copy relates to its source."""

    IDENTICAL = "identical"
    REPUBLISH = "republish"
    NEAR_DUPLICATE = "near_duplicate"
    LIGHT_EDIT = "light_edit"
    PARAPHRASE = "paraphrase"
    PARTIAL_REUSE = "partial_reuse"
    RELATED = "related"
    UNRELATED = "unrelated"


class LinkKind(StrEnum):
    """How closely an aligned group of sentences keeps its wording."""

    VERBATIM = "verbatim"
    EDITED = "edited"
    PARAPHRASED = "paraphrased"


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)`` into one input text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"bad span [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class TextSpan:
    """A span with its text, as reported in a change."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a cleaned document."""

    index: int
    start: int
    end: int
    text: str
    paragraph: int

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Boilerplate:
    """A line judged to be page furniture rather than article content."""

    start: int
    end: int
    text: str
    reason: str


CHAR_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


@dataclass(frozen=True, slots=True)
class CleanDocument:
    """An input text split into content sentences and boilerplate lines.

    ``text`` is the input exactly as given. Analysis runs on ``view``: the
    input itself for plain text, the visible main text for HTML. Sentence and
    boilerplate offsets index ``view``; :meth:`input_span` maps a view range
    back to the input, so every reported span indexes what the user gave.
    """

    text: str
    view: str
    sentences: tuple[Sentence, ...]
    boilerplate: tuple[Boilerplate, ...]
    offsets: tuple[int, ...] | None = None  # view index -> input index (HTML, or decoded references)

    @property
    def body(self) -> str:
        """The content sentences joined by single spaces."""
        return " ".join(s.text for s in self.sentences)

    @property
    def is_html(self) -> bool:
        return self.offsets is not None

    def with_furniture(self, lines: list[Boilerplate]) -> tuple[CleanDocument, list[int]]:
        """The same document with ``lines`` (view ranges holding whole sentences) counted as
        boilerplate, and where each old sentence index went (-1 for a sentence now boilerplate)."""
        def inside(s: Sentence) -> bool:
            return any(b.start <= s.start and s.end <= b.end for b in lines)

        moved: list[int] = []
        kept: list[Sentence] = []
        for s in self.sentences:
            if inside(s):
                moved.append(-1)
            else:
                moved.append(len(kept))
                kept.append(Sentence(len(kept), s.start, s.end, s.text, s.paragraph))
        boiler = tuple(sorted((*self.boilerplate, *lines), key=lambda b: b.start))
        return CleanDocument(self.text, self.view, tuple(kept), boiler, self.offsets), moved

    def input_span(self, start: int, end: int) -> TextSpan:
        """The input range (with its visible text) behind ``view[start:end]``."""
        shown = self.view[start:end]
        if self.offsets is None:
            return TextSpan(start, end, shown)
        if end <= start:
            pos = self.offsets[start] if start < len(self.offsets) else len(self.text)
            return TextSpan(pos, pos, shown)
        stop = self.offsets[end - 1] + 1
        # A character that stands for a character reference ("&#233;") maps to its "&": span it all.
        if self.text[stop - 1] == "&" and (ref := CHAR_REFERENCE.match(self.text, stop - 1)):
            stop = ref.end()
        return TextSpan(self.offsets[start], stop, shown)


@dataclass(frozen=True, slots=True)
class SentenceLink:
    """Sentences of the source aligned to sentences of the copy."""

    source: tuple[int, ...]
    copy: tuple[int, ...]
    kind: LinkKind
    score: float


@dataclass(frozen=True, slots=True)
class Alignment:
    """The sentence alignment of a pair, plus what stayed unaligned."""

    links: tuple[SentenceLink, ...]
    source_unaligned: tuple[int, ...]
    copy_unaligned: tuple[int, ...]
    # Unaligned sentences whose content the other text states all the same: nearly all their
    # content words occur there and one sentence there is very close in meaning (a restatement).
    source_restated: tuple[int, ...] = ()
    copy_restated: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Change:
    """One change of meaning between source and copy.

    ``source`` or ``copy`` is None when the change has no span on that side
    (an addition has no source span, an omission no copy span).
    """

    type: ChangeType
    source: TextSpan | None
    copy: TextSpan | None
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type.value,
            "source": self.source.to_dict() if self.source else None,
            "copy": self.copy.to_dict() if self.copy else None,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Direction:
    """Which side is the original: "source", "copy", or None when undecided."""

    source: str | None
    confidence: float
    evidence: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "confidence": round(self.confidence, 3),
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True, slots=True)
class Comparison:
    """The full result of comparing a copy with its source."""

    source: CleanDocument
    copy: CleanDocument
    relation: Relation
    scores: dict[str, float]
    direction: Direction
    alignment: Alignment
    changes: tuple[Change, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract printed by ``retold compare --json``."""
        boiler = [
            {"side": side, **doc.input_span(b.start, b.end).to_dict()}
            for side, doc in (("source", self.source), ("copy", self.copy))
            for b in doc.boilerplate
        ]
        ss, cs = self.source.sentences, self.copy.sentences
        src, cpy = self.source, self.copy
        return {
            "relation": self.relation.value,
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
            "direction": self.direction.to_dict(),
            "boilerplate": boiler,
            "alignment": [
                {
                    "source": [_bounds(src, ss[i]) for i in link.source],
                    "copy": [_bounds(cpy, cs[j]) for j in link.copy],
                    "kind": link.kind.value,
                    "score": round(link.score, 4),
                }
                for link in self.alignment.links
            ],
            "changes": [c.to_dict() for c in self.changes],
        }


def _bounds(doc: CleanDocument, sentence: Sentence) -> dict[str, int]:
    span = doc.input_span(sentence.start, sentence.end)
    return {"start": span.start, "end": span.end}
