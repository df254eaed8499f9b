"""Relation of a pair (identical ... unrelated) and direction (which is the source)."""

from __future__ import annotations

import math
import re
from datetime import date

from retold.types import Alignment, Change, ChangeType, CleanDocument, Direction, LinkKind, Relation


def coverage_scores(source: CleanDocument, copy: CleanDocument, alignment: Alignment) -> dict[str, float]:
    """Share of each side's content (in characters) that is aligned, and link mix."""
    s_len = sum(len(s.text) for s in source.sentences) or 1
    c_len = sum(len(s.text) for s in copy.sentences) or 1
    s_cov = sum(len(source.sentences[i].text) for lk in alignment.links for i in lk.source) / s_len
    c_cov = sum(len(copy.sentences[j].text) for lk in alignment.links for j in lk.copy) / c_len
    n = len(alignment.links) or 1
    verb = sum(1 for lk in alignment.links if lk.kind is LinkKind.VERBATIM) / n
    edit = sum(1 for lk in alignment.links if lk.kind is LinkKind.EDITED) / n
    mean = sum(lk.score for lk in alignment.links) / n if alignment.links else 0.0
    return {
        "source_coverage": s_cov,
        "copy_coverage": c_cov,
        "verbatim_share": verb if alignment.links else 0.0,
        "edited_share": edit if alignment.links else 0.0,
        "mean_link_score": mean,
    }


def _squash(text: str) -> str:
    return " ".join(text.split())


def classify(
    source: CleanDocument, copy: CleanDocument, alignment: Alignment, scores: dict[str, float]
) -> Relation:
    """Name the relation of a pair from its alignment scores."""
    if source.text.strip() == copy.text.strip():
        return Relation.IDENTICAL
    s_cov, c_cov = scores["source_coverage"], scores["copy_coverage"]
    verb, edit = scores["verbatim_share"], scores["edited_share"]
    n_links = len(alignment.links)
    if n_links == 0:
        return Relation.RELATED if scores.get("document_cosine", 0.0) >= 0.55 else Relation.UNRELATED
    if _squash(source.body) == _squash(copy.body) and source.sentences:
        return Relation.REPUBLISH
    if min(s_cov, c_cov) >= 0.97 and verb >= 0.97:
        return Relation.REPUBLISH
    if min(s_cov, c_cov) >= 0.85 and verb + edit >= 0.9 and verb >= 0.6:
        return Relation.NEAR_DUPLICATE if verb >= 0.9 else Relation.LIGHT_EDIT
    if s_cov >= 0.6 and c_cov >= 0.6:
        if verb + edit >= 0.6:
            return Relation.LIGHT_EDIT
        return Relation.PARAPHRASE
    if n_links >= 2 and (c_cov >= 0.15 or s_cov >= 0.15) and scores["mean_link_score"] >= 0.5:
        return Relation.PARTIAL_REUSE
    if scores.get("document_cosine", 0.0) >= 0.55 or n_links >= 1:
        return Relation.RELATED
    return Relation.UNRELATED


_NUMBER = re.compile(r"\d")
_QUOTE = re.compile(r"[\"“”]")


def _specificity(text: str) -> float:
    """A rough count of checkable detail: digits, capitalised names and quotes."""
    digits = len(re.findall(r"\d+(?:[.,]\d+)*", text))
    names = len(re.findall(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+", text))
    quotes = len(_QUOTE.findall(text)) / 2
    return digits * 1.5 + names * 0.5 + quotes


def direction(
    source: CleanDocument,
    copy: CleanDocument,
    alignment: Alignment,
    changes: list[Change],
    relation: Relation,
    source_date: date | None = None,
    copy_date: date | None = None,
) -> Direction:
    """Decide which side is the original, with a confidence and the evidence."""
    if relation in (Relation.UNRELATED, Relation.RELATED):
        return Direction(None, 0.0, ("the texts are not derived from one another",))
    if source_date and copy_date and source_date != copy_date:
        first = "source" if source_date < copy_date else "copy"
        older = min(source_date, copy_date).isoformat()
        return Direction(first, 0.95, (f"the {first} is dated earlier ({older})",))
    evidence: list[str] = []
    votes = 0.0
    if copy.boilerplate and not source.boilerplate:
        votes += 0.8
        evidence.append(f"the copy carries {len(copy.boilerplate)} boilerplate line(s) the source lacks")
    elif source.boilerplate and not copy.boilerplate:
        votes -= 0.8
        evidence.append(f"the source carries {len(source.boilerplate)} boilerplate line(s) the copy lacks")
    s_spec = sum(_specificity(source.sentences[i].text) for lk in alignment.links for i in lk.source)
    c_spec = sum(_specificity(copy.sentences[j].text) for lk in alignment.links for j in lk.copy)
    if s_spec + c_spec > 0:
        diff = (s_spec - c_spec) / max(s_spec, c_spec)
        if abs(diff) >= 0.05:
            votes += 3.0 * diff
            richer = "source" if diff > 0 else "copy"
            evidence.append(
                f"the {richer} has more exact figures, names and quotes in the shared passages "
                f"({max(s_spec, c_spec):.0f} vs {min(s_spec, c_spec):.0f})"
            )
    lost = sum(
        1 for c in changes if c.type in (ChangeType.NUMBER, ChangeType.QUOTE, ChangeType.ENTITY, ChangeType.OMISSION)
    )
    added = sum(1 for c in changes if c.type is ChangeType.ADDITION)
    if lost + added:
        votes += 0.15 * (lost - added)
        evidence.append(f"{lost} detail(s) of one side are blurred or missing in the other; {added} addition(s)")
    if not evidence:
        return Direction(None, 0.0, ("no evidence either way",))
    conf = 1.0 / (1.0 + math.exp(-abs(votes))) if votes else 0.5
    if abs(votes) < 0.3:
        return Direction(None, conf, tuple(evidence))
    return Direction("source" if votes > 0 else "copy", conf, tuple(evidence))
