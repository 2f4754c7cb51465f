"""Build a realistic demo workspace: real package names and versions, real file formats.

What it holds, so every pane has something true to show:
- `api-service`: a uv project with a `.venv` (one package installed at another version
  than locked, one installed but undeclared, the dev group not synced);
- `data-pipeline`: a uv project locking other versions than api-service (drift) and
  declaring `numpy>=2.3` while its lock, written when it said `numpy>=2.1`, still
  holds 2.2.1 (a conflict, and a lock out of date with pyproject.toml);
- `platform`: a uv workspace with two members sharing one uv.lock;
- `legacy-scripts`: requirements files only, pinned, with a `-r` include, and a
  `venv` whose dists' Requires-Dist give its dependency tree (no lock to read);
- `broken-service`: a pyproject.toml with a syntax error;
- `api-service/semconv/`: the service's own semantic-convention registry, with one
  reference that does not resolve (the Weaver pane has a violation to show).
"""

from __future__ import annotations

from pathlib import Path

# name -> (version, dependencies); the versions are real PyPI releases.
CATALOG: dict[str, tuple[str, tuple[str, ...]]] = {
    "annotated-types": ("0.7.0", ()),
    "anyio": ("4.7.0", ("idna", "sniffio")),
    "certifi": ("2024.12.14", ()),
    "charset-normalizer": ("3.4.1", ()),
    "click": ("8.1.8", ()),
    "fastapi": ("0.115.6", ("pydantic", "starlette", "typing-extensions")),
    "greenlet": ("3.1.1", ()),
    "h11": ("0.14.0", ()),
    "httpcore": ("1.0.7", ("certifi", "h11")),
    "httpx": ("0.28.1", ("anyio", "certifi", "httpcore", "idna")),
    "idna": ("3.10", ()),
    "iniconfig": ("2.0.0", ()),
    "markdown-it-py": ("3.0.0", ("mdurl",)),
    "mdurl": ("0.1.2", ()),
    "numpy": ("2.2.1", ()),
    "packaging": ("24.2", ()),
    "pandas": ("2.2.3", ("numpy", "python-dateutil", "pytz", "tzdata")),
    "pluggy": ("1.5.0", ()),
    "pydantic": ("2.10.4", ("annotated-types", "pydantic-core", "typing-extensions")),
    "pydantic-core": ("2.27.2", ("typing-extensions",)),
    "pygments": ("2.18.0", ()),
    "pytest": ("8.3.4", ("iniconfig", "packaging", "pluggy")),
    "python-dateutil": ("2.9.0.post0", ("six",)),
    "pytz": ("2024.2", ()),
    "requests": ("2.32.3", ("certifi", "charset-normalizer", "idna", "urllib3")),
    "rich": ("13.9.4", ("markdown-it-py", "pygments")),
    "shellingham": ("1.5.4", ()),
    "six": ("1.17.0", ()),
    "sniffio": ("1.3.1", ()),
    "sqlalchemy": ("2.0.36", ("greenlet", "typing-extensions")),
    "starlette": ("0.41.3", ("anyio",)),
    "typer": ("0.15.1", ("click", "rich", "shellingham", "typing-extensions")),
    "typing-extensions": ("4.12.2", ()),
    "tzdata": ("2024.2", ()),
    "urllib3": ("2.3.0", ()),
    "uvicorn": ("0.34.0", ("click", "h11")),
}
SUMMARIES = {
    "fastapi": "FastAPI framework, high performance, easy to learn, fast to code, ready for "
    "production",
    "httpx": "The next generation HTTP client.",
    "pydantic": "Data validation using Python type hints",
    "rich": "Render rich text, tables, progress bars, syntax highlighting, markdown and more "
    "to the terminal",
    "sqlalchemy": "Database Abstraction Library",
    "uvicorn": "The lightning-fast ASGI server.",
}
GREENLET_MARKER = (
    "(python_full_version < '3.14' and platform_machine == 'AMD64')"
    " or (python_full_version < '3.14' and platform_machine == 'aarch64')"
    " or (python_full_version < '3.14' and platform_machine == 'x86_64')"
)


