"""Benchmark compare(): model load time and median time per development pair.

Usage: python bench/compare.py [--pairs ../shared/data/rewrites] [--corpus ../shared/data/bbc] [--repeat 3]
Prints medians (these machines are shared and noisy; medians over repeats are quoted), the CPU
time per pair (all threads), which other processes on the machine disturb much less, and the time of
a one-shot ``retold compare`` in a new process (model loads and first-use tables included).
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

    para = next(p for p in pairs if p.kind == "paraphrase")  # a republication needs no parse
    one_shot = _one_shot(para.source, para.rewrite, args.repeat)

    print(f"pairs: {len(pairs)} x {args.repeat} repeats")
    print(f"sentence model load (ONNX int8 MiniLM): {t_model * 1000:.0f} ms")
    print(f"spaCy load + first parse:              {t_spacy * 1000:.0f} ms")
    print(f"encoding rate:                         {rate:.0f} sentences/s")
    print(f"compare() per pair: median {statistics.median(per_pair) * 1000:.0f} ms, "
          f"p90 {sorted(per_pair)[int(0.9 * len(per_pair))] * 1000:.0f} ms")
    print(f"CPU time per pair (all threads):       median {statistics.median(cpu_pair) * 1000:.0f} ms")
    print(f"one-shot `retold compare --json` of {para.id} (new process, loads included): "
          f"median {one_shot * 1000:.0f} ms")


def _one_shot(source: str, copy: str, repeat: int) -> float:
    """Median wall time of ``retold compare`` on one pair in a new process, as a user runs it once."""
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "source.txt", Path(tmp) / "copy.txt"
        a.write_text(source, encoding="utf-8")
        b.write_text(copy, encoding="utf-8")
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "retold", "compare", str(a), str(b), "--json"],
                           check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - t)
    return statistics.median(times)


if __name__ == "__main__":
    main()
