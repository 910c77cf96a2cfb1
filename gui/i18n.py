"""The window's language: Qt translators for our texts and Qt's own, chosen once at start.

Every text the window shows goes through ``QCoreApplication.translate(context, text)`` (aliased
``translate`` in each module, a name ``pyside6-lupdate`` recognises), with plural forms through
``%Ln`` and the count argument. The catalogues are ``gui/translations/parabatch_<lang>.qm``,
compiled from ``resources/translations/*.ts`` by ``resources/build_translations.py``.

English is the source language, but its plural forms ("1 file", "2 files") come from a small
English catalogue of the numerus messages only (``parabatch_en.qm``), always installed when no
other language is: Qt itself has no English plural rules for our sources.

The choice (:data:`LANGUAGE_KEY` in the window's settings: ``system``, ``en`` or ``zh_CN``) is
read once at start; a change applies at the next start. Core's messages follow the same choice
through :func:`core.i18n.use_language`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QCollator,
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QSettings,
    Qt,
    QTranslator,
)

from core import i18n as core_i18n
from core.records import Status
from gui.settings import read_str

translate = QCoreApplication.translate


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # the name lupdate looks for
    """Mark ``text`` for the catalogue of ``context`` without translating it now (module-level
    tables); ``translate(context, text)`` translates it where it is shown. Typed, unlike Qt's."""
    return text


QM_DIR = Path(__file__).resolve().parent / "translations"
LANGUAGE_KEY = "language"
SYSTEM = "system"
# (setting, name shown in the menu): each language names itself in its own language.
LANGUAGES: tuple[tuple[str, str], ...] = (("en", "English"), ("zh_CN", "简体中文"))
_QT_LOCALES = {
    "en": (QLocale.Language.English, QLocale.Country.UnitedStates),
    "zh_CN": (QLocale.Language.Chinese, QLocale.Country.China),
}

_installed: list[QTranslator] = []
_language: str | None = None
_collator: QCollator | None = None


def chosen(settings: QSettings) -> str:
    """The setting: ``system``, or a code of :data:`LANGUAGES` (anything else: ``system``)."""
    value = read_str(settings, LANGUAGE_KEY, SYSTEM)
    return value if value in dict(LANGUAGES) else SYSTEM


def resolve(setting: str) -> str:
    """The language to show for a setting: ``system`` follows ``LANGUAGE``/``LC_ALL``/``LANG``
    (English when none of ours matches)."""
    if setting != SYSTEM:
        return core_i18n.match_language(setting) or "en"
    return core_i18n.system_language() or "en"


def qt_catalogue_dir() -> Path:
    """Where Qt's own catalogues (``qtbase_<lang>.qm``) are: Qt's translations path, else the
    PySide6 package's copy."""
    path = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    if path.is_dir():
        return path
    import PySide6

    return Path(PySide6.__file__).resolve().parent / "Qt" / "translations"


def load_catalogues(lang: str) -> list[QTranslator]:
    """The translators for ``lang``: ours (for English, the plural forms only) and, for other
    languages, Qt's ``qtbase`` (standard buttons, file dialogs). Raises ``OSError`` naming a
    catalogue of ours that does not load (a missing build step)."""
    ours = QTranslator()
    qm = QM_DIR / f"parabatch_{lang}.qm"
    if not ours.load(str(qm)):
        raise OSError(f"{qm} cannot be loaded; run: python resources/build_translations.py")
    found = [ours]
    if lang != "en":
        qt = QTranslator()
        if qt.load(f"qtbase_{lang}", str(qt_catalogue_dir())):
            found.append(qt)
    return found


def catalogue_problem() -> str | None:
    """What is wrong with the shipped catalogues (for ``--self-test``), or None: every one of
    ours loads, and so does Qt's own for each language."""
    for code in ("en", *(c for c, _ in LANGUAGES if c != "en")):
        try:
            found = load_catalogues(code)
        except OSError as e:
            return str(e)
        if code != "en" and len(found) < 2:
            return f"Qt's qtbase_{code}.qm is not in {qt_catalogue_dir()}"
    return None


def use(lang: str) -> str:
    """Show the window in ``lang`` from now on (texts made later; the window is made after):
    replaces the translators this module installed, sets Qt's default locale (numbers, dates)
    and core's language. Returns the language in use."""
    global _language
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("create the QApplication first")
    uninstall()
    try:
        translators = load_catalogues(lang)
    except OSError:
        if lang == "en":
            raise
        lang, translators = "en", load_catalogues("en")
    for t in translators:
        app.installTranslator(t)
    _installed.extend(translators)
    language, territory = _QT_LOCALES[lang]
    QLocale.setDefault(QLocale(language, territory))
    core_i18n.use_language(lang)
    _language = lang
    return lang


def use_settings(settings: QSettings) -> str:
    """At start: the language the settings choose (or the system's); see :func:`use`."""
    return use(resolve(chosen(settings)))


def ensure_installed() -> str:
    """The language in use; English (its plural forms) if nobody chose one yet, as when a test
    or script makes the window without :mod:`gui.app`."""
    return _language if _language is not None else use("en")


def uninstall() -> None:
    """Remove the translators installed here (tests switch languages)."""
    global _language
    app = QCoreApplication.instance()
    while _installed:
        t = _installed.pop()
        if app is not None:
            app.removeTranslator(t)
    _language = None


def current() -> str | None:
    """The language installed by :func:`use` (None: none yet)."""
    return _language


def name_collator() -> QCollator | None:
    """How file names sort in the window's language other than English: the locale's order
    (pinyin for Chinese), numbers by value, case ignored; None for English, whose order is
    discovery's :func:`core.discover.natural_key` (the order a folder scan lists)."""
    global _collator
    if _language in (None, "en"):
        return None
    if _collator is None or _collator.locale() != QLocale():
        _collator = QCollator(QLocale())
        _collator.setNumericMode(True)
        _collator.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    return _collator


def status_label(status: Status) -> str:
    """A file's status as the table, filters and tooltips name it."""
    return translate("Status", _STATUS_TEXTS[status])


_STATUS_TEXTS = {
    Status.PENDING: QT_TRANSLATE_NOOP("Status", "Pending"),
    Status.RUNNING: QT_TRANSLATE_NOOP("Status", "Running"),
    Status.DONE: QT_TRANSLATE_NOOP("Status", "Done"),
    Status.FAILED: QT_TRANSLATE_NOOP("Status", "Failed"),
    Status.SKIPPED: QT_TRANSLATE_NOOP("Status", "Skipped"),
    Status.CANCELLED: QT_TRANSLATE_NOOP("Status", "Cancelled"),
}
