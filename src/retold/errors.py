"""Errors raised by retold.

RetoldError
  + InputError        bad input document (carries path and line)
  + ConfigError       an option out of range
  + MissingDependency an optional extra or model package is not installed
  + ModelError        a model file is missing or fails its hash check
"""

from __future__ import annotations


class RetoldError(Exception):
    """Base class of every error retold raises on purpose."""


class InputError(RetoldError):
    """An input document cannot be used."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        where = path or ""
        if path and line is not None:
            where = f"{path}:{line}"
        super().__init__(f"{where}: {message}" if where else message)
        self.path = path
        self.line = line


class ConfigError(RetoldError, ValueError):
    """An option has a value retold cannot use."""


class MissingDependency(RetoldError, ImportError):
    """An optional dependency is missing; the message says what to install."""


class ModelError(RetoldError):
    """A model file is missing, corrupt or fails its hash check."""
