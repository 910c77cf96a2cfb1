"""The window in Simplified Chinese: the catalogue is complete and current, placeholders and
plural forms survive translation, the shipped .qm files are the compiled .ts, and a window
started under ``LANG=zh_CN.UTF-8`` speaks Chinese (Qt's own buttons too) unless the setting
says English."""

from __future__ import annotations

import ast
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QLocale, QSettings, Qt, QTranslator
from PySide6.QtWidgets import QMessageBox

from core import i18n as core_i18n
from gui import i18n
from gui.main_window import MainWindow
from tests.gui.conftest import stop_everything

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "resources"))
import build_translations  # noqa: E402

TS_DIR = ROOT / "resources" / "translations"
ZH_TS = TS_DIR / "parabatch_zh_CN.ts"
EN_TS = TS_DIR / "parabatch_en.ts"
# %n, %Ln, %1..%9, and {name} / {name:spec} / {} / {.}-style fields (the run panel's help).
PLACEHOLDER = re.compile(r"%L?n|%[1-9]|\{[^{}]*\}")


def messages(ts: Path) -> list[tuple[str, ET.Element]]:
    root = ET.parse(ts).getroot()
    return [
        (context.findtext("name") or "", m)
        for context in root.iter("context")
        for m in context.iter("message")
    ]


def translations(message: ET.Element) -> list[str]:
    tr = message.find("translation")
    assert tr is not None
    if message.get("numerus") == "yes":
        return [form.text or "" for form in tr.iter("numerusform")]
    return [tr.text or ""]


def source_set(ts: Path) -> set[tuple[str, str]]:
    return {(ctx, m.findtext("source") or "") for ctx, m in messages(ts)}


def test_every_message_has_a_finished_translation() -> None:
    found = messages(ZH_TS)
    assert len(found) > 300  # the whole window, not a stub
    bad = []
    for ctx, m in found:
        tr = m.find("translation")
        assert tr is not None
        texts = translations(m)
        if tr.get("type") in ("unfinished", "obsolete", "vanished") or not all(texts):
            bad.append((ctx, m.findtext("source")))
    assert not bad, f"untranslated or unfinished: {bad[:10]}"


def test_translations_keep_every_placeholder() -> None:
    bad = []
    for ctx, m in messages(ZH_TS):
        source = m.findtext("source") or ""
        wanted = sorted(PLACEHOLDER.findall(source))
        for text in translations(m):
            if sorted(PLACEHOLDER.findall(text)) != wanted:
                bad.append((ctx, source, text))
    assert not bad, f"placeholders lost or added: {bad[:5]}"


def test_messages_with_a_count_have_plural_forms() -> None:
    zh = [(c, m) for c, m in messages(ZH_TS) if re.search(r"%L?n", m.findtext("source") or "")]
    assert len(zh) >= 20
    for ctx, m in zh:
        assert m.get("numerus") == "yes", (ctx, m.findtext("source"))
        assert len(translations(m)) == 1  # Chinese has one plural form
    english = {(c, m.findtext("source")): translations(m) for c, m in messages(EN_TS)}
    assert set(english) == {(c, m.findtext("source")) for c, m in zh}
    for forms in english.values():
        assert len(forms) == 2 and all(forms)
    assert english[("FileList", "%Ln file(s)")] == ["%Ln file", "%Ln files"]


