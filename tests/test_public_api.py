"""The public API: ``retold.__all__`` is sorted and importable, and ``import retold`` stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import retold

HEAVY = ("onnxruntime", "spacy", "trafilatura", "tokenizers", "torch")

def test_all_is_sorted() -> None:
    assert retold.__all__ == sorted(retold.__all__)


def test_all_has_no_duplicates() -> None:
    assert len(set(retold.__all__)) == len(retold.__all__)


@pytest.mark.parametrize("name", retold.__all__)
def test_every_name_is_importable(name: str) -> None:
    namespace: dict[str, object] = {}
    exec(f"from retold import {name}", namespace)
    assert namespace[name] is not None
    assert getattr(retold, name) is not None


@pytest.mark.parametrize(
    "first",
    ["", "import retold.pipeline", "import retold; retold.compare", "from retold.cli import main"],
)
def test_compare_is_the_function_whatever_was_imported_first(first: str) -> None:
    """``from retold import compare`` gives the function, in a fresh interpreter."""
    code = (
        f"{first}\n"
        "import retold.pipeline as m\n"
        "from retold import compare\n"
        "assert compare is m.compare, type(compare)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_unknown_attribute_raises() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        retold.nonsense  # noqa: B018


def test_version() -> None:
    from importlib.metadata import version

    assert retold.__version__ == version("retold")


def test_import_retold_is_light() -> None:
    """The model stack loads on first use, not on import."""
    code = f"import sys, retold; print(sorted(set({HEAVY!r}) & set(sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"
