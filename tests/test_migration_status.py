"""`nowry-infra migration-status` against moto's DMS and CloudWatch over HTTP; a recorded DMS
answer where moto leaves out the task's statistics (``ReplicationTaskStats``)."""

from __future__ import annotations

import datetime as dt
import json

import boto3
import pytest
from botocore.stub import Stubber
from typer.testing import CliRunner

from infra.aws_client import Aws
from infra.tool.cli import app
from infra.tool.ops.migration_status import migration_status

runner = CliRunner()
INSTANCE = "nowry-prod-migration"


def seed_task(endpoint: str, *, start: bool) -> str:
    """A replication instance, two endpoints and a full-load-and-cdc task in moto; the task's ARN."""
    dms = boto3.client("dms", region_name="us-east-1", endpoint_url=endpoint)
    instance = dms.create_replication_instance(ReplicationInstanceIdentifier=INSTANCE,
                                               ReplicationInstanceClass="dms.t3.medium")  # fmt: skip
    source = dms.create_endpoint(EndpointIdentifier="source", EndpointType="source", EngineName="mongodb")
    target = dms.create_endpoint(EndpointIdentifier="target", EndpointType="target", EngineName="docdb")
    task = dms.create_replication_task(
        ReplicationTaskIdentifier="nowry-prod-full-load-and-cdc",
        SourceEndpointArn=source["Endpoint"]["EndpointArn"],
        TargetEndpointArn=target["Endpoint"]["EndpointArn"],
        ReplicationInstanceArn=instance["ReplicationInstance"]["ReplicationInstanceArn"],
        MigrationType="full-load-and-cdc",
        TableMappings=json.dumps({"rules": []}),
    )["ReplicationTask"]
    if start:
        dms.start_replication_task(ReplicationTaskArn=task["ReplicationTaskArn"],
                                   StartReplicationTaskType="start-replication")  # fmt: skip
    return task["ReplicationTaskArn"]


def put_latency(endpoint: str, task_arn: str, seconds: float) -> None:
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=endpoint)
    dimensions = [{"Name": "ReplicationInstanceIdentifier", "Value": INSTANCE},
                  {"Name": "ReplicationTaskIdentifier", "Value": task_arn.rsplit(":", 1)[-1]}]  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    for side in ("Source", "Target"):
        cloudwatch.put_metric_data(Namespace="AWS/DMS", MetricData=[
            {"MetricName": f"CDCLatency{side}", "Dimensions": dimensions, "Value": seconds, "Unit": "Seconds",
             "Timestamp": now - dt.timedelta(minutes=1)}])  # fmt: skip


def outputs_file(tmp_path, task_arn: str) -> str:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps({"migrationTaskArn": task_arn, "migrationInstanceId": INSTANCE, "region": "us-east-1"}))
    return str(path)


def status_command(endpoint: str, outputs: str, *extra: str):
    return runner.invoke(app, ["migration-status", "prod", "--outputs", outputs, "--endpoint-url", endpoint, *extra])


def test_a_task_that_is_not_running_is_not_ready(aws_env, tmp_path):
    task_arn = seed_task(aws_env, start=False)
    result = status_command(aws_env, outputs_file(tmp_path, task_arn), "--json")
    assert result.exit_code == 1, result.output
    status = json.loads(result.stdout)
    assert status["readyToCutOver"] is False
    assert any("not running" in reason for reason in status["waitingFor"])
    assert any("no CDC latency" in reason for reason in status["waitingFor"])


def test_a_running_task_with_high_latency_waits_and_says_for_what(aws_env, tmp_path):
    task_arn = seed_task(aws_env, start=True)
    put_latency(aws_env, task_arn, 420)
    status = migration_status(Aws("us-east-1", endpoint_url=aws_env), task_arn, INSTANCE)
    assert status.status == "running" and status.latency_seconds == {"Source": 420.0, "Target": 420.0}
    assert "CDC latency (source) is 420 s, above 60 s" in status.waiting_for
    assert not status.ready


def test_a_stack_without_a_migration_is_a_clear_error(tmp_path):
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps({"region": "us-east-1", "siteUrl": "https://x"}))
    result = runner.invoke(app, ["migration-status", "prod", "--outputs", str(path)])
    assert result.exit_code == 2
    assert "runs no data migration" in result.output and "Traceback" not in result.output


# moto's DescribeReplicationTasks has no ReplicationTaskStats: the full load's progress comes from a
# recorded answer of the real API (shape from botocore's dms service model).
RECORDED_TASK = {
    "ReplicationTaskArn": "arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOP",
    "ReplicationTaskIdentifier": "nowry-prod-full-load-and-cdc",
    "MigrationType": "full-load-and-cdc",
    "Status": "running",
    "ReplicationTaskStats": {"FullLoadProgressPercent": 100, "TablesLoaded": 7, "TablesLoading": 0,
                             "TablesQueued": 0, "TablesErrored": 0, "ElapsedTimeMillis": 5_400_000},
}  # fmt: skip


@pytest.mark.parametrize(("latency", "percent", "ready"), [(3.0, 100, True), (3.0, 64, False), (90.0, 100, False)])
def test_ready_only_when_loaded_and_caught_up(latency, percent, ready):
    aws = Aws("us-east-1")
    dms, cloudwatch = aws.client("dms"), aws.client("cloudwatch")
    task = {**RECORDED_TASK, "ReplicationTaskStats": {**RECORDED_TASK["ReplicationTaskStats"],
                                                       "FullLoadProgressPercent": percent}}  # fmt: skip
    now = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
    with Stubber(dms) as dms_stub, Stubber(cloudwatch) as cw_stub:
        dms_stub.add_response("describe_replication_tasks", {"ReplicationTasks": [task]})
        for _ in ("Source", "Target"):
            cw_stub.add_response("get_metric_statistics", {"Label": "CDCLatency", "Datapoints": [
                {"Timestamp": now - dt.timedelta(minutes=5), "Maximum": 500.0},
                {"Timestamp": now - dt.timedelta(minutes=1), "Maximum": latency}]})  # fmt: skip
        status = migration_status(aws, RECORDED_TASK["ReplicationTaskArn"], INSTANCE, now=now)
    assert status.ready is ready
    assert status.full_load_percent == percent and status.tables_loaded == 7
    assert status.latency_seconds["Target"] == latency  # the newest point, not the largest
