"""What several ``nowry-infra`` commands share, declared once: the exit codes, how a command ends on
a usage error or warns, and the options (an option that takes one of a few values refuses
anything else before the command runs, exit 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from infra.aws_client import RetryMode

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def fail(message: str) -> NoReturn:
    """End the command on a usage or config error: one line on stderr, exit 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


def warn(message: str) -> None:
    typer.echo(f"warning: {message}", err=True)


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
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for machines instead of tables.")]
StrictOption = Annotated[bool, typer.Option("--strict", help="Exit 1 when the estimate exceeds nowry:monthlyBudget.")]
StackArgument = Annotated[str, typer.Argument(help="Stack name: the X of Pulumi.X.yaml.")]
RetryOption = Annotated[RetryMode, typer.Option("--retry-mode", help="botocore retry mode: standard or adaptive.")]
"""A choice the command line enforces: anything else is refused before the command runs (exit 2)."""
DEFAULT_RETRY = RetryMode.STANDARD
EndpointOption = Annotated[
    str | None,
    typer.Option(
        "--endpoint-url", help="Send AWS (or Google Cloud) calls to this endpoint (an emulator).", hidden=True
    ),
]
