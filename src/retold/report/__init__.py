"""Presentation of a comparison: a self-contained HTML page and a terminal view."""

from __future__ import annotations

from retold.report.html import render_html
from retold.report.terminal import print_comparison

__all__ = ["print_comparison", "render_html"]