def test_lupdate_finds_no_string_missing_from_the_catalogue(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    build_translations.lupdate(fresh, "-target-language", "zh_CN")
    missing = source_set(fresh) - source_set(ZH_TS)
    assert not missing, f"run resources/build_translations.py --update, then translate: {missing}"
    gone = source_set(ZH_TS) - source_set(fresh)
    assert not gone, f"texts no longer in the code (run --update): {gone}"


def literal_translate_calls() -> set[tuple[str, str]]:
    """(context, text) of every ``translate``/``QT_TRANSLATE_NOOP`` call with literal
    arguments in gui/, as Python reads them."""
    found = set()
    for path in (ROOT / "gui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", None)
            args = node.args
            if name in ("translate", "QT_TRANSLATE_NOOP") and len(args) >= 2:
                ctx, text = args[0], args[1]
                if isinstance(ctx, ast.Constant) and isinstance(text, ast.Constant):
                    found.add((ctx.value, text.value))
                if isinstance(text, ast.JoinedStr):
                    pytest.fail(f"{path}:{node.lineno}: an f-string is never found translated")
    return found


def test_lupdate_sees_every_translate_call() -> None:
    """lupdate's Python parser drops a call whose count is an expression (``len(x)``): every
    literal call in the code must be in the catalogue."""
    missing = literal_translate_calls() - source_set(ZH_TS)
    assert not missing, f"bind the count to a name first: {missing}"


def test_shipped_qm_files_are_the_compiled_ts(tmp_path: Path) -> None:
    built = build_translations.compile_all(tmp_path)
    assert {p.name for p in built} == {"parabatch_en.qm", "parabatch_zh_CN.qm"}
    for qm in built:
        shipped = i18n.QM_DIR / qm.name
        assert shipped.read_bytes() == qm.read_bytes(), (
            f"{shipped} is stale: run python resources/build_translations.py"
        )


def test_qt_catalogues_load() -> None:
    for lang in ("en", "zh_CN"):
        assert QTranslator().load(str(i18n.QM_DIR / f"parabatch_{lang}.qm"))
    assert QTranslator().load("qtbase_zh_CN", str(i18n.qt_catalogue_dir()))


def test_resolve_follows_the_setting_then_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.resolve(i18n.SYSTEM) == "zh_CN"
    assert i18n.resolve("en") == "en"
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert i18n.resolve(i18n.SYSTEM) == "en"
    assert i18n.resolve("zh_CN") == "zh_CN"


@pytest.fixture
def chinese_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    yield
    i18n.use("en")  # every other test reads English
    core_i18n.use_language("en")


def started(qtbot, settings: QSettings) -> MainWindow:
    """A window as gui.app makes one: the language from the settings, then the widgets."""
    i18n.use_settings(settings)
    w = MainWindow(settings)
    w.show()
    return w


def close(qtbot, w: MainWindow) -> None:
    stop_everything(qtbot, w)
    w.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(w), timeout=5000)


def cancel_text() -> str:
    box = QMessageBox()
    box.setStandardButtons(QMessageBox.StandardButton.Cancel)
    text = box.button(QMessageBox.StandardButton.Cancel).text()
    box.deleteLater()
    return text


def test_window_under_zh_cn_locale_is_chinese(qtbot, settings: QSettings, chinese_env) -> None:
    w = started(qtbot, settings)
    try:
        assert i18n.current() == "zh_CN"
        assert w.start_button.text() == "开始"
        assert w.cancel_button.text() == "取消"
        menus = [a.text() for a in w.menuBar().actions()]
        assert "文件(&F)" in menus and "编辑(&E)" in menus
        assert w.op_combo.itemText(w.op_combo.findData("checksum")) == "生成校验和"
        assert w.model.headerData(0, Qt.Orientation.Horizontal) == "名称"
        assert w.status_label.text() == "就绪"
        assert cancel_text() == "取消"  # Qt's own catalogue
        assert QLocale().language() == QLocale.Language.Chinese
    finally:
        close(qtbot, w)


def test_english_setting_wins_over_a_chinese_locale(
    qtbot, settings: QSettings, chinese_env
) -> None:
    settings.setValue(i18n.LANGUAGE_KEY, "en")
    w = started(qtbot, settings)
    try:
        assert i18n.current() == "en"
        assert w.start_button.text() == "Start"
        assert "&File" in [a.text() for a in w.menuBar().actions()]
        assert cancel_text() == "Cancel"
        assert w.count_label.text().startswith("0 files")
    finally:
        close(qtbot, w)


def test_chinese_setting_without_a_chinese_locale(
    qtbot, settings: QSettings, monkeypatch: pytest.MonkeyPatch, chinese_env
) -> None:
    monkeypatch.setenv("LANG", "C.UTF-8")
    settings.setValue(i18n.LANGUAGE_KEY, "zh_CN")
    w = started(qtbot, settings)
    try:
        assert w.start_button.text() == "开始"
        # The menu offers the three choices, each named in its own language, the saved one
        # checked; the choice is saved with the window.
        names = [a.text() for a in w.ui.language_group.actions()]
        assert names[1:] == ["English", "简体中文"] and names[0].startswith("跟随系统")
        assert w.ui.language_choice() == "zh_CN"
        w.ui.language_group.actions()[1].trigger()
        assert w.message_bar.isVisible() and "重新启动" in w.message_bar.headline.text()
    finally:
        close(qtbot, w)
    assert i18n.chosen(settings) == "en"


def test_plural_forms_in_english_and_chinese(qtbot, chinese_env) -> None:
    i18n.use("en")
    assert i18n.translate("FileList", "%Ln file(s)", "", 1) == "1 file"
    assert i18n.translate("FileList", "%Ln file(s)", "", 20000) == "20,000 files"
    i18n.use("zh_CN")
    assert i18n.translate("FileList", "%Ln file(s)", "", 20000) == "20,000 个文件"


