"""GitHub workflows, architecture pictures and the aws phase's monitoring."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from typer.testing import CliRunner

from infra.cli import app
from infra.diagram import picture
from infra.engine import plan_stack
from tests.conftest import PROJECT_DIR

WORKFLOWS = PROJECT_DIR / ".github" / "workflows"
runner = CliRunner()


def workflow(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def test_workflows_match_githubs_schema():
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert files
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", *files],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_pull_requests_check_plan_and_preview_with_the_policy_pack():
    pr = workflow("pull-request.yml")
    assert "pull_request" in pr["on"]
    checks = "\n".join(step.get("run", "") for step in pr["jobs"]["checks"]["steps"])
    for command in ("ruff check", "pyright", "pytest", "nowry-infra plan"):
        assert command in checks
    preview = pr["jobs"]["preview"]
    assert preview["needs"] == "checks"
    assert preview["permissions"]["pull-requests"] == "write"
    assert preview["permissions"]["id-token"] == "write"
    pulumi = next(s for s in preview["steps"] if str(s.get("uses", "")).startswith("pulumi/actions@"))
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["comment-on-pr"] is True
    assert pulumi["with"]["policyPacks"] == "policy"


def test_deploys_go_dev_then_prod_behind_reviewers_never_overlapping():
    deploy = workflow("deploy.yml")
    assert deploy["on"]["push"]["branches"] == ["main"]
    dev, prod = deploy["jobs"]["dev"], deploy["jobs"]["prod"]
    assert prod["needs"] == "dev"
    assert prod["environment"] == "prod"
    for job, stack in ((dev, "dev"), (prod, "prod")):
        assert job["concurrency"]["group"] == f"pulumi-up-{stack}"
        assert job["concurrency"]["cancel-in-progress"] is False
        up = next(s for s in job["steps"] if str(s.get("uses", "")).startswith("pulumi/actions@"))
        assert up["with"]["command"] == "up" and up["with"]["stack-name"] == stack


def test_aws_access_is_oidc_only_and_versions_are_quoted():
    for path in WORKFLOWS.glob("*.yml"):
        text = path.read_text()
        assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text
        assert "role-to-assume" in text
        for line in text.splitlines():
            if "python-version:" in line or line.strip().startswith("version:"):
                assert '"' in line, f"{path.name}: unquoted version: {line.strip()}"


def test_prod_picture_puts_each_piece_in_its_boundary():
    pic = picture(plan_stack(PROJECT_DIR, "prod"))
    boundaries = {key: role.boundary for key, role in pic.nodes.items()}
    assert boundaries["cdn"].startswith("Edge") and boundaries["waf"].startswith("Edge")
    assert boundaries["alb"] == "VPC private subnets"
    assert boundaries["db"] == "VPC private subnets" and boundaries["cache"] == "VPC private subnets"
    assert boundaries["api"] == "VPC public subnets"  # no NAT: tasks with public IPs, reached only via the ALB
    assert {
        ("waf", "cdn"),
        ("cdn", "site"),
        ("cdn", "alb"),
        ("alb", "api"),
        ("api", "db"),
        ("api", "cache"),
    } <= pic.edges
    assert not any("role" in key or "policy" in key for key in pic.nodes)


def test_managed_picture_follows_the_phase():
    pic = picture(plan_stack(PROJECT_DIR, "dev", ["nowry:phase=all-paid"]))
    assert {role.boundary for role in pic.nodes.values()} == {"Vercel", "Railway", "MongoDB Atlas", "Upstash"}
    assert {("web", "api"), ("api", "db"), ("api", "cache")} <= pic.edges


@pytest.mark.parametrize("suffix", ["png", "svg", "dot"])
def test_diagram_command_writes_each_format(tmp_path, suffix):
    out = tmp_path / f"prod.{suffix}"
    result = runner.invoke(app, ["diagram", "prod", "--out", str(out), "--project-dir", str(PROJECT_DIR)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    signature = {"png": b"\x89PNG", "svg": b"<svg", "dot": b"digraph"}[suffix]
    assert signature in data[:2000]
    if suffix == "dot":
        assert b"CloudFront" in data and b"DocumentDB" in data


def test_diagram_refuses_an_unknown_format(tmp_path):
    result = runner.invoke(
        app, ["diagram", "prod", "--out", str(tmp_path / "x.jpg"), "--project-dir", str(PROJECT_DIR)]
    )
    assert result.exit_code == 2 and ".png" in result.stderr


def test_readme_shows_the_shipped_pictures():
    readme = (PROJECT_DIR / "README.md").read_text()
    for name in ("docs/dev.png", "docs/prod.png"):
        assert f"]({name})" in readme
        assert (PROJECT_DIR / name).read_bytes()[:4] == b"\x89PNG"


# --- monitoring -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def prod():
    return plan_stack(PROJECT_DIR, "prod", ["nowry:aws.monitoring.emails=[ops@nowry.io]"])


def alarms(plan) -> dict[str, dict]:
    return {
        r.name.removeprefix("monitoring-"): r.inputs for r in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    }


def test_prod_carries_the_alarms_dashboard_and_topic(prod):
    found = alarms(prod)
    assert set(found) == {
        "alb-5xx-rate", "api-latency-p95", "unhealthy-hosts", "ecs-cpu", "ecs-memory", "docdb-cpu",
        "docdb-freeable-memory", "cache-memory", "cache-evictions", "waf-blocked-spike",
    }  # fmt: skip
    assert found["api-latency-p95"]["extendedStatistic"] == "p95"
    assert found["waf-blocked-spike"]["region"] == "us-east-1"
    assert "errors / MAX" in json.dumps(found["alb-5xx-rate"]["metricQueries"])
    topic = prod.one("aws:sns/topic:Topic")
    arn = f"arn:aws:sns:us-east-1:000000000000:topic/{topic.name}-offline"
    assert all(arn in a["alarmActions"] for a in found.values())
    assert topic.inputs["kmsMasterKeyId"] == "alias/aws/sns"
    dashboard = json.loads(prod.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])
    assert len(dashboard["widgets"]) >= 4


def test_alert_emails_come_from_config(project):
    config = {"nowry:phase": "aws", "nowry:backend": {"image": "ghcr.io/a/b:1"},
              "nowry:aws": {"monitoring": {"emails": ["ops@nowry.io", "cto@nowry.io"]}}}  # fmt: skip
    plan = plan_stack(project(config), "test")
    subscriptions = plan.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert sorted(s.inputs["endpoint"] for s in subscriptions) == ["cto@nowry.io", "ops@nowry.io"]
    assert {s.inputs["protocol"] for s in subscriptions} == {"email"}


def test_a_bad_alert_email_exits_2():
    result = runner.invoke(app, ["plan", "prod", "--project-dir", str(PROJECT_DIR), "--set",
                                 "nowry:aws.monitoring.errorRatePercent=0"])  # fmt: skip
    assert result.exit_code == 2 and "nowry:aws.monitoring.errorRatePercent" in result.stderr


def test_sentry_dsn_reaches_the_backend_as_a_secret(project, tmp_path):
    config = {"nowry:phase": "aws", "nowry:backend": {"image": "ghcr.io/a/b:1"}}
    directory = project(config)
    stack_file = tmp_path / "Pulumi.test.yaml"
    stack_file.write_text(stack_file.read_text() + "  nowry:sentryDsn:\n    secure: v1:abc\n")
    plan = plan_stack(directory, "test")
    definitions = json.loads(plan.one("aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"])
    assert "SENTRY_DSN" in {s["name"] for s in definitions[0]["secrets"]}
    without = plan_stack(project(config, stack="other"), "other")
    no_dsn = json.loads(without.one("aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"])
    assert "SENTRY_DSN" not in {s["name"] for s in no_dsn[0]["secrets"]}
