"""Explanation: aligned sentences -> typed changes of meaning with spans.

Each detector looks at one kind of evidence inside every link of the
alignment (numbers, quotes, names, speakers, hedges and clauses) and reports
only what the copy lost, gained or altered; a word that changed for a synonym
or a figure written another way is not a change. Spans index ``view`` of each
document; :func:`explain` maps them to the input at the end.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Protocol, TypeVar

import numpy as np

from retold.nlp import STOPWORDS, content_words, form, stem
from retold.numbers import SPAN, Quantity, find_quantities
from retold.polarity import reversals
from retold.references import counts_a_list, group_names, name_list_sizes
from retold.relation import STRONG_LINK, is_title
from retold.tone import Grader, candidates, shifts
from retold.types import (
    Alignment,
    Change,
    ChangeType,
    CleanDocument,
    LinkKind,
    Relation,
    SentenceLink,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

Encode = Callable[[list[str]], np.ndarray]

_NAME_ENTS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
_SPEECH = frozenset(
    ["say", "tell", "claim", "add", "insist", "state", "argue", "warn", "announce", "suggest", "explain",
     "deny", "confirm", "accuse", "allege", "reveal", "predict", "urge", "stress", "emphasise", "emphasize",
     "note", "remark", "comment", "reply", "respond", "acknowledge", "concede"]
)
_HEDGES = frozenset(
    ["probably", "possibly", "perhaps", "maybe", "likely", "unlikely", "reportedly", "allegedly",
     "apparently", "seemingly", "somewhat", "partly", "arguably"]
)
_BOOSTERS = frozenset(
    ["certainly", "clearly", "definitely", "undoubtedly", "prove", "proved", "proves", "proven"]
)
_FIRM_MODALS = frozenset({"will", "would", "must", "shall"})
# Verbs that already make a statement a forecast ("is expected to"): a hedge reworded, not added.
_EXPECTING = frozenset({"expect", "anticipate", "forecast", "predict", "tip"})
_WEAK_MODALS = frozenset({"may", "might", "could"})
# Neutral verbs of saying: one given as another keeps the content ("deny", "warn" do not).
_SAYING = frozenset({"say", "tell", "speak", "talk", "add", "state", "comment", "remark", "explain"})
SYNONYM_COSINE = 0.6
DEMONYM_COSINE = 0.55
_PLACE_ENTS = frozenset({"GPE", "LOC", "NORP"})
_CLAUSE_DEPS = {
    "conj", "relcl", "acl", "advcl", "appos", "prep", "npadvmod", "ccomp", "xcomp", "dobj", "pobj", "nmod",
}
_TIME_ENTS = frozenset({"DATE", "TIME"})
_NOUNS = frozenset({"NOUN", "PROPN"})
_CUT_WORD = re.compile(r"\w+(?:'\w+)*")
# A cut of one or two content words is mostly framing ("However, during the hearing on Tuesday" /
# "On Tuesday"): a cut run must hold three to be a detail lost.
_CUT_CONTENT = 3
_CONTENT_POS = {"NOUN", "PROPN", "NUM", "ADJ", "VERB", "ADV"}
_WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s?\b")
# Months; "May" only where it names one (before a figure, or after a word that dates).
_MONTH = re.compile(
    r"\b(January|February|March|April|June|July|August|September|October|November|December"
    r"|(?:(?<=\bnext )|(?<=\blast )|(?<=\bthis )|(?<=\bearly )|(?<=\blate )|(?<=\bsince )|(?<=\buntil )"
    r"|(?<=\bin )|(?<=\bon )|(?<=\bby )|(?<=\bfrom )|(?<=\bof )|(?<=\bmid-))May|May(?= \d))\b"
)
_VAGUE_PERIOD = re.compile(
    # a season, or a part of a year: what a month becomes when it is made vague
    r"\b(spring|summer|autumn|winter|(?:early|late|mid|the end of|the start of|the beginning of)[- ]"
    r"(?:\d{4}\b|(?:this|last|next) year|the year))",
    re.IGNORECASE,
)
_QUOTE_RE = re.compile(r"[\"“]([^\"“”]{2,}?)[\"”]")
_APOS = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


@dataclass(slots=True)
class _Side:
    """Per-document material the detectors share."""

    doc: CleanDocument
    parsed: Doc | None  # None when no link is examined: the side has no tokens
    tokens_by_sentence: list[list[Token]] = field(default_factory=list)
    keys: dict[int, str] = field(default_factory=dict)  # token index -> _key of the tokens in sentences
    ents: list[Span] = field(default_factory=list)
    ent_starts: list[int] = field(default_factory=list)
    _chunks: list[_Chunk] | None = None
    _chunk_starts: list[int] | None = None

    @classmethod
    def build(cls, doc: CleanDocument, parsed: Doc | None) -> _Side:
        side = cls(doc, parsed)
        side.tokens_by_sentence = [[] for _ in doc.sentences]
        if parsed is None:
            return side
        starts = [s.start for s in doc.sentences]
        k = 0
        for tok in parsed:
            while k + 1 < len(starts) and tok.idx >= starts[k + 1]:
                k += 1
            if doc.sentences and doc.sentences[k].start <= tok.idx < doc.sentences[k].end:
                side.tokens_by_sentence[k].append(tok)
                side.keys[tok.i] = _key(tok)
        side.ents = list(parsed.ents)  # sorted and non-overlapping
        side.ent_starts = [e.start for e in side.ents]
        return side

    def tokens(self, idxs: Iterable[int]) -> list[Token]:
        return [t for i in idxs for t in self.tokens_by_sentence[i]]

    def ents_within(self, lo: int, hi: int) -> list[Span]:
        """Entities wholly inside tokens ``lo:hi``, in document order."""
        return _within(self.ents, self.ent_starts, lo, hi)

    def chunks_within(self, lo: int, hi: int) -> list[_Chunk]:
        """Noun chunks wholly inside tokens ``lo:hi``, in the parser's order (computed once)."""
        if self._chunks is None:
            assert self.parsed is not None, "noun chunks of an unparsed side"
            self._chunks = [
                _Chunk(ch.start, ch.end, ch.start_char, ch.end_char, ch.text,
                       tuple(_key(t) for t in ch if _is_content(t)))
                for ch in self.parsed.noun_chunks
            ]
            starts = [c.start for c in self._chunks]
            self._chunk_starts = starts if starts == sorted(starts) else None
        if self._chunk_starts is None:
            return [c for c in self._chunks if c.start >= lo and c.end <= hi]
        return _within(self._chunks, self._chunk_starts, lo, hi)


