"""encode: real text files of every listed encoding (made here from known sentences with
Python's codecs), real worker processes, and the real iconv to compare the outputs with."""

from __future__ import annotations

import codecs
import gzip
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from core.discover import scan
from core.engine import Engine, run_job
from core.naming import Collision, NamingRule
from core.operations import get
from core.operations.encode import EncodeOptions, format_value, replaced_in
from core.operations.encode_detect import SAMPLE_SIZE, detect
from core.records import Kind, Status
from tests.support import require_tool

REPO = Path(__file__).resolve().parents[2]

ZH_S = (
    "春天来了，公园里的花都开了。孩子们在草地上奔跑，老人们坐在长椅上聊天。"
    "今天的天气非常好，我们决定去河边散步，顺便买一些新鲜的水果和蔬菜。"
    "这本书讲述了一个年轻人离开家乡，到大城市寻找梦想的故事。\n"
)
ZH_T = (
    "春天來了，公園裡的花都開了。孩子們在草地上奔跑，老人們坐在長椅上聊天。"
    "今天的天氣非常好，我們決定去河邊散步，順便買一些新鮮的水果和蔬菜。"
    "這本書講述了一個年輕人離開家鄉，到大城市尋找夢想的故事。\n"
)
JA = (
    "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。"
    "何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。"
    "今日は朝から雨が降っていたので、図書館で本を読んで過ごしました。\n"
)
KO = (
    "오늘은 날씨가 정말 좋습니다. 우리는 공원에서 산책을 하고 맛있는 점심을 먹었습니다. "
    "한국어는 세종대왕이 만든 한글로 씁니다. 이 책은 아주 재미있어서 밤새도록 읽었습니다.\n"
)
RU = (
    "Мороз и солнце; день чудесный! Ещё ты дремлешь, друг прелестный. "
    "Москва - столица России, крупнейший по численности населения город страны. "
    "Вчера мы ходили в театр и смотрели новый спектакль.\n"
)
FR = (
    "Le cœur a ses raisons que la raison ne connaît point. L'été dernier, nous sommes allés "
    "à la plage près de Nice ; il faisait très chaud et les enfants étaient ravis. "
    "Ça coûte 15 € — déjà payé, « merci » !\n"
)
DE = (
    "Falsches Üben von Xylophonmusik quält jeden größeren Zwerg. Die Straße führt über "
    "die Brücke zum Bahnhof, wo wir uns um fünf Uhr treffen. Grüße aus München!\n"
)

# file name: (Python codec, iconv name, text)
CASES = {
    "zh-gb18030.txt": ("gb18030", "GB18030", ZH_S),
    "zh-gbk.srt": ("gbk", "GBK", ZH_S),
    "zh-big5.txt": ("big5", "BIG5", ZH_T),
    "ja-sjis.srt": ("shift_jis", "SHIFT_JIS", JA),
    "ja-eucjp.txt": ("euc_jp", "EUC-JP", JA),
    "ko-euckr.txt": ("euc_kr", "EUC-KR", KO),
    "ja-utf16-bom.txt": ("utf-16", "UTF-16", JA),
    "zh-utf16le.txt": ("utf-16-le", "UTF-16LE", ZH_S),
    "fr-utf16be.txt": ("utf-16-be", "UTF-16BE", FR),
    "fr-cp1252.csv": ("cp1252", "CP1252", FR),
    "de-latin1.txt": ("latin-1", "ISO-8859-1", DE),
    "ru-koi8r.txt": ("koi8-r", "KOI8-R", RU),
}
# What iconv calls the codecs detection answers with.
ICONV = {
    "gb18030": "GB18030",
    "big5": "BIG5",
    "cp932": "CP932",
    "shift_jis": "SHIFT_JIS",
    "euc_jis_2004": "EUC-JISX0213",
    "euc_jp": "EUC-JP",
    "cp949": "CP949",
    "euc_kr": "EUC-KR",
    "utf-16-le": "UTF-16LE",
    "utf-16-be": "UTF-16BE",
    "cp1252": "CP1252",
    "iso8859-1": "ISO-8859-1",
    "koi8-r": "KOI8-R",
}


