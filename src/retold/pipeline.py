"""compare(): the one orchestration point for a pair of texts.

clean -> segment -> align -> relation -> (for a body republished word for word, the short
off-topic lines one side adds taken as furniture: :func:`_republished_furniture`) -> explain ->
direction.

On a machine with two or more cores the spaCy parse of both texts (and what
explain() reads of it) is made in the background while the sentences are
embedded, unless the texts look like a republication (then explain() usually
needs no parse, and makes it itself if it does). Timing only: the result is the
same either way (``RETOLD_PARSE_AHEAD=0`` turns it off).
"""

from __future__ import annotations

import os
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date

import numpy as np

from retold.align import AlignOptions, align_embeddings, renumber, squash
from retold.clean import REPORTED_SPEECH, clean, page_date
from retold.embed import Embedder, default_embedder, usable_cpus
from retold.errors import InputError
from retold.explain import Parsed, explain, prepare
from retold.nlp import parse_many
from retold.relation import classify, coverage_scores, direction, is_title
from retold.types import Alignment, Boilerplate, CleanDocument, Comparison, Relation


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
        source_date: publication date of the source, when known (default: the date an HTML
            page gives itself, see :func:`retold.clean.page_date`).
        copy_date: publication date of the copy, likewise.
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
    source_date = source_date or page_date(source)
    copy_date = copy_date or page_date(copy)
    src, dst = clean(source), clean(copy)
    if not src.sentences:
        raise InputError("the source has no sentences of content (only boilerplate or markup)")
    if not dst.sentences:
        raise InputError("the copy has no sentences of content (only boilerplate or markup)")
    # Started before the sentence model is first loaded, so that in a new process the two loads overlap.
    ahead = _parse_ahead(src, dst)
    enc = embedder or default_embedder()
    vecs = enc.encode([s.text for s in src.sentences] + [s.text for s in dst.sentences])
    s_vecs, d_vecs = vecs[: len(src.sentences)], vecs[len(src.sentences) :]
    alignment = align_embeddings(
        list(src.sentences), list(dst.sentences), s_vecs, d_vecs, align_options, encode=enc.encode
    )
    scores = coverage_scores(src, dst, alignment)
    scores["document_cosine"] = _doc_cosine(s_vecs, d_vecs)
    relation = classify(src, dst, alignment, scores)
    if relation in (Relation.REPUBLISH, Relation.NEAR_DUPLICATE) and scores["verbatim_share"] >= 0.999:
        # The same body word for word: short lines either side has alone are the page around it.
        moved = _republished_furniture(src, dst, alignment, s_vecs, d_vecs)
        if moved is not None:
            src, dst, alignment = moved
            scores.update(coverage_scores(src, dst, alignment))
            relation = classify(src, dst, alignment, scores)
    # explain() needs the parses only when it looks inside a link.
    parsed = ahead.result if ahead is not None else None
    changes = []
    if relation is not Relation.IDENTICAL:
        changes = explain(src, dst, alignment, relation, enc.encode, parsed=parsed)
    direc = direction(src, dst, alignment, changes, relation, source_date, copy_date)
    return Comparison(src, dst, relation, scores, direc, alignment, tuple(changes))


# A line a republished copy adds to (or drops from) the same body is page furniture however it is
# worded ("Support our journalism. Donate today."), if it is short: a paragraph of news is longer.
FURNITURE_LINE_WORDS = 20
_REPUBLISHED_FURNITURE = "a line the republished body lacks"
# Furniture is off the story's topic. Measured with the sentence model: one-line paragraphs of 20
# words or fewer in 1 BBC article of 10 have a median cosine of 0.58 with the rest of their article
# (5th percentile 0.21; the lowest are bare figures and team lists), 70 furniture lines written for
# bench/furniture.py 0.08 with BBC articles (75th percentile 0.14, 95th 0.25).
FURNITURE_TOPICALITY = 0.15
# ... and it neither quotes nor reports anyone, as a short paragraph of news does ("'We won,' he said.").
_QUOTE_MARK = re.compile(r"[\"“”]")