class _Ranged(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


_T = TypeVar("_T", bound=_Ranged)


def _within(items: Sequence[_T], starts: Sequence[int], lo: int, hi: int) -> list[_T]:
    """Items (sorted by ``start``, whose starts are ``starts``) lying wholly inside ``lo:hi``."""
    out = []
    for it in items[bisect_left(starts, lo) :]:
        if it.start >= hi:
            break
        if it.end <= hi:
            out.append(it)
    return out


@dataclass(frozen=True, slots=True)
class _Chunk:
    start: int
    end: int
    start_char: int
    end_char: int
    text: str
    content_keys: tuple[str, ...]


def _key(tok: Token) -> str:
    return stem(tok.lemma_ if tok.pos_ in {"VERB", "NOUN", "ADJ", "AUX"} else tok.text)


def _is_content(tok: Token) -> bool:
    return tok.pos_ in _CONTENT_POS and tok.lower_ not in STOPWORDS and any(c.isalnum() for c in tok.text)


class _Keys(set[str]):
    """The keys of one side of a link, which synonyms on the other side may extend.

    ``extend`` (set by :meth:`_Explainer._link_keys`) adds them to both sides;
    it needs word vectors, so it runs on the first query whose answer it could
    change: a key absent so far but among ``maybe``, the keys it may add. Every
    answer is that of the extended set.
    """

    __slots__ = ("extend", "maybe")

    def __init__(self, keys: set[str], maybe: frozenset[str]) -> None:
        super().__init__(keys)
        self.maybe = maybe
        self.extend: Callable[[], None] | None = None

    def __contains__(self, key: object) -> bool:
        if set.__contains__(self, key):
            return True
        if self.extend is not None and key in self.maybe:
            self.extend()
            return set.__contains__(self, key)
        return False


@dataclass(slots=True)
class _Found:
    type: ChangeType
    src: tuple[int, int] | None
    dst: tuple[int, int] | None
    note: str
    priority: int


_PRIORITY = {
    ChangeType.QUOTE: 6,
    ChangeType.NUMBER: 5,
    ChangeType.ATTRIBUTION: 4,
    ChangeType.ENTITY: 4,
    ChangeType.TONE: 3,
    ChangeType.OMISSION: 2,
    ChangeType.ADDITION: 2,
}


class _Explainer:
    def __init__(
        self, src: _Side, dst: _Side, alignment: Alignment, relation: Relation, encode: Encode
    ) -> None:
        self.src, self.dst, self.alignment, self.relation = src, dst, alignment, relation
        self.encode = encode
        self.vectors: dict[str, np.ndarray] = {}
        self.found: list[_Found] = []
        self.dst_all_keys = set(dst.keys.values())
        self.src_all_keys = set(src.keys.values())
        self._dst_name_keys: set[str] | None = None  # made when first needed
        self.grader = Grader(encode)
        self._acronyms: dict[str, set[int]] = {}

    def add(
        self, type_: ChangeType, src: tuple[int, int] | None, dst: tuple[int, int] | None, note: str
    ) -> None:
        self.found.append(_Found(type_, src, dst, note, _PRIORITY.get(type_, 1)))

    # -- sentence level -------------------------------------------------
    def unaligned(self) -> None:
        whole = self.relation in (
            Relation.PARAPHRASE, Relation.LIGHT_EDIT, Relation.NEAR_DUPLICATE, Relation.REPUBLISH,
        )
        # Each linked source sentence and where the copy has it.
        linked = {i: lk.copy[0] for lk in self.alignment.links for i in lk.source}
        for i in self.alignment.source_unaligned:
            s = self.src.doc.sentences[i]
            if is_title(self.src.doc, i) or i in self.alignment.source_restated:
                continue
            if not whole and not _interior(self.src.doc, i, linked):
                continue
            has_quote = bool(_QUOTE_RE.search(s.text.translate(_APOS)))
            self.add(
                ChangeType.QUOTE if has_quote else ChangeType.OMISSION,
                (s.start, s.end), None,
                "quoted statement removed" if has_quote else "sentence of the source left out",
            )
        if whole:
            for j in self.alignment.copy_unaligned:
                if is_title(self.dst.doc, j) or j in self.alignment.copy_restated:
                    continue
                s = self.dst.doc.sentences[j]
                self.add(ChangeType.ADDITION, None, (s.start, s.end), "claim not found in the source")

    # -- per link ---------------------------------------------------------
    def links(self) -> None:
        """Run the detectors over every examined link.

        Each side's keys are extended by synonyms (:meth:`_synonyms`) when a query
        first needs it (:class:`_Keys`). A strongly linked pair always does (its
        clauses are checked word by word), so the words of all of them are embedded
        first in one batched call; a loose link embeds its words only if asked. A
        vector does not depend on its batch, so none of this changes a result.
        """
        work = []
        prefetch: list[str] = []
        to_grade: list[str] = []
        for lk in self.alignment.links:
            if not _examined(lk, self.relation, self.src.doc):
                continue
            s_toks, d_toks = self.src.tokens(lk.source), self.dst.tokens(lk.copy)
            # With the names a sentence counts ("All three have left") as if it said them.
            s_base = {self.src.keys[t.i] for t in s_toks} | _group_keys(self.src, lk.source)
            d_base = {self.dst.keys[t.i] for t in d_toks} | _group_keys(self.dst, lk.copy)
            s_free, d_free = self._free_words(s_toks, d_toks, s_base, d_base)
            s_keys, d_keys = self._link_keys(s_base, d_base, s_free, d_free)
            if lk.score >= STRONG_LINK:
                prefetch += s_free + d_free
            work.append((lk, s_toks, d_toks, s_keys, d_keys))
            to_grade += candidates(s_toks) + candidates(d_toks)
        # The words to prefetch and those the grader needs, in one batched call (one run of the model).
        new = [t for t in dict.fromkeys(prefetch) if t not in self.vectors]
        todo = self.grader.unknown(to_grade)
        if new or todo:
            vecs = self.encode(new + todo)
            self.vectors.update(zip(new, vecs[: len(new)], strict=True))
            self.grader.learn(todo, vecs[len(new) :])
        for item in work:
            self.link(*item)

    def _link_keys(
        self, s_base: set[str], d_base: set[str], s_free: list[str], d_free: list[str]
    ) -> tuple[_Keys, _Keys]:
        """The two key sets of a link, extended by :meth:`_synonyms` on first need."""
        s_keys = _Keys(s_base, frozenset(stem(w) for w in d_free))
        d_keys = _Keys(d_base, frozenset(stem(w) for w in s_free))
        if s_free and d_free:

            def extend() -> None:
                s_keys.extend = d_keys.extend = None
                self._synonyms(s_free, d_free, s_keys, d_keys)

            s_keys.extend = d_keys.extend = extend
        return s_keys, d_keys

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of ``texts``, encoding only those not seen before (in one call)."""
        new = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if new:
            self.vectors.update(zip(new, self.encode(new), strict=True))
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self.vectors[t] for t in texts])

    def link(
        self, lk: SentenceLink, s_toks: list[Token], d_toks: list[Token], s_keys: _Keys, d_keys: _Keys
    ) -> None:
        s_text = self._text(self.src, lk.source)
        d_text = self._text(self.dst, lk.copy)
        q_spans = self.quotes(lk, s_text, d_text)
        # A headline drops and adds details its text states: judged against the whole other text.
        headline = lk.source == lk.copy == (0,) and is_title(self.src.doc, 0) and is_title(self.dst.doc, 0)
        self.numbers(s_text, d_text, headline)
        self.dates(s_text, d_text)
        self.entities(s_toks, d_toks, d_keys, s_keys)
        self.new_names(s_toks, d_toks, s_keys)
        self.attribution(s_toks, d_toks, d_keys)
        self.tone(s_toks, d_toks, d_keys, s_keys)
        for rv in reversals(s_toks, d_toks, _key):
            self.add(ChangeType.ADDITION, rv.src, rv.dst, rv.note)
        self.titles(s_toks, d_toks, d_keys)
        self.cuts(s_text, d_text, q_spans, s_toks if headline else None)
        if lk.score >= STRONG_LINK:
            # Inside a loosely linked pair, unmatched words say little.
            self.clauses(s_toks, d_keys, q_spans, side="src", others=d_toks, headline=headline)
            self.clauses(d_toks, s_keys, q_spans, side="dst", others=s_toks, headline=headline)

    def _free_words(
        self, s_toks: list[Token], d_toks: list[Token], s_keys: set[str], d_keys: set[str]
    ) -> tuple[list[str], list[str]]:
        """Lemmas of each side's content words whose key the other side lacks (none if a side has none)."""
        s_map, d_map = self.src.keys, self.dst.keys
        s_free = sorted({t.lemma_.lower() for t in s_toks if _is_content(t) and s_map[t.i] not in d_keys})
        d_free = sorted({t.lemma_.lower() for t in d_toks if _is_content(t) and d_map[t.i] not in s_keys})
        if not s_free or not d_free:
            return [], []
        return s_free, d_free

    def _synonyms(self, s_free: list[str], d_free: list[str], s_keys: set[str], d_keys: set[str]) -> None:
        """Count a word as kept when the other side has a word of the same meaning.

        Single words are embedded with the sentence model; a pair at cosine >=
        SYNONYM_COSINE ("polls"/"elections", "ditch"/"scrap") matches.
        """
        if not s_free or not d_free:
            return
        vecs = self._embed(s_free + d_free)
        sims = vecs[: len(s_free)] @ vecs[len(s_free) :].T
        for a, w in enumerate(s_free):
            b = int(np.argmax(sims[a]))
            if sims[a, b] >= SYNONYM_COSINE:
                d_keys.add(stem(w))
                s_keys.add(stem(d_free[b]))

    def _text(self, side: _Side, idxs: tuple[int, ...]) -> tuple[list[int], str]:
        """Concatenate sentences with a map from concatenation offsets to view offsets."""
        offs: list[int] = []
        parts: list[str] = []
        for i in idxs:
            s = side.doc.sentences[i]
            if parts:
                parts.append(" ")
                offs.append(s.start)
            parts.append(s.text)
            offs.extend(range(s.start, s.end))
        return offs, "".join(parts)

    # -- numbers ------------------------------------------------------------
    def numbers(
        self, s_text: tuple[list[int], str], d_text: tuple[list[int], str], headline: bool = False
    ) -> None:
        s_map, s_str = s_text
        d_map, d_str = d_text
        sq = find_quantities(s_str)
        dq = find_quantities(d_str)
        used: set[int] = set()

        def vspan(m: list[int], q: Quantity) -> tuple[int, int]:
            return m[q.start], m[q.end - 1] + 1

        unmatched_src: list[Quantity] = []
        for q in sq:
            hit = next((k for k, r in enumerate(dq) if k not in used and q.same_as(r)), None)
            if hit is None:
                hit = next(
                    (k for k, r in enumerate(dq) if k not in used and q.matches_value(r)
                     and q.qualifier in ("exact", r.qualifier) and r.qualifier in ("exact", q.qualifier)),
                    None,
                )
            if hit is None:  # the same span of time: "12 months" / "the past year"
                hit = next((k for k, r in enumerate(dq) if k not in used and q.same_span(r)), None)
            if hit is not None:
                used.add(hit)
            else:
                unmatched_src.append(q)
        # A phrase naming a span of time ("a fortnight") only serves to match a figure.
        # A currency conversion ("$100 (£53)") restates the figure before it: neither lost nor new.
        leftover = [r for k, r in enumerate(dq) if k not in used and r.qualifier != SPAN and not r.conversion]
        for q in unmatched_src:
            if (q.value is None and q.qualifier in ("vague", SPAN)) or q.conversion:
                continue  # a vague source word lost is no loss of precision
            partner = _nearest(q, leftover, len(s_str), len(d_str))
            if partner is not None:
                leftover.remove(partner)
                if partner.value is None:
                    note = f"“{q.text}” made vague as “{partner.text}”"
                elif q.matches_value(partner):
                    note = f"qualifier changed: “{q.text}” → “{partner.text}”"
                else:
                    note = f"figure changed: “{q.text}” → “{partner.text}”"
                self.add(ChangeType.NUMBER, vspan(s_map, q), vspan(d_map, partner), note)
            elif q.value is not None:
                # A figure without a partner is looked for in the linked sentence, or for a
                # headline in the whole other text.
                if _key_in(s_str[q.start:q.end], d_str) or _counts_a_list(q, d_str):
                    continue
                if headline and _figure_in(q.text, self.dst.doc.view):
                    continue
                if _repeated_figure(q.text, s_str[q.end:], self.src.doc.view, self.dst.doc.view):
                    continue  # a figure the source states twice and the copy once
                self.add(ChangeType.NUMBER, vspan(s_map, q), None, f"figure “{q.text}” dropped")
        for r in leftover:
            if (
                r.value is not None and r.qualifier != "vague" and not _key_in(d_str[r.start:r.end], s_str)
                and not (headline and _figure_in(r.text, self.src.doc.view)) and not _counts_a_list(r, s_str)
            ):
                self.add(ChangeType.NUMBER, None, vspan(d_map, r), f"figure “{r.text}” not in the source")

    def dates(self, s_text: tuple[list[int], str], d_text: tuple[list[int], str]) -> None:
        """A day of the week or a month given as another ("on Monday" / "on Tuesday") dates the
        fact anew; a month given as a season or a part of the year ("next May" / "in the spring",
        "in December 2004" / "in late 2004") is made vague.

        A day or month dropped or added alone is not reported: rewrites drop "on Monday" freely,
        and what it dated is still there.
        """
        s_map, s_str = s_text
        d_map, d_str = d_text

        def span(m: list[int], hit: re.Match[str]) -> tuple[int, int]:
            return m[hit.start(1)], m[hit.end(1) - 1] + 1

        for pattern in (_WEEKDAY, _MONTH):
            s_hits = list(pattern.finditer(s_str))
            if not s_hits:
                continue
            d_hits = list(pattern.finditer(d_str))
            s_names = {m.group(1).lower() for m in s_hits}
            d_names = {m.group(1).lower() for m in d_hits}
            s_only = [m for m in s_hits if m.group(1).lower() not in d_names]
            d_only = [m for m in d_hits if m.group(1).lower() not in s_names]
            for a, b in zip(s_only, d_only, strict=False):
                self.add(
                    ChangeType.NUMBER, span(s_map, a), span(d_map, b),
                    f"date changed: “{a.group(1)}” → “{b.group(1)}”",
                )
            if pattern is _MONTH and s_only and not d_only:
                s_periods = {m.group(1).lower() for m in _VAGUE_PERIOD.finditer(s_str)}
                periods = [m for m in _VAGUE_PERIOD.finditer(d_str) if m.group(1).lower() not in s_periods]
                for a, b in zip(s_only, periods, strict=False):
                    self.add(
                        ChangeType.NUMBER, span(s_map, a), span(d_map, b),
                        f"“{a.group(1)}” made vague as “{b.group(1)}”",
                    )

    # -- quotes ---------------------------------------------------------------
    def quotes(
        self, lk: SentenceLink, s_text: tuple[list[int], str], d_text: tuple[list[int], str]
    ) -> list[tuple[int, int]]:
        s_map, s_str = s_text
        d_map, d_str = d_text
        s_norm, d_norm = s_str.translate(_APOS), d_str.translate(_APOS)
        d_quotes = _quote_spans(d_norm)
        s_quotes = _quote_spans(s_norm)
        # A quote split by an inserted "he said" (or joined where the other side split it).
        d_joined = _joined_quotes(d_quotes)
        # ... or runs of source quotes that the copy gives as one quote
        s_joined_whole = _joined_quotes(s_quotes) & {_squash(dq[2]) for dq in d_quotes}
        covered: list[tuple[int, int]] = []
        for q_start, q_end, q in s_quotes:
            qw = _words(q)
            if not qw:
                continue
            sq = _squash(q)
            if sq in d_joined or any(sq in j for j in s_joined_whole):
                continue
            best, best_ov = None, 0.0
            for dq in d_quotes:
                ov = _overlap(qw, _words(dq[2]))
                if ov > best_ov:
                    best, best_ov = dq, ov
            src_span = (s_map[q_start], s_map[q_end - 1] + 1)
            if best is not None and form(best[2]) == form(q):
                continue  # the same words, perhaps in another house style ("didn't" / "did not")
            if best is not None and best_ov >= 0.5:
                # Same quote, altered or cut: report the differing words.
                diff = _word_diff(q, best[2])
                if diff is None:
                    continue
                (a0, a1), (b0, b1) = diff
                if not any(w not in STOPWORDS for w in _words(q[a0:a1]) + _words(best[2][b0:b1])):
                    continue  # only an article or a particle differs
                src_part = (s_map[q_start + a0], s_map[q_start + a1 - 1] + 1) if a1 > a0 else None
                dst_part = (d_map[best[0] + b0], d_map[best[0] + b1 - 1] + 1) if b1 > b0 else None
                note = "quote cut short" if dst_part is None else "quoted words altered"
                self.add(ChangeType.QUOTE, src_part or src_span, dst_part, note)
                covered.append(src_span)
                continue
            # No matching quote: indirect speech, or gone.
            present = _overlap(qw, _words(d_norm))
            if present >= 0.6 and len(qw) >= 3:
                region = _word_region(d_norm, qw)
                s_rng: tuple[int, int] = (q_start, q_end)
                if region:
                    s_rng, region = _without_kept_figures(s_norm, s_rng, d_norm, region)
                dst_span = (d_map[region[0]], d_map[region[1] - 1] + 1) if region else None
                self.add(ChangeType.QUOTE, (s_map[s_rng[0]], s_map[s_rng[1] - 1] + 1), dst_span,
                         "direct quote turned into indirect speech")
            elif len(qw) >= 2 or present < 0.5:
                partner = best if best is not None and best_ov > 0 else None
                if partner is None:
                    # The words the copy put in the quote's place, between the same neighbours.
                    partner = _replacement(s_norm, q_start, q_end, d_norm)
                    if partner is not None and set(_words(partner[2])) == set(qw):
                        continue  # the same words, only the quote marks dropped
                if partner is None and len(qw) <= 3 and present >= 0.5:
                    continue
                if partner is None and q_end - q_start >= 0.6 * len(s_norm) and d_norm.strip():
                    # The quote was most of the sentence: its linked sentence paraphrases it.
                    self.add(ChangeType.QUOTE, src_span, (d_map[0], d_map[-1] + 1), "quote paraphrased")
                    covered.append(src_span)
                    continue
                dst_span = (d_map[partner[0]], d_map[partner[1] - 1] + 1) if partner else None
                self.add(ChangeType.QUOTE, src_span, dst_span,
                         "quote replaced" if dst_span else "quote removed")
            covered.append(src_span)
        return covered

    # -- names ------------------------------------------------------------------
    def entities(self, s_toks: list[Token], d_toks: list[Token], d_keys: set[str], s_keys: set[str]) -> None:
        if not s_toks:
            return
        lo, hi = s_toks[0].i, s_toks[-1].i + 1
        d_chunks: list[tuple[int, int, str]] | None = None  # made when first needed
        for ent in self.src.ents_within(lo, hi):
            if ent.label_ not in _NAME_ENTS or _figures_only(ent):
                continue
            keys = [_key(t) for t in ent if _is_content(t) or t.pos_ == "PROPN"]
            if not keys:
                continue
            # Paraphrases move names between sentences and replace repeats by
            # pronouns: a name is lost only when the copy never mentions it.
            pool = self.dst_all_keys
            if ent.label_ == "PERSON":
                # by the surname: the last word used as a name ("Philip Larkin - battled" is one
                # name to the tagger)
                hit = ([_key(t) for t in ent if t.pos_ == "PROPN"] or keys)[-1] in pool
            else:
                # Most of its words, one of them still part of a name: "the Embassy Hotel" is not
                # kept by "a London hotel", nor an association of officers by "Probation officers".
                hit = sum(k in pool for k in keys) >= max(1, (len(keys) + 1) // 2)
                hit = hit and (
                    any(k in self.dst_name_keys for k in keys) or ent.text in self.dst.doc.view
                )
            if hit or _acronym_or_alias(ent.text, self.dst.doc.view):
                continue
            if ent.label_ == "NORP" and _key(ent.root.head) in d_keys:
                continue  # "British and Irish Lions" -> "Lions": a modifier dropped, the name kept
            if ent.label_ in _PLACE_ENTS and self._demonym(ent.text, d_toks):
                continue  # "players from France" -> "French players"
            if _is_speaker(ent.root):
                continue  # handled by attribution
            span = (ent.start_char, ent.end_char)
            swap = self._new_name_for(ent, d_toks)
            if swap is None:
                swap = self._other_source_name_for(ent, s_toks, d_toks)
                if swap is not None and self._named_just_before(ent, swap):
                    continue  # the source's second word for the place it had just named
            if swap is not None:
                self.add(ChangeType.ENTITY, span, (swap.start_char, swap.end_char),
                         f"“{ent.text}” replaced by “{swap.text}”")
                continue
            if d_chunks is None:
                # Chunks none of whose words the source sentence has, as written: a word matched to
                # the name itself as a synonym ("Paris" / "capital") still leaves its phrase free.
                d_chunks = _free_chunks(self.dst, d_toks, {self.src.keys[t.i] for t in s_toks})
            partner = self._equivalent(ent.text, d_chunks)
            if partner == "same":
                continue
            if isinstance(partner, tuple):
                self.add(ChangeType.ENTITY, span, partner, f"“{ent.text}” replaced or blurred")
            else:
                self.add(ChangeType.OMISSION, span, None, f"“{ent.text}” left out")

    @property
    def dst_name_keys(self) -> set[str]:
        """Keys of the copy's words used as names: proper nouns, or capitalised inside a sentence."""
        if self._dst_name_keys is None:
            parsed = self.dst.parsed
            self._dst_name_keys = {
                self.dst.keys[t.i] for t in (parsed if parsed is not None else [])
                if t.i in self.dst.keys
                and (t.pos_ == "PROPN" or (t.text[:1].isupper() and not t.is_sent_start))
            }
        return self._dst_name_keys

    def _new_name_for(self, ent: Span, d_toks: list[Token]) -> Span | None:
        """The name of the same kind that stands in the linked copy sentence where the source's
        ``ent`` stood, when the source never mentions it: one name replaced by another."""
        if not d_toks:
            return None
        fresh = [
            e for e in self.dst.ents_within(d_toks[0].i, d_toks[-1].i + 1)
            if e.label_ == ent.label_ and not _figures_only(e) and self._unknown_name(e)
        ]
        if not fresh:
            return None
        s_sent = ent.sent
        rel = (ent.start - s_sent.start) / max(1, len(s_sent))
        return min(fresh, key=lambda e: abs((e.start - e.sent.start) / max(1, len(e.sent)) - rel))

    def _other_source_name_for(self, ent: Span, s_toks: list[Token], d_toks: list[Token]) -> Span | None:
        """The name of a kind ``ent`` may stand for that plays ``ent``'s part in the linked copy
        sentence, when the source names it elsewhere but not in the linked sentences: the copy put
        one thing of the story in another's place ("mixed in Memphis" / "mixed in Nashville")."""
        if not d_toks:
            return None
        group = _name_group(ent.label_)
        role = _role(ent.root)
        linked = " ".join(t.text for t in s_toks).lower()
        others = [
            e for e in self.dst.ents_within(d_toks[0].i, d_toks[-1].i + 1)
            if _name_group(e.label_) == group and _role(e.root) == role and not _figures_only(e)
            and e.text.lower() not in linked and not self._unknown_name(e)
            and any(t.pos_ == "PROPN" for t in e)
        ]
        if not others:
            return None
        rel = (ent.start - ent.sent.start) / max(1, len(ent.sent))
        return min(others, key=lambda e: abs((e.start - e.sent.start) / max(1, len(e.sent)) - rel))

    def _named_just_before(self, ent: Span, other: Span) -> bool:
        """True when the source gives a name once, by a word of its own, in the sentence after the
        one that names ``other``: a second name for the thing just named ("... in Nashville. Music
        City has ...") that the copy gave by its plain name. A person's name is never taken for
        another's."""
        if ent.label_ == "PERSON" or self.src.doc.view.count(ent.text) > 1:
            return False
        k = next((i for i, toks in enumerate(self.src.tokens_by_sentence)
                  if toks and toks[0].i <= ent.start <= toks[-1].i), 0)
        if k == 0 or not (before := self.src.tokens_by_sentence[k - 1]):
            return False
        return any(
            e.text.lower() == other.text.lower()
            for e in self.src.ents_within(before[0].i, before[-1].i + 1)
        )

    def _unknown_name(self, ent: Span) -> bool:
        """True for a copy name the source never mentions: a person by the surname, another name
        by most of its words."""
        keys = [_key(t) for t in ent if t.pos_ == "PROPN"]
        if not keys or ent.text.lower() in self.src.doc.view.lower():
            return False
        if ent.label_ == "PERSON":
            return keys[-1] not in self.src_all_keys
        return sum(k in self.src_all_keys for k in keys) <= len(keys) / 2

    def new_names(self, s_toks: list[Token], d_toks: list[Token], s_keys: set[str]) -> None:
        """Names in the copy that the source never mentions: the claim around them is added."""
        if not d_toks:
            return
        lo, hi = d_toks[0].i, d_toks[-1].i + 1
        s_chunks: list[tuple[int, int, str]] | None = None  # made when first needed
        for ent in self.dst.ents_within(lo, hi):
            if ent.label_ not in _NAME_ENTS or ent.label_ == "NORP" or _figures_only(ent):
                continue
            if not self._unknown_name(ent):
                continue
            if all(t.i in self._acronym_named("dst") for t in ent if t.pos_ == "PROPN"):
                continue  # "WHO" for the source's "World Health Organization"
            if _acronym_or_alias(ent.text, self.src.doc.view):
                continue
            if ent.label_ in _PLACE_ENTS and self._demonym(ent.text, s_toks):
                continue  # "French President" -> "France's President"
            if s_chunks is None:
                s_chunks = _free_chunks(self.src, s_toks, {self.dst.keys[t.i] for t in d_toks})
            if self._equivalent(ent.text, s_chunks) == "same":
                continue
            clause = _enclosing_clause(ent.root)
            self.add(ChangeType.ADDITION, None, clause, f"“{ent.text}” is not in the source: claim added")

    def _demonym(self, place: str, others: list[Token]) -> bool:
        """True when ``others`` name ``place`` by its adjective ("France" / "French"): a capitalised
        word sharing its first two letters whose meaning is close. A place with a known alias is
        tried by its one-word aliases too ("US" / "American" through "America")."""
        low = place.lower().removeprefix("the ").strip()
        aliases = next((g for g in _ALIASES if low in g), set())
        names = [place, *sorted(a.title() for a in aliases if a.isalpha() and len(a) > 3 and a != low)]
        return any(self._demonym_of(name, others) for name in names)

    def _demonym_of(self, place: str, others: list[Token]) -> bool:
        if " " in place:
            return False
        head = place[:2].lower()
        words = sorted({
            t.text for t in others
            if t.is_alpha and t.text[0].isupper() and t.text != place and t.text[:2].lower() == head
        })
        if not words:
            return False
        vecs = self._embed([place, *words])
        return bool((vecs[1:] @ vecs[0]).max() >= DEMONYM_COSINE)

    def _equivalent(self, text: str, chunks: list[tuple[int, int, str]]) -> tuple[int, int] | str | None:
        """Find the copy phrase that stands for ``text``: "same" if it keeps the meaning."""
        if not chunks:
            return None
        vecs = self._embed([text] + [c[2] for c in chunks])
        sims = vecs[1:] @ vecs[0]
        k = int(np.argmax(sims))
        if sims[k] >= 0.62:
            return "same"
        return (chunks[k][0], chunks[k][1]) if sims[k] >= 0.3 else None

    # -- attribution ------------------------------------------------------------
    def attribution(self, s_toks: list[Token], d_toks: list[Token], d_keys: set[str]) -> None:
        # A verb of saying whose speaker the context carries ("he said"); a passive one ("was
        # announced") has none.
        d_has_speech = any(
            (t.lemma_ in _SPEECH and not any(c.dep_ in {"nsubjpass", "auxpass"} for c in t.children))
            or t.lower_ == "according"
            for t in d_toks
        )
        d_speakers = [sp for t in d_toks if (sp := _speaker_of(t)) is not None]
        d_said_by = {form(" ".join(t.text for t in sp)) for sp in d_speakers}
        for tok in s_toks:
            speaker = _speaker_of(tok)
            if speaker is None:
                continue
            keys = [_key(t) for t in speaker if t.pos_ in {"PROPN", "NOUN"}]
            generic = {"official", "spokesman", "spokeswoman"}
            # A named speaker is kept by the name (a person's by the surname), not by a word of the
            # description around it ("analyst Jane Roe at Acme" / "one analyst"). A name the copy
            # gives in an earlier sentence may stand behind a description here ("the analyst").
            person = [_key(t) for t in speaker if t.pos_ == "PROPN" and t.ent_type_ == "PERSON"]
            names = person[-1:] or [_key(t) for t in speaker if t.pos_ == "PROPN"]
            if names:
                # Any word of a person's name, or most words of another name, one of them still
                # used as a name ("Acme Bank" / "Acme"; not "the Association of Probation
                # Officers" / "probation officers").
                kept = [k for k in names if k in d_keys]
                if person and kept:
                    continue
                if kept and not person and _for_an_organisation(speaker):
                    # "a Harbour Board spokeswoman confirmed" -> "the Harbour Board has confirmed":
                    # what one person said for it, given as the organisation's own word.
                    as_org = [sp for sp in d_speakers if any(_key(t) in kept for t in sp)]
                    people = any(
                        _for_an_organisation(sp) or any(t.ent_type_ == "PERSON" for t in sp)
                        for sp in d_speakers
                    )
                    if as_org and not people:
                        self.add(ChangeType.ATTRIBUTION, _phrase_span(speaker), _phrase_span(as_org[0]),
                                 "what a spokesperson said credited to the organisation itself")
                        continue
                if not person and len(kept) >= (len(names) + 1) // 2 and any(
                    k in self.dst_name_keys for k in kept
                ):
                    continue
                # (a description there is a speaker phrase: with none, the statement lost its source)
                described = bool(d_speakers) and not any(t.pos_ == "PROPN" for sp in d_speakers for t in sp)
                pool = self.dst_all_keys if person else self.dst_name_keys
                if described and any(k in pool for k in names):
                    continue
            elif not keys or any(k in d_keys for k in keys if k not in generic):
                continue
            elif all(k in d_keys for k in keys):
                continue  # a generic speaker ("officials") named by the same word
            span = (min(tok.idx, speaker[0].idx), max(tok.idx + len(tok), speaker[-1].idx + len(speaker[-1])))
            if span[1] - span[0] > 120:
                span = (speaker[0].idx, speaker[-1].idx + len(speaker[-1]))
            if d_has_speech and not d_speakers:
                continue  # "he said": the speaker is carried by the context
            if d_speakers and _definite_description(speaker) and not _indefinite(d_speakers[0]):
                continue  # "the company said" -> "Cairn said": the same speaker, named
            said_by = " ".join(t.text for t in speaker)
            if form(said_by) in d_said_by:
                continue  # "another 7% said" -> "another 7 per cent said": the same, written otherwise
            d_text = " ".join(t.text for sp in d_speakers for t in sp)
            if d_speakers and (
                _acronym_or_alias(said_by, d_text)
                or any(_acronym_or_alias(" ".join(t.text for t in sp), said_by) for sp in d_speakers)
            ):
                continue  # "the World Health Organization" <-> "the WHO", "the Fed" <-> "the Federal Reserve"
            dst = None
            if d_speakers:
                sp = d_speakers[0]
                dst = (sp[0].idx, sp[-1].idx + len(sp[-1]))
            note = "statement credited to someone else" if dst else "source of the statement dropped"
            if dst and names and not any(t.pos_ == "PROPN" for t in d_speakers[0]):
                note = "named speaker made anonymous"
            self.add(ChangeType.ATTRIBUTION, span, dst, note)

    # -- tone -------------------------------------------------------------------
    def tone(self, s_toks: list[Token], d_toks: list[Token], d_keys: set[str], s_keys: set[str]) -> None:
        def toks_other(side: str) -> list[Token]:
            return s_toks if side == "dst" else d_toks

        def hedged(toks: list[Token]) -> bool:
            return any(
                t.lower_ in _HEDGES or t.lower_ in _WEAK_MODALS or t.lemma_ in _EXPECTING for t in toks
            )

        # Hedged on both sides: the hedge was reworded, not added or lost.
        both_hedged = hedged(s_toks) and hedged(d_toks)
        for toks, other, side in () if both_hedged else ((d_toks, s_keys, "dst"), (s_toks, d_keys, "src")):
            for t in toks:
                w = t.lower_
                weak_modal = w in _WEAK_MODALS and _has_firm_modal(t, toks_other(side))
                if (w in _HEDGES and t.pos_ in {"ADV", "ADJ"}) or weak_modal:
                    note = "statement hedged" if side == "dst" else "hedge removed: statement made firmer"
                elif w in _BOOSTERS and (t.pos_ == "ADV" or (t.pos_ == "VERB" and _asserts(t))):
                    note = "statement made more certain" if side == "dst" else "emphasis removed"
                else:
                    continue
                if _key(t) in other:  # asked last: the answer may need word vectors
                    continue
                span = (t.idx, t.idx + len(t))
                partner = _counterpart(t, s_toks if side == "dst" else d_toks, other)
                if side == "dst":
                    self.add(ChangeType.TONE, partner, span, note)
                else:
                    self.add(ChangeType.TONE, span, partner, note)
        for sh in shifts(s_toks, d_toks, s_keys, d_keys, _key, self.grader):
            self.add(ChangeType.TONE, sh.src, sh.dst, sh.note)

    # -- cuts ---------------------------------------------------------------------
    def cuts(
        self, s_text: tuple[list[int], str], d_text: tuple[list[int], str], skip: list[tuple[int, int]],
        headline: list[Token] | None = None,
    ) -> None:
        """Words the copy cut from a sentence it otherwise keeps word for word ("Local papers face
        falling advertising revenue amid competition from online advertising." / "Local papers face
        falling advertising revenue."): every word of the copy is the source's, in order, and a run
        of the source with :data:`_CUT_CONTENT` content words or more is not there. A bag of words
        misses such a cut when the run's words occur elsewhere in the sentence. ``headline``, the
        tokens of a headline, judges its cuts against the whole copy."""
        s_map, s_str = s_text
        d_str = d_text[1]
        a = [(m.start(), m.end(), m.group().lower()) for m in _CUT_WORD.finditer(s_str.translate(_APOS))]
        b = [m.group().lower() for m in _CUT_WORD.finditer(d_str.translate(_APOS))]
        if len(b) < 4 or len(a) <= len(b):
            return
        ops = SequenceMatcher(None, [w for *_, w in a], b, autojunk=False).get_opcodes()
        if any(op in ("insert", "replace") for op, *_ in ops):
            return
        for op, i1, i2, _, _ in ops:
            if op != "delete":
                continue
            start, end = s_map[a[i1][0]], s_map[a[i2 - 1][1] - 1] + 1
            if any(x <= start < y for x, y in skip):
                continue
            if len(content_words(s_str[a[i1][0] : a[i2 - 1][1]])) < _CUT_CONTENT:
                continue
            if headline is not None and all(
                _key(t) in self.dst_all_keys for t in headline if start <= t.idx < end and _is_content(t)
            ):
                continue  # a headline shortened: what it cut, the copy's text says
            self.add(ChangeType.OMISSION, (start, end), None, "words of the source cut from the sentence")

    # -- titles -------------------------------------------------------------------
    def titles(self, s_toks: list[Token], d_toks: list[Token], d_keys: set[str]) -> None:
        """A person's title or role given beside the name ("Jane Roe, the harbour master,", "the
        mayor, Jane Roe,") and dropped while the name stays: who the person is, lost. Checked in
        loose links too: the apposition pins the phrase down as well as a strong link would."""
        tokset = {t.i for t in s_toks}
        d_words = [t.lower_ for t in d_toks]
        for tok in s_toks:
            if tok.dep_ != "appos" or tok.head.i not in tokset:
                continue
            if tok.head.ent_type_ == "PERSON":
                person, role = tok.head, tok  # "Jane Roe, the harbour master,"
            elif tok.ent_type_ == "PERSON" and tok.head.pos_ == "NOUN":
                person, role = tok, tok.head  # "the mayor, Jane Roe,"
            else:
                continue
            if _key(person) not in d_keys:
                continue  # the name itself is gone: the entity check reports it
            sub = _run_around(role, [t for t in role.subtree if t.i in tokset and not t.is_punct])
            name = {_key(t) for t in person.subtree if t.i not in {x.i for x in sub}}
            content = [t for t in sub if _is_content(t) and _key(t) not in name]
            missing = [t for t in content if _key(t) not in d_keys and not _word_family_in(t.lower_, d_words)]
            if content and len(missing) / len(content) >= 0.75 and any(t.pos_ in _NOUNS for t in missing):
                self.add(ChangeType.OMISSION, _phrase_span(sub), None, f"who {person.text} is left out")
                continue
            # One of two roles given ("chairman and founder of the lab" / "founder of the lab").
            roles = [role, *(c for c in role.children if c.dep_ == "conj" and c.pos_ in _NOUNS)]
            kept = [r for r in roles if _key(r) in d_keys or _word_family_in(r.lower_, d_words)]
            lost = [r for r in roles if r not in kept and _is_content(r)] if kept else []
            for r in lost:
                self.add(ChangeType.OMISSION, _phrase_span([r]), None, f"a role of {person.text} left out")

    # -- clauses ------------------------------------------------------------------
    def clauses(
        self, toks: list[Token], other_keys: set[str], skip: list[tuple[int, int]], side: str,
        others: list[Token] = [],  # noqa: B006 (read only)
        headline: bool = False,
    ) -> None:
        if not toks:
            return
        # A headline drops and adds details its text states: judged against the whole other text.
        other_text = self.dst_all_keys if side == "src" else self.src_all_keys
        tokset = {t.i for t in toks}
        # A time reference reworded ("the three months between July and September" / "the third
        # quarter"): when the other side has a time phrase of its own, this side's is not left out.
        mine = {_key(t) for t in toks}
        reworded_time = any(
            t.ent_type_ in _TIME_ENTS and _is_content(t) and _key(t) not in mine for t in others
        )
        # A verb of saying given as another ("Speaking to reporters" / "told reporters") is kept.
        says = any(t.lemma_ in _SAYING for t in others)
        chosen: list[tuple[int, int, int]] = []
        for tok in toks:
            if tok.dep_ not in _CLAUSE_DEPS:
                continue
            sub = [t for t in tok.subtree if t.i in tokset]
            content = [t for t in sub if _is_content(t)]
            if len(content) < (2 if side == "src" else 3):
                continue
            named = self._acronym_named(side)
            missing = [
                t for t in content
                if _key(t) not in other_keys and not t.like_num and t.i not in named
                and not (reworded_time and t.ent_type_ in _TIME_ENTS)
                and not (says and t.lemma_ in _SAYING)
            ]
            if len(missing) / len(content) < 0.75:
                continue
            if not any(t.pos_ in {"NOUN", "PROPN"} for t in missing):
                continue
            if side == "dst" and (len(content) < 4 or not any(t.pos_ == "VERB" for t in missing)):
                continue  # an added claim has a predicate of its own
            if headline and all(_key(t) in other_text for t in missing):
                continue
            if all(t.pos_ == "PROPN" for t in content) and all(_key(t) in other_text for t in content):
                continue  # only names, which the other text gives elsewhere: judged as names
            start, end = sub[0].idx, sub[-1].idx + len(sub[-1])
            if any(a <= start < b for a, b in skip):
                continue
            chosen.append((start, end, len(content)))
        # keep maximal spans
        chosen.sort(key=lambda c: (c[0], -(c[1] - c[0])))
        kept: list[tuple[int, int, int]] = []
        for c in chosen:
            if kept and c[0] < kept[-1][1]:
                continue
            kept.append(c)
        for start, end, _n in kept:
            if side == "src":
                self.add(ChangeType.OMISSION, (start, end), None, "detail of the source left out")
            else:
                self.add(ChangeType.ADDITION, None, (start, end), "detail not in the source")

    def _acronym_named(self, side: str) -> set[int]:
        """Tokens of ``side`` naming what the other text calls by an acronym or spells out (computed once)."""
        cached = self._acronyms.get(side)
        if cached is None:
            this, other = (self.src, self.dst) if side == "src" else (self.dst, self.src)
            cached = _acronym_tokens(this, other)
            self._acronyms[side] = cached
        return cached

    # -- output -------------------------------------------------------------------
    def resolve(self) -> list[_Found]:
        """Drop changes whose spans sit inside a stronger change's spans."""
        out: list[_Found] = []
        for f in sorted(self.found, key=lambda f: -f.priority):
            if any(_inside(f, g) for g in out):
                continue
            out.append(f)
        out.sort(key=lambda f: ((f.src or f.dst or (0, 0))[0], (f.dst or (0, 0))[0]))
        return out


# Common alternative names of countries and unions (a gazetteer, not example words).
_ALIASES = [
    {"us", "usa", "america", "united states", "u.s.", "u.s.a."},
    {"uk", "britain", "great britain", "united kingdom", "u.k."},
    {"eu", "european union"},
    {"un", "united nations", "u.n."},
    {"uae", "united arab emirates"},
    {"nato", "north atlantic treaty organization"},
    # parties by their common other names
    {"conservative party", "conservatives", "tories", "tory party"},
    {"labour party", "labour"},
    {"liberal democrats", "lib dems", "liberal democrat party"},
    {"republican party", "republicans", "gop"},
    {"democratic party", "democrats"},
]


def _acronym_or_alias(name: str, text: str) -> bool:
    """True when ``text`` names ``name`` by its initials or a known alias."""
    low = name.lower().removeprefix("the ").strip()
    for group in _ALIASES:
        if low in group or low.replace("'s", "") in group:
            return any(re.search(rf"(?<!\w){re.escape(a)}(?!\w)", text, re.I) for a in group)
    words = [w for w in re.findall(r"[A-Za-z]+", name) if w[0].isupper() and w.lower() not in STOPWORDS]
    if len(words) >= 2:
        initials = "".join(w[0] for w in words).upper()
        if re.search(rf"\b{initials}\w?\b", text):
            return True
    return _shortened(words, text)


def _shortened(words: list[str], text: str) -> bool:
    """True when ``text`` names the capitalised ``words`` of a name by a contraction of its first
    word ("Federal Reserve" / "the Fed", "Manchester United" / "Man Utd"); a capitalised word
    opening a sentence does not count."""
    if not words:
        return False
    for m in re.finditer(r"\b[A-Z][a-z]+\b", text):
        if m.group() == words[0] or m.group().lower() in STOPWORDS or not _abbreviates(m.group(), words[0]):
            continue
        before = text[: m.start()].rstrip()
        if before and before[-1] not in ".!?\"“:":
            return True
        # At a sentence's start, only with the next word contracting the name's next ("Man Utd").
        after = re.match(r"\s+([A-Z][a-z]+)\b", text[m.end() :])
        if len(words) > 1 and after and after.group(1) != words[1] and _abbreviates(after.group(1), words[1]):
            return True
    return False


def _abbreviates(short: str, word: str) -> bool:
    """True when ``short`` is ``word`` or a contraction of it (same first letter, its letters in order)."""
    if short == word:
        return True
    if len(short) < 3 or len(short) >= len(word) or short[0] != word[0]:
        return False
    rest = iter(word[1:].lower())
    return all(c in rest for c in short[1:].lower())


_NAME_LINKS = frozenset({"&", "and", "of", "for", "the", "-"})


def _name_runs(side: _Side) -> list[list[Token]]:
    """Runs of capitalised words (with "&", "of", "and" inside): the spelled-out names of a text."""
    runs: list[list[Token]] = []
    cur: list[Token] = []
    for t in side.parsed or ():
        capitalised = t.is_alpha and t.text[0].isupper() and not t.is_upper
        if capitalised or (cur and t.lower_ in _NAME_LINKS):
            cur.append(t)
        else:
            if cur:
                runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return runs


def _acronym_tokens(this: _Side, other: _Side) -> set[int]:
    """Token indices of ``this`` that the other text carries in another form: a spelled-out name
    whose initials are an acronym of the other text ("Oil & Natural Gas Corp" / "ONGC"), or an
    acronym whose spelled-out name the other text has."""
    if this.parsed is None or other.parsed is None:
        return set()
    other_acronyms = {t.text for t in other.parsed if t.is_upper and t.is_alpha and 2 <= len(t) <= 6}
    other_initials: set[str] = set()
    for run in _name_runs(other):
        caps = [t for t in run if t.text[0].isupper()]
        for a in range(len(caps)):
            for b in range(a + 2, len(caps) + 1):
                other_initials.add("".join(t.text[0] for t in caps[a:b]))
    out: set[int] = set()
    for run in _name_runs(this):
        caps = [t for t in run if t.text[0].isupper()]
        for a in range(len(caps)):
            for b in range(a + 2, len(caps) + 1):
                if "".join(t.text[0] for t in caps[a:b]) in other_acronyms:
                    out.update(range(caps[a].i, caps[b - 1].i + 1))
    for t in this.parsed:
        if t.is_upper and t.is_alpha and 2 <= len(t) <= 6 and t.text in other_initials:
            out.add(t.i)
    return out


def _replacement(a: str, start: int, end: int, b: str) -> tuple[int, int, str] | None:
    """The stretch of ``b`` standing where ``a[start:end]`` stands: between the words both texts
    share just before and just after it (None when they share no such anchor or the stretch is
    empty or much longer than the original)."""
    from difflib import SequenceMatcher

    aw = [(m.start(), m.end(), stem(m.group().lower())) for m in re.finditer(r"[\w']+", a)]
    bw = [(m.start(), m.end(), stem(m.group().lower())) for m in re.finditer(r"[\w']+", b)]
    inside = [k for k, w in enumerate(aw) if start <= w[0] < end]
    if not inside or not bw:
        return None
    lo_a, hi_a = inside[0], inside[-1] + 1
    before, after = -1, len(bw)
    sm = SequenceMatcher(None, [w[2] for w in aw], [w[2] for w in bw], autojunk=False)
    for blk in sm.get_matching_blocks():
        if not blk.size:
            continue
        if blk.a < lo_a:  # the shared words before the quote (a block may run into it)
            before = blk.b + min(blk.size, lo_a - blk.a) - 1
        if blk.a + blk.size > hi_a and after == len(bw):  # the first shared word after it
            after = blk.b + max(0, hi_a - blk.a)
    if before < 0 and after == len(bw):
        return None
    region = bw[before + 1 : after]
    if not region or len(region) > 3 * (hi_a - lo_a) + 2:
        return None
    if all(b[w[0] : w[1]].lower() in STOPWORDS for w in region):
        return None  # "said the claims '...', calling them" / "refuted the claims as": no words of its own
    return region[0][0], region[-1][1], b[region[0][0] : region[-1][1]]


def _joined_quotes(quotes: list[tuple[int, int, str]]) -> set[str]:
    """The words of runs of two or three consecutive quotes, joined (squashed)."""
    out = set()
    for k in range(len(quotes)):
        for n in (2, 3):
            if k + n <= len(quotes):
                out.add(_squash(" ".join(q[2] for q in quotes[k : k + n])))
    return out


def _quote_spans(norm: str) -> list[tuple[int, int, str]]:
    """Quoted passages of a text with straight quotes: (start, end, words) of the inside.

    A quotation may run over several sentences, so a link's text can hold a quote
    mark without its partner: an opening mark (at the start or after a space or
    colon) quotes to the end, a closing one from the start.
    """
    out = [(m.start(1), m.end(1), m.group(1)) for m in _QUOTE_RE.finditer(norm)]
    paired = [(m.start(), m.end()) for m in _QUOTE_RE.finditer(norm)]
    for k, ch in enumerate(norm):
        if ch != '"' or any(a <= k < b for a, b in paired):
            continue
        opening = k == 0 or norm[k - 1] in " :(\n"
        lo, hi = (k + 1, len(norm)) if opening else (0, k)
        text = norm[lo:hi].strip()
        if len(text) >= 2:
            lo = norm.index(text, lo)
            out.append((lo, lo + len(text), text))
    return sorted(out)


def _interior(doc: CleanDocument, i: int, linked: dict[int, int]) -> bool:
    """True when sentence ``i`` sits inside a passage the copy reuses: between linked sentences of
    its own paragraph that the copy keeps in the same order (``linked``: source sentence -> its
    first copy sentence). Where the copy puts the later one first, the passage it reuses ends
    before ``i`` and another begins after it."""
    par = doc.sentences[i].paragraph
    before = [k for k in linked if k < i and doc.sentences[k].paragraph == par]
    after = [k for k in linked if k > i and doc.sentences[k].paragraph == par]
    return bool(before and after) and linked[max(before)] <= linked[min(after)]


def _inside(f: _Found, g: _Found) -> bool:
    def within(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
        return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]

    if f.src is not None and within(f.src, g.src):
        return True
    return f.src is None and within(f.dst, g.dst)


def _role(tok: Token) -> str:
    """The part a word plays in its clause, the voice aside (a passive subject is a subject)."""
    return "nsubj" if tok.dep_ == "nsubjpass" else tok.dep_


def _name_group(label: str) -> str:
    """Kinds of name that may stand for one another: places of any kind ("the Beltway" /
    "Washington"); otherwise only a name of the same kind (a person for a person)."""
    return "place" if label in {"GPE", "LOC", "FAC"} else label


def _figures_only(ent: Span) -> bool:
    """True for a "name" the tagger made of figures ("6.2bn" in "£6.2bn ($11.7bn)"): figures are
    compared as quantities, not as names."""
    words = [t for t in ent if t.is_alpha or any(c.isdigit() for c in t.text)]
    return bool(words) and all(any(c.isdigit() for c in t.text) for t in words)


def _speaker_of(tok: Token) -> list[Token] | None:
    """The speaker phrase when ``tok`` is a verb of saying (or "according to")."""
    if tok.lower_ == "according":
        for child in tok.children:
            if child.lower_ == "to":
                objs = [c for c in child.children if c.dep_ == "pobj"]
                if objs:
                    return _naming_phrase(objs[0])
        return None
    if tok.pos_ != "VERB" or tok.lemma_ not in _SPEECH:
        return None
    # In the passive the subject is what was said ("the figures were announced"); the speaker, if
    # any, is the agent ("by the ministry").
    subj = [c for c in tok.children if c.dep_ == "nsubj"] or [
        o for a in tok.children if a.dep_ == "agent" for o in a.children if o.dep_ == "pobj"
    ]
    if not subj or subj[0].pos_ == "PRON":
        return None
    phrase = _naming_phrase(subj[0])
    return phrase if len(phrase) <= 12 else [subj[0]]


_DESCRIBING = frozenset({"acl", "relcl"})


def _naming_phrase(head: Token) -> list[Token]:
    """The phrase of ``head`` without the clauses that describe it: in "intelligence shared with the
    Herald" the intelligence speaks, the Herald only received it."""
    left_out = {t.i for c in head.children if c.dep_ in _DESCRIBING for t in c.subtree}
    return sorted((t for t in head.subtree if t.i not in left_out), key=lambda t: t.i)


def _run_around(tok: Token, toks: list[Token]) -> list[Token]:
    """The run of consecutive tokens of ``toks`` (in order) that holds ``tok``."""
    lo = hi = next(k for k, t in enumerate(toks) if t.i == tok.i)
    while lo > 0 and toks[lo - 1].i == toks[lo].i - 1:
        lo -= 1
    while hi + 1 < len(toks) and toks[hi + 1].i == toks[hi].i + 1:
        hi += 1
    return toks[lo : hi + 1]


def _word_family_in(word: str, words: list[str]) -> bool:
    """True when ``words`` hold a word of the same family, by a shared start of five letters or
    more ("founder" / "founded", "chair" / "chairs")."""
    n = min(5, len(word))
    return any(len(w) >= n and w[:n] == word[:n] for w in words)


def _phrase_span(phrase: list[Token]) -> tuple[int, int]:
    return phrase[0].idx, phrase[-1].idx + len(phrase[-1])


# People who speak for an organisation without being it.
_SPEAKING_FOR = frozenset(
    {"spokesman", "spokeswoman", "spokesperson", "representative", "official", "source", "insider"}
)


def _for_an_organisation(phrase: list[Token]) -> bool:
    """True for a speaker phrase whose head is someone speaking for an organisation ("a Harbour
    Board spokeswoman", "company sources")."""
    heads = [t for t in phrase if t.head.i == t.i or t.head.i not in {p.i for p in phrase}]
    return any(t.lemma_.lower() in _SPEAKING_FOR for t in heads)


def _definite_description(phrase: list[Token]) -> bool:
    """True for a speaker named by a definite common noun phrase ("the company", "its chairman")."""
    if any(t.pos_ == "PROPN" for t in phrase):
        return False
    return phrase[0].lower_ in {"the", "its", "his", "her", "their", "this"}


def _indefinite(phrase: list[Token]) -> bool:
    """True for a speaker no one could pick out ("an official", "one analyst", "some experts")."""
    vague = phrase[0].lower_ in {"a", "an", "one", "some", "several"}
    return vague and not any(t.pos_ == "PROPN" for t in phrase)


def _is_speaker(tok: Token) -> bool:
    head = tok.head
    if tok.dep_ == "nsubj" and head.lemma_ in _SPEECH:
        return True
    if tok.dep_ == "pobj" and head.dep_ == "agent" and head.head.lemma_ in _SPEECH:
        return True  # "announced by the board"
    return tok.dep_ == "pobj" and head.lower_ == "to" and head.head.lower_ == "according"


def _enclosing_clause(tok: Token) -> tuple[int, int]:
    """The span of the smallest clause or phrase around ``tok`` (at most 30 tokens)."""
    node = tok
    while node.head.i != node.i:
        if node.dep_ in {"advcl", "relcl", "conj", "prep", "ccomp", "acl", "appos"}:
            sub = list(node.subtree)
            if len(sub) <= 30:
                return sub[0].idx, sub[-1].idx + len(sub[-1])
            break
        node = node.head
    return tok.idx, tok.idx + len(tok)


def _asserts(verb: Token) -> bool:
    """True for a verb that puts a claim ("proved that it worked", "proves the point"), not for one
    linking its subject to a description ("has proved popular", "proved to be hard": turned out)."""
    return any(c.dep_ in {"ccomp", "dobj"} for c in verb.children)


def _has_firm_modal(tok: Token, others: list[Token]) -> bool:
    """True when the other side states with a firm modal what ``tok`` hedges."""
    head = _key(tok.head)
    return any(t.lower_ in _FIRM_MODALS and _key(t.head) == head for t in others)


def _counterpart(tok: Token, others: list[Token], other_keys: set[str]) -> tuple[int, int] | None:
    """The unmatched word on the other side that most likely replaced ``tok``."""
    cands = [t for t in others if t.pos_ == tok.pos_ and _key(t) not in other_keys]
    if not cands:
        return None
    head_key = _key(tok.head)
    for t in cands:
        if _key(t.head) == head_key:
            return (t.idx, t.idx + len(t))
    return None


def _free_chunks(side: _Side, toks: list[Token], other_keys: set[str]) -> list[tuple[int, int, str]]:
    """Noun phrases of a link none of whose content words occur on the other side."""
    if not toks:
        return []
    out = []
    for ch in side.chunks_within(toks[0].i, toks[-1].i + 1):
        if ch.content_keys and all(k not in other_keys for k in ch.content_keys):
            out.append((ch.start_char, ch.end_char, ch.text))
    return out


def _nearest(q: Quantity, cands: list[Quantity], s_len: int, d_len: int) -> Quantity | None:
    if not cands:
        return None
    rel = q.start / max(1, s_len)
    same_kind = [c for c in cands if (c.value is None) == (q.value is None) or c.value is None]
    pool = same_kind or cands
    return min(pool, key=lambda c: abs(c.start / max(1, d_len) - rel))


def _group_keys(side: _Side, idxs: tuple[int, ...]) -> set[str]:
    """Keys of the names that sentences ``idxs`` of ``side`` count at their start ("All three
    have left" after "... Maria Lopez, Tom Hardy and Ian Marsh."), from the sentence before each."""
    out: set[str] = set()
    for k in idxs:
        if k == 0:
            continue
        names = group_names(side.doc.sentences[k].text, side.doc.sentences[k - 1].text)
        if names:
            out |= {side.keys[t.i] for t in side.tokens((k - 1,)) if t.text in names[1] and t.i in side.keys}
    return out


def _counts_a_list(q: Quantity, other: str) -> bool:
    """True for a count in words that the other side gives as a list of that many names ("the
    three" / "Lopez, Hardy and Marsh"): the same people, counted."""
    return q.value is not None and counts_a_list(q.text) == q.value and int(q.value) in name_list_sizes(other)


def _key_in(fragment: str, text: str) -> bool:
    return _squash(fragment) in _squash(text)


def _figure_in(figure: str, text: str) -> bool:
    """True when ``text`` states ``figure`` as a word of its own ("2" in "Xbox 2", not in "20")."""
    return _figure_count(figure, text) > 0


def _figure_count(figure: str, text: str) -> int:
    """How many times ``text`` states ``figure`` (a figure, or a figure and its noun) as words of
    their own."""
    # In squashed text "1,300" reads "1 300": a figure is not a piece of a longer one.
    pattern = rf"(?<!\w)(?<!\d ){re.escape(_squash(figure))}(?! \d)(?!\w)"
    return len(re.findall(pattern, _squash(text)))


def _repeated_figure(figure: str, after: str, text: str, other: str) -> bool:
    """True when ``text`` states a figure more than once with the noun that follows it here
    ("300,000 copies"), and ``other`` states it so too: the other text said once what ``text``
    repeated. Without its noun a figure may count other things ("in 2006", "two")."""
    noun = re.match(r"\s*([A-Za-z]+)", after)
    if noun is None or noun.group(1).lower() in STOPWORDS:
        return False
    phrase = f"{figure} {noun.group(1)}"
    return _figure_count(phrase, text) > 1 and _figure_in(phrase, other)


def _squash(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.translate(_APOS).lower()))


