"""Layout shared by the report renderers: display rows and highlight segments.

Rows follow the alignment in copy order. Source-only material (omitted
sentences, sentences the copy restates elsewhere, source boilerplate) is slotted in after the row holding the
nearest preceding source sentence, so both columns read in document order as
far as the alignment allows.

Highlights come from the change spans, which index the *input* text. A view
character ``k`` of a document sits at input offset ``k`` for plain text and at
``doc.offsets[k]`` for HTML, so a character is covered by a change when its
input offset falls inside the change span.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from retold.types import CleanDocument, Comparison, SentenceLink, TextSpan

CellKind = Literal["sentence", "boilerplate"]
RowKind = Literal["link", "omitted", "added", "restated", "boilerplate"]


@dataclass(frozen=True, slots=True)
class Cell:
    """One sentence or boilerplate line of one side, as a view range."""

    kind: CellKind
    index: int
    start: int
    end: int
    note: str = ""  # the boilerplate reason


@dataclass(frozen=True, slots=True)
class Row:
    """One display row: what the source and the copy show side by side."""

    kind: RowKind
    source: tuple[Cell, ...]
    copy: tuple[Cell, ...]
    link: SentenceLink | None = None


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text covered by the same set of changes (empty: unmarked).

    ``point`` marks a zero-width change (an insertion point); its text is empty.
    """

    text: str
    changes: tuple[int, ...]
    point: bool = False


def _sentence_cells(doc: CleanDocument, indices: Sequence[int]) -> tuple[Cell, ...]:
    out = []
    for i in indices:
        if 0 <= i < len(doc.sentences):
            s = doc.sentences[i]
            out.append(Cell("sentence", i, s.start, s.end))
    return tuple(out)


def layout_rows(comparison: Comparison) -> list[Row]:
    """The display rows of a comparison, in copy order with omissions in place."""
    src, cpy = comparison.source, comparison.copy
    main: list[tuple[int, int, Row]] = []  # (copy view position, order, row)
    extras: list[tuple[int, int, Row]] = []  # (source view position, order, row)
    linked_src: set[int] = set()
    linked_cpy: set[int] = set()
    for n, link in enumerate(comparison.alignment.links):
        s_cells = _sentence_cells(src, link.source)
        c_cells = _sentence_cells(cpy, link.copy)
        linked_src.update(c.index for c in s_cells)
        linked_cpy.update(c.index for c in c_cells)
        row = Row("link", s_cells, c_cells, link)
        if c_cells:
            main.append((min(c.start for c in c_cells), n, row))
        elif s_cells:
            extras.append((min(c.start for c in s_cells), n, row))
    order = len(comparison.alignment.links)
    for j, s in enumerate(cpy.sentences):
        if j not in linked_cpy:
            kind: RowKind = "restated" if j in comparison.alignment.copy_restated else "added"
            main.append((s.start, order + j, Row(kind, (), (Cell("sentence", j, s.start, s.end),))))
    for k, b in enumerate(cpy.boilerplate):
        cell = Cell("boilerplate", k, b.start, b.end, b.reason)
        main.append((b.start, order + len(cpy.sentences) + k, Row("boilerplate", (), (cell,))))
    for i, s in enumerate(src.sentences):
        if i not in linked_src:
            kind = "restated" if i in comparison.alignment.source_restated else "omitted"
            extras.append((s.start, order + i, Row(kind, (Cell("sentence", i, s.start, s.end),), ())))
    for k, b in enumerate(src.boilerplate):
        cell = Cell("boilerplate", k, b.start, b.end, b.reason)
        extras.append((b.start, order + len(src.sentences) + k, Row("boilerplate", (cell,), ())))
    main.sort(key=lambda t: (t[0], t[1]))
    extras.sort(key=lambda t: (t[0], t[1]))

    # Anchor every source-only row after the main row that holds the nearest
    # preceding source sentence (or before everything when there is none).
    starts: list[tuple[int, int]] = sorted(
        (cell.start, r) for r, (_, _, row) in enumerate(main) for cell in row.source
    )
    keys = [s for s, _ in starts]
    after: dict[int, list[Row]] = {}
    for pos, _, row in extras:
        at = bisect.bisect_left(keys, pos) - 1
        after.setdefault(starts[at][1] if at >= 0 else -1, []).append(row)
    rows = list(after.get(-1, []))
    for r, (_, _, row) in enumerate(main):
        rows.append(row)
        rows.extend(after.get(r, []))
    return rows


class Highlighter:
    """Cut the view ranges of one document into segments by change coverage."""

    def __init__(self, doc: CleanDocument, spans: Sequence[tuple[int, TextSpan]]) -> None:
        self.doc = doc
        self.spans = [(cid, sp) for cid, sp in spans if sp.end > sp.start]
        self._points: dict[tuple[int, int], list[tuple[int, int]]] = {}
        ranges = sorted(
            [(s.start, s.end) for s in doc.sentences] + [(b.start, b.end) for b in doc.boilerplate]
        )
        for cid, sp in spans:
            if sp.end > sp.start:
                continue
            for vstart, vend in ranges:  # the first range in view order claims the point
                pos = self._positions(vstart, vend)
                if pos and min(pos) <= sp.start <= max(pos) + 1:
                    at = next((vstart + k for k, p in enumerate(pos) if p >= sp.start), vend)
                    self._points.setdefault((vstart, vend), []).append((at, cid))
                    break

    def _positions(self, vstart: int, vend: int) -> list[int]:
        """The input offset of every view character in ``[vstart, vend)``."""
        if self.doc.offsets is None:
            return list(range(vstart, vend))
        return list(self.doc.offsets[vstart:vend])

    def segments(self, vstart: int, vend: int) -> list[Segment]:
        """The view text ``[vstart, vend)`` as runs of equal change coverage."""
        text = self.doc.view[vstart:vend]
        n = len(text)
        cover: list[set[int]] = [set() for _ in range(n)]
        if self.doc.offsets is None:
            for cid, sp in self.spans:
                for k in range(max(sp.start, vstart), min(sp.end, vend)):
                    cover[k - vstart].add(cid)
        elif n:
            pos = self._positions(vstart, vend)
            lo, hi = min(pos), max(pos) + 1
            live = [(cid, sp) for cid, sp in self.spans if sp.start < hi and lo < sp.end]
            for k, p in enumerate(pos):
                for cid, sp in live:
                    if sp.start <= p < sp.end:
                        cover[k].add(cid)
        points: dict[int, list[int]] = {}
        for at, cid in self._points.get((vstart, vend), []):
            points.setdefault(at - vstart, []).append(cid)
        out: list[Segment] = []
        run_start = 0
        for k in range(n + 1):
            boundary = k == n or k in points or (k > 0 and cover[k] != cover[k - 1])
            if boundary and k > run_start:
                out.append(Segment(text[run_start:k], tuple(sorted(cover[run_start]))))
                run_start = k
            for cid in points.get(k, []):
                out.append(Segment("", (cid,), point=True))
        return out
