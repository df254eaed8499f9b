"""retold.fingerprint: tokenising, shingle sets, exact Jaccard, OPH MinHash, banding and candidates."""

from __future__ import annotations

import random

import numba
import numpy as np
import numpy.typing as npt
import pytest

from retold import fingerprint as fp

M64 = (1 << 64) - 1


@pytest.fixture(scope="module", autouse=True)
def _compiled() -> None:
    fp.warm_up()


def _vocab(rng: random.Random, size: int = 3000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(size)]


def _text(rng: random.Random, vocab: list[str], n: int) -> list[str]:
    return [rng.choice(vocab) for _ in range(n)]


def _edit(rng: random.Random, ws: list[str], rate: float) -> list[str]:
    return [f"x{rng.randrange(10**9)}" if rng.random() < rate else w for w in ws]


def _py_shingles(text: str, k: int = 5) -> set[str]:
    ws = fp.words(text)
    if not ws:
        return set()
    if len(ws) < k:
        return {" ".join(ws)}
    return {" ".join(ws[i : i + k]) for i in range(len(ws) - k + 1)}


def _py_jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def _estimate(sigs: npt.NDArray[np.uint32], i: int, j: int) -> float:
    return float(np.mean(sigs[i] == sigs[j]))


# --- tokenising ------------------------------------------------------------------------------------


def test_case_and_punctuation_are_ignored() -> None:
    a = fp.shingle_set("Hello, World! This is -- a TEST.", k=2)
    b = fp.shingle_set("hello world this is a test", k=2)
    assert np.array_equal(a, b)
    assert len(fp.shingle_set("Hello, World! This is -- a TEST.", k=1)) == 6


def test_unicode_punctuation_separates_and_non_ascii_letters_stay_in_words() -> None:
    plain = fp.shingle_set("don't \"stop\" - now", k=1)
    assert np.array_equal(fp.shingle_set("don’t “stop” — now…", k=1), plain)
    assert np.array_equal(fp.shingle_set("\ufeffa\u00a0b £5 €6", k=1), fp.shingle_set("a b 5 6", k=1))
    assert len(fp.shingle_set("café naïve Zürich Москва 東京", k=1)) == 5
    assert not np.array_equal(fp.shingle_set("café", k=1), fp.shingle_set("caf", k=1))
    assert np.array_equal(fp.shingle_set("ÉLYSÉE Ökonomie", k=1), fp.shingle_set("élysée ökonomie", k=1))
    assert fp.words("x×y Ünïcode, DON’T") == ["x×y", "ünïcode", "don", "t"]


def test_kernel_tokeniser_matches_the_reference_pattern() -> None:
    rng = random.Random(1)
    alphabet = "aZ09 ,.-'\n\téÉ×ü€£\u00a0\u2019\u201c\ufeffЖж東😀\u2028\x00"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        for k in (1, 3):
            ref = " ".join(fp.words(text))
            assert np.array_equal(fp.shingle_set(text, k), fp.shingle_set(ref, k)), repr(text)
        assert len(fp.shingle_set(text, 1)) == len(set(fp.words(text))), repr(text)


def test_position_in_batch_and_surroundings_do_not_matter() -> None:
    a, b = "Some text about the harbour, and more words here.", "Completely other words in this one"
    sigs = fp.signatures([a, b, a, "", b, "  ..." + a + "!!  "], num_perm=64)
    assert np.array_equal(sigs[0], sigs[2]) and np.array_equal(sigs[0], sigs[5])
    assert np.array_equal(sigs[1], sigs[4])
    assert np.array_equal(fp.signatures([a], num_perm=64)[0], sigs[0])


# --- shingle sets and exact similarity -------------------------------------------------------------


def test_shingle_sets_identical_and_unrelated() -> None:
    rng = random.Random(2)
    vocab = _vocab(rng)
    a, b = " ".join(_text(rng, vocab, 300)), " ".join(_text(rng, vocab, 300))
    sa, sb = fp.shingle_set(a), fp.shingle_set(b)
    assert sa.dtype == np.uint64 and np.all(np.diff(sa.astype(np.float64)) >= 0)
    assert len(np.unique(sa)) == len(sa) == len(_py_shingles(a))
    assert np.array_equal(sa, fp.shingle_set(str(a)))
    assert len(np.intersect1d(sa, sb)) == 0
    assert fp.jaccard(sa, sa) == 1.0 and fp.jaccard(sa, sb) == 0.0


