"""Stage functions of the corpus tools: prepare a document, judge a candidate pair.

Every engine (the local one and Spark) calls these same functions, so they
cannot disagree about what a copy is:

- :func:`prepare` turns input documents into :class:`~retold.store.StoredDoc`
  (clean body, MinHash signature, band keys, static vector, originality hints);
- :func:`pair_evidence` measures a candidate pair cheaply (exact shingle
  Jaccard and containment, vector cosine, overlap of names and figures);
- :func:`screen` turns that evidence into a relation and a score;
- :func:`originality_key` orders documents so that the first of a family is
  the one retold judges to be its source;
- :func:`pair_direction` says which of two documents is the source.

The verdict here is a *screening* verdict at hashing cost. ``retold search
--explain`` runs the full sentence-level comparison on the top hits.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from retold.clean import body_text, split_title
from retold.docvec import StaticEmbedder
from retold.fingerprint import (
    band_keys,
    containment,
    jaccard,
    overlap,
    passages,
    shingle_set,
    signatures,
    sorted_unique,
)
from retold.ingest import Document, Skip
from retold.store import IndexParams, StoredDoc
from retold.types import Relation

__all__ = [
    "Evidence",
    "anchor_keys",
    "anchors",
    "evidence_of",
    "originality",
    "originality_key",
    "pair_direction",
    "pair_evidence",
    "prepare",
    "screen",
    "text_sha",
]

# Screening thresholds (measured on the development data, see README "Corpus tools").
REPUBLISH_J = 0.9  # exact 5-shingle Jaccard of the bodies ...
REPUBLISH_C = 0.99  # ... with one body wholly inside the other (boilerplate or headline differ)
NEAR_DUPLICATE_J = 0.7
LIGHT_EDIT_J = 0.5
PARTIAL_C = 0.3  # share of one body's shingles found in the other
PARTIAL_ASYMMETRY = 1.5  # ... at least this many times the share the other way
PARTIAL_SHINGLES = 30  # or this many shared 5-word shingles: a lifted paragraph of ≈ 35 words
PARAPHRASE_COS = 0.975  # static document vectors
PARAPHRASE_ANCHORS = 0.75  # share of the smaller side's names and figures found in the other
RELATED_COS = 0.94  # same story: close vectors and some shared names and figures
RELATED_ANCHORS = 0.3

# A name: a capitalised word after a space that does not end a sentence, quote or line (the
# first word of a sentence is capitalised whatever it is). A figure: a number anywhere, except
# inside a name ("F-16"). The pattern opens with the capital and looks back from it, so the regex
# engine skips straight to capitals: names and figures by two such patterns take ≈ 0.6 of the
# time of one pattern that opened with the space (it stopped at every space of the text).
_NAME = re.compile(r"[A-Z](?<=\s[A-Z])(?<![.!?\"“\n]\s[A-Z])[\w'’-]+")
_FIGURE = re.compile(r"\d[\d.,]*\d|\d")
_DIGIT = re.compile(r"\d")
_WORDS = re.compile(r"\w+")


def anchors(text: str) -> frozenset[str]:
    """Names and figures of a text: capitalised words not opening a sentence, and numbers."""
    names = _NAME.findall(text)
    if _DIGIT.search("".join(names)):
        # A figure is read between the names only, up to the next name's start ("M1989" holds none).
        figures: list[str] = []
        pos = 0
        for m in _NAME.finditer(text):
            figures += _FIGURE.findall(text, pos, m.start())
            pos = m.end()
        figures += _FIGURE.findall(text, pos)
    else:  # no name holds a digit, so no figure can overlap one
        figures = _FIGURE.findall(text)
    found = set(names)  # names recur: normalise each once
    found.update(figures)
    out = {a.lower().rstrip("’'s").rstrip(".,") for a in found}
    out.discard("")
    return frozenset(out)


def anchor_keys(text: str) -> np.ndarray:
    """The :func:`anchors` of a text as sorted unique 64-bit keys (blake2b of each): what pair
    evidence compares, and what the index stores (8 bytes a name instead of a Python string)."""
    digests = b"".join(_key(a) for a in anchors(text))
    return sorted_unique(np.frombuffer(digests, dtype="<u8").astype(np.uint64))


def _key(anchor: str) -> bytes:
    return hashlib.blake2b(anchor.encode("utf-8", "surrogatepass"), digest_size=8).digest()


def text_sha(text: str) -> str:
    """sha256 of a text (hex): the identity of a document's content."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def prepare(
    docs: Sequence[Document], params: IndexParams, embedder: StaticEmbedder
) -> tuple[list[StoredDoc], list[Skip]]:
    """Clean, fingerprint and embed a batch of documents.

    A document whose body has no words after cleaning is returned as a
    :class:`~retold.ingest.Skip` ("no text"), never silently dropped.
    """
    bodies: list[tuple[Document, str, int]] = []
    skips: list[Skip] = []
    for d in docs:
        body, boiler = body_text(d.text)
        title, body = split_title(body)
        if title and d.title is None:
            d = dataclasses.replace(d, title=title)
        if not _WORDS.search(body):
            skips.append(Skip(d.origin or d.id, "no text after removing markup and boilerplate"))
            continue
        bodies.append((d, body, boiler))
    if not bodies:
        return [], skips
    texts = [b for _, b, _ in bodies]
    sigs = signatures(texts, num_perm=params.num_perm, k=params.shingle)
    keys = band_keys(sigs, params.bands, params.rows)
    vecs = embedder.encode(texts)
    names = [anchor_keys(t) for t in texts]
    out = [
        StoredDoc(
            id=d.id,
            text=d.text,
            body=body,
            sha=text_sha(d.text),
            body_sha=text_sha(body),
            signature=sigs[i],
            bands=keys[i],
            vector=vecs[i],
            passages=passages(body, params.shingle, params.window),
            boilerplate=boiler,
            specifics=len(names[i]),
            anchors=names[i],
            url=d.url,
            title=d.title,
            date=d.date,
            site=d.site,
            extra=dict(d.extra),
            origin=d.origin,
        )
        for i, (d, body, boiler) in enumerate(bodies)
    ]
    return out, skips


