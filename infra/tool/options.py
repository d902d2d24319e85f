"""The options several ``nowry-infra`` commands share, declared once: each command names them, and
an option that takes one of a few values refuses anything else before the command runs (exit 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from infra.aws_client import RetryMode

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
    str | None, typer.Option("--endpoint-url", help="Send AWS calls to this endpoint (an emulator).", hidden=True)
]
