"""The "image" options panel: options like the CLI's, the live preview of output names (from
core.naming), settings, and one real job through the window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QSettings

from core.naming import Collision, NamingRule
from core.operations.image import ImageOptions
from core.records import Status
from gui.panels import load_panel
from gui.panels.image_panel import ImagePanel
from tests.gui.conftest import add_and_wait, inputs, run_and_wait


@pytest.fixture
def panel(qtbot) -> ImagePanel:
    p = ImagePanel()
    qtbot.addWidget(p)
    return p


def pick(combo, data: str) -> None:
    i = combo.findData(data)
    assert i >= 0, data
    combo.setCurrentIndex(i)


def images(folder: Path, *names: str) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    for n in names:
        Image.new("RGB", (120, 80), (200, 30, 30)).save(folder / n)
    return [str(folder / n) for n in names]


def test_registered_and_defaults_match_the_cli(panel: ImagePanel) -> None:
    assert load_panel("image") is ImagePanel
    assert (panel.operation, panel.title) == ("image", "Convert / resize images")
    assert panel.options() == ImageOptions()
    assert panel.validate() is None


def test_number_fields_keep_their_own_width(qtbot, panel: ImagePanel) -> None:
    """Quality, PNG level, sizes, scale and the pixel limit are as wide as their values, not
    stretched across the form like the text and choice fields."""
    panel.resize(900, 900)
    panel.show()
    for mode, spins in (
        ("fit", [panel.max_width, panel.max_height, panel.quality, panel.png_level]),
        ("scale", [panel.scale]),
    ):
        pick(panel.resize_mode, mode)  # shows the rows of that mode
        qtbot.waitUntil(lambda s=spins: all(spin.isVisible() for spin in s), timeout=5000)
        for spin in [*spins, panel.max_pixels]:
            assert spin.width() == spin.sizeHint().width(), spin.accessibleName()
            assert spin.isVisible()
        assert all(spin.width() < panel.background.width() / 2 for spin in spins)


def test_fields_make_the_options(qtbot, panel: ImagePanel, tmp_path: Path) -> None:
    with qtbot.waitSignal(panel.changed, timeout=1000):
        pick(panel.format, "WEBP")
    pick(panel.resize_mode, "fit")
    panel.max_width.setValue(800)
    panel.max_height.setValue(0)  # "any"
    panel.quality.setValue(70)
    panel.keep_metadata.setChecked(False)
    panel.background.setText("#000")
    pick(panel.frames, "first")
    panel.output_dir.set_text(str(tmp_path / "out"))
    panel.template.setText("{name}_{width}")
    panel.mirror.setChecked(True)
    pick(panel.collision, "skip")
    assert panel.options() == ImageOptions(
        format="WEBP",
        max_width=800,
        quality=70,
        keep_metadata=False,
        background=(0, 0, 0),
        frames="first",
        naming=NamingRule(str(tmp_path / "out"), "{name}_{width}", True, Collision.SKIP),
    )
    pick(panel.resize_mode, "scale")
    panel.scale.setValue(25)
    o = panel.options()
    assert (o.scale, o.max_width, o.max_height) == (25, None, None)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: p.template.setText("{size}"), "unknown field {size}"),
        (lambda p: p.background.setText("glitter"), "not a colour"),
        (lambda p: (pick(p.resize_mode, "fit"), p.max_width.setValue(0), p.max_height.setValue(0)),
         "maximum width or height"),
    ],
)  # fmt: skip
def test_invalid_options_are_explained(panel: ImagePanel, setup, message: str) -> None:
    panel.set_inputs(*inputs(["/x/a.png"]))
    setup(panel)
    assert message in (panel.validate() or "")
    assert panel.preview.text().startswith("⚠") and message in panel.preview.text()


def test_preview_shows_the_first_names_and_collisions(panel: ImagePanel, tmp_path: Path) -> None:
    assert "Add images" in panel.preview.text()
    paths = images(tmp_path / "in", "a.png", "a.gif", "b.png", "c.png", "d.png", "e.png")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "b.jpg").write_bytes(b"taken")
    panel.output_dir.set_text(str(tmp_path / "out"))
    pick(panel.format, "JPEG")
    panel.set_inputs(*inputs(paths))
    lines = panel.preview.text().splitlines()
    assert lines == [
        "a.png → a.jpg",
        "a.gif → a (1).jpg  (collision: renamed (same output as a.png))",
        "b.png → b (1).jpg  (collision: renamed (exists))",
        "c.png → c.jpg",
    ]
    pick(panel.collision, "skip")
    assert panel.preview.text().splitlines()[1] == "a.gif → —  (skip: same output as a.png)"
    panel.template.setText("{counter:02d}_{width}x{height}")
    assert panel.preview.text().splitlines()[0] == "a.png → 01_{width}x{height}.jpg"
    assert not (tmp_path / "out" / "a.jpg").exists()  # a preview writes nothing


def test_preview_mirrors_relative_to_all_inputs(panel: ImagePanel, tmp_path: Path) -> None:
    first = images(tmp_path / "in" / "x", "a.png")
    other = images(tmp_path / "in" / "y", "b.png")
    panel.output_dir.set_text(str(tmp_path / "out"))
    panel.mirror.setChecked(True)
    panel.set_inputs(*inputs(first + other))
    assert panel.preview.text().splitlines()[0] == "a.png → x/a.png"


def test_settings_round_trip(qtbot, panel: ImagePanel, tmp_path: Path) -> None:
    pick(panel.format, "PNG")
    pick(panel.resize_mode, "fit")
    panel.max_width.setValue(640)
    panel.png_level.setValue(9)
    panel.progressive.setChecked(True)
    panel.output_dir.set_text(str(tmp_path))
    panel.template.setText("{parent}-{name}")
    pick(panel.collision, "overwrite")
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    panel.save_settings(settings)
    settings.sync()
    again = ImagePanel()
    qtbot.addWidget(again)
    again.load_settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    assert again.options() == panel.options()


def test_image_job_through_the_window(qtbot, window, tmp_path: Path) -> None:
    paths = images(tmp_path / "in", "a.png", "b.png")
    (tmp_path / "in" / "notes.png").write_text("not an image")
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    pick(window.op_combo, "image")
    panel = window.panels["image"]
    pick(panel.format, "JPEG")
    pick(panel.resize_mode, "fit")
    panel.max_width.setValue(60)
    panel.output_dir.set_text(str(tmp_path / "out"))
    finished = run_and_wait(qtbot, window)
    assert finished is not None and finished.report.error is None
    statuses = [r.status if r else None for r in finished.tracker.results]
    assert sorted(statuses) == [Status.DONE, Status.DONE, Status.FAILED]
    for name in ("a.jpg", "b.jpg"):
        with Image.open(tmp_path / "out" / name) as im:
            assert im.size == (60, 40)
    assert [Path(p).read_bytes()[:4] for p in paths] == [b"\x89PNG"] * 2
