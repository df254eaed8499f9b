"""The pinned spaCy model is checked against its sha256 before it is loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from retold import nlp
from retold.errors import ModelError


def test_model_digest_changes_with_any_file(tmp_path: Path) -> None:
    (tmp_path / "ner").mkdir()
    (tmp_path / "ner" / "model").write_bytes(b"weights")
    (tmp_path / "config.cfg").write_text("[nlp]\n")
    before = nlp.model_digest(tmp_path)
    assert nlp.model_digest(tmp_path) == before
    (tmp_path / "ner" / "model").write_bytes(b"weightz")
    assert nlp.model_digest(tmp_path) != before


def test_tampered_model_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nlp, "SPACY_SHA256", "0" * 64)
    with pytest.raises(ModelError, match="refusing to load"):
        nlp._load.__wrapped__()  # type: ignore[attr-defined]


def test_installed_model_matches_pin() -> None:
    assert nlp._load.__wrapped__() is not None  # type: ignore[attr-defined]
