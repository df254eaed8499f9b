"""The fast paths of compare() give exactly what the plain ones give.

Batching, deduplication and parallel batches in the encoder, lazily extended
key sets in the explainer, and skipping or prefetching the parse are timing
choices only; these tests pin that they change no number and no result.
"""

from __future__ import annotations

import numpy as np
import pytest

from retold.embed import RUN_COST_TOKENS, OnnxMiniLM, similarities
from retold.explain import _Keys, explain, needs_parse
from retold.pipeline import compare
from retold.segment import split_sentences
from retold.types import Alignment, LinkKind, Relation, SentenceLink

TEXTS = [
    "The storm closed the eastern breakwater for three days.",
    "shut",
    "Harbour master Ellen Varga said 40 ships were waiting outside the port on Monday, "
    "and that the backlog would take a week to clear.",
    "elections",
    "The storm closed the eastern breakwater for three days.",  # a repeat
    "polls",
    "A",
]


@pytest.fixture(scope="module")
def model() -> OnnxMiniLM:
    try:
        return OnnxMiniLM(workers=2, batch_tokens=64)  # small batches: several per call
    except Exception as exc:  # pragma: no cover - depends on the install
        pytest.skip(f"sentence model unavailable: {exc}")


def test_a_vector_does_not_depend_on_its_batch(model: OnnxMiniLM) -> None:
    model._cache.clear()
    together = model.encode(TEXTS)
    for i, text in enumerate(TEXTS):
        model._cache.clear()
        alone = model.encode([text])[0]
        assert np.array_equal(alone, together[i]), text
    assert np.array_equal(together[0], together[4])
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, rtol=1e-5)


def test_cache_and_empty_input(model: OnnxMiniLM) -> None:
    model._cache.clear()
    first = model.encode(TEXTS)
    assert set(model._cache) == set(TEXTS)
    assert np.array_equal(model.encode(TEXTS[::-1]), first[::-1])
    assert model.encode([]).shape == (0, model.dim)


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_batches_cover_every_text_once(model: OnnxMiniLM, workers: int) -> None:
    lens = [3, 40, 7, 7, 120, 3, 3, 25, 60, 9, 11, 4] * 5
    model.workers = workers
    try:
        batches = model._batches(lens)
    finally:
        model.workers = 2
    assert sorted(i for b in batches for i in b) == list(range(len(lens)))
    assert all(len(b) <= model.batch_size for b in batches)
    cap = max(model.batch_tokens, max(lens))
    assert all(len(b) * max(lens[i] for i in b) <= cap for b in batches)


def test_batches_are_the_cheapest_cut(model: OnnxMiniLM) -> None:
    """The batches minimise padded tokens plus a fixed cost per batch: checked against every cut."""
    from itertools import combinations, pairwise

    lens = [3, 40, 7, 7, 120, 3, 25, 60, 9, 11, 4, 33]
    desc = sorted(lens, reverse=True)
    cap = max(model.batch_tokens, desc[0])

    def cost(cuts: tuple[int, ...]) -> float:
        bounds = [0, *cuts, len(desc)]
        groups = [desc[a:b] for a, b in pairwise(bounds)]
        if any(len(g) * g[0] > cap or len(g) > model.batch_size for g in groups):
            return float("inf")
        return sum(RUN_COST_TOKENS + len(g) * g[0] for g in groups)

    best = min(cost(c) for k in range(len(desc)) for c in combinations(range(1, len(desc)), k))
    got = model._batches(lens)
    assert sum(RUN_COST_TOKENS + len(b) * max(lens[i] for i in b) for b in got) == best
    sizes = [len(b) * max(lens[i] for i in b) for b in got]
    assert sizes == sorted(sizes, reverse=True)  # the largest first, for the workers


@pytest.mark.parametrize(("m", "n"), [(1, 5), (2, 313), (3, 313), (40, 313), (173, 313), (33, 33), (90, 70)])
def test_similarities_are_the_row_products(m: int, n: int) -> None:
    rng = np.random.default_rng(m * 1000 + n)
    a = rng.standard_normal((m, 384), dtype=np.float32)
    b = rng.standard_normal((n, 384), dtype=np.float32)
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    got = similarities(a, b)
    assert got.shape == (m, n) and got.dtype == np.float32
    np.testing.assert_allclose(got, a @ b.T, rtol=0, atol=1e-6)
    assert np.array_equal(similarities(a, b), got)


def test_grader_learns_the_same_from_given_vectors(model: OnnxMiniLM) -> None:
    from retold.tone import Grader

    words = ["soaring", "tiny", "harbour", "tiny", "colossal", "quickly"]
    plain, given = Grader(model.encode), Grader(model.encode)
    plain.learn(words)
    todo = given.unknown(words)
    assert todo == [w for w in dict.fromkeys(words) if w in plain._guess]
    given.learn(words, model.encode(todo))
    assert given._guess == plain._guess


def test_lazy_keys_answer_as_the_extended_set() -> None:
    calls = []
    a = _Keys({"port", "ship"}, frozenset({"vessel"}))
    b = _Keys({"harbour"}, frozenset({"port"}))

    def extend() -> None:
        calls.append(1)
        a.extend = b.extend = None
        a.add("vessel")

    a.extend = b.extend = extend
    assert "port" in a and "storm" not in a and "harbour" not in a
    assert not calls  # no query so far could be changed by the extension
    assert "vessel" in a
    assert calls == [1]
    assert "vessel" in a and "port" not in b and calls == [1]


def test_no_parse_when_no_link_is_examined() -> None:
    from retold.clean import clean

    src = clean("Ships waited outside.\n\nThe port reopened on Monday.")
    links = tuple(SentenceLink((i,), (i,), LinkKind.VERBATIM, 1.0) for i in range(len(src.sentences)))
    alignment = Alignment(links, (), ())
    assert not needs_parse(src, alignment, Relation.REPUBLISH)

    def no_parse() -> tuple:  # type: ignore[type-arg]
        raise AssertionError("parsed although no link is examined")

    encode = lambda t: np.zeros((len(t), 4))  # noqa: E731
    assert explain(src, src, alignment, Relation.REPUBLISH, encode, parsed=no_parse) == []
    edited = Alignment((SentenceLink((0,), (0,), LinkKind.EDITED, 0.9),), (), ())
    assert needs_parse(src, edited, Relation.LIGHT_EDIT)


def test_parse_ahead_changes_nothing(embedder, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    src = (
        "Harbour master Ellen Varga said 40 ships were waiting outside the port on Monday.\n"
        "The storm closed the eastern breakwater for three days. Officials may reopen it soon."
    )
    cpy = (
        "Officials said 25 ships were waiting outside the port on Monday.\n"
        "The storm shut the eastern breakwater for three days. Officials will reopen it soon."
    )
    monkeypatch.setenv("RETOLD_PARSE_AHEAD", "1")
    ahead = compare(src, cpy, embedder=embedder).to_dict()
    monkeypatch.setenv("RETOLD_PARSE_AHEAD", "0")
    assert compare(src, cpy, embedder=embedder).to_dict() == ahead
    assert split_sentences(src)  # the texts have content
