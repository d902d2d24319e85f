"""Architecture pictures and the aws phase's monitoring."""

from __future__ import annotations

import json
import re
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

import infra.tool.diagram
import infra.tool.drawing
from infra.tool.cli import app
from infra.tool.diagram import COPIES, PROTECTS, picture
from infra.tool.docs import PICTURES, REGENERATE, stale_pictures
from infra.tool.drawing import digest, dot_source, render, stamp, stamped
from infra.tool.engine.runner import plan_stack
from infra.tool.resource_kinds import COMPONENT_ROLES, KINDS
from tests.conftest import PROJECT_DIR, shipped_plan

runner = CliRunner()


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


def test_prod_picture_draws_the_recovery_region_as_a_region_of_its_own():
    pic = picture(shipped_plan("prod"))
    away = {role.key: role for role in pic.nodes.values() if role.boundary.endswith("us-west-2")}
    assert set(away) == {"backup", "key"}  # the DR vault and the key that encrypts it
    assert pic.nodes["backup"].boundary == "AWS regional services, us-east-1"  # the stack's own vault
    assert pic.kinds[("backup", "backup@us-west-2")] == COPIES
    assert pic.kinds[("key@us-west-2", "backup@us-west-2")] == PROTECTS


def test_prod_picture_shows_the_dr_box_with_its_vault():
    """What a reader sees: a box labelled with the recovery region, holding a backup vault."""
    boxes = clusters(dot_source(shipped_plan("prod")))
    dr = [label for label in boxes if "us-west-2" in label]
    assert len(dr) == 1 and "AWS Backup vault" in boxes[dr[0]]
    assert "AWS Backup vault" in boxes["AWS regional services, us-east-1"]


def test_the_log_bucket_is_drawn_as_logs_not_as_a_site_bucket():
    pic = picture(shipped_plan("prod"))
    assert pic.nodes["logs"].label == "S3 log bucket" and pic.counts["logs"] == 1
    assert pic.nodes["site"].label == "S3 site bucket" and pic.counts["site"] == 1
    assert {("alb", "logs"), ("cdn", "logs"), ("site", "logs")} <= pic.edges
    assert "S3 log bucket" in clusters(dot_source(shipped_plan("prod")))["AWS regional services, us-east-1"]


def test_the_key_is_drawn_where_it_protects_data():
    pic = picture(shipped_plan("prod"))
    encrypted = {target for (source, target), how in pic.kinds.items() if source == "key" and how == PROTECTS}
    assert encrypted == {"db", "cache", "secrets", "backup"}  # the log bucket keeps SSE-S3: no edge
    assert pic.nodes["key"].boundary == "AWS regional services, us-east-1"


def test_only_roles_that_follow_their_region_leave_the_stacks_region():
    """prod-dr runs in us-west-2 with a replica key in us-east-1; the WAF (us-east-1, CloudFront's
    scope) stays at the edge."""
    pic = picture(shipped_plan("prod-dr"))
    assert pic.nodes["key@us-east-1"].label == "KMS key (replica)"
    assert pic.nodes["key@us-east-1"].boundary == "AWS regional services, us-east-1"
    assert pic.nodes["waf"].boundary.startswith("Edge") and pic.nodes["alarms"].boundary.endswith("us-west-2")


def test_the_picture_modules_name_no_resource_type():
    """The kinds table is the one place a type's part in the picture is written."""
    for module in (infra.tool.diagram, infra.tool.drawing):
        text = Path(str(module.__file__)).read_text()
        named = [t for t in [*KINDS, *(component for component, _ in COMPONENT_ROLES)] if t in text]
        assert named == [], module.__name__


def test_the_dot_source_is_the_same_on_every_machine():
    source = dot_source(shipped_plan("prod"))
    assert source == dot_source(plan_stack(PROJECT_DIR, "prod"))  # node ids are role keys, not random
    assert str(PROJECT_DIR) not in source and "site-packages" not in source  # icons named relatively
    assert 'IMG SRC="aws/storage/backup.png"' in source


@pytest.mark.parametrize("stack", PICTURES)
def test_the_committed_dot_is_what_the_shipped_plan_draws(stack):
    committed = (PROJECT_DIR / "docs" / f"{stack}.dot").read_text()
    assert committed == dot_source(shipped_plan(stack)), f"docs/{stack}.dot is stale: run {REGENERATE}"


def test_a_png_not_rendered_from_the_dot_beside_it_is_stale(tmp_path):
    for stack in PICTURES:
        (tmp_path / f"{stack}.dot").write_text(f"digraph {stack} {{}}\n")
        (tmp_path / f"{stack}.png").write_bytes(stamp(tiny_png(), digest(f"digraph {stack} {{}}\n")))
    assert stale_pictures(tmp_path) == []
    (tmp_path / "prod.dot").write_text("digraph prod { a }\n")
    (tmp_path / "dev.png").write_bytes(tiny_png())  # drawn, but not stamped
    assert stale_pictures(tmp_path) == ["prod.png", "dev.png"]


def test_a_stamp_reads_back_and_an_unstamped_png_has_none():
    assert stamped(stamp(tiny_png(), "abc123")) == "abc123"
    assert stamped(tiny_png()) is None and stamped(b"GIF89a") is None