def make_files(folder: Path, repeat: int = 12, crlf: bool = True) -> dict[str, str]:
    """Every case as a file; returns name -> the text it holds."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = {}
    for name, (codec, _, text) in CASES.items():
        body = text * repeat
        if crlf:
            body = body.replace("\n", "\r\n")
        (folder / name).write_bytes(body.encode(codec))
        texts[name] = body
    return texts


def iconv(src: str, path: Path) -> bytes:
    tool = require_tool("iconv")
    return subprocess.run(
        [tool, "-f", src, "-t", "UTF-8", str(path)], check=True, capture_output=True
    ).stdout


def run(engine: Engine, options: EncodeOptions, *paths: Path) -> tuple[Any, Any, dict[str, Any]]:
    op = get("encode")
    plan = op.plan(scan([str(p) for p in paths]), options)
    job, report = run_job(engine, "encode", options, plan)
    results = zip(job.tasks, job.tracker.results, strict=True)
    return job, report, {os.path.basename(t.path): r for t, r in results}


def in_dir(out: Path, **kw: Any) -> EncodeOptions:
    return EncodeOptions(naming=NamingRule(output_dir=str(out), template="{name}"), **kw)


def test_detected_encodings_convert_as_iconv_does(engine: Engine, tmp_path: Path) -> None:
    texts = make_files(tmp_path / "in")
    out = tmp_path / "out"
    job, report, by = run(engine, in_dir(out), tmp_path / "in")
    assert job.tracker.counts[Status.DONE] == len(CASES), by
    for name, text in texts.items():
        r = by[name]
        detected = r.value.split(" ")[0].removesuffix("+BOM")
        assert r.value.endswith(" → utf-8+BOM" if name.endswith("bom.txt") else " → utf-8")
        assert "%)" in r.value, r.value  # the confidence
        got = (out / name).read_bytes()
        # Sources untouched; the text is the known text, and iconv agrees byte for byte.
        assert (tmp_path / "in" / name).read_bytes() == text.encode(CASES[name][0])
        # The BOM is kept (by default): as iconv from UTF-16LE keeps U+FEFF.
        assert got == iconv(ICONV[detected], tmp_path / "in" / name), name
        assert got.decode("utf-8-sig") == text, (name, r.value)
    assert report.lines == [
        "1 file detected with low confidence: check it (the results say why), or name the encoding"
    ]


@pytest.mark.parametrize("name", list(CASES))
def test_a_named_encoding_converts_as_iconv_does(engine: Engine, tmp_path: Path, name: str) -> None:
    codec, iconv_name, text = CASES[name]
    src = tmp_path / "in"
    src.mkdir()
    (src / name).write_bytes((text * 40).encode(codec))
    out = tmp_path / "out"
    _, _, by = run(engine, in_dir(out, source=iconv_name, bom="remove"), src / name)
    assert by[name].status == Status.DONE, by[name]
    assert by[name].value.startswith(f"{codecs.lookup(iconv_name).name}"), by[name].value
    assert "(named)" in by[name].value
    assert (out / name).read_bytes() == iconv(iconv_name, src / name)


def test_a_large_file_streams_and_a_late_bad_byte_fails_with_its_offset(
    engine: Engine, tmp_path: Path
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    good = (ZH_S * 60_000).encode("gb18030")  # ~11 MiB: memory-mapped, far past the sample
    (src / "big.txt").write_bytes(good)
    at = len(ZH_S.encode("gb18030")) * 20_000 + 6  # past 3 MiB, where a character starts
    (src / "late-bad.txt").write_bytes(good[:at] + b"\xff" + good[at:])
    out = tmp_path / "out"
    _, _, by = run(engine, in_dir(out), src)
    assert by["big.txt"].status == Status.DONE
    assert (out / "big.txt").read_bytes() == iconv("GB18030", src / "big.txt")
    bad = by["late-bad.txt"]
    assert bad.status == Status.FAILED and bad.kind == Kind.DAMAGED, bad
    assert f"not valid gb18030 at byte {at} " in bad.message, bad.message
    assert sorted(os.listdir(out)) == ["big.txt"]  # no half-written output, no temporary
    # Replacing instead: done, and the count is in the result and in the summary.
    _, report, by = run(engine, in_dir(out, replace=True), src / "late-bad.txt")
    r = by["late-bad.txt"]
    assert r.status == Status.DONE and r.kind == Kind.REPLACED, r
    assert replaced_in(r.value) == 1 and "1 undecodable byte sequence replaced" in r.message
    assert report.lines == [
        "1 file had bytes replaced that did not convert (1 replacement in all): check it"
    ]
    text = (out / "late-bad.txt").read_text("utf-8")
    assert text == good[:at].decode("gb18030") + "\ufffd" + good[at:].decode("gb18030")


def _binaries(folder: Path) -> None:
    folder.mkdir()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(folder / "photo.png")
    Image.new("RGB", (64, 64), (20, 30, 200)).save(folder / "photo.jpg", quality=90)
    with zipfile.ZipFile(folder / "texts.zip", "w") as z:
        z.writestr("a.txt", ZH_S * 20)
    (folder / "notes.txt.gz").write_bytes(gzip.compress((FR * 20).encode()))
    (folder / "program").write_bytes(Path(sys.executable).resolve().read_bytes()[:200_000])
    (folder / "data.bin").write_bytes(bytes(range(256)) * 50)
    # Text for 2 MiB, then a NUL: past the sample, still refused, at its offset.
    head = (RU * 20_000).encode("koi8-r")[: 2 * SAMPLE_SIZE]
    (folder / "late-nul.txt").write_bytes(head + b"\0" + b"tail\n")


def test_binary_files_are_refused_with_a_reason(engine: Engine, tmp_path: Path) -> None:
    _binaries(tmp_path / "in")
    out = tmp_path / "out"
    _, report, by = run(engine, in_dir(out), tmp_path / "in")
    for name, r in by.items():
        assert r.status == Status.FAILED and r.kind == Kind.NOT_TEXT, (name, r)
        assert r.message.startswith("refused: ") and "not text" in r.message
    assert "PNG image" in by["photo.png"].message
    assert "JPEG image" in by["photo.jpg"].message
    assert "ZIP archive" in by["texts.zip"].message
    assert "gzip data" in by["notes.txt.gz"].message
    assert f"NUL byte at byte {2 * SAMPLE_SIZE}" in by["late-nul.txt"].message
    assert not out.exists() or os.listdir(out) == []
    assert report.lines == [f"{len(by)} files refused: binary data, not text"]


def test_already_in_the_target_encoding_is_skipped_not_rewritten(
    engine: Engine, tmp_path: Path
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "utf8.txt").write_bytes((RU * 5).encode())
    (src / "ascii.txt").write_bytes(b"plain old text\n" * 5)
    (src / "bom.txt").write_bytes(codecs.BOM_UTF8 + (JA * 5).encode())
    (src / "crlf.txt").write_bytes((KO * 5).replace("\n", "\r\n").encode())
    # Beside the inputs, with the default names.
    _, report, by = run(engine, EncodeOptions(), src)
    assert all(r.status == Status.SKIPPED for r in by.values()), by
    assert all(r.kind == Kind.ALREADY_IN_TARGET for r in by.values())
    assert by["ascii.txt"].message == (
        "already utf-8 (plain ASCII): nothing to change, not rewritten"
    )
    assert by["bom.txt"].message.startswith("already utf-8+BOM (detected, 100%)")
    assert sorted(os.listdir(src)) == ["ascii.txt", "bom.txt", "crlf.txt", "utf8.txt"]
    assert report.lines == ["4 files already in utf-8: skipped, not rewritten"]
    # LF wanted: only the file with CRLF changes; the BOM removed: only the file with one.
    _, _, by = run(engine, EncodeOptions(newline="lf"), src)
    assert by["crlf.txt"].status == Status.DONE, by["crlf.txt"]
    assert "line endings → LF" in by["crlf.txt"].message
    assert (src / "crlf.utf8.txt").read_bytes() == (KO * 5).encode()
    assert [n for n, r in by.items() if r.status == Status.SKIPPED] == [
        "ascii.txt",
        "bom.txt",
        "utf8.txt",
    ]
    _, _, by = run(engine, EncodeOptions(bom="remove"), src / "bom.txt")
    assert by["bom.txt"].status == Status.DONE and by["bom.txt"].message == "BOM removed"
    assert (src / "bom.utf8.txt").read_bytes() == (JA * 5).encode()


def test_bom_and_line_endings(engine: Engine, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    mixed = "one\r\ntwo\nthree\rfour\r\n" * 1000 + FR
    (src / "mixed.txt").write_bytes(mixed.encode("cp1252"))
    # A CR at the very end of a block, its LF in the next one.
    edge = "x" * (SAMPLE_SIZE + 128 * 1024 - 1) + "\r\n" + "é\r\n" * 100
    (src / "edge.txt").write_bytes(edge.encode("cp1252"))
    (src / "u16.txt").write_bytes(codecs.BOM_UTF16_LE + ZH_S.encode("utf-16-le") * 10)
    out = tmp_path / "out"
    lf = in_dir(out, source="cp1252", newline="lf", bom="add")
    _, _, by = run(engine, lf, src / "mixed.txt", src / "edge.txt")
    assert (out / "mixed.txt").read_bytes() == codecs.BOM_UTF8 + mixed.replace(
        "\r\n", "\n"
    ).replace("\r", "\n").encode("utf-8")
    assert (out / "edge.txt").read_bytes() == codecs.BOM_UTF8 + edge.replace("\r\n", "\n").encode()
    assert by["mixed.txt"].message == "BOM added; line endings → LF"
    crlf = EncodeOptions(
        source="cp1252",
        newline="crlf",
        naming=NamingRule(output_dir=str(out), template="{name}", collision=Collision.OVERWRITE),
    )
    run(engine, crlf, src / "mixed.txt", src / "edge.txt")
    want = mixed.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    assert (out / "mixed.txt").read_bytes() == want.encode()
    assert (out / "edge.txt").read_bytes() == edge.encode()  # CRLF already, and a BOM none
    # UTF-16 with a BOM: kept by default (as UTF-8's), dropped on request; other targets.
    _, _, by = run(engine, in_dir(out / "keep"), src / "u16.txt")
    assert (out / "keep" / "u16.txt").read_bytes() == codecs.BOM_UTF8 + (ZH_S * 10).encode()
    assert by["u16.txt"].value == "utf-16-le+BOM (100%) → utf-8+BOM"
    run(engine, in_dir(out / "gb", target="gb18030", bom="remove"), src / "u16.txt")
    assert (out / "gb" / "u16.txt").read_bytes() == (ZH_S * 10).encode("gb18030")
    run(engine, in_dir(out / "be", target="utf-16-be"), src / "u16.txt")
    assert (out / "be" / "u16.txt").read_bytes() == codecs.BOM_UTF16_BE + (ZH_S * 10).encode(
        "utf-16-be"
    )
    with pytest.raises(ValueError, match="no byte order mark"):
        EncodeOptions(target="gb18030", bom="add")


def test_low_confidence_is_flagged(engine: Engine, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "short.txt").write_bytes("Très bien, ça va.\n".encode("cp1252"))
    (src / "sure.txt").write_bytes((ZH_S * 5).encode("gb18030"))
    _, report, by = run(engine, in_dir(tmp_path / "out"), src)
    short = by["short.txt"]
    assert short.status == Status.DONE and short.kind == Kind.LOW_CONFIDENCE, short
    assert "low confidence: check it" in short.message
    assert by["sure.txt"].kind == Kind.NONE and by["sure.txt"].message == ""
    assert report.lines == [
        "1 file detected with low confidence: check it (the results say why), or name the encoding"
    ]


def test_wrong_named_encoding_and_unencodable_text_fail_with_where(
    engine: Engine, tmp_path: Path
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    body = ("abc\n" * 100).encode() + (ZH_S * 3).encode("gb18030")
    (src / "gb.txt").write_bytes(body)
    out = tmp_path / "out"
    _, _, by = run(engine, in_dir(out, source="shift_jis"), src)
    r = by["gb.txt"]
    assert r.status == Status.FAILED and r.kind == Kind.DAMAGED
    assert "not valid shift_jis at byte " in r.message and "check the encoding named" in r.message
    offset = int(r.message.split(" at byte ")[1].split(" ")[0])
    with pytest.raises(UnicodeDecodeError) as e:
        body.decode("shift_jis")
    assert offset == e.value.start
    # Chinese has no Windows-1252 form: failed, or written as ? when asked to replace.
    _, _, by = run(engine, in_dir(out, target="cp1252"), src)
    r = by["gb.txt"]
    assert r.status == Status.FAILED and r.kind == Kind.UNENCODABLE, r
    assert "has no cp1252 form" in r.message
    assert not out.exists() or os.listdir(out) == []
    _, _, by = run(engine, in_dir(out, target="cp1252", replace=True), src)
    n = sum(1 for c in ZH_S * 3 if not c.isascii())
    assert by["gb.txt"].kind == Kind.REPLACED and replaced_in(by["gb.txt"].value) == n


def test_outputs_are_named_beside_the_input_and_never_over_it(
    engine: Engine, tmp_path: Path
) -> None:
    src = tmp_path / "in"
    make_files(src)
    run(engine, EncodeOptions(), src / "zh-gb18030.txt", src / "ru-koi8r.txt")
    assert sorted(os.listdir(src)) == sorted([*CASES, "zh-gb18030.utf8.txt", "ru-koi8r.utf8.txt"])
    _, _, by = run(engine, EncodeOptions(), src / "zh-gb18030.txt")  # again: renamed
    assert by["zh-gb18030.txt"].output == str(src / "zh-gb18030.utf8 (1).txt")
    same = EncodeOptions(naming=NamingRule(template="{name}", collision=Collision.OVERWRITE))
    _, _, by = run(engine, same, src / "ru-koi8r.txt")
    r = by["ru-koi8r.txt"]
    assert r.status == Status.FAILED and r.kind == Kind.REFUSED
    assert (src / "ru-koi8r.txt").read_bytes() == (RU * 12).replace("\n", "\r\n").encode("koi8-r")


def test_cancel_leaves_no_partial_outputs(engine: Engine, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    data = (JA * 40_000).encode("euc_jp")  # ~8 MiB each
    for i in range(8):
        (src / f"f{i}.txt").write_bytes(data)
    out = tmp_path / "out"
    options = in_dir(out)
    plan = get("encode").plan(scan([str(src)]), options)

    def cancel_after_first(job: Any) -> None:
        if job.tracker.counts[Status.DONE] >= 1:
            job.cancel()

    job, report = run_job(engine, "encode", options, plan, on_tick=cancel_after_first, tick=0.02)
    assert report.cancelled and job.tracker.counts[Status.CANCELLED] >= 1
    written = sorted(os.listdir(out))
    assert not [n for n in written if ".partial-" in n]
    for name in written:
        assert (out / name).read_bytes().decode("utf-8") == data.decode("euc_jp")


def test_detection_in_memory() -> None:
    for name, (codec, _, text) in CASES.items():
        d = detect((text * 3).encode(codec), True)
        assert (text * 3).encode(codec)[d.bom :].decode(d.codec) == text * 3, (name, d)
    with pytest.raises(ValueError, match="unknown encoding"):
        EncodeOptions(source="no-such-thing")
    with pytest.raises(ValueError, match="not a text encoding"):
        EncodeOptions(target="base64")
    d = detect(b"hello\n", True)
    assert format_value(d, "utf-8", 0) == "ascii (100%) → utf-8"
    assert replaced_in(format_value(d, "utf-8", 7)) == 7


def test_cli_dry_run_json_and_usage_errors(tmp_path: Path) -> None:
    src = tmp_path / "in"
    make_files(src, repeat=3)
    (src / "already.txt").write_bytes((KO * 3).encode())
    Image.new("RGB", (8, 8)).save(buf := io.BytesIO(), "PNG")
    (src / "pic.png").write_bytes(buf.getvalue())
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cli = [sys.executable, "-m", "core", "encode", "--no-journal"]
    dry = subprocess.run(
        [*cli, "--dry-run", str(src)], capture_output=True, text=True, env=env, check=True
    )
    lines = {line.split(" -> ")[0]: line for line in dry.stdout.splitlines()}
    gb = lines[str(src / "zh-gb18030.txt")]
    assert f"-> {src / 'zh-gb18030.utf8.txt'}  [gb18030 (100%) → utf-8]" in gb
    assert (
        "(nothing written)  [skip: already utf-8 (detected, 100%)]"
        in lines[str(src / "already.txt")]
    )
    assert "refused: this is a PNG image" in lines[str(src / "pic.png")]
    assert sorted(os.listdir(src)) == sorted([*CASES, "already.txt", "pic.png"])  # wrote nothing
    out = tmp_path / "out"
    done = subprocess.run(
        [*cli, "--json", "--output-dir", str(out), "--newline", "lf", str(src)],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # the PNG failed; every text was converted
    assert sorted(os.listdir(out)) == sorted(CASES)
    for usage in (["--bom", "add", "--to", "gb18030"], ["--from", "nope"], ["--mirror-tree"]):
        bad = subprocess.run([*cli, *usage, str(src)], capture_output=True, text=True, env=env)
        assert bad.returncode == 2, (usage, bad.stderr)
