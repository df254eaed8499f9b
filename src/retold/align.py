"""Sentence alignment: many-to-many links between a source and a copy.

``align`` embeds the sentences and delegates to ``align_embeddings``, which is
pure numpy: a score matrix mixing embedding cosine with lexical overlap of
content words, a greedy one-to-one matching above a threshold, then merges
(several source sentences into one copy sentence) and splits (one source
sentence into several copy sentences) where the extra sentence raises the
coverage of the linked words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from retold.embed import Embedder, similarities
from retold.nlp import content_words, form
from retold.references import resolve_group_reference
from retold.segment import has_headline
from retold.types import Alignment, LinkKind, Sentence, SentenceLink


@dataclass(frozen=True, slots=True)
class AlignOptions:
    """Weights and thresholds of the alignment."""

    cosine_weight: float = 0.6
    link_threshold: float = 0.42  # combined score to start a link
    strong_cosine: float = 0.72  # a cosine this high links on its own
    merge_threshold: float = 0.34  # combined score to join a link as a merge or split
    merge_gain: float = 0.08  # the merge must raise word coverage by this much
    merge_cover: float = 0.4  # and the joining sentence must be this much covered
    split_partner_cover: float = 0.5  # a half of a split whose partner holds less of its words may move
    restated_cosine: float = 0.7  # an unaligned sentence this close to one of the other text
    restated_cover: float = 0.75  # whose content words the other text has this much is restated
    meaning_cosine: float = 0.4  # a leftover this close to a linked sentence may join its link
    meaning_gain: float = 0.04  # if joining it raises the cosine of the link's two sides this much
    fold_cosine: float = 0.45  # a leftover this close to a clause of its neighbour's link joins it
    fold_cover: float = 0.5  # when the link's own side has less than this of the clause's words

    def __post_init__(self) -> None:
        if not 0.0 <= self.cosine_weight <= 1.0:
            raise ValueError(f"cosine_weight must be in [0, 1], got {self.cosine_weight}")


def _lexical(src_words: list[set[str]], dst_words: list[set[str]]) -> np.ndarray:
    """Dice overlap of content-word sets, source x copy."""
    out = np.zeros((len(src_words), len(dst_words)), dtype=np.float32)
    for i, a in enumerate(src_words):
        if not a:
            continue
        for j, b in enumerate(dst_words):
            if b:
                out[i, j] = _dice(a, b)
    return out


def _dice(a: set[str], b: set[str]) -> float:
    return 2.0 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def score_matrix(cos: np.ndarray, lexical: np.ndarray, opts: AlignOptions) -> np.ndarray:
    """Combined similarity: weighted (clipped) cosine and lexical overlap, in [0, 1]."""
    return opts.cosine_weight * cos + (1.0 - opts.cosine_weight) * lexical


def _coverage(target: set[str], parts: list[set[str]]) -> float:
    if not target:
        return 0.0
    union: set[str] = set().union(*parts) if parts else set()
    return len(target & union) / len(target)


def align_embeddings(
    src: list[Sentence],
    dst: list[Sentence],
    src_vecs: np.ndarray,
    dst_vecs: np.ndarray,
    opts: AlignOptions | None = None,
    encode: Callable[[list[str]], np.ndarray] | None = None,
) -> Alignment:
    """Align two sentence lists given their unit embeddings (pure numpy; ``encode``, when given,
    embeds the few joined texts that decide merges by meaning)."""
    opts = opts or AlignOptions()
    if not src or not dst:
        return Alignment((), tuple(range(len(src))), tuple(range(len(dst))))
    sw = [set(content_words(s.text)) for s in src]
    dw = [set(content_words(s.text)) for s in dst]
    lex = _lexical(sw, dw)
    cos = np.clip(similarities(src_vecs, dst_vecs), 0.0, 1.0)
    score = score_matrix(cos, lex, opts)
    if has_headline(src) and has_headline(dst):
        # Headline to headline, body to body: a headline sums up the lead sentence, so the two
        # may score higher across than the reworded pairs do, and would take each other's place.
        for m in (cos, score):
            m[0, 1:] = 0.0
            m[1:, 0] = 0.0

    # 1. Greedy one-to-one on the best pairs.
    pairs = np.argwhere((score >= opts.link_threshold) | (cos >= opts.strong_cosine))
    order = sorted(pairs.tolist(), key=lambda p: -score[p[0], p[1]])
    s_link: dict[int, int] = {}
    d_link: dict[int, int] = {}
    for i, j in order:
        if i in s_link or j in d_link:
            continue
        s_link[i] = j
        d_link[j] = i
    # 1b. Fill gaps: an unlinked pair between linked neighbours links at a lower bar.
    for i in range(len(src)):
        if i in s_link:
            continue
        for j in range(len(dst)):
            if j in d_link or score[i, j] < opts.merge_threshold:
                continue
            prev_ok = i > 0 and j > 0 and s_link.get(i - 1) == j - 1
            next_ok = s_link.get(i + 1) == j + 1 and i + 1 < len(src)
            if prev_ok or next_ok:
                s_link[i] = j
                d_link[j] = i
                break
    # 1c. Sentences that are the same but for house style ("27,595" / "27595", "didn't" / "did not")
    # link whatever their score: a sentence of little but a figure scores low against its twin.
    if unlinked := [i for i in range(len(src)) if i not in s_link]:
        restyled: dict[str, int] = {}
        for j in range(len(dst)):
            if j not in d_link:
                restyled.setdefault(form(dst[j].text), j)
        for i in unlinked:
            if (j := restyled.pop(form(src[i].text), -1)) >= 0:
                s_link[i] = j
                d_link[j] = i
    # 1d. A leftover sentence that opens on the people of the sentence before it ("All three
    # have left...") links as if it named them.
    if encode is not None:
        _link_group_references(
            (src, dst), (sw, dw), (src_vecs, dst_vecs), (cos, lex, score), s_link, d_link, encode, opts
        )
    # 1e. The halves of a split sentence in one link, not one of them with a weak partner.
    moved = _rejoin_halves(sw, dw, cos, s_link, d_link, opts)
    joined = {n for side, _, n in moved if side == 0}
    groups: dict[int, tuple[list[int], list[int]]] = {}
    for i, j in s_link.items():
        if i not in joined:
            groups[i] = ([i], [j])
    for side, key, n in moved:
        groups[key][side].append(n)

    # 2. Merges: an unlinked source sentence joins the link of its best copy sentence.
    for i in range(len(src)):
        if i in s_link:
            continue
        j = int(np.argmax(score[i]))
        if score[i, j] < opts.merge_threshold or j not in d_link:
            continue
        g = groups[_group_of(groups, src_index=d_link[j])]
        before = _coverage(dw[j], [sw[k] for k in g[0]])
        after = _coverage(dw[j], [sw[k] for k in g[0]] + [sw[i]])
        # The merged sentence must itself be mostly found in the copy sentence.
        if after - before >= opts.merge_gain and _coverage(sw[i], [dw[j]]) >= opts.merge_cover:
            g[0].append(i)
            s_link[i] = j
    # 3. Splits: an unlinked copy sentence joins the link of its best source sentence.
    for j in range(len(dst)):
        if j in d_link:
            continue
        i = int(np.argmax(score[:, j]))
        if score[i, j] < opts.merge_threshold or i not in s_link:
            continue
        key = _group_of(groups, src_index=i)
        g = groups[key]
        before = _coverage(sw[i], [dw[k] for k in g[1]])
        after = _coverage(sw[i], [dw[k] for k in g[1]] + [dw[j]])
        if after - before >= opts.merge_gain and _coverage(dw[j], [sw[k] for k in g[0]]) >= opts.merge_cover:
            g[1].append(j)
            d_link[j] = i

    if encode is not None:
        _merge_by_meaning(src, dst, cos, groups, s_link, d_link, encode, opts)
        _fold_by_meaning(src, dst, sw, dw, groups, s_link, d_link, encode, opts)

    links = []
    for s_idx, d_idx in groups.values():
        s_sorted, d_sorted = tuple(sorted(s_idx)), tuple(sorted(d_idx))
        sub = score[np.ix_(s_sorted, d_sorted)]
        link_score = float(sub.max())
        kind = _kind(
            " ".join(src[k].text for k in s_sorted),
            " ".join(dst[k].text for k in d_sorted),
            float(lex[np.ix_(s_sorted, d_sorted)].max()),
        )
        links.append(SentenceLink(s_sorted, d_sorted, kind, link_score))
    links.sort(key=lambda lk: (lk.copy[0], lk.source[0]))
    s_un = tuple(i for i in range(len(src)) if i not in s_link)
    d_un = tuple(j for j in range(len(dst)) if j not in d_link)
    s_re = tuple(i for i in s_un if _restated(sw[i], cos[i], dw, opts))
    d_re = tuple(j for j in d_un if _restated(dw[j], cos[:, j], sw, opts))
    return Alignment(tuple(links), s_un, d_un, s_re, d_re)


def _link_group_references(
    sentences: tuple[list[Sentence], list[Sentence]],
    words: tuple[list[set[str]], list[set[str]]],
    vectors: tuple[np.ndarray, np.ndarray],
    matrices: tuple[np.ndarray, np.ndarray, np.ndarray],
    s_link: dict[int, int],
    d_link: dict[int, int],
    encode: Callable[[list[str]], np.ndarray],
    opts: AlignOptions,
) -> None:
    """Link a leftover sentence that refers to a group named in the sentence before it ("All
    three have stepped down" after "Maria Lopez, Tom Hardy and Ian Marsh were expected...").

    The count of names says nothing to the sentence model, so a sentence that says "all three"
    where the other text said the three names scores low against it; more so when it also moved.
    Each such leftover is scored again with the names put in, against the other side's leftovers,
    and links to the best of them at the bar of any link (``link_threshold`` or
    ``strong_cosine``). The pair's scores are updated in ``matrices`` (cosine, lexical, combined;
    source x copy).
    """
    cos, lex, score = matrices
    links = (s_link, d_link)
    cands: list[tuple[int, int, str]] = []  # (side, sentence, text with the names put in)
    for side, this in enumerate(sentences):
        for k in range(1, len(this)):
            if k not in links[side] and (text := resolve_group_reference(this[k].text, this[k - 1].text)):
                cands.append((side, k, text))
    if not cands:
        return
    vecs = encode([text for _, _, text in cands])
    for (side, k, text), v in zip(cands, vecs, strict=True):
        other_w, other_v, other_link = words[1 - side], vectors[1 - side], links[1 - side]
        free = [o for o in range(len(other_w)) if o not in other_link]
        if k in links[side] or not free:
            continue
        mine = set(content_words(text))
        best: tuple[float, float, float, int] | None = None
        for o in free:
            c = max(0.0, float(v @ other_v[o]))
            lx = _dice(mine, other_w[o])
            sc = opts.cosine_weight * c + (1.0 - opts.cosine_weight) * lx
            if best is None or sc > best[0]:
                best = (sc, c, lx, o)
        if best is None or (best[0] < opts.link_threshold and best[1] < opts.strong_cosine):
            continue
        sc, c, lx, o = best
        i, j = (k, o) if side == 0 else (o, k)
        cos[i, j], lex[i, j], score[i, j] = c, lx, sc
        s_link[i] = j
        d_link[j] = i


def _rejoin_halves(
    sw: list[set[str]],
    dw: list[set[str]],
    cos: np.ndarray,
    s_link: dict[int, int],
    d_link: dict[int, int],
    opts: AlignOptions,
) -> list[tuple[int, int, int]]:
    """Put both halves of a split sentence in its link, taking one from a weak partner.

    A long sentence split in two ("The plan, which needs a vote, costs $5m." -> "The plan costs
    $5m." + "It needs a vote.") links one-to-one with one half; the greedy pass may then pair the
    other half with a weak partner of the same topic, whose own content then goes unreported.
    Sentence ``n`` joins the link of its neighbour ``m`` when its partner holds less than
    ``split_partner_cover`` of its content words, the long sentence linked with ``m`` holds most
    of them (``restated_cover``) and is closer to it in meaning than the partner, and ``n`` adds
    to the share of that sentence's words the halves hold (``merge_gain``), as a split does. The
    weak partner is left unlinked. Each side is checked (a merge is a split seen from the copy).

    Returns ``(side, key, n)``: sentence ``n`` of ``side`` (0 source, 1 copy) joins the link of
    source sentence ``key``.
    """
    moved: list[tuple[int, int, int]] = []
    # Each side in turn: its words, the other side's words, its links, the other's, and the cosine
    # of its sentences (rows) against the other side's.
    sides = ((0, sw, dw, s_link, d_link, cos), (1, dw, sw, d_link, s_link, cos.T))
    for side, this_w, other_w, this_link, other_link, c in sides:
        for n, partner in sorted(this_link.items()):
            if other_link.get(partner) != n:
                continue  # already part of a group
            if _coverage(this_w[n], [other_w[partner]]) >= opts.split_partner_cover:
                continue
            for m in (n - 1, n + 1):
                k = this_link.get(m)
                if k is None or k == partner or other_link.get(k) != m:
                    continue
                if _coverage(this_w[n], [other_w[k]]) < opts.restated_cover or c[n, k] <= c[n, partner]:
                    continue
                gain = _coverage(other_w[k], [this_w[m], this_w[n]]) - _coverage(other_w[k], [this_w[m]])
                if gain < opts.merge_gain:
                    continue
                del other_link[partner]
                this_link[n] = k
                moved.append((side, k if side == 1 else m, n))
                break
    return moved


def renumber(alignment: Alignment, src_map: list[int], dst_map: list[int]) -> Alignment:
    """The alignment with sentences renumbered by ``src_map`` / ``dst_map`` (old index -> new, -1
    for a sentence taken out, which must be unaligned)."""
    def side(idxs: tuple[int, ...], m: list[int]) -> tuple[int, ...]:
        return tuple(m[i] for i in idxs if m[i] >= 0)

    links = tuple(
        SentenceLink(side(lk.source, src_map), side(lk.copy, dst_map), lk.kind, lk.score)
        for lk in alignment.links
    )
    if any(not lk.source or not lk.copy for lk in links):
        raise ValueError("a linked sentence cannot be taken out of the alignment")
    return Alignment(
        links, side(alignment.source_unaligned, src_map), side(alignment.copy_unaligned, dst_map),
        side(alignment.source_restated, src_map), side(alignment.copy_restated, dst_map),
    )


def _restated(words: set[str], cos: np.ndarray, other: list[set[str]], opts: AlignOptions) -> bool:
    """True when an unaligned sentence says what the other text says: one of its sentences is
    very close in meaning (``cos`` against each of them), and nearly all its content words occur
    in the two sentences closest to it (words scattered over a long text restate nothing: it holds
    "said", "year" and "city" somewhere), and all its figures in the other text."""
    if not cos.size or float(cos.max()) < opts.restated_cosine:
        return False
    nearest = [other[int(k)] for k in np.argsort(-cos)[:2]]
    if _coverage(words, nearest) < opts.restated_cover:
        return False
    # A figure the other text never states is a change, however close the rest.
    figures = {w for w in words if any(c.isdigit() for c in w)}
    return not figures or _coverage(figures, other) == 1.0


def _merge_by_meaning(
    src: list[Sentence],
    dst: list[Sentence],
    cos: np.ndarray,
    groups: dict[int, tuple[list[int], list[int]]],
    s_link: dict[int, int],
    d_link: dict[int, int],
    encode: Callable[[list[str]], np.ndarray],
    opts: AlignOptions,
) -> None:
    """Join a leftover sentence to the link of its closest sentence on the other side when a
    neighbour of it is in that link and the joined text is closer in meaning to the link's other
    side than the link's own text was: a sentence folded into its neighbour in other words, which
    word overlap does not see ("Many are still to be convinced." + "A survey found..." ->
    "Many remain unconvinced, a survey finding...")."""
    # Each side in turn: its leftover sentences, its links, the other side's links, and the cosine
    # of its sentences (rows) against the other side's; groups hold (source list, copy list).
    sides = ((0, src, dst, s_link, d_link, cos), (1, dst, src, d_link, s_link, cos.T))
    cands: list[tuple[int, int, int]] = []  # (side, sentence, group key)
    for side, this, _, this_link, other_link, c in sides:
        for k in range(len(this)):
            o = int(np.argmax(c[k]))
            if k in this_link or c[k, o] < opts.meaning_cosine or o not in other_link:
                continue
            key = _group_of(groups, src_index=other_link[o] if side == 0 else o)
            if any(abs(k - x) == 1 for x in groups[key][side]):
                cands.append((side, k, key))
    if not cands:
        return
    texts: list[str] = []
    for side, k, key in cands:
        _, this, other, *_ = sides[side]
        mine, theirs = groups[key][side], groups[key][1 - side]
        texts += [
            " ".join(this[x].text for x in sorted(mine)),
            " ".join(this[x].text for x in sorted([*mine, k])),
            " ".join(other[x].text for x in sorted(theirs)),
        ]
    vecs = encode(texts)
    for n, (side, k, key) in enumerate(cands):
        before, after, other_v = vecs[3 * n], vecs[3 * n + 1], vecs[3 * n + 2]
        if float(after @ other_v - before @ other_v) < opts.meaning_gain:
            continue
        groups[key][side].append(k)
        sides[side][3][k] = groups[key][1 - side][0]


_PIECE_BREAK = re.compile(r"\s*(?:[,;:](?!\d)|\s[-–—]\s)\s*")


def _pieces(text: str) -> list[str]:
    """The comma-, semicolon- and dash-separated pieces of a sentence (its clauses, roughly)."""
    parts = [p.strip() for p in _PIECE_BREAK.split(text)]
    return [p for p in parts if p] if len(parts) > 1 else []


def _fold_by_meaning(
    src: list[Sentence],
    dst: list[Sentence],
    sw: list[set[str]],
    dw: list[set[str]],
    groups: dict[int, tuple[list[int], list[int]]],
    s_link: dict[int, int],
    d_link: dict[int, int],
    encode: Callable[[list[str]], np.ndarray],
    opts: AlignOptions,
) -> None:
    """Join a leftover sentence to a neighbour's link when it says what a clause of the link's
    other side says and the link's own side does not: a short sentence folded into its
    neighbour as a clause ("They refuse." -> "..., but they declined"), whose cosine with the
    whole joined sentence is low."""
    sides = ((0, src, dst, s_link, sw, dw), (1, dst, src, d_link, dw, sw))
    cands: list[tuple[int, int, int, str]] = []  # (side, leftover sentence, group key, piece)
    for side, this, other, this_link, this_w, _ in sides:
        for k in range(1 if has_headline(this) else 0, len(this)):  # a headline is no clause
            if k in this_link:
                continue
            for n in (k - 1, k + 1):
                if n not in this_link:
                    continue
                key = _group_of(groups, src_index=n if side == 0 else this_link[n])
                mine, theirs = groups[key][side], groups[key][1 - side]
                own: set[str] = set().union(*(this_w[x] for x in mine))
                for x in theirs:
                    for piece in _pieces(other[x].text):
                        words = set(content_words(piece))
                        if words and _coverage(words, [own]) < opts.fold_cover:
                            cands.append((side, k, key, piece))
    if not cands:
        return
    leftovers = sorted({(side, k) for side, k, _, _ in cands})
    texts = [sides[side][1][k].text for side, k in leftovers] + [c[3] for c in cands]
    vecs = encode(texts)
    row = {sk: vecs[n] for n, sk in enumerate(leftovers)}
    best: dict[tuple[int, int], tuple[float, int]] = {}
    for n, (side, k, key, _) in enumerate(cands):
        c = float(row[side, k] @ vecs[len(leftovers) + n])
        if c >= opts.fold_cosine and c > best.get((side, k), (0.0, -1))[0]:
            best[side, k] = (c, key)
    for (side, k), (_, key) in best.items():
        groups[key][side].append(k)
        sides[side][3][k] = groups[key][1 - side][0]


def _group_of(groups: dict[int, tuple[list[int], list[int]]], *, src_index: int) -> int:
    for key, (s_idx, _) in groups.items():
        if src_index in s_idx:
            return key
    raise KeyError(src_index)


def squash(text: str) -> str:
    """Lower-cased text with typographic quotes and white space folded (the test of a verbatim link)."""
    return " ".join(text.replace("’", "'").replace("“", '"').replace("”", '"').split()).lower()


def _kind(a: str, b: str, lexical: float) -> LinkKind:
    if squash(a) == squash(b):
        return LinkKind.VERBATIM
    if lexical >= 0.6:
        return LinkKind.EDITED
    return LinkKind.PARAPHRASED


def align(
    src: list[Sentence], dst: list[Sentence], embedder: Embedder, opts: AlignOptions | None = None
) -> Alignment:
    """Align the sentences of a source and a copy.

    Args:
        src: sentences of the source.
        dst: sentences of the copy.
        embedder: turns sentences into unit vectors.
        opts: thresholds (defaults tuned on development pairs).
    """
    vecs = embedder.encode([s.text for s in src] + [s.text for s in dst])
    return align_embeddings(src, dst, vecs[: len(src)], vecs[len(src) :], opts, encode=embedder.encode)
