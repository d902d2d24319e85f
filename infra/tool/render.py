"""Human views of a plan: a tree grouped by component, resource counts and outputs."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from infra.tool.cost.estimate import CostEstimate
from infra.tool.engine.plan import Plan, PlannedResource
from infra.tool.migrate import Change, Migration
from infra.tool.rules.check import PolicyReport


def _label(resource: PlannedResource, plan: Plan) -> str:
    flags = []
    if resource.protect:
        flags.append("[bold]protected[/bold]")
    if resource.retain_on_delete:
        flags.append("retained on delete")
    suffix = f"  ({', '.join(flags)})" if flags else ""
    if resource.custom:
        return f"{escape(resource.name)} [dim]{escape(resource.type)}[/dim]{suffix}"
    count = _count_custom(resource, plan)
    noun = "resource" if count == 1 else "resources"
    name, type_ = escape(resource.name), escape(resource.type)
    return f"[bold]{name}[/bold] [cyan]{type_}[/cyan] — {count} {noun}{suffix}"


def _count_custom(component: PlannedResource, plan: Plan) -> int:
    total = 0
    for child in plan.children(component.urn):
        total += 1 if child.custom else _count_custom(child, plan)
    return total


def _add(tree: Tree, parent: str | None, plan: Plan) -> None:
    children = plan.children(parent)
    for child in sorted(children, key=lambda r: (r.custom, r.name)):
        branch = tree.add(_label(child, plan))
        if not child.custom:
            _add(branch, child.urn, plan)


def print_plan(plan: Plan, console: Console | None = None) -> None:
    console = console or Console()
    total = sum(1 for r in plan.resources if r.custom)
    tree = Tree(
        f"[bold]{escape(plan.project)}/{escape(plan.stack)}[/bold] — "
        f"phase [green]{escape(plan.phase)}[/green], "
        f"{total} resources"
    )
    _add(tree, None, plan)
    console.print(tree)
    if plan.config is not None:
        kind = "production" if plan.config.production else "not production"
        protected = "protected" if plan.config.protect else "not protected"
        console.print(f"data: {kind} ({escape(plan.config.production_reason)}); stateful resources {protected}")

    counts = Table(title="Resources by type", show_edge=False)
    counts.add_column("type")
    counts.add_column("count", justify="right")
    for type_, count in sorted(plan.type_counts().items()):
        counts.add_row(escape(type_), str(count))
    console.print(counts)

    outputs = Table(title="Outputs", show_edge=False)
    outputs.add_column("name")
    outputs.add_column("value")
    for name, value in plan.outputs.items():
        outputs.add_row(escape(name), escape(str(value)))
    console.print(outputs)


def _short(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def print_policy(report: PolicyReport, console: Console | None = None) -> None:
    """One line per finding (greppable, never wrapped), then a summary line."""
    console = console or Console()
    if report.violations:
        console.print("[bold]Policy violations[/bold]")
    for v in report.violations:
        style = "red" if v.enforcement == "mandatory" else "yellow"
        console.print(
            f"  [{style}]✗ {v.enforcement}[/{style}] {escape(v.rule)} ({v.severity}) "
            f"on {escape(_short(v.urn))}: {escape(v.message)}",
            soft_wrap=True,
        )
    if report.accepted:
        console.print("[bold]Accepted findings[/bold]")
    for v, reason in report.accepted:
        console.print(f"  ✓ accepted {escape(v.rule)} on {escape(_short(v.urn))}: {escape(reason)}", soft_wrap=True)
    mandatory = len(report.mandatory)
    console.print(
        f"policy: {report.rules_checked} rules checked, {mandatory} mandatory and "
        f"{len(report.violations) - mandatory} advisory violations, {len(report.accepted)} accepted"
    )


def print_rules(rows: list[dict[str, str]], console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title="Policy rules", show_edge=False)
    for column in ("id", "scope", "severity", "enforcement", "reference", "description"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(escape(row[c]) for c in ("id", "scope", "severity", "enforcement", "reference", "description")))
    console.print(table)


def print_cost(plan: Plan, estimate: CostEstimate, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title=f"{plan.project}/{plan.stack} ({plan.phase}): monthly cost, USD", show_edge=False)
    table.add_column("resource")
    table.add_column("type")
    table.add_column("USD/month", justify="right")
    table.add_column("basis")
    free = set(estimate.free)
    for item in sorted(estimate.line_items, key=lambda i: -i.monthly):
        if item.urn in free:
            continue
        table.add_row(escape(item.name), escape(item.type), f"{item.monthly:,.2f}", escape(item.basis))
    for line in estimate.services:
        table.add_row(escape(line.service), "service (outside the stack)", f"{line.monthly:,.2f}", escape(line.basis))
    console.print(table)
    for entry in estimate.not_priced:
        console.print(f"  not priced: {escape(_short(entry['urn']))} ({escape(entry['type'])}): {entry['reason']}",
                      soft_wrap=True)  # fmt: skip
    budget = f" (budget ${estimate.budget:,.2f})" if estimate.budget is not None else ""
    console.print(
        f"[bold]total ~${estimate.total:,.2f}/month[/bold]{budget}; {len(free)} resources cost nothing "
        f"themselves; {len(estimate.not_priced)} not priced"
    )


def print_recommendation(users: int, phase: str, bills: dict[str, float | None], steps: list[Any],
                         side_by_side: dict[str, float | None] | None = None,
                         console: Console | None = None) -> None:  # fmt: skip
    from infra.tool.cost.advisor import BILLED_APART, ORIGINAL_ESTIMATES
    from infra.tool.cost.phase_bills import not_priced

    console = console or Console()
    console.print(f"[bold]{users:,} users -> phase {phase}[/bold]")
    table = Table(title="Estimated monthly bill by phase (shipped stacks, default usage)", show_edge=False)
    for column in ("phase", "estimate", "original estimate"):
        table.add_column(column)
    for name, bill in bills.items():
        apart = BILLED_APART.get(name)
        shown = not_priced(name) if bill is None else f"${bill:,.2f}" + (f" + {apart}" if apart else "")
        mark = " <-" if name == phase or name.startswith(f"{phase} (") else ""
        table.add_row(f"{name}{mark}", escape(shown), ORIGINAL_ESTIMATES.get(name, ""))
    console.print(table)
    if side_by_side and len(side_by_side) > 1:
        shown = " or ".join(f"{name} {not_priced(name) if bill is None else f'${bill:,.2f}'}"
                            for name, bill in side_by_side.items())  # fmt: skip
        console.print(f"  at {users:,} users, side by side at the same usage (nowry:usage defaults): {shown} a month "
                      "(nowry-infra cost STACK for the lines)")  # fmt: skip
    for step in steps:
        console.print(f"  {'✓' if step.reached else '·'} at {step.users:,} users: {escape(step.action)}")


MARKS = {"create": "+", "update": "~", "replace": "+-", "delete": "-"}
"""``pulumi preview``'s marks for each action."""


