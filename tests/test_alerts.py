"""Alerts as code before a limit: Atlas alert configurations at 80% of the tier's limits, naming
who they notify (an alert made through the API notifies nobody unless it names a target)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from components.managed.atlas_alerts import alert_rules
from infra.limits import ALERT_AT
from infra.tool.cli import app
from tests.conftest import PROJECT_DIR, plan_stack

ALERT = "mongodbatlas:index/alertConfiguration:AlertConfiguration"


def alerts(overrides: list[str]) -> dict[str, dict]:
    plan = plan_stack(PROJECT_DIR, "dev", overrides)
    return {r.name.removeprefix("database-alerts-"): r.inputs for r in plan.of_type(ALERT)}


@pytest.mark.parametrize(
    ("overrides", "event", "connections", "storage"),
    [
        ([], "OUTSIDE_METRIC_THRESHOLD", ("CONNECTIONS_PERCENT", 80, "RAW"), ("LOGICAL_SIZE", 409.6, "MEGABYTES")),
        (["nowry:phase=hybrid", "nowry:atlas.tier=FLEX"], "OUTSIDE_FLEX_METRIC_THRESHOLD",
         ("FLEX_CONNECTIONS_PERCENT", 80, "RAW"), ("FLEX_DATA_SIZE_TOTAL", 4.0, "GIGABYTES")),
        (["nowry:phase=hybrid"], "OUTSIDE_METRIC_THRESHOLD", ("CONNECTIONS_PERCENT", 80, "RAW"),
         ("DISK_PARTITION_SPACE_USED_DATA", 80, "RAW")),
    ],
    ids=["M0", "FLEX", "M10"],
)  # fmt: skip
def test_each_tier_alerts_at_80_percent_of_its_limits(overrides, event, connections, storage):
    found = alerts(overrides)
    assert set(found) == {"connections", "storage"}
    for name, (metric, threshold, units) in (("connections", connections), ("storage", storage)):
        alert = found[name]
        assert alert["eventType"] == event and alert["enabled"] is True
        config = alert["metricThresholdConfig"]
        assert (config["metricName"], config["threshold"], config["units"], config["operator"]) == (
            metric,
            threshold,
            units,
            "GREATER_THAN",
        )
        assert alert["notifications"] == [
            {"typeName": "EMAIL", "emailAddress": "ops@nowry.example", "intervalMin": 60, "delayMin": 0}
        ]


def test_thresholds_come_from_the_limits_table():
    (connections, storage) = alert_rules("M0")
    assert connections.threshold == ALERT_AT * 100
    assert storage.threshold == pytest.approx(512 * ALERT_AT)


def test_slack_gets_the_alerts_too_with_its_token_kept_secret():
    found = alerts(["nowry:alerts.slackChannel=#ops-alerts"])
    slack = [n for n in found["storage"]["notifications"] if n["typeName"] == "SLACK"]
    assert slack == [{"typeName": "SLACK", "apiToken": "[secret]", "channelName": "#ops-alerts", "intervalMin": 60}]


def test_no_address_no_alert_and_the_plan_says_so():
    plan = plan_stack(PROJECT_DIR, "dev", ["nowry:alerts=null"])
    assert plan.of_type(ALERT) == []
    assert any("nowry:alerts.email is not set: Atlas warns nobody before M0's storage" in w for w in plan.warnings)


@pytest.mark.parametrize(
    ("setting", "line"),
    [
        ('nowry:alerts={"slackChannel": "#ops"}', "nowry:alerts.slackChannel: needs alerts.email"),
        ("nowry:alerts.email=not-an-address", "nowry:alerts.email: is not an email address"),
        ("nowry:alerts.slackChannel=Bad Channel", "nowry:alerts.slackChannel: does not match"),
    ],
)
def test_bad_alert_settings_are_refused(setting, line):
    result = CliRunner().invoke(app, ["plan", "dev", "--set", setting, "--project-dir", str(PROJECT_DIR)])
    assert result.exit_code == 2 and line in result.stderr


def test_the_aws_alert_topic_emails_the_same_address():
    plan = plan_stack(PROJECT_DIR, "prod", ["nowry:alerts.email=ops@nowry.example"])
    subscriptions = plan.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert "ops@nowry.example" in [s.inputs["endpoint"] for s in subscriptions]
