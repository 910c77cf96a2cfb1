"""Command templates of the "run" operation: GNU parallel's replacement strings, expanded into
one argument list (no shell) or one shell command line (every replacement quoted).

Replacement strings (as GNU parallel spells and computes them): ``{}`` the input path, ``{.}``
without its extension, ``{/}`` the base name, ``{//}`` the folder, ``{/.}`` the base name without
extension, ``{#}`` the job's sequence number (1-based), and ours, ``{out}``, the planned output.
Anything else in braces is left as written. A template with no replacement string gets `` {}``
appended, as GNU parallel does.

Without a shell the template is split once (:func:`shlex.split`) and each replacement is
substituted inside its word: a word stays exactly one argument whatever the name holds (spaces,
quotes, ``$``, newlines). With a shell the template is kept as one line and each replacement is
inserted :func:`shlex.quote`\\ d, so it is still one word to ``sh`` (do not quote them yourself).
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Mapping, Sequence

FIELD = re.compile(r"\{(|\.|/|//|/\.|#|out)\}")
OUT = "{out}"
_EXT = re.compile(r"\.[^/.]*$")  # GNU parallel's rule: "/a/.bashrc" -> "/a/", "b." -> "b"


def parse(template: str, *, shell: bool = False) -> list[str]:
    """The template's words (one, the whole line, with ``shell``). Raises ValueError with a
    sentence for the user (empty, unbalanced quotes)."""
    text = template.strip()
    if not text:
        raise ValueError("the command is empty; give a program and its arguments")
    if shell:
        words = [text]
    else:
        try:
            words = shlex.split(text)
        except ValueError as e:
            raise ValueError(f"the command cannot be split into words: {e}") from None
        if not words:
            raise ValueError("the command is empty; give a program and its arguments")
    if not any(FIELD.search(w) for w in words):
        words = [*words[:-1], words[-1] + " {}"] if shell else [*words, "{}"]
    return words


def uses_output(words: Sequence[str]) -> bool:
    return any(OUT in w for w in words)


def program(words: Sequence[str], *, shell: bool = False) -> str:
    """The program the command starts (``sh`` through the shell)."""
    return "sh" if shell else words[0]


def values(path: str, seq: int, out: str | None) -> dict[str, str]:
    """Every replacement string's value for one input."""
    base = path.rsplit("/", 1)[-1]
    return {
        "": path,
        ".": _EXT.sub("", path),
        "/": base,
        "//": os.path.dirname(path) or ".",
        "/.": _EXT.sub("", base),
        "#": str(seq),
        "out": out if out is not None else "",
    }


def _fill(word: str, vals: Mapping[str, str], quote: bool) -> str:
    if quote:
        return FIELD.sub(lambda m: shlex.quote(vals[m.group(1)]), word)
    return FIELD.sub(lambda m: vals[m.group(1)], word)


def expand(words: Sequence[str], vals: Mapping[str, str], *, shell: bool = False) -> list[str]:
    """The argument list to execute: the words filled in, or ``sh -c LINE`` with ``shell``."""
    if shell:
        return ["sh", "-c", _fill(words[0], vals, True)]
    return [_fill(w, vals, False) for w in words]


def display(argv: Sequence[str], *, shell: bool = False) -> str:
    """The command as one line a POSIX shell runs exactly as given (the dry run prints it):
    the shell's line itself, or the arguments quoted where they need it."""
    return argv[2] if shell else shlex.join(argv)
