"""``nowry-infra diff``: what a change does to each stack against a base, as one report (the
comparison is ``change_report``, where the two sides come from ``change_sources``)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from infra.tool.options import JsonOption, ProjectDirOption, SetOption, fail, warn


class DiffFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"


def diff(
    stack: Annotated[str | None, typer.Argument(help="Stack name: the X of Pulumi.X.yaml (or --all).")] = None,
    all_stacks: Annotated[bool, typer.Option("--all", help="Every stack, at the base or the head.")] = False,
    base: Annotated[str | None, typer.Option("--base", help="Git ref to compare with, planned by its code.")] = None,
    base_plan: Annotated[Path | None, typer.Option("--base-plan", help="The base: a `plan --json` file.")] = None,
    head_plan: Annotated[Path | None, typer.Option("--head-plan", help="The head: a `plan --json` file.")] = None,
    fmt: Annotated[DiffFormat, typer.Option("--format", help="table, markdown or json.")] = DiffFormat.table,
    as_json: JsonOption = False,
    overrides: SetOption = None,
    project_dir: ProjectDirOption = Path("."),
) -> None:
    """What the working tree changes against a base: resources, monthly bill, policy findings, data loss."""
    from infra.tool.change_render import FORMATS
    from infra.tool.change_report import compare
    from infra.tool.change_sources import SourceError, collect

    try:
        sides = collect(project_dir, stack, all_stacks, base, base_plan, head_plan, overrides or [])
    except SourceError as exc:
        fail(str(exc))
    for warning in sides.warnings:
        warn(warning)
    report = compare(sides)
    sys.stdout.write(FORMATS["json" if as_json else fmt.value](report))
    raise typer.Exit(report.exit_code)
