"""A registry's own Rego policies, run as Weaver runs them: every `*.rego` file in the
registry folder, package `before_resolution` over each semantic-convention file as
written, package `after_resolution` over the resolved registry; each `deny` entry is
a finding.

The Rego engine is regopy (rego-cpp), an optional dependency (`devkit-tui[rego]`):
without it the policies are not run and one `information` finding says so.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from backend.weaver.findings import LEVELS, Finding
from backend.weaver.loader import LINE_KEY, RawRegistry
from backend.weaver.resolver import Attribute, Registry


def policy_files(root: Path) -> list[Path]:
    """`*.rego` under the registry folder (hidden folders left out)."""
    return sorted(
        p for p in root.rglob("*.rego") if not any(part.startswith(".") for part in p.parts)
    )


def run_policies(raw: RawRegistry, registry: Registry) -> list[Finding]:
    files = policy_files(raw.root)
    if not files:
        return []
    try:
        from regopy import Interpreter  # type: ignore[import-not-found]
    except ImportError:
        return [
            Finding(
                "policies_not_run",
                "information",
                f"{len(files)} Rego policy file(s) in this registry were not run: the Rego"
                " engine is not installed (pip install 'devkit-tui[rego]')",
                str(files[0]),
            )
        ]
    with _engine_output_hidden():
        return _run(Interpreter, files, raw, registry)


@contextlib.contextmanager
def _engine_output_hidden() -> Iterator[None]:
    """rego-cpp prints its error reports on the process's standard output (the C++
    stream, not Python's); they would corrupt `check --json`. The same reports
    reach us as exceptions, so file descriptor 1 points at /dev/null meanwhile."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _run(
    interpreter: Any, files: list[Path], raw: RawRegistry, registry: Registry
) -> list[Finding]:
    findings: list[Finding] = []
    modules: list[tuple[Path, str]] = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        problem = _parse_problem(interpreter, path, text)
        if problem:
            findings.append(problem)
        else:
            modules.append((path, text))
    if not modules:
        return findings
    lines = {group_id: (file, line) for file, line, group_id in _group_places(raw)}
    problems: dict[str, Finding] = {}
    for path, groups in _files(raw):
        found, failed = _deny(interpreter, modules, "before_resolution", {"groups": groups})
        findings += [_finding(v, lines, default_file=str(path)) for v in found]
        problems.update((p.message, p) for p in failed)
    resolved = {"groups": [_resolved_group(g) for g in registry.groups.values()]}
    found, failed = _deny(interpreter, modules, "after_resolution", resolved)
    findings += [_finding(v, lines) for v in found]
    problems.update((p.message, p) for p in failed)
    return findings + list(problems.values())


def _parse_problem(interpreter: Any, path: Path, text: str) -> Finding | None:
    rego = interpreter()
    try:
        rego.add_module(path.name, text)
        rego.query("true")
    except Exception as exc:  # regopy raises its own RegoError with the parser's report
        first = " ".join(str(exc).split())[:300]
        return Finding("invalid_policy_file", "violation", f"{path.name}: {first}", str(path))
    return None


def _deny(
    interpreter: Any, modules: list[tuple[Path, str]], stage: str, document: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[Finding]]:
    """The stage's `deny` entries. All files are evaluated together (one package may
    span files); when they cannot be (a Rego v0 `deny[x] { }` beside a v1
    `deny contains x if` in one package), each file on its own."""
    term = json.dumps(document, default=str)
    try:
        return _query(interpreter, modules, stage, term), []
    except Exception:
        pass
    found: list[dict[str, Any]] = []
    problems: list[Finding] = []
    for path, text in modules:
        try:
            found += _query(interpreter, [(path, text)], stage, term)
        except Exception as exc:
            message = " ".join(str(exc).split())[:300]
            problems.append(
                Finding(
                    "policy_evaluation_failed", "violation", f"{path.name}: {message}", str(path)
                )
            )
    return found, problems


def _query(
    interpreter: Any, modules: list[tuple[Path, str]], stage: str, term: str
) -> list[dict[str, Any]]:
    rego = interpreter()
    for path, text in modules:
        rego.add_module(path.name, text)
    rego.set_input_term(term)
    result = str(rego.query(f"data.{stage}.deny"))
    if result == "undefined":
        return []
    found: list[dict[str, Any]] = []
    for expression in json.loads(result).get("expressions", []):
        found += _entries(expression)
    return found


def _entries(value: Any) -> list[dict[str, Any]]:
    """A `deny` set comes back as a list, or (old-style partial sets) as an object
    whose keys are the JSON of each entry."""
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    if isinstance(value, dict):
        out = []
        for key in value:
            try:
                entry = json.loads(key)
            except ValueError:
                continue
            if isinstance(entry, dict):
                out.append(entry)
        return out
    return []


def _finding(
    violation: dict[str, Any],
    lines: dict[str, tuple[str, int | None]],
    default_file: str | None = None,
) -> Finding:
    """Weaver's policy finding shapes: `{id, message, level, context}`, the older
    `{type: semconv_attribute, id, category, group, attr}`, or advice."""
    context = violation.get("context") if isinstance(violation.get("context"), dict) else {}
    group = violation.get("group") or context.get("group_id") or context.get("group")
    attribute = violation.get("attr") or context.get("attribute_name") or context.get("attribute")
    kind = violation.get("id") or violation.get("advice_type") or "policy_violation"
    level = violation.get("level") or violation.get("advice_level") or "violation"
    message = violation.get("message") or " ".join(
        f"{k}={violation[k]}" for k in ("category", "group", "attr") if violation.get(k)
    )
    file, line = lines.get(str(group), (default_file, None)) if group else (default_file, None)
    return Finding(
        str(kind),
        level if level in LEVELS else "violation",
        str(message) or str(kind),
        file,
        line,
        group=str(group) if group else None,
        attribute=str(attribute) if attribute else None,
        signal_type=violation.get("signal_type"),
        signal_name=violation.get("signal_name"),
    )


def _files(raw: RawRegistry) -> list[tuple[Path, list[dict[str, Any]]]]:
    """Each file's groups as written (line markers removed), file by file."""
    by_file: dict[Path, list[dict[str, Any]]] = {}
    for path, group in raw.groups:
        by_file.setdefault(path, []).append(_plain(group))
    return list(by_file.items())


def _group_places(raw: RawRegistry) -> list[tuple[str, int | None, str]]:
    return [(str(path), g.get(LINE_KEY), str(g.get("id", ""))) for path, g in raw.groups]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _resolved_group(group: Any) -> dict[str, Any]:
    """A group as Weaver's resolved registry shows it: its fields, and its attributes
    with `name` (inherited and referenced ones included)."""
    document = {k: v for k, v in _plain(group.raw).items() if k not in ("attributes", "extends")}
    document["id"] = group.id
    document["type"] = group.type
    document["attributes"] = [_resolved_attribute(a) for a in group.attributes.values()]
    return document


def _resolved_attribute(attribute: Attribute) -> dict[str, Any]:
    kind: Any = attribute.type
    if attribute.type == "enum":
        kind = {"members": [{"value": m} for m in attribute.members]}
    document: dict[str, Any] = {
        "name": attribute.name,
        "type": kind,
        "brief": attribute.brief,
        "requirement_level": _plain(attribute.requirement_level),
    }
    if attribute.stability is not None:
        document["stability"] = attribute.stability
    if attribute.deprecated is not None:
        document["deprecated"] = _plain(attribute.deprecated)
    return document
