"""``core`` must import without Qt or ``gui``: worker processes import only ``core``, and
spawning stays fast only if nothing drags PySide6 in. Checked in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PROBE = """
import json, pkgutil, sys
import core, core.operations
names = ["core"]
for info in pkgutil.walk_packages(core.__path__, "core."):
    names.append(info.name)
for name in names:
    __import__(name)
bad = sorted(m for m in sys.modules if m.split(".")[0].startswith(("PySide6", "shiboken6", "gui")))
print(json.dumps({"imported": sorted(n for n in sys.modules if n.startswith("core")), "bad": bad}))
"""


def test_every_core_module_imports_without_qt_or_gui() -> None:
    r = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout.splitlines()[-1])
    on_disk = {
        ".".join(p.relative_to(REPO).with_suffix("").parts)
        for p in (REPO / "core").rglob("*.py")
        if p.name != "__init__.py"
    }
    assert on_disk <= set(report["imported"]), "some core modules were not imported"
    assert "core.operations.checksum" in report["imported"]
    assert report["bad"] == [], f"core pulled in Qt or gui: {report['bad']}"
