"""`devkit-tui policy check`: every project against a policy bundle (`--bundle PATH`,
else the configured one, else a `devkit-bundle.toml` at a root); exit 1 when any
violation is an `error`. `devkit-tui policy apply` compiles the bundle into each
lock's uv constraints through the update machinery. `devkit-tui policy --schema`
prints the bundle's JSON Schema."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.commands.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    UsageProblem,
    add_apply_options,
    add_db,
    add_json,
    add_roots,
    open_backend,
    print_json,
    printable,
    project_folder,
    run_async,
    settings_from,
)

if TYPE_CHECKING:
    from backend.policy.bundle import LoadedBundle
    from backend.policy.check import Violation
    from backend.settings import Settings

POLICY_SCHEMA = "devkit.policy/1"
APPLY_SCHEMA = "devkit.policy-apply/1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action",
        nargs="?",
        choices=["check", "apply"],
        help="check: every project; apply: the bundle into each lock's uv constraints",
    )
    add_roots(parser)
    parser.add_argument("--bundle", type=Path, metavar="PATH", help="the bundle file")
    parser.add_argument(
        "--env-name",
        metavar="NAME",
        help="the environment being checked (dev, staging, prod), for rules scoped to one",
    )
    parser.add_argument(
        "--manifest", action="append", default=[], type=Path, metavar="FILE",
        help="check: this manifest (pylock.toml, uv.lock, pins, environment) instead of the"
        " roots; its label is the project and the environment name (repeatable)",
    )  # fmt: skip
    parser.add_argument("--schema", action="store_true", help="print the bundle's JSON Schema")
    apply = parser.add_argument_group("apply")
    apply.add_argument(
        "--project", action="append", default=[], metavar="P",
        help="only the lock of this project, by folder or name (repeatable)",
    )  # fmt: skip
    add_apply_options(apply)
    add_json(parser)
    add_db(parser)


def run(options: argparse.Namespace) -> int:
    if options.schema:
        from backend.policy.models import Bundle

        print(json.dumps(Bundle.model_json_schema(by_alias=True), indent=2))
        return EXIT_OK
    if options.action is None:
        raise UsageProblem("say what to do: devkit-tui policy check|apply [ROOT ...]")

    from backend.policy.bundle import BundleError, find_bundle, load_bundle

    settings = settings_from(options, watch=False)
    path = find_bundle(settings.roots, options.bundle or settings.policy_bundle)
    if path is None:
        names = ", ".join(str(r / "devkit-bundle.toml") for r in settings.roots)
        raise UsageProblem(
            f"no bundle: give --bundle PATH, set policy.bundle in the configuration, or"
            f" write {names}"
        )
    try:
        bundle = load_bundle(path)
    except BundleError as exc:
        raise UsageProblem(str(exc)) from None
    if options.action == "apply":
        return run_async(_apply(settings, bundle, options))
    if options.manifest:
        found = run_async(_check_manifests(settings, bundle, options.manifest, options.env_name))
    else:
        found = run_async(_check(settings, bundle, options.env_name))
    if options.json:
        document: dict[str, Any] = {
            "schema": POLICY_SCHEMA,
            "bundle": str(path),
            "files": [str(p) for p, _ in bundle.bundles],
            "violations": [v.as_json() for v in found],
        }
        print_json(document)
    else:
        _print(found, path)
    return EXIT_FINDINGS if any(v.severity == "error" for v in found) else EXIT_OK


async def _check(
    settings: Settings, bundle: LoadedBundle, environment: str | None
) -> list[Violation]:
    async with open_backend(settings, require_store=False) as backend:
        inventory = await backend.scan(reason="policy")
        await backend.mark_vulnerable()  # from the imported advisories, if any
        await backend.mark_outdated(offline=True)  # yanked, archived...: the index cache
        return await backend.policy_check(inventory, bundle, environment)


async def _check_manifests(
    settings: Settings, bundle: LoadedBundle, paths: list[Path], environment: str | None
) -> list[Violation]:
    """Each manifest judged as a project named by its label; scoped rules see the
    label as the environment unless `--env-name` says otherwise."""
    from backend.manifest.as_inventory import manifest_inventory
    from backend.manifest.read import ManifestError

    found: list[Violation] = []
    async with open_backend(settings, require_store=False) as backend:
        for path in paths:
            try:
                inventory = manifest_inventory(path)
            except ManifestError as exc:
                raise UsageProblem(str(exc)) from None
            label = inventory.projects[0].name
            found += await backend.policy_check(inventory, bundle, environment or label)
    return found


def _print(found: list[Violation], path: Path) -> None:
    for v in found:
        print(
            f"{v.severity:<7} {printable(v.rule)}: {printable(v.project)}: {printable(v.found)}"
            f" (wants {printable(v.wanted)})"
        )
    errors = sum(v.severity == "error" for v in found)
    print(f"{errors} errors, {len(found) - errors} warnings ({path})", file=sys.stderr)


async def _apply(settings: Settings, bundle: LoadedBundle, options: argparse.Namespace) -> int:
    from app.commands.update import print_plan, ready_updater, resolve_and_apply

    async with open_backend(settings) as backend:
        updater = await ready_updater(backend)
        inventory = await backend.scan(reason="policy")
        names = {p.path: p.name for p in inventory.projects}
        projects = [names[project_folder(backend, s)] for s in options.project]
        plan = await backend.updates.plan_policy(bundle, options.env_name, projects)
        stopped = await resolve_and_apply(updater, plan.units, plan.skipped, options, "policy")
        if stopped is not None:
            return stopped
    if options.json:
        print_json(
            {
                "schema": APPLY_SCHEMA,
                "bundle": str(bundle.path),
                "files": [str(p) for p, _ in bundle.bundles],
                "dry_run": options.dry_run,
                "rules": plan.rules_json(),
                "projects": [u.as_json() for u in plan.units],
                "skipped": [s.as_json() for s in plan.skipped],
            }
        )
    else:
        _print_rules(plan.rules_json())
        print_plan(plan.units, plan.skipped, file=sys.stdout)
    failed = any(u.result in ("failed", "rolled-back") for u in plan.units)
    return EXIT_FINDINGS if failed else EXIT_OK


def _print_rules(rules: list[dict[str, Any]]) -> None:
    for rule in rules:
        if rule["compiled"]:
            where = ", ".join(rule["projects"])
            print(f"compiled {printable(rule['rule'])}: {printable(rule['constraint'])}"
                  f" ({printable(where)})")  # fmt: skip
        else:
            print(f"checked  {printable(rule['rule'])}: {printable(rule['why'])}")
