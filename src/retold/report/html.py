"""A self-contained, side-by-side HTML report of a comparison.

The page has no external resources: styles and script are inline and allowed
by hash in a strict Content-Security-Policy, so nothing else can run or load
even if escaping were ever to fail. Every piece of article text, every note
and every name is escaped; articles are untrusted input.
"""

from __future__ import annotations

import html
import math
from collections import Counter

from retold import __version__
from retold.report._assets import CONTENT_SECURITY_POLICY, CSS, JS
from retold.report._layout import Cell, Highlighter, Row, Segment, layout_rows
from retold.types import ChangeType, CleanDocument, Comparison, Direction, TextSpan

_SIDES = ("s", "c")  # source, copy: the suffixes of mark anchors


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _human(name: str) -> str:
    return name.replace("_", " ")


def _num(value: float) -> str:
    return f"{value:.2f}" if math.isfinite(value) else str(value)


def _aligned(comparison: Comparison) -> tuple[set[int], set[int]]:
    src: set[int] = set()
    cpy: set[int] = set()
    for link in comparison.alignment.links:
        src.update(i for i in link.source if 0 <= i < len(comparison.source.sentences))
        cpy.update(j for j in link.copy if 0 <= j < len(comparison.copy.sentences))
    return src, cpy


def direction_text(direction: Direction, source_name: str, copy_name: str) -> str:
    """A plain sentence saying which side looks like the original (not escaped)."""
    conf = f"confidence {direction.confidence:.0%}"
    if direction.source == "source":
        return f"“{source_name}” looks like the original ({conf})."
    if direction.source == "copy":
        return f"“{copy_name}” looks like the original, not “{source_name}” ({conf})."
    if direction.source:
        return f"“{direction.source}” looks like the original ({conf})."
    return f"Undecided which text came first ({conf})."


