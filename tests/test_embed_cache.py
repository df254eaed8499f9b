"""encode_table(): vectors of a fixed word list kept on disk between processes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retold.embed import HashingEmbedder, encode_table


class _Counted(HashingEmbedder):
    """A model with an identity that counts the texts it embeds."""

    def __init__(self, identity: str = "weights-1") -> None:
        self.identity = identity
        self.embedded = 0

    def encode(self, sentences: list[str]) -> np.ndarray:
        self.embedded += len(sentences)
        return super().encode(sentences)


WORDS = ["slump", "plunge", "dip", "soar"]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RETOLD_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_table_is_embedded_once_and_read_back_the_same(cache: Path) -> None:
    first = _Counted()
    want = encode_table(first.encode, WORDS, "words")
    assert first.embedded == len(WORDS)
    [saved] = cache.iterdir()
    again = _Counted()  # a new process: a new model object
    got = encode_table(again.encode, WORDS, "words")
    assert again.embedded == 0
    np.testing.assert_array_equal(got, want)
    assert [p.name for p in cache.iterdir()] == [saved.name]  # no temporary file left


def test_another_table_or_model_is_embedded_anew(cache: Path) -> None:
    encode_table(_Counted().encode, WORDS, "words")
    other_words, other_model = _Counted(), _Counted("weights-2")
    encode_table(other_words.encode, [*WORDS, "rally"], "words")
    encode_table(other_model.encode, WORDS, "words")
    assert other_words.embedded == 5 and other_model.embedded == 4
    assert len(list(cache.iterdir())) == 3


def test_a_damaged_file_is_replaced(cache: Path) -> None:
    want = encode_table(_Counted().encode, WORDS, "words")
    [saved] = cache.iterdir()
    saved.write_bytes(b"not an array")
    model = _Counted()
    np.testing.assert_array_equal(encode_table(model.encode, WORDS, "words"), want)
    assert model.embedded == 4
    np.testing.assert_array_equal(np.load(saved), want)


def test_no_cache_for_a_model_without_identity_or_a_read_only_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETOLD_CACHE", str(tmp_path / "cache"))
    plain = HashingEmbedder()
    np.testing.assert_array_equal(encode_table(plain.encode, WORDS, "words"), plain.encode(WORDS))
    assert not (tmp_path / "cache").exists()
    blocker = tmp_path / "file"
    blocker.write_text("a file where the directory would go")
    monkeypatch.setenv("RETOLD_CACHE", str(blocker / "cache"))
    model = _Counted()
    assert encode_table(model.encode, WORDS, "words").shape == (4, HashingEmbedder.dim)
    assert model.embedded == 4


def test_the_tone_grader_embeds_its_anchor_words_once_across_processes(cache: Path) -> None:
    from retold.tone import ANCHORS, Grader

    first = _Counted()
    Grader(first.encode).learn(["flummoxed"])
    assert first.embedded == len(ANCHORS) + 1
    second = _Counted()
    Grader(second.encode).learn(["flummoxed"])
    assert second.embedded == 1  # only the word to grade
