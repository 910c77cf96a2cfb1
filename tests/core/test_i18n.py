"""The command line's and core's Simplified Chinese: the catalogue is complete and current,
``--help``, summaries and per-file reasons follow ``LANG``, and machine-readable output
(manifests, ``--json``, the journal's exports) stays byte for byte the same in any language."""

from __future__ import annotations

import errno
import gettext
import io
import json
import os
import re
import shutil
import string
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core import i18n, messages, selftest
from core.cli import ProgressLine
from core.errors import describe_write_error, os_error_sentence
from core.i18n import english, message_for_people
from core.progress import Tracker
from core.records import FileResult, Status
from core.scheduler import describe_exit
from core.wording import columns, wrap
from tests.support import in_ci

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "resources"))
import build_catalogue  # noqa: E402

PO = REPO / "core" / "locale" / "zh_CN" / "LC_MESSAGES" / "parabatch.po"
MO = PO.with_suffix(".mo")
PERCENT = re.compile(r"%(?:\([A-Za-z_]\w*\))?[-#0 +]*\d*(?:\.\d+)?[sdrgfixeEGc]")
BRACE = re.compile(r"\{[^{}]*\}")


def _env(lang: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    return {**env, "LANG": lang, "PYTHONPATH": str(REPO)}


def cli(cwd: Path, lang: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        cwd=cwd,
        env=_env(lang),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=90,
        check=False,
    )


@pytest.fixture
def chinese() -> Iterator[None]:
    assert i18n.use_language("zh_CN") == "zh_CN"
    yield
    i18n.use_language("en")


def _entries() -> list[build_catalogue.Entry]:
    return [e for e in build_catalogue.parse_po(PO) if e.msgid and not e.obsolete]


# --- the catalogue ------------------------------------------------------------------------------


def test_header_declares_utf8_and_one_plural_form() -> None:
    header = build_catalogue.parse_po(PO)[0]
    assert header.msgid == ""
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstr[0]
    assert "charset=UTF-8" in header.msgstr[0] and "Language: zh_CN" in header.msgstr[0]


def test_every_message_has_a_finished_translation() -> None:
    entries = _entries()
    assert len(entries) > 200
    bad = [e.msgid for e in entries if e.fuzzy or not all(e.msgstr) or not e.msgstr]
    assert bad == []
    plural = [e for e in entries if e.msgid_plural is not None]
    assert plural and all(len(e.msgstr) == 1 for e in plural)  # nplurals=1: one form
    untranslated = [e.msgid for e in entries if e.msgstr[0] == e.msgid and e.msgid.isascii()]
    assert untranslated == []


def test_translations_keep_every_placeholder() -> None:
    """A %s, %(name)s or {name} lost in a translation is a crash or a wrong message (an
    escaped brace, ``{{``, is a literal one: not a placeholder)."""

    def fields(text: str) -> set[str]:
        return set(BRACE.findall(text.replace("{{", "").replace("}}", "")))

    wrong = []
    for e in _entries():
        wanted = set()
        for source in (e.msgid, e.msgid_plural or ""):
            wanted |= set(PERCENT.findall(source)) | fields(source)
        for text in e.msgstr:
            found = set(PERCENT.findall(text)) | fields(text)
            if wanted - found:
                wrong.append((e.msgid, sorted(wanted - found)))
    assert wrong == []


def test_the_catalogue_holds_every_string_of_the_sources(tmp_path: Path) -> None:
    """Extract again from today's sources (core's and argparse's): nothing is missing from the
    .po, and the .po holds nothing the sources no longer say."""
    if shutil.which("xgettext") is None and not in_ci():
        pytest.skip("xgettext (GNU gettext) is not installed")
    pot = tmp_path / "fresh.pot"
    build_catalogue.extract(pot)

    def ids(path: Path) -> set[tuple[str, str | None]]:
        entries = build_catalogue.parse_po(path)
        return {(e.msgid, e.msgid_plural) for e in entries if e.msgid and not e.obsolete}

    fresh, translated = ids(pot), ids(PO)
    assert sorted(fresh - translated, key=str) == [], "run resources/build_catalogue.py --update"
    assert sorted(translated - fresh, key=str) == []
    assert ids(build_catalogue.POT) == fresh  # the shipped template is current too


def test_shipped_mo_is_a_fresh_compile_of_the_po() -> None:
    assert MO.read_bytes() == build_catalogue.compile_mo(build_catalogue.parse_po(PO))


def test_our_mo_reads_like_msgfmts(tmp_path: Path) -> None:
    """The Python .mo writer and GNU msgfmt give the same catalogue (msgfmt --check also
    checks the format strings against their flags)."""
    if shutil.which("msgfmt") is None and not in_ci():
        pytest.skip("msgfmt (GNU gettext) is not installed")
    theirs = tmp_path / "msgfmt.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(theirs), str(PO)], check=True)
    with MO.open("rb") as a, theirs.open("rb") as b:
        ours_t, theirs_t = gettext.GNUTranslations(a), gettext.GNUTranslations(b)
    assert ours_t._catalog == theirs_t._catalog  # type: ignore[attr-defined]
    assert ours_t.ngettext("{n} file", "{n} files", 7) == "{n} 个文件"


# --- message_for_people --------------------------------------------------------------------------


def test_a_worker_crash_is_translated_with_its_signal(chinese: None) -> None:
    crashed = describe_exit(-9)
    assert crashed == "worker crashed (signal 9: SIGKILL)"  # what results and JSON keep
    assert message_for_people(crashed) == "工作进程崩溃（信号 9：SIGKILL）"
    twice = english(messages.CRASHED_TIMES, reason=describe_exit(-11), n=2)
    shown = message_for_people(twice)
    assert shown.startswith("处理此文件时工作进程崩溃（信号 11：SIGSEGV），共 2 次")
    assert message_for_people(describe_exit(3)) == "工作进程意外退出，退出码为 3"


def test_nested_messages_and_os_reasons_are_translated(chinese: None) -> None:
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    sentence = describe_write_error(full, "/data/out/a.webp")
    assert sentence.startswith("cannot write the output /data/out/a.webp: no space left on")
    shown = message_for_people(sentence)
    assert shown == (
        "无法写入输出 /data/out/a.webp：存放 /data/out 的磁盘没有剩余空间：请释放一些空间或选择"
        "其他输出文件夹"
    )
    eio = os_error_sentence(OSError(errno.EIO, "Input/output error"), "/x/y")
    # The OS's own text (strerror) stays as the OS gives it, in a translated frame.
    assert message_for_people(eio).startswith("输入/输出错误（Input/output error）：")


def test_every_registered_template_is_translated(chinese: None) -> None:
    """A message made from any template comes out translated, with its raw values in it."""
    for template in i18n.registered():
        forms = template if isinstance(template, tuple) else (template,)
        for form, n in zip(forms, (1, 5), strict=False):
            fields = {f for _, f, _, _ in string.Formatter().parse(form) if f is not None}
            if not all(f.isidentifier() for f in fields):  # "{}" in it: used as it is
                assert message_for_people(form) != form, form
                continue
            values = {f: (str(n) if f == "n" else f"<{f}>") for f in fields}
            made = english(template, **values)
            shown = message_for_people(made)
            assert shown != made, made
            for f in fields & messages.RAW:
                assert values[f] in shown, (made, shown)


def test_unknown_messages_and_english_are_left_as_they_are(chinese: None) -> None:
    assert message_for_people("a plugin's own sentence") == "a plugin's own sentence"
    assert message_for_people("") == ""
    i18n.use_language("en")
    assert message_for_people(describe_exit(-9)) == "worker crashed (signal 9: SIGKILL)"


def test_twenty_thousand_failures_translate_quickly(chinese: None) -> None:
    """The CLI may print 20,000 failures: each distinct message is matched once, in well under
    a millisecond (timing on a shared machine: the bound is loose on purpose)."""
    made = [
        english(
            messages.CANNOT_WRITE_OUTPUT,
            output=f"/data/out/{i}.png",
            what=english(messages.NO_SPACE, disk=english(messages.DISK_HOLDING, folder="/d")),
        )
        for i in range(20_000)
    ]
    started = time.perf_counter()
    shown = [message_for_people(m) for m in made]
    took = time.perf_counter() - started
    assert shown[123].startswith("无法写入输出 /data/out/123.png：存放 /d 的磁盘没有剩余空间")
    assert took < 3.0, f"{took:.2f} s for 20,000 distinct messages"


# --- terminal widths -----------------------------------------------------------------------------


def test_columns_and_wrap_count_wide_characters_twice() -> None:
    assert columns("校验和 ok") == 9
    text = "在 Dask 集群上运行：local 或 local:N（由本程序在本机启动），或 Dask 调度器的地址"
    lines = wrap(text, 20)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(columns(line) <= 20 for line in lines)
    assert not any(line.startswith(("，", "）", "：")) for line in lines)


class _Job:
    def __init__(self, tracker: Tracker) -> None:
        import threading

        self.tracker = tracker
        self.cancel_requested = False
        self.done = threading.Event()


@pytest.mark.parametrize("width", [80, 50, 30, 12])
def test_chinese_progress_line_fits_the_terminal_in_columns(chinese: None, width: int) -> None:
    out = io.StringIO()
    line = ProgressLine(out, columns=width)
    tracker = Tracker([123_456_789] * 3 + [5] * 99_997)
    tracker.input_open = True
    line(_Job(tracker))
    tracker.input_open = False
    for i in range(12_345):
        tracker.file_result(FileResult(i, Status.DONE, "x"))
    job = _Job(tracker)
    job.cancel_requested = True
    line(job)
    redraws = out.getvalue().split("\r")[1:]
    assert len(redraws) == 2
    for drawn in redraws:
        assert 0 < columns(drawn) < width, (width, drawn)
    if width == 80:
        assert "正在扫描" in redraws[0] and "正在取消…" in redraws[1] and "个文件" in redraws[1]


# --- the command line, end to end ----------------------------------------------------------------


def test_help_is_chinese_under_a_chinese_locale(tmp_path: Path) -> None:
    r = cli(tmp_path, "zh_CN.UTF-8", "checksum", "--help")
    assert r.returncode == 0, r.stderr.decode()
    text = r.stdout.decode()
    assert text.startswith("用法：parabatch-cli checksum")
    assert "显示此帮助信息并退出" in text  # argparse's own string
    assert "摘要算法（默认：sha256）" in text  # ours, with argparse's %(default)s filled in
    assert "位置参数" in text and "选项" in text
    english_help = cli(tmp_path, "C.UTF-8", "checksum", "--help").stdout.decode()
    assert english_help.startswith("usage: parabatch-cli checksum")
    assert "digest algorithm (default: sha256)" in english_help
    assert not re.search(r"[\u4e00-\u9fff]", english_help)


def test_language_variable_overrides_lang(tmp_path: Path) -> None:
    """LANGUAGE (GNU's override) wins over LANG, for our strings and argparse's alike."""

    def help_with(**env: str) -> str:
        r = subprocess.run(
            [sys.executable, "-m", "core", "verify", "--help"],
            cwd=tmp_path,
            env={**_env(env.pop("LANG")), **env},
            capture_output=True,
            timeout=60,
            check=True,
        )
        return r.stdout.decode()

    english_help = help_with(LANG="zh_CN.UTF-8", LANGUAGE="en")
    assert english_help.startswith("usage:") and "checksum file to verify" in english_help
    chinese_help = help_with(LANG="C.UTF-8", LANGUAGE="zh_CN")
    assert chinese_help.startswith("用法：") and "要校验的校验和文件" in chinese_help


def test_usage_errors_are_chinese(tmp_path: Path) -> None:
    r = cli(tmp_path, "zh_CN.UTF-8", "checksum")
    assert r.returncode == 2
    assert "parabatch-cli checksum：错误：以下参数是必需的：PATH" in r.stderr.decode()
    r = cli(tmp_path, "zh_CN.UTF-8", "checksum", "no-such-folder")
    assert r.returncode == 2
    assert "没有这样的文件或文件夹：no-such-folder" in r.stderr.decode()


def _no_times(line: str) -> Any:
    doc = json.loads(line)
    if "summary" in doc:
        doc["summary"].pop("seconds")
    return doc


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/mem")
def test_a_failing_job_speaks_chinese_and_writes_the_same_bytes(tmp_path: Path) -> None:
    """A file that cannot be read (/proc/self/mem fails with EIO at offset 0, even for root):
    the summary and the reason are Chinese under zh_CN, while the manifest, --json and the
    journal's CSV export are the same bytes as under LANG=C."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.txt").write_bytes(b"hello\n")
    (data / "b.txt").write_bytes(b"world\n")
    os.symlink("/proc/self/mem", data / "unreadable")
    runs: dict[str, dict[str, Any]] = {}
    for lang in ("C.UTF-8", "zh_CN.UTF-8"):
        tag = lang.split(".")[0]
        journal = tmp_path / f"journal-{tag}.sqlite"
        manifest = tmp_path / f"SUMS-{tag}"
        common = ("--journal", str(journal))
        human = cli(tmp_path, lang, "checksum", "-w", "2", "-o", str(manifest), *common, "data")
        as_json = cli(tmp_path, lang, "checksum", "-w", "2", "--json", "--no-journal", "data")
        export = cli(tmp_path, lang, "jobs", "export", "last", "--format", "csv", *common)
        assert human.returncode == as_json.returncode == 1, human.stderr.decode()
        assert export.returncode == 0, export.stderr.decode()
        runs[tag] = {
            "stderr": human.stderr.decode(),
            "manifest": manifest.read_bytes(),
            "json": [_no_times(line) for line in as_json.stdout.decode().splitlines()],
            "csv": export.stdout,
        }
    en, zh = runs["C"], runs["zh_CN"]
    assert "input/output error (Input/output error)" in en["stderr"]
    assert "2 done, 1 failed, 0 skipped, 0 cancelled of 3" in en["stderr"]
    assert "输入/输出错误（Input/output error）：磁盘或文件可能已损坏或不可用" in zh["stderr"]
    assert "共 3 个：完成 2，失败 1，跳过 0，已取消 0" in zh["stderr"]
    assert "已写入清单" in zh["stderr"] and "1 个失败的文件未写入清单" in zh["stderr"]
    assert zh["manifest"] == en["manifest"] and b"a.txt" in en["manifest"]
    assert zh["json"] == en["json"]
    failed = [rec for rec in en["json"] if rec.get("status") == "failed"]
    assert failed and failed[0]["message"].startswith("input/output error")

    def rows(csv: bytes) -> list[list[str]]:
        """What a file's result says (not when, nor which worker: those differ run to run)."""
        import csv as csv_module

        table = list(csv_module.reader(io.StringIO(csv.decode())))
        said = ("row", "path", "size", "status", "kind", "value", "output", "message")
        keep = [table[0].index(name) for name in said]
        return [[row[i] for i in keep] for row in table]

    assert rows(zh["csv"]) == rows(en["csv"])
    assert "input/output error" in zh["csv"].decode()


def test_language_override_forces_english_or_chinese() -> None:
    assert i18n.use_language("en") == "en" and i18n._("options") == "options"
    assert i18n.use_language("zh-CN") == "zh_CN" and i18n._("options") == "选项"
    assert i18n.ngettext("{n} file", "{n} files", 1) == "{n} 个文件"
    assert i18n.use_language("fr") == "en"  # no catalogue: English
    assert i18n.language() == "en"


def test_self_test_checks_the_chinese_catalogue() -> None:
    before = i18n.language()
    assert "简体中文" in selftest.check_catalogue()
    assert i18n.language() == before  # the check leaves the language as it was


def test_wheel_and_frozen_app_carry_the_catalogue() -> None:
    import fnmatch
    import tomllib

    with (REPO / "pyproject.toml").open("rb") as f:
        patterns = tomllib.load(f)["tool"]["setuptools"]["package-data"]["core"]
    relative = MO.relative_to(REPO / "core").as_posix()
    assert any(fnmatch.fnmatch(relative, p) for p in patterns)
    spec = (REPO / "packaging" / "parabatch.spec").read_text()
    assert 'collect_data_files("core", includes=["locale/*/LC_MESSAGES/*.mo"])' in spec


# --- reasons made from templates: manifests, name templates, output folders, binary files -------


def _manifest(folder: Path, *lines: bytes) -> None:
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"hello\n")
    good = b"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  a.txt"
    (folder / "SUMS").write_bytes(b"\n".join([good, *lines]) + b"\n")


