"""What a change does to each stack, base against head: resources, bill, policy and data.

The resource verdicts are ``migrate``'s (``infra.tool.migrate.diff``): what is created, updated
(which inputs), replaced (the inputs that force it, from the kinds table's replacement rules,
or a replacement carried from a resource it takes an input from) and deleted; a data store
that is replaced or deleted is data loss. The bill compares the two estimates line by line;
the policy compares the two reports' unaccepted findings by rule and resource, and going over
``nowry:monthlyBudget`` counts as a finding. A change fails (exit 1) when it loses data or adds
an unaccepted finding.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from infra.tool.change_sources import Side, Sides, StackSides
from infra.tool.engine.plan import Plan, PlannedResource, owner
from infra.tool.migrate import Change, diff
from infra.tool.resource_kinds import kind

CARRIED = " (from a replaced resource)"
"""How ``migrate.diff`` marks an input that carries a replacement from another resource."""
BUDGET_RULE = "monthly-budget"


@dataclass(frozen=True)
class InputChange:
    name: str
    before: Any
    after: Any

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class Forcing:
    """An input that forces a replacement, and the provider source that says so."""

    input: str
    source: str

    def to_json(self) -> dict[str, str]:
        return {"input": self.input, "source": self.source}


@dataclass(frozen=True)
class ResourceChange:
    action: str
    """create | update | replace | delete"""
    urn: str
    type: str
    name: str
    component: str | None
    """The name of the component it belongs to (None: directly under the stack)."""
    stateful: bool
    protected: bool
    """Protected at the base: ``pulumi up`` refuses to delete or replace it until that is lifted."""
    inputs: tuple[InputChange, ...] = ()
    forced_by: tuple[Forcing, ...] = ()
    moved_from: str | None = None
    """The URN it had at the base, when its ``aliases`` carry it to a new one."""

    @property
    def data_loss(self) -> bool:
        return self.stateful and self.action in ("replace", "delete")

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "component": self.component,
            "stateful": self.stateful,
            "protected": self.protected,
            "data_loss": self.data_loss,
            "inputs": [i.to_json() for i in self.inputs],
            "forced_by": [f.to_json() for f in self.forced_by],
            "moved_from": self.moved_from,
        }


@dataclass(frozen=True)
class BillLine:
    urn: str
    name: str
    type: str
    before: float | None
    """None: not on the base's bill (a new resource)."""
    after: float | None
    basis: str
    """How the head's figure is reached (the base's, for a line that goes)."""

    @property
    def delta(self) -> float:
        return round((self.after or 0.0) - (self.before or 0.0), 2)

    def to_json(self) -> dict[str, Any]:
        return {"urn": self.urn, "name": self.name, "type": self.type, "before": self.before, "after": self.after,
                "delta": self.delta, "basis": self.basis}  # fmt: skip


@dataclass(frozen=True)
class Bill:
    before: float
    after: float
    lines: tuple[BillLine, ...]
    """Only the lines that change."""
    budget: float | None = None
    not_priced: tuple[str, ...] = ()
    """Names of resources new at the head that have no price (the totals leave them out)."""

    @property
    def delta(self) -> float:
        return round(self.after - self.before, 2)

    def to_json(self) -> dict[str, Any]:
        return {"currency": "USD", "before": self.before, "after": self.after, "delta": self.delta,
                "budget": self.budget, "lines": [line.to_json() for line in self.lines],
                "not_priced": list(self.not_priced)}  # fmt: skip


@dataclass(frozen=True)
class Finding:
    rule: str
    urn: str | None
    """None for a finding about the whole stack (its bill over budget)."""
    name: str
    severity: str
    enforcement: str
    message: str
    reason: str | None = None
    """Why it is accepted (newly accepted findings only)."""

    def to_json(self) -> dict[str, Any]:
        found = {"rule": self.rule, "urn": self.urn, "name": self.name, "severity": self.severity,
                 "enforcement": self.enforcement, "message": self.message}  # fmt: skip
        return found if self.reason is None else {**found, "reason": self.reason}


