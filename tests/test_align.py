from __future__ import annotations

import numpy as np

from retold.align import align, align_embeddings
from retold.embed import HashingEmbedder
from retold.segment import split_sentences
from retold.types import Alignment, LinkKind, Sentence


def test_identical_sentences_align_one_to_one_verbatim() -> None:
    text = "The port reopened on Monday. Forty ships were waiting. The mayor welcomed the news."
    s = split_sentences(text)
    a = align(s, s, HashingEmbedder())
    assert [(lk.source, lk.copy) for lk in a.links] == [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]
    assert all(lk.kind is LinkKind.VERBATIM for lk in a.links)


def test_merge_and_new_sentence() -> None:
    src = split_sentences("The port reopened on Monday. Forty cargo ships were waiting outside.")
    dst = split_sentences(
        "The port reopened on Monday, when forty cargo ships were waiting outside. Bananas are yellow fruit."
    )
    a = align(src, dst, HashingEmbedder())
    assert [(lk.source, lk.copy) for lk in a.links] == [((0, 1), (0,))]
    assert a.copy_unaligned == (1,)


def _port_copy() -> tuple[list[Sentence], np.ndarray]:
    """A two-sentence copy about the port and its vectors (the first two unit axes)."""
    e = np.eye(4, dtype=np.float32)
    return (
        split_sentences("The port reopened on Monday. Forty cargo ships were waiting outside the harbour."),
        np.stack([e[0], e[1]]),
    )


def test_restated_sentence_is_marked() -> None:
    src = split_sentences(
        "The port reopened on Monday. Forty cargo ships waited outside. The port has reopened."
    )
    dst, d_vecs = _port_copy()
    e = np.eye(4, dtype=np.float32)
    s_vecs = np.stack([e[0], e[1], 0.8 * e[0] + 0.6 * e[2]])
    a = align_embeddings(src, dst, s_vecs, d_vecs)
    # The third sentence says again what the copy's first says: unaligned, but restated.
    assert a.source_unaligned == (2,)
    assert a.source_restated == (2,)
    # Far in meaning from everything in the copy: not restated.
    s_vecs[2] = e[3]
    a = align_embeddings(src, dst, s_vecs, d_vecs)
    assert a.source_unaligned == (2,) and a.source_restated == ()


def test_neighbour_folded_in_other_words_joins_the_link() -> None:
    src = split_sentences("The port reopened on Monday. Merchants stay sceptical.")
    dst = split_sentences("The port reopened on Monday, though many traders are still unconvinced.")
    e = np.eye(2, dtype=np.float32)
    s_vecs = np.stack([e[0], e[1]])
    d_vecs = np.stack([0.8 * e[0] + 0.6 * e[1]])
    joined = {
        src[0].text: e[0],
        src[0].text + " " + src[1].text: (e[0] + e[1]) / np.sqrt(2),
        dst[0].text: d_vecs[0],
    }

    def encode(texts: list[str]) -> np.ndarray:
        return np.stack([joined[t] for t in texts])

    # No word in common: the word-overlap merge leaves the second sentence out ...
    assert align_embeddings(src, dst, s_vecs, d_vecs).source_unaligned == (1,)
    # ... but joined to its neighbour it is closer in meaning to the copy sentence.
    a = align_embeddings(src, dst, s_vecs, d_vecs, encode=encode)
    assert [(lk.source, lk.copy) for lk in a.links] == [((0, 1), (0,))]
    assert a.source_unaligned == ()


def _folding(src_text: str, dst_text: str, piece_vec: np.ndarray) -> Alignment:
    """Align two source sentences with one copy sentence: the second source sentence on its own
    axis, and an encoder giving each clause of the copy sentence ``piece_vec`` except its first."""
    src, dst = split_sentences(src_text), split_sentences(dst_text)
    e = np.eye(3, dtype=np.float32)

    def encode(texts: list[str]) -> np.ndarray:
        known = {src[0].text: e[0], src[1].text: e[1], dst[0].text: e[0]}
        return np.stack([known.get(t, piece_vec) for t in texts])

    return align_embeddings(src, dst, np.stack([e[0], e[1]]), np.stack([e[0]]), encode=encode)


# A clause vector at cosine 0.7 with the leftover sentence's axis (the second of three), and one far.
_CLOSE_CLAUSE = np.array([0.0, 0.7, np.sqrt(0.51)], dtype=np.float32)
_FAR_CLAUSE = np.array([0.0, 0.0, 1.0], dtype=np.float32)
_LEASE = "The council offered the owners a new lease. They refused."
_LEASE_DECLINED = "The council offered the owners a new lease, but they declined."


def test_short_sentence_folded_into_a_clause_joins_the_link() -> None:
    # The copy's clause "but they declined" says what "They refused." says: one link.
    a = _folding(_LEASE, _LEASE_DECLINED, _CLOSE_CLAUSE)
    assert [(lk.source, lk.copy) for lk in a.links] == [((0, 1), (0,))]
    # A clause far in meaning leaves the sentence out (an omission to report).
    a = _folding(_LEASE, _LEASE_DECLINED, _FAR_CLAUSE)
    assert a.source_unaligned == (1,)


