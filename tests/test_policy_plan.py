"""`nowry-infra plan` runs every rule offline: shipped stacks pass, weakened configs fail."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from infra.tool.cli import app
from infra.tool.rules import RULE_IDS, RULES, STACK_RULES
from tests.conftest import PROJECT_DIR, SHIPPED_STACKS

runner = CliRunner()


def plan(stack: str, *overrides: str, as_json: bool = True):
    args = ["plan", stack, "--project-dir", str(PROJECT_DIR)] + (["--json"] if as_json else [])
    for override in overrides:
        args += ["--set", override]
    return runner.invoke(app, args)


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_shipped_stacks_have_no_mandatory_violation(stack):
    result = plan(stack)
    assert result.exit_code == 0, result.output
    policy = json.loads(result.stdout)["policy"]
    assert policy["rules_checked"] == len(RULES) + len(STACK_RULES)
    assert [v for v in policy["violations"] if v["enforcement"] == "mandatory"] == []


def test_policy_json_shape_and_accepted_findings():
    policy = json.loads(plan("prod").stdout)["policy"]
    assert set(policy) == {"rules_checked", "violations", "accepted"}
    accepted = {a["rule"] for a in policy["accepted"]}
    assert "cloudfront-tls12" in accepted
    assert all(a["reason"] for a in policy["accepted"])
    for entry in policy["accepted"]:
        assert set(entry) == {"rule", "urn", "severity", "enforcement", "message", "reason"}


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        (["nowry:protect=false"], "data-protected-in-prod"),
        (["nowry:database.backupRetentionDays=7", "nowry:aws.waf.enabled=false"], "cloudfront-waf"),
        (["nowry:aws.waf.rateLimit=1000"], "waf-rate-limit-bad-inputs"),
        (["nowry:backend.env.MONGO_PASSWORD=hunter2"], "ecs-secrets-not-environment"),
        (["nowry:aws.secretRecoveryDays=7", "nowry:aws.flowLogs=false"], "vpc-flow-logs"),
        (["nowry:aws.logRetentionDays=30"], "logs-year-in-prod"),
        (["nowry:aws.dataKey=aws-owned"], "kms-customer-key"),
        (["nowry:cache.nodes=1", "nowry:policy.accept=[]"], "cache-failover-in-prod"),
    ],
)
def test_configs_that_weaken_prod_are_caught(overrides, rule):
    result = plan("prod", *overrides)
    policy = json.loads(result.stdout)["policy"]
    rules_hit = {v["rule"] for v in policy["violations"]}
    assert rule in rules_hit
    mandatory = any(v["enforcement"] == "mandatory" for v in policy["violations"])
    assert result.exit_code == (1 if mandatory else 0)


def test_protect_false_on_prod_exits_1_and_names_the_resources():
    result = plan("prod", "nowry:protect=false", as_json=False)
    assert result.exit_code == 1
    assert "data-protected-in-prod" in result.stdout
    assert "mandatory" in result.stdout


def test_open_atlas_in_prod_is_a_mandatory_violation(project):
    config = {
        "nowry:phase": "hybrid",
        "nowry:backend": {"image": "ghcr.io/nowry/nowry-backend:1.0.0"},
        "nowry:atlas": {"ipAccessList": ["0.0.0.0/0"]},
    }
    directory = project(config, stack="prod")
    result = runner.invoke(app, ["plan", "prod", "--json", "--project-dir", str(directory)])
    assert result.exit_code == 1
    rules_hit = {v["rule"] for v in json.loads(result.stdout)["policy"]["violations"]}
    assert "atlas-access-list-not-open-in-prod" in rules_hit


def test_an_acceptance_must_name_a_real_rule_and_give_a_reason(project):
    config = {
        "nowry:phase": "local",
        "nowry:backend": {"image": "ghcr.io/a/b:1"},
        "nowry:frontend": {"image": "ghcr.io/a/c:1"},
        "nowry:policy": {"accept": [{"rule": "ecs-no-public-ips", "reason": "because we can, really"},
                                    {"rule": "ecs-no-public-ip", "reason": "short"}]},
    }  # fmt: skip
    result = runner.invoke(app, ["plan", "test", "--project-dir", str(project(config))])
    assert result.exit_code == 2
    assert "nowry:policy.accept[0].rule" in result.stderr and "did you mean 'ecs-no-public-ip'" in result.stderr
    assert "nowry:policy.accept[1].reason: is too short" in result.stderr


def test_rules_command_lists_every_rule():
    result = runner.invoke(app, ["rules", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert {row["id"] for row in rows} == RULE_IDS and len(rows) == len(RULE_IDS)
    assert {"id", "severity", "enforcement", "reference", "description", "scope"} <= set(rows[0])
