"""The same rules as Pulumi policies, for ``pulumi preview --policy-pack policy``.

``policy/__main__.py`` builds the ``PolicyPack`` from these (constructing a PolicyPack
starts a gRPC server, so nothing here does). Accepted findings come from the stack's own
``Pulumi.<stack>.yaml`` (``nowry:policy.accept``), read beside the pack, so the pack and the
offline check agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from infra.policy.model import Acceptance, Rule, StackRule, Subject, stack_of
from infra.policy.rules import RULES, STACK_RULES

PROJECT_DIR = Path(__file__).resolve().parents[2]


@cache
def acceptances(stack: str, project_dir: Path = PROJECT_DIR) -> tuple[Acceptance, ...]:
    """``nowry:policy.accept`` of ``Pulumi.<stack>.yaml``, read once per stack; none when the
    file has none."""
    path = project_dir / f"Pulumi.{stack}.yaml"
    try:
        config = (yaml.safe_load(path.read_text()) or {}).get("config") or {}
    except (OSError, yaml.YAMLError):
        return ()
    policy = config.get("nowry:policy") or {}
    return tuple(Acceptance(a["rule"], a.get("reason", ""), a.get("resource")) for a in policy.get("accept", []))


def _accepted(rule_id: str, urn: str, name: str, project_dir: Path) -> bool:
    return any(a.applies(rule_id, name) for a in acceptances(stack_of(urn), project_dir))


def _level(enforcement: str) -> EnforcementLevel:
    return EnforcementLevel.MANDATORY if enforcement == "mandatory" else EnforcementLevel.ADVISORY


def _subject(type_: str, name: str, urn: str, props: Mapping[str, Any], protect: bool,
             property_dependencies: Mapping[str, Sequence[Any]] | None = None) -> Subject:  # fmt: skip
    deps = {
        key: tuple(getattr(r, "urn", r) for r in resources) for key, resources in (property_dependencies or {}).items()
    }
    return Subject(type_, name, urn, dict(props), protect, deps)


def resource_policy(rule: Rule, project_dir: Path = PROJECT_DIR) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in rule.types:
            return
        if _accepted(rule.id, args.urn, args.name, project_dir):
            return
        subject = _subject(args.resource_type, args.name, args.urn, args.props, args.opts.protect)
        for message in rule.check(subject):
            report_violation(message, None)

    return ResourceValidationPolicy(
        name=rule.id,
        description=f"{rule.description} ({rule.reference})",
        validate=validate,
        enforcement_level=_level(rule.enforcement),
        severity=Severity(rule.severity),
    )


def stack_policy(rule: StackRule, project_dir: Path = PROJECT_DIR) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        subjects = [
            _subject(r.resource_type, r.name, r.urn, r.props, r.opts.protect, r.property_dependencies)
            for r in args.resources
        ]
        names = {s.urn: s.name for s in subjects}
        for urn, message in rule.check(subjects):
            if not _accepted(rule.id, urn, names.get(urn, ""), project_dir):
                report_violation(message, urn)

    return StackValidationPolicy(
        name=rule.id,
        description=f"{rule.description} ({rule.reference})",
        validate=validate,
        enforcement_level=_level(rule.enforcement),
        severity=Severity(rule.severity),
    )


def policies(project_dir: Path = PROJECT_DIR) -> list[Any]:
    """Every rule as a Pulumi policy."""
    made: list[Any] = [resource_policy(rule, project_dir) for rule in RULES]
    made += [stack_policy(rule, project_dir) for rule in STACK_RULES]
    return made
