"""The ``--help`` layout of both command lines (``parabatch-cli`` and the window's ``parabatch``).

argparse wraps help text at spaces and counts characters; translated text is wrapped here by
terminal columns instead (a CJK character takes two, and CJK text breaks between characters).
English text keeps argparse's own wrapping.
"""

from __future__ import annotations

import argparse

from core.wording import wrap


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help, with translated text wrapped by terminal columns."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        if text.isascii():
            return super()._split_lines(text, width)
        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.isascii():
            return super()._fill_text(text, width, indent)
        return "\n".join(indent + line for line in wrap(text, width - len(indent)))
