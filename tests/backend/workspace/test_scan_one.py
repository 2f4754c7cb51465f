"""A project read alone reads as it does among all the others: on every shared real
project (uv workspaces and their members, poetry, pylock, requirements)."""

from __future__ import annotations

from pathlib import Path

from backend.workspace.scanner import Scanner

FIELDS = (
    "name", "kind", "manifests", "declarations", "locked", "sources", "lock_file",
    "expected", "local_names", "dynamic", "index_url", "workspace", "settings", "errors",
)  # fmt: skip


def test_each_shared_project_alone_reads_as_in_the_full_scan(shared_projects: Path) -> None:
    full = Scanner().scan_all([shared_projects])
    assert len(full) > 100
    differ = []
    for among in full:
        alone = Scanner().scan_one(among.path)
        assert alone is not None
        differ += [(among.path.name, f) for f in FIELDS if getattr(alone, f) != getattr(among, f)]
    assert differ == []


def test_a_folder_without_a_project_is_none(tmp_path: Path) -> None:
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / "requirements.txt").write_text("six\n")
    assert Scanner().scan_one(tmp_path) is None


def test_a_workspace_is_found_in_every_toml_spelling(tmp_path: Path) -> None:
    """The root is told by its `[tool.uv.workspace]` however the TOML spells it; a
    pyproject.toml that never names a workspace is not parsed to find out."""
    spellings = {
        "table": '[tool.uv.workspace]\nmembers = ["packages/*"]\n',
        "dotted": '[tool]\nuv.workspace.members = ["packages/*"]\n',
        "inline": '[tool.uv]\nworkspace = { members = ["packages/*"] }\n',
    }
    for spelling, table in spellings.items():
        root = tmp_path / spelling
        member = root / "packages" / "member"
        member.mkdir(parents=True)
        (root / "pyproject.toml").write_text(f'[project]\nname = "{spelling}"\n{table}')
        (root / "uv.lock").write_text("version = 1\n")
        (member / "pyproject.toml").write_text('[project]\nname = "member"\n')
    scans = {(s.path.parent.parent.name, s.name): s for s in Scanner().scan_all([tmp_path])}
    for spelling in spellings:
        assert scans[(spelling, "member")].kind == "uv-workspace-member", spelling
        assert scans[(spelling, "member")].workspace == tmp_path / spelling
