"""`nowry-infra advise` on the aws phase: CloudWatch series put into moto's server by the test."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from typer.testing import CliRunner

from infra.limits import DOCUMENTDB_CONNECTIONS
from infra.tool.cli import app
from infra.tool.ops.advise.headroom import Headroom, Point, headroom, slope_per_day
from tests.conftest import PROJECT_DIR

runner = CliRunner()
NOW = datetime.now(UTC)


@pytest.fixture
def aws_env(aws_env, monkeypatch):
    """The emulator, reached the way every AWS SDK is pointed elsewhere: ``AWS_ENDPOINT_URL``."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_env)
    return aws_env


def put(endpoint: str, namespace: str, metric: str, dimensions: dict[str, str], values: list[float]) -> None:
    """One point a day, the last one an hour ago, oldest first."""
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=endpoint)
    count = len(values)
    data = [
        {
            "MetricName": metric,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
            "Timestamp": NOW - timedelta(hours=1, days=count - 1 - i),
            "Value": value,
        }
        for i, value in enumerate(values)
    ]
    cloudwatch.put_metric_data(Namespace=namespace, MetricData=data)


def outputs_file(tmp_path, **extra) -> str:
    values = {"region": "us-east-1", "databaseClusterId": "nowry-db", "databaseInstanceIds": ["nowry-db-0"], **extra}
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(values))
    return str(path)


def advise(*args: str):
    return runner.invoke(app, ["advise", *args, "--project-dir", str(PROJECT_DIR)])


def test_connections_near_the_class_limit_exit_1_naming_the_metric_the_limit_and_a_date(aws_env, tmp_path):
    instance = {"DBInstanceIdentifier": "nowry-db-0"}
    put(aws_env, "AWS/DocDB", "DatabaseConnections", instance, [800 + 10 * i for i in range(14)])
    # what a db.t4g.medium publishes: 1000 connections (developer guide, Quotas and limits, instance limits)
    put(aws_env, "AWS/DocDB", "DatabaseConnectionsLimit", instance, [1000.0] * 14)
    result = advise("prod", "--outputs", outputs_file(tmp_path), "--json")
    assert result.exit_code == 1, result.output
    payload = json.loads(result.stdout)
    assert set(payload) >= {"stack", "phase", "measured_at", "limits", "next"}
    assert (payload["stack"], payload["phase"]) == ("prod", "aws")
    row = next(r for r in payload["limits"] if r["metric"] == "DatabaseConnections")
    assert row["used"] == 930 and row["limit"] == 1000 and row["percent"] == 93.0
    assert row["days_to_limit"] == pytest.approx(7.0, abs=0.1)
    assert row["reached_on"] == (NOW - timedelta(hours=1) + timedelta(days=7)).date().isoformat()
    assert "DatabaseConnectionsLimit" in row["source"]
    move = payload["next"]
    assert set(move) == {"phase", "tier", "reason", "monthly_before_usd", "monthly_after_usd", "command"}
    assert move["phase"] == "aws" and "DatabaseConnections" in move["reason"]
    assert move["command"] == "nowry-infra migrate prod --to aws --target-set nowry:database.instanceClass=db.r6g.large"
    assert move["monthly_after_usd"] > move["monthly_before_usd"] > 0


