"""``nowry-infra advise STACK``: the live headroom of every limit of the stack's phase, and the next step.

Exit 0 when every limit has headroom, 1 when one is at ``--warn-percent`` or more or is reached
within ``--warn-days`` at its trend, 2 for a usage error, a platform that cannot be read, or a
deployed stack whose every series is empty.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from infra.limits import ALERT_AT
from infra.tool.options import (
    DEFAULT_RETRY,
    EXIT_FINDINGS,
    EXIT_OK,
    EndpointOption,
    JsonOption,
    ProjectDirOption,
    RetryOption,
    StackArgument,
    fail,
)

MAX_DAYS = 63
"""The longest window: Atlas keeps hourly measurements for 63 days (CloudWatch hourly for 455)."""


_fail = fail


def _check(key: str, value: float, low: float, high: float, allowed: str) -> None:
    if not low <= value <= high:
        _fail(f"{key}: {value:g} is out of range; allowed: {allowed}")


def _outputs(source: str) -> dict[str, Any]:
    """The JSON object of ``pulumi stack output --json`` from a file, or stdin for ``-``."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text()
        values = json.loads(text)
    except OSError as exc:
        _fail(f"--outputs: cannot read {source} ({exc.strerror or exc})")
    except ValueError as exc:
        _fail(f"--outputs: {source} is not JSON ({exc}); pass `pulumi stack output --json --show-secrets`")
    if not isinstance(values, dict):
        _fail(f"--outputs: {source} holds a JSON {type(values).__name__}; expected the object of the stack's outputs")
    return values


def advise(
    stack: StackArgument,
    outputs: Annotated[
        str, typer.Option("--outputs", help="File with `pulumi stack output --json --show-secrets`, or - for stdin.")
    ] = "-",
    days: Annotated[int, typer.Option("--days", help=f"Days of history the trend is drawn from (1-{MAX_DAYS}).")] = 14,
    warn_percent: Annotated[
        float, typer.Option("--warn-percent", help="Exit 1 when a limit is used to this percent or more (1-100).")
    ] = ALERT_AT * 100,
    warn_days: Annotated[
        float, typer.Option("--warn-days", help="Exit 1 when a limit is reached within this many days at its trend.")
    ] = 30,
    users: Annotated[
        int | None, typer.Option("--users", help="Users the product serves: adds the decision matrix's phase.")
    ] = None,
    as_json: JsonOption = False,
    project_dir: ProjectDirOption = Path("."),
    region: Annotated[str | None, typer.Option("--region", help="AWS region (default: the stack's output).")] = None,
    retry_mode: RetryOption = DEFAULT_RETRY,
    endpoint_url: EndpointOption = None,
) -> None:
    """The live headroom of every limit of STACK's phase (used, limit, percent, trend, the date it is reached) and
    the next step: exit 1 when a limit is near."""
    _check("--days", days, 1, MAX_DAYS, f"1 to {MAX_DAYS}")
    _check("--warn-percent", warn_percent, 1, 100, "1 to 100")
    _check("--warn-days", warn_days, 0, 3650, "0 to 3650")
    if users is not None:
        _check("--users", users, 0, 10**10, "0 or more")

    values = _outputs(outputs)
    from infra.config import ConfigError, StackFileError
    from infra.tool.engine.runner import plan_stack

    try:
        plan = plan_stack(project_dir, stack, [])
    except (ConfigError, StackFileError) as exc:
        _fail(str(exc))
    if plan.phase == "local" or plan.config is None:
        _fail(f"stack {stack} runs the {plan.phase} phase on this machine: there is no deployed usage to read")
    from infra.tool.cost.advisor import next_move, price_move
    from infra.tool.ops.advise.headroom import Context, PlatformError
    from infra.tool.ops.advise.report import NothingMeasured, measure, render

    context = Context(stack, plan.phase, plan.config, values, days, datetime.now(UTC).replace(microsecond=0))

    def aws() -> Any:
        from infra.aws_client import Aws

        chosen = region or values.get("region") or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if not chosen:
            _fail("no region: pass --region (the stack outputs have none)")
        return Aws(str(chosen), endpoint_url=endpoint_url, retry_mode=retry_mode.value)

    try:
        report = measure(context, aws)
    except PlatformError as exc:
        _fail(f"cannot read {exc}")
    except NothingMeasured as exc:
        _fail(str(exc))
    due = report.due(warn_percent, warn_days)
    move = next_move(stack, plan.phase, plan.config, due, users)
    report.next = price_move(project_dir, stack, move) if move is not None else None
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
    else:
        render(report, warn_percent, warn_days)
    raise typer.Exit(EXIT_FINDINGS if report.next is not None else EXIT_OK)
