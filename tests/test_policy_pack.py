"""The Pulumi policy pack wraps the same rules: driven through pulumi_policy's own args types."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib

import pytest
import yaml
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
)

from infra.config import source
from infra.tool import rules as r
from infra.tool.rules.check import check_plan
from infra.tool.rules.pack import (
    ACCEPTED_RULES_POLICY,
    _StackFacts,
    acceptances_from,
    policies,
    resource_policy,
    stack_policy,
)
from tests.conftest import PROJECT_DIR, SHIPPED_STACKS, shipped_plan


def stack_config(stack: str) -> dict[str, str]:
    """The flat config the Pulumi CLI hands a policy pack (``PULUMI_CONFIG``) for ``stack``."""
    return dict(source.from_stack_file(source.read_project(PROJECT_DIR), stack).values)


def options(protect: bool = False) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def urn(stack: str, type_: str, name: str) -> str:
    return f"urn:pulumi:{stack}::nowry::{type_}::{name}"


def run_resource_policy(rule_id: str, type_: str, props: dict, *, stack: str = "dev", name: str = "x") -> list[str]:
    rule = next(rule for rule in r.RULES if rule.id == rule_id)
    policy = resource_policy(rule, _StackFacts(lambda: stack_config(stack)))
    args = ResourceValidationArgs(type_, props, urn(stack, type_, name), name, options(), None)
    messages: list[str] = []
    policy.validate(args, lambda message, _urn=None: messages.append(message))
    return messages


def test_every_rule_becomes_a_policy_with_its_enforcement():
    made = policies()
    by_name = {p.name: p for p in made}
    assert set(by_name) == {rule.id for rule in (*r.RULES, *r.STACK_RULES)} | {ACCEPTED_RULES_POLICY}
    assert by_name["data-protected-in-prod"].enforcement_level == EnforcementLevel.MANDATORY
    assert by_name["secrets-rotation"].enforcement_level == EnforcementLevel.ADVISORY
    assert by_name[ACCEPTED_RULES_POLICY].enforcement_level == EnforcementLevel.MANDATORY


def accepted_rules_findings(accept: list[dict[str, str]]) -> list[str]:
    config = {"nowry:policy": json.dumps({"accept": accept})}
    policy = next(p for p in policies(lambda: config) if p.name == ACCEPTED_RULES_POLICY)
    found: list[str] = []
    policy.validate(StackValidationArgs([]), lambda message, _urn=None: found.append(message))
    return found


def test_the_pack_refuses_an_accepted_finding_of_a_rule_that_does_not_exist():
    found = accepted_rules_findings([{"rule": "ecs-no-public-ipp", "reason": "a reason long enough"}])
    assert found == [
        "nowry:policy.accept[0].rule: no such policy rule — did you mean 'ecs-no-public-ip'? "
        "(given: 'ecs-no-public-ipp'); allowed: a policy rule id (nowry-infra rules lists them)"
    ]


def test_the_pack_takes_accepted_findings_of_real_rules():
    assert accepted_rules_findings([{"rule": "ecs-no-public-ip", "reason": "a reason long enough"}]) == []


def test_resource_policy_reports_and_passes():
    bad = run_resource_policy("ecs-no-public-ip", r.SERVICE, {"networkConfiguration": {"assignPublicIp": True}})
    assert bad == ["tasks get a public IP"]
    good = run_resource_policy("ecs-no-public-ip", r.SERVICE, {"networkConfiguration": {"assignPublicIp": False}})
    assert good == []


def test_resource_policy_ignores_other_types():
    assert run_resource_policy("ecs-no-public-ip", r.BUCKET, {"networkConfiguration": {"assignPublicIp": True}}) == []


def test_accepted_findings_come_from_the_config_pulumi_hands_the_pack():
    accepted = acceptances_from(stack_config("prod"))
    assert any(a.rule == "ecs-no-public-ip" and a.resource == "backend-service" for a in accepted)
    props = {"networkConfiguration": {"assignPublicIp": True}}
    assert run_resource_policy("ecs-no-public-ip", r.SERVICE, props, stack="prod", name="backend-service") == []
    assert run_resource_policy("ecs-no-public-ip", r.SERVICE, props, stack="prod", name="other") != []


def test_stack_policy_sees_every_resource_and_its_property_dependencies():
    rule = next(rule for rule in r.STACK_RULES if rule.id == "sg-data-ports-backend-only")
    policy = stack_policy(rule, _StackFacts(dict))
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
    service = PolicyResource(r.SERVICE, {}, urn("prod", r.SERVICE, "backend-service"), "backend-service", options(),
                             None, None, [backend], {"networkConfiguration": [backend]})  # fmt: skip
    reported.clear()
    policy.validate(
        StackValidationArgs([backend, database, closed, service]), lambda m, u=None: reported.append((m, u))
    )
    assert reported == []  # the backend's group is the one the service runs in (its property dependency)


def test_pack_files_exist_and_never_build_the_pack_on_import():
    main = (PROJECT_DIR / "policy" / "__main__.py").read_text()
    assert "PolicyPack(" in main
    assert (PROJECT_DIR / "policy" / "PulumiPolicy.yaml").is_file()
    pack = yaml.safe_load((PROJECT_DIR / "policy" / "PulumiPolicy.yaml").read_text())
    assert pack["runtime"]["options"]["virtualenv"] == "../.venv"  # the environment `uv sync --locked` makes
    dependencies = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.startswith("pulumi-policy") for d in dependencies)


def pack_violations(stack: str, plan=None, config: dict[str, str] | None = None) -> set[tuple[str, str]]:
    """(rule, urn) of every violation the policy pack reports on the stack's planned resources
    (``plan``, else the shipped stack's), run with the config the Pulumi CLI would hand it."""
    plan = plan or shipped_plan(stack)
    config = stack_config(stack) if config is None else config
    by_urn = {res.urn: res for res in plan.resources if res.custom}
    resources = {
        urn: PolicyResource(res.type, res.inputs, urn, res.name, options(res.protect), None, None, [], {})
        for urn, res in by_urn.items()
    }
    for urn, res in by_urn.items():
        deps = {key: [resources[u] for u in urns if u in resources] for key, urns in res.property_dependencies.items()}
        resources[urn] = PolicyResource(res.type, res.inputs, urn, res.name, options(res.protect), None, None,
                                        [resources[d] for d in res.dependencies if d in resources], deps)  # fmt: skip
    found: set[tuple[str, str]] = set()
    for policy in policies(lambda: config):
        if isinstance(policy, ResourceValidationPolicy):
            for urn, res in resources.items():
                args = ResourceValidationArgs(res.resource_type, res.props, urn, res.name, res.opts, None)
                policy.validate(args, lambda _m, _u=None, rule=policy.name, urn=urn: found.add((rule, urn)))
        else:
            args = StackValidationArgs(list(resources.values()))
            policy.validate(args, lambda _m, u=None, rule=policy.name: found.add((rule, u or "")))
    return found


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_pack_and_offline_check_agree_on_every_shipped_stack(stack):
    offline = {(v.rule, v.urn) for v in check_plan(shipped_plan(stack)).violations}
    assert pack_violations(stack) == offline


def test_pack_reads_accepted_findings_from_pulumi_config_outside_the_project(tmp_path):
    """Run from another folder, as an installed pack would: only PULUMI_CONFIG says what prod accepts."""
    script = (
        "from pulumi_policy import PolicyCustomTimeouts, PolicyResourceOptions, ResourceValidationArgs\n"
        "from infra.tool.rules.pack import policies\n"
        "opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])\n"
        "t = 'aws:ecs/service:Service'\n"
        "args = ResourceValidationArgs(t, {'networkConfiguration': {'assignPublicIp': True}},\n"
        "    'urn:pulumi:prod::nowry::' + t + '::backend-service', 'backend-service', opts, None)\n"
        "found = []\n"
        "[p.validate(args, lambda m, u=None: found.append(m)) for p in policies() if p.name == 'ecs-no-public-ip']\n"
        "print(len(found))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(PROJECT_DIR)}
    run = lambda config: subprocess.run(  # noqa: E731
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True,
        env={**env, "PULUMI_CONFIG": json.dumps(config)},
    ).stdout.strip()  # fmt: skip
    assert run(stack_config("prod")) == "0"
    assert run({}) == "1"
