"""The language people read: gettext for everything core and the command line say to people.

Machine-readable output (manifests, ``--json``, CSV, joblog, the journal) never goes through
here: it stays English and stable whatever the language. Sentences for people do, at the edge
where they are shown (the CLI's human output, the window's cells and dialogs).

The catalogue lives in ``core/locale/<lang>/LC_MESSAGES/parabatch.mo`` (compiled from the
``.po`` beside it by ``resources/build_catalogue.py``), inside the package so that the wheel,
the packaged app and worker processes all find it. It also holds zh_CN translations of
argparse's own strings (``usage: ``, ``options``...): argparse translates them with
``gettext.gettext``, the global domain, which :func:`use_language` binds to this catalogue.

API (stable; the window and the CLI both use it):

- ``use_language(code)``: ``None`` follows the system locale (``LANGUAGE``, ``LC_ALL``,
  ``LC_MESSAGES``, ``LANG``); ``"en"`` forces English; ``"zh_CN"`` forces Simplified Chinese.
  Returns the language code actually in use (``"en"`` when no catalogue matched).
- ``_(text)`` / ``ngettext(singular, plural, n)``: translate now.
- ``N_(text)`` / ``N_plural(singular, plural)``: mark a string for extraction without
  translating it (translate later with ``_``).
- ``message_for_people(message)``: a message made by core in English (a per-file reason, a
  job's summary line), in the language in use. Its templates are registered in
  :mod:`core.messages` (plugins may add theirs with :func:`register`).
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gettext as _gettext

DOMAIN = "parabatch"
# (os.path, not pathlib: every worker imports this module, and pathlib costs it 3-4 ms at start)
LOCALE_DIR = os.path.join(os.path.dirname(os.path.realpath(__file__)), "locale")
LANGUAGES = ("en", "zh_CN")  # English is the source language: no catalogue

# None: English (the source language). gettext is imported only when a catalogue is loaded:
# worker processes import this module (for english() and the templates) and never need it.
_translation: _gettext.GNUTranslations | None = None
_language = "en"
_default_domain: str | None = None  # what gettext.gettext used before us ("messages")


def system_language() -> str | None:
    """The first language the environment asks for that we have a catalogue for, else None."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if not value:
            continue
        for item in value.split(":"):
            code = item.split(".")[0].split("@")[0]
            if code in ("C", "POSIX", ""):
                continue
            found = match_language(code)
            if found:
                return found
        if var != "LANGUAGE":
            break  # the first of LC_ALL / LC_MESSAGES / LANG that is set decides
    return None


def match_language(code: str) -> str | None:
    """``"zh_CN"``, ``"zh-CN"``, ``"zh"`` -> ``"zh_CN"``; ``"en_US"`` -> ``"en"``; else None."""
    code = code.replace("-", "_")
    if code in LANGUAGES:
        return code
    base = code.split("_")[0]
    for lang in LANGUAGES:
        if lang.split("_")[0] == base:
            return lang
    return None


def use_language(code: str | None = None) -> str:
    """Switch the language of every later ``_()`` call in this process (see module docstring).

    argparse's own strings go through ``gettext.gettext``, which picks its language from the
    environment: they follow the system locale (and ``LANGUAGE=en`` / ``LANGUAGE=zh_CN``), and
    English whenever English is chosen here."""
    global _translation, _language, _default_domain
    import gettext

    if _default_domain is None:
        _default_domain = gettext.textdomain()
    lang = match_language(code) if code else system_language()
    _cache.clear()
    _translation, _language = None, "en"
    if lang is not None and lang != "en":
        try:
            found = gettext.translation(DOMAIN, str(LOCALE_DIR), languages=[lang])
        except OSError:
            pass  # no catalogue for it: English
        else:
            assert isinstance(found, gettext.GNUTranslations)
            _translation, _language = found, lang
    if _translation is None:
        gettext.textdomain(_default_domain)
    else:
        gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
        gettext.textdomain(DOMAIN)
    return _language


def language() -> str:
    """The language code in use (``"en"`` or one of ``LANGUAGES``)."""
    return _language


def _(text: str) -> str:
    return text if _translation is None else _translation.gettext(text)


def ngettext(singular: str, plural: str, n: int) -> str:
    if _translation is None:
        return singular if n == 1 else plural
    return _translation.ngettext(singular, plural, n)


def N_(text: str) -> str:
    return text


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """A counted template (``"{n} file"``, ``"{n} files"``), for :func:`english` and
    :func:`message_for_people`; its count is the ``{n}`` field."""
    return singular, plural


Template = str | tuple[str, str]


def english(template: Template, **values: object) -> str:
    """The English message from a registered template (machine-readable output keeps it)."""
    if isinstance(template, tuple):
        n = values.get("n")
        template = template[0] if n == 1 else template[1]
    return template.format(**values)


