"""Relation of a pair (identical ... unrelated) and direction (which is the source)."""

from __future__ import annotations

import math
import re
from datetime import date

from retold.segment import has_headline
from retold.types import (
    Alignment,
    Change,
    ChangeType,
    CleanDocument,
    Direction,
    LinkKind,
    Relation,
    SentenceLink,
)

STRONG_LINK = 0.62
# A link that shows derivation, not just the same facts told again: shared wording (a verbatim or
# edited link) or a paraphrase this close. Two people writing on one topic produce paraphrase-level
# links of their own (definitions, the same facts). Set on the Clough & Stevenson answers of
# participants g0-g1: no answer written without the source had a paraphrased link above 0.70
# (on g2-g4, checked after: 0.72), and 6 of their 8 heavy revisions had two links of this kind
# or closer (g2-g4: 10 of 11). Partial reuse needs two (README "Measured").
DERIVED_LINK = 0.75
# Mean link score above which a text that keeps every sentence is a light edit, however few of its
# sentences are verbatim: the light edits of ../shared/data/rewrites score 0.971-0.991, their
# paraphrases 0.694-0.874; BBC articles put through changes of form only (bench/equivalences.py)
# 0.929 and above.
LIGHT_EDIT_LINK = 0.9


def is_title(doc: CleanDocument, index: int) -> bool:
    """True for a headline: a first line of one short sentence without a full stop."""
    return index == 0 and has_headline(doc.sentences)


def coverage_scores(source: CleanDocument, copy: CleanDocument, alignment: Alignment) -> dict[str, float]:
    """Share of each side's body (in characters) that is aligned, and the mix of links.

    Headlines are left out: a republished body under a new headline is still a republish.
    """
    links = [
        lk for lk in alignment.links if not (is_title(source, lk.source[0]) or is_title(copy, lk.copy[0]))
    ]
    strong = [lk for lk in links if lk.score >= STRONG_LINK]
    s_body = [s for s in source.sentences if not is_title(source, s.index)]
    c_body = [s for s in copy.sentences if not is_title(copy, s.index)]
    s_len = sum(len(s.text) for s in s_body) or 1
    c_len = sum(len(s.text) for s in c_body) or 1

    def cov(doc: CleanDocument, chosen: list[SentenceLink], side: str, total: int) -> float:
        idx = {i for lk in chosen for i in (lk.source if side == "s" else lk.copy)}
        return sum(len(doc.sentences[i].text) for i in idx if not is_title(doc, i)) / total

    n = len(links) or 1
    return {
        "source_coverage": cov(source, links, "s", s_len),
        "copy_coverage": cov(copy, links, "c", c_len),
        "strong_source_coverage": cov(source, strong, "s", s_len),
        "strong_copy_coverage": cov(copy, strong, "c", c_len),
        "verbatim_share": sum(1 for lk in links if lk.kind is LinkKind.VERBATIM) / n if links else 0.0,
        "edited_share": sum(1 for lk in links if lk.kind is LinkKind.EDITED) / n if links else 0.0,
        "mean_link_score": sum(lk.score for lk in links) / n if links else 0.0,
    }


def classify(
    source: CleanDocument, copy: CleanDocument, alignment: Alignment, scores: dict[str, float]
) -> Relation:
    """Name the relation of a pair from its alignment scores."""
    if source.text.strip() == copy.text.strip():
        return Relation.IDENTICAL
    s_cov, c_cov = scores["source_coverage"], scores["copy_coverage"]
    ss_cov, sc_cov = scores["strong_source_coverage"], scores["strong_copy_coverage"]
    verb = scores["verbatim_share"]
    if not alignment.links:
        return Relation.RELATED if scores.get("document_cosine", 0.0) >= 0.6 else Relation.UNRELATED
    if min(s_cov, c_cov) >= 0.97 and verb >= 0.999:
        return Relation.REPUBLISH
    # The whole of one text kept in the other, which adds or cuts a little (up to a quarter): an
    # edit, whose added and dropped sentences are changes, not a reuse of some passages.
    kept_whole = min(s_cov, c_cov) >= 0.9 or (max(s_cov, c_cov) >= 0.9 and min(s_cov, c_cov) >= 0.75)
    if kept_whole and verb >= 0.5:
        return Relation.NEAR_DUPLICATE if verb >= 0.9 else Relation.LIGHT_EDIT
    if min(s_cov, c_cov) >= 0.9 and scores["mean_link_score"] >= LIGHT_EDIT_LINK:
        # Every sentence kept, barely touched, but touched in most: a house style applied to the
        # whole text ("£8m" / "8 million pounds", "didn't" / "did not") leaves few verbatim.
        return Relation.LIGHT_EDIT
    # A paraphrase rewords (almost) every sentence and keeps (almost) all of them;
    # partial reuse keeps some passages, often near-verbatim, among new ones.
    if (verb < 0.2 and min(s_cov, c_cov) >= 0.7) or (verb < 0.35 and min(ss_cov, sc_cov) >= 0.85):
        return Relation.PARAPHRASE
    derived = sum(
        1 for lk in alignment.links if lk.kind is not LinkKind.PARAPHRASED or lk.score >= DERIVED_LINK
    )
    if max(ss_cov, sc_cov) >= 0.1 and len(alignment.links) >= 2 and derived >= 2:
        return Relation.PARTIAL_REUSE
    if scores.get("document_cosine", 0.0) >= 0.6:
        return Relation.RELATED
    return Relation.UNRELATED


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
        1
        for c in changes
        if c.type in (ChangeType.NUMBER, ChangeType.QUOTE, ChangeType.ENTITY, ChangeType.OMISSION)
    )
    added = sum(1 for c in changes if c.type is ChangeType.ADDITION)
    if lost + added:
        votes += 0.15 * (lost - added)
        evidence.append(
            f"{lost} detail(s) of one side are blurred or missing in the other; {added} addition(s)"
        )
    if not evidence:
        return Direction(None, 0.0, ("no evidence either way",))
    conf = 1.0 / (1.0 + math.exp(-abs(votes))) if votes else 0.5
    if abs(votes) < 0.3:
        return Direction(None, conf, tuple(evidence))
    return Direction("source" if votes > 0 else "copy", conf, tuple(evidence))
