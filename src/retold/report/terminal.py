"""A compact terminal view of a comparison, rendered with rich.

Article text, notes and names are escaped (``rich.markup.escape``) wherever
they enter console markup, and otherwise carried as plain ``Text`` objects,
so markup-like text in an article prints literally.
"""

from __future__ import annotations

import math
import re

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from retold.types import ChangeType, Comparison, TextSpan

TYPE_STYLES: dict[ChangeType, str] = {
    ChangeType.NUMBER: "bold yellow",
    ChangeType.QUOTE: "bold magenta",
    ChangeType.OMISSION: "bold red",
    ChangeType.ADDITION: "bold green",
    ChangeType.ENTITY: "bold blue",
    ChangeType.ATTRIBUTION: "bold dark_orange",
    ChangeType.TONE: "bold hot_pink",
    ChangeType.BOILERPLATE: "dim",
}

_EVIDENCE_SHOWN = 3


def shorten(text: str, width: int = 70) -> str:
    """Collapse white space and cut ``text`` to ``width`` characters with an ellipsis."""
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= width else flat[: max(1, width - 1)].rstrip() + "…"


def _num(value: float) -> str:
    return f"{value:.2f}" if math.isfinite(value) else str(value)


def _lines(n: int) -> str:
    return f"{n} line" if n == 1 else f"{n} lines"


def _direction(comparison: Comparison, source_name: str, copy_name: str) -> str:
    d = comparison.direction
    conf = f"confidence {d.confidence:.0%}"
    if d.source == "source":
        who = f"[bold]{escape(source_name)}[/bold] looks like the original"
    elif d.source == "copy":
        who = f"[bold]{escape(copy_name)}[/bold] looks like the original [yellow](roles swapped)[/yellow]"
    elif d.source:
        who = f"[bold]{escape(d.source)}[/bold] looks like the original"
    else:
        who = "undecided which text came first"
    return f"{who} ({conf})"


def _restated(idx: tuple[int, ...]) -> str:
    return f" ({len(idx)} restated elsewhere)" if idx else ""


def _verdict(comparison: Comparison, source_name: str, copy_name: str) -> Panel:
    src, cpy = comparison.source, comparison.copy
    links = comparison.alignment.links
    aligned_src = {i for link in links for i in link.source if 0 <= i < len(src.sentences)}
    aligned_cpy = {j for link in links for j in link.copy if 0 <= j < len(cpy.sentences)}
    scores = "  ".join(
        f"{escape(k.replace('_', ' '))} [bold]{_num(v)}[/bold]" for k, v in comparison.scores.items()
    )
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    rel = comparison.relation.value
    label = escape(rel.replace("_", " "))
    grid.add_row("relation", f"[bold cyan]{label}[/bold cyan] [dim]({escape(rel)})[/dim]")
    grid.add_row("scores", scores or "—")
    grid.add_row("direction", _direction(comparison, source_name, copy_name))
    for item in comparison.direction.evidence[:_EVIDENCE_SHOWN]:
        grid.add_row("", f"[dim]•[/dim] {escape(shorten(item, 100))}")
    more = len(comparison.direction.evidence) - _EVIDENCE_SHOWN
    if more > 0:
        grid.add_row("", f"[dim]… and {more} more[/dim]")
    grid.add_row(
        "sentences",
        f"{escape(source_name)}: {len(aligned_src)}/{len(src.sentences)} aligned, "
        f"{len(src.sentences) - len(aligned_src)} omitted{_restated(comparison.alignment.source_restated)} · "
        f"{escape(copy_name)}: {len(aligned_cpy)}/{len(cpy.sentences)} aligned, "
        f"{len(cpy.sentences) - len(aligned_cpy)} added{_restated(comparison.alignment.copy_restated)}",
    )
    grid.add_row(
        "boilerplate",
        f"{escape(source_name)}: {_lines(len(src.boilerplate))} · "
        f"{escape(copy_name)}: {_lines(len(cpy.boilerplate))}",
    )
    title = f"retold: {escape(source_name)} → {escape(copy_name)}"
    return Panel(grid, title=title, title_align="left", border_style="cyan", expand=False)


def _span_text(span: TextSpan | None, width: int) -> Text:
    if span is None:
        return Text("—", style="dim")
    return Text(shorten(span.text, width) or "(empty)")


def _changes(comparison: Comparison, source_name: str, copy_name: str) -> Table | Text:
    if not comparison.changes:
        return Text("No changes of meaning found.", style="green")
    table = Table(title=f"{len(comparison.changes)} changes", title_justify="left", expand=True)
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("type", no_wrap=True)
    table.add_column(escape(source_name), ratio=3, overflow="fold")
    table.add_column(escape(copy_name), ratio=3, overflow="fold")
    table.add_column("note", ratio=3, overflow="fold")
    for n, change in enumerate(comparison.changes, 1):
        kind = change.type.value
        table.add_row(
            str(n),
            Text(kind, style=TYPE_STYLES.get(change.type, "")),
            _span_text(change.source, 70),
            _span_text(change.copy, 70),
            Text(shorten(change.note, 90)),
        )
    return table


def print_comparison(
    comparison: Comparison,
    console: Console | None = None,
    *,
    source_name: str = "source",
    copy_name: str = "copy",
) -> None:
    """Print a verdict panel and a table of the changes to ``console`` (default: stdout)."""
    out = console if console is not None else Console()
    verdict = _verdict(comparison, source_name, copy_name)
    out.print(Group(verdict, _changes(comparison, source_name, copy_name)))
