"""The bundle compiled into uv constraints, rule by rule, and the devkit-owned block of
`[tool.uv] constraint-dependencies`: the user's entries, comments and layout kept, the
block replaced on the next apply, a form it cannot edit refused."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from backend.policy.bundle import load_bundle
from backend.policy.constraint_block import BlockError, user_constraints, with_block, with_include
from backend.policy.constraints import compile_bundle, complement_of


@pytest.mark.parametrize(
    ("denied", "allowed"),
    [("<2.32", ">=2.32"), ("<=1.4", ">1.4"), (">=3", "<3"), (">2", "<=2"), ("==1.0", "!=1.0"),
     ("==1.*", "!=1.*"), ("!=2.0", "==2.0"), (">=1,<1.5", None), ("~=1.4", None)],
)  # fmt: skip
def test_the_complement_of_a_denied_range(denied: str, allowed: str | None) -> None:
    assert complement_of(denied) == allowed


def test_each_rule_is_compiled_or_said_to_be_checked_only(tmp_path: Path) -> None:
    base = tmp_path / "base.toml"
    base.write_text('[[minimum]]\nname = "urllib3"\nversion = "2.2.2"\n')
    bundle = tmp_path / "team.toml"
    bundle.write_text(
        'extend = ["base.toml"]\nonly = true\n'
        '[[deny]]\nname = "Requests"\nversions = "<2.32"\n'
        '[[deny]]\nname = "pycrypto"\n'
        '[[deny]]\nid = "no-mid"\nname = "idna"\nversions = ">=3,<3.7"\n'
        '[[allow]]\nname = "rich"\nversions = ">=13"\n'
        '[[allow]]\nname = "click"\n'
        '[[minimum]]\nname = "certifi"\nversion = "2024.7.4"\nscope = {projects = ["api"]}\n'
        '[licenses]\nallow = ["MIT"]\n[states]\nyanked = "error"\n'
    )
    loaded = load_bundle(bundle)
    constraints, reports = compile_bundle(loaded, lambda scope: scope is None)
    assert constraints == ["requests>=2.32", "rich>=13", "urllib3>=2.2.2"]
    by_rule = {r.rule: r for r in reports}
    assert by_rule["minimum:urllib3"].constraint == "urllib3>=2.2.2"  # from the extended file
    assert by_rule["deny:pycrypto"].constraint is None
    assert "checked only" in by_rule["deny:pycrypto"].why
    assert by_rule["no-mid"].constraint is None and "complement" in by_rule["no-mid"].why
    assert by_rule["allow:click"].constraint is None
    assert "scope" in by_rule["minimum:certifi"].why
    assert {"only", "licenses", "states"} <= set(by_rule)
    assert not any(by_rule[k].compiled for k in ("only", "licenses", "states"))
    in_api, _ = compile_bundle(loaded, lambda scope: True)
    assert "certifi>=2024.7.4" in in_api


USER_OWN = """\
[project]
name = "app"

[tool.uv]
# the team's own pins, kept
constraint-dependencies = [
    "gamma<2", # not 2 yet]
    'delta!=1.3'
]
package = true

[tool.ruff]
line-length = 100
"""


def test_the_block_goes_after_the_user_s_entries_and_is_replaced() -> None:
    once = with_block(USER_OWN, ["beta>=2", "alpha>=1.1"])
    assert once.startswith(USER_OWN.split("    'delta!=1.3'")[0])  # everything above kept
    assert once.endswith("]\npackage = true\n\n[tool.ruff]\nline-length = 100\n")
    listed = tomllib.loads(once)["tool"]["uv"]["constraint-dependencies"]
    assert listed == ["gamma<2", "delta!=1.3", "beta>=2", "alpha>=1.1"]
    assert user_constraints(once) == ["gamma<2", "delta!=1.3"]
    twice = with_block(once, ["beta>=2.1"])
    assert tomllib.loads(twice)["tool"]["uv"]["constraint-dependencies"][-1] == "beta>=2.1"
    assert twice.count("# >>> devkit-tui policy") == twice.count("# <<< devkit-tui") == 1
    removed = with_block(twice, [])
    assert "devkit-tui" not in removed
    assert tomllib.loads(removed)["tool"]["uv"]["constraint-dependencies"] == [
        "gamma<2", "delta!=1.3"
    ]  # fmt: skip


def test_a_new_tool_uv_table_comes_before_its_sub_tables() -> None:
    text = '[tool.uv.workspace]\nmembers = ["packages/*"]\n'
    edited = with_block(text, ["beta>=2"])
    assert edited.index("[tool.uv]\n") < edited.index("[tool.uv.workspace]")
    document = tomllib.loads(edited)
    assert document["tool"]["uv"]["constraint-dependencies"] == ["beta>=2"]
    assert document["tool"]["uv"]["workspace"] == {"members": ["packages/*"]}
    assert with_block('[project]\nname = "x"', []) == '[project]\nname = "x"'


def test_a_form_it_cannot_edit_is_refused() -> None:
    inline = '[tool]\nuv = { constraint-dependencies = ["a<2"] }\n'
    with pytest.raises(BlockError, match="by hand: beta>=2"):
        with_block(inline, ["beta>=2"])
    with pytest.raises(BlockError, match="no end line"):
        with_block(with_block(USER_OWN, ["b>1"]).replace("# <<< devkit-tui policy", ""), [])


def test_the_include_line_is_added_once_at_the_end() -> None:
    text = "# pins\nalpha==1.0.0\n"
    once = with_include(text, "../devkit-constraints.txt")
    assert once == text + "-c ../devkit-constraints.txt  # devkit-tui policy\n"
    assert with_include(once, "../devkit-constraints.txt") == once
    assert with_include("alpha==1", "c.txt") == "alpha==1\n-c c.txt  # devkit-tui policy\n"
