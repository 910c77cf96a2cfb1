"""Build the translations: ``python resources/build_translations.py [--update]``.

The window (Qt):
- ``--update`` runs ``pyside6-lupdate`` over ``gui/**/*.py`` to refresh
  ``resources/translations/parabatch_<lang>.ts`` (new texts come in unfinished, vanished ones
  go), marks the messages with a count (``%Ln``) as plural ones, and writes the English plural
  catalogue ``parabatch_en.ts`` (those messages only; their forms come from the source:
  ``%Ln file(s)`` -> ``%Ln file`` / ``%Ln files``, ``[is|are]`` -> ``is`` / ``are``).
  Translate the new texts in the ``.ts`` (Qt Linguist, or by hand), then compile.
- by default, compiles every ``.ts`` with ``pyside6-lrelease`` into ``gui/translations/`` (inside
  the package, so the wheel and the packaged app ship the ``.qm``). The ``.qm`` files are kept in
  the tree; ``tests/gui/test_translation.py`` fails when they are older than their ``.ts``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TS_DIR = ROOT / "resources" / "translations"
QM_DIR = ROOT / "gui" / "translations"
LANGUAGES = ("zh_CN",)  # besides English, the source language
_OPTIONAL = re.compile(r"\((\w+)\)")  # "file(s)": the part only the plural has
_COUNT = re.compile(r"%L?n")  # a message with a count: plural forms
_EITHER = re.compile(r"\[([^|\]]*)\|([^\]]*)\]")  # "[its output is|their outputs are]"


def tool(name: str) -> str:
    """``pyside6-<name>`` beside this Python (a venv), else on PATH."""
    beside = Path(sys.executable).parent / f"pyside6-{name}"
    found = str(beside) if beside.exists() else shutil.which(f"pyside6-{name}")
    if found is None:
        raise SystemExit(f"pyside6-{name} not found: install PySide6 (pip install -e .)")
    return found


def gui_sources() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "gui").rglob("*.py"))


def lupdate(ts: Path, *extra: str, sources: list[str] | None = None) -> str:
    """Run lupdate into ``ts``; returns its report."""
    cmd = [tool("lupdate"), *(sources or gui_sources()), "-no-obsolete", "-locations", "none"]
    done = subprocess.run(
        [*cmd, *extra, "-ts", str(ts)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout + done.stderr


def english_forms(source: str) -> tuple[str, str]:
    """The singular and plural of an English numerus source: ``(s)`` marks the plural's part,
    ``[singular words|plural words]`` a choice."""
    one, many = _EITHER.sub(r"\1", source), _EITHER.sub(r"\2", source)
    return _OPTIONAL.sub("", one), _OPTIONAL.sub(r"\1", many)


def is_numerus(source: str) -> bool:
    return bool(_COUNT.search(source))


def finished_plurals(ts: Path) -> dict[tuple[str, str], list[str]]:
    """The finished plural translations of ``ts``: (context, source) -> its forms."""
    if not ts.exists():
        return {}
    found = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            if message.get("numerus") != "yes" or translation is None or translation.get("type"):
                continue
            forms = [f.text or "" for f in translation.iter("numerusform")]
            found[(name, message.findtext("source") or "")] = forms
    return found


def mark_numerus(ts: Path, finished: dict[tuple[str, str], list[str]] | None = None) -> None:
    """Mark the messages with a count (``%n``/``%Ln``) as plural ones: lupdate's Python parser
    sees the count argument of ``translate(context, text, "", n)`` only when it is a literal,
    and Qt picks the plural form at run time only from messages marked so. lupdate then takes
    such a message for changed and marks its translation unfinished: ``finished`` (what
    :func:`finished_plurals` found before lupdate ran) puts back those whose source and forms
    are unchanged."""
    tree = ET.parse(ts)
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            source = message.findtext("source") or ""
            if translation is None or not is_numerus(source):
                continue
            if message.get("numerus") != "yes":
                message.set("numerus", "yes")
                text, translation.text = translation.text or "", None
                ET.SubElement(translation, "numerusform").text = text
            forms = [f.text or "" for f in translation.iter("numerusform")]
            unchanged = (finished or {}).get((name, source)) == forms
            if translation.get("type") == "unfinished" and unchanged:
                del translation.attrib["type"]
    write_ts(tree, ts)


def write_english(source_ts: Path, ts: Path) -> None:
    """The English catalogue: every plural message of ``source_ts`` with its two forms."""
    root = ET.Element("TS", version="2.1", language="en", sourcelanguage="en")
    for context in ET.parse(source_ts).getroot().iter("context"):
        messages = [m for m in context.iter("message") if m.get("numerus") == "yes"]
        if not messages:
            continue
        out = ET.SubElement(root, "context")
        ET.SubElement(out, "name").text = context.findtext("name")
        for m in messages:
            source = m.findtext("source") or ""
            message = ET.SubElement(out, "message", numerus="yes")
            ET.SubElement(message, "source").text = source
            if m.findtext("comment"):
                ET.SubElement(message, "comment").text = m.findtext("comment")
            translation = ET.SubElement(message, "translation")
            for form in english_forms(source):
                ET.SubElement(translation, "numerusform").text = form
    write_ts(ET.ElementTree(root), ts)


def write_ts(tree: ET.ElementTree, ts: Path) -> None:
    ET.indent(tree)
    with open(ts, "wb") as f:
        f.write(b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n')
        tree.write(f, encoding="utf-8", xml_declaration=False)
        f.write(b"\n")


def update() -> None:
    TS_DIR.mkdir(parents=True, exist_ok=True)
    for lang in LANGUAGES:
        ts = TS_DIR / f"parabatch_{lang}.ts"
        finished = finished_plurals(ts)
        print(lupdate(ts, "-target-language", lang), end="")
        mark_numerus(ts, finished)
    write_english(TS_DIR / f"parabatch_{LANGUAGES[0]}.ts", TS_DIR / "parabatch_en.ts")


def compile_ts(ts: Path, qm: Path) -> None:
    qm.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [tool("lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True, capture_output=True
    )


def compile_all(out: Path = QM_DIR) -> list[Path]:
    built = []
    for ts in sorted(TS_DIR.glob("parabatch_*.ts")):
        qm = out / f"{ts.stem}.qm"
        compile_ts(ts, qm)
        built.append(qm)
    return built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--update", action="store_true", help="refresh the .ts from the sources")
    args = parser.parse_args(argv)
    if args.update:
        update()
    else:
        for qm in compile_all():
            print(qm.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
