"""Tone: graded intensity of the words a copy keeps, swaps, drops or adds.

A paraphrase may keep every fact and still change how strongly it is put:
"extremely" becomes "very", "warned" becomes "suggested", "surging" becomes "a
modest rise". Such words lie on a few ordered *scales* (degree, frequency,
certainty, force of assertion, size, movement up or down, quality, badness,
approval, disapproval, importance, speed, the margin of a win, doing away with a
thing, how wrong a deed is); each word has a level on its scale. Within a link,
two words of the same scale that replace each other and differ by two levels
or more are a change of tone; so is a strong intensifier dropped from, or added
to, a word both sides keep, and an estimate ("is thought to", "appears to", "it
is believed that") stated as fact or the reverse.

A word not in the table takes the scale and level of the table word nearest to
it in the sentence model's space, when that one is close enough (see
:data:`NEIGHBOUR_COSINE`): the table is a set of anchors, not a closed list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from spacy.tokens import Token

# scale -> {lemma: level}. Levels are ordinal within a scale only.
SCALES: dict[str, dict[str, int]] = {
    "degree": {
        "barely": 0, "hardly": 0, "scarcely": 0, "slightly": 1, "marginally": 1, "mildly": 1,
        "somewhat": 1, "partly": 1, "partially": 1, "moderately": 2, "fairly": 2, "rather": 2,
        "reasonably": 2, "quite": 2, "pretty": 3, "very": 3, "really": 3, "largely": 3, "mostly": 3,
        "considerably": 3, "substantially": 3, "significantly": 3, "particularly": 3,
        "especially": 3, "highly": 4, "deeply": 4, "greatly": 4, "strongly": 4, "seriously": 4,
        "heavily": 4, "sharply": 4, "badly": 4, "markedly": 4, "remarkably": 4, "truly": 4,
        "severely": 4, "extremely": 5, "exceedingly": 5, "enormously": 5, "hugely": 5,
        "immensely": 5, "incredibly": 5, "exceptionally": 5, "tremendously": 5, "vastly": 5,
        "massively": 5, "dramatically": 5, "drastically": 5, "radically": 5, "utterly": 5,
        "totally": 5, "completely": 5, "entirely": 5, "absolutely": 5, "fiercely": 5,
        "vehemently": 5, "bitterly": 5, "furiously": 5, "passionately": 5, "forcefully": 5,
        "fervently": 5, "wildly": 5, "desperately": 5, "gravely": 5, "overwhelmingly": 5,
        "vociferously": 5, "strenuously": 5, "vigorously": 4, "firmly": 4, "loudly": 4,
        "intensely": 5, "profoundly": 5, "thoroughly": 5, "wholly": 5, "fully": 5, "gently": 1,
        "lightly": 1, "modestly": 1, "faintly": 0, "nominally": 0,
    },
    "frequency": {
        "never": 0, "rarely": 1, "seldom": 1, "occasionally": 2, "sometimes": 2,
        "periodically": 2, "often": 4, "frequently": 4, "regularly": 4, "repeatedly": 4,
        "routinely": 5, "usually": 5, "normally": 5, "generally": 5, "typically": 5,
        "always": 6, "constantly": 6, "invariably": 6, "continually": 6,
        "sporadically": 1, "infrequently": 1, "intermittently": 2, "commonly": 4,
        "habitually": 5, "perpetually": 6, "persistently": 5,
    },
    "certainty": {
        "possibly": 1, "perhaps": 1, "maybe": 1, "conceivably": 1, "potentially": 1,
        "possible": 1, "apparently": 2, "seemingly": 2, "reportedly": 2, "allegedly": 2,
        "supposedly": 2, "likely": 3, "probably": 3, "probable": 3, "presumably": 3,
        "surely": 5, "certainly": 5, "definitely": 5, "undoubtedly": 5, "unquestionably": 5,
        "clearly": 5, "obviously": 5, "certain": 5, "sure": 5, "definite": 5, "inevitable": 5,
        "inevitably": 5, "undeniably": 5, "guaranteed": 5,
        "plausibly": 1, "arguably": 2, "ostensibly": 2, "purportedly": 2, "expectedly": 3,
        "assuredly": 5, "indisputably": 5, "incontrovertibly": 5, "doubtless": 5, "doubtlessly": 5,
        "unlikely": 1, "doubtful": 1, "uncertain": 1, "questionable": 1, "plausible": 2,
        "assured": 5, "indisputable": 5, "undeniable": 5, "unquestionable": 5,
    },
    "assertion": {
        "hint": 1, "suggest": 1, "imply": 1, "speculate": 1, "wonder": 1, "indicate": 2,
        "note": 2, "say": 2, "state": 2, "mention": 2, "remark": 2, "comment": 2, "report": 2,
        "explain": 2, "claim": 3, "argue": 3, "maintain": 3, "contend": 3, "show": 3,
        "stress": 3, "emphasise": 3, "emphasize": 3, "assert": 4, "insist": 4, "warn": 4,
        "declare": 4, "demonstrate": 4, "prove": 5, "confirm": 5, "establish": 5, "demand": 5,
        "vow": 5, "threaten": 5, "condemn": 5,
        "muse": 1, "venture": 1, "allude": 1, "acknowledge": 2, "observe": 2, "add": 2,
        "point": 2, "highlight": 3, "underline": 3, "underscore": 3, "reiterate": 3,
        "affirm": 4, "proclaim": 4, "announce": 3, "protest": 4, "swear": 5, "guarantee": 5,
        "pledge": 5, "promise": 4,
    },
    "size": {
        "tiny": 0, "negligible": 0, "little": 1, "small": 1, "slight": 1, "minor": 1,
        "modest": 1, "limited": 1, "marginal": 1, "some": 2, "moderate": 2, "fair": 2,
        "reasonable": 2, "decent": 2, "notable": 3, "considerable": 3, "substantial": 3,
        "significant": 3, "sizeable": 3, "sizable": 3, "large": 3, "big": 3, "major": 4,
        "heavy": 4, "great": 4, "strong": 4, "serious": 4, "sharp": 4, "steep": 4, "tough": 4,
        "intense": 5, "fierce": 5, "severe": 5, "huge": 5, "enormous": 5, "vast": 5,
        "massive": 5, "immense": 5, "tremendous": 5, "colossal": 5, "gigantic": 5,
        "dramatic": 5,
        "minimal": 0, "minuscule": 0, "meagre": 0, "meager": 0, "small-scale": 1, "mild": 1,
        "light": 1, "low-key": 1, "healthy": 3, "keen": 3, "robust": 3, "hefty": 4,
        "stiff": 4, "stern": 4, "bumper": 4, "record": 5, "ferocious": 5,
        "extreme": 5, "stark": 5, "unprecedented": 5, "whopping": 5, "staggering": 5, "monumental": 5,
        "wholesale": 5, "sweeping": 5, "radical": 5, "drastic": 5, "all-out": 5,
    },
    "quality": {
        "bad": 0, "poor": 0, "weak": 0, "okay": 1, "adequate": 1, "acceptable": 1, "decent": 2,
        "fine": 2, "good": 2, "solid": 2, "positive": 2, "impressive": 4, "remarkable": 4,
        "great": 4, "excellent": 5, "outstanding": 5, "superb": 5, "brilliant": 5,
        "exceptional": 5, "fantastic": 5, "spectacular": 5, "stunning": 5, "extraordinary": 5,
        "mediocre": 0, "lacklustre": 0, "lackluster": 0, "so-so": 1, "passable": 1, "respectable": 2,
        "creditable": 2, "spirited": 3, "encouraging": 3, "terrific": 5, "sensational": 5,
        "magnificent": 5, "superlative": 5, "phenomenal": 5, "stellar": 5, "dazzling": 5, "masterful": 5,
        "flawless": 6, "perfect": 6,
    },
    "badness": {
        "disappointing": 2, "unfortunate": 2, "bad": 2, "poor": 2, "worrying": 3,
        "damaging": 3, "dismal": 4, "grim": 4, "terrible": 5, "awful": 5, "disastrous": 5,
        "catastrophic": 6, "dire": 5, "abysmal": 5, "appalling": 5, "devastating": 6,
        "humiliating": 5,
        "regrettable": 2, "unwelcome": 2, "troubling": 3, "alarming": 4, "bleak": 4,
        "dreadful": 5, "horrific": 6, "horrendous": 6, "calamitous": 6, "ruinous": 6, "shocking": 5,
        "disgraceful": 5, "shameful": 5, "tragic": 5, "crushing": 5,
    },
    "rise": {
        "rise": 2, "increase": 2, "grow": 2, "gain": 2, "climb": 2, "advance": 2, "improve": 2,
        "jump": 4, "leap": 4, "spike": 4, "surge": 5, "soar": 5, "rocket": 5, "skyrocket": 6,
        "boom": 5, "balloon": 5,
        "edge": 1, "inch": 1, "creep": 1, "tick": 1, "rally": 3, "rebound": 3, "swell": 3, "spiral": 5,
        "explode": 6, "shoot": 5,
    },
    "fall": {
        "dip": 1, "slip": 1, "ease": 1, "fall": 2, "drop": 2, "decline": 2, "decrease": 2,
        "shrink": 2, "slide": 3, "sink": 3, "tumble": 4, "slump": 4, "dive": 4, "plunge": 5,
        "plummet": 5, "crash": 5, "collapse": 5, "nosedive": 5,
        "edge": 1, "inch": 1, "dwindle": 2, "weaken": 2, "sag": 2, "retreat": 2, "shed": 2, "lose": 2,
        "tank": 5, "crater": 5, "evaporate": 5, "vanish": 5, "halve": 4,
    },
    "approval": {
        "tolerate": 0, "accept": 1, "like": 2, "welcome": 2, "appreciate": 2, "favour": 2,
        "favor": 2, "popular": 2, "support": 2, "enjoy": 3, "praise": 3, "love": 5, "adore": 5,
        "relish": 4, "hail": 4, "acclaim": 4,
        "endorse": 2, "back": 2, "commend": 3, "applaud": 3, "laud": 4, "celebrate": 4, "champion": 4,
        "embrace": 3, "cherish": 5, "rave": 5, "idolise": 5, "idolize": 5,
    },
    "disapproval": {
        "question": 1, "doubt": 1, "concern": 1, "reservation": 1, "unease": 1, "disquiet": 2,
        "criticism": 2, "complaint": 2, "objection": 2, "opposition": 2, "criticise": 2,
        "criticize": 2, "protest": 3, "attack": 4, "anger": 4, "condemnation": 4,
        "backlash": 4, "outrage": 5, "uproar": 5, "furore": 5, "fury": 5,
        "query": 1, "quibble": 1, "qualm": 1, "misgiving": 1, "scepticism": 1, "skepticism": 1,
        "debate": 1, "disagreement": 2, "dispute": 2, "dissent": 2, "controversy": 3, "row": 3,
        "dismay": 3, "resentment": 3, "rebuke": 4, "censure": 4, "hostility": 4, "indignation": 4,
        "outcry": 5, "storm": 5, "revolt": 5, "rage": 5, "furor": 5, "scandal": 5,
        "disapprove": 2, "object": 2, "oppose": 2, "reject": 3, "denounce": 4, "decry": 4,
        "deplore": 4, "slam": 5, "blast": 5, "lambast": 5, "lambaste": 5, "excoriate": 5, "savage": 5,
        "reproach": 3, "scold": 3, "chide": 2, "critical": 3, "scathing": 5, "withering": 5,
        "caustic": 5, "blistering": 5, "damning": 5, "vitriolic": 5, "harsh": 4,
    },
    "importance": {
        "relevant": 1, "useful": 2, "helpful": 2, "important": 3, "key": 4, "crucial": 5,
        "vital": 5, "critical": 5, "essential": 5, "paramount": 6,
        "secondary": 1, "peripheral": 0, "central": 4, "pivotal": 5, "decisive": 5, "fundamental": 5,
        "indispensable": 5,
    },
    "speed": {
        "slowly": 1, "gradually": 1, "steadily": 2, "quickly": 3, "fast": 3, "rapidly": 4,
        "swiftly": 4,
        "sluggishly": 1, "leisurely": 1, "briskly": 3, "speedily": 4, "hastily": 4, "hurriedly": 4,
        "abruptly": 5, "suddenly": 5, "instantly": 5, "immediately": 5,
    },
    # Winning and leading, by margin: "edged past" / "thrashed", "led" / "dominated".
    "victory": {
        "edge": 1, "inch": 1, "scrape": 1, "squeeze": 1, "nudge": 1, "beat": 2, "overtake": 2, "pass": 2,
        "win": 2, "lead": 2, "top": 2, "defeat": 3, "outperform": 3, "outpace": 3, "outstrip": 3,
        "surpass": 3, "storm": 5, "sweep": 5, "thrash": 5, "trounce": 5, "crush": 5, "rout": 5,
        "annihilate": 6, "demolish": 5, "hammer": 5, "dominate": 5, "overwhelm": 5,
    },
    # Doing away with something, in part or wholly: "reduce poverty" / "eradicate poverty".
    "removal": {
        "ease": 1, "trim": 1, "curb": 2, "limit": 2, "reduce": 2, "cut": 2, "lower": 2, "lessen": 2,
        "restrict": 2, "slash": 4, "halve": 4, "eliminate": 5, "eradicate": 5, "abolish": 5,
        "end": 5, "scrap": 5, "wipe": 5, "stamp": 5, "ban": 5, "outlaw": 5,
    },
    # How wrong a deed is said to be: "improper" / "illegal".
    "wrongness": {
        "questionable": 1, "dubious": 1, "irregular": 2, "inappropriate": 2, "improper": 2,
        "unethical": 3, "wrong": 3, "unlawful": 5, "illegal": 5, "illicit": 5, "criminal": 5,
        "fraudulent": 5, "corrupt": 5,
    },
}

# Words that take a level only next to the same head word on the other side ("some" is too common
# to pair with any strong word of its sentence).
_WEAK_ONLY_SAME_HEAD = frozenset(
    {"some", "little", "fair", "like", "support", "question", "state", "note", "add", "point", "back",
     "pass", "top", "win", "lead", "end", "cut", "light", "record", "object", "row", "storm",
     "debate", "shed", "lose", "tick", "edge", "inch"}
)
_SCALE_POS = frozenset({"ADJ", "ADV", "VERB", "NOUN", "DET"})
_MODIFIER_DEPS = frozenset({"advmod", "amod", "acomp"})
# What an intensifier may stand in for: a modifier, or a noun used as one ("bumper sales").
_REPLACING_DEPS = _MODIFIER_DEPS | {"compound"}
_COMPARATIVE = frozenset({"JJR", "JJS", "RBR", "RBS"})
# Verbs of estimate that hedge their complement: "is thought to contain", "appears to be".
_ESTIMATE_PASSIVE = frozenset(
    {"think", "believe", "expect", "estimate", "understand", "report", "rumour", "rumor", "consider",
     "suppose", "presume", "allege", "fear", "say", "predict", "forecast", "tip", "tipped", "project"}
)
_ESTIMATE_ACTIVE = frozenset({"seem", "appear"})
# Verbs of the assertion scale that state whatever their object: never a deed.
_ONLY_STATES = frozenset(
    {"hint", "suggest", "imply", "highlight", "underline", "underscore", "stress", "emphasise",
     "emphasize", "mention", "claim", "assert", "insist", "declare", "proclaim", "allude"}
)
_ESTIMATES = _ESTIMATE_PASSIVE | _ESTIMATE_ACTIVE
SHIFT = 2  # levels apart for a swap to count
STRONG = 4  # level of an intensifier whose loss or gain counts on its own
NEIGHBOUR_COSINE = 0.75  # a word outside the table takes the grade of a table word this close

Grade = tuple[str, int]
Span = tuple[int, int]
Encode = Callable[[list[str]], np.ndarray]

_TABLE: dict[str, list[Grade]] = {}
for _scale, _words in SCALES.items():
    for _w, _lvl in _words.items():
        _TABLE.setdefault(_w, []).append((_scale, _lvl))
ANCHORS = sorted(_TABLE)


@dataclass(frozen=True, slots=True)
class Shift:
    """One change of tone inside a link (spans in the parsed text)."""

    src: Span | None
    dst: Span | None
    note: str


def _lemma(tok: Token) -> str:
    return tok.lemma_.lower()


def _span(tok: Token) -> Span:
    return tok.idx, tok.idx + len(tok)


# Words of a small amount: an intensifier on one makes the amount smaller ("very little mention" is
# "barely mentioned"), not the statement stronger. ("quite a few" is many: "quite" is below the bar.)
_SMALL_AMOUNTS = frozenset({"little", "few"})
STRONG_DEGREE = 3  # "very", "really" and above on the degree scale


class Grader:
    """Scale and level of words: the table first, else its nearest anchor by the sentence model."""

    def __init__(self, encode: Encode | None) -> None:
        self.encode = encode
        self._anchor_vecs: np.ndarray | None = None
        self._guess: dict[str, list[Grade]] = {}

    def grades(self, tok: Token) -> list[Grade]:
        if tok.pos_ not in _SCALE_POS or not tok.is_alpha:
            return []
        found = _TABLE.get(_lemma(tok)) or _TABLE.get(tok.lower_) or self._guess.get(_lemma(tok), [])
        small = tok.head.i != tok.i and _lemma(tok.head) in _SMALL_AMOUNTS
        if small and any(sc == "degree" and lv >= STRONG_DEGREE for sc, lv in found):
            return [("degree", 0)]  # "very little", "extremely few": as little as "barely"
        return found

    def unknown(self, words: list[str]) -> list[str]:
        """The distinct ``words`` neither in the table nor graded yet: those :meth:`learn` would grade."""
        return [w for w in dict.fromkeys(words) if w not in _TABLE and w not in self._guess]

    def learn(self, words: list[str], vectors: np.ndarray | None = None) -> None:
        """Grade words outside the table by their nearest anchor (one batched encode).

        ``vectors``, when given, are those of ``unknown(words)``, already encoded.
        """
        todo = self.unknown(words)
        if not todo or self.encode is None:
            return
        if vectors is None:
            vectors = self.encode(todo)
        from retold.embed import encode_table, similarities

        if self._anchor_vecs is None:
            self._anchor_vecs = encode_table(self.encode, ANCHORS, "tone-anchors")

        sims = similarities(vectors, self._anchor_vecs)
        for w, row in zip(todo, sims, strict=True):
            k = int(np.argmax(row))
            self._guess[w] = _TABLE[ANCHORS[k]] if row[k] >= NEIGHBOUR_COSINE else []


def candidates(toks: list[Token]) -> list[str]:
    """Lemmas of ``toks`` that :meth:`Grader.learn` may grade (modifiers and verbs outside the table)."""
    return [
        _lemma(t) for t in toks
        if t.pos_ in {"ADJ", "ADV", "VERB", "NOUN"} and t.is_alpha and _lemma(t) not in _TABLE
        and (t.dep_ in _MODIFIER_DEPS or t.pos_ in {"VERB", "NOUN"})
    ]


def shifts(
    s_toks: list[Token], d_toks: list[Token], s_keys: set[str], d_keys: set[str],
    key: Callable[[Token], str], grader: Grader,
) -> list[Shift]:
    """Changes of intensity between the two sides of one link."""
    s_lem = {_lemma(t) for t in s_toks}
    d_lem = {_lemma(t) for t in d_toks}
    s_g = [(t, sc, lv) for t in s_toks if _lemma(t) not in d_lem for sc, lv in grader.grades(t)]
    d_g = [(t, sc, lv) for t in d_toks if _lemma(t) not in s_lem for sc, lv in grader.grades(t)]
    out: list[Shift] = []
    used_s: set[int] = set()
    used_d: set[int] = set()
    # Verbs first: a verb's partner is a verb before it is a noun of the same scale ("reports
    # [from shops] highlight" / "hint at": the verb "hint" goes to "highlight", not to "reports").
    for a, scale, la in sorted(s_g, key=lambda g: g[0].pos_ != "VERB"):
        if a.i in used_s:
            continue
        pool = [(b, lb) for b, sc, lb in d_g if sc == scale and b.i not in used_d]
        partner = _partner(a, pool, key, s_toks, d_toks)
        if partner is None:
            continue
        b, lb = partner
        used_s.add(a.i)
        used_d.add(b.i)
        if scale == "assertion" and _reports(a) != _reports(b):
            continue  # "said [the aim is ...]" / "establish [a market]": a statement, and a deed
        # "fell sharply" is as strong as "plunged": the force moved into the word
        if lb >= STRONG > la:
            la += _lift(a, grader)
        elif la >= STRONG > lb:
            lb += _lift(b, grader)
        if abs(la - lb) >= SHIFT:
            how = "toned down" if lb < la else "made stronger"
            out.append(Shift(_span(a), _span(b), f"{scale} {how}: “{a.text}” → “{b.text}”"))
    # An intensifier (or a downtoner) lost or gained while the word it qualifies stays.
    for others, other_keys, used, side in (
        (d_toks, d_keys, used_s, "src"), (s_toks, s_keys, used_d, "dst")
    ):
        grades = s_g if side == "src" else d_g
        other_lem = d_lem if side == "src" else s_lem
        for t, scale, lv in grades:
            if t.i in used or not _qualifier(t, scale, lv):
                continue
            if t.head.i == t.i:
                continue
            if key(t.head) not in other_keys and not _plainly_restated(t.head, others, key, grader):
                continue
            if _replaced(t, others, other_lem, key):
                continue  # swapped for a word of no known grade
            used.add(t.i)
            what = "intensity" if lv >= STRONG else "downtoner"
            if side == "src":
                out.append(Shift(_span(t), None, f"{what} dropped: “{t.text}”"))
            else:
                out.append(Shift(None, _span(t), f"{what} added: “{t.text}”"))
    out.extend(_estimates(s_toks, d_toks, d_keys, d_lem, "src", key))
    out.extend(_estimates(d_toks, s_toks, s_keys, s_lem, "dst", key))
    out.extend(_rankings(s_toks, d_toks))
    return out


_CLAUSAL = frozenset({"ccomp", "parataxis"})


def _reports(t: Token) -> bool:
    """True for a verb used to put a statement: it governs a clause ("said [it would ...]") or a
    quote, or takes no direct object ("warned of", "insisted"). A verb of the assertion scale with an
    object and no clause does something to a thing instead ("establish a zone", "show a film"),
    except a verb that only ever states ("highlight the risk", "stress the need")."""
    if _lemma(t) in _ONLY_STATES:
        return True
    children = list(t.children)
    if any(c.dep_ in _CLAUSAL for c in children) or t.dep_ in _CLAUSAL:
        return True
    return not any(c.dep_ == "dobj" for c in children)


def _qualifier(t: Token, scale: str, lv: int) -> bool:
    """True when ``t`` is an intensifier or downtoner whose presence alone sets the tone."""
    if t.dep_ not in _MODIFIER_DEPS or t.tag_ in _COMPARATIVE:
        return False
    if lv >= STRONG:
        # "always", "constantly": a frequency at its extreme makes a claim universal
        return scale in {"degree", "size", "badness"} or (scale == "frequency" and lv >= 6)
    if lv <= 1 and scale == "degree":
        return t.pos_ == "ADV"
    # "a modest rise", "a slight fall": the size of a movement
    movement = any(sc in {"rise", "fall"} for sc, _ in _TABLE.get(_lemma(t.head), []))
    return lv <= 1 and scale == "size" and movement


def _replaced(t: Token, others: list[Token], other_lemmas: set[str], key: Callable[[Token], str]) -> bool:
    """True when the other side qualifies the same word by a modifier this side lacks."""
    head = key(t.head)
    mine = {_lemma(c) for c in t.head.children}
    # the same word, or a verb said of the same subject ("fell sharply" / "dropped steeply")
    same_subject = {o.i for o in _same_subject_verbs(t.head, others, key)}
    for o in others:
        if (key(o) == head or o.i in same_subject) and any(
            c.dep_ in _REPLACING_DEPS and c.is_alpha and _lemma(c) not in mine for c in o.children
        ):
            return True
    return False


def _lift(word: Token, grader: Grader) -> int:
    """Levels a strong intensifier modifying ``word`` adds to it ("fell sharply")."""
    for c in word.children:
        if c.dep_ in _MODIFIER_DEPS and any(
            sc in {"degree", "size"} and lv >= STRONG for sc, lv in grader.grades(c)
        ):
            return SHIFT
    return 0


def _plainly_restated(verb: Token, others: list[Token], key: Callable[[Token], str], grader: Grader) -> bool:
    """True when the other side says what ``verb`` says of the same subject by another verb that
    carries no force of its own and no modifier ("[orders] tailed off sharply" / "[orders] slowed"):
    the force the modifier gave is gone. A verb of its own force ("plunged") may have taken it in."""
    for o in _same_subject_verbs(verb, others, key):
        if any(lv >= STRONG for _, lv in grader.grades(o)):
            return False
        return not any(c.dep_ in _MODIFIER_DEPS for c in o.children)
    return False


def _same_subject_verbs(verb: Token, others: list[Token], key: Callable[[Token], str]) -> list[Token]:
    """The verbs of ``others`` said of the subject of ``verb`` (none when it is not a verb or has
    no subject)."""
    subject = _subjects(verb, key) if verb.pos_ == "VERB" else set()
    if not subject:
        return []
    return [o for o in others if o.pos_ == "VERB" and _subjects(o, key) & subject]


_NAMING_DEPS = frozenset({"compound", "poss"})


def _subjects(t: Token, key: Callable[[Token], str]) -> set[str]:
    """Keys of the subject of verb ``t``: its head word and the words naming it with it ("Acme's
    Comet handset": handset, comet, acme)."""
    out = set()
    for c in t.children:
        if c.dep_ in {"nsubj", "nsubjpass"}:
            out.add(key(c))
            out.update(key(g) for g in c.children if g.dep_ in _NAMING_DEPS and g.pos_ in {"PROPN", "NOUN"})
    return out


def _partner(
    a: Token,
    pool: list[tuple[Token, int]],
    key: Callable[[Token], str],
    s_toks: list[Token],
    d_toks: list[Token],
) -> tuple[Token, int] | None:
    """The word of ``pool`` that replaced ``a``: same head word first, else the nearest by position."""
    if not pool:
        return None
    subject = _subjects(a, key)
    if a.head.i == a.i or subject:
        # a verb with a subject of its own: the one of the same subject ("[prices] soared" /
        # "[prices] edged up"), whether or not the parser made either the main verb
        same_head = [(b, lb) for b, lb in pool if _subjects(b, key) & subject]
    else:
        head = key(a.head)
        same_head = [(b, lb) for b, lb in pool if key(b.head) == head and b.head.i != b.i]
    if same_head:
        return same_head[0]
    if _lemma(a) in _WEAK_ONLY_SAME_HEAD:
        return None
    pool = [(b, lb) for b, lb in pool if _lemma(b) not in _WEAK_ONLY_SAME_HEAD]
    if not pool:
        return None
    rel = (a.i - s_toks[0].i) / max(1, len(s_toks))
    return min(pool, key=lambda p: (
        (p[0].pos_ == "VERB") != (a.pos_ == "VERB"), abs((p[0].i - d_toks[0].i) / max(1, len(d_toks)) - rel)
    ))


def _superlatives(toks: list[Token]) -> dict[str, tuple[Span, Token | None]]:
    """Each superlative of ``toks`` ("most tragic", "biggest") by its words: its span, and the "one"
    of "one of the ..." before it when it ranks among others rather than first."""
    out: dict[str, tuple[Span, Token | None]] = {}
    for k, t in enumerate(toks):
        if t.tag_ == "JJS":
            first, last, name = t, t, _lemma(t)
        elif t.tag_ == "RBS" and t.lower_ in {"most", "least"} and k + 1 < len(toks) and (
            toks[k + 1].pos_ in {"ADJ", "ADV"} or toks[k + 1].tag_ == "VBN"  # "most visited"
        ):
            first, last = t, toks[k + 1]
            name = f"{t.lower_} {last.lower_}"
        else:
            continue
        before = range(max(0, k - 5), k - 1)
        one = next((toks[j] for j in before if toks[j].lower_ == "one" and toks[j + 1].lower_ == "of"), None)
        out.setdefault(name, ((first.idx, last.idx + len(last)), one))
    return out


def _rankings(s_toks: list[Token], d_toks: list[Token]) -> list[Shift]:
    """"one of the most tragic" on one side, "the most tragic" on the other: a ranking among others
    made first (or back)."""
    out: list[Shift] = []
    d_sup = _superlatives(d_toks)
    for name, (a, a_one) in _superlatives(s_toks).items():
        if name not in d_sup:
            continue
        b, b_one = d_sup[name]
        if a_one is not None and b_one is None:
            out.append(Shift((a_one.idx, a[1]), b, f"ranking made absolute: “one of the {name}” → “{name}”"))
        elif a_one is None and b_one is not None:
            out.append(Shift(a, (b_one.idx, b[1]), f"ranking qualified: “{name}” → “one of the {name}”"))
    return out


def _passive_estimate(t: Token) -> bool:
    """True for a verb of estimate in the passive: "is thought", "was expected"."""
    return _lemma(t) in _ESTIMATE_PASSIVE and t.tag_ in {"VBN", "VBD"}


def _estimate_verb(t: Token) -> bool:
    """True for a verb that puts its complement as an estimate: "is thought [to ...]", "seems [to ...]"."""
    if not (_passive_estimate(t) or _lemma(t) in _ESTIMATE_ACTIVE):
        return False
    return any(c.dep_ in {"xcomp", "ccomp"} and c.pos_ in {"VERB", "AUX"} for c in t.children)


def _estimates(
    toks: list[Token], others: list[Token], other_keys: set[str], other_lemmas: set[str], side: str,
    key: Callable[[Token], str],
) -> list[Shift]:
    """"X is thought to contain" on one side, "X contains" on the other: an estimate made fact (or back)."""
    out: list[Shift] = []
    if any(lv <= 3 for o in others for sc, lv in _TABLE.get(_lemma(o), []) if sc == "certainty"):
        return out  # the other side hedges too
    if any(_estimate_verb(o) for o in others):
        return out  # so it does: "is expected to sell" / "is tipped to top"
    for t in toks:
        lem = _lemma(t)
        passive = _passive_estimate(t)
        if not (passive or lem in _ESTIMATE_ACTIVE) or lem in other_lemmas:
            continue
        comp = [
            c for c in t.children
            if c.dep_ == "xcomp" and c.pos_ == "VERB" and c.lemma_ not in {"be", "have"}
            and any(g.dep_ == "aux" and g.lower_ == "to" for g in c.children)
        ]
        if not comp and passive and any(c.dep_ == "nsubjpass" and c.lower_ == "it" for c in t.children):
            # "it is thought that [X will ...]": the same estimate put impersonally.
            comp = [c for c in t.children if c.dep_ == "ccomp" and c.pos_ == "VERB"]
        if not comp or key(comp[0]) not in other_keys:
            continue
        # The complement kept but not under an estimate: "which contains".
        kept = [o for o in others if key(o) == key(comp[0])]
        if any(o.dep_ == "xcomp" or (o.dep_ == "ccomp" and _lemma(o.head) in _ESTIMATES) for o in kept):
            continue
        note = "estimate stated as fact" if side == "src" else "fact turned into an estimate"
        out.append(Shift(_span(t), None, note) if side == "src" else Shift(None, _span(t), note))
    return out
