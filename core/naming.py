"""Output naming, planned before Start: name templates, a mirrored folder tree and the collision
policy (skip, overwrite, rename), so that no question is ever asked mid-batch.

Planning reads the file system (folder listings, to see what exists) but never writes, and this
module never imports Qt: the dry run, the CLI, the GUI preview and ``Operation.plan`` share it.

Templates name the output *without* its extension; the operation appends the extension of the
output format. Fields: ``{name}`` (input stem), ``{ext}`` (input extension, no dot), ``{parent}``
(input folder's name), ``{counter}`` (1-based input number), ``{width}``/``{height}`` (output size).
Format specs work (``{counter:04d}``); ``/`` makes subfolders.

``{width}``/``{height}`` are only known once a worker has processed the image, so they may only
appear in the file name (not in a folder), and a planned path keeps them as ``str.format``
placeholders (other braces escaped); :func:`size_name` fills them in. The planner resolves
collisions between those patterns; collisions that appear only once the sizes are known are
resolved by the worker under the same policy (see ``core/operations/image_write.py``).
"""

from __future__ import annotations

import enum
import os
import re
import string
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from core import messages as M
from core.i18n import english

FIELDS = ("name", "ext", "parent", "counter", "width", "height")
SIZE_FIELDS = frozenset({"width", "height"})
_SAMPLE: dict[str, object] = {
    "name": "n",
    "ext": "e",
    "parent": "p",
    "counter": 1,
    "width": 1,
    "height": 1,
}
_FOLD_CASE = sys.platform in ("darwin", "win32")  # case-insensitive file systems by default
_DIGITS = re.compile(r"\d+")


class Collision(enum.StrEnum):
    """What to do when an output name is taken (on disk, or by another input of the batch)."""

    SKIP = "skip"
    OVERWRITE = "overwrite"
    RENAME = "rename"


class Action(enum.Enum):
    """What the plan will do for one input."""

    WRITE = "write"
    OVERWRITE = "overwrite"
    RENAME = "rename"
    SKIP = "skip"
    REFUSE = "refuse"


@dataclass(frozen=True)
class NamingRule:
    """Where outputs go. ``output_dir`` None means beside each input; ``mirror_tree`` recreates the
    inputs' folders (relative to their common root) under ``output_dir``."""

    output_dir: str | None = None
    template: str = "{name}"
    mirror_tree: bool = False
    collision: Collision = Collision.RENAME

    def __post_init__(self) -> None:
        """Validate (``ValueError`` with a sentence for the user); not re-run on unpickling."""
        object.__setattr__(self, "collision", Collision(self.collision))
        Template(self.template)
        if self.mirror_tree and not self.output_dir:
            raise ValueError(M.MIRROR_NEEDS_FOLDER)


@dataclass(frozen=True, slots=True)
class PlannedOutput:
    """One input's planned output. ``output`` is None when nothing will be written."""

    source: str
    output: str | None
    action: Action
    note: str = ""
    deferred: bool = False  # ``output`` still holds {width}/{height} placeholders


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _unescape(text: str) -> str:
    return text.replace("{{", "{").replace("}}", "}")


def _fold(name: str) -> str:
    return name.casefold() if _FOLD_CASE else name


def _split(path: str) -> list[str]:
    return re.split(r"[/\\]" if os.sep == "\\" else "/", path)