def build_demo_workspace(target: Path) -> Path:
    """Write the demo projects under `target` (created if needed) and return it."""
    target.mkdir(parents=True, exist_ok=True)
    _api_service(target / "api-service")
    _data_pipeline(target / "data-pipeline")
    _platform(target / "platform")
    _legacy_scripts(target / "legacy-scripts")
    _write(
        target / "broken-service" / "pyproject.toml",
        '[project]\nname = "broken-service"\nversion = "0.1.0"\n'
        'dependencies = [\n    "flask>=3.0",\n    "gunicorn>=22"\n\n[tool.uv]\n',
    )
    return target


def _api_service(folder: Path) -> None:
    deps = ["fastapi>=0.115", "uvicorn>=0.30", "httpx>=0.27", "sqlalchemy>=2.0"]
    _write(folder / "pyproject.toml", _pyproject("api-service", deps, {"dev": ["pytest>=8.0"]}))
    closure = _closure([*_names(deps), "pytest"])
    _write(
        folder / "uv.lock",
        _uv_lock(
            {"api-service": (".", _names(deps), {"dev": ["pytest"]})},
            closure,
            recorded={"api-service": {"": deps, "dev": ["pytest>=8.0"]}},
        ),
    )
    installed = {name: CATALOG[name][0] for name in _closure(_names(deps))}
    installed["httpx"] = "0.27.2"  # env-drift: installed differs from locked
    installed["rich"] = "13.9.4"  # extraneous: installed by hand
    installed["markdown-it-py"] = "3.0.0"
    installed["mdurl"] = "0.1.2"
    installed["pygments"] = "2.18.0"
    _venv(folder / ".venv", installed)
    _write(
        folder / "semconv" / "registry_manifest.yaml",
        "name: api-service\nschema_url: https://api-service.invalid/schemas/1.0.0\n",
    )
    _write(folder / "semconv" / "model" / "api.yaml", API_REGISTRY)


API_REGISTRY = """groups:
  - id: registry.api
    type: attribute_group
    brief: Attributes of the API service.
    attributes:
      - id: api.route
        type: string
        stability: stable
        brief: The route template that matched the request.
        examples: ["/orders/{id}"]
      - id: api.cache
        type:
          members:
            - {id: hit, value: hit, brief: Served from the cache., stability: stable}
            - {id: miss, value: miss, brief: Computed afresh., stability: stable}
        stability: development
        brief: Whether the response came from the cache.
  - id: span.api.request
    type: span
    span_kind: server
    stability: development
    brief: One API request; named `api.request`.
    attributes:
      - ref: api.route
        requirement_level: required
      - ref: api.cache
      - ref: api.tenant
"""


def _data_pipeline(folder: Path) -> None:
    deps = ["pandas>=2.2", "numpy>=2.3", "pydantic>=2.9", "requests>=2.31"]
    _write(folder / "pyproject.toml", _pyproject("data-pipeline", deps, {}))
    closure = _closure(_names(deps))
    overrides = {"pydantic": "2.9.2", "pydantic-core": "2.23.4", "requests": "2.31.0"}
    # The lock was written before numpy's floor was raised: uv.lock is out of date.
    recorded = {"data-pipeline": {"": [r.replace("numpy>=2.3", "numpy>=2.1") for r in deps]}}
    _write(
        folder / "uv.lock",
        _uv_lock({"data-pipeline": (".", _names(deps), {})}, closure, overrides, None, recorded),
    )


