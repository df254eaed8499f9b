"""Shared fixtures: paths to ../shared data, and the real embedder loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    from retold.embed import default_embedder

    return default_embedder()
