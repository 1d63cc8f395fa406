"""The layouts an answer can come in, and the one place that decides which a text is in.

A layout is a module with ``NAME``, ``matches(paragraphs)`` and ``read(text, paragraphs)`` (see
base.py). ``detect`` asks them in the order of ``LAYOUTS`` and takes the first that matches;
Stockholm's, the last, matches every text. A third layout is a third module, listed here before it.
"""

from __future__ import annotations

from types import ModuleType

from . import riksdag, stockholm
from .base import Layout, Reading

# Most specific first: the fallback is last.
LAYOUTS: tuple[ModuleType, ...] = (riksdag, stockholm)


def detect(paragraphs: list[str]) -> Layout:
    """The layout module that reads a cleaned text, given its paragraphs."""
    return next(layout for layout in LAYOUTS if layout.matches(paragraphs))


__all__ = ["LAYOUTS", "Layout", "Reading", "detect"]