@dataclass(frozen=True)
class StackDiff:
    stack: str
    status: str
    """created | deleted | changed | unchanged"""
    base_phase: str | None
    head_phase: str | None
    changes: tuple[ResourceChange, ...]
    bill: Bill
    appeared: tuple[Finding, ...] = ()
    cleared: tuple[Finding, ...] = ()
    accepted: tuple[Finding, ...] = ()
    """Findings the head accepts (with a reason) that the base did not."""
    notes: tuple[str, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        return {a: sum(1 for c in self.changes if c.action == a) for a in ("create", "update", "replace", "delete")}

    @property
    def data_loss(self) -> list[ResourceChange]:
        return [c for c in self.changes if c.data_loss]

    @property
    def fails(self) -> bool:
        return bool(self.data_loss or self.appeared)

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "status": self.status,
            "phase": {"before": self.base_phase, "after": self.head_phase},
            "summary": self.counts,
            "changes": [c.to_json() for c in self.changes],
            "data_loss": [c.to_json() for c in self.data_loss],
            "cost": self.bill.to_json(),
            "policy": {
                "appeared": [f.to_json() for f in self.appeared],
                "cleared": [f.to_json() for f in self.cleared],
                "newly_accepted": [f.to_json() for f in self.accepted],
            },
            "notes": list(self.notes),
            "fails": self.fails,
        }


@dataclass(frozen=True)
class ChangeReport:
    base: dict[str, str]
    stacks: tuple[StackDiff, ...]

    @property
    def exit_code(self) -> int:
        return 1 if any(s.fails for s in self.stacks) else 0

    def to_json(self) -> dict[str, Any]:
        return {"base": self.base, "stacks": [s.to_json() for s in self.stacks], "exit_code": self.exit_code}


def _empty(project: str, stack: str) -> Plan:
    return Plan(project, stack, "", (), {})


def _forcing(type_: str, inputs: Iterable[str]) -> tuple[Forcing, ...]:
    rules = {r.input: r.source for r in kind(type_).replaced_on}
    found = []
    for name in inputs:
        if name.endswith(CARRIED):
            found.append(Forcing(name.removesuffix(CARRIED), "takes its value from a replaced resource"))
        else:
            found.append(Forcing(name, rules.get(name, "the kinds table's replacement rules")))
    return tuple(found)


def _resource_change(
    change: Change, before: dict[str, PlannedResource], after: dict[str, PlannedResource], moves: dict[str, str]
) -> ResourceChange:
    old, new = before.get(change.urn), after.get(change.urn)
    resource = new or old
    assert resource is not None, change.urn
    component = owner(resource.parent)
    inputs: tuple[InputChange, ...] = ()
    forced: tuple[Forcing, ...] = ()
    if change.action == "update" and old is not None and new is not None:
        inputs = tuple(InputChange(k, old.inputs.get(k), new.inputs.get(k)) for k in change.properties)
    elif change.action == "replace":
        forced = _forcing(change.type, change.properties)
    return ResourceChange(
        change.action, change.urn, change.type, resource.name, component[1] if component else None,
        change.stateful, bool(old and old.protect), inputs, forced, moves.get(change.urn),
    )  # fmt: skip


def _renamed(side: Side, urns: dict[str, str]) -> Side:
    """``side`` with each old URN in ``urns`` replaced by its new one: resources, bill lines, findings."""

    def item(entry: Any) -> Any:
        urn = entry.get("urn") if isinstance(entry, dict) else None
        return {**entry, "urn": urns[urn]} if urn in urns else entry

    plan = side.plan
    resources = tuple(replace(r, urn=urns[r.urn]) if r.urn in urns else r for r in plan.resources)
    policy = {k: [item(e) for e in v] if k in ("violations", "accepted") else v for k, v in side.policy.items()}
    cost = {**side.cost, "line_items": [item(e) for e in side.cost["line_items"]]}
    return replace(side, plan=replace(plan, resources=resources), policy=policy, cost=cost)


