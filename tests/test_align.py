from __future__ import annotations

from retold.align import align
from retold.embed import HashingEmbedder
from retold.segment import split_sentences
from retold.types import LinkKind


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
