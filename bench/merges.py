"""Benchmark the store's band-table merges: a stage that grows with the tables vs a fixed stage.

Usage: python bench/merges.py [--docs 1000000]

Writes documents with random band and passage keys (32 + 39 per document, as the bench corpus has)
through ``SQLiteStore.add`` into a fresh index, once with the store's policy (the stage is merged
when it holds as many rows as the indexed tables) and once with a fixed stage of ``STAGE_ROWS``
rows (the policy before it). Prints the number of merges, the seconds spent merging and in all.
No text is prepared: this measures the writing process alone.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from retold.store import STAGE_ROWS, EncodedDoc, IndexParams, SQLiteStore

BATCH = 500


def _docs(rng: np.random.Generator, start: int, n: int, dims: int) -> list[EncodedDoc]:
    bands = rng.integers(-(2**63), 2**63 - 1, size=(n, 32), dtype=np.int64)
    passages = rng.integers(-(2**63), 2**63 - 1, size=(n, 39), dtype=np.int64)
    vec = np.zeros(dims, dtype=np.float32)
    blob = b"\x00" * 64
    return [
        EncodedDoc(
            values=(f"d{start + i}", "s", "b", blob, blob, blob, blob, blob, blob, 0, 0, blob,
                    None, None, None, None, None, ""),
            bands=json.dumps(bands[i].tolist()),
            passages=json.dumps(passages[i].tolist()),
            vector=vec,
        )
        for i in range(n)
    ]


def run(n_docs: int, fixed: bool) -> tuple[int, float, float]:
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        store = SQLiteStore(Path(tmp) / "merges.db", IndexParams())
        merges, merge_s = 0, 0.0
        original = store._merge_bands

        def timed() -> None:
            nonlocal merges, merge_s
            t = time.perf_counter()
            original()
            merges += 1
            merge_s += time.perf_counter() - t
            if fixed:
                store._merged = 0  # the threshold stays STAGE_ROWS

        store._merge_bands = timed  # type: ignore[method-assign]
        started = time.perf_counter()
        for s in range(0, n_docs, BATCH):
            store.add(_docs(rng, s, min(BATCH, n_docs - s), store.params.dims))
        store.flush()
        total = time.perf_counter() - started
        store.close()
    return merges, merge_s, total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1_000_000)
    args = ap.parse_args()
    print(f"{args.docs:,} documents, 71 keys each, stage of at least {STAGE_ROWS:,} rows")
    results = {}
    for name, fixed in (("growing stage", False), ("fixed stage", True)):
        merges, merge_s, total = run(args.docs, fixed)
        results[name] = total
        line = f"{name:14s} merges {merges:3d}  merging {merge_s:7.1f} s  writing in all {total:7.1f} s"
        print(line, flush=True)
    print(f"fixed / growing: {results['fixed stage'] / results['growing stage']:.2f}x")


if __name__ == "__main__":
    main()
