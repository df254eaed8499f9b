"""compare(): the one orchestration point for a pair of texts.

clean -> segment -> align -> relation -> explain -> direction.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from retold.align import AlignOptions, align_embeddings
from retold.clean import clean
from retold.embed import Embedder, default_embedder
from retold.errors import InputError
from retold.explain import explain_parsed
from retold.nlp import parse
from retold.relation import classify, coverage_scores, direction
from retold.types import Comparison, Relation


def compare(
    source: str,
    copy: str,
    *,
    source_date: date | None = None,
    copy_date: date | None = None,
    embedder: Embedder | None = None,
    align_options: AlignOptions | None = None,
) -> Comparison:
    """Align a copy to its source and explain every change of meaning.

    Args:
        source: the text believed to be the original (plain text, Markdown or HTML).
        copy: the text believed to derive from it.
        source_date: publication date of the source, when known.
        copy_date: publication date of the copy, when known.
        embedder: sentence encoder (default: the bundled MiniLM model).
        align_options: alignment thresholds.

    Returns:
        A :class:`Comparison`; ``to_dict()`` gives the JSON contract.

    Raises:
        InputError: when a text has no content.

    Examples:
        >>> c = compare("The mayor resigned on Monday.", "The mayor resigned on Tuesday.")
        >>> c.changes[0].type.value
        'number'
    """
    for name, text in (("source", source), ("copy", copy)):
        if not text or not text.strip():
            raise InputError(f"the {name} text is empty")
    enc = embedder or default_embedder()
    src, dst = clean(source), clean(copy)
    if not src.sentences:
        raise InputError("the source has no sentences of content (only boilerplate or markup)")
    if not dst.sentences:
        raise InputError("the copy has no sentences of content (only boilerplate or markup)")
    vecs = enc.encode([s.text for s in src.sentences] + [s.text for s in dst.sentences])
    s_vecs, d_vecs = vecs[: len(src.sentences)], vecs[len(src.sentences) :]
    alignment = align_embeddings(list(src.sentences), list(dst.sentences), s_vecs, d_vecs, align_options)
    scores = coverage_scores(src, dst, alignment)
    scores["document_cosine"] = _doc_cosine(s_vecs, d_vecs)
    relation = classify(src, dst, alignment, scores)
    if relation is Relation.IDENTICAL:
        changes = []
    else:
        changes = explain_parsed(src, dst, parse(src.view), parse(dst.view), alignment, relation, enc.encode)
    direc = direction(src, dst, alignment, changes, relation, source_date, copy_date)
    return Comparison(src, dst, relation, scores, direc, alignment, tuple(changes))


def _doc_cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine of the mean sentence vectors: topical closeness of the two texts."""
    ma, mb = a.mean(axis=0), b.mean(axis=0)
    denom = float(np.linalg.norm(ma) * np.linalg.norm(mb)) or 1.0
    return float(ma @ mb) / denom