# --- translating core's English messages for display ------------------------------------------

_FIELD = string.Formatter()
_DIGITS, _ANY = r"\d+", ".+?"  # a count; any text (the shortest that lets the rest match)


class _Pattern:
    """One registered template, compiled to a regex that captures its fields."""

    __slots__ = ("template", "regex", "raw")

    def __init__(self, template: Template, english_form: str, raw: frozenset[str]) -> None:
        self.template = template
        self.raw = raw
        parts, seen = [], set()
        fields = _fields(english_form)
        if any(not f.isidentifier() for f in fields):  # "{}" meant as it is: the text is literal
            self.regex = re.compile(re.escape(english_form), re.DOTALL)
            return
        for literal, field, _spec, _conv in _FIELD.parse(english_form):
            parts.append(re.escape(literal))
            if field is None:
                continue
            if field in seen:
                parts.append(f"(?P={field})")
            else:
                seen.add(field)
                parts.append(f"(?P<{field}>{_DIGITS if field == 'n' else _ANY})")
        self.regex = re.compile("".join(parts), re.DOTALL)


def _fields(template: str) -> list[str]:
    """The names of a template's fields (``""`` for ``{}``)."""
    return [f for _literal, f, _spec, _conv in _FIELD.parse(template) if f is not None]


def _lead(template: str) -> str:
    """A template's first word when it is wholly literal ("" if not): the index key that leaves
    most templates out of a message's search (a message's key is its first word)."""
    head = template.split("{", 1)[0]
    return head.split(" ", 1)[0] if " " in head else ""


_registered: list[tuple[Template, frozenset[str]]] = []
_compiled = 0  # how many of _registered are in the indexes below
_by_lead: dict[str, list[_Pattern]] = {}
_open: list[_Pattern] = []  # templates that start with a field
_loaded = False
_cache: dict[str, str] = {}
_CACHE_MAX = 50_000


def register(templates: Iterable[Template], raw: frozenset[str] = frozenset()) -> None:
    """Add message templates (from :func:`N_` / :func:`N_plural`) that
    :func:`message_for_people` recognises, the more specific first; core's own are in
    :mod:`core.messages`. A field's captured text is translated as a message in turn, except
    for the fields in ``raw`` (paths, numbers, names)."""
    _registered.extend((template, raw) for template in templates)
    _cache.clear()


def registered() -> list[Template]:
    """Every registered template (core's first)."""
    _load()
    return [template for template, _raw in _registered]


def _load() -> None:
    """Import core's table, and compile what was registered since the last call (on first use,
    not at import: worker processes import the table and never show a message)."""
    global _loaded, _compiled
    if not _loaded:
        _loaded = True
        from core import messages  # the table of core's templates (registers them on import)

        del messages
    for template, raw in _registered[_compiled:]:
        forms = template if isinstance(template, tuple) else (template,)
        for form in forms:
            pattern = _Pattern(template, form, raw)
            lead = _lead(form)
            (_by_lead.setdefault(lead, []) if lead else _open).append(pattern)
    _compiled = len(_registered)


def message_for_people(message: str) -> str:
    """A message made by core (English, as stored in results, the journal and JSON), in the
    language in use, for display only. A message no template matches is returned as it is."""
    if not message or _language == "en":
        return message
    done = _cache.get(message)
    if done is not None:
        return done
    _load()
    done = _translate(message)
    if len(_cache) >= _CACHE_MAX:
        _cache.clear()
    _cache[message] = done
    return done


def _translate(message: str) -> str:
    exact = _(message)
    if exact != message:
        return exact
    if message[:1].islower():  # a title in a sentence's field, in lower case ("{operation}")
        titled = message[:1].upper() + message[1:]
        exact = _(titled)
        if exact != titled:
            return exact
    candidates = _by_lead.get(message.split(" ", 1)[0], ())
    for pattern in (*candidates, *_open):
        m = pattern.regex.fullmatch(message)
        if m is not None:
            return _fill(pattern, m.groupdict())
    if "; " in message:  # notes joined into one message ("renamed (exists); grew: ...")
        parts = message.split("; ")
        shown = [message_for_people(part) for part in parts]
        if shown != parts:
            return _("; ").join(shown)
    return message


def _fill(pattern: _Pattern, values: dict[str, str]) -> str:
    template = pattern.template
    if isinstance(template, tuple):
        text = ngettext(template[0], template[1], int(values["n"]))
    else:
        text = _(template)
    if not values:
        return text  # a template without fields (or a literal one, with "{}" in it)
    out = []
    for literal, field, _spec, _conv in _FIELD.parse(text):
        out.append(literal)
        if field is not None:
            value = values.get(field, "")
            out.append(value if field in pattern.raw else message_for_people(value))
    return "".join(out)