class Template:
    """A validated name template. Raises ``ValueError`` with a sentence for the user."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._items: list[tuple[str, str | None, str]] = []
        try:
            parsed = list(string.Formatter().parse(text))
        except ValueError as e:
            detail = str(e)  # Python's own words
            raise ValueError(english(M.TEMPLATE_SYNTAX, pattern=repr(text), detail=detail)) from e
        for literal, field, spec, conversion in parsed:
            if field is not None and field not in FIELDS:
                known = ", ".join("{" + f + "}" for f in FIELDS)
                raise ValueError(english(M.TEMPLATE_UNKNOWN_FIELD, field=field, known=known))
            if conversion or (spec and "{" in spec):
                raise ValueError(english(M.TEMPLATE_FIELD_SYNTAX, pattern=repr(text)))
            self._items.append((literal, field, spec or ""))
        self.deferred = any(f in SIZE_FIELDS for _, f, _ in self._items)
        try:
            raw = self._raw(_SAMPLE)
        except (ValueError, TypeError) as e:
            raise ValueError(english(M.TEMPLATE_ERROR, pattern=repr(text), detail=e)) from e
        if not _split(raw)[-1].strip():
            raise ValueError(M.TEMPLATE_EMPTY)
        if raw.startswith(("/", "\\")) or os.path.isabs(raw) or os.path.splitdrive(raw)[0]:
            raise ValueError(M.TEMPLATE_ABSOLUTE)
        if ".." in _split(self._literal_only()):
            raise ValueError(M.TEMPLATE_CLIMBS)
        if self._size_in_folder():
            fields = {"width": "{width}", "height": "{height}"}  # named as the user types them
            raise ValueError(english(M.TEMPLATE_SIZE_IN_FOLDER, **fields))

    def _literal_only(self) -> str:
        return "".join(lit + ("\0" if f else "") for lit, f, _ in self._items)

    def _size_in_folder(self) -> bool:
        seen_sep = False  # a separator after the field puts it in a folder name
        for literal, field, _ in reversed(self._items):
            if seen_sep and field in SIZE_FIELDS:
                return True
            seen_sep = seen_sep or bool(_split(literal)[:-1])
        return False

    def _raw(self, values: Mapping[str, object]) -> str:
        out: list[str] = []
        keep = self.deferred
        for literal, field, spec in self._items:
            out.append(_escape(literal) if keep else literal)
            if field is None:
                continue
            if keep and field in SIZE_FIELDS:
                out.append("{" + field + (":" + spec if spec else "") + "}")
            else:
                text = format(values[field], spec)
                out.append(_escape(text) if keep else text)
        return "".join(out)

    def render(self, values: Mapping[str, object]) -> str:
        """The relative output path (without extension). If the template is deferred, the file
        name keeps the size fields as placeholders and every other brace escaped (folders are
        plain). Empty, ``.`` and ``..`` parts that come from field values become ``_``."""
        parts = [p if p not in ("", ".", "..") else "_" for p in _split(self._raw(values))]
        if self.deferred:
            parts[:-1] = [_unescape(p) for p in parts[:-1]]
        return os.path.join(*parts)


def size_name(pattern: str, width: int, height: int) -> str:
    """Fill the {width}/{height} placeholders of a deferred output path."""
    folder, name = os.path.split(pattern)
    return os.path.join(folder, name.format(width=width, height=height))


def numbered(path: str, n: int) -> str:
    """``photo.jpg`` -> ``photo (n).jpg`` (the suffix goes before the output extension)."""
    stem, ext = os.path.splitext(path)
    return f"{stem} ({n}){ext}"


def template_fields(source: str, counter: int) -> dict[str, object]:
    """The plan-time field values of one input."""
    folder, base = os.path.split(source)
    stem, ext = os.path.splitext(base)
    return {"name": stem, "ext": ext[1:], "parent": os.path.basename(folder), "counter": counter}


def _common_root(folders: Sequence[str]) -> str | None:
    try:
        return os.path.commonpath(folders) if folders else None
    except ValueError:  # different drives: mirror each drive as a top folder
        return None


class _Planner:
    """One planning pass; keeps caches of real folders, folder listings and claimed names."""

    def __init__(
        self, rule: NamingRule, template: Template, sources: Sequence[str], root: str | None
    ) -> None:
        self.rule = rule
        self.template = template
        self._real: dict[str, str] = {}
        self._listing: dict[str, frozenset[str]] = {}
        self._claims: dict[tuple[str, str], str] = {}
        self._next: dict[tuple[str, str], int] = {}
        self._bases: dict[str, str] = {}
        self._sources = {self._key(s) for s in sources}
        self._shapes: dict[tuple[str, str], str] | None = None
        self._root = root or _common_root([os.path.dirname(s) for s in sources])

    def _realdir(self, folder: str) -> str:
        real = self._real.get(folder)
        if real is None:
            real = self._real[folder] = os.path.normcase(os.path.realpath(folder))
        return real

    def _key(self, path: str) -> tuple[str, str]:
        folder, name = os.path.split(path)
        return self._realdir(folder), _fold(name)

    def _on_disk(self, key: tuple[str, str]) -> bool:
        names = self._listing.get(key[0])
        if names is None:
            try:
                names = frozenset(_fold(n) for n in os.listdir(key[0]))
            except OSError:
                names = frozenset()
            self._listing[key[0]] = names
        return key in self._sources or key[1] in names

    def _taken(self, key: tuple[str, str], deferred: bool) -> bool:
        return key in self._claims or (not deferred and self._on_disk(key))

    def base_folder(self, source: str) -> str:
        """The folder a source's output goes to (before the template's own subfolders)."""
        folder = os.path.dirname(source)
        if self.rule.output_dir is None:
            return folder
        if not self.rule.mirror_tree:
            return self.rule.output_dir
        base = self._bases.get(folder)
        if base is None:
            if self._root is None:
                drive, rest = os.path.splitdrive(folder)
                rel = os.path.join(drive.strip(":\\/") or "_", rest.lstrip("\\/"))
            else:
                rel = os.path.relpath(folder, self._root)
            base = self._bases[folder] = os.path.normpath(os.path.join(self.rule.output_dir, rel))
        return base

    def place(self, counter: int, source: str, ext: str) -> PlannedOutput:
        rel = self.template.render(template_fields(source, counter))
        deferred = self.template.deferred
        out = os.path.join(self.base_folder(source), rel) + (_escape(ext) if deferred else ext)
        key = self._key(out)
        other = self._claims.get(key)
        if not self._taken(key, deferred):
            return self._claim(key, source, out, Action.WRITE, deferred)
        if other is None:
            why = M.WHY_EXISTS
        else:
            why = english(M.WHY_SAME_OUTPUT, name=os.path.basename(other))
        policy = self.rule.collision
        if policy is Collision.SKIP:
            if key == self._key(source):
                why = M.WHY_IS_SOURCE
            skip = english(M.NOTE_SKIP, reason=why)
            return PlannedOutput(source, None, Action.SKIP, skip, deferred)
        if policy is Collision.OVERWRITE and other is None:
            if key in self._sources:
                note = M.NOTE_REFUSED_SOURCE
                return PlannedOutput(source, None, Action.REFUSE, note, deferred)
            return self._claim(key, source, out, Action.OVERWRITE, deferred, M.NOTE_OVERWRITE)
        n = self._next.get(key, 1)  # names are never released: resume where the last stopped
        while self._taken(self._key(numbered(out, n)), deferred):
            n += 1
        self._next[key] = n + 1
        out = numbered(out, n)
        note = english(M.NOTE_RENAMED, reason=why)
        return self._claim(self._key(out), source, out, Action.RENAME, deferred, note)

    def _claim(
        self,
        key: tuple[str, str],
        source: str,
        out: str,
        action: Action,
        deferred: bool,
        note: str = "",
    ) -> PlannedOutput:
        if deferred and self.rule.collision is Collision.OVERWRITE:
            clash = self._source_like(key, out)
            if clash:
                note = english(M.SIZE_NAME_CLASH, name=clash)
                return PlannedOutput(source, None, Action.REFUSE, note, deferred)
        self._claims[key] = source
        if deferred and not note:
            note = M.SIZE_NAMED
        return PlannedOutput(source, out, action, note, deferred)

    def _source_like(self, key: tuple[str, str], pattern: str) -> str:
        """A source whose name could equal this pattern once sizes are filled in ("" if none)."""
        if self._shapes is None:
            self._shapes = {(d, _DIGITS.sub("#", n)): n for d, n in self._sources}
        shape = _DIGITS.sub("#", _fold(os.path.basename(size_name(pattern, 0, 0))))
        return self._shapes.get((key[0], shape), "")


def plan_outputs(
    sources: Sequence[str],
    rule: NamingRule,
    ext_for: Callable[[str], str],
    root: str | None = None,
) -> list[PlannedOutput]:
    """Plan every source's output, in order. ``ext_for(source)`` gives the output extension
    (with the dot). ``root`` overrides the mirrored tree's root (a preview of the first few
    inputs passes the common folder of them all). Raises ``ValueError`` for a bad template."""
    planner = _Planner(rule, Template(rule.template), sources, root)
    return [planner.place(i, src, ext_for(src)) for i, src in enumerate(sources, 1)]


def output_folders(planned: Iterable[PlannedOutput]) -> list[str]:
    """The distinct folders that planned outputs go to, in plan order."""
    return list(dict.fromkeys(os.path.dirname(p.output) or "." for p in planned if p.output))


def _read_only(folder: str) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs (Windows): say "no permission"
        return False


def _folder_problem(folder: str, probe: str) -> str:
    """Why outputs cannot go to ``folder`` whose nearest existing path is ``probe`` ("" if they
    can), with what to do."""
    exists = probe == folder
    if not os.path.isdir(probe):
        if not os.path.lexists(probe):
            return english(M.OUTPUT_DIR_MISSING, folder=folder)
        if exists:
            return english(M.OUTPUT_DIR_IS_FILE, folder=folder)
        return english(M.OUTPUT_DIR_BLOCKED, folder=folder, path=probe)
    if os.access(probe, os.W_OK | os.X_OK):
        return ""
    if _read_only(probe):
        template = M.OUTPUT_DIR_READ_ONLY if exists else M.OUTPUT_DIR_IN_READ_ONLY
    else:
        template = M.OUTPUT_DIR_DENIED if exists else M.OUTPUT_DIR_IN_DENIED
    return english(template, folder=folder, path=probe)


def check_folders(folders: Iterable[str], *, creates: bool = True) -> None:
    """Raise ``ValueError`` naming the first output folder that cannot be written.

    A folder must exist, or (``creates``: the writer makes missing folders) its nearest existing
    ancestor must be a folder one may write in. Reads only (``os.access``), never writes."""
    verdicts: dict[str, bool] = {}  # nearest existing path -> writable folder
    for folder in dict.fromkeys(folders):
        target = os.path.abspath(folder or ".")
        probe = target
        while creates and not os.path.lexists(probe):
            parent = os.path.dirname(probe)
            if parent == probe:
                break
            probe = parent
        if verdicts.get(probe):
            continue
        problem = _folder_problem(target, probe)
        if problem:
            raise ValueError(problem)
        verdicts[probe] = True