def print_migration(stack: str, migration: Migration, console: Console | None = None) -> None:
    """The changes as ``pulumi preview`` lists them (``type name``, under the component that owns
    them), then the runbook: a heading per section, its steps numbered under it."""
    console = console or Console()
    console.print(f"[bold]{stack}: {migration.source} -> {migration.target}[/bold]")
    groups: dict[str | None, list[Change]] = {}
    for change in migration.changes:
        groups.setdefault(change.component, []).append(change)
    for component in sorted(groups, key=lambda c: (c is not None, c or "")):
        indent = "    " if component else "  "
        if component:
            console.print(f"  [bold]{escape(component)}[/bold]", soft_wrap=True)
        for change in groups[component]:
            flag = " [red](DATA)[/red]" if change in migration.data_loss else ""
            detail = f" [{', '.join(change.properties)}]" if change.properties else ""
            console.print(f"{indent}{MARKS[change.action]:2} {change.action:7} {escape(change.type)} "
                          f"{escape(change.name)}{flag}{escape(detail)}", soft_wrap=True)  # fmt: skip
    counts = migration.to_json()["summary"]
    console.print(", ".join(f"{n} to {action}" for action, n in counts.items()))
    if migration.data_loss:
        console.print(f"[red]{len(migration.data_loss)} data stores would be deleted or replaced[/red]")
    for section in migration.runbook:
        console.print(f"\n[bold]{escape(section.title)}[/bold]", soft_wrap=True)
        for number, step in enumerate(section.steps, 1):
            console.print(f"  {number}. {escape(step)}", soft_wrap=True)


class VerifyProgress:
    """A live line per check while ``verify`` waits (only on a terminal)."""

    def __init__(self, stack: str, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.stack = stack
        self._status: Any = None

    def __enter__(self) -> VerifyProgress:
        if self.console.is_terminal:
            self._status = self.console.status(f"verifying {self.stack} ...")
            self._status.__enter__()
        return self

    def update(self, results: list[Any]) -> None:
        if self._status is not None:
            done = sum(1 for r in results if r.ok is not False)
            self._status.update(f"verifying {self.stack}: {done}/{len(results)} checks passing ...")

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.__exit__(*exc)


def print_checks(results: list[Any], console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title="Checks", show_edge=False)
    for column in ("check", "result", "detail"):
        table.add_column(column)
    marks = {True: "[green]ok[/green]", False: "[red]FAILED[/red]", None: "[dim]skipped[/dim]"}
    for result in results:
        table.add_row(escape(result.name), marks[result.ok], escape(result.detail))
    console.print(table)
