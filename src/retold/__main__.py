"""``python -m retold``: the same command line as ``retold``."""

from __future__ import annotations

from retold.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
