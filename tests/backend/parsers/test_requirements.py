"""requirements files: pins, ranges, markers, extras, includes, hashes, -e, URLs, continuations."""

from __future__ import annotations

from pathlib import Path

from backend.parsers.requirements import parse_requirements


def test_every_form_of_line(tmp_path: Path) -> None:
    (tmp_path / "base.txt").write_text("idna==3.4\n")
    (tmp_path / "constraints.txt").write_text("urllib3<3\n")
    local = tmp_path / "localpkg"
    local.mkdir()
    (local / "pyproject.toml").write_text('[project]\nname = "local-pkg"\n')
    req = tmp_path / "requirements.txt"
    req.write_text(
        "# a comment\n"
        "-r base.txt\n"
        "-c constraints.txt\n"
        "--index-url https://example.invalid/simple\n"
        "requests[socks]==2.31.0 \\\n"
        "    --hash=sha256:aaaa \\\n"
        "    --hash=sha256:bbbb\n"
        "django>=4.2,<5 ; python_version >= '3.10'  # trailing comment\n"
        "-e ./localpkg\n"
        "-e .\n"
        "pip @ https://files.example.invalid/pip-24.0-py3-none-any.whl\n"
        "git+https://github.com/pallets/flask.git@3.0.0#egg=flask\n"
        "not a valid == requirement\n"
    )
    parsed = parse_requirements(req)
    by_name = {d.name: d for d in parsed.declarations}
    assert set(by_name) == {"idna", "requests", "django", "local-pkg", "pip", "flask"}
    assert by_name["requests"].specifier == "==2.31.0" and by_name["requests"].line == 5
    assert by_name["requests"].extras == ("socks",)
    assert by_name["django"].markers == 'python_version >= "3.10"'
    assert by_name["django"].line == 8
    assert by_name["local-pkg"].editable
    assert by_name["flask"].url and by_name["flask"].url.startswith("git+https://")
    assert by_name["idna"].file == str(tmp_path / "base.txt")
    assert all(d.group == "requirements:requirements.txt" for d in parsed.declarations)
    assert [c.name for c in parsed.constraints] == ["urllib3"]
    assert parsed.pins == {"idna": "3.4", "requests": "2.31.0"}
    (error,) = parsed.errors
    assert error.line == 13 and error.file == str(req)


def test_include_cycle_and_missing_include(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("-r b.txt\nclick\n")
    (tmp_path / "b.txt").write_text("-r a.txt\n-r missing.txt\nrich\n")
    parsed = parse_requirements(tmp_path / "a.txt")
    assert sorted(d.name for d in parsed.declarations) == ["click", "rich"]
    (error,) = parsed.errors
    assert error.file == str(tmp_path / "b.txt") and error.line == 2
    assert "missing.txt" in error.message


def test_real_netbox_pins(shared_projects: Path) -> None:
    path = shared_projects / "netbox-community__netbox" / "requirements.txt"
    parsed = parse_requirements(path)
    lines = [ln for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    assert len(parsed.declarations) == len(lines) == 46
    assert len(parsed.pins) == 46 and parsed.errors == []
    psycopg = next(d for d in parsed.declarations if d.name == "psycopg")
    assert psycopg.extras == ("c", "pool")
