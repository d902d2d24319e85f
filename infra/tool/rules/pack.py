"""The same rules as Pulumi policies, for ``pulumi preview --policy-pack policy``.

``policy/__main__.py`` builds the ``PolicyPack`` from these (constructing a PolicyPack
starts a gRPC server, so nothing here does). Accepted findings come from the config of the
stack being previewed (``nowry:policy.accept``), which the Pulumi CLI hands every policy
pack it runs in the ``PULUMI_CONFIG`` environment variable (pulumi/pulumi#3612, "Support
Config/getProject/getStack/isDryRun from Policy Packs"; pulumi_policy loads it into the
runtime config when the pack starts). Nothing is read from files beside the pack, so it
works from any folder and installed non-editable, and agrees with the offline check.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from infra import PROJECT
from infra.tool.rules import RULES, STACK_RULES
from infra.tool.rules.model import Acceptance, Rule, StackRule, Subject

ConfigSource = Callable[[], Mapping[str, str]]
"""Returns the stack's flat config (``{"nowry:policy": "{...json...}"}``)."""


def runtime_config() -> Mapping[str, str]:
    """The stack config the Pulumi CLI gave this process (``PULUMI_CONFIG``)."""
    from pulumi.runtime import get_config_env

    return get_config_env()


def acceptances_from(config: Mapping[str, str]) -> tuple[Acceptance, ...]:
    """The findings a stack's flat config accepts (``nowry:policy.accept``), validated by the
    same model as the offline check; none when the key is unset or does not validate (the
    ``policy-accepts-known-rules`` policy then reports why)."""
    from infra.tool.rules.acceptance import validated
    from infra.tool.rules.check import acceptances

    text = config.get(f"{PROJECT}:policy")
    if not text:
        return ()
    policy, _ = validated(json.loads(text))
    return acceptances(policy)


def production_from(config: Mapping[str, str]) -> bool:
    """Whether the stack holds production data, decided from its flat config exactly as the
    offline plan decides it (``nowry:production``, else the phase's default)."""
    from infra.config.model import parse_boolean, production_decision

    stated = config.get(f"{PROJECT}:production")
    try:
        value = None if stated is None else parse_boolean(stated)
    except ValueError:
        value = True  # an unreadable answer protects
    return production_decision(config.get(f"{PROJECT}:phase"), value)[0]


class _StackFacts:
    """What the policies need from the stack's config (accepted findings, the production decision), read once."""

    def __init__(self, source: ConfigSource) -> None:
        self._source = source
        self._cached: tuple[tuple[Acceptance, ...], bool] | None = None

    def _read(self) -> tuple[tuple[Acceptance, ...], bool]:
        if self._cached is None:
            config = self._source()
            self._cached = (acceptances_from(config), production_from(config))
        return self._cached

    def __call__(self, rule_id: str, name: str) -> bool:
        return any(a.applies(rule_id, name) for a in self._read()[0])

    @property
    def production(self) -> bool:
        return self._read()[1]


def _level(enforcement: str) -> EnforcementLevel:
    return EnforcementLevel.MANDATORY if enforcement == "mandatory" else EnforcementLevel.ADVISORY


def _subject(type_: str, name: str, urn: str, props: Mapping[str, Any], protect: bool, production: bool,
             property_dependencies: Mapping[str, Sequence[Any]] | None = None) -> Subject:  # fmt: skip
    deps = {
        key: tuple(getattr(r, "urn", r) for r in resources) for key, resources in (property_dependencies or {}).items()
    }
    return Subject(type_, name, urn, dict(props), protect, deps, production)


def resource_policy(rule: Rule, accepted: _StackFacts) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in rule.types:
            return
        if accepted(rule.id, args.name):
            return
        subject = _subject(args.resource_type, args.name, args.urn, args.props, args.opts.protect, accepted.production)
        for message in rule.check(subject):
            report_violation(message, None)

    return ResourceValidationPolicy(
        name=rule.id,
        description=f"{rule.description} ({rule.reference})",
        validate=validate,
        enforcement_level=_level(rule.enforcement),
        severity=Severity(rule.severity),
    )


def stack_policy(rule: StackRule, accepted: _StackFacts) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        subjects = [
            _subject(
                r.resource_type, r.name, r.urn, r.props, r.opts.protect, accepted.production, r.property_dependencies
            )
            for r in args.resources
        ]
        names = {s.urn: s.name for s in subjects}
        for urn, message in rule.check(subjects):
            if not accepted(rule.id, names.get(urn, "")):
                report_violation(message, urn)

    return StackValidationPolicy(
        name=rule.id,
        description=f"{rule.description} ({rule.reference})",
        validate=validate,
        enforcement_level=_level(rule.enforcement),
        severity=Severity(rule.severity),
    )


ACCEPTED_RULES_POLICY = "policy-accepts-known-rules"


def accepted_rules_policy(source: ConfigSource) -> StackValidationPolicy:
    """The stack's ``nowry:policy.accept`` is valid and names only rules that exist: a typo would
    accept nothing, so it is refused here as the offline plan refuses it (exit 2)."""

    def validate(_: StackValidationArgs, report_violation: ReportViolation) -> None:
        from infra.tool.rules.acceptance import validated

        text = source().get(f"{PROJECT}:policy")
        if text:
            for issue in validated(json.loads(text))[1]:
                report_violation(issue.render(), None)

    return StackValidationPolicy(
        name=ACCEPTED_RULES_POLICY,
        description="Every finding nowry:policy.accept accepts names a rule of this pack",
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity("high"),
    )


def policies(config: ConfigSource = runtime_config) -> list[Any]:
    """Every rule as a Pulumi policy, and the check of the accepted rule ids; accepted findings
    from ``config`` (the stack's)."""
    accepted = _StackFacts(config)
    made: list[Any] = [resource_policy(rule, accepted) for rule in RULES]
    made += [stack_policy(rule, accepted) for rule in STACK_RULES]
    made.append(accepted_rules_policy(config))
    return made