def test_short_and_empty_documents() -> None:
    assert fp.shingle_set("").size == 0 and fp.shingle_set(" ,;! — ").size == 0
    assert len(fp.shingle_set("one two three")) == 1  # fewer than k words: one shingle of all
    assert not np.array_equal(fp.shingle_set("one two three"), fp.shingle_set("one two"))
    assert len(fp.shingle_set("a b c d e")) == 1 and len(fp.shingle_set("a b c d e f")) == 2
    assert fp.jaccard(fp.shingle_set(""), fp.shingle_set("")) == 0.0
    assert fp.containment(fp.shingle_set(""), fp.shingle_set("a b")) == 0.0
    with pytest.raises(ValueError):
        fp.shingle_set("a b", k=0)


def test_jaccard_and_containment_match_python_sets() -> None:
    rng = random.Random(3)
    vocab = _vocab(rng, 40)  # small vocabulary: many shared shingles
    for _ in range(100):
        k = rng.choice([1, 2, 3, 5])
        a = " ".join(_text(rng, vocab, rng.randint(0, 80)))
        b = " ".join(_text(rng, vocab, rng.randint(0, 80)))
        pa, pb = _py_shingles(a, k), _py_shingles(b, k)
        sa, sb = fp.shingle_set(a, k), fp.shingle_set(b, k)
        assert (len(sa), len(sb)) == (len(pa), len(pb))
        assert fp.jaccard(sa, sb) == pytest.approx(_py_jaccard(pa, pb), abs=1e-12)
        want = len(pa & pb) / len(pa) if pa else 0.0
        assert fp.containment(sa, sb) == pytest.approx(want, abs=1e-12)


def test_jaccard_on_arbitrary_sorted_arrays() -> None:
    rng = np.random.default_rng(4)
    for _ in range(50):
        a = np.unique(rng.integers(0, 200, rng.integers(0, 100)).astype(np.uint64))
        b = np.unique(rng.integers(0, 200, rng.integers(0, 100)).astype(np.uint64))
        sa, sb = set(a.tolist()), set(b.tolist())
        assert fp.jaccard(a, b) == pytest.approx(len(sa & sb) / len(sa | sb) if sa | sb else 0.0)
        assert fp.containment(a, b) == pytest.approx(len(sa & sb) / len(sa) if sa else 0.0)


# --- signatures ------------------------------------------------------------------------------------


def _fmix(h: int) -> int:
    h ^= h >> 33
    h = h * int(fp._FMIX_C1) & M64
    h ^= h >> 33
    h = h * int(fp._FMIX_C2) & M64
    return h ^ (h >> 33)


def _reference_signature(hashes: npt.NDArray[np.uint64], num_perm: int) -> list[int]:
    """One-permutation hashing + optimal densification, written out in Python (seed 0)."""
    bins: list[int | None] = [None] * num_perm
    for x in map(int, hashes):
        b, v = ((x >> 32) * num_perm) >> 32, x & 0xFFFFFFFF
        prev = bins[b]
        bins[b] = v if prev is None else min(prev, v)
    if all(v is None for v in bins):
        return [0xFFFFFFFF] * num_perm
    out = []
    for b in range(num_perm):
        attempt = 1
        while (v := bins[b]) is None:
            x = _fmix(int(fp._DENSE_SALT) ^ (b << 32) ^ attempt)
            j = ((x >> 32) * num_perm) >> 32
            v = bins[j]
            if v is not None:
                break
            attempt += 1
        out.append(v)
    return out


def test_signatures_match_the_written_out_algorithm() -> None:
    rng = random.Random(5)
    vocab = _vocab(rng)
    texts = [" ".join(_text(rng, vocab, n)) for n in (0, 1, 3, 5, 6, 20, 60, 200, 700)]
    for num_perm in (16, 128):
        sigs = fp.signatures(texts, num_perm=num_perm)
        assert sigs.shape == (len(texts), num_perm) and sigs.dtype == np.uint32
        for t, sig in zip(texts, sigs, strict=True):
            assert sig.tolist() == _reference_signature(fp.shingle_set(t), num_perm)


