"""What ``advise`` measured for a stack, phase by phase, and how it is shown and judged.

Each phase reads its platforms: the aws phase CloudWatch (and Atlas when it runs Atlas), the
managed phases Atlas and Railway (Vercel's and Upstash's usage are not read: said in the notes),
the kubernetes phase the cluster through ``kubectl``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from infra.phases import spec
from infra.tool.ops.advise.headroom import Context, Headroom

VERCEL_NOT_READ = (
    "Vercel: usage is not read (not implemented); `vercel usage` (Vercel's CLI) shows the billing period's "
    "usage and cost, and the dashboard's Usage page each limit of the plan"
)
UPSTASH_NOT_READ = "Upstash Redis: usage is not read (not implemented); see the Upstash console"


class NothingMeasured(Exception):
    """Every series came back empty or no reader had what it needs: the outputs or the region are
    wrong, never "all fine"."""


@dataclass
class Report:
    stack: str
    phase: str
    measured_at: datetime
    limits: list[Headroom]
    notes: list[str] = field(default_factory=list)
    next: Any = None
    """``infra.tool.cost.advisor.Move`` or None."""

    def due(self, warn_percent: float, warn_days: float) -> list[Headroom]:
        return [row for row in self.limits if row.due(warn_percent, warn_days)]

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "phase": self.phase,
            "measured_at": self.measured_at.isoformat(timespec="seconds"),
            "limits": [row.to_json(self.measured_at) for row in self.limits],
            "next": self.next.to_json() if self.next is not None else None,
            "notes": [*self.notes, *(self.next.notes if self.next is not None else ())],
        }


Reader = Callable[[Context], tuple[list[Headroom], list[str]]]


def readers(context: Context, aws: Callable[[], Any]) -> list[Reader]:
    """The readers of the stack's phase; each returns its rows and its notes."""
    phase = spec(context.phase)
    found: list[Reader] = []
    if context.phase == "aws":
        from infra.tool.ops.advise import cloudwatch

        found.append(lambda c: (cloudwatch.read(aws(), c), []))
    if phase.managed or (context.phase == "aws" and getattr(context.config, "database_engine", "") == "atlas"):
        from infra.tool.ops.advise import atlas

        found.append(atlas.read)
    if phase.managed:
        from infra.tool.ops.advise import railway

        found.append(railway.read)
        found.append(lambda _c: ([], [VERCEL_NOT_READ]))
        if phase.always_cache:
            found.append(lambda _c: ([], [UPSTASH_NOT_READ]))
    if context.phase == "kubernetes":
        from infra.tool.ops.advise import kubernetes

        found.append(kubernetes.read)
    return found


def measure(context: Context, aws: Callable[[], Any]) -> Report:
    """Read every platform of the stack's phase; ``PlatformError`` from a reader propagates, and
    ``NothingMeasured`` when no series had a single point."""
    rows: list[Headroom] = []
    notes: list[str] = []
    for reader in readers(context, aws):
        found, said = reader(context)
        rows += found
        notes += said
    if not any(row.used is not None for row in rows):
        read = "; ".join(f"{row.resource} {row.metric}" for row in rows) or "nothing (no output names a resource)"
        raise NothingMeasured(
            f"no data for any limit of stack {context.stack} over the last {context.days} days; read: {read}. "
            "Are the outputs the deployed stack's (`pulumi stack output --json --show-secrets`) and the region right?"
            + (f" ({'; '.join(notes)})" if notes else "")
        )
    return Report(context.stack, context.phase, context.now, rows, notes)


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "not measured"
    return f"{value:,.2f} {unit}" if not float(value).is_integer() else f"{int(value):,} {unit}"


def render(report: Report, warn_percent: float, warn_days: float) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    if not console.is_terminal:
        console = Console(width=160)  # a log or a file: one line per limit, never folded
    console.print(f"[bold]{report.stack} ({report.phase}) at {report.measured_at:%Y-%m-%d %H:%M} UTC[/bold]")
    table = Table(show_edge=False)
    for column in ("", "resource", "metric", "used", "limit", "%", "trend/day", "reached"):
        table.add_column(column)
    for row in report.limits:
        mark = "!" if row.due(warn_percent, warn_days) else ("?" if row.used is None else "")
        trend = "" if row.slope is None else f"{row.slope:+,.3g}"
        table.add_row(
            mark,
            escape(row.resource),
            row.metric,
            _number(row.used, row.unit),
            "—" if row.limit is None else _number(row.limit, row.unit),
            "" if row.percent is None else f"{row.percent:g}%",
            trend,
            row.reached_on(report.measured_at) or "",
        )
    console.print(table)
    for row in report.limits:
        if row.note:
            console.print(f"  {escape(row.resource)} {row.metric}: {escape(row.note)}")
    for note in report.to_json()["notes"]:
        console.print(f"  note: {escape(note)}")
    move = report.next
    if move is None:
        console.print(f"every limit has headroom (below {warn_percent:g}% and not reached within {warn_days:g} days)")
        return
    console.print(f"[bold]next:[/bold] {escape(move.reason)}")
    bills = f"${move.monthly_before_usd:,.2f}" if move.monthly_before_usd is not None else "?"
    after = f"${move.monthly_after_usd:,.2f}" if move.monthly_after_usd is not None else "?"
    console.print(f"  phase {move.phase}{f', tier {move.tier}' if move.tier else ''}; monthly {bills} -> {after}")
    if move.command:
        console.print(f"  {escape(move.command)}")
