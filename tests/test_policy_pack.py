"""The Pulumi policy pack wraps the same rules: driven through pulumi_policy's own args types."""

from __future__ import annotations

from pathlib import Path

from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)

from infra.policy import rules as r
from infra.policy.pack import acceptances, policies, resource_policy, stack_policy
from tests.conftest import PROJECT_DIR


def options(protect: bool = False) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def urn(stack: str, type_: str, name: str) -> str:
    return f"urn:pulumi:{stack}::nowry::{type_}::{name}"


def run_resource_policy(rule_id: str, type_: str, props: dict, *, stack: str = "dev", name: str = "x",
                        project_dir: Path = PROJECT_DIR) -> list[str]:  # fmt: skip
    rule = next(rule for rule in r.RULES if rule.id == rule_id)
    policy = resource_policy(rule, project_dir)
    args = ResourceValidationArgs(type_, props, urn(stack, type_, name), name, options(), None)
    messages: list[str] = []
    policy.validate(args, lambda message, _urn=None: messages.append(message))
    return messages


def test_every_rule_becomes_a_policy_with_its_enforcement():
    made = policies()
    assert len(made) == len(r.RULES) + len(r.STACK_RULES)
    by_name = {p.name: p for p in made}
    assert by_name["data-protected-in-prod"].enforcement_level == EnforcementLevel.MANDATORY
    assert by_name["secrets-rotation"].enforcement_level == EnforcementLevel.ADVISORY


def test_resource_policy_reports_and_passes():
    bad = run_resource_policy("ecs-no-public-ip", r.SERVICE, {"networkConfiguration": {"assignPublicIp": True}})
    assert bad == ["tasks get a public IP"]
    good = run_resource_policy("ecs-no-public-ip", r.SERVICE, {"networkConfiguration": {"assignPublicIp": False}})
    assert good == []


def test_resource_policy_ignores_other_types():
    assert run_resource_policy("ecs-no-public-ip", r.BUCKET, {"networkConfiguration": {"assignPublicIp": True}}) == []


def test_accepted_findings_come_from_the_stacks_own_file():
    accepted = acceptances("prod")
    assert any(a.rule == "ecs-no-public-ip" and a.resource == "backend-service" for a in accepted)
    props = {"networkConfiguration": {"assignPublicIp": True}}
    assert run_resource_policy("ecs-no-public-ip", r.SERVICE, props, stack="prod", name="backend-service") == []
    assert run_resource_policy("ecs-no-public-ip", r.SERVICE, props, stack="prod", name="other") != []


def test_stack_policy_sees_every_resource_and_its_property_dependencies():
    rule = next(rule for rule in r.STACK_RULES if rule.id == "sg-data-ports-backend-only")
    policy = stack_policy(rule)
    backend = PolicyResource(r.SECURITY_GROUP, {}, urn("prod", r.SECURITY_GROUP, "firewall-backend"),
                             "firewall-backend", options(), None, None, [], {})  # fmt: skip
    database = PolicyResource(r.SECURITY_GROUP, {}, urn("prod", r.SECURITY_GROUP, "firewall-database"),
                              "firewall-database", options(), None, None, [], {})  # fmt: skip
    props = {"fromPort": 27017, "toPort": 27017, "cidrIpv4": "0.0.0.0/0", "description": "oops"}
    rule_urn = urn("prod", r.INGRESS, "db-open")
    open_rule = PolicyResource(r.INGRESS, props, rule_urn, "db-open", options(), None, None, [database],
                               {"securityGroupId": [database]})  # fmt: skip
    reported: list[tuple[str, str | None]] = []
    policy.validate(StackValidationArgs([backend, database, open_rule]), lambda m, u=None: reported.append((m, u)))
    assert reported and reported[0][1] == rule_urn
    closed_props = {"fromPort": 27017, "toPort": 27017, "description": "ok", "referencedSecurityGroupId": "sg-b"}
    closed = PolicyResource(r.INGRESS, closed_props, rule_urn, "db-ok", options(), None, None, [backend],
                            {"securityGroupId": [database], "referencedSecurityGroupId": [backend]})  # fmt: skip
    reported.clear()
    policy.validate(StackValidationArgs([backend, database, closed]), lambda m, u=None: reported.append((m, u)))
    assert reported == []


def test_pack_files_exist_and_never_build_the_pack_on_import():
    main = (PROJECT_DIR / "policy" / "__main__.py").read_text()
    assert "PolicyPack(" in main
    assert (PROJECT_DIR / "policy" / "PulumiPolicy.yaml").is_file()
    assert "pulumi-policy" in (PROJECT_DIR / "policy" / "requirements.txt").read_text()