def _follow_aliases(base: Side, head: Side) -> tuple[Side, dict[str, str]]:
    """Resources the head moved to a new URN with ``aliases`` naming their base URN are the same
    resource, as Pulumi treats them: the base side under the head's URNs, and new URN -> old URN."""
    at_base = {r.urn for r in base.plan.resources}
    at_head = {r.urn for r in head.plan.resources}
    moves: dict[str, str] = {}
    for resource in head.plan.resources:
        if resource.urn in at_base:
            continue
        old = next((a for a in resource.aliases if a in at_base and a not in at_head and a not in moves.values()), None)
        if old is not None:
            moves[resource.urn] = old
    if not moves:
        return base, {}
    return _renamed(base, {old: new for new, old in moves.items()}), moves


def _bill(base: Side | None, head: Side | None) -> Bill:
    def lines(side: Side | None) -> dict[str, dict[str, Any]]:
        found = {str(item["urn"]): item for item in (side.cost["line_items"] if side else [])}
        for service in side.cost.get("services", []) if side else []:  # what the settings buy, once each
            if isinstance(service, dict) and isinstance(service.get("monthly"), (int, float)):
                name = str(service.get("service"))
                found[f"service:{name}"] = {**service, "name": name, "type": "service"}
        return found

    def total(side: Side | None) -> float:
        return round(float(side.cost["monthly_total"]), 2) if side else 0.0

    old, new = lines(base), lines(head)
    changed = []
    for urn in old.keys() | new.keys():
        was, now = old.get(urn), new.get(urn)
        before = round(float(was["monthly"]), 2) if was else None
        after = round(float(now["monthly"]), 2) if now else None
        if before != after and (before or after):
            item = now or was or {}
            changed.append(BillLine(urn, str(item.get("name", urn)), str(item.get("type", "")), before, after,
                                    str(item.get("basis", ""))))  # fmt: skip
    changed.sort(key=lambda line: (-abs(line.delta), line.name))
    unpriced_before = {str(i.get("urn")) for i in (base.cost.get("not_priced", []) if base else [])}
    unpriced = tuple(
        str(i.get("urn", "")).rsplit("::", 1)[-1]
        for i in (head.cost.get("not_priced", []) if head else [])
        if str(i.get("urn")) not in unpriced_before
    )
    budget = head.cost.get("budget") if head else None
    return Bill(total(base), total(head), tuple(changed), budget if isinstance(budget, (int, float)) else None,
                unpriced)  # fmt: skip


def _violations(side: Side | None, key: str) -> dict[tuple[str, str | None], list[Finding]]:
    grouped: dict[tuple[str, str | None], list[Finding]] = {}
    for item in side.policy.get(key, []) if side else []:
        urn = item.get("urn")
        finding = Finding(str(item.get("rule")), urn, str(urn or "").rsplit("::", 1)[-1], str(item.get("severity")),
                          str(item.get("enforcement")), str(item.get("message")),
                          item.get("reason") if key == "accepted" else None)  # fmt: skip
        grouped.setdefault((finding.rule, urn), []).append(finding)
    if key == "violations" and side and side.cost.get("over_budget"):
        total, budget = float(side.cost["monthly_total"]), float(side.cost.get("budget") or 0)
        message = f"the bill, ${total:,.2f}/month, exceeds nowry:monthlyBudget ${budget:,.2f}"
        grouped[(BUDGET_RULE, None)] = [Finding(BUDGET_RULE, None, side.plan.stack, "medium", "advisory", message)]
    return grouped


