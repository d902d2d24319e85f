"""Run every rule over a plan offline; accepted exceptions (with reasons) from stack config."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infra.config.model import PolicyConfig
    from infra.tool.engine.plan import Plan

from infra.tool.rules import RULES, STACK_RULES
from infra.tool.rules.model import Acceptance, Subject, Violation


@dataclass(frozen=True)
class PolicyReport:
    rules_checked: int
    violations: list[Violation]
    accepted: list[tuple[Violation, str]] = field(default_factory=list)

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement == "mandatory"]

    def to_json(self) -> dict[str, Any]:
        return {
            "rules_checked": self.rules_checked,
            "violations": [v.to_json() for v in self.violations],
            "accepted": [{**v.to_json(), "reason": reason} for v, reason in self.accepted],
        }


def subjects(plan: Plan) -> list[Subject]:
    """The plan's provider resources as rules see them (secrets stay masked)."""
    production = plan.config is not None and plan.config.production
    return [
        Subject(r.type, r.name, r.urn, r.inputs, r.protect, r.property_dependencies, production)
        for r in plan.resources
        if r.custom
    ]


def evaluate(items: Sequence[Subject], acceptances: Iterable[Acceptance] = ()) -> PolicyReport:
    """Every rule over every resource; accepted findings are set apart with their reason."""
    found: list[Violation] = []
    for rule in RULES:
        for subject in (s for s in items if s.type in rule.types):
            found += [
                Violation(rule.id, subject.urn, rule.severity, rule.enforcement, message)
                for message in rule.check(subject)
            ]
    for stack_rule in STACK_RULES:
        found += [
            Violation(stack_rule.id, urn, stack_rule.severity, stack_rule.enforcement, message)
            for urn, message in stack_rule.check(list(items))
        ]
    names = {s.urn: s.name for s in items}
    accepted_by = list(acceptances)
    violations, accepted = [], []
    for violation in found:
        reason = next(
            (a.reason for a in accepted_by if a.applies(violation.rule, names.get(violation.urn, ""))),
            None,
        )
        if reason is None:
            violations.append(violation)
        else:
            accepted.append((violation, reason))
    return PolicyReport(len(RULES) + len(STACK_RULES), violations, accepted)


def acceptances(policy: PolicyConfig | None) -> tuple[Acceptance, ...]:
    """The findings a stack's ``nowry:policy`` accepts (none when it has no policy config)."""
    if policy is None:
        return ()
    return tuple(Acceptance(a.rule, a.reason, a.resource) for a in policy.accept)


def check_plan(plan: Plan) -> PolicyReport:
    return evaluate(subjects(plan), acceptances(plan.config.policy if plan.config is not None else None))
