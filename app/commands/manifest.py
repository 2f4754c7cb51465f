"""`devkit-tui manifest`: an environment written down, compared, checked.

- `generate PROJECT --name NAME`: a PEP 751 pylock.toml (on stdout, or `--output`);
- `diff A B`: what changed between any two of a pylock.toml, a uv.lock, a pinned
  requirements file, an environment and a project folder; exit 1 when they differ;
- `verify ENV_OR_PROJECT --against MANIFEST`: is the environment exactly the manifest
  (for its markers)? Exit 1 when not.
Every operation is audited as `manifest`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from app.commands.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    UsageProblem,
    add_db,
    add_json,
    open_backend,
    print_json,
    printable,
    run_async,
    settings_from,
)

DIFF_SCHEMA = "devkit.manifest-diff/1"
VERIFY_SCHEMA = "devkit.manifest-verify/1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="generate|diff|verify")
    generate = actions.add_parser("generate", help="write a project's pylock.toml")
    generate.add_argument("project", type=Path, help="the project's folder")
    generate.add_argument("--name", required=True, help="the manifest's label: prod, staging")
    generate.add_argument("--group", action="append", default=[], help="a dependency group")
    generate.add_argument("--extra", action="append", default=[], help="an optional extra")
    generate.add_argument("--all-groups", action="store_true", help="every dependency group")
    generate.add_argument(
        "--no-default-groups", action="store_true",
        help="without uv's default groups (dev): a production install",
    )  # fmt: skip
    generate.add_argument(
        "--index-url", help="where pins and an environment's packages are looked up"
        " (default: $UV_INDEX_URL, else uv's)",
    )  # fmt: skip
    generate.add_argument("--output", "-o", type=Path, metavar="FILE", help="write it here")
    add_db(generate)
    diff = actions.add_parser("diff", help="compare two manifests; exit 1 when they differ")
    diff.add_argument("a", type=Path, help="pylock.toml, uv.lock, requirements, env or project")
    diff.add_argument("b", type=Path, help="the same kinds")
    add_json(diff)
    add_db(diff)
    verify = actions.add_parser("verify", help="is the environment exactly the manifest?")
    verify.add_argument("target", type=Path, metavar="ENV_OR_PROJECT")
    verify.add_argument("--against", type=Path, required=True, metavar="MANIFEST")
    add_json(verify)
    add_db(verify)


def run(options: argparse.Namespace) -> int:

    if options.action is None:
        raise UsageProblem("say what to do: devkit-tui manifest generate|diff|verify")
    settings = settings_from(options, roots=[Path.cwd()], watch=False)
    return run_async(_run(settings, options))


async def _run(settings: Any, options: argparse.Namespace) -> int:
    from backend.manifest.read import ManifestError
    from backend.update.uv_runner import UvMissing

    async with open_backend(settings) as backend:
        try:
            manifests = backend.manifests
            if options.action == "generate":
                return await _generate(manifests, options)
            if options.action == "diff":
                return await _diff(manifests, options)
            return await _verify(manifests, options)
        except (ManifestError, UvMissing) as exc:
            raise UsageProblem(str(exc)) from None


async def _generate(manifests: Any, options: argparse.Namespace) -> int:
    from backend.manifest.generate import Selection

    if not options.project.is_dir():
        raise UsageProblem(f"{options.project}: not a project folder")
    selection = Selection(tuple(options.group), tuple(options.extra), options.all_groups,
                          options.no_default_groups)  # fmt: skip
    index = options.index_url or os.environ.get("UV_INDEX_URL")
    made = await manifests.generate(options.project.resolve(), options.name, selection, index)
    if options.output is None:
        sys.stdout.write(made.text)
        return EXIT_OK
    try:
        options.output.write_text(made.text, encoding="utf-8")
    except OSError as exc:
        raise UsageProblem(f"{options.output}: cannot write: {exc.strerror}") from None
    print(f"{options.output}: {made.packages} packages from {made.source} ({options.name})",
          file=sys.stderr)  # fmt: skip
    return EXIT_OK


async def _diff(manifests: Any, options: argparse.Namespace) -> int:
    compared = await manifests.diff(options.a, options.b)
    document = compared.diff.as_json()
    if options.json:
        print_json({"schema": DIFF_SCHEMA, "a": str(options.a), "b": str(options.b),
                    "a_kind": compared.a.kind, "b_kind": compared.b.kind, **document})  # fmt: skip
    else:
        for item in document["added"]:
            print(f"+ {printable(item['name'])} {printable(item['version'])}")
        for item in document["removed"]:
            print(f"- {printable(item['name'])} {printable(item['version'])}")
        for item in document["changed"]:
            print(f"~ {printable(item['name'])} {printable(item['from'])} ->"
                  f" {printable(item['to'])} ({item['kind']})")  # fmt: skip
        counts = {k: len(document[k]) for k in ("added", "removed", "changed")}
        print(f"{counts['added']} added, {counts['removed']} removed, {counts['changed']}"
              f" changed, {document['same']} the same", file=sys.stderr)  # fmt: skip
    return EXIT_FINDINGS if compared.diff.differs else EXIT_OK


async def _verify(manifests: Any, options: argparse.Namespace) -> int:
    verified = await manifests.verify(options.target, options.against)
    document = verified.result.as_json()
    if options.json:
        print_json({"schema": VERIFY_SCHEMA, "environment": str(verified.environment.path),
                    "manifest": str(options.against), **document})  # fmt: skip
    else:
        for item in document["missing"]:
            print(f"missing    {printable(item['name'])} {printable(item['version'])}")
        for item in document["extra"]:
            print(f"extra      {printable(item['name'])} {printable(item['version'])}")
        for item in document["mismatched"]:
            installed, wanted = printable(item["installed"]), printable(item["wanted"])
            print(f"mismatched {printable(item['name'])}: installed {installed}, wants {wanted}")
        verdict = "matches" if verified.result.ok else "does not match"
        print(f"{verified.environment.path} {verdict} {options.against}", file=sys.stderr)
    return EXIT_OK if verified.result.ok else EXIT_FINDINGS
