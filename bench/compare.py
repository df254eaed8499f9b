"""Benchmark compare(): model load time and median time per development pair.

Usage: python bench/compare.py [--pairs ../shared/data/rewrites] [--corpus ../shared/data/bbc] [--repeat 3]
Prints medians (these machines are shared and noisy; medians over repeats are quoted), and the
CPU time per pair (all threads), which other processes on the machine disturb much less.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=Path, default=ROOT.parent / "shared" / "data" / "rewrites")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "data" / "bbc")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    t0 = time.perf_counter()
    from retold.embed import OnnxMiniLM

    emb = OnnxMiniLM()
    t_model = time.perf_counter() - t0
    t0 = time.perf_counter()
    from retold.nlp import parse

    parse("Warm up the parser.")
    t_spacy = time.perf_counter() - t0

    from retold.evaluate import load_pairs
    from retold.pipeline import compare

    pairs = list(load_pairs(args.pairs, args.corpus))
    compare(pairs[0].source, pairs[0].rewrite, embedder=emb)  # warm caches once
    per_pair: list[float] = []
    cpu_pair: list[float] = []
    for _ in range(args.repeat):
        emb._cache.clear()
        for p in pairs:
            t, c = time.perf_counter(), time.process_time()
            compare(p.source, p.rewrite, embedder=emb)
            per_pair.append(time.perf_counter() - t)
            cpu_pair.append(time.process_time() - c)
    sents = [p.rewrite for p in pairs]
    emb._cache.clear()
    t = time.perf_counter()
    from retold.clean import clean

    all_sents = [s.text for text in sents for s in clean(text).sentences]
    emb.encode(all_sents)
    rate = len(all_sents) / (time.perf_counter() - t)

    print(f"pairs: {len(pairs)} x {args.repeat} repeats")
    print(f"sentence model load (ONNX int8 MiniLM): {t_model * 1000:.0f} ms")
    print(f"spaCy load + first parse:              {t_spacy * 1000:.0f} ms")
    print(f"encoding rate:                         {rate:.0f} sentences/s")
    print(f"compare() per pair: median {statistics.median(per_pair) * 1000:.0f} ms, "
          f"p90 {sorted(per_pair)[int(0.9 * len(per_pair))] * 1000:.0f} ms")
    print(f"CPU time per pair (all threads):       median {statistics.median(cpu_pair) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