def _republished_furniture(
    src: CleanDocument, dst: CleanDocument, alignment: Alignment, s_vecs: np.ndarray, d_vecs: np.ndarray
) -> tuple[CleanDocument, CleanDocument, Alignment] | None:
    """Count as boilerplate the short lines of unaligned sentences around a republished body
    (None when there is none).

    The alignment found the same body on both sides, word for word; what else a side holds, line
    by line, is the page around it. A line is taken when every sentence on it is unaligned (not the
    headline: a republication may retitle), it has at most :data:`FURNITURE_LINE_WORDS` words, and
    it neither quotes nor reports anyone, and it is off the topic of the body: the cosine of its
    sentences' mean vector with the body's is below :data:`FURNITURE_TOPICALITY` (a short paragraph
    of news dropped or added is a change; the page around the story speaks of the page).
    """
    docs = []
    maps = []
    sides = ((src, alignment.source_unaligned, s_vecs), (dst, alignment.copy_unaligned, d_vecs))
    for doc, unaligned_idx, vecs in sides:
        unaligned = set(unaligned_idx)
        body = [i for i in range(len(doc.sentences)) if i not in unaligned]
        if not body:
            docs.append(doc)
            maps.append(list(range(len(doc.sentences))))
            continue
        centre = _unit(vecs[body].mean(axis=0))
        lines: dict[tuple[int, int], list[int]] = {}
        for i, s in enumerate(doc.sentences):
            lo = doc.view.rfind("\n", 0, s.start) + 1
            hi = doc.view.find("\n", s.end)
            lines.setdefault((lo, len(doc.view) if hi < 0 else hi), []).append(i)
        furniture = []
        for (lo, hi), idxs in lines.items():
            text = doc.view[lo:hi].strip()
            if (
                all(i in unaligned for i in idxs) and not is_title(doc, idxs[0])
                and len(text.split()) <= FURNITURE_LINE_WORDS
                and not _QUOTE_MARK.search(text) and not REPORTED_SPEECH.search(text)
                and float(_unit(vecs[idxs].mean(axis=0)) @ centre) < FURNITURE_TOPICALITY
            ):
                start = lo + doc.view[lo:hi].index(text)
                furniture.append(Boilerplate(start, start + len(text), text, _REPUBLISHED_FURNITURE))
        if furniture:
            doc, moved = doc.with_furniture(furniture)
        else:
            moved = list(range(len(doc.sentences)))
        docs.append(doc)
        maps.append(moved)
    if docs[0] is src and docs[1] is dst:
        return None
    return docs[0], docs[1], renumber(alignment, maps[0], maps[1])


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n else v


def _doc_cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine of the mean sentence vectors: topical closeness of the two texts."""
    return float(_unit(a.mean(axis=0)) @ _unit(b.mean(axis=0)))


_pool: tuple[int, ThreadPoolExecutor] | None = None  # (pid, pool): a forked child makes its own
_pool_lock = threading.Lock()


def _parse_ahead(src: CleanDocument, dst: CleanDocument) -> Future[Parsed] | None:
    """Start parsing both texts in the background, when it is likely needed and a core is free."""
    global _pool
    if os.environ.get("RETOLD_PARSE_AHEAD", "1") == "0" or usable_cpus() < 2:
        return None
    s_lines = {squash(s.text) for s in src.sentences}
    d_lines = {squash(s.text) for s in dst.sentences}
    # Every sentence but a retitled headline found verbatim on the other side: a republication,
    # whose links explain() does not look inside.
    if len(d_lines - s_lines) <= 1 and len(s_lines - d_lines) <= 1:
        return None
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            _pool = (os.getpid(), ThreadPoolExecutor(1, thread_name_prefix="retold-parse"))
        pool = _pool[1]
    return pool.submit(_parse, src, dst)


def _parse(src: CleanDocument, dst: CleanDocument) -> Parsed:
    src_doc, dst_doc = parse_many([src.view, dst.view])
    return prepare(src, dst, src_doc, dst_doc)
