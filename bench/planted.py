"""Changes of meaning planted in real articles: does compare() find each one, and only it?

Every article of a sample of the BBC corpus gets ONE change of meaning,
chosen in turn from:

- ``number``: a figure of the body replaced by another value ("12" -> "17");
- ``vague``: a count before a noun made vague ("12 people" -> "several people");
- ``omission``: a body sentence deleted;
- ``addition``: a sentence from an article of another topic inserted after a body sentence;
- ``entity``: a person's surname replaced, everywhere, by a surname from another article;
- ``quote``: a content word inside a direct quote replaced by a word from another article;
- ``attribution``: a closing ", X said." reduced to ".";
- ``hedge``: a firm "will" / "would" outside quotes made "may" / "might";
- ``indirect``: '"We will win," Mr X said.' given as 'Mr X said we will win.'.

The copy is otherwise the article itself. A planted change is *found* when a
reported change overlaps its span (on the source or the copy side), and found
*as its type* when that change has the expected type (``vague`` is a
``number`` change). Every other content change reported is a false alarm.

    python bench/planted.py --corpus ../shared/data/bbc --sample 270
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from bbc_sample import add_sample_options, articles

from retold import compare
from retold.nlp import parse
from retold.types import ChangeType

_SENTENCE = re.compile(r"[^.!?\n]*[A-Za-z][^.!?\n]*[.!?](?=\s|$)")
_FIGURE = re.compile(r"(?<![\w.,£$€-])(\d{1,3})(?![\w.,%-]|\.\d)(?! (?:years? old|am|pm)\b)")
_COUNT = re.compile(r"(?<![\w.,£$€-])(\d{1,3}) (?=[a-z]{3,}s\b)")
_SAID = re.compile(r", ((?:[A-Z][\w'.-]*\s?){1,4}|(?:the|a|an) [a-z]+(?: [a-z]+)?) said\.")
_CONTENT = re.compile(r"\b[a-z]{5,}\b")
_YEAR = re.compile(r"(?:19|20)\d\d")


@dataclass(frozen=True, slots=True)
class Planted:
    kind: str
    copy: str
    source_spans: list[tuple[int, int]]  # in the original
    copy_spans: list[tuple[int, int]]  # in the copy


def _body(text: str) -> int:
    """Where the body starts (after the headline line and the blank line)."""
    cut = text.find("\n\n")
    return cut + 2 if cut >= 0 else 0


def _replace(text: str, start: int, end: int, new: str, kind: str) -> Planted:
    return Planted(kind, text[:start] + new + text[end:], [(start, end)], [(start, start + len(new))])


def plant_number(text: str, rng: random.Random, _other: str) -> Planted | None:
    found = [m for m in _FIGURE.finditer(text, _body(text)) if not _YEAR.fullmatch(m.group(1))]
    if not found:
        return None
    m = rng.choice(found)
    value = int(m.group(1))
    return _replace(text, m.start(1), m.end(1), str(value + rng.randint(2, 9)), "number")


def plant_vague(text: str, rng: random.Random, _other: str) -> Planted | None:
    found = [m for m in _COUNT.finditer(text, _body(text)) if int(m.group(1)) >= 3]
    if not found:
        return None
    m = rng.choice(found)
    return _replace(text, m.start(1), m.end(1), "several", "vague")


def _body_sentences(text: str) -> list[re.Match[str]]:
    return [m for m in _SENTENCE.finditer(text, _body(text)) if len(m.group().split()) >= 8]


def plant_omission(text: str, rng: random.Random, _other: str) -> Planted | None:
    sents = _body_sentences(text)[1:]  # not the lead
    if not sents:
        return None
    m = rng.choice(sents)
    start, end = m.start(), m.end()
    while start > 0 and text[start - 1] == " ":
        start -= 1
    return Planted("omission", text[:start] + text[end:], [(m.start(), m.end())], [])


def plant_addition(text: str, rng: random.Random, other: str) -> Planted | None:
    sents, extra = _body_sentences(text), _body_sentences(other)
    if not sents or not extra:
        return None
    at = rng.choice(sents).end()
    new = " " + rng.choice(extra).group().strip()
    return Planted("addition", text[:at] + new + text[at:], [], [(at + 1, at + len(new))])


def plant_entity(text: str, rng: random.Random, other: str) -> Planted | None:
    mine = _people(text)
    theirs = [p for p in _people(other) if p not in text]
    if not mine or not theirs:
        return None
    surname, new = rng.choice(sorted(mine)), rng.choice(sorted(theirs))
    spots = list(re.finditer(rf"\b{re.escape(surname)}\b", text))
    if not spots:
        return None
    copy = re.sub(rf"\b{re.escape(surname)}\b", new, text)  # headline too
    shift = len(new) - len(surname)  # every mention is part of the change
    return Planted(
        "entity", copy, [(m.start(), m.end()) for m in spots],
        [(m.start() + k * shift, m.start() + k * shift + len(new)) for k, m in enumerate(spots)],
    )


def _people(text: str) -> set[str]:
    doc = parse(text)
    return {e[-1].text for e in doc.ents if e.label_ == "PERSON" and len(e) >= 2 and e[-1].text.isalpha()}


def _quotes(text: str) -> list[tuple[int, int]]:
    """(start, end) of the words inside each direct quote of the body: the quote marks of a paragraph
    paired in order (a paragraph with an odd number of them is left out)."""
    out = []
    pos = _body(text)
    for para in text[pos:].split("\n"):
        marks = [pos + m.start() for m in re.finditer('"', para)]
        if len(marks) % 2 == 0:
            out += [(a + 1, b) for a, b in zip(marks[::2], marks[1::2], strict=True) if b - a > 20]
        pos += len(para) + 1
    return out


def plant_quote(text: str, rng: random.Random, other: str) -> Planted | None:
    quotes = _quotes(text)
    words = sorted(set(_CONTENT.findall(other)) - set(_CONTENT.findall(text)))
    if not quotes or not words:
        return None
    q0, q1 = rng.choice(quotes)
    inside = list(_CONTENT.finditer(text, q0, q1))
    if not inside:
        return None
    w = rng.choice(inside)
    start, end = w.start(), w.end()
    return _replace(text, start, end, rng.choice(words), "quote")


def plant_attribution(text: str, rng: random.Random, _other: str) -> Planted | None:
    found = list(_SAID.finditer(text, _body(text)))
    if not found:
        return None
    m = rng.choice(found)
    copy = text[: m.start()] + "." + text[m.end() :]
    return Planted("attribution", copy, [(m.start() + 2, m.end() - 1)], [])


_SAID_QUOTE = re.compile(
    r'"([A-Z][^"]{25,}?),?" ((?:[A-Z][\w\'.-]*\s?){1,3}|(?:he|she|they)) (said|says|added|told \w+)\.'
)


def plant_indirect(text: str, rng: random.Random, _other: str) -> Planted | None:
    """A direct quote given as reported speech: '"We will win," Mr X said.' -> 'Mr X said we will win.'"""
    found = [m for m in _SAID_QUOTE.finditer(text, _body(text))]
    if not found:
        return None
    m = rng.choice(found)
    speaker = m.group(2).strip()
    speaker = speaker[0].upper() + speaker[1:]
    words = m.group(1).rstrip(",")
    if not words.startswith("I "):
        words = words[0].lower() + words[1:]
    new = f"{speaker} {m.group(3)} {words}."
    return Planted("indirect", text[: m.start()] + new + text[m.end() :], [(m.start(1), m.end(1))],
                   [(m.start(), m.start() + len(new))])


_FIRM = re.compile(r"(?<=[a-z] )(will|would)(?= (?:be|have|not|[a-z]+)\b)")
_HEDGE = {"will": "may", "would": "might"}


def plant_hedge(text: str, rng: random.Random, _other: str) -> Planted | None:
    """A firm "will" made a possibility: "the plant will close" -> "the plant may close"."""
    found = [m for m in _FIRM.finditer(text, _body(text)) if '"' not in _line(text, m.start())]
    if not found:
        return None
    m = rng.choice(found)
    return _replace(text, m.start(), m.end(), _HEDGE[m.group()], "hedge")


def _line(text: str, at: int) -> str:
    return text[text.rfind("\n", 0, at) + 1 : (text.find("\n", at) + 1 or len(text) + 1) - 1]


PLANTERS: dict[str, Callable[[str, random.Random, str], Planted | None]] = {
    "number": plant_number,
    "vague": plant_vague,
    "omission": plant_omission,
    "addition": plant_addition,
    "entity": plant_entity,
    "quote": plant_quote,
    "attribution": plant_attribution,
    "hedge": plant_hedge,
    "indirect": plant_indirect,
}
# the types that describe each planted change ("Mr X said" / "Mr Y said" is a statement credited to
# someone else: an attribution change; a figure in a quote changed alters the quote; a sentence
# holding a quote removed removes the quote)
EXPECTED = {
    "number": {"number", "quote"},
    "vague": {"number", "quote"},
    "omission": {"omission", "quote"},
    "entity": {"entity", "attribution"},
    "hedge": {"tone"},
    "indirect": {"quote"},
}


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < b and a < end for a, b in spans)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_sample_options(ap, sample=270, what="each gets one planted change")
    ap.add_argument("--show", type=int, default=0, help="print the first N misses and false alarms")
    args = ap.parse_args(argv)
    drawn = articles(args)
    if drawn is None:
        return 2
    files, rng = drawn
    kinds = list(PLANTERS)
    tried: Counter[str] = Counter()
    found: Counter[str] = Counter()
    typed: Counter[str] = Counter()
    alarms: dict[str, Counter[str]] = defaultdict(Counter)
    shown = 0
    seconds = []
    for n, f in enumerate(rng.sample(files, min(args.sample, len(files)))):
        text = f.read_bytes().decode("utf-8", errors="replace")
        other_file = rng.choice([g for g in files if g.parent != f.parent])
        other = other_file.read_bytes().decode("utf-8", errors="replace")
        kind = kinds[n % len(kinds)]
        planted = PLANTERS[kind](text, rng, other)
        if planted is None:
            continue
        tried[kind] += 1
        t0 = time.perf_counter()
        result = compare(text, planted.copy)
        seconds.append(time.perf_counter() - t0)
        content = [c for c in result.changes if c.type is not ChangeType.BOILERPLATE]
        hits = [
            c for c in content
            if (c.source and _overlaps(planted.source_spans, c.source.start, c.source.end))
            or (c.copy and _overlaps(planted.copy_spans, c.copy.start, c.copy.end))
        ]
        right_type = any(c.type.value in EXPECTED.get(kind, {kind}) for c in hits)
        found[kind] += bool(hits)
        typed[kind] += right_type
        for c in content:
            if c not in hits:
                alarms[kind][c.type.value] += 1
        if shown < args.show and (not right_type or len(hits) < len(content)):
            shown += 1
            s = text[slice(*planted.source_spans[0])] if planted.source_spans else None
            d = planted.copy[slice(*planted.copy_spans[0])] if planted.copy_spans else None
            others = [
                (c.type.value, c.source and c.source.text, c.copy and c.copy.text)
                for c in content if c not in hits
            ]
            print(f"  {f.parent.name}/{f.name} {kind} {s!r} -> {d!r}: found "
                  f"{[(c.type.value, c.note) for c in hits]}; others {others}")
    print(f"{'planted':12s} {'articles':>8s} {'found':>7s} {'as type':>8s} {'other reports':>14s}")
    for kind in kinds:
        t = tried[kind]
        if t:
            print(f"{kind:12s} {t:8d} {found[kind] / t:7.3f} {typed[kind] / t:8.3f} "
                  f"{sum(alarms[kind].values()):6d} {dict(alarms[kind].most_common(3))}")
    total = sum(tried.values())
    print(f"all          {total:8d} {sum(found.values()) / total:7.3f} {sum(typed.values()) / total:8.3f} "
          f"{sum(sum(a.values()) for a in alarms.values()):6d}")
    print(f"compare() median {sorted(seconds)[len(seconds) // 2] * 1000:.0f} ms per pair")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
