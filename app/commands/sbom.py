"""`devkit-tui sbom PROJECT`: the project's CycloneDX 1.6 JSON SBOM, on stdout or in
`--output FILE`. Exit 0 when it was written (findings from `--with-vulns` do not change
that), 2 when the project cannot be found or the file cannot be written."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.commands.common import (
    EXIT_OK,
    UsageProblem,
    add_db,
    add_index,
    add_project_roots,
    open_backend,
    printable,
    project_folder,
    run_async,
    settings_from,
)

if TYPE_CHECKING:
    from backend.sbom.writer import SbomResult
    from backend.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", help="the project: its folder, or its name under --root")
    add_project_roots(parser)
    parser.add_argument(
        "--with-vulns",
        action="store_true",
        help="add the findings of the imported advisory database (devkit-tui vulns --import)",
    )
    parser.add_argument("--output", "-o", type=Path, metavar="FILE", help="write it here")
    add_index(parser, "$UV_INDEX_URL, else each package's index; asked for licences only")
    add_db(parser)


def run(options: argparse.Namespace) -> int:

    selector = Path(options.project)
    roots = [selector] if selector.is_dir() else (options.root or [Path.cwd()])
    settings = settings_from(options, roots=roots, watch=False)
    result = run_async(_sbom(settings, options, selector))
    for problem in result.problems:
        print(f"sbom: {printable(problem)}", file=sys.stderr)
    if options.output is None:
        sys.stdout.write(result.text + "\n")
        return EXIT_OK
    try:
        options.output.write_text(result.text + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageProblem(f"{options.output}: cannot write: {exc.strerror}") from None
    print(
        f"{options.output}: CycloneDX 1.6 SBOM of {printable(result.project)}, {result.packages}"
        f" components, {result.vulnerabilities} vulnerabilities",
        file=sys.stderr,
    )
    return EXIT_OK


async def _sbom(settings: Settings, options: argparse.Namespace, selector: Path) -> SbomResult:
    async with open_backend(settings, require_store=False) as backend:
        folder = selector
        if not selector.is_dir():
            await backend.scan(reason="sbom")
            folder = project_folder(backend, options.project)
        result = await backend.sbom(folder.absolute(), options.with_vulns, options.offline,
                                    settings.index_url)  # fmt: skip
    if result is None:
        raise UsageProblem(f"{selector}: no project here (no pyproject.toml, lock or requirements)")
    return result
