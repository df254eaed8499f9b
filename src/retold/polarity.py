"""Polarity: a claim a copy turns round while keeping its words.

"Profits rose" becomes "profits fell", "the board approved the merger" becomes
"the board rejected the merger", "the law will take effect" becomes "the law
will not take effect". Nothing is omitted or added word for word, and no figure
changes, yet the copy says the opposite. Two signs are read inside a link:

- a negation added to, or dropped from, a word both sides keep ("will [not]
  take effect"), unless the other side says "no" in another way ("failed to",
  "refused", "without"), as a paraphrase does;
- a word replaced by its opposite: a pair of antonyms from the table below, or
  the same word with a negative prefix ("safe" / "unsafe", "legal" / "illegal").

The table is of opposites common in news (movements, decisions, verdicts,
statements, outcomes), not of any article's words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Token

Span = tuple[int, int]

_OPPOSITES: list[tuple[str, str]] = [
    # movements
    ("rise", "fall"), ("rise", "drop"), ("rise", "decline"), ("increase", "decrease"), ("increase", "fall"),
    ("increase", "drop"), ("grow", "shrink"), ("expand", "shrink"), ("expand", "contract"),
    ("gain", "lose"), ("climb", "fall"), ("climb", "drop"), ("surge", "plunge"), ("soar", "plunge"),
    ("soar", "slump"), ("jump", "slump"), ("up", "down"), ("higher", "lower"), ("high", "low"),
    ("strengthen", "weaken"), ("improve", "worsen"), ("improve", "deteriorate"), ("boost", "cut"),
    ("raise", "cut"), ("raise", "lower"), ("profit", "loss"), ("surplus", "deficit"),
    ("gain", "loss"), ("rise", "cut"), ("more", "less"), ("more", "fewer"), ("most", "least"),
    # decisions and deeds
    ("approve", "reject"), ("accept", "reject"), ("accept", "refuse"), ("support", "oppose"),
    ("back", "oppose"), ("favour", "oppose"), ("favor", "oppose"), ("allow", "ban"), ("allow", "forbid"),
    ("allow", "prohibit"), ("permit", "ban"), ("legalise", "ban"), ("legalize", "ban"), ("open", "close"),
    ("start", "end"), ("start", "stop"), ("begin", "end"), ("launch", "scrap"), ("hire", "fire"),
    ("hire", "sack"), ("buy", "sell"), ("win", "lose"), ("win", "defeat"), ("victory", "defeat"),
    ("pass", "fail"), ("succeed", "fail"), ("success", "failure"), ("join", "leave"), ("add", "remove"),
    ("include", "exclude"), ("agree", "refuse"), ("award", "deny"), ("grant", "deny"), ("grant", "refuse"),
    ("strike", "settle"), ("call", "cancel"),
    # verdicts and statements
    ("guilty", "innocent"), ("convict", "acquit"), ("guilty", "clear"), ("admit", "deny"),
    ("confirm", "deny"), ("accept", "deny"), ("true", "false"), ("praise", "criticise"),
    ("praise", "criticize"), ("praise", "condemn"), ("welcome", "condemn"), ("welcome", "criticise"),
    ("welcome", "criticize"), ("agree", "disagree"), ("optimistic", "pessimistic"),
    # states
    ("safe", "dangerous"), ("strong", "weak"), ("good", "bad"), ("best", "worst"), ("better", "worse"),
    ("positive", "negative"), ("easy", "difficult"), ("easy", "hard"), ("cheap", "expensive"),
    ("rich", "poor"), ("early", "late"), ("alive", "dead"), ("present", "absent"), ("full", "empty"),
    ("public", "private"), ("legal", "illegal"), ("possible", "impossible"), ("likely", "unlikely"),
    ("success", "disappointment"), ("strong", "disappointing"), ("popular", "unpopular"),
    ("before", "after"), ("above", "below"), ("over", "under"), ("always", "never"), ("all", "none"),
    ("everyone", "nobody"), ("majority", "minority"),
]
OPPOSITE: dict[str, frozenset[str]] = {}
for _a, _b in _OPPOSITES:
    OPPOSITE[_a] = OPPOSITE.get(_a, frozenset()) | {_b}
    OPPOSITE[_b] = OPPOSITE.get(_b, frozenset()) | {_a}
_NEGATIVE_PREFIXES = ("un", "in", "im", "il", "ir", "dis", "non-", "non")
# Words that say "no" without a negation: a side holding one may have put the other's "not" so.
_NEGATIVE_WORDS = frozenset(
    {"not", "n't", "never", "no", "none", "nobody", "nothing", "neither", "nor", "without", "fail",
     "refuse", "decline", "deny", "reject", "lack", "unable", "hardly", "barely", "scarcely", "cease",
     "stop", "halt", "avoid", "miss", "lose", "absence", "instead", "non", "against", "rather", "yet"}
)
_CONTENT_POS = frozenset({"VERB", "ADJ", "NOUN", "ADV", "AUX", "ADP"})
_COMPARATIVE = frozenset({"JJR", "RBR"})


@dataclass(frozen=True, slots=True)
class Reversal:
    """A claim turned round inside a link (spans in the parsed texts)."""

    src: Span
    dst: Span
    note: str


def _lemma(t: Token) -> str:
    return t.lemma_.lower()


def _text(t: Token, span: Span) -> str:
    return t.doc.text[span[0] : span[1]]


def _span(*toks: Token) -> Span:
    return min(t.idx for t in toks), max(t.idx + len(t) for t in toks)


def _negations(t: Token) -> list[Token]:
    return [c for c in t.children if c.dep_ == "neg"]


def _says_no(toks: list[Token], other_lemmas: set[str]) -> bool:
    """True when ``toks`` say "no" without a negation: a negative word, or a word of the other side
    with a negative prefix ("not popular" / "unpopular")."""
    for t in toks:
        lem = _lemma(t)
        if lem in _NEGATIVE_WORDS or t.lower_ in _NEGATIVE_WORDS:
            return True
        if any(lem.startswith(p) and lem[len(p):] in other_lemmas for p in _NEGATIVE_PREFIXES):
            return True
    return False


def _negated_near(t: Token) -> bool:
    """True when ``t`` or the word it depends on is negated ("is not popular")."""
    return bool(_negations(t) or _negations(t.head))


def opposite(a: str, b: str) -> bool:
    """True when two lemmas are opposites: a pair of the table, or one the other with a negative
    prefix ("safe" / "unsafe")."""
    if b in OPPOSITE.get(a, ()):
        return True
    for x, y in ((a, b), (b, a)):
        for p in _NEGATIVE_PREFIXES:
            if y == p + x and len(x) >= 4:
                return True
    return False


def _anchors(t: Token, key: Callable[[Token], str]) -> set[tuple[str, str]]:
    """What places a word in its clause: its head (unless it is the root) and its subject and
    object, by relation and key."""
    out = {(c.dep_, key(c)) for c in t.children if c.dep_ in {"nsubj", "nsubjpass", "dobj", "pobj", "attr"}}
    if t.head.i != t.i:
        out.add(("head:" + t.dep_, key(t.head)))
    return out


def _same_place(a: Token, b: Token, key: Callable[[Token], str]) -> bool:
    return bool(_anchors(a, key) & _anchors(b, key))


def reversals(
    s_toks: list[Token], d_toks: list[Token], key: Callable[[Token], str]
) -> list[Reversal]:
    """Claims of one link that the copy turns round: a negation added or dropped on a word both
    sides keep, or a word replaced by its opposite."""
    out: list[Reversal] = []
    s_lem = {_lemma(t) for t in s_toks}
    d_lem = {_lemma(t) for t in d_toks}
    # Negation added or dropped on a kept word (verbs and adjectives carry it).
    for this, other, other_lemmas, side in ((s_toks, d_toks, d_lem, "src"), (d_toks, s_toks, s_lem, "dst")):
        kept_here = {key(t): t for t in this if t.pos_ in {"VERB", "ADJ", "AUX"}}
        for t in other:
            neg = _negations(t)
            if not neg or t.pos_ not in {"VERB", "ADJ", "AUX", "NOUN"}:
                continue
            if t.tag_ in _COMPARATIVE or any(c.tag_ in _COMPARATIVE for c in t.children):
                continue  # "has never been lower": a record, said with a negation
            mine = kept_here.get(key(t))
            if mine is None or _negations(mine) or _says_no(this, other_lemmas):
                continue
            negated, plain = _span(t, *neg), _span(mine)
            was, now = _text(mine, plain), _text(t, negated)
            if side == "src":  # the copy (other) negates what the source (this) states
                out.append(Reversal(plain, negated, f"claim negated: “{was}” → “{now}”"))
            else:
                out.append(Reversal(negated, plain, f"negation dropped: “{now}” → “{was}”"))
    # A word replaced by its opposite in the same place: the same relation to a word both sides
    # keep ("[profits] rose" / "[profits] fell", "approved [the merger]" / "rejected [the merger]").
    used: set[int] = set()
    for a in s_toks:
        la = _lemma(a)
        if a.pos_ not in _CONTENT_POS or la in d_lem or not a.is_alpha:
            continue
        for b in d_toks:
            lb = _lemma(b)
            if b.i in used or b.pos_ not in _CONTENT_POS or lb in s_lem or not b.is_alpha:
                continue
            if not (opposite(la, lb) or opposite(a.lower_, b.lower_)) or not _same_place(a, b, key):
                continue
            if _negated_near(a) != _negated_near(b):
                continue  # "is not popular" / "is unpopular": turned round twice
            used.add(b.i)
            out.append(Reversal(_span(a), _span(b), f"claim reversed: “{a.text}” → “{b.text}”"))
            break
    return out
