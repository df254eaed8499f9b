"""Local engine vs Spark ``local[2]`` on the same synthetic corpus: wall time, peak memory, same output.

    .venv/bin/python bench/spark.py [--docs 100000] [--files 16] [--master local[2]]
                                    [--out-dir /tmp/retold-bench]

The corpus is the one ``bench/corpus.py`` builds (``bench/synth.py``: BBC-vocabulary Markov text with
planted copies), split into ``--files`` JSONL files because the Spark engine reads one file per task.
Both engines run as the CLI a user runs (``retold dedup DIR --out ...``), each in a fresh process
whose whole process tree is polled for memory (for Spark that is the driver JVM, whose ``local[2]``
executors are its threads, and the Python workers it forks). The rows of both outputs are compared.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from corpus import ensure_corpus, machine_load, run_measured  # noqa: E402


def split(corpus: Path, files: int, out: Path) -> Path:
    """Split a JSONL corpus into ``files`` files of consecutive lines (reused when present)."""
    done = out / ".complete"
    if done.is_file() and done.read_text() == f"{corpus.stat().st_size}:{files}":
        return out
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("part-*.jsonl"):
        old.unlink()
    lines = corpus.read_text(encoding="utf-8").splitlines(keepends=True)
    per = (len(lines) + files - 1) // files
    for i in range(files):
        (out / f"part-{i:03d}.jsonl").write_text("".join(lines[i * per : (i + 1) * per]), encoding="utf-8")
    done.write_text(f"{corpus.stat().st_size}:{files}")
    return out


def rows_of(path: Path) -> dict[str, tuple[Any, ...]]:
    import pyarrow.parquet as pq

    t = pq.read_table(path)
    cols = [t.column(c).to_pylist() for c in ("id", "cluster", "original", "relation", "score")]
    return {i: (c, o, r, s) for i, c, o, r, s in zip(*cols, strict=True)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--files", type=int, default=16)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out-dir", type=Path, default=Path("/tmp/retold-bench"))
    args = ap.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)

    corpus, _, _ = ensure_corpus(args.docs, args.out_dir, args.seed, workers=2)
    parts = split(corpus, args.files, args.out_dir / f"parts-{args.docs}")
    retold = str(ROOT / ".venv" / "bin" / "retold")
    results: dict[str, Any] = {
        "docs": args.docs,
        "files": args.files,
        "master": args.master,
        "load_before": machine_load(),
    }

    local_out = args.out_dir / f"local-{args.docs}.parquet"
    db = args.out_dir / f"spark-bench-local-{args.docs}.db"
    for p in args.out_dir.glob(db.name + "*"):
        p.unlink()
    print(f"local engine on {args.docs:,} documents ...", flush=True)
    results["local"] = run_measured(
        [
            retold,
            "dedup",
            str(parts),
            "--db",
            str(db),
            "--out",
            str(local_out),
            "--workers",
            "2",
            "--no-progress",
        ],
        args.out_dir / "spark-bench-local.log",
    )
    spark_out = args.out_dir / f"spark-{args.docs}.parquet"
    print(f"spark engine ({args.master}) on {args.docs:,} documents ...", flush=True)
    t0 = time.perf_counter()
    results["spark"] = run_measured(
        [
            retold,
            "dedup",
            str(parts),
            "--engine",
            "spark",
            "--spark-master",
            args.master,
            "--out",
            str(spark_out),
        ],
        args.out_dir / "spark-bench-spark.log",
    )
    results["spark"]["wall_s"] = round(time.perf_counter() - t0, 2)
    local_rows, spark_rows = rows_of(local_out), rows_of(spark_out)
    differing = [k for k in set(local_rows) | set(spark_rows) if local_rows.get(k) != spark_rows.get(k)]
    results["rows"] = {
        "local": len(local_rows),
        "spark": len(spark_rows),
        "differing": len(differing),
        "examples": differing[:5],
    }
    results["load_after"] = machine_load()

    print(f"\n{'engine':<8} {'wall s':>9} {'cpu s':>9} {'peak RSS MB':>12} {'procs':>6}")
    for name in ("local", "spark"):
        r = results[name]
        print(
            f"{name:<8} {r['wall_s']:>9.1f} {r['cpu_s']:>9.1f} {r['peak_rss_mb']:>12.0f} {r['max_procs']:>6}"
        )
    rows = results["rows"]
    print(f"rows: local {rows['local']:,}, spark {rows['spark']:,}, differing {rows['differing']}")
    print(f"spark/local wall time: {results['spark']['wall_s'] / results['local']['wall_s']:.1f}x")
    out = args.out_dir / f"spark-results-{args.docs}.json"
    out.write_text(json.dumps(results, indent=1))
    print(f"results: {out}")
    if rows["differing"]:
        raise SystemExit("the engines disagree")


if __name__ == "__main__":
    main()