@dataclass(frozen=True, slots=True)
class Evidence:
    """Cheap measurements of how much of one body is in the other."""

    jaccard: float  # exact 5-shingle Jaccard
    a_in_b: float  # share of a's shingles found in b
    b_in_a: float
    cosine: float  # static document vectors
    anchors: float  # share of the smaller anchor set found in the other
    same_text: bool
    same_body: bool
    shared: int = 0  # shingles found in both: verbatim passages, whatever their share

    def to_dict(self) -> dict[str, float]:
        return {
            "jaccard": round(self.jaccard, 4),
            "containment_query": round(self.a_in_b, 4),
            "containment_hit": round(self.b_in_a, 4),
            "cosine": round(self.cosine, 4),
            "anchors": round(self.anchors, 4),
            "shared_shingles": self.shared,
        }


def pair_evidence(
    a: StoredDoc,
    b: StoredDoc,
    *,
    k: int,
    a_shingles: np.ndarray | None = None,
    b_shingles: np.ndarray | None = None,
) -> Evidence:
    """Measure a candidate pair (shingle sets may be passed in when cached; anchors are the stored
    ones, or taken from the body when a document has none stored)."""
    return evidence_of(
        a_shingles if a_shingles is not None else shingle_set(a.body, k),
        b_shingles if b_shingles is not None else shingle_set(b.body, k),
        a.anchors if a.anchors is not None else anchor_keys(a.body),
        b.anchors if b.anchors is not None else anchor_keys(b.body),
        cosine=float(np.dot(a.vector, b.vector)),
        same_text=a.sha == b.sha,
        same_body=a.body_sha == b.body_sha,
    )


def evidence_of(
    sa: np.ndarray,
    sb: np.ndarray,
    aa: np.ndarray,
    ab: np.ndarray,
    *,
    cosine: float,
    same_text: bool = False,
    same_body: bool = False,
) -> Evidence:
    """The evidence of a pair from its shingle sets ``sa``, ``sb`` and anchor keys ``aa``, ``ab``
    (sorted unique arrays) and the cosine of its vectors."""
    small = min(len(aa), len(ab))
    a_in_b = containment(sa, sb)
    return Evidence(
        jaccard=jaccard(sa, sb),
        a_in_b=a_in_b,
        b_in_a=containment(sb, sa),
        cosine=cosine,
        anchors=overlap(aa, ab) / small if small else 0.0,
        same_text=same_text,
        same_body=same_body,
        shared=round(a_in_b * len(sa)),
    )