def _policy(base: Side | None, head: Side | None) -> tuple[tuple[Finding, ...], ...]:
    old, new = _violations(base, "violations"), _violations(head, "violations")
    was_accepted, now_accepted = _violations(base, "accepted"), _violations(head, "accepted")
    appeared = tuple(f for key, found in new.items() if key not in old for f in found)
    cleared = tuple(f for key, found in old.items() if key not in new and key not in now_accepted for f in found)
    accepted = tuple(f for key, found in now_accepted.items() if key not in was_accepted for f in found)
    return appeared, cleared, accepted


def _place(urn: str) -> str:
    """Where a URN puts its resource: the chain of component types above it."""
    chain = urn.split("::")[2].split("$")[:-1] if urn.count("::") >= 3 else []
    return " / ".join(chain) or "the stack"


def _notes(
    sides: StackSides, changes: tuple[ResourceChange, ...], moves: dict[str, str], after: dict[str, PlannedResource]
) -> list[str]:
    notes = list(sides.notes)
    base, head = sides.base, sides.head
    if base and head and base.plan.phase != head.plan.phase:
        notes.append(f"the phase changes from {base.plan.phase} to {head.plan.phase}: `nowry-infra migrate "
                     f"{sides.stack} --to {head.plan.phase}` prints the runbook that moves the data first")  # fmt: skip
    was = (base.production or {}).get("protect") if base else None
    production = (head.production or {}) if head else {}
    now = production.get("protect")
    if was is not None and now is not None and was != now:
        notes.append(f"stateful resources are {'now' if now else 'no longer'} protected "
                     f"({production.get('reason', 'nowry:production')})")  # fmt: skip
    for new, old in sorted(moves.items()):
        resource = after[new]
        notes.append(f"{resource.name} ({resource.type}) moves from {_place(old)} to {_place(new)}: its `aliases` "
                     "name the old URN, so Pulumi keeps the same resource")  # fmt: skip
    deleted = {c.name: c for c in changes if c.action == "delete"}
    for created in (c for c in changes if c.action == "create" and c.name in deleted):
        gone = deleted[created.name]
        if created.type != gone.type and created.component != gone.component:
            continue  # a different resource that happens to share the name
        if head and head.input_sources:
            why = (
                "no `aliases` name its old URN, so Pulumi deletes it and creates it again (give it aliases to keep it)"
            )
        else:
            why = "the head plan file names no `aliases` for it (one made before plans recorded aliases would not)"
        notes.append(f"{created.name} ({created.type}) moves from {_place(gone.urn)} to {_place(created.urn)}: {why}")
    if head and not head.input_sources and any(c.action == "replace" for c in changes):
        notes.append("the head plan is a file, which does not record where each input's value came from: a "
                     "replacement carried from one resource to another is not followed")  # fmt: skip
    return notes


def compare_stack(sides: StackSides) -> StackDiff:
    base, head = sides.base, sides.head
    moves: dict[str, str] = {}
    if base and head:
        base, moves = _follow_aliases(base, head)
    either = head or base
    project = either.plan.project if either else "nowry"
    before_plan = base.plan if base else _empty(project, sides.stack)
    after_plan = head.plan if head else _empty(project, sides.stack)
    before = {r.urn: r for r in before_plan.resources}
    after = {r.urn: r for r in after_plan.resources}
    changes = tuple(_resource_change(c, before, after, moves) for c in diff(before_plan, after_plan))
    bill = _bill(base, head)
    appeared, cleared, accepted = _policy(base, head)
    if base is None:
        status = "created"
    elif head is None:
        status = "deleted"
    else:
        changed = (
            changes or bill.lines or appeared or cleared or accepted or moves or base.plan.phase != head.plan.phase
        )
        status = "changed" if changed else "unchanged"
    return StackDiff(
        sides.stack, status, base.plan.phase if base else None, head.plan.phase if head else None, changes, bill,
        appeared, cleared, accepted, tuple(_notes(sides, changes, moves, after)),
    )  # fmt: skip


def compare(sides: Sides) -> ChangeReport:
    return ChangeReport(sides.base, tuple(compare_stack(s) for s in sides.stacks))
