"""Synthetic news corpus with planted copies, for benchmarking ``retold index / dedup / search``.

    .venv/bin/python bench/synth.py --docs 100000 --out /tmp/retold-bench/corpus-100000.jsonl

How it is built
---------------
*Model (built at run time from the BBC articles, never stored).* Every ``*/*.txt`` file of the BBC
corpus (``../shared/data/bbc``, five topic folders) is tokenised into words, numbers and the
punctuation ``. , ; : ? !`` (quotes, brackets and dashes are dropped). Numbers are replaced by five
classes (money, percentage, year, ordinal, other number), so generated figures are drawn fresh for
each document instead of repeating the corpus's. From the tokens, one **word-bigram Markov chain per
topic** is counted (sentence start -> first word, ..., last word -> full stop); each BBC article also
gives a *story vocabulary*: its words outside the 100 most frequent tokens of the whole corpus (its
names and subject words), with their counts.

*Originals.* A document gets a topic, a target length (400-800 words, uniform) and a *story*: a
random half of the story vocabularies of two random articles of that topic, each article's counts
scaled by a random weight in [0.5, 1.5). Sentences are walked along the topic's chain; each content
word the chain samples (a word outside the 100 most frequent tokens) is replaced, with probability
0.95, by a word drawn from the story by its weight, and the walk continues from that word. So a
document keeps to "its" subject words and names without copying any article's word sequence (no
original holds a run of BBC text beyond what a bigram chain reproduces by chance). Sentences have
6-45 tokens; paragraphs 1-3 sentences; the document starts with a 4-9 word headline line and a blank
line; paragraphs are separated by blank lines. The walk runs in one numba kernel per chunk of
documents, which writes the UTF-8 text directly: ≈ 0.25 ms per document with planting and JSON
(2 processes: 20,000 documents in 5 s, so 1M in ≈ 4-5 min; 100,000 took 104 s on a busy machine).

*How realistic.* Documents read as word salad, but their statistics are close to news: on 2,225
generated documents vs the 2,225 BBC articles, static-vector cosines (what dedup and search use for
paraphrase candidates) have all-pairs median 0.82 vs 0.78, 99th percentile 0.935 vs 0.929, pairs at
≥ 0.94: 14.5k vs 12.4k, nearest-neighbour median 0.947 vs 0.953 (BBC holds real duplicates: 317
pairs ≥ 0.975 vs 9); 45 vs 34 names and figures per document; no two originals with the same two
story articles screen as copies (200 such pairs: 102 "related", 98 "unrelated"). The share of
story words was tuned for this (a plain topic chain gave all-pairs median 0.89 and 185k pairs at
≥ 0.975: every document looked like a paraphrase of every other).

*Planted copies* (shares of all documents; each copy is of a random original of the same chunk of
2,000 documents, so one original may have several copies; copies are dated 0-20 days after it):

* ``exact`` (3 %): the same text.
* ``boilerplate`` (2 %): the same text with 2-4 invented page-furniture lines (newsletter prompts,
  share bars, "Advertisement", a copyright line, a "republished with permission" note, ...) put at
  the top, the bottom or between paragraphs.
* ``light_edit`` (3 %): 2-5 words replaced (by a synonym from the table below when there is one,
  else by another word of the same topic), 1-2 figures changed, one sentence dropped, and sometimes
  one headline word changed.
* ``paraphrase`` (2 %): every sentence rewritten: words replaced from a small invented synonym table
  (``SYNONYMS``; names and figures are kept), filler words ("also", "just", "very", ...) dropped,
  clauses around a comma swapped in half the sentences, and a discourse marker added to any sentence
  that none of these changed; the headline is rewritten the same way.
* ``partial`` (2 %): 2-3 consecutive paragraphs of the original inserted at a random paragraph break
  of a new, shorter generated document (250-450 words) of the same topic.

The ground truth is one ``{"copy": id, "original": id, "kind": ...}`` line per planted copy. Ids are
``d00000000`` ... in file order; within each chunk the order of originals and copies is shuffled, so
an id says nothing about its role. Everything is deterministic for a given seed and chunk size
(each chunk has its own seed); chunks are generated in worker processes and written in order, so the
corpus is streamed and never held in memory whole.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BBC = ROOT.parent / "shared" / "data" / "bbc"

SHARES = {"exact": 0.03, "boilerplate": 0.02, "light_edit": 0.03, "paraphrase": 0.02, "partial": 0.02}
CHUNK = 2000
STOP_TOP = 100  # the most frequent tokens are not story words
STORY_ARTICLES = 2  # articles whose subject words make up a document's story
STORY_KEEP = 0.5  # share of each article's subject words kept
STORY_SHARE = 0.95  # share of chain content words replaced by story words
EPOCH = dt.date(2023, 1, 1)

_TOKEN = re.compile(
    r"[£$€]\d(?:[\d,.]*\d)?(?:bn|m|k)?|\d(?:[\d,.]*\d)?(?:bn|m|k|%|st|nd|rd|th|s|'s)?"
    r"|[A-Za-z](?:[A-Za-z'\-]*[A-Za-z])?|[.,;:?!]"
)
# token kinds
K_WORD, K_END, K_PUNCT, K_MONEY, K_PCT, K_YEAR, K_ORD, K_NUM, K_START = range(9)
_SPECIAL = ["<s>", "<MONEY>", "<PCT>", "<YEAR>", "<ORD>", "<NUM>"]
_SPECIAL_KIND = [K_START, K_MONEY, K_PCT, K_YEAR, K_ORD, K_NUM]


# --- the model -------------------------------------------------------------------------------------


@dataclass
class Model:
    """Topic bigram chains and story vocabularies, as flat arrays for the numba kernel."""

    vocab: list[str]
    kinds: np.ndarray  # int8[V]
    vbytes: np.ndarray  # uint8: all token bytes
    voff: np.ndarray  # int64[V+1]
    indptr: np.ndarray  # int64[T*V+1]: CSR rows (topic, previous token)
    succ: np.ndarray  # int32: successor tokens
    cum: np.ndarray  # float64: cumulative counts within each row
    topics: list[str]
    articles_of_topic: list[np.ndarray]  # article indices per topic
    story_ptr: np.ndarray  # int64[A+1]
    story: np.ndarray  # int32: story tokens of each article
    story_cnt: np.ndarray  # float64: how often each story token occurs in its article
    common: np.ndarray  # bool[V]: the STOP_TOP most frequent tokens (never story words)
    topic_words: list[np.ndarray]  # frequent-ish words of each topic (light edits draw from them)
    lower_common: frozenset[str]  # words seen lower-case (so not names)


def _kind(tok: str) -> int:
    if tok in (".", "?", "!"):
        return K_END
    if tok in (",", ";", ":"):
        return K_PUNCT
    if tok[0] in "£$€":
        return K_MONEY
    if not tok[0].isdigit():
        return K_WORD
    if tok.endswith("%"):
        return K_PCT
    if re.fullmatch(r"(19|20)\d\d", tok):
        return K_YEAR
    if tok.endswith(("st", "nd", "rd", "th")):
        return K_ORD
    return K_NUM


def build_model(bbc: Path = DEFAULT_BBC) -> Model:
    """Count the topic chains and story vocabularies from the BBC articles under ``bbc``."""
    topics = sorted(p.name for p in bbc.iterdir() if p.is_dir())
    if not topics:
        raise SystemExit(f"no topic folders under {bbc}")
    ids: dict[str, int] = {t: i for i, t in enumerate(_SPECIAL)}
    vocab = list(_SPECIAL)
    kinds = list(_SPECIAL_KIND)
    class_id = {K_MONEY: 1, K_PCT: 2, K_YEAR: 3, K_ORD: 4, K_NUM: 5}
    docs: list[tuple[int, list[list[int]]]] = []  # (topic, sentences of token ids)
    freq: Counter[int] = Counter()
    lower: set[str] = set()
    for ti, topic in enumerate(topics):
        for path in sorted((bbc / topic).glob("*.txt")):
            raw = path.read_bytes().decode("utf-8", "replace").replace("’", "'")
            body = raw.split("\n", 1)[1] if "\n" in raw else raw  # drop the headline line
            sents: list[list[int]] = []
            cur: list[int] = []
            for tok in _TOKEN.findall(body):
                k = _kind(tok)
                if k in class_id:
                    tid = class_id[k]
                else:
                    tid = ids.get(tok, -1)
                    if tid < 0:
                        tid = ids[tok] = len(vocab)
                        vocab.append(tok)
                        kinds.append(k)
                    if k == K_WORD and tok[0].islower():
                        lower.add(tok)
                cur.append(tid)
                if k == K_END:
                    if len(cur) >= 4:
                        sents.append(cur)
                    cur = []
            docs.append((ti, sents))
            for s in sents:
                freq.update(s)
    v = len(vocab)
    t = len(topics)
    # bigram counts per (topic, prev)
    rows: list[Counter[int]] = [Counter() for _ in range(t * v)]
    for ti, sents in docs:
        base = ti * v
        for s in sents:
            prev = 0
            for tok in s:
                rows[base + prev][tok] += 1
                prev = tok
    indptr = np.zeros(t * v + 1, dtype=np.int64)
    succ_l: list[int] = []
    cum_l: list[float] = []
    for r, c in enumerate(rows):
        total = 0.0
        for tok, n in sorted(c.items()):
            total += n
            succ_l.append(tok)
            cum_l.append(total)
        indptr[r + 1] = len(succ_l)
    common = {tok for tok, _ in freq.most_common(STOP_TOP)}
    story_ptr = np.zeros(len(docs) + 1, dtype=np.int64)
    story_l: list[int] = []
    story_c: list[float] = []
    by_topic: list[list[int]] = [[] for _ in range(t)]
    topic_freq: list[Counter[int]] = [Counter() for _ in range(t)]
    for a, (ti, sents) in enumerate(docs):
        by_topic[ti].append(a)
        cnt = Counter(tok for s in sents for tok in s if kinds[tok] == K_WORD and tok not in common)
        words = sorted(cnt)
        story_l.extend(words)
        story_c.extend(float(cnt[w]) for w in words)
        story_ptr[a + 1] = len(story_l)
        for s in sents:
            topic_freq[ti].update(tok for tok in s if kinds[tok] == K_WORD and vocab[tok][0].islower())
    encoded = [w.encode("utf-8") for w in vocab]
    voff = np.zeros(v + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=voff[1:])
    return Model(
        vocab=vocab,
        kinds=np.array(kinds, dtype=np.int8),
        vbytes=np.frombuffer(b"".join(encoded), dtype=np.uint8).copy(),
        voff=voff,
        indptr=indptr,
        succ=np.array(succ_l, dtype=np.int32),
        cum=np.array(cum_l, dtype=np.float64),
        topics=topics,
        articles_of_topic=[np.array(x, dtype=np.int64) for x in by_topic],
        story_ptr=story_ptr,
        story=np.array(story_l, dtype=np.int32),
        story_cnt=np.array(story_c, dtype=np.float64),
        common=np.isin(np.arange(v), np.array(sorted(common), dtype=np.int64)),
        topic_words=[
            np.array(
                [w for w, n in tf.most_common(3000) if w not in common and len(vocab[w]) > 3], dtype=np.int32
            )
            for tf in topic_freq
        ],
        lower_common=frozenset(lower),
    )


# --- the generator kernel --------------------------------------------------------------------------


@numba.njit(cache=True)
def _sample(row: int, indptr, succ, cum) -> int:  # type: ignore[no-untyped-def]
    lo = indptr[row]
    hi = indptr[row + 1]
    if hi <= lo:
        return -1
    total = cum[hi - 1]
    u = np.random.random() * total
    a, b = lo, hi - 1
    while a < b:
        m = (a + b) // 2
        if cum[m] > u:
            b = m
        else:
            a = m + 1
    return succ[a]


@numba.njit(cache=True)
def _put(buf, n: int, b: int):  # type: ignore[no-untyped-def]
    if n >= buf.shape[0]:
        nb = np.empty(buf.shape[0] * 2, dtype=np.uint8)
        nb[: buf.shape[0]] = buf
        buf = nb
    buf[n] = b
    return buf, n + 1


@numba.njit(cache=True)
def _put_int(buf, n: int, x: int):  # type: ignore[no-untyped-def]
    digits = np.empty(20, dtype=np.uint8)
    k = 0
    if x == 0:
        digits[0] = 48
        k = 1
    while x > 0:
        digits[k] = 48 + x % 10
        x //= 10
        k += 1
    for i in range(k - 1, -1, -1):
        buf, n = _put(buf, n, digits[i])
    return buf, n


@numba.njit(cache=True)
def _put_number(buf, n: int, kind: int):  # type: ignore[no-untyped-def]
    r = np.random.random()
    if kind == 3:  # money
        buf, n = _put(buf, n, 36 if r < 0.4 else 0xC2)
        if r >= 0.4:  # "£" is C2 A3
            buf, n = _put(buf, n, 0xA3)
        x = 1 + int(np.random.random() ** 2 * 900)
        buf, n = _put_int(buf, n, x)
        if np.random.random() < 0.3:
            buf, n = _put(buf, n, 46)
            buf, n = _put_int(buf, n, int(np.random.random() * 10))
        if np.random.random() < 0.5:
            buf, n = _put(buf, n, 98)
            buf, n = _put(buf, n, 110)  # bn
        else:
            buf, n = _put(buf, n, 109)  # m
    elif kind == 4:  # percentage
        buf, n = _put_int(buf, n, 1 + int(np.random.random() ** 2 * 99))
        if np.random.random() < 0.3:
            buf, n = _put(buf, n, 46)
            buf, n = _put_int(buf, n, int(np.random.random() * 10))
        buf, n = _put(buf, n, 37)
    elif kind == 5:  # year
        buf, n = _put_int(buf, n, 1990 + int(np.random.random() * 36))
    elif kind == 6:  # ordinal
        x = 1 + int(np.random.random() ** 2 * 30)
        buf, n = _put_int(buf, n, x)
        last = x % 10
        teen = 10 < x % 100 < 14
        s1, s2 = 116, 104  # th
        if not teen and last == 1:
            s1, s2 = 115, 116
        elif not teen and last == 2:
            s1, s2 = 110, 100
        elif not teen and last == 3:
            s1, s2 = 114, 100
        buf, n = _put(buf, n, s1)
        buf, n = _put(buf, n, s2)
    else:  # plain number
        if r < 0.15:
            buf, n = _put_int(buf, n, 1 + int(np.random.random() * 99))
            buf, n = _put(buf, n, 44)
            x = int(np.random.random() * 1000)
            buf, n = _put(buf, n, 48 + x // 100)
            buf, n = _put(buf, n, 48 + (x // 10) % 10)
            buf, n = _put(buf, n, 48 + x % 10)
        else:
            buf, n = _put_int(buf, n, 2 + int(np.random.random() ** 3 * 500))
    return buf, n


@numba.njit(cache=True)
def _put_token(buf, n: int, tok: int, kinds, vbytes, voff, cap: bool):  # type: ignore[no-untyped-def]
    k = kinds[tok]
    if k >= 3 and k <= 7:
        return _put_number(buf, n, k)
    for i in range(voff[tok], voff[tok + 1]):
        c = vbytes[i]
        if cap and i == voff[tok] and 97 <= c <= 122:
            c -= 32
        buf, n = _put(buf, n, c)
    return buf, n


@numba.njit(cache=True)
def _next(
    row: int,
    prev: int,
    kinds,
    indptr,
    succ,
    cum,
    common,
    s_words,
    s_cum,
    n_story: int,
    sent_len: int,
    q: float,
) -> int:
    """The next token after ``prev``: a chain step, its content word swapped for a story word with prob. q."""
    tok = -1
    for _attempt in range(8):
        tok = _sample(row, indptr, succ, cum)
        if tok < 0:
            return 0  # dead end: caller ends the sentence
        k = kinds[tok]
        if k == 1 and sent_len < 6:
            continue  # too short to end
        if (k == 1 or k == 2) and (kinds[prev] == 1 or kinds[prev] == 2 or kinds[prev] == 8):
            continue  # no two punctuation marks in a row, none first
        break
    if kinds[tok] == 0 and not common[tok] and n_story > 0 and np.random.random() < q:
        u = np.random.random() * s_cum[n_story - 1]
        a, b = 0, n_story - 1
        while a < b:
            m = (a + b) // 2
            if s_cum[m] > u:
                b = m
            else:
                a = m + 1
        return s_words[a]
    return tok


@numba.njit(cache=True)
def _generate(
    seed,
    topics,
    targets,
    stories,
    indptr,
    succ,
    cum,
    kinds,
    vbytes,
    voff,
    story_ptr,
    story,
    story_cnt,
    common,
    n_vocab,
    q,
    keep,
):  # type: ignore[no-untyped-def]
    np.random.seed(seed)
    n_docs = topics.shape[0]
    buf = np.empty(max(1024, int(targets.sum()) * 8), dtype=np.uint8)
    offsets = np.zeros(n_docs + 1, dtype=np.int64)
    cap = 0
    for d in range(n_docs):
        c = 0
        for a in stories[d]:
            c += story_ptr[a + 1] - story_ptr[a]
        cap = max(cap, c)
    s_words = np.empty(cap + 1, dtype=np.int32)
    s_cum = np.empty(cap + 1, dtype=np.float64)
    n = 0
    for d in range(n_docs):
        # the story: a random part of the subject words of a few articles, with random weights
        ns = 0
        total = 0.0
        for a in stories[d]:
            w = 0.5 + np.random.random()
            for i in range(story_ptr[a], story_ptr[a + 1]):
                if np.random.random() < keep:
                    total += story_cnt[i] * w
                    s_words[ns] = story[i]
                    s_cum[ns] = total
                    ns += 1
        base = topics[d] * n_vocab
        # headline: 4-9 words, no punctuation
        want = 4 + int(np.random.random() * 6)
        got = 0
        prev = 0
        tries = 0
        while got < want and tries < 200:
            tries += 1
            tok = _next(base + prev, prev, kinds, indptr, succ, cum, common, s_words, s_cum, ns, 0, q)
            if tok <= 0 or kinds[tok] == 1 or kinds[tok] == 2:
                prev = 0
                continue
            if got > 0:
                buf, n = _put(buf, n, 32)
            buf, n = _put_token(buf, n, tok, kinds, vbytes, voff, got == 0)
            got += 1
            prev = tok
        buf, n = _put(buf, n, 10)
        buf, n = _put(buf, n, 10)
        words = 0
        target = targets[d]
        while words < target:
            n_sent = 1 + int(np.random.random() < 0.65) + int(np.random.random() < 0.3)
            for s in range(n_sent):
                if s > 0:
                    buf, n = _put(buf, n, 32)
                prev = 0
                length = 0
                while True:
                    if length >= 45:
                        tok = -1
                    else:
                        tok = _next(
                            base + prev, prev, kinds, indptr, succ, cum, common, s_words, s_cum, ns, length, q
                        )
                    if tok <= 0 or kinds[tok] == 1:
                        if tok <= 0 or length < 2:
                            buf, n = _put(buf, n, 46)
                        else:
                            buf, n = _put_token(buf, n, tok, kinds, vbytes, voff, False)
                        break
                    if length > 0 and kinds[tok] != 2:
                        buf, n = _put(buf, n, 32)
                    buf, n = _put_token(buf, n, tok, kinds, vbytes, voff, length == 0)
                    if kinds[tok] != 2:
                        words += 1
                    length += 1
                    prev = tok
                if words >= target:
                    break
            if words < target:
                buf, n = _put(buf, n, 10)
                buf, n = _put(buf, n, 10)
        buf, n = _put(buf, n, 10)
        offsets[d + 1] = n
    return buf[:n].copy(), offsets


# --- planting copies -------------------------------------------------------------------------------

#: The invented synonym table of the paraphrase and light-edit rewrites (word -> replacement).
SYNONYMS: dict[str, str] = {
    "said": "stated",
    "says": "states",
    "told": "informed",
    "added": "went on to say",
    "people": "individuals",
    "government": "administration",
    "company": "firm",
    "firm": "company",
    "year": "twelve months",
    "years": "twelve-month periods",
    "new": "fresh",
    "big": "large",
    "biggest": "largest",
    "increase": "rise",
    "increased": "rose",
    "rise": "increase",
    "rose": "climbed",
    "fell": "dropped",
    "fall": "drop",
    "cut": "reduce",
    "cuts": "reductions",
    "plans": "proposals",
    "plan": "proposal",
    "help": "assist",
    "show": "indicate",
    "showed": "indicated",
    "shows": "indicates",
    "expected": "anticipated",
    "likely": "probable",
    "market": "marketplace",
    "sales": "turnover",
    "profits": "earnings",
    "profit": "earnings",
    "business": "commerce",
    "country": "nation",
    "countries": "nations",
    "world": "globe",
    "major": "significant",
    "important": "crucial",
    "number": "quantity",
    "start": "begin",
    "started": "began",
    "began": "commenced",
    "end": "finish",
    "ended": "finished",
    "week": "seven days",
    "month": "calendar month",
    "game": "match",
    "match": "fixture",
    "team": "side",
    "players": "squad members",
    "player": "squad member",
    "win": "victory",
    "won": "secured",
    "lost": "was defeated in",
    "film": "movie",
    "films": "movies",
    "music": "songs",
    "users": "customers",
    "technology": "tech",
    "computer": "machine",
    "phone": "handset",
    "phones": "handsets",
    "minister": "secretary",
    "ministers": "secretaries",
    "party": "political party",
    "election": "vote",
    "voters": "electorate",
    "public": "general public",
    "about": "around",
    "around": "roughly",
    "because": "since",
    "before": "prior to",
    "after": "following",
    "however": "yet",
    "but": "though",
    "many": "numerous",
    "several": "a number of",
    "make": "produce",
    "made": "produced",
    "take": "take on",
    "took": "took on",
    "get": "obtain",
    "got": "obtained",
    "think": "believe",
    "believe": "consider",
    "want": "wish",
    "wanted": "wished",
    "need": "require",
    "needs": "requires",
    "use": "employ",
    "used": "employed",
    "buy": "purchase",
    "bought": "purchased",
    "sell": "offer",
    "job": "position",
    "jobs": "positions",
    "chief": "head",
    "executive": "boss",
    "group": "organisation",
    "deal": "agreement",
    "court": "tribunal",
    "police": "officers",
    "money": "cash",
    "price": "cost",
    "prices": "costs",
    "report": "study",
    "figures": "statistics",
    "recent": "latest",
    "last": "previous",
    "next": "coming",
    "early": "initial",
    "high": "elevated",
    "low": "modest",
    "top": "leading",
    "key": "central",
    "move": "step",
    "set": "due",
    "way": "manner",
    "part": "portion",
    # frequent function words and auxiliaries, so that a rewrite reaches every sentence
    "will": "is going to",
    "would": "might",
    "could": "may",
    "can": "is able to",
    "should": "ought to",
    "is": "remains",
    "are": "remain",
    "was": "had been",
    "were": "had been",
    "has": "had",
    "have": "had",
    "more": "additional",
    "other": "further",
    "first": "initial",
    "over": "across",
    "against": "versus",
    "with": "alongside",
    "from": "out of",
    "this": "that",
    "these": "those",
    "some": "certain",
    "all": "every one of the",
    "most": "the majority of",
    "than": "compared with",
    "up": "upwards",
    "out": "outside",
    "it": "this",
    "they": "those involved",
    "he": "the man",
    "she": "the woman",
    "we": "our side",
    "not": "never",
    "there": "in that place",
    "when": "once",
    "if": "provided",
    "while": "whereas",
    "which": "that",
    "who": "that",
    "one": "a single",
    "two": "a pair of",
    "three": "a trio of",
    "only": "merely",
    "being": "getting",
    "so": "therefore",
}
_FILLERS = frozenset({"also", "just", "very", "really", "still", "now", "already", "even", "quite", "then"})
_MARKERS = ["Meanwhile,", "In addition,", "Separately,", "At the same time,", "Notably,", "As it stands,"]

#: Invented page furniture for the republished copies.
BOILERPLATE = [
    "Sign up for our newsletter and get the day's top stories in your inbox",
    "Share this article: Facebook | X | WhatsApp | Email",
    "Advertisement",
    "Read more: all our coverage in one place",
    "Follow us on Instagram and TikTok for the latest updates",
    "This story was first published by a partner site and is republished with permission.",
    "Copyright 2024 Northgate Media Group. All rights reserved.",
    "Most read | Top stories | Latest news",
    "Comments are closed for this article.",
    "We use cookies to improve your experience. Accept | Settings",
    "Download our app for free updates",
    "Related stories",
    "Subscribe now: your first month is free",
    "Posted in News | Tagged business, markets",
]

_SENT = re.compile(r"[^.?!]+[.?!]")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]")


def _split(text: str) -> tuple[str, list[str]]:
    head, _, body = text.strip().partition("\n\n")
    return head, [p for p in body.split("\n\n") if p.strip()]


def _join(head: str, paras: list[str]) -> str:
    return head + "\n\n" + "\n\n".join(paras) + "\n"


def _swap_word(m: re.Match[str], table: dict[str, str]) -> str:
    w = m.group(0)
    low = w.lower()
    rep = table.get(low)
    if rep is None:
        return w
    return rep[0].upper() + rep[1:] if w[0].isupper() else rep


def _rewrite_sentence(s: str, rng: np.random.Generator, lower_common: frozenset[str]) -> str:
    s = s.strip()
    end = s[-1]
    core = s[:-1]
    out = _WORD.sub(lambda m: _swap_word(m, SYNONYMS), core)
    words = out.split(" ")
    kept = [w for w in words if not (w.lower().strip(",;:") in _FILLERS and rng.random() < 0.8)]
    out = " ".join(kept) if kept else out
    if ", " in out and rng.random() < 0.5:
        first, _, second = out.partition(", ")
        fw = first.split(" ", 1)
        if fw and fw[0].lower() in lower_common:
            first = fw[0].lower() + (" " + fw[1] if len(fw) > 1 else "")
        if second:
            out = second[0].upper() + second[1:] + ", " + first
    if out == core:
        m = _MARKERS[int(rng.integers(len(_MARKERS)))]
        fw = out.split(" ", 1)
        if fw[0].lower() in lower_common:
            out = fw[0].lower() + (" " + fw[1] if len(fw) > 1 else "")
        out = m + " " + out
    return out + end


def paraphrase(text: str, rng: np.random.Generator, lower_common: frozenset[str]) -> str:
    """Rewrite every sentence (synonyms, dropped fillers, swapped clauses); keep names and figures."""
    head, paras = _split(text)
    new_head = _WORD.sub(lambda m: _swap_word(m, SYNONYMS), head)
    new = [" ".join(_rewrite_sentence(s, rng, lower_common) for s in _SENT.findall(p)) for p in paras]
    return _join(new_head, new)


def light_edit(text: str, rng: np.random.Generator, topic_words: list[str]) -> str:
    """Replace a few words and figures, drop one sentence, maybe touch the headline."""
    head, paras = _split(text)
    sents = [_SENT.findall(p) for p in paras]
    flat = [(i, j) for i, ss in enumerate(sents) for j in range(len(ss))]
    if len(flat) > 3:
        i, j = flat[int(rng.integers(1, len(flat)))]
        del sents[i][j]
    body = "\n\n".join(" ".join(s.strip() for s in ss) for ss in sents if ss)
    words = list(_WORD.finditer(body))
    chosen = sorted(
        {int(x) for x in rng.choice(len(words), size=min(len(words), int(rng.integers(2, 6))), replace=False)}
    )
    pieces, pos = [], 0
    for c in chosen:
        m = words[c]
        w = m.group(0)
        rep = SYNONYMS.get(w.lower()) or topic_words[int(rng.integers(len(topic_words)))]
        if w[0].isupper():
            rep = rep[0].upper() + rep[1:]
        pieces.extend([body[pos : m.start()], rep])
        pos = m.end()
    pieces.append(body[pos:])
    body = "".join(pieces)
    nums = list(_NUMBER.finditer(body))
    if nums:
        for m in sorted(
            rng.choice(nums, size=min(len(nums), int(rng.integers(1, 3))), replace=False),
            key=lambda m: -m.start(),
        ):
            old = m.group(0)
            k = int(rng.integers(len(old)))
            while not old[k].isdigit():
                k = (k + 1) % len(old)
            new = old[:k] + str((int(old[k]) + int(rng.integers(1, 9))) % 10) + old[k + 1 :]
            body = body[: m.start()] + new + body[m.end() :]
    if rng.random() < 0.5:
        hw = head.split(" ")
        k = int(rng.integers(len(hw)))
        hw[k] = SYNONYMS.get(hw[k].lower(), hw[k])
        head = " ".join(hw)
    return head + "\n\n" + body + "\n"


def with_boilerplate(text: str, rng: np.random.Generator) -> str:
    """The same article with 2-4 lines of page furniture added."""
    head, paras = _split(text)
    lines = [
        BOILERPLATE[int(i)] for i in rng.choice(len(BOILERPLATE), size=int(rng.integers(2, 5)), replace=False)
    ]
    for line in lines:
        where = rng.random()
        if where < 0.35:
            paras.insert(0, line)
        elif where < 0.75:
            paras.append(line)
        else:
            paras.insert(int(rng.integers(1, max(2, len(paras)))), line)
    return _join(head, paras)


def partial(text: str, host: str, rng: np.random.Generator) -> str:
    """2-3 consecutive paragraphs of ``text`` put into the new document ``host``."""
    _, paras = _split(text)
    host_head, host_paras = _split(host)
    k = min(len(paras), int(rng.integers(2, 4)))
    s = int(rng.integers(0, len(paras) - k + 1))
    at = int(rng.integers(0, len(host_paras) + 1))
    return _join(host_head, host_paras[:at] + paras[s : s + k] + host_paras[at:])


# --- chunks ----------------------------------------------------------------------------------------

_MODEL: Model | None = None


def _model() -> Model:
    global _MODEL
    if _MODEL is None:
        _MODEL = build_model()
    return _MODEL


def generate_texts(
    model: Model, seed: int, n: int, lo: int = 400, hi: int = 800
) -> tuple[list[str], np.ndarray]:
    """``n`` fresh generated documents (and their topic indices), deterministic in ``seed``."""
    rng = np.random.default_rng(seed)
    t = len(model.topics)
    topics = rng.integers(0, t, size=n).astype(np.int64)
    targets = rng.integers(lo, hi + 1, size=n).astype(np.int64)
    stories = np.empty((n, STORY_ARTICLES), dtype=np.int64)
    for i in range(n):
        arts = model.articles_of_topic[topics[i]]
        stories[i] = arts[rng.integers(len(arts), size=STORY_ARTICLES)]
    buf, off = _generate(
        int(seed % (1 << 31)),
        topics,
        targets,
        stories,
        model.indptr,
        model.succ,
        model.cum,
        model.kinds,
        model.vbytes,
        model.voff,
        model.story_ptr,
        model.story,
        model.story_cnt,
        model.common,
        len(model.vocab),
        STORY_SHARE,
        STORY_KEEP,
    )
    raw = buf.tobytes()
    return [raw[off[i] : off[i + 1]].decode("utf-8") for i in range(n)], topics


@dataclass
class Chunk:
    lines: list[str]  # JSONL lines
    truth: list[tuple[str, str, str]]  # (copy id, original id, kind)


def make_chunk(index: int, size: int, seed: int) -> Chunk:
    """Chunk ``index``: ``size`` documents (originals and planted copies), ids from ``index * CHUNK``."""
    model = _model()
    rng = np.random.default_rng([seed, index])
    counts = {k: round(share * size) for k, share in SHARES.items()}
    n_orig = size - sum(counts.values())
    texts, topics = generate_texts(model, int(rng.integers(1 << 62)), n_orig)
    hosts, _ = generate_texts(model, int(rng.integers(1 << 62)), counts["partial"], 250, 450)
    dates = rng.integers(0, 730, size=n_orig)
    items: list[tuple[str, int, str, int]] = [
        (t, int(d), "original", -1) for t, d in zip(texts, dates, strict=True)
    ]
    host_i = 0
    for kind, c in counts.items():
        for _ in range(c):
            o = int(rng.integers(n_orig))
            src = texts[o]
            if kind == "exact":
                new = src
            elif kind == "boilerplate":
                new = with_boilerplate(src, rng)
            elif kind == "light_edit":
                tw = model.topic_words[topics[o]]
                new = light_edit(src, rng, [model.vocab[w] for w in tw[rng.integers(len(tw), size=8)]])
            elif kind == "paraphrase":
                new = paraphrase(src, rng, model.lower_common)
            else:
                new = partial(src, hosts[host_i], rng)
                host_i += 1
            items.append((new, int(dates[o]) + int(rng.integers(0, 21)), kind, o))
    order = rng.permutation(len(items))
    pos_of = np.empty(len(items), dtype=np.int64)
    pos_of[order] = np.arange(len(items))
    base = index * CHUNK
    lines = []
    truth = []
    for p, k in enumerate(order):
        text, day, kind, o = items[k]
        doc_id = f"d{base + p:08d}"
        date = (EPOCH + dt.timedelta(days=day)).isoformat()
        lines.append(json.dumps({"id": doc_id, "text": text, "date": date}, ensure_ascii=False))
        if kind != "original":
            truth.append((doc_id, f"d{base + int(pos_of[o]):08d}", kind))
    return Chunk(lines, truth)


def _chunk_job(args: tuple[int, int, int]) -> Chunk:
    return make_chunk(*args)


def iter_chunks(n_docs: int, seed: int, workers: int) -> Iterator[Chunk]:
    """The chunks of an ``n_docs`` corpus in order (generated by ``workers`` processes)."""
    jobs = [(i, min(CHUNK, n_docs - i * CHUNK), seed) for i in range((n_docs + CHUNK - 1) // CHUNK)]
    generate_texts(_model(), 0, 2)  # model built and kernel compiled once, inherited by forked workers
    if workers <= 1 or len(jobs) == 1:
        yield from map(_chunk_job, jobs)
        return
    ctx = mp.get_context("fork")
    with ctx.Pool(workers) as pool:
        yield from pool.imap(_chunk_job, jobs, chunksize=1)


def write_corpus(
    n_docs: int, out: Path, truth_path: Path, seed: int = 1, workers: int = 2
) -> dict[str, object]:
    """Write the corpus (JSONL) and its ground truth (JSONL); return a summary."""
    t0 = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = out.with_name(out.name + ".tmp")
    tmp_truth = truth_path.with_name(truth_path.name + ".tmp")
    kinds: Counter[str] = Counter()
    nbytes = 0
    with tmp_out.open("w", encoding="utf-8") as f, tmp_truth.open("w", encoding="utf-8") as g:
        for chunk in iter_chunks(n_docs, seed, workers):
            for line in chunk.lines:
                f.write(line + "\n")
                nbytes += len(line) + 1
            for c, o, k in chunk.truth:
                g.write(json.dumps({"copy": c, "original": o, "kind": k}) + "\n")
                kinds[k] += 1
    os.replace(tmp_out, out)
    os.replace(tmp_truth, truth_path)
    return {
        "docs": n_docs,
        "copies": dict(kinds),
        "bytes": nbytes,
        "seconds": time.perf_counter() - t0,
        "seed": seed,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--truth", type=Path, help="default: OUT with .truth.jsonl")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = ap.parse_args()
    truth = args.truth or args.out.with_suffix(".truth.jsonl")
    summary = write_corpus(args.docs, args.out, truth, args.seed, args.workers)
    json.dump(summary, sys.stdout)
    print()


if __name__ == "__main__":
    main()