class _Page:
    """Renders one comparison; remembers which changes got a highlight."""

    def __init__(self, comparison: Comparison, source_name: str, copy_name: str) -> None:
        self.cmp = comparison
        self.names = (source_name, copy_name)
        self.changes = comparison.changes
        spans: tuple[list[tuple[int, TextSpan]], list[tuple[int, TextSpan]]] = ([], [])
        for cid, change in enumerate(self.changes):
            if change.source is not None:
                spans[0].append((cid, change.source))
            if change.copy is not None:
                spans[1].append((cid, change.copy))
        self.lights = (Highlighter(comparison.source, spans[0]), Highlighter(comparison.copy, spans[1]))
        self.placed: tuple[set[int], set[int]] = (set(), set())

    # -- the two columns ------------------------------------------------------

    def _mark(self, seg: Segment, side: int) -> str:
        if not seg.changes:
            return _esc(seg.text)
        suffix = _SIDES[side]
        anchors = ""
        for cid in seg.changes:
            if cid not in self.placed[side]:
                self.placed[side].add(cid)
                anchors += f'<span class="anchor" id="c{cid}-{suffix}"></span>'
        kinds = sorted({self.changes[cid].type.value for cid in seg.changes})
        classes = ["chg", *(f"t-{k}" for k in kinds)]
        if len(seg.changes) > 1:
            classes.append("overlap")
        if seg.point:
            classes.append("point")
        tip = "; ".join(
            f"#{cid + 1} {self.changes[cid].type.value}: {self.changes[cid].note}" for cid in seg.changes
        )
        ids = " ".join(str(cid) for cid in seg.changes)
        body = "‸" if seg.point else _esc(seg.text)
        return (
            f'{anchors}<mark class="{_esc(" ".join(classes))}" data-changes="{ids}" '
            f'data-side="{suffix}" title="{_esc(tip)}">{body}</mark>'
        )

    def _cell(self, cell: Cell, side: int) -> tuple[str, bool]:
        segs = self.lights[side].segments(cell.start, cell.end)
        marked = any(s.changes for s in segs)
        inner = "".join(self._mark(s, side) for s in segs)
        if cell.kind == "boilerplate":
            tag = f'<span class="tag" title="{_esc(cell.note)}">boilerplate</span>'
            return f'<span class="boiler">{tag}<span class="text">{inner}</span></span>', marked
        return f'<span class="sent" data-i="{cell.index}">{inner}</span>', marked

    def _side(self, cells: tuple[Cell, ...], side: int) -> tuple[str, bool]:
        parts = [self._cell(c, side) for c in cells]
        cls = "src" if side == 0 else "cpy"
        inner = " ".join(p for p, _ in parts)
        label = _esc(self.names[side])
        return f'<div class="side {cls}" data-label="{label}">{inner}</div>', any(m for _, m in parts)

    def _row(self, row: Row) -> str:
        left, lm = self._side(row.source, 0)
        right, rm = self._side(row.copy, 1)
        classes = [f"r-{row.kind}"]
        if row.link is not None:
            kind = row.link.kind.value
            classes.append(f"k-{kind}")
            gutter = f'{_esc(kind)}<span class="score">{_num(row.link.score)}</span>'
            if kind == "verbatim" and not (lm or rm):
                classes.append("same")
        else:
            gutter = _esc(row.kind)
        if lm or rm:
            classes.append("has-changes")
        return (
            f'<div class="row {_esc(" ".join(classes))}">{left}'
            f'<div class="gutter">{gutter}</div>{right}</div>'
        )

    def columns(self) -> str:
        src, cpy = (_esc(n) for n in self.names)
        head = (
            f'<div class="row head"><div class="side">{src}</div>'
            f'<div class="gutter">alignment</div><div class="side">{cpy}</div></div>'
        )
        rows = [self._row(r) for r in layout_rows(self.cmp)]
        if not rows:
            rows = ['<p class="side empty">Neither text has any sentences.</p>']
        return '<main class="compare">\n' + head + "\n" + "\n".join(rows) + "\n</main>"

    # -- the change list ------------------------------------------------------

    def _text_cell(self, cid: int, span: TextSpan | None, side: int) -> str:
        if span is None:
            return '<td class="txt"><span class="none">—</span></td>'
        text = _esc(span.text) if span.text else '<span class="none">(empty)</span>'
        jump = ""
        if cid in self.placed[side]:
            suffix = _SIDES[side]
            where = _esc(self.names[side])
            jump = (
                f'<a class="jump" href="#c{cid}-{suffix}" data-side="{suffix}" '
                f'title="show in {where}">↗</a>'
            )
        return f'<td class="txt">{text}{jump}</td>'

    def change_table(self) -> str:
        if not self.changes:
            return '<h2>Changes</h2>\n<p class="empty">No changes of meaning found.</p>'
        src, cpy = (_esc(n) for n in self.names)
        out = [
            f"<h2>Changes ({len(self.changes)})</h2>",
            '<table class="changes">',
            f"<thead><tr><th>#</th><th>Type</th><th>{src}</th><th>{cpy}</th><th>Note</th></tr></thead>",
            "<tbody>",
        ]
        for cid, change in enumerate(self.changes):
            kind = _esc(change.type.value)
            out.append(
                f'<tr id="change-{cid}" data-change="{cid}" tabindex="0">'
                f'<td class="num">{cid + 1}</td>'
                f'<td><span class="type t-{kind}">{kind}</span></td>'
                f"{self._text_cell(cid, change.source, 0)}{self._text_cell(cid, change.copy, 1)}"
                f'<td class="note">{_esc(change.note)}</td></tr>'
            )
        out += ["</tbody>", "</table>"]
        return "\n".join(out)

    # -- header and legend ----------------------------------------------------

    def _counts(self, doc: CleanDocument, aligned: int, name: str, unaligned_word: str, restated: int) -> str:
        n = len(doc.sentences)
        lines = len(doc.boilerplate)
        also = f" ({restated} restated elsewhere)" if restated else ""
        return (
            f"<li>{_esc(name)}: {n} sentence{'s' * (n != 1)}, {aligned} aligned, "
            f"{n - aligned} {unaligned_word}{also}; {lines} boilerplate line{'s' * (lines != 1)}</li>"
        )

    def header(self) -> str:
        cmp = self.cmp
        scores = "".join(
            f"<div><dt>{_esc(_human(k))}</dt><dd>{_num(v)}"
            + (f'<meter min="0" max="1" value="{v:.4f}"></meter>' if 0.0 <= v <= 1.0 else "")
            + "</dd></div>"
            for k, v in cmp.scores.items()
        )
        evidence = "".join(f"<li>{_esc(e)}</li>" for e in cmp.direction.evidence)
        src_al, cpy_al = _aligned(cmp)
        al = cmp.alignment
        counts = (
            self._counts(cmp.source, len(src_al), self.names[0], "omitted", len(al.source_restated))
            + self._counts(cmp.copy, len(cpy_al), self.names[1], "added", len(al.copy_restated))
            + f"<li>{len(self.changes)} change{'s' * (len(self.changes) != 1)} of meaning</li>"
        )
        return (
            '<header class="verdict">'
            f'<div><span class="label">Relation</span>'
            f'<div class="relation">{_esc(_human(cmp.relation.value))}</div></div>'
            f'<div><span class="label">Scores</span><dl class="scores">{scores or "—"}</dl></div>'
            f'<div class="direction"><span class="label">Direction</span>'
            f"<p>{_esc(direction_text(cmp.direction, *self.names))}</p>"
            + (f"<ul>{evidence}</ul>" if evidence else "")
            + "</div>"
            f'<div><span class="label">Coverage</span><ul class="counts">{counts}</ul></div>'
            "</header>"
        )

    def legend(self) -> str:
        counts = Counter(c.type for c in self.changes)
        items = []
        for t in ChangeType:
            zero = "" if counts[t] else ' class="zero"'
            items.append(f'<span{zero}><span class="chip t-{t.value}"></span>{t.value} ({counts[t]})</span>')
        toggle = (
            '<label class="controls"><input type="checkbox" id="hide-same"> '
            "hide unchanged verbatim rows</label>"
        )
        return '<nav class="legend" aria-label="change types">' + "".join(items) + toggle + "</nav>"


def render_html(
    comparison: Comparison,
    *,
    title: str = "retold report",
    source_name: str = "source",
    copy_name: str = "copy",
) -> str:
    """Render a comparison as one self-contained HTML page.

    Source on the left, copy on the right, one row per alignment link in copy
    order (omitted source sentences and boilerplate slotted in at their place),
    every change highlighted on both sides and listed in a table below.
    """
    page = _Page(comparison, source_name, copy_name)
    columns = page.columns()  # first: it records which changes got a highlight
    table = page.change_table()
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
            '<meta name="referrer" content="no-referrer">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_esc(title)}</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            '<div class="wrap">',
            f"<h1>{_esc(title)}</h1>",
            f'<p class="names">{_esc(source_name)} → {_esc(copy_name)}</p>',
            page.header(),
            page.legend(),
            columns,
            table,
            f"<footer>Generated by retold {_esc(__version__)}. "
            "Click a change in the list to find it in the text.</footer>",
            "</div>",
            f"<script>{JS}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )
