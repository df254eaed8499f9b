"""``retold search``: the indexed documents a text copies, or that copy it.

Candidates come from two cheap sources — documents sharing a MinHash band
with the query (near-verbatim copies) and the nearest static document vectors
(paraphrases, which share few shingles) — plus documents with the same body.
Each candidate is then measured exactly (:func:`retold.evidence.pair_evidence`)
and screened; unrelated candidates are dropped, the rest ranked by score.
With ``explain``, the top hits are compared sentence by sentence with
:func:`retold.compare`, whose relation and direction then replace the
screening verdict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from retold.clean import page_date
from retold.docvec import static_embedder
from retold.errors import InputError
from retold.evidence import pair_direction, pair_evidence, prepare, screen
from retold.fingerprint import shingle_set
from retold.ingest import Document
from retold.io import stored_date
from retold.store import SQLiteStore, StoredDoc
from retold.types import Comparison, Relation

__all__ = ["Hit", "SearchResult", "search"]

_WORD = re.compile(r"\w+")
NEAREST = 50  # vector neighbours screened per query


@dataclass(frozen=True, slots=True)
class Hit:
    """One indexed document related to the query."""

    id: str
    relation: Relation
    score: float
    direction: dict[str, Any]
    scores: dict[str, float]
    doc: StoredDoc
    comparison: Comparison | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "relation": self.relation.value,
            "score": round(self.score, 4),
            "direction": self.direction,
            "scores": self.scores,
        }
        for key in ("title", "url", "date", "site"):
            value = getattr(self.doc, key)
            if value:
                out[key] = value
        if self.comparison is not None:
            out["comparison"] = self.comparison.to_dict()
        return out


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    hits: tuple[Hit, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "hits": [h.to_dict() for h in self.hits]}


def search(
    store: SQLiteStore,
    text: str,
    *,
    name: str = "<query>",
    top: int = 10,
    explain: int = 0,
    query_date: date | None = None,
) -> SearchResult:
    """Find the indexed documents that ``text`` copies or that copy it, best first.

    Args:
        store: the index.
        text: the query article (plain text, Markdown or HTML).
        name: how the query is named in the result.
        top: at most this many hits.
        explain: run the full comparison on this many top hits.
        query_date: the query's publication date, when known (decides direction; default: the
            date an HTML page gives itself).

    Raises:
        InputError: the query has no text after cleaning.
    """
    query_date = query_date or page_date(text)
    doc = Document(id=name, text=text, date=query_date.isoformat() if query_date else None, origin=name)
    prepared, skips = prepare([doc], store.params, static_embedder())
    if not prepared:
        raise InputError(skips[0].reason if skips else "no text", path=name)
    q = prepared[0]
    candidates: dict[int, None] = dict.fromkeys(store.same_body(q.body_sha))
    candidates.update(dict.fromkeys(store.band_matches(q.bands)))
    candidates.update(dict.fromkeys(store.passage_matches(q.passages)))
    candidates.update(dict.fromkeys(r for r, _ in store.nearest(q.vector, NEAREST)))
    k = store.params.shingle
    q_sh = shingle_set(q.body, k)
    hits: list[Hit] = []
    for d in store.get(list(candidates)):
        ev = pair_evidence(q, d, k=k, a_shingles=q_sh)
        relation, score = screen(ev)
        if relation is Relation.UNRELATED:
            continue
        hits.append(Hit(d.id, relation, score, pair_direction(q, d, relation), ev.to_dict(), d))
    # Scores within 0.01 are ties on screening evidence (the corpus holds
    # near-duplicates that differ only in letter case or a headline): break
    # them by the share of the query's exact, case-sensitive words.
    q_words = set(_WORD.findall(q.text))
    hits.sort(key=lambda h: (-round(h.score, 2), -_share(q_words, h.doc.text), h.id))
    hits = hits[:top]
    if explain:
        hits = [_explained(q, h) if i < explain else h for i, h in enumerate(hits)]
    return SearchResult(name, tuple(hits))


def _explained(q: StoredDoc, hit: Hit) -> Hit:
    """Replace the screening verdict with the full sentence-level comparison."""
    from retold.pipeline import compare

    query_is_source = hit.direction.get("source") == "query"
    src, cpy = (q, hit.doc) if query_is_source else (hit.doc, q)
    c = compare(
        src.text,
        cpy.text,
        source_date=stored_date(src.date),
        copy_date=stored_date(cpy.date),
    )
    direction = c.direction.to_dict()
    side = direction.get("source")
    if side in ("source", "copy"):
        is_query = (side == "source") == query_is_source
        direction = {**direction, "source": "query" if is_query else "hit"}
    return Hit(hit.id, c.relation, hit.score, direction or hit.direction, hit.scores, hit.doc, c)


def _share(words: set[str], body: str) -> float:
    return len(words & set(_WORD.findall(body))) / len(words) if words else 0.0