def test_names_sort_in_the_languages_order(qapp, chinese_env) -> None:
    """In Chinese the Name column sorts by pinyin, numbers by value, case ignored; English
    keeps discovery's natural order (tests/gui/test_model.py)."""
    from core.records import FileEntry
    from gui.columns import NAME
    from gui.file_model import FileModel

    added = ["中国.txt", "照片10.jpg", "北京.txt", "照片9.jpg", "阿里.txt", "报告.txt"]
    model = FileModel()
    model.append([FileEntry(f"/d/{n}", 1, 0.0) for n in added])
    i18n.use("zh_CN")
    model.sort(NAME)
    shown = [model.index(r, NAME).data() for r in range(model.rowCount())]
    assert shown == ["阿里.txt", "报告.txt", "北京.txt", "照片9.jpg", "照片10.jpg", "中国.txt"]
    model.sort(NAME, Qt.SortOrder.DescendingOrder)
    assert [model.index(r, NAME).data() for r in range(model.rowCount())] == shown[::-1]
    model.append([FileEntry("/d/Bei.txt", 1, 0.0)])  # keys of added rows are made too
    model.sort(NAME)
    assert model.rowCount() == 7
    i18n.use("en")
    model.sort(NAME)
    assert model.index(0, NAME).data() == "Bei.txt"  # code point order after the letters


def test_self_test_fails_without_the_catalogues(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The packaged app's --self-test checks that the translations load (it passes with the
    shipped ones: tests/packaging/test_frozen_app.py)."""
    from gui import app

    assert i18n.catalogue_problem() is None
    monkeypatch.setattr(i18n, "QM_DIR", tmp_path)
    assert app.main(["--self-test"]) == 1
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "self-test FAILED" in out and "parabatch_en.qm" in out


def window_help(lang: str, tmp_path: Path) -> str:
    """``parabatch --help`` (the window's own command line) as a real process."""
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env.update(LANG=lang, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    env["PARABATCH_SETTINGS"] = str(tmp_path / "settings.ini")
    done = subprocess.run(
        [sys.executable, "-m", "gui", "--help"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=60,
        check=True,
    )
    return done.stdout.decode()


def test_window_help_follows_the_locale(tmp_path: Path) -> None:
    chinese = window_help("zh_CN.UTF-8", tmp_path)
    assert chinese.startswith("用法：parabatch")
    assert "并行批量处理文件。" in chinese
    assert "要添加的文件或文件夹" in chinese  # PATH...
    assert "运行一个小型并行任务，然后退出" in chinese  # --self-test
    assert "把 Parabatch 添加到应用程序菜单" in chinese  # --install-desktop-entry
    assert "移除 --install-desktop-entry 安装的内容，然后退出" in chinese
    assert "显示此帮助信息并退出" in chinese and "选项" in chinese  # argparse's own
    english = window_help("C.UTF-8", tmp_path)
    assert english.startswith("usage: parabatch")
    assert "files or folders to add" in english and "run a small parallel job and exit" in english
    assert not re.search(r"[\u4e00-\u9fff]", english)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_cluster_address_placeholder_fits_at_1024_by_700(
    qtbot, settings: QSettings, lang: str
) -> None:
    """The address field's hint ("local:2 or tcp://host:8786") is not cut off, in English or
    Chinese, in a window of the smallest supported size, and the sidebar keeps its width."""
    from PySide6.QtWidgets import QStyle, QStyleOptionFrame

    i18n.use(lang)
    w = MainWindow(settings)
    try:
        w.resize(1024, 700)
        w.show()
        qtbot.waitExposed(w)
        w.ui.run_on.setCurrentIndex(w.ui.run_on.findData("dask"))
        field = w.ui.cluster_address
        qtbot.waitUntil(field.isVisible, timeout=5000)
        option = QStyleOptionFrame()
        field.initStyleOption(option)
        text_area = field.style().subElementRect(
            QStyle.SubElement.SE_LineEditContents, option, field
        )
        margins = field.textMargins()
        room = text_area.width() - margins.left() - margins.right() - 4  # Qt keeps 2 px a side
        needed = field.fontMetrics().horizontalAdvance(field.placeholderText())
        assert needed <= room, (lang, field.placeholderText(), needed, room)
        assert w.width() == 1024 and w.ui.side_scroll.width() < 1024 // 2
    finally:
        close(qtbot, w)
        i18n.use("en")
        core_i18n.use_language("en")