def test_a_manifests_improper_lines_are_explained_in_chinese(tmp_path: Path) -> None:
    _manifest(tmp_path / "d", b"garbage here", b"abc  b.txt")
    zh = cli(tmp_path / "d", "zh_CN.UTF-8", "verify", "--no-journal", "--strict", "SUMS")
    en = cli(tmp_path / "d", "C.UTF-8", "verify", "--no-journal", "--strict", "SUMS")
    assert zh.returncode == en.returncode == 2
    assert (
        "SUMS: line 2: it is not a checksum line (expected 'HEX  NAME' or 'SHA256 (NAME) = HEX'); "
        "1 more bad line(s): 3. Fix or remove these lines (without --strict"
    ) in en.stderr.decode()
    said = zh.stderr.decode()
    assert "SUMS：第 2 行：这不是校验和行（应为“HEX  NAME”或“SHA256 (NAME) = HEX”的形式）" in said
    assert "另有 1 行有问题（第 3 行）。请修正或删除这些行（不加 --strict 时" in said
    assert not re.search(r"[a-z]{4,} [a-z]{4,}", said.replace("parabatch-cli", "")), said
    # Without --strict the line is a failed row: its reason is shown translated where it is
    # shown for people (the window's Result column), and the sha256sum-style lines stay English.
    digits = english(messages.DIGITS_FIT_NONE, n=3)
    row = english(messages.IMPROPER_LINE, line=3, name="SUMS", reason=digits)
    i18n.use_language("zh_CN")
    try:
        assert message_for_people(row) == (
            "SUMS 的第 3 行格式不正确：其摘要有 3 位十六进制数字，不符合任何支持的算法"
        )
    finally:
        i18n.use_language("en")