def _platform(folder: Path) -> None:
    _write(
        folder / "pyproject.toml",
        '[dependency-groups]\ndev = ["pytest>=8.0"]\n\n'
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n',
    )
    core_deps = ["pydantic>=2.10", "sqlalchemy>=2.0"]
    cli_deps = ["platform-core", "typer>=0.12", "rich>=13"]
    _write(
        folder / "packages" / "platform-core" / "pyproject.toml",
        _pyproject("platform-core", core_deps, {}),
    )
    _write(
        folder / "packages" / "platform-cli" / "pyproject.toml",
        _pyproject("platform-cli", cli_deps, {}, sources={"platform-core": "{ workspace = true }"}),
    )
    closure = _closure([*_names(core_deps), "typer", "rich", "pytest"])
    nodes = {
        "platform-core": ("packages/platform-core", _names(core_deps), {}),
        "platform-cli": ("packages/platform-cli", ["platform-core", "typer", "rich"], {}),
    }
    _write(folder / "uv.lock", _uv_lock(nodes, closure, root_groups={"dev": ["pytest"]}))


def _legacy_scripts(folder: Path) -> None:
    _write(
        folder / "requirements.txt",
        "# pinned by hand, years ago\n-r requirements-dev.txt\n"
        "requests==2.31.0\nurllib3==1.26.20 \\\n"
        "    --hash=sha256:0ed14ccfbf1c30a9072c7ca157e4319b70d65f623e91e7b32fadb2853431016e\n"
        "idna==3.4\ncharset-normalizer==3.3.2\ncertifi==2024.8.30\n"
        "jinja2==3.1.4\nmarkupsafe==2.1.5\n",
    )
    _write(folder / "requirements-dev.txt", "pytest>=7.4\n")
    installed = {
        "requests": "2.31.0",
        "urllib3": "1.26.20",
        "idna": "3.4",
        "charset-normalizer": "3.3.2",
        "certifi": "2024.8.30",
        "jinja2": "3.1.4",
        "markupsafe": "2.1.5",
        "pytest": "7.4.4",
        "iniconfig": "2.0.0",
        "packaging": "24.2",
        "pluggy": "1.5.0",
    }
    requires = {  # as these releases declare them on PyPI
        "requests": (
            "charset-normalizer<4,>=2",
            "idna<4,>=2.5",
            "urllib3<3,>=1.21.1",
            "certifi>=2017.4.17",
            'PySocks!=1.5.7,>=1.5.6; extra == "socks"',
        ),
        "jinja2": ("MarkupSafe>=2.0", 'Babel>=2.7; extra == "i18n"'),
        "pytest": (
            "iniconfig",
            "packaging",
            "pluggy<2.0,>=0.12",
            'colorama; sys_platform == "win32"',
        ),
    }
    _venv(folder / "venv", installed, requires)


def _names(requirements: list[str]) -> list[str]:
    return [r.split(">")[0].split("=")[0].split("<")[0].strip() for r in requirements]


def _closure(names: list[str]) -> list[str]:
    seen: list[str] = []
    stack = list(names)
    while stack:
        name = stack.pop()
        if name in seen or name not in CATALOG:
            continue
        seen.append(name)
        stack.extend(CATALOG[name][1])
    return sorted(seen)


def _pyproject(
    name: str, deps: list[str], groups: dict[str, list[str]], sources: dict[str, str] | None = None
) -> str:
    lines = [
        "[project]",
        f'name = "{name}"',
        'version = "0.1.0"',
        'requires-python = ">=3.11"',
        "dependencies = [",
        *(f'    "{d}",' for d in deps),
        "]",
        "",
    ]
    if groups:
        lines.append("[dependency-groups]")
        lines += [
            f"{g} = [{', '.join(repr(r).replace(chr(39), chr(34)) for r in reqs)}]"
            for g, reqs in groups.items()
        ]
        lines.append("")
    if sources:
        lines.append("[tool.uv.sources]")
        lines += [f"{k} = {v}" for k, v in sources.items()]
        lines.append("")
    lines += ["[build-system]", 'requires = ["hatchling"]', 'build-backend = "hatchling.build"', ""]
    return "\n".join(lines)