def test_a_flat_low_series_exits_0_with_next_null(aws_env, tmp_path):
    instance = {"DBInstanceIdentifier": "nowry-db-0"}
    put(aws_env, "AWS/DocDB", "DatabaseConnections", instance, [40.0] * 14)
    put(aws_env, "AWS/DocDB", "DatabaseConnectionsLimit", instance, [1000.0] * 14)
    result = advise("prod", "--outputs", outputs_file(tmp_path), "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["next"] is None
    row = next(r for r in payload["limits"] if r["metric"] == "DatabaseConnections")
    assert (row["used"], row["percent"], row["days_to_limit"]) == (40, 4.0, None)
    unmeasured = [r for r in payload["limits"] if r["used"] is None]
    assert unmeasured and all(r["percent"] is None for r in unmeasured), "empty series are not zero"


def test_every_series_empty_is_an_error_naming_what_was_read(aws_env, tmp_path):
    result = advise("prod", "--outputs", outputs_file(tmp_path), "--json")
    assert result.exit_code == 2
    assert "no data for any limit" in result.stderr and "DatabaseConnections" in result.stderr
    assert result.stdout == ""


def test_without_the_limit_metric_the_limits_table_gives_the_class_limit(aws_env, tmp_path):
    put(aws_env, "AWS/DocDB", "DatabaseConnections", {"DBClusterIdentifier": "nowry-db"}, [100.0, 120.0, 450.0])
    path = outputs_file(tmp_path, databaseInstanceIds=[])
    payload = json.loads(advise("prod", "--outputs", path, "--json").stdout)
    row = next(r for r in payload["limits"] if r["metric"] == "DatabaseConnections")
    assert row["limit"] == DOCUMENTDB_CONNECTIONS["db.t4g.medium"] and "db.t4g.medium" in row["source"]
    assert row["resource"] == "DocumentDB cluster nowry-db"


def test_ecs_at_its_maximum_raises_max_count_with_the_bill(aws_env, tmp_path):
    service = {"ClusterName": "nowry", "ServiceName": "backend"}
    put(aws_env, "ECS/ContainerInsights", "RunningTaskCount", service, [2, 3, 4, 6, 6, 6, 6])
    put(aws_env, "AWS/ECS", "CPUUtilization", service, [35.0] * 7)
    path = outputs_file(tmp_path, clusterName="nowry", serviceName="backend")
    result = advise("prod", "--outputs", path, "--json")
    assert result.exit_code == 1, result.output
    payload = json.loads(result.stdout)
    row = next(r for r in payload["limits"] if r["metric"] == "RunningTaskCount")
    assert (row["used"], row["limit"]) == (6, 6) and "4 of the last 7 hours" in row["note"]
    assert payload["next"]["command"] == "nowry-infra migrate prod --to aws --target-set nowry:backend.maxCount=12"


def test_the_human_table_shows_each_limit_and_the_next_step(aws_env, tmp_path):
    instance = {"DBInstanceIdentifier": "nowry-db-0"}
    put(aws_env, "AWS/DocDB", "DatabaseConnections", instance, [800 + 10 * i for i in range(14)])
    result = advise("prod", "--outputs", outputs_file(tmp_path))
    assert result.exit_code == 1
    assert "DatabaseConnections" in result.stdout and "not measured" in result.stdout
    assert "nowry-infra migrate prod --to aws" in result.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--days", "0"], "--days: 0 is out of range; allowed: 1 to 63"),
        (["--warn-percent", "150"], "--warn-percent: 150 is out of range; allowed: 1 to 100"),
        (["--warn-days", "-1"], "--warn-days: -1 is out of range"),
    ],
)
def test_bad_numbers_exit_2_with_the_key_the_value_and_what_is_allowed(tmp_path, args, expected):
    result = advise("prod", "--outputs", outputs_file(tmp_path), *args)
    assert result.exit_code == 2 and expected in result.stderr


def test_outputs_that_are_not_a_json_object_exit_2(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert "is not JSON" in advise("prod", "--outputs", str(broken)).stderr
    listed = tmp_path / "list.json"
    listed.write_text("[]")
    result = advise("prod", "--outputs", str(listed))
    assert result.exit_code == 2 and "holds a JSON list" in result.stderr
    missing = advise("prod", "--outputs", str(tmp_path / "absent.json"))
    assert missing.exit_code == 2 and "cannot read" in missing.stderr


def test_an_unknown_stack_or_the_local_phase_exit_2(tmp_path):
    unknown = advise("staging", "--outputs", outputs_file(tmp_path))
    assert unknown.exit_code == 2 and "staging" in unknown.stderr
    local = advise("local", "--outputs", outputs_file(tmp_path))
    assert local.exit_code == 2 and "no deployed usage" in local.stderr


def test_outputs_without_a_resource_exit_2(aws_env, tmp_path):
    path = tmp_path / "empty.json"
    path.write_text(json.dumps({"region": "us-east-1"}))
    result = advise("prod", "--outputs", str(path))
    assert result.exit_code == 2 and "no output names a resource" in result.stderr


def test_an_unreachable_aws_is_an_error_naming_it(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    result = advise("prod", "--outputs", outputs_file(tmp_path), "--endpoint-url", "http://127.0.0.1:9")
    assert result.exit_code == 2 and "cannot read AWS: CloudWatch GetMetricData: cannot reach" in result.stderr
    assert "Traceback" not in result.output


def test_the_trend_is_the_least_squares_slope():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    points = [Point(start + timedelta(days=d), v) for d, v in [(0, 1.0), (1, 3.0), (2, 2.0), (3, 6.0)]]
    assert slope_per_day(points) == pytest.approx(1.4)
    assert slope_per_day(points[:1]) is None and slope_per_day([]) is None
    row = headroom("k", "r", "m", "u", points, 20.0)
    assert row.days_to_limit == pytest.approx(10.0)
    assert headroom("k", "r", "m", "u", points, 5.0).days_to_limit == 0.0
    assert headroom("k", "r", "m", "u", [], 5.0).used is None


def test_a_falling_figure_reaches_zero_and_no_limit_means_no_percent():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    row = Headroom("k", "r", "FreeableMemory", "GB", 2.0, None, slope=-0.5, falling=True)
    assert row.days_to_limit == 4.0 and row.percent is None
    assert row.due(80, 30) and not row.due(80, 3)
    assert row.reached_on(start) == "2026-01-05"