def test_densification_on_very_short_documents() -> None:
    texts = ["one", "one two", "one two three four five six", "another tiny one", "one"]
    sigs = fp.signatures(texts, num_perm=128)
    assert np.array_equal(sigs[0], sigs[4])
    assert len(set(sigs[0].tolist())) == 1  # one shingle: every bin borrows its value
    assert len(set(sigs[2].tolist())) == 2
    assert not np.array_equal(sigs[0], sigs[1]) and not np.array_equal(sigs[1], sigs[3])
    assert np.all(sigs[:4] != 0xFFFFFFFF)
    assert np.all(fp.signatures([""], num_perm=8) == 0xFFFFFFFF)
    assert fp.signatures([], num_perm=8).shape == (0, 8)


def test_seed_threads_and_chunking() -> None:
    rng = random.Random(6)
    vocab = _vocab(rng)
    texts = [" ".join(_text(rng, vocab, rng.randint(0, 120))) for _ in range(300)]
    base = fp.signatures(texts, num_perm=32)
    assert np.array_equal(base, fp.signatures(texts, num_perm=32, threads=2))
    assert np.array_equal(base, fp.signatures(texts, num_perm=32, threads=0))
    assert np.array_equal(base[100:], fp.signatures(texts[100:], num_perm=32))
    other = fp.signatures(texts, num_perm=32, seed=12345)
    assert np.mean(base == other) < 0.05
    with pytest.raises(ValueError):
        fp.signatures(texts, num_perm=0)
    with pytest.raises(ValueError):
        fp.signatures(texts, threads=-1)


