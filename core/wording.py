"""Small pieces of English shared by the sentences core makes (counts with the right noun form).

Sentences for people are built at the edges from kinds and numbers; this module only keeps the
counting rule in one place until they are translated (then it becomes an ngettext call)."""

from __future__ import annotations


def plural(n: int, singular: str, plural: str | None = None) -> str:
    """``"1 file"``, ``"2 files"``; ``plural`` for irregular forms (``"entries"``)."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def printable(path: str) -> str:
    """A path that can be printed whatever its bytes (undecodable bytes become ``\\xNN``)."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
