"""The articles of the BBC corpus a generated test draws: its options and its sample."""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path


def add_sample_options(ap: argparse.ArgumentParser, *, sample: int, what: str) -> None:
    ap.add_argument("--corpus", default="../shared/data/bbc", help="BBC corpus folder (<topic>/<nnn>.txt)")
    ap.add_argument("--sample", type=int, default=sample, help=f"articles to draw: {what} (default {sample})")
    ap.add_argument("--seed", type=int, default=1, help="seed of the draw and of the changes made")


def articles(args: argparse.Namespace) -> tuple[list[Path], random.Random] | None:
    """All the corpus files, and the random generator seeded by --seed (None, with a message, when
    the folder holds no articles)."""
    files = sorted(Path(args.corpus).glob("*/*.txt"))
    if not files:
        print(f"{args.corpus}: no <topic>/<nnn>.txt articles", file=sys.stderr)
        return None
    return files, random.Random(args.seed)