def tiny_png() -> bytes:
    """A valid 1x1 PNG: signature, IHDR, IDAT, IEND."""

    def chunk(name: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + name + data + struct.pack(">I", zlib.crc32(name + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def clusters(source: str) -> dict[str, list[str]]:
    """Each box of DOT source (by its label) -> the labels of the nodes directly in it."""
    found: dict[str, list[str]] = {}
    stack: list[str] = []
    for line in source.splitlines():
        if line.strip().startswith("subgraph "):
            stack.append("")
        elif stack and not stack[-1] and (label := re.search(r'graph \[.* label="([^"]*)"', line)):
            stack[-1] = label.group(1)
            found[stack[-1]] = []
        elif stack and line.strip() == "}":
            stack.pop()
        elif stack and (node := re.search(r"<TD>([^<]*)</TD>", line)):
            found[stack[-1]].append(node.group(1))
    return found


def test_managed_picture_follows_the_phase():
    pic = picture(plan_stack(PROJECT_DIR, "dev", ["nowry:phase=all-paid"]))
    assert {role.boundary for role in pic.nodes.values()} == {"Vercel", "Railway", "MongoDB Atlas", "Upstash"}
    assert {("web", "api"), ("api", "db"), ("api", "cache")} <= pic.edges


NO_GRAPHVIZ = shutil.which("dot") is None
needs_graphviz = pytest.mark.skipif(NO_GRAPHVIZ, reason="Graphviz's dot is not installed (CI installs it)")


@pytest.mark.skipif(NO_GRAPHVIZ, reason="Graphviz's dot is not installed (CI installs it): the PNGs are drawn with it")
@pytest.mark.parametrize("stack", PICTURES)
def test_the_committed_png_is_rendered_from_the_committed_dot(stack):
    dot = (PROJECT_DIR / "docs" / f"{stack}.dot").read_text()
    png = (PROJECT_DIR / "docs" / f"{stack}.png").read_bytes()
    assert stamped(png) == digest(dot), f"docs/{stack}.png was not drawn from docs/{stack}.dot: run {REGENERATE}"
    _, warnings = render(dot, "png")
    assert warnings == ""  # every icon found, every label fits


@pytest.mark.parametrize(
    "suffix", [pytest.param("png", marks=needs_graphviz), pytest.param("svg", marks=needs_graphviz), "dot"]
)
def test_diagram_command_writes_each_format(tmp_path, suffix):
    out = tmp_path / f"prod.{suffix}"
    result = runner.invoke(app, ["diagram", "prod", "--out", str(out), "--project-dir", str(PROJECT_DIR)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    signature = {"png": b"\x89PNG", "svg": b"<svg", "dot": b"digraph"}[suffix]
    assert signature in data[:2000]
    if suffix == "png":
        assert stamped(data) == digest(dot_source(shipped_plan("prod")))
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
        "alb-5xx-rate", "api-latency-p95", "unhealthy-hosts", "ecs-cpu", "ecs-memory", "ecs-at-max", "docdb-cpu",
        "docdb-freeable-memory", "docdb-connections-0", "docdb-storage-growth", "cache-memory", "cache-evictions",
        "waf-blocked-spike",
    }  # fmt: skip
    assert found["api-latency-p95"]["extendedStatistic"] == "p95"
    assert found["waf-blocked-spike"]["region"] == "us-east-1"
    # AWS publishes a CloudFront web ACL's metrics under its visibility config's metric name (no Region)
    acl = prod.one("aws:wafv2/webAcl:WebAcl")
    assert found["waf-blocked-spike"]["dimensions"] == {"WebACL": acl.inputs["visibilityConfig"]["metricName"],
                                                        "Rule": "ALL"}  # fmt: skip
    assert "errors / MAX" in json.dumps(found["alb-5xx-rate"]["metricQueries"])
    topic = prod.one("aws:sns/topic:Topic")
    arn = f"arn:aws:sns:us-east-1:000000000000:topic/{topic.name}-offline"
    assert all(arn in a["alarmActions"] for a in found.values())
    # SNS's AWS-managed key cannot be used by CloudWatch alarms: the stack's key, which admits them
    key = prod.one("aws:kms/key:Key", "stack-key")
    assert topic.inputs["kmsMasterKeyId"] == f"arn:aws:kms:us-east-1:000000000000:key/{key.name}-offline"
    assert "cloudwatch.amazonaws.com" in key.inputs["policy"]
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


def test_diagram_without_graphviz_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    out = tmp_path / "prod.png"
    result = runner.invoke(app, ["diagram", "prod", "--out", str(out), "--project-dir", str(PROJECT_DIR)])
    assert result.exit_code == 2
    assert "apt-get install graphviz" in result.stderr and "brew install graphviz" in result.stderr
    assert not out.exists()


def test_diagram_dot_source_needs_no_graphviz(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    out = tmp_path / "deep" / "prod.dot"
    result = runner.invoke(app, ["diagram", "prod", "--out", str(out), "--project-dir", str(PROJECT_DIR)])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("digraph")


@pytest.mark.parametrize("command", ["diagram", "render"])
def test_output_under_a_file_is_a_usage_error_and_writes_nothing(tmp_path, command):
    blocker = tmp_path / "a-file"
    blocker.write_text("keep me")
    out = blocker / ("x.dot" if command == "diagram" else "manifests")
    stack = "prod" if command == "diagram" else "k8s"
    result = runner.invoke(app, [command, stack, "--out", str(out), "--project-dir", str(PROJECT_DIR)])
    assert result.exit_code == 2
    assert "is a file, not a folder" in result.stderr
    assert blocker.read_text() == "keep me" and sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
