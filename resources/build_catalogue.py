"""Build the command line's and core's gettext catalogues (``core/locale``).

    python resources/build_catalogue.py            # compile each .po into the .mo beside it
    python resources/build_catalogue.py --update   # extract core/parabatch.pot, merge each .po

``--update`` needs GNU gettext (``xgettext``, ``msgcat``, ``msgmerge``: ``apt-get install
gettext``). It extracts every ``_()``, ``N_()``, ``ngettext()`` and ``N_plural()`` string of
``core/`` and of ``gui/app.py`` (the window's ``--help``), and argparse's own strings
(argparse translates ``usage:``, ``options``... through the same catalogue) into
``core/locale/parabatch.pot``, then merges it into each
``core/locale/<lang>/LC_MESSAGES/parabatch.po`` (new strings come in untranslated; translate
them, then compile). Compiling needs nothing but Python: the ``.mo`` writer below follows the
GNU format (magic, revision 0, sorted original and translation tables, no hash table) and is
deterministic, so tests can compare the shipped ``.mo`` with a fresh compile.
"""

from __future__ import annotations

import argparse
import ast
import os
import struct
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "core" / "locale"
POT = LOCALE / "parabatch.pot"
DOMAIN = "parabatch"
KEYWORDS = ("_", "N_", "ngettext:1,2", "N_plural:1,2")


@dataclass
class Entry:
    """One message of a .po file."""

    msgid: str
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)  # one per plural form (one without plural)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags


def _unquote(text: str, where: str) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"{where}: expected a quoted string, found {text!r}")
    return str(ast.literal_eval(text))  # C-style escapes: \n \t \" \\ are Python's too


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po (or .pot) file, the header (msgid "") first if there is one."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None  # the field continuation lines add to
    flags: set[str] = set()
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{path}:{number}"
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            continue
        if line.startswith("#,"):
            flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#"):
            continue
        if line.startswith("msgid "):
            current = Entry(_unquote(line[6:], where), flags=flags, obsolete=obsolete)
            entries.append(current)
            flags, target = set(), ("msgid", 0)
        elif current is None:
            raise ValueError(f"{where}: {line!r} before any msgid")
        elif line.startswith("msgid_plural "):
            current.msgid_plural, target = _unquote(line[13:], where), ("msgid_plural", 0)
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            while len(current.msgstr) <= index:
                current.msgstr.append("")
            current.msgstr[index] = _unquote(line[line.index("]") + 1 :], where)
            target = ("msgstr", index)
        elif line.startswith("msgstr "):
            current.msgstr, target = [_unquote(line[7:], where)], ("msgstr", 0)
        elif line.startswith('"') and target is not None:
            more = _unquote(line, where)
            name, index = target
            if name == "msgid":
                current.msgid += more
            elif name == "msgid_plural":
                current.msgid_plural = (current.msgid_plural or "") + more
            else:
                current.msgstr[index] += more
        else:
            raise ValueError(f"{where}: cannot read {line!r}")
    return entries


def compile_mo(entries: list[Entry]) -> bytes:
    """The GNU .mo bytes of ``entries``: fuzzy, obsolete and untranslated ones are left out
    (the header, msgid "", is kept: it holds the charset and Plural-Forms)."""
    table: dict[bytes, bytes] = {}
    for e in entries:
        if e.obsolete or (e.fuzzy and e.msgid) or not any(e.msgstr):
            continue
        key = e.msgid if e.msgid_plural is None else f"{e.msgid}\0{e.msgid_plural}"
        table[key.encode("utf-8")] = "\0".join(e.msgstr).encode("utf-8")
    keys = sorted(table)
    n = len(keys)
    header = 7 * 4
    originals_at = header
    translations_at = originals_at + n * 8
    data_at = translations_at + n * 8
    originals, translations, data = [], [], bytearray()
    for key in keys:
        originals.append((len(key), data_at + len(data)))
        data += key + b"\0"
    for key in keys:
        value = table[key]
        translations.append((len(value), data_at + len(data)))
        data += value + b"\0"
    out = bytearray(struct.pack("<7I", 0x950412DE, 0, n, originals_at, translations_at, 0, 0))
    for length, offset in originals + translations:
        out += struct.pack("<2I", length, offset)
    return bytes(out + data)


def po_files() -> list[Path]:
    return sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


# The window's own command line (``parabatch --help``) speaks through the same catalogue.
GUI_SOURCES = ("gui/app.py",)


def sources() -> list[Path]:
    """The Python files strings are extracted from (core's, then the window's command line, in
    a stable order)."""
    core = sorted(p for p in (ROOT / "core").rglob("*.py") if "__pycache__" not in p.parts)
    return [*core, *(ROOT / name for name in GUI_SOURCES)]


def extract(pot: Path) -> None:
    """Write the template of every translatable string (core's and argparse's) to ``pot``."""
    import argparse as argparse_module

    common = ["--language=Python", "--from-code=UTF-8", "--add-location=file", "--sort-output"]
    common += [f"--keyword={k}" for k in KEYWORDS]
    with tempfile.TemporaryDirectory(prefix="parabatch-pot-") as tmp:
        ours, theirs = Path(tmp) / "core.pot", Path(tmp) / "argparse.pot"
        rel = [str(p.relative_to(ROOT)) for p in sources()]
        meta = ["--package-name=parabatch", "--msgid-bugs-address=https://github.com/parabatch"]
        subprocess.run(["xgettext", *common, *meta, "-o", str(ours), *rel], cwd=ROOT, check=True)
        argparse_py = Path(argparse_module.__file__ or "")
        subprocess.run(
            ["xgettext", *common, "-o", str(theirs), argparse_py.name],
            cwd=argparse_py.parent,
            check=True,
        )
        subprocess.run(
            ["msgcat", "--use-first", "--sort-output", "-o", str(pot), str(ours), str(theirs)],
            check=True,
        )
    # xgettext stamps the creation date: keep the file stable when nothing else changed.
    text = "".join(
        line
        for line in pot.read_text(encoding="utf-8").splitlines(keepends=True)
        if not line.startswith('"POT-Creation-Date:')
    )
    text = text.replace("charset=CHARSET", "charset=UTF-8")
    pot.write_text(text, encoding="utf-8")


def update() -> None:
    """Extract the template and merge it into each .po (new strings come in untranslated)."""
    extract(POT)
    for po in po_files():
        subprocess.run(
            ["msgmerge", "--quiet", "--update", "--backup=none", "--no-fuzzy-matching",
             "--add-location=file", "--sort-output", str(po), str(POT)],
            check=True,
        )  # fmt: skip
        print(f"merged {po.relative_to(ROOT)}")


def build() -> None:
    for po in po_files():
        mo = po.with_suffix(".mo")
        data = compile_mo(parse_po(po))
        tmp = mo.with_name(f".{mo.name}.tmp-{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, mo)
        print(f"compiled {mo.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--update", action="store_true", help="extract the .pot and merge it into each .po"
    )
    args = parser.parse_args(argv)
    if args.update:
        update()
    build()
    return 0


if __name__ == "__main__":
    sys.exit(main())