def _pairs(rng: random.Random, n: int, lengths: tuple[int, int]) -> list[tuple[str, str]]:
    vocab = _vocab(rng)
    out = []
    for _ in range(n):
        ws = _text(rng, vocab, rng.randint(*lengths))
        cp = _edit(rng, ws, rng.choice([0.0, 0.01, 0.03, 0.06, 0.1, 0.2, 0.4]))
        if rng.random() < 0.5:
            cp = cp[: len(cp) * 3 // 4] + _text(rng, vocab, len(cp) // 4)
        out.append((" ".join(ws), " ".join(cp)))
    return out


@pytest.mark.parametrize(
    ("lengths", "max_mae", "max_bias"),
    [((150, 700), 0.035, 0.01), ((6, 60), 0.04, 0.012)],  # measured: MAE ≈ 0.023 / 0.025, |bias| < 0.004
)
def test_estimator_is_unbiased_and_accurate(
    lengths: tuple[int, int], max_mae: float, max_bias: float
) -> None:
    rng = random.Random(7)
    pairs = _pairs(rng, 600, lengths)
    sigs = fp.signatures([t for p in pairs for t in p], num_perm=128)
    exact = np.array([fp.jaccard(fp.shingle_set(a), fp.shingle_set(b)) for a, b in pairs])
    est = np.array([_estimate(sigs, 2 * i, 2 * i + 1) for i in range(len(pairs))])
    assert exact.min() < 0.2 and exact.max() > 0.8  # the pairs cover the range
    err = est - exact
    assert np.mean(np.abs(err)) < max_mae
    assert abs(np.mean(err)) < max_bias


# --- banding and candidates ------------------------------------------------------------------------


def test_choose_banding() -> None:
    for num_perm in (16, 64, 128, 256):
        for t in (0.3, 0.5, 0.7, 0.8, 0.9):
            b, r = fp.choose_banding(t, num_perm)
            assert b >= 1 and r >= 1 and b * r <= num_perm
            assert float(fp.scurve(t, b, r)) >= 0.7  # recall-leaning
            b2, r2 = fp.choose_banding(t, num_perm, fn_weight=0.1, fp_weight=0.9)
            assert float(fp.scurve(t, b2, r2)) < float(fp.scurve(t, b, r))
    with pytest.raises(ValueError):
        fp.choose_banding(1.0, 128)


def test_band_keys() -> None:
    rng = np.random.default_rng(8)
    sigs = rng.integers(0, 2**32, (5, 128), dtype=np.uint64).astype(np.uint32)
    sigs[3] = sigs[1]
    sigs[4] = sigs[1]
    sigs[4, 20] ^= 1  # band 2 of 8 rows
    keys = fp.band_keys(sigs, 16, 8)
    assert keys.shape == (5, 16) and keys.dtype == np.uint64
    assert np.array_equal(keys[1], keys[3])
    assert [int(x) for x in np.flatnonzero(keys[1] != keys[4])] == [2]
    assert len(np.unique(keys[0])) == 16
    same = np.tile(sigs[0, :8], 16)[None, :]
    assert len(np.unique(fp.band_keys(same, 16, 8))) == 16  # the band index is part of the key
    with pytest.raises(ValueError):
        fp.band_keys(sigs, 16, 9)


def test_candidate_pairs_find_planted_near_duplicates() -> None:
    rng = random.Random(9)
    vocab = _vocab(rng, 20000)
    texts = [" ".join(_text(rng, vocab, rng.randint(200, 500))) for _ in range(400)]
    planted = set()
    for i in range(0, 400, 20):
        j = len(texts)
        texts.append(" ".join(_edit(rng, texts[i].split(), 0.02)))  # Jaccard ≈ 0.8
        planted.add((i, j))
    order = list(range(len(texts)))
    rng.shuffle(order)
    shuffled = [texts[o] for o in order]
    back = {o: n for n, o in enumerate(order)}
    planted = {tuple(sorted((back[i], back[j]))) for i, j in planted}

    b, r = fp.choose_banding(0.5, 128)
    pairs = fp.candidate_pairs(fp.band_keys(fp.signatures(shuffled), b, r))
    assert pairs.dtype == np.int64 and pairs.shape[1] == 2
    assert np.all(pairs[:, 0] < pairs[:, 1])
    assert len(np.unique(pairs, axis=0)) == len(pairs)
    found = {(int(i), int(j)) for i, j in pairs}
    assert planted <= found
    assert len(found - planted) < 20  # random documents rarely collide


def test_candidate_pairs_large_bucket_is_a_star() -> None:
    keys = np.array([[7, 1], [7, 2], [9, 3], [7, 4], [7, 5], [7, 2], [8, 6]], dtype=np.uint64)
    pairs = fp.candidate_pairs(keys, max_bucket=3)
    # bucket 7 = rows 0,1,3,4,5 (> 3) → star on row 0; band 2 adds (1, 5)
    assert pairs.tolist() == [[0, 1], [0, 3], [0, 4], [0, 5], [1, 5]]
    full = fp.candidate_pairs(keys)
    assert len(full) == 10
    assert fp.candidate_pairs(np.arange(6, dtype=np.uint64).reshape(3, 2)).shape == (0, 2)
    assert fp.candidate_pairs(np.zeros((0, 4), dtype=np.uint64)).shape == (0, 2)


def test_jit_falls_back_without_a_cache_location(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.delenv("NUMBA_CACHE_LOCATOR_CLASSES", raising=False)
    monkeypatch.setattr(numba.core.caching.CacheImpl, "_locator_classes", [])

    def twice(x: int) -> int:
        return 2 * x

    assert fp._jit(twice)(21) == 42


def test_set_band_keys_collide_as_often_as_the_sets_overlap() -> None:
    """LSH of key sets: equal sets share every band, disjoint sets none, and a band of one MinHash
    value is shared with probability equal to the Jaccard similarity."""
    from retold.fingerprint import set_band_keys

    rng = np.random.default_rng(5)
    common = rng.integers(0, 2**63, 30, dtype=np.uint64)
    a = np.unique(np.concatenate([common, rng.integers(0, 2**63, 10, dtype=np.uint64)]))
    b = np.unique(np.concatenate([common, rng.integers(0, 2**63, 10, dtype=np.uint64)]))
    c = np.unique(rng.integers(0, 2**63, 40, dtype=np.uint64))
    sets = [a, a.copy(), b, c]
    offsets = np.concatenate([[0], np.cumsum([len(x) for x in sets])]).astype(np.int64)
    keys = np.concatenate(sets)
    one = set_band_keys(offsets, keys, 2000, 1)
    assert (one[0] == one[1]).all()
    assert not (one[0] == one[3]).any()
    jac = 30 / 50
    assert abs((one[0] == one[2]).mean() - jac) < 0.05
    five = set_band_keys(offsets, keys, 400, 5)
    assert abs((five[0] == five[2]).mean() - jac**5) < 0.03
    assert set_band_keys(offsets[:1], keys, 4, 5).shape == (0, 4)
