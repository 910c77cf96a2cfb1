"""Operation options as data: canonical JSON, a stable key, and back again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core.naming import Collision, NamingRule
from core.operations.checksum import ChecksumOptions
from core.operations.image import ImageOptions
from core.operations.verify import VerifyOptions
from core.options import canonical, from_canonical, options_key

ROOT = Path(__file__).resolve().parents[2]

EXAMPLES = [
    ("checksum", ChecksumOptions()),
    ("checksum", ChecksumOptions("blake3", "/data/B3SUMS")),
    ("verify", VerifyOptions(manifest="/data/SHA256SUMS", list_unlisted=True)),
    ("image", ImageOptions()),
    (
        "image",
        ImageOptions(
            format="webp",
            max_width=1024,
            background=(0, 0, 0),
            naming=NamingRule(template="{name}-small", collision=Collision.RENAME),
        ),
    ),
]


@pytest.mark.parametrize(("op", "options"), EXAMPLES)
def test_round_trip_gives_equal_options_and_the_same_key(op: str, options: object) -> None:
    text = canonical(options)
    back = from_canonical(type(options), text)
    assert back == options
    assert canonical(back) == text
    assert options_key(op, back) == options_key(op, options)


def test_keys_differ_when_anything_differs() -> None:
    keys = {options_key(op, o) for op, o in EXAMPLES}
    assert len(keys) == len(EXAMPLES)
    assert options_key("checksum", ChecksumOptions()) != options_key("verify", ChecksumOptions())


def test_key_is_the_same_in_another_process() -> None:
    """No dependence on hash randomization, object ids or dict order."""
    code = (
        "from core.operations.image import ImageOptions; from core.options import options_key;"
        "print(options_key('image', ImageOptions(max_width=800, quality=70)))"
    )
    out = {
        subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    }
    assert out == {options_key("image", ImageOptions(max_width=800, quality=70))}


def test_runtime_state_is_not_part_of_the_identity() -> None:
    a = ChecksumOptions("sha256", "/x/SUMS")
    b = ChecksumOptions("sha256", "/x/SUMS", manifest_seen=(1, 2, 3, 4))
    assert canonical(a) == canonical(b) == '{"algorithm":"sha256","manifest":"/x/SUMS"}'


def test_canonical_form_is_sorted_and_compact() -> None:
    text = canonical(VerifyOptions(manifest="M"))
    assert " " not in text
    keys = list(__import__("json").loads(text))
    assert keys == sorted(keys)
