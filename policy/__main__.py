"""Nowry's policy pack: `pulumi preview --policy-pack policy` enforces what the offline check does."""

from pulumi_policy import EnforcementLevel, PolicyPack

from infra.tool.rules.pack import policies

PolicyPack(
    name="nowry-security",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=policies(),
)
