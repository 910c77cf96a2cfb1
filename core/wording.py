"""Small pieces shared by the text core shows: printable paths, and terminal widths.

Counts are worded by :func:`core.i18n.ngettext`, or by a counted template of
:mod:`core.messages` (English kept in results, translated when shown). ``columns``, ``clip``,
``pad`` and ``wrap`` measure and fit text by terminal columns, where a CJK character takes
two."""

from __future__ import annotations

import unicodedata


def columns(text: str) -> int:
    """How many terminal columns ``text`` takes: East Asian wide and fullwidth characters take
    two (``"校验和"`` is 6), combining marks none."""
    if text.isascii():
        return len(text)
    return sum(_char_columns(c) for c in text)


def _char_columns(c: str) -> int:
    if unicodedata.combining(c):
        return 0
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


def clip(text: str, room: int) -> str:
    """The longest start of ``text`` that fits in ``room`` columns."""
    if columns(text) <= room:
        return text
    out, used = [], 0
    for c in text:
        used += _char_columns(c)
        if used > room:
            break
        out.append(c)
    return "".join(out)


def pad(text: str, width: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``width`` columns (``"<"`` left, ``">"`` right, ``"^"``
    centred)."""
    room = width - columns(text)
    if room <= 0:
        return text
    if align == ">":
        return " " * room + text
    if align == "^":
        left = room // 2
        return " " * left + text + " " * (room - left)
    return text + " " * room


# Punctuation that never starts a line: it stays with what precedes it.
_NO_LINE_START = frozenset("，。；：、）」』》！？…,.;:!?)]}%")


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns: English breaks between words, CJK text
    between any two characters (not before closing punctuation)."""
    pieces: list[tuple[str, bool]] = []  # (text, a space follows it)
    for word in text.split():
        if word.isascii():
            pieces.append((word, True))
            continue
        run, wide_before = "", False
        for c in word:
            wide = _char_columns(c) == 2
            if run and c not in _NO_LINE_START and (wide or wide_before):
                pieces.append((run, False))
                run = ""
            run += c
            wide_before = wide
        pieces.append((run, True))
    lines: list[str] = []
    line, used, spaced = "", 0, False
    for piece, space_after in pieces:
        gap = 1 if line and spaced else 0
        cols = columns(piece)
        if line and used + gap + cols > width:
            lines.append(line)
            line, used, gap = "", 0, 0
        line += " " * gap + piece
        used += gap + cols
        spaced = space_after
    if line:
        lines.append(line)
    return lines


def printable(path: str) -> str:
    """A path that can be printed whatever its bytes (undecodable bytes become ``\\xNN``)."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
