"""Whether the DMS migration into DocumentDB may be cut over: the task's status, its full-load
progress and its change-data-capture latency (boto3: DMS and CloudWatch)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from infra.aws_client import Aws, AwsError, explained

CUTOVER_LATENCY_SECONDS = 60.0
"""CDC latency (source and target) at or below this: the target is at most a minute behind."""
LATENCY_WINDOW = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class MigrationStatus:
    task_arn: str
    status: str
    full_load_percent: int | None
    tables_loaded: int | None
    tables_errored: int | None
    latency_seconds: dict[str, float | None]
    """CDCLatencySource and CDCLatencyTarget: the newest one-minute maximum, None when no data yet."""
    waiting_for: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """Safe to freeze writes and cut over."""
        return not self.waiting_for

    def to_json(self) -> dict[str, Any]:
        return {
            "taskArn": self.task_arn,
            "status": self.status,
            "fullLoadPercent": self.full_load_percent,
            "tablesLoaded": self.tables_loaded,
            "tablesErrored": self.tables_errored,
            "cdcLatencySeconds": self.latency_seconds,
            "readyToCutOver": self.ready,
            "waitingFor": self.waiting_for,
        }


def migration_status(
    aws: Aws,
    task_arn: str,
    instance_id: str,
    *,
    max_latency: float = CUTOVER_LATENCY_SECONDS,
    now: dt.datetime | None = None,
) -> MigrationStatus:
    """Read the task and its CDC latency, and say what the cutover still waits for."""
    with explained(f"reading the DMS task {task_arn}"):
        found = aws.client("dms").describe_replication_tasks(
            Filters=[{"Name": "replication-task-arn", "Values": [task_arn]}]
        )["ReplicationTasks"]
    if not found:
        raise AwsError(f"no DMS task {task_arn}: is nowry:database.migrationSource set and the stack deployed?")
    task = found[0]
    stats = task.get("ReplicationTaskStats") or {}
    resource_id = task_arn.rsplit(":", 1)[-1]
    latency = {
        side: _latest_maximum(aws, f"CDCLatency{side}", instance_id, resource_id, now or dt.datetime.now(dt.UTC))
        for side in ("Source", "Target")
    }
    status = str(task.get("Status", "unknown"))
    percent = stats.get("FullLoadProgressPercent")
    errored = stats.get("TablesErrored")
    waiting: list[str] = []
    if status != "running":
        failure = task.get("LastFailureMessage")
        waiting.append(f"the task is {status}, not running" + (f": {failure}" if failure else ""))
    if percent != 100:
        waiting.append(f"the full load is at {percent if percent is not None else '?'}%")
    if errored:
        waiting.append(f"{errored} collection(s) failed to load: see the task's CloudWatch log")
    for side, seconds in latency.items():
        if seconds is None:
            waiting.append(f"no CDC latency ({side.lower()}) reported yet")
        elif seconds > max_latency:
            waiting.append(f"CDC latency ({side.lower()}) is {seconds:g} s, above {max_latency:g} s")
    return MigrationStatus(task_arn, status, percent, stats.get("TablesLoaded"), errored, latency, waiting)


def _latest_maximum(aws: Aws, metric: str, instance_id: str, task_id: str, now: dt.datetime) -> float | None:
    with explained(f"reading the DMS metric {metric}"):
        points = aws.client("cloudwatch").get_metric_statistics(
            Namespace="AWS/DMS",
            MetricName=metric,
            Dimensions=[
                {"Name": "ReplicationInstanceIdentifier", "Value": instance_id},
                {"Name": "ReplicationTaskIdentifier", "Value": task_id},
            ],
            StartTime=now - LATENCY_WINDOW,
            EndTime=now,
            Period=60,
            Statistics=["Maximum"],
        )["Datapoints"]
    if not points:
        return None
    return float(max(points, key=lambda p: p["Timestamp"])["Maximum"])
