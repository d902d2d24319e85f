"""The ``nowry-infra`` command: see what a stack will build, before any cloud account is touched.

Exit codes: 0 ok, 1 findings, 2 usage or config error.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

# The CLI uses no pydantic plugins; skipping their entry-point scan saves ~20 ms a run.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import typer

from infra.config import ConfigError, PhaseNotAvailable, StackFileError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    name="nowry-infra",
    help="Plan, price, check and draw Nowry's Pulumi stacks offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="Override a config value (repeatable): nowry:phase=hybrid, nowry:backend.cpu=512.",
    ),
]
ProjectDirOption = Annotated[
    Path,
    typer.Option(
        "--project-dir",
        help="Folder holding Pulumi.yaml and the Pulumi.<stack>.yaml files.",
        file_okay=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the plan as JSON (the plan contract).")]


@app.callback()
def _root() -> None:
    """Plan, price, check and draw Nowry's Pulumi stacks offline."""


@app.command()
def plan(
    stack: Annotated[str, typer.Argument(help="Stack name: the X of Pulumi.X.yaml.")],
    as_json: JsonOption = False,
    overrides: SetOption = None,
    project_dir: ProjectDirOption = Path("."),
) -> None:
    """Show every resource the stack would create, grouped by component, and its outputs."""
    from infra.engine import plan_stack

    try:
        result = plan_stack(project_dir, stack, overrides or [])
    except (ConfigError, PhaseNotAvailable, StackFileError) as exc:
        _fail(str(exc))
    from infra.policy.check import check_plan

    report = check_plan(result)
    if as_json:
        payload = result.to_json()
        payload["policy"] = report.to_json()
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        from infra.render import print_plan, print_policy

        print_plan(result)
        print_policy(report)
    for warning in result.warnings:
        _warn(warning)
    raise typer.Exit(EXIT_FINDINGS if report.mandatory else EXIT_OK)


@app.command()
def rules(as_json: JsonOption = False) -> None:
    """List every policy rule: id, severity, enforcement, the control it implements."""
    from infra.policy.rules import RULES, STACK_RULES

    rows = [
        {
            "id": rule.id,
            "severity": rule.severity,
            "enforcement": rule.enforcement,
            "reference": rule.reference,
            "description": rule.description,
            "scope": "resource" if rule in RULES else "stack",
        }
        for rule in (*RULES, *STACK_RULES)
    ]
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    from infra.render import print_rules

    print_rules(rows)


@app.command()
def stacks(project_dir: ProjectDirOption = Path(".")) -> None:
    """List the stacks in the project folder and the phase each one runs."""
    from infra.config import source

    try:
        project = source.read_project(project_dir)
        rows = [
            (name, source.from_stack_file(project, name).namespace(project.name).get("phase", "?"))
            for name in project.stacks()
        ]
    except StackFileError as exc:
        _fail(str(exc))
    for name, phase in rows:
        typer.echo(f"{name}\t{phase}")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


def _warn(message: str) -> None:
    typer.echo(f"warning: {message}", err=True)


def main() -> None:
    """Console entry point. Exits without interpreter teardown, which after loading Pulumi's
    gRPC runtime costs more than the plan itself; output is flushed first."""
    code: int | str | None = 0
    try:
        app()
    except SystemExit as exc:
        code = exc.code
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else (0 if code is None else EXIT_USAGE))


if __name__ == "__main__":
    main()
