"""Counts in the words of warnings and errors: "1 cut", "2 cuts", never "2 cut(s)"."""

from __future__ import annotations


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``count`` and the noun that agrees with it: ``counted(1, "foot off")`` is
    ``"1 foot off"``, ``counted(3, "foot off")`` ``"3 foot offs"``; ``plural`` for an
    irregular one (``counted(2, "time", "times")``)."""
    return f"{count} {noun(count, singular, plural)}"


def noun(count: int, singular: str, plural: str | None = None) -> str:
    """The noun alone, agreeing with ``count`` (``noun(2, "frame")`` is ``"frames"``)."""
    return singular if count == 1 else (plural or singular + "s")