def _uv_lock(
    nodes: dict[str, tuple[str, list[str], dict[str, list[str]]]],
    packages: list[str],
    overrides: dict[str, str] | None = None,
    root_groups: dict[str, list[str]] | None = None,
    recorded: dict[str, dict[str, list[str]]] | None = None,
) -> str:
    """A uv.lock (version 1, revision 3) for the projects in `nodes` and `packages`;
    `recorded` gives a node's `[package.metadata]`: requires-dist under "" and
    requires-dev by group (what uv saw in pyproject.toml when it locked)."""
    overrides = overrides or {}
    out = ["version = 1", "revision = 3", 'requires-python = ">=3.11"', ""]
    if len(nodes) > 1 or root_groups:
        out += ["[manifest]", "members = [", *(f'    "{n}",' for n in sorted(nodes)), "]", ""]
        if root_groups:
            out.append("[manifest.dependency-groups]")
            for group, names in root_groups.items():
                edges = ", ".join(f'{{ name = "{n}" }}' for n in names)
                out.append(f"{group} = [{edges}]")
            out.append("")
    entries: list[tuple[str, list[str]]] = []
    for name in packages:
        version = overrides.get(name, CATALOG[name][0])
        lines = [
            f'name = "{name}"',
            f'version = "{version}"',
            'source = { registry = "https://pypi.org/simple" }',
        ]
        lines += _dependency_lines("dependencies", list(CATALOG[name][1]))
        entries.append((name, lines))
    for name, (path, deps, groups) in nodes.items():
        source = f'source = {{ editable = "{path}" }}'
        lines = [
            f'name = "{name}"',
            'version = "0.1.0"',
            source,
            *_dependency_lines("dependencies", deps),
        ]
        for group, members in groups.items():
            lines += ["", "[package.dev-dependencies]", *_dependency_lines(group, members)]
        if recorded and name in recorded:
            lines += _metadata(recorded[name])
        entries.append((name, lines))
    for _, lines in sorted(entries):
        out += ["[[package]]", *lines, ""]
    return "\n".join(out)


def _metadata(recorded: dict[str, list[str]]) -> list[str]:
    def table(requirements: list[str]) -> str:
        items = []
        for requirement in requirements:
            name = _names([requirement])[0]
            specifier = requirement[len(name) :].strip()
            items.append(f'{{ name = "{name}", specifier = "{specifier}" }}')
        return f"[{', '.join(items)}]"

    lines = ["", "[package.metadata]", f"requires-dist = {table(recorded.get('', []))}"]
    groups = {g: r for g, r in recorded.items() if g}
    if groups:
        lines += ["", "[package.metadata.requires-dev]"]
        lines += [f"{group} = {table(reqs)}" for group, reqs in groups.items()]
    return lines


def _dependency_lines(key: str, names: list[str]) -> list[str]:
    if not names:
        return []
    rendered = []
    for name in sorted(names):
        marker = f', marker = "{GREENLET_MARKER}"' if name == "greenlet" else ""
        rendered.append(f'    {{ name = "{name}"{marker} }},')
    return [f"{key} = [", *rendered, "]"]


def _venv(
    folder: Path, installed: dict[str, str], requires: dict[str, tuple[str, ...]] | None = None
) -> None:
    _write(
        folder / "pyvenv.cfg",
        "home = /usr/bin\nimplementation = CPython\nversion_info = 3.11.7\n"
        "include-system-site-packages = false\n",
    )
    site = folder / "lib" / "python3.11" / "site-packages"
    for name, version in sorted(installed.items()):
        dist = site / f"{name.replace('-', '_')}-{version}.dist-info"
        lines = (requires or {}).get(name, CATALOG.get(name, ("", ()))[1])
        requirements = "".join(f"Requires-Dist: {d}\n" for d in lines)
        summary = SUMMARIES.get(name, f"The {name} package")
        _write(
            dist / "METADATA",
            f"Metadata-Version: 2.3\nName: {name}\nVersion: {version}\nSummary: {summary}\n"
            f"License-Expression: MIT\n{requirements}\n",
        )
        _write(dist / "INSTALLER", "uv\n")
        module = name.replace("-", "_")
        _write(
            dist / "RECORD",
            f"{module}/__init__.py,sha256=,{1024 + len(name) * 97}\n"
            f"{dist.name}/METADATA,,\n{dist.name}/RECORD,,\n",
        )


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
