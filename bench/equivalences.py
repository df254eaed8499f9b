"""False alarms on rewordings that keep the meaning, measured on real articles.

Every article of a sample of the BBC corpus is rewritten by rules that change
only the form, never the meaning:

- money and shares: "£600m" -> "600 million pounds", "$1.2bn" -> "1.2 billion dollars",
  "15%" -> "15 per cent";
- abbreviations: "US" -> "U.S.", "UK" -> "U.K.", "Mr Smith" -> "Mr. Smith";
- digits grouped or not: "1,300" -> "1300"; small numbers spelt out: "5 players" -> "five players";
- contractions spelt out: "don't" -> "do not", "it's" -> "it is";
- two body paragraphs swapped (a moved paragraph).

compare(original, rewritten) should report no change of content for any of
them; every change it reports is a false alarm. Printed: the share of
articles with at least one false alarm, the alarms by type, the relations,
and (``--show N``) the first N alarms with their spans and relations other
than identical, republish, near_duplicate or light_edit with their scores.

    python bench/equivalences.py --corpus ../shared/data/bbc --sample 200
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections import Counter
from collections.abc import Callable

from bbc_sample import add_sample_options, articles

from retold import compare
from retold.types import ChangeType

_SAME_TEXT = ("identical", "republish", "near_duplicate", "light_edit")  # what a change of form may give
_SMALL = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_CURRENCY = {"£": "pounds", "$": "dollars", "€": "euros"}
_SCALE = {"m": "million", "bn": "billion"}


def _money(m: re.Match[str]) -> str:
    return f"{m.group(2)} {_SCALE[m.group(3)]} {_CURRENCY[m.group(1)]}"


def _spell_small(m: re.Match[str]) -> str:
    return _SMALL[int(m.group(1))] + m.group(2)


def _grouping(m: re.Match[str]) -> str:
    return m.group().replace(",", "")


_COUNTED = r"(?:people|players|years|days|months|weeks|times|companies|countries|members|games|goals|seats)"
RULES: list[tuple[str, re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    ("money", re.compile(r"([£$€])(\d+(?:\.\d+)?)(m|bn)\b"), _money),
    ("per cent", re.compile(r"(\d)%"), r"\1 per cent"),
    ("U.S./U.K.", re.compile(r"\b(US|UK)\b(?!-)"), lambda m: ".".join(m.group(1)) + "."),
    ("Mr.", re.compile(r"\b(Mr|Mrs|Dr)(?= [A-Z])"), r"\1."),
    ("digit grouping", re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,]|\.\d)"), _grouping),
    ("spelt-out number", re.compile(r"(?<![\w.,£$€-])([2-9])( " + _COUNTED + r"\b)"), _spell_small),
    ("contraction", re.compile(r"\b(do|does|did|is|was|are|were|has|have|could|would|should)n't\b"),
     r"\1 not"),
    ("contraction", re.compile(r"\b([Ii]t|[Tt]hat|[Tt]here)'s\b(?= (?:a|an|the|not|no|been|[a-z]+ing)\b)"),
     r"\1 is"),
]


def rewrite(text: str, rng: random.Random) -> tuple[str, list[str]]:
    """The article with its form changed (and the names of the rules that changed something)."""
    applied = []
    for name, pattern, repl in RULES:
        text, n = pattern.subn(repl, text)
        if n:
            applied.append(name)
    head, _, body = text.partition("\n\n")
    paras = [p for p in body.split("\n\n") if p.strip()]
    if len(paras) >= 4:
        i = rng.randrange(1, len(paras) - 1)
        paras[i], paras[i + 1] = paras[i + 1], paras[i]
        applied.append("paragraphs swapped")
    return head + "\n\n" + "\n\n".join(paras) + "\n", applied


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_sample_options(ap, sample=200, what="each is restyled")
    ap.add_argument("--show", type=int, default=10, help="print the first N false alarms")
    args = ap.parse_args(argv)
    found = articles(args)
    if found is None:
        return 2
    files, rng = found
    chosen = rng.sample(files, min(args.sample, len(files)))
    alarms: Counter[str] = Counter()
    relations: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    with_alarm = 0
    shown = 0
    seconds = []
    for f in chosen:
        original = f.read_bytes().decode("utf-8", errors="replace")
        copy, applied = rewrite(original, rng)
        rules.update(applied)
        t0 = time.perf_counter()
        result = compare(original, copy)
        seconds.append(time.perf_counter() - t0)
        relations[result.relation.value] += 1
        if result.relation.value not in _SAME_TEXT and shown < args.show:
            shown += 1
            scores = {k: round(v, 3) for k, v in result.scores.items()}
            print(f"  {f.parent.name}/{f.name} relation {result.relation.value}: {scores}")
        content = [c for c in result.changes if c.type is not ChangeType.BOILERPLATE]
        with_alarm += bool(content)
        for c in content:
            alarms[c.type.value] += 1
            if shown < args.show:
                shown += 1
                src = c.source.text if c.source else None
                cpy = c.copy.text if c.copy else None
                print(f"  {f.parent.name}/{f.name} {c.type.value}: {src!r} -> {cpy!r} ({c.note})")
    n = len(chosen)
    print(f"articles: {n}; rules applied: {dict(rules.most_common())}")
    print(f"relations: {dict(relations.most_common())}")
    print(f"articles with a false alarm: {with_alarm}/{n} = {with_alarm / n:.3f}; "
          f"false alarms: {sum(alarms.values())} {dict(alarms.most_common())}")
    print(f"compare() median {sorted(seconds)[n // 2] * 1000:.0f} ms per pair")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
