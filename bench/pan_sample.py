"""Paragraph alignment of LLM rewrites: compare() on the PAN 2025 generated-plagiarism sample.

Each pair of ``sample_raw/*.json`` is an arXiv paper (the source) and a
candidate paper some of whose paragraphs an LLM rewrote from source paragraphs;
each rewritten paragraph names its ``source_paragraph_id`` (the gold). Both
papers are read as plain text: title, abstract, then every paragraph, one
blank line apart. retold compares the two texts, and every sentence link is
mapped back to the paragraphs it joins.

Printed per pair and pooled:
- the pair's relation (a plagiarism pair should come out derived; the
  ``original`` and ``altered`` pairs, whose candidate does not come from this
  source, related or unrelated);
- paragraph recall: gold rewritten paragraphs linked to their gold source
  paragraph; paragraph precision: linked candidate paragraphs linked to their
  gold source paragraph, for all links and for strong links only.

This is paragraph-level, not PAN's character-level PlagDet.

    python bench/pan_sample.py --data ../shared/data/pan25-sample/sample_raw
"""

from __future__ import annotations

import argparse
import bisect
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retold import compare
from retold.relation import STRONG_LINK

NOT_DERIVED = ("related", "unrelated")


@dataclass(frozen=True, slots=True)
class Paper:
    text: str
    starts: list[int]  # offset of each paragraph in text
    ids: list[str]

    def paragraph(self, offset: int) -> str:
        return self.ids[bisect.bisect_right(self.starts, offset) - 1]


def _paragraphs(doc: dict[str, Any]) -> list[dict[str, Any]]:
    sections = doc.get("sections") or []
    return [*(doc.get("abstract") or []), *(p for sec in sections for p in sec.get("paragraphs") or [])]


def paper(doc: dict[str, Any]) -> Paper:
    parts = [("title", doc.get("title") or "")]
    parts += [(p["id"], p.get("content") or "") for p in _paragraphs(doc)]
    text, starts, ids = "", [], []
    for pid, content in parts:
        content = content.strip()
        if content:
            starts.append(len(text))
            ids.append(pid)
            text += content + "\n\n"
    return Paper(text, starts, ids)


def score(path: Path) -> dict[str, Any]:
    d = json.loads(path.read_text(encoding="utf-8"))
    src, cand = paper(d["source"]), paper(d["candidate"])
    gold = {
        p["id"]: p["plagiarism"]["source_paragraph_id"]
        for p in _paragraphs(d["candidate"])
        if (p.get("plagiarism") or {}).get("source_paragraph_id")
    }
    t0 = time.perf_counter()
    result = compare(src.text, cand.text).to_dict()
    seconds = time.perf_counter() - t0
    out: dict[str, Any] = {
        "pair": path.stem.split(":")[0],
        "type": d["plagiarism"].get("type"),
        "llm": d["plagiarism"].get("llm"),
        "relation": result["relation"],
        "gold": len(gold),
        "seconds": round(seconds, 1),
    }
    for name, floor in (("all", 0.0), ("strong", STRONG_LINK)):
        linked: dict[str, set[str]] = defaultdict(set)
        for lk in result["alignment"]:
            if lk["score"] < floor:
                continue
            for c in lk["copy"]:
                for s in lk["source"]:
                    linked[cand.paragraph(c["start"])].add(src.paragraph(s["start"]))
        out[f"{name}_found"] = sum(1 for cp, sp in gold.items() if sp in linked.get(cp, ()))
        out[f"{name}_linked"] = len(linked)
        out[f"{name}_right"] = sum(1 for cp, sps in linked.items() if gold.get(cp) in sps)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--data", default="../shared/data/pan25-sample/sample_raw", help="folder of sample_raw/*.json"
    )
    args = ap.parse_args(argv)
    files = sorted(Path(args.data).glob("*.json"))
    if not files:
        print(f"{args.data}: no *.json pairs", file=sys.stderr)
        return 2
    rows = [score(f) for f in files]
    for r in rows:
        derived_ok = (r["relation"] not in NOT_DERIVED) == (r["type"] == "plagiarism")
        print(
            f"{r['pair']} {r['type']:10s} {r['llm'] or '':12s} relation {r['relation']:13s} "
            f"{'ok' if derived_ok else 'WRONG'}  gold paragraphs {r['gold']:3d}  "
            f"found {r['all_found']:3d} (strong {r['strong_found']:3d})  "
            f"linked {r['all_linked']:3d} (strong {r['strong_linked']:3d})  {r['seconds']} s",
            flush=True,
        )
    plag = [r for r in rows if r["type"] == "plagiarism"]
    gold = sum(r["gold"] for r in plag)
    for name in ("all", "strong"):
        found = sum(r[f"{name}_found"] for r in plag)
        linked = sum(r[f"{name}_linked"] for r in plag)
        right = sum(r[f"{name}_right"] for r in plag)
        print(
            f"{name} links, plagiarism pairs pooled: paragraph recall {found}/{gold} = "
            f"{found / max(gold, 1):.3f}, precision {right}/{linked} = {right / max(linked, 1):.3f}"
        )
    ok = sum((r["relation"] not in NOT_DERIVED) == (r["type"] == "plagiarism") for r in rows)
    print(f"pairs judged derived / not derived correctly: {ok}/{len(rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