def _words(text: str) -> list[str]:
    return [stem(w) for w in re.findall(r"[\w']+", text.lower())]


def _overlap(a: list[str], b: list[str]) -> float:
    if not a:
        return 0.0
    bs = set(b)
    return sum(1 for w in a if w in bs) / len(a)


def _word_diff(a: str, b: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """Character ranges of the differing middle of two word sequences."""
    aw = [(m.start(), m.end(), stem(m.group().lower())) for m in re.finditer(r"[\w']+", a)]
    bw = [(m.start(), m.end(), stem(m.group().lower())) for m in re.finditer(r"[\w']+", b)]
    i = 0
    while i < len(aw) and i < len(bw) and aw[i][2] == bw[i][2]:
        i += 1
    j = 0
    while j < len(aw) - i and j < len(bw) - i and aw[-1 - j][2] == bw[-1 - j][2]:
        j += 1
    a_mid, b_mid = aw[i : len(aw) - j], bw[i : len(bw) - j]
    if not a_mid and not b_mid:
        return None
    a_rng = (a_mid[0][0], a_mid[-1][1]) if a_mid else (0, 0)
    b_rng = (b_mid[0][0], b_mid[-1][1]) if b_mid else (0, 0)
    return a_rng, b_rng


def _without_kept_figures(
    a: str, a_rng: tuple[int, int], b: str, b_rng: tuple[int, int]
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Narrow two matching passages to what lies outside the figures both state: a figure kept
    (however written) is not part of a change of wording. Each side keeps its longer stretch
    before the first or after the last kept figure, without the little words next to it."""
    aq = [q for q in find_quantities(a[a_rng[0] : a_rng[1]]) if q.value is not None]
    bq = [q for q in find_quantities(b[b_rng[0] : b_rng[1]]) if q.value is not None]
    a_kept = [q for q in aq if any(q.matches_value(r) for r in bq)]
    b_kept = [r for r in bq if any(r.matches_value(q) for q in aq)]
    if not a_kept or not b_kept:
        return a_rng, b_rng

    def narrow(text: str, rng: tuple[int, int], kept: list[Quantity]) -> tuple[int, int]:
        lo, hi = rng[0] + min(q.start for q in kept), rng[0] + max(q.end for q in kept)
        pieces = []
        for p0, p1 in ((rng[0], lo), (hi, rng[1])):
            words = list(re.finditer(r"[\w']+", text[p0:p1]))
            while words and _figure_link(words[-1].group()) and p0 < lo:
                words.pop()  # "growing at between" before the figure
            while words and _figure_link(words[0].group()) and p0 >= hi:
                words.pop(0)  # "and" after it
            if words:
                pieces.append((len(words), p0 + words[0].start(), p0 + words[-1].end()))
        if not pieces:
            return rng
        best = max(pieces, key=lambda p: p[0])
        return best[1], best[2]

    return narrow(a, a_rng, a_kept), narrow(b, b_rng, b_kept)


_FIGURE_LINKS = frozenset(
    {"between", "from", "to", "and", "or", "of", "at", "by", "than", "around", "about", "some", "nearly",
     "almost", "over", "under", "up", "just", "roughly", "approximately"}
)


def _figure_link(word: str) -> bool:
    """A little word that belongs to a figure next to it ("between", "up to", "and")."""
    w = word.lower()
    return w in STOPWORDS or w in _FIGURE_LINKS


def _word_region(text: str, words: list[str]) -> tuple[int, int] | None:
    """The stretch of ``text`` from the first to the last of ``words`` it contains."""
    want = set(words)
    hits = [(m.start(), m.end()) for m in re.finditer(r"[\w']+", text) if stem(m.group().lower()) in want]
    if not hits:
        return None
    return hits[0][0], hits[-1][1]


_UNEXPLAINED = (Relation.UNRELATED, Relation.RELATED, Relation.IDENTICAL)


def _examined(lk: SentenceLink, relation: Relation, source: CleanDocument) -> bool:
    """True when the detectors look inside ``lk``."""
    if lk.kind is LinkKind.VERBATIM:
        return False
    # A republish may retitle the article.
    return not (relation is Relation.REPUBLISH and is_title(source, lk.source[0]))


def needs_parse(source: CleanDocument, alignment: Alignment, relation: Relation) -> bool:
    """True when explaining the pair looks inside a link, which needs both texts parsed."""
    return relation not in _UNEXPLAINED and any(_examined(lk, relation, source) for lk in alignment.links)


@dataclass(frozen=True, slots=True)
class Parsed:
    """Both texts parsed, with what the detectors read of the parses laid out (see :func:`prepare`)."""

    source: _Side
    copy: _Side


def prepare(source: CleanDocument, copy: CleanDocument, src_doc: Doc, dst_doc: Doc) -> Parsed:
    """Tokens by sentence, word keys, entities and noun chunks of both parses.

    The part of explaining that needs no alignment: :func:`retold.pipeline.compare`
    runs it in the background while the sentences are embedded.
    """
    parsed = Parsed(_Side.build(source, src_doc), _Side.build(copy, dst_doc))
    parsed.source.chunks_within(0, 0)
    parsed.copy.chunks_within(0, 0)
    return parsed


def explain_parsed(
    source: CleanDocument,
    copy: CleanDocument,
    src_doc: Doc,
    dst_doc: Doc,
    alignment: Alignment,
    relation: Relation,
    encode: Encode,
) -> list[Change]:
    """Changes of meaning between two parsed documents (spans in input offsets)."""
    parsed = Parsed(_Side.build(source, src_doc), _Side.build(copy, dst_doc))
    return explain(source, copy, alignment, relation, encode, parsed=lambda: parsed)


def _boilerplate_changes(source: CleanDocument, copy: CleanDocument) -> list[Change]:
    s_lines = {_squash(b.text) for b in source.boilerplate}
    d_lines = {_squash(b.text) for b in copy.boilerplate}
    out = []
    for b in copy.boilerplate:
        if _squash(b.text) not in s_lines:
            added = copy.input_span(b.start, b.end)
            out.append(Change(ChangeType.BOILERPLATE, None, added, "boilerplate added"))
    for b in source.boilerplate:
        if _squash(b.text) not in d_lines:
            out.append(
                Change(
                    ChangeType.BOILERPLATE, source.input_span(b.start, b.end), None, "boilerplate stripped"
                )
            )
    return out


def explain(
    source: CleanDocument,
    copy: CleanDocument,
    alignment: Alignment,
    relation: Relation,
    encode: Encode,
    *,
    parsed: Callable[[], Parsed] | None = None,
) -> list[Change]:
    """Explain every change of meaning of an aligned pair.

    Args:
        source: the cleaned source.
        copy: the cleaned copy.
        alignment: their sentence alignment.
        relation: the relation of the pair (omissions and additions outside a
            reused passage are not reported for partial reuse).
        encode: a sentence encoder returning unit vectors, used to tell a
            reworded name ("the Tories" / "the Conservatives") from a changed one.
        parsed: gives the spaCy parses of ``source.view`` and ``copy.view``
            (:func:`prepare`); called only when a link is examined (default:
            parse both then).
    """
    if not needs_parse(source, alignment, relation):
        sides = Parsed(_Side.build(source, None), _Side.build(copy, None))
    elif parsed is None:
        from retold.nlp import parse_many

        src_doc, dst_doc = parse_many([source.view, copy.view])
        sides = Parsed(_Side.build(source, src_doc), _Side.build(copy, dst_doc))
    else:
        sides = parsed()
    ex = _Explainer(sides.source, sides.copy, alignment, relation, encode)
    if relation not in _UNEXPLAINED:
        ex.unaligned()
        ex.links()
    out: list[Change] = []
    for f in ex.resolve():
        s = source.input_span(*f.src) if f.src else None
        d = copy.input_span(*f.dst) if f.dst else None
        out.append(Change(f.type, s, d, f.note))
    out.extend(_boilerplate_changes(source, copy))
    return out
