"""Every alarm watches a metric the service really publishes, with the dimensions named and valued
as the service publishes them: an alarm on a dimension value nothing publishes stays silent
forever. Each planned alarm is held to tests/data/cloudwatch-metrics.json, a table taken from AWS's
metric documentation (each entry cites its page)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from infra.limits import ALERT_AT
from infra.tool.engine.plan import Plan
from tests.conftest import PROJECT_DIR, plan_stack

DOCUMENTED = json.loads((PROJECT_DIR / "tests" / "data" / "cloudwatch-metrics.json").read_text())["namespaces"]
VARIANTS = [("prod", ()), ("prod-dr", ()), ("prod", ("nowry:cache.nodes=2",))]


def watched(alarm: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(namespace, metric, dimensions) of each metric an alarm reads, plain or in metric math."""
    if alarm.get("metricName"):
        yield alarm["namespace"], alarm["metricName"], alarm.get("dimensions") or {}
    for query in alarm.get("metricQueries") or []:
        metric = query.get("metric")
        if metric:
            yield metric["namespace"], metric["metricName"], metric.get("dimensions") or {}


def undocumented(plan: Plan) -> list[str]:
    found = []
    for alarm in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"):
        for namespace, metric, dimensions in watched(alarm.inputs):
            table = DOCUMENTED.get(namespace)
            if table is None or metric not in table["metrics"]:
                found.append(f"{alarm.name}: {namespace} {metric} is not a documented metric")
            elif sorted(dimensions) not in [sorted(s) for s in table["dimension_sets"]]:
                found.append(f"{alarm.name}: {namespace} {metric} has dimensions {sorted(dimensions)}")
    return found


@pytest.mark.parametrize(("stack", "overrides"), VARIANTS)
def test_every_alarm_watches_a_documented_metric_by_documented_dimensions(stack, overrides):
    plan = plan_stack(PROJECT_DIR, stack, overrides)
    assert plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    assert undocumented(plan) == []


def test_the_migrations_alarms_watch_documented_metrics():
    from tests.test_data_migration import SOURCE, plan_with

    migrating = plan_with({"engine": "documentdb", "migrationSource": SOURCE})
    assert any("cdc-latency" in a.name for a in migrating.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"))
    assert undocumented(migrating) == []


def test_an_undocumented_dimension_is_caught():
    plan = plan_stack(PROJECT_DIR, "prod")
    from dataclasses import replace

    waf = next(r for r in plan.resources if r.name == "monitoring-waf-blocked-spike")
    broken = replace(waf, inputs={**waf.inputs, "dimensions": {"WebACL": "x", "Rule": "ALL", "Region": "us-east-1"}})
    assert undocumented(replace(plan, resources=(broken,))) == [
        "monitoring-waf-blocked-spike: AWS/WAFV2 BlockedRequests has dimensions ['Region', 'Rule', 'WebACL']"
    ]


def test_the_dimension_values_are_the_ones_each_service_publishes():
    plan = plan_stack(PROJECT_DIR, "prod")
    alarms = {
        a.name.removeprefix("monitoring-"): a.inputs for a in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    }
    acl = plan.one("aws:wafv2/webAcl:WebAcl")
    assert alarms["waf-blocked-spike"]["dimensions"]["WebACL"] == acl.inputs["visibilityConfig"]["metricName"]
    group = plan.one("aws:elasticache/replicationGroup:ReplicationGroup")
    assert alarms["cache-memory"]["dimensions"]["CacheClusterId"].endswith("-001")  # a member cluster's id
    assert group.name in alarms["cache-memory"]["dimensions"]["CacheClusterId"]


def test_docdb_connections_alarm_at_80_percent_of_the_limit_each_instance_publishes():
    plan = plan_stack(PROJECT_DIR, "prod", ["nowry:database.instances=2"])
    connections = sorted(
        (a for a in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if "docdb-connections" in a.name),
        key=lambda a: a.name,
    )
    assert [a.name for a in connections] == ["monitoring-docdb-connections-0", "monitoring-docdb-connections-1"]
    queries = {q["id"]: q for q in connections[0].inputs["metricQueries"]}
    assert queries["used"]["metric"]["metricName"] == "DatabaseConnections"
    assert queries["allowed"]["metric"]["metricName"] == "DatabaseConnectionsLimit"
    assert queries["used"]["metric"]["dimensions"] == queries["allowed"]["metric"]["dimensions"]
    assert connections[0].inputs["threshold"] == ALERT_AT * 100 == 80


def test_the_service_at_its_maximum_for_15_minutes_alarms():
    plan = plan_stack(PROJECT_DIR, "prod", ["nowry:backend.maxCount=6"])
    at_max = plan.one("aws:cloudwatch/metricAlarm:MetricAlarm", "monitoring-ecs-at-max").inputs
    assert (at_max["namespace"], at_max["metricName"], at_max["statistic"]) == (
        "ECS/ContainerInsights",
        "RunningTaskCount",
        "Minimum",
    )
    assert at_max["threshold"] == 6 and at_max["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert at_max["period"] * at_max["evaluationPeriods"] == 15 * 60