def test_clause_the_link_already_says_takes_no_fold() -> None:
    # The clause "a new lease for ten years" is the link's own source words, not the leftover's.
    a = _folding(
        "The council offered the owners a new lease for ten years. They refused.",
        "The council offered the owners, a new lease for ten years.",
        _CLOSE_CLAUSE,
    )
    assert a.source_unaligned == (1,)


def test_words_scattered_over_the_copy_do_not_restate_a_sentence() -> None:
    dst = split_sentences(
        "The port reopened on Monday. Forty cargo ships were waiting outside the harbour. "
        "The mayor praised the dock workers."
    )
    src = split_sentences(
        "The port reopened on Monday. Forty cargo ships were waiting outside the harbour. "
        "The mayor praised the dock workers. Cargo ships reopened the port on Monday."
    )
    e = np.eye(5, dtype=np.float32)
    d_vecs = np.stack([e[0], e[1], e[2]])
    # The last sentence is close in meaning to the mayor's (0.75), and every word of it is somewhere
    # in the copy, but not in the copy's sentences nearest to it: it is left out, not restated.
    s_vecs = np.stack([e[0], e[1], e[2], 0.75 * e[2] + np.sqrt(1 - 0.75**2) * e[3]])
    a = align_embeddings(src, dst, s_vecs, d_vecs)
    assert a.source_unaligned == (3,) and a.source_restated == ()


def test_sentence_with_a_figure_the_copy_lacks_is_not_restated() -> None:
    src = split_sentences(
        "The port reopened on Monday. Forty cargo ships waited outside. "
        "Forty cargo ships waited outside the port on Monday for 12 hours."
    )
    dst, d_vecs = _port_copy()
    e = np.eye(4, dtype=np.float32)
    s_vecs = np.stack([e[0], e[1], 0.8 * e[1] + 0.6 * e[2]])
    a = align_embeddings(src, dst, s_vecs, d_vecs)
    assert a.source_unaligned == (2,) and a.source_restated == ()
    # The same sentence without the figure the copy lacks is restated.
    src = split_sentences(
        "The port reopened on Monday. Forty cargo ships waited outside. "
        "Forty cargo ships waited outside the port on Monday for hours."
    )
    assert align_embeddings(src, dst, s_vecs, d_vecs).source_restated == (2,)


# A source whose long third sentence the copy splits in two, and whose second sentence (same
# topic, little else in common) the copy leaves out.
_TABLET = (
    "The firm unveiled a cheap tablet for schools. Teachers could use the tablet as a workbook. "
    "She described the tablet as a basic computer, which would run free software, and said the screen "
    "must cost under $20."
)
_TABLET_SPLIT = (
    "The firm showed off a low-cost tablet for schools. She described the tablet as a basic computer. "
    "The screen must cost under $20, she said."
)


def _tablet_vectors() -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors for the three sentences of each text: the copy's first half is nearer the
    long sentence (0.84) than the left-out one (0.55), which is near enough to link with it."""
    e = np.eye(5, dtype=np.float32)
    long_one = 0.6 * e[2] + 0.8 * e[3]
    first_half = 0.55 * e[1] + 0.835 * long_one
    second_half = 0.95 * long_one + np.sqrt(1 - 0.95**2) * e[4]
    return (
        np.stack([e[0], e[1], long_one]),
        np.stack([e[0], first_half / np.linalg.norm(first_half), second_half]),
    )


def test_both_halves_of_a_split_sentence_join_its_link() -> None:
    src, dst = split_sentences(_TABLET), split_sentences(_TABLET_SPLIT)
    s_vecs, d_vecs = _tablet_vectors()
    a = align_embeddings(src, dst, s_vecs, d_vecs)
    assert [(lk.source, lk.copy) for lk in a.links] == [((0,), (0,)), ((2,), (1, 2))]
    # The left-out sentence is not paired with the first half: an omission to report.
    assert a.source_unaligned == (1,) and a.source_restated == ()
    # The same the other way round: two source sentences merged into one copy sentence.
    b = align_embeddings(dst, src, d_vecs, s_vecs)
    assert [(lk.source, lk.copy) for lk in b.links] == [((0,), (0,)), ((1, 2), (2,))]
    assert b.copy_unaligned == (1,)


def test_headline_links_to_headline_and_lead_to_lead() -> None:
    src = split_sentences(
        "Council backs bridge plan\n\nThe council approved a new bridge across the harbour on Tuesday, "
        "the mayor said.\n\nWork starts in spring."
    )
    dst = split_sentences(
        "Mayor says council approved harbour bridge on Tuesday\n\nCouncillors gave the green light to a "
        "planned crossing of the port this week, according to the city's leader.\n\nWork starts in spring."
    )
    e = np.eye(4, dtype=np.float32)
    # Each headline sums up the other text's lead more closely than the two leads match each other.
    s_vecs = np.stack([0.6 * e[0] + 0.8 * e[1], 0.9 * e[0] + 0.436 * e[1], e[3]])
    d_vecs = np.stack([e[0], 0.75 * e[0] + 0.661 * e[1], e[3]])
    a = align_embeddings(src, dst, s_vecs, d_vecs)
    assert [(lk.source, lk.copy) for lk in a.links] == [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]
    # Without a headline on one side, its first line may link to the other's lead.
    a = align_embeddings(src[1:], dst, s_vecs[1:], d_vecs)
    assert ((0,), (0,)) in [(lk.source, lk.copy) for lk in a.links]