def screen(ev: Evidence) -> tuple[Relation, float]:
    """Relation and a score in [0, 1] for ranking, from cheap evidence alone."""
    if ev.same_text:
        return Relation.IDENTICAL, 1.0
    if ev.same_body:
        return Relation.REPUBLISH, 1.0
    para = 0.5 * ev.cosine + 0.5 * ev.anchors
    most, least = max(ev.a_in_b, ev.b_in_a), min(ev.a_in_b, ev.b_in_a)
    score = max(ev.jaccard, 0.9 * most, 0.85 * para)
    if ev.shared >= PARTIAL_SHINGLES:  # a lifted passage ranks above mere topical closeness
        score = max(score, 0.6 + 0.3 * min(1.0, ev.shared / 100))
    if ev.jaccard >= REPUBLISH_J and most >= REPUBLISH_C:
        return Relation.REPUBLISH, score
    if ev.jaccard >= NEAR_DUPLICATE_J:
        return Relation.NEAR_DUPLICATE, score
    if ev.jaccard >= LIGHT_EDIT_J:
        return Relation.LIGHT_EDIT, score
    # One text holds much of the other but not the reverse: reuse of a part.
    if most >= PARTIAL_C and most >= PARTIAL_ASYMMETRY * least:
        return Relation.PARTIAL_REUSE, score
    if ev.cosine >= PARAPHRASE_COS and ev.anchors >= PARAPHRASE_ANCHORS:
        return Relation.PARAPHRASE, score
    if most >= PARTIAL_C or ev.shared >= PARTIAL_SHINGLES:
        return Relation.PARTIAL_REUSE, score
    if ev.cosine >= RELATED_COS and ev.anchors >= RELATED_ANCHORS:
        return Relation.RELATED, score
    return Relation.UNRELATED, score


class _Ranked(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def date(self) -> str | None: ...
    @property
    def boilerplate(self) -> int: ...
    @property
    def specifics(self) -> int: ...


def originality_key(d: _Ranked) -> tuple[str, int, int, str]:
    """Sort key: the first document of a family is the one judged to be its source.

    Earliest date first (undated after dated); then content evidence — fewer
    boilerplate lines (scrapers add them), more names and figures (rewriters
    drop them); then the id, so the order is total and every engine agrees.
    """
    return originality(d.id, d.date, d.boilerplate, d.specifics)


def originality(doc_id: str, date: str | None, boilerplate: int, specifics: int) -> tuple[str, int, int, str]:
    """:func:`originality_key` from the fields themselves."""
    return (date or "9999-99-99", boilerplate, -specifics, doc_id)


def pair_direction(a: StoredDoc, b: StoredDoc, relation: Relation) -> dict[str, object]:
    """Which of ``a`` (the query) and ``b`` (the hit) is the source, with evidence."""
    if relation in (Relation.UNRELATED, Relation.RELATED):
        return {"source": None, "confidence": 0.0, "evidence": ["not a copy: no direction"]}
    if a.date and b.date and a.date != b.date:
        src = "query" if a.date < b.date else "hit"
        return {"source": src, "confidence": 0.9, "evidence": [f"dates: query {a.date}, hit {b.date}"]}
    evidence: list[str] = []
    vote = 0.0
    if a.boilerplate != b.boilerplate:
        vote += 1.0 if a.boilerplate < b.boilerplate else -1.0
        evidence.append(f"boilerplate lines: query {a.boilerplate}, hit {b.boilerplate}")
    if a.specifics != b.specifics:
        margin = (a.specifics - b.specifics) / max(a.specifics, b.specifics)
        if abs(margin) >= 0.05:
            vote += 1.0 if margin > 0 else -1.0
            evidence.append(f"names and figures: query {a.specifics}, hit {b.specifics}")
    if vote == 0:
        return {"source": None, "confidence": 0.0, "evidence": evidence or ["no evidence either way"]}
    return {
        "source": "query" if vote > 0 else "hit",
        "confidence": 0.55 + 0.1 * min(abs(vote), 2),
        "evidence": evidence,
    }