def test_a_manifest_with_no_usable_line_is_refused_in_chinese(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "SUMS").write_bytes(b"MD5 (a.txt) = " + b"0" * 64 + b"\n")
    r = cli(folder, "zh_CN.UTF-8", "verify", "--no-journal", "SUMS")
    assert r.returncode == 2
    assert (
        "SUMS：第 1 行：其摘要有 64 位十六进制数字，而 md5 的摘要是 32 位。清单中没有可以校验的行："
        "请修正或删除这些行"
    ) in r.stderr.decode()
    r = cli(folder, "zh_CN.UTF-8", "verify", "--no-journal", "--algorithm", "sha256", "SUMS")
    assert "该行标记为 MD5，但选择的算法是 sha256" in r.stderr.decode()
    assert "或用 --algorithm 改选 md5，或去掉 --algorithm" in r.stderr.decode()
    r = cli(folder, "zh_CN.UTF-8", "verify", "--no-journal", "nowhere")
    assert "nowhere：没有这个清单文件；请检查路径后重试" in r.stderr.decode()


def _png(path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (4, 4), (200, 30, 30)).save(path, "PNG")


def test_an_encode_refusal_of_a_png_names_it_in_chinese(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    _png(data / "red.png")
    args = ("encode", "--no-journal", "--output-dir", str(tmp_path / "out"), "data")
    zh, en = cli(tmp_path, "zh_CN.UTF-8", *args), cli(tmp_path, "C.UTF-8", *args)
    assert zh.returncode == en.returncode == 1
    assert "refused: this is a PNG image, not text; nothing was written" in en.stderr.decode()
    assert "已拒绝：这是一张 PNG 图片，不是文本；未写入任何内容" in zh.stderr.decode()
    as_json = [cli(tmp_path, lang, *args, "--json").stdout for lang in ("C.UTF-8", "zh_CN.UTF-8")]
    records = [json.loads(out.decode().splitlines()[0]) for out in as_json]
    assert records[0] == records[1]
    assert records[0]["message"] == "refused: this is a PNG image, not text; nothing was written"


def test_name_template_and_output_folder_errors_are_chinese(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.txt").write_bytes(b"hello\n")
    (tmp_path / "plain-file").write_bytes(b"")
    r = cli(tmp_path, "zh_CN.UTF-8", "encode", "--no-journal", "--name", "{foo}", "data")
    assert r.returncode == 2
    assert "命名模板：未知字段 {foo}；可用的字段有 {name}, {ext}" in r.stderr.decode()
    r = cli(tmp_path, "zh_CN.UTF-8", "encode", "--no-journal", "--name", "{name", "data")
    assert "命名模板 '{name'：" in r.stderr.decode() and "花括号本身请写成 {{ 和 }}" in (
        r.stderr.decode()
    )
    folder = str(tmp_path / "plain-file" / "out")
    args = ("encode", "--no-journal", "--to", "utf-16", "--output-dir", folder, "data")
    zh, en = cli(tmp_path, "zh_CN.UTF-8", *args), cli(tmp_path, "C.UTF-8", *args)
    assert zh.returncode == en.returncode == 2
    plain = str(tmp_path / "plain-file")
    assert f"cannot create the output folder {folder}: {plain} is a file" in en.stderr.decode()
    assert f"无法创建输出文件夹 {folder}：{plain} 是文件而不是文件夹" in zh.stderr.decode()


def test_every_kind_has_a_name_in_both_languages(chinese: None) -> None:
    from core import operations
    from core.kind_names import NAMES, kind_name
    from core.records import Kind

    assert set(NAMES) == {k.slug for k in Kind}
    assert kind_name("crashed-worker") == "工作进程崩溃"
    assert all(kind_name(slug) != NAMES[slug] for slug in NAMES)  # every one translated
    assert kind_name("") == "" and kind_name("a-newer-kind") == "a-newer-kind"
    assert operations.title("checksum") == "生成校验和"
    assert operations.title("no-such-operation") == "no-such-operation"
    i18n.use_language("en")
    assert kind_name("crashed-worker") == "worker crashed"
    assert operations.title("encode") == "Convert text encodings"


def test_an_operation_title_inside_a_sentence_is_translated(chinese: None) -> None:
    """Sentences name an operation by its title in lower case ("convert / resize images")."""
    made = english(messages.CANNOT_HANDLE, n=3, operation="convert / resize images")
    shown = "跳过了 3 个文件：“转换 / 缩放图片”无法处理它们（原因见各文件）"
    assert message_for_people(made) == shown
