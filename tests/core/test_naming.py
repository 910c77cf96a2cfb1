"""Output naming: templates, mirrored trees and collision policies, planned without writing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import naming
from core.naming import Action, Collision, NamingRule, Template, plan_outputs


def jpg(_: str) -> str:
    return ".jpg"


def touch(*paths: Path) -> list[str]:
    for p in paths:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
    return [str(p) for p in paths]


def tree_snapshot(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


# --- templates --------------------------------------------------------------------------------
def test_template_renders_every_plan_time_field_with_format_specs() -> None:
    t = Template("{parent}/{name}-{ext}-{counter:03d}")
    values = naming.template_fields("/photos/2024/IMG_1.heic", 7)
    assert t.render(values) == os.path.join("2024", "IMG_1-heic-007")
    assert not t.deferred


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{nme}", "unknown field {nme}"),
        ("{name!r}", "unsupported field syntax"),
        ("{name", "write {{ and }} for braces"),
        ("{}", "unknown field {}"),
        ("", "file name is empty"),
        ("{name}/", "file name is empty"),
        ("/abs/{name}", "relative to the output folder"),
        ("../{name}", "'..' may not climb out"),
        ("{width}/{name}", "may only be in the file name"),
        ("{counter:q}", "name template"),
    ],
)
def test_template_rejects_bad_input_with_a_sentence(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("{", r"\{").replace("(", r"\(")):
        Template(text)


def test_deferred_template_keeps_size_placeholders_and_escapes_other_braces() -> None:
    t = Template("{name}_{width}x{height:05d}")
    assert t.deferred
    pattern = t.render(naming.template_fields("/in/a{b}.png", 1))
    assert pattern == "a{{b}}_{width}x{height:05d}"
    assert naming.size_name(os.path.join("/out", pattern), 640, 48) == os.path.join(
        "/out", "a{b}_640x00048"
    )


def test_deferred_folders_from_fields_are_plain_names() -> None:
    t = Template("{parent}/{name}_{width}")
    pattern = t.render(naming.template_fields("/in/x{1}/a{b}.png", 1))
    assert pattern == os.path.join("x{1}", "a{{b}}_{width}")
    assert naming.size_name(pattern, 5, 5) == os.path.join("x{1}", "a{b}_5")


def test_empty_field_values_become_underscore_not_a_parent_folder() -> None:
    rule = NamingRule(output_dir="/out", template="{parent}/{name}")
    [p] = plan_outputs(["/a.png"], rule, jpg)  # the root folder has no name
    assert p.output == os.path.join("/out", "_", "a.jpg")


def test_numbered_puts_the_counter_before_the_extension() -> None:
    assert naming.numbered("/o/a.b.jpg", 2) == "/o/a.b (2).jpg"


def test_rule_validates_policy_template_and_mirror() -> None:
    assert NamingRule(collision="skip").collision is Collision.SKIP  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        NamingRule(collision="ask")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown field"):
        NamingRule(template="{size}")
    with pytest.raises(ValueError, match="needs an output folder"):
        NamingRule(mirror_tree=True)


# --- placement --------------------------------------------------------------------------------
def test_beside_input_flat_and_mirrored(tmp_path: Path) -> None:
    srcs = touch(tmp_path / "in/a.png", tmp_path / "in/x/b.png", tmp_path / "in/x/y/c.png")
    out = tmp_path / "out"
    beside = plan_outputs(srcs, NamingRule(), jpg)
    assert [p.output for p in beside] == [s[:-4] + ".jpg" for s in srcs]
    flat = plan_outputs(srcs, NamingRule(output_dir=str(out)), jpg)
    assert [p.output for p in flat] == [str(out / n) for n in ("a.jpg", "b.jpg", "c.jpg")]
    mirrored = plan_outputs(srcs, NamingRule(output_dir=str(out), mirror_tree=True), jpg)
    assert [p.output for p in mirrored] == [str(out / n) for n in ("a.jpg", "x/b.jpg", "x/y/c.jpg")]
    assert all(p.action is Action.WRITE and p.note == "" for p in beside + flat + mirrored)


def test_mirror_root_is_the_common_folder_of_the_inputs(tmp_path: Path) -> None:
    srcs = touch(tmp_path / "in/x/b.png", tmp_path / "in/x/y/c.png")
    rule = NamingRule(output_dir=str(tmp_path / "out"), mirror_tree=True)
    outs = [p.output for p in plan_outputs(srcs, rule, jpg)]
    assert outs == [str(tmp_path / "out/b.jpg"), str(tmp_path / "out/y/c.jpg")]


def test_counter_counts_inputs_in_order(tmp_path: Path) -> None:
    srcs = touch(tmp_path / "z.png", tmp_path / "a.png")
    rule = NamingRule(output_dir=str(tmp_path / "o"), template="img{counter:02d}")
    outs = [p.output for p in plan_outputs(srcs, rule, jpg)]
    assert outs == [str(tmp_path / "o/img01.jpg"), str(tmp_path / "o/img02.jpg")]


# --- collisions -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("policy", "action", "output", "note"),
    [
        (Collision.SKIP, Action.SKIP, None, "skip: exists"),
        (Collision.OVERWRITE, Action.OVERWRITE, "a.jpg", "overwrite: exists"),
        (Collision.RENAME, Action.RENAME, "a (2).jpg", "collision: renamed (exists)"),
    ],
)
def test_existing_output_follows_the_policy(
    tmp_path: Path, policy: Collision, action: Action, output: str | None, note: str
) -> None:
    [src] = touch(tmp_path / "in/a.png")
    touch(tmp_path / "out/a.jpg", tmp_path / "out/a (1).jpg")
    rule = NamingRule(output_dir=str(tmp_path / "out"), collision=policy)
    [p] = plan_outputs([src], rule, jpg)
    assert (p.action, p.note) == (action, note)
    assert p.output == (str(tmp_path / "out" / output) if output else None)


@pytest.mark.parametrize(
    ("policy", "second"),
    [
        (Collision.SKIP, (Action.SKIP, None, "skip: same output as a.gif")),
        (
            Collision.RENAME,
            (Action.RENAME, "a (1).jpg", "collision: renamed (same output as a.gif)"),
        ),
        # overwrite never lets one input of the batch replace another's output
        (
            Collision.OVERWRITE,
            (Action.RENAME, "a (1).jpg", "collision: renamed (same output as a.gif)"),
        ),
    ],
)
def test_two_inputs_with_the_same_output_name_collide(
    tmp_path: Path, policy: Collision, second: tuple[Action, str | None, str]
) -> None:
    srcs = touch(tmp_path / "in/a.gif", tmp_path / "in/a.png")
    rule = NamingRule(output_dir=str(tmp_path / "out"), collision=policy)
    first, other = plan_outputs(srcs, rule, jpg)
    assert (first.action, first.output) == (Action.WRITE, str(tmp_path / "out/a.jpg"))
    action, name, note = second
    assert (other.action, other.note) == (action, note)
    assert other.output == (str(tmp_path / "out" / name) if name else None)


def test_output_never_overwrites_a_source(tmp_path: Path) -> None:
    srcs = touch(tmp_path / "a.jpg", tmp_path / "b.png", tmp_path / "b.jpg")

    def plan(policy: Collision) -> list[naming.PlannedOutput]:
        return plan_outputs(srcs[:2], NamingRule(collision=policy), jpg)

    over = plan(Collision.OVERWRITE)
    assert [p.action for p in over] == [Action.REFUSE, Action.OVERWRITE]  # b.jpg is no input
    assert over[0].output is None and "would overwrite a source file" in over[0].note
    skip = plan(Collision.SKIP)
    assert skip[0].note == "skip: output is the source file"
    renamed = plan(Collision.RENAME)
    assert renamed[0].output == str(tmp_path / "a (1).jpg")


def test_deferred_patterns_collide_at_plan_time_and_never_check_the_disk(tmp_path: Path) -> None:
    srcs = touch(tmp_path / "in/a.png", tmp_path / "in/a.gif")
    touch(tmp_path / "out/a_{width}.jpg")  # a literal name: no clash with the pattern
    rule = NamingRule(output_dir=str(tmp_path / "out"), template="{name}_{width}")
    first, second = plan_outputs(srcs, rule, jpg)
    assert first.deferred and first.action is Action.WRITE
    assert first.output == str(tmp_path / "out/a_{width}.jpg")
    assert "collisions resolved when written" in first.note
    assert second.action is Action.RENAME and second.output == str(
        tmp_path / "out/a_{width} (1).jpg"
    )


def test_deferred_overwrite_refuses_a_name_a_source_could_have(tmp_path: Path) -> None:
    srcs = touch(tmp_path / "a.jpg", tmp_path / "a_1024x683.jpg")
    rule = NamingRule(template="{name}_{width}x{height}", collision=Collision.OVERWRITE)
    first, second = plan_outputs(srcs, rule, jpg)
    assert first.action is Action.REFUSE and "could replace the source a_1024x683.jpg" in first.note
    assert second.action is Action.WRITE


def test_planning_writes_nothing(tmp_path: Path) -> None:
    srcs = touch(tmp_path / "in/a.png", tmp_path / "in/d/a.png")
    touch(tmp_path / "in/a.jpg")
    before = tree_snapshot(tmp_path)
    for policy in Collision:
        rule = NamingRule(output_dir=str(tmp_path / "new/out"), mirror_tree=True, collision=policy)
        plan_outputs(srcs, rule, jpg)
        plan_outputs(srcs, NamingRule(collision=policy), jpg)
    assert tree_snapshot(tmp_path) == before


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.lists(st.sampled_from(["a.png", "a.gif", "b.png", "a (1).png", "c.jpg"]), max_size=8),
    existing=st.sets(st.sampled_from(["a.jpg", "a (1).jpg", "b.jpg", "c.jpg"])),
)
def test_rename_always_gives_distinct_free_names(
    tmp_path_factory: pytest.TempPathFactory, names: list[str], existing: set[str]
) -> None:
    root = tmp_path_factory.mktemp("h")
    srcs = touch(*(root / "in" / str(i) / n for i, n in enumerate(names)))
    touch(*(root / "out" / n for n in existing))
    planned = plan_outputs(srcs, NamingRule(output_dir=str(root / "out")), jpg)
    outs = [p.output for p in planned]
    assert None not in outs and len(set(outs)) == len(outs)
    assert not {os.path.basename(str(o)) for o in outs} & existing


def test_many_inputs_with_one_name_are_numbered_in_order() -> None:
    """A template without {name} sends every input to one name: still linear, still unique."""
    srcs = [f"/nonexistent/in/{i}.png" for i in range(3000)]
    outs = [p.output for p in plan_outputs(srcs, NamingRule("/nonexistent/out", "same"), jpg)]
    assert outs[0] == "/nonexistent/out/same.jpg"
    assert outs[-1] == "/nonexistent/out/same (2999).jpg"
    assert len(set(outs)) == len(outs)


# --- output folders ---------------------------------------------------------------------------
def test_output_folders_are_distinct_in_plan_order(tmp_path: Path) -> None:
    srcs = touch(tmp_path / "b" / "1.png", tmp_path / "a" / "2.png", tmp_path / "b" / "3.png")
    planned = plan_outputs(srcs, NamingRule(), jpg)
    assert naming.output_folders(planned) == [str(tmp_path / "b"), str(tmp_path / "a")]
    skip = plan_outputs(srcs, NamingRule(template="same", collision=Collision.SKIP), jpg)
    assert len(naming.output_folders(skip)) == 2  # the skipped ones write nowhere


def test_check_folders_accepts_existing_and_creatable_folders(tmp_path: Path) -> None:
    before = tree_snapshot(tmp_path)
    naming.check_folders([str(tmp_path), str(tmp_path / "new" / "deeper"), ""])
    assert tree_snapshot(tmp_path) == before  # nothing created
    with pytest.raises(ValueError) as e:
        naming.check_folders([str(tmp_path / "new")], creates=False)
    assert str(e.value) == (
        f"the output folder {tmp_path / 'new'} does not exist; create it or choose another"
    )


def test_check_folders_names_a_file_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"")
    with pytest.raises(ValueError) as e:
        naming.check_folders([str(tmp_path), str(tmp_path / "f" / "sub")])
    assert str(e.value) == (
        f"cannot create the output folder {tmp_path / 'f' / 'sub'}: {tmp_path / 'f'} is a file, "
        "not a folder; choose another output folder"
    )
