"""Load test of ``retold serve``: N concurrent clients on loopback for D seconds.

    .venv/bin/python bench/load.py [--clients 50] [--duration 60] [--search-share 0.9]
                                   [--corpus ../shared/data/bbc] [--db INDEX]

Indexes the corpus into a temporary database (``retold.indexer.index_paths``,
``on_error="skip"``; or serves ``--db`` as it is), starts ``retold serve`` in
a subprocess on a free loopback port, warms it up, then runs ``--clients``
clients that each send one request after another until the time is up: a
search (``POST /api/search`` with an article of the corpus, a paragraph
dropped so it is a near-copy, not the same text) with probability
``--search-share``, else a full comparison (``POST /api/compare`` of an
indexed article by id with its rewrite from ``../shared/data/rewrites``
when there is one, else with a shortened copy of it).

Prints requests/s, latency percentiles per endpoint and the errors (any
status other than 200, or a transport failure); the goal is 0 errors.
Texts are read at run time; nothing from the corpus is stored in the repo.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


def _corpus_texts(corpus: Path) -> dict[str, str]:
    """id (path relative to the corpus, as ``retold index`` names it) -> text."""
    out = {}
    for p in sorted(corpus.rglob("*.txt")):
        if any(part.startswith(".") for part in p.relative_to(corpus).parts):
            continue
        try:
            out[p.relative_to(corpus).as_posix()] = p.read_text("utf-8")
        except (UnicodeDecodeError, OSError):
            continue
    return out


def _rewrites(corpus_ids: set[str]) -> list[tuple[str, str]]:
    """(source id, rewrite text) pairs from ../shared/data/rewrites whose source is in the corpus."""
    out = []
    for p in sorted((DATA / "rewrites").glob("*.json")):
        try:
            d = json.loads(p.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if d.get("source_path") in corpus_ids and isinstance(d.get("rewrite"), str):
            out.append((d["source_path"], d["rewrite"]))
    return out


def _near_copy(text: str, rng: random.Random) -> str:
    """The text with one paragraph (not the headline) left out."""
    paras = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    if len(paras) > 3:
        del paras[rng.randrange(1, len(paras))]
    return "\n\n".join(paras) + "\n"


class Server:
    def __init__(self, db: Path) -> None:
        env = {k: v for k, v in os.environ.items() if k != "RETOLD_TOKEN"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "retold", "serve", "--db", str(db), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.url = ""
        ready = threading.Event()
        self.lines: list[str] = []

        def pump() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                self.lines.append(line)
                m = re.search(r"listening on (http://\S+)", line)
                if m:
                    self.url = m.group(1)
                    ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(120):
            self.stop()
            raise SystemExit("retold serve did not start:\n" + "".join(self.lines))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s) + 0.5) - 1))]


async def _run(
    url: str, args: argparse.Namespace, texts: dict[str, str], rewrites: list[tuple[str, str]]
) -> dict[str, Any]:
    ids = sorted(texts)
    lat: dict[str, list[float]] = defaultdict(list)
    in_window: Counter[str] = Counter()  # requests answered before the time was up
    errors: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    async with httpx.AsyncClient(base_url=url, timeout=args.timeout, limits=limits) as http:
        deadline = time.perf_counter() + args.duration

        async def client(seed: int) -> None:
            rng = random.Random(seed)
            while time.perf_counter() < deadline:
                if rng.random() < args.search_share:
                    op = "search"
                    body: dict[str, Any] = {"text": _near_copy(texts[rng.choice(ids)], rng), "top": 10}
                elif rewrites and rng.random() < 0.5:
                    op = "compare"
                    src, rw = rng.choice(rewrites)
                    body = {"source_id": src, "copy": rw}
                else:
                    op = "compare"
                    src = rng.choice(ids)
                    body = {"source_id": src, "copy": _near_copy(texts[src], rng)}
                t0 = time.perf_counter()
                try:
                    r = await http.post(f"/api/{op}", json=body)
                    ok = r.status_code == 200
                    if not ok:
                        errors[f"{op}: HTTP {r.status_code} {r.text[:120]}"] += 1
                except httpx.HTTPError as e:
                    ok = False
                    errors[f"{op}: {type(e).__name__} {e}"] += 1
                if ok:
                    done = time.perf_counter()
                    lat[op].append(done - t0)
                    if done <= deadline:
                        in_window[op] += 1

        started = time.perf_counter()
        await asyncio.gather(*(client(i) for i in range(args.clients)))
        elapsed = time.perf_counter() - started
    return {"elapsed": elapsed, "latency": lat, "errors": errors, "in_window": in_window}


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    ap.add_argument(
        "--search-share", type=float, default=0.9, help="share of searches (default 0.9; the rest compare)"
    )
    ap.add_argument(
        "--corpus", type=Path, default=DATA / "bbc", help="corpus directory (default ../shared/data/bbc)"
    )
    ap.add_argument(
        "--db", type=Path, help="serve this existing index instead of indexing --corpus into a temporary one"
    )
    ap.add_argument("--timeout", type=float, default=300.0, help="per-request timeout in seconds")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = ap.parse_args()
    if not args.corpus.is_dir():
        raise SystemExit(f"no corpus at {args.corpus}")
    texts = _corpus_texts(args.corpus)
    rewrites = _rewrites(set(texts))
    print(
        f"corpus: {len(texts):,} articles from {args.corpus}; {len(rewrites)} rewrites for compare",
        flush=True,
    )

    with tempfile.TemporaryDirectory(prefix="retold-load-") as tmp:
        db = args.db
        if db is None:
            from retold.indexer import index_paths
            from retold.store import SQLiteStore

            db = Path(tmp) / "bbc.db"
            store = SQLiteStore(db)
            try:
                rep = index_paths(
                    [args.corpus], store, on_error="skip", workers=max(1, min(4, os.cpu_count() or 1))
                )
            finally:
                store.close()
            print(
                f"indexed {rep.added:,} documents ({len(rep.skipped)} skipped) in {rep.seconds:.1f} s",
                flush=True,
            )
            texts = {k: v for k, v in texts.items() if k not in {s.origin for s in rep.skipped}}
        server = Server(db)
        try:
            # Wait for the service, then warm the models with one request of each kind.
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(server.url + "/health", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("retold serve never answered /health")
                time.sleep(0.2)
            some = sorted(texts)[0]
            httpx.post(server.url + "/api/search", json={"text": texts[some]}, timeout=300).raise_for_status()
            httpx.post(
                server.url + "/api/compare",
                json={"source_id": some, "copy": _near_copy(texts[some], random.Random(0))},
                timeout=300,
            ).raise_for_status()
            print(
                f"server {server.url} warm; {args.clients} clients for {args.duration:.0f} s, "
                f"{args.search_share:.0%} search / {1 - args.search_share:.0%} compare, "
                f"on {os.cpu_count()} cores",
                flush=True,
            )
            res = asyncio.run(_run(server.url, args, texts, rewrites))
        finally:
            server.stop()

    lat, errors, elapsed, in_window = res["latency"], res["errors"], res["elapsed"], res["in_window"]
    total_ok = sum(len(v) for v in lat.values())
    total_err = sum(errors.values())
    window = sum(in_window.values())
    print(
        f"\n{window:,} requests answered in the {args.duration:.0f} s window: "
        f"{window / args.duration:,.1f} requests/s; {total_ok + total_err:,} in all once the requests "
        f"in flight finished ({elapsed:.1f} s); {total_err} errors"
    )
    print(
        f"{'endpoint':<10} {'requests':>9} {'req/s':>8} "
        f"{'p50 ms':>9} {'p90 ms':>9} {'p99 ms':>9} {'max ms':>9}"
    )
    figures: dict[str, Any] = {
        "clients": args.clients,
        "duration": args.duration,
        "errors": total_err,
        "requests_per_second": round(window / args.duration, 1),
        "endpoints": {},
    }
    for op in ("search", "compare"):
        v = lat.get(op, [])
        row = {
            "requests": len(v),
            "per_second": round(in_window[op] / args.duration, 2),
            "p50_ms": round(1000 * statistics.median(v), 1) if v else None,
            "p90_ms": round(1000 * _pct(v, 90), 1) if v else None,
            "p99_ms": round(1000 * _pct(v, 99), 1) if v else None,
            "max_ms": round(1000 * max(v), 1) if v else None,
        }
        figures["endpoints"][op] = row
        print(
            f"{op:<10} {row['requests']:>9,} {row['per_second']:>8.2f} "
            + " ".join(
                f"{row[k]:>9,.0f}" if row[k] is not None else f"{'-':>9}"
                for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")
            )
        )
    for msg, n in errors.most_common(10):
        print(f"  error x{n}: {msg}")
    if args.json:
        print(json.dumps(figures))
    return 1 if total_err else 0


if __name__ == "__main__":
    raise SystemExit(main())
