"""retold: find rewritten copies of news articles and explain what each rewrite changed.

``import retold`` stays light: the sentence model, spaCy and trafilatura load
on first use.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from retold.errors import ConfigError, InputError, MissingDependency, ModelError, RetoldError
from retold.types import (
    Alignment,
    Boilerplate,
    Change,
    ChangeType,
    CleanDocument,
    Comparison,
    Direction,
    LinkKind,
    Relation,
    Sentence,
    SentenceLink,
    TextSpan,
)

if TYPE_CHECKING:
    from retold.pipeline import compare

__version__ = "0.1.0"

__all__ = [
    "Alignment",
    "Boilerplate",
    "Change",
    "ChangeType",
    "CleanDocument",
    "Comparison",
    "ConfigError",
    "Direction",
    "InputError",
    "LinkKind",
    "MissingDependency",
    "ModelError",
    "Relation",
    "RetoldError",
    "Sentence",
    "SentenceLink",
    "TextSpan",
    "__version__",
    "compare",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())


def __getattr__(name: str) -> Any:
    if name == "compare":
        from retold.pipeline import compare

        return compare
    raise AttributeError(f"module 'retold' has no attribute {name!r}")
