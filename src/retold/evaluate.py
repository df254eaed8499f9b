"""Scoring compare() on gold rewrite pairs (the format of shared/data/rewrites).

A reported change *locates* a gold change when its span overlaps the gold span
on the source side or on the copy side. Change recall = located gold changes /
gold changes (boilerplate scored apart); precision = reported changes that
locate some gold change / reported changes; a reported change overlapping an
equivalence is a false alarm; any content change on a republish pair is a
false alarm. Relation accuracy: predicted relation equals the gold kind
(``near_duplicate`` also counts for ``light_edit``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retold.errors import InputError
from retold.types import Change, ChangeType, Comparison


@dataclass(frozen=True, slots=True)
class GoldPair:
    id: str
    kind: str
    source_path: str
    source: str
    rewrite: str
    changes: list[dict[str, Any]]
    equivalences: list[dict[str, Any]]
    alignment: list[dict[str, Any]]


@dataclass(slots=True)
class PairScore:
    id: str
    kind: str
    relation: str
    relation_ok: bool
    gold_changes: int
    located: int
    reported: int
    reported_locating: int
    equivalence_alarms: int
    republish_alarms: int
    boiler_gold: int
    boiler_found: int
    boiler_reported: int
    seconds: float
    missed: list[dict[str, Any]] = field(default_factory=list)
    spurious: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class EvalReport:
    pairs: list[PairScore]

    def totals(self) -> dict[str, float]:
        p = self.pairs
        gold = sum(x.gold_changes for x in p)
        rep = sum(x.reported for x in p)
        b_gold = sum(x.boiler_gold for x in p)
        b_rep = sum(x.boiler_reported for x in p)
        return {
            "pairs": len(p),
            "relation_accuracy": sum(x.relation_ok for x in p) / len(p) if p else 0.0,
            "change_recall": sum(x.located for x in p) / gold if gold else 1.0,
            "change_precision": sum(x.reported_locating for x in p) / rep if rep else 1.0,
            "equivalence_false_alarms": sum(x.equivalence_alarms for x in p),
            "republish_false_alarms": sum(x.republish_alarms for x in p),
            "boilerplate_recall": sum(x.boiler_found for x in p) / b_gold if b_gold else 1.0,
            "boilerplate_precision": sum(x.boiler_found for x in p) / b_rep if b_rep else 1.0,
            "median_seconds_per_pair": sorted(x.seconds for x in p)[len(p) // 2] if p else 0.0,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "totals": {k: round(v, 4) for k, v in self.totals().items()},
            "pairs": [
                {k: getattr(x, k) for k in PairScore.__slots__}
                for x in self.pairs
            ],
        }

    def summary_table(self) -> Any:
        from rich.table import Table

        t = Table(title="retold eval: change detection on gold pairs")
        for col in ("pair", "kind", "relation", "gold", "located", "reported", "precise", "alarms"):
            t.add_column(col)
        for x in self.pairs:
            t.add_row(
                x.id, x.kind, x.relation + ("" if x.relation_ok else " ✗"), str(x.gold_changes),
                str(x.located), str(x.reported), str(x.reported_locating),
                str(x.equivalence_alarms + x.republish_alarms),
            )
        tot = self.totals()
        t.caption = "  ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in tot.items())
        return t


def read_dataset_file(path: Path, missing: str) -> str:
    """A text file of an evaluation set: UTF-8, else Latin-1 (older corpora predate UTF-8 everywhere).

    A missing or unreadable file is an InputError naming it (``missing`` says what was expected).
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(missing, path=str(path)) from exc
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or exc})", path=str(path)) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _read_source(corpus: Path, rel: str) -> str:
    return read_dataset_file(corpus / rel, "source article not found in the corpus")


def load_pairs(pairs_dir: Path, corpus_dir: Path) -> Iterator[GoldPair]:
    """Read gold pairs ``*.json`` from a directory, with their source texts."""
    files = sorted(Path(pairs_dir).glob("*.json"))
    if not files:
        raise InputError("no *.json gold pairs found", path=str(pairs_dir))
    for f in files:
        try:
            d = json.loads(f.read_text(encoding="utf-8"))
            yield GoldPair(
                d["id"], d["kind"], d["source_path"], _read_source(Path(corpus_dir), d["source_path"]),
                d["rewrite"], d.get("changes", []), d.get("equivalences", []), d.get("alignment", []),
            )
        except (KeyError, json.JSONDecodeError) as exc:
            raise InputError(f"not a gold pair ({exc})", path=str(f)) from exc


def _spans(text: str, needle: str | None) -> tuple[int, int] | None:
    if not needle:
        return None
    i = text.find(needle)
    return (i, i + len(needle)) if i >= 0 else None


def _hits(ch: Change, src: tuple[int, int] | None, dst: tuple[int, int] | None) -> bool:
    if ch.source and src and ch.source.start < src[1] and src[0] < ch.source.end:
        return True
    return bool(ch.copy and dst and ch.copy.start < dst[1] and dst[0] < ch.copy.end)


def score_pair(gold: GoldPair, result: Comparison, seconds: float) -> PairScore:
    """Score one comparison against its gold annotations."""
    content = [c for c in result.changes if c.type is not ChangeType.BOILERPLATE]
    boiler = [c for c in result.changes if c.type is ChangeType.BOILERPLATE]
    g_content = [g for g in gold.changes if g["type"] != "boilerplate"]
    g_boiler = [g for g in gold.changes if g["type"] == "boilerplate"]
    g_spans = [(_spans(gold.source, g["source"]), _spans(gold.rewrite, g["rewrite"])) for g in g_content]
    located = sum(1 for s, d in g_spans if any(_hits(c, s, d) for c in content))
    locating = [c for c in content if any(_hits(c, s, d) for s, d in g_spans)]
    e_spans = [
        (_spans(gold.source, e["source"]), _spans(gold.rewrite, e["rewrite"])) for e in gold.equivalences
    ]
    eq_alarms = sum(1 for c in content if any(_hits(c, s, d) for s, d in e_spans))
    rep_alarms = len(content) if gold.kind == "republish" else 0
    b_spans = [(_spans(gold.source, g["source"]), _spans(gold.rewrite, g["rewrite"])) for g in g_boiler]
    b_found = sum(1 for s, d in b_spans if any(_hits(c, s, d) for c in boiler))
    ok = result.relation.value == gold.kind or (
        gold.kind == "light_edit" and result.relation.value == "near_duplicate"
    )
    missed = [
        g for g, (s, d) in zip(g_content, g_spans, strict=True) if not any(_hits(c, s, d) for c in content)
    ]
    spurious = [c.to_dict() for c in content if c not in locating]
    return PairScore(
        gold.id, gold.kind, result.relation.value, ok, len(g_content), located, len(content), len(locating),
        eq_alarms, rep_alarms, len(g_boiler), b_found, len(boiler), seconds, missed, spurious,
    )


def evaluate_pairs(
    pairs_dir: Path, corpus_dir: Path, progress: Callable[[str], None] | None = None
) -> EvalReport:
    """Run compare() on every gold pair in ``pairs_dir`` and score it."""
    import time

    from retold.embed import default_embedder
    from retold.pipeline import compare

    default_embedder()  # load once, outside the timings
    scores = []
    for gold in load_pairs(pairs_dir, corpus_dir):
        t0 = time.perf_counter()
        result = compare(gold.source, gold.rewrite)
        scores.append(score_pair(gold, result, time.perf_counter() - t0))
        if progress:
            progress(gold.id)
    return EvalReport(scores)
