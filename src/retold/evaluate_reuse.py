"""Scoring compare()'s relation on graded reuse (the format of Clough & Stevenson 2011).

A directory holds source texts ``orig_task<T>.txt`` and answers listed in
``file_information.csv`` (columns ``File``, ``Task``, ``Category``), each
answer written from the source of its task as ``cut`` (copy and paste),
``light`` (light revision), ``heavy`` (paraphrase) or ``non`` (written without
it). Each answer is compared with its task's source; it counts as found
*derived* when the relation is one of the copy relations (identical ...
partial_reuse) and as *not derived* when it is ``related`` or ``unrelated``.

The figures: derived accuracy (over all answers), recall of each derived
category and the false-derivation rate on ``non``, plus the full table of
category x relation.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retold.errors import InputError
from retold.evaluate import read_dataset_file

__all__ = ["CATEGORIES", "ReuseAnswer", "ReuseReport", "evaluate_reuse", "load_answers"]

CATEGORIES = ("cut", "light", "heavy", "non")  # from most to least derived
DERIVED_CATEGORIES = frozenset({"cut", "light", "heavy"})
NOT_DERIVED = frozenset({"related", "unrelated"})
_INDEX = "file_information.csv"
_COLUMNS = ("File", "Task", "Category")


@dataclass(frozen=True, slots=True)
class ReuseItem:
    """One answer to score: its file, the source it is compared with, and its label."""

    file: str
    task: str
    category: str
    answer: str
    source: str


@dataclass(frozen=True, slots=True)
class ReuseAnswer:
    """The relation compare() gave one answer, against its label."""

    file: str
    task: str
    category: str
    relation: str
    seconds: float

    @property
    def derived(self) -> bool:
        return self.relation not in NOT_DERIVED

    @property
    def correct(self) -> bool:
        return self.derived == (self.category in DERIVED_CATEGORIES)


@dataclass(frozen=True, slots=True)
class ReuseReport:
    answers: tuple[ReuseAnswer, ...]

    def table(self) -> dict[str, dict[str, int]]:
        """category -> relation -> answers."""
        counts = Counter((a.category, a.relation) for a in self.answers)
        out: dict[str, dict[str, int]] = {}
        for (cat, rel), n in sorted(counts.items()):
            out.setdefault(cat, {})[rel] = n
        return out

    def totals(self) -> dict[str, float]:
        a = self.answers
        out: dict[str, float] = {
            "answers": len(a),
            "derived_accuracy": sum(x.correct for x in a) / len(a) if a else 0.0,
        }
        for cat in CATEGORIES:
            mine = [x for x in a if x.category == cat]
            if not mine:
                continue
            if cat in DERIVED_CATEGORIES:
                out[f"{cat}_found_derived"] = sum(x.derived for x in mine) / len(mine)
            else:
                out[f"{cat}_called_derived"] = sum(x.derived for x in mine) / len(mine)
        secs = sorted(x.seconds for x in a)
        out["median_seconds_per_answer"] = secs[len(secs) // 2] if secs else 0.0
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "totals": {k: round(v, 4) for k, v in self.totals().items()},
            "table": self.table(),
            "answers": [
                {"file": x.file, "task": x.task, "category": x.category, "relation": x.relation,
                 "correct": x.correct, "seconds": round(x.seconds, 4)}
                for x in self.answers
            ],
        }

    def summary_table(self) -> Any:
        from rich.table import Table

        table = self.table()
        relations = sorted({rel for row in table.values() for rel in row})
        t = Table(title="retold eval reuse: relation of each answer to its source")
        t.add_column("category")
        for rel in relations:
            t.add_column(rel, justify="right")
        for cat in [c for c in CATEGORIES if c in table] + sorted(set(table) - set(CATEGORIES)):
            t.add_row(cat, *(str(table[cat].get(rel, "")) for rel in relations))
        t.caption = "  ".join(
            f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in self.totals().items()
        )
        return t


def _read(path: Path) -> str:
    return read_dataset_file(path, "file listed in the index not found")


def load_answers(data_dir: Path) -> Iterator[ReuseItem]:
    """The answers listed in ``data_dir/file_information.csv``, with their tasks' sources."""
    index = Path(data_dir) / _INDEX
    if not index.is_file():
        raise InputError(f"no {_INDEX} (columns {', '.join(_COLUMNS)})", path=str(data_dir))
    sources: dict[str, str] = {}
    with index.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"missing column(s) {', '.join(missing)}", path=str(index), line=1)
        for row in reader:
            line = reader.line_num
            name, task, category = (row.get(c) or "" for c in _COLUMNS)
            if category == "orig":
                continue  # the sources are listed too
            if not name or not task or category not in CATEGORIES:
                raise InputError(
                    f"expected File, Task and a Category in {', '.join(CATEGORIES)}, got {row!r}",
                    path=str(index), line=line,
                )
            if task not in sources:
                sources[task] = _read(Path(data_dir) / f"orig_task{task}.txt")
            yield ReuseItem(name, task, category, _read(Path(data_dir) / name), sources[task])


def evaluate_reuse(data_dir: Path, progress: Callable[[str], None] | None = None) -> ReuseReport:
    """Compare every answer in ``data_dir`` with its task's source and score the relation."""
    from retold.embed import default_embedder
    from retold.pipeline import compare

    default_embedder()  # load once, outside the timings
    out = []
    for item in load_answers(data_dir):
        t0 = time.perf_counter()
        result = compare(item.source, item.answer)
        out.append(
            ReuseAnswer(item.file, item.task, item.category, result.relation.value, time.perf_counter() - t0)
        )
        if progress:
            progress(item.file)
    return ReuseReport(tuple(out))
