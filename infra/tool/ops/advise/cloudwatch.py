"""The aws phase's limits, from CloudWatch: DocumentDB, the ECS service, the ALB and ElastiCache.

Which metric and dimension each row reads (the AWS user guides name them):
- ``AWS/DocDB``: ``DatabaseConnections`` against ``DatabaseConnectionsLimit`` per instance
  (``DBInstanceIdentifier``; the limits table by instance class where the limit metric is
  empty), ``CPUUtilization``, ``FreeableMemory``, and the cluster's ``VolumeBytesUsed``
  (``DBClusterIdentifier``) — Amazon DocumentDB developer guide, "Monitoring with CloudWatch";
- ``AWS/ECS`` ``CPUUtilization`` and ``MemoryUtilization`` of the service (``ClusterName``,
  ``ServiceName``), and ``ECS/ContainerInsights`` ``RunningTaskCount`` against the stack's
  ``backend.maxCount`` — Amazon ECS developer guide, "Available metrics"; CloudWatch user guide,
  "Amazon ECS Container Insights metrics";
- ``AWS/ApplicationELB`` ``RequestCount`` and ``HTTPCode_Target_5XX_Count`` (``LoadBalancer``,
  the final part of the ALB's ARN) — ELB user guide, "CloudWatch metrics for your ALB";
- ``AWS/ElastiCache`` ``DatabaseMemoryUsagePercentage`` and ``CurrConnections`` per member
  node (``CacheClusterId``) — ElastiCache user guide, "Metrics for Valkey and Redis OSS".
Every call goes through ``infra.aws_client.Aws`` (bounded retries and timeouts; botocore reads
``AWS_ENDPOINT_URL``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from infra.aws_client import Aws, AwsError, explained
from infra.limits import (
    DOCUMENTDB_CONNECTIONS,
    DOCUMENTDB_LIMITS_SOURCE,
    DOCUMENTDB_MAX_STORAGE_BYTES,
    ELASTICACHE_MAX_CLIENTS,
    PERCENT,
)
from infra.tool.ops.advise.headroom import Context, Headroom, PlatformError, Point, headroom

PERIOD = 3600
"""One point an hour: CloudWatch keeps hourly data for 455 days (one-minute data for 15)."""
GB = 1024**3


@dataclass(frozen=True)
class Query:
    id: str
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    stat: str = "Maximum"

    def to_api(self) -> dict[str, Any]:
        dimensions = [{"Name": n, "Value": v} for n, v in self.dimensions]
        metric = {"Namespace": self.namespace, "MetricName": self.metric, "Dimensions": dimensions}
        return {
            "Id": self.id,
            "MetricStat": {"Metric": metric, "Period": PERIOD, "Stat": self.stat},
            "ReturnData": True,
        }

    def describe(self) -> str:
        return f"{self.namespace} {self.metric} {','.join(f'{n}={v}' for n, v in self.dimensions)}"


class Series:
    """Reads many queries in one ``GetMetricData`` call (following ``NextToken``)."""

    def __init__(self, aws: Aws, context: Context) -> None:
        self.aws, self.context = aws, context
        self.queries: list[Query] = []
        self.points: dict[str, list[Point]] = {}

    def add(self, namespace: str, metric: str, dimensions: dict[str, str], stat: str = "Maximum") -> Query:
        query = Query(f"m{len(self.queries)}", namespace, metric, tuple(dimensions.items()), stat)
        self.queries.append(query)
        return query

    def fetch(self) -> None:
        client = self.aws.client("cloudwatch")
        for start in range(0, len(self.queries), 500):
            batch = [q.to_api() for q in self.queries[start : start + 500]]
            token: str | None = None
            while True:
                extra = {"NextToken": token} if token else {}
                with explained("CloudWatch GetMetricData"):
                    answer = client.get_metric_data(
                        MetricDataQueries=batch,
                        StartTime=self.context.start,
                        EndTime=self.context.now,
                        ScanBy="TimestampAscending",
                        **extra,
                    )
                for result in answer.get("MetricDataResults", []):
                    found = self.points.setdefault(result["Id"], [])
                    found += [Point(t, float(v)) for t, v in zip(result["Timestamps"], result["Values"], strict=True)]
                token = answer.get("NextToken")
                if not token:
                    break

    def __getitem__(self, query: Query) -> list[Point]:
        return sorted(self.points.get(query.id, []), key=lambda p: p.at)


def read(aws: Aws, context: Context) -> list[Headroom]:
    """Every aws-phase limit the stack's outputs let CloudWatch find; raises ``PlatformError``."""
    try:
        return _read(aws, context)
    except AwsError as exc:
        raise PlatformError("AWS", str(exc)) from None


def _read(aws: Aws, context: Context) -> list[Headroom]:
    series = Series(aws, context)
    builders = [
        *_documentdb(series, context),
        *_ecs(series, context),
        *_alb(aws, series, context),
        *_cache(aws, series, context),
    ]
    series.fetch()
    return [build() for build in builders]


def _documentdb(series: Series, context: Context) -> Iterable[Any]:
    outputs, config = context.outputs, context.config
    cluster = outputs.get("databaseClusterId")
    if not cluster:
        return []
    instances = [str(i) for i in outputs.get("databaseInstanceIds") or []]
    targets = [("DBInstanceIdentifier", i) for i in instances] or [("DBClusterIdentifier", str(cluster))]
    instance_class = getattr(getattr(config, "database", None), "instance_class", None)
    table_limit = DOCUMENTDB_CONNECTIONS.get(instance_class or "")
    builders = []
    for dimension, name in targets:
        where = {dimension: name}
        used = series.add("AWS/DocDB", "DatabaseConnections", where)
        limit = series.add("AWS/DocDB", "DatabaseConnectionsLimit", where)
        cpu = series.add("AWS/DocDB", "CPUUtilization", where)
        free = series.add("AWS/DocDB", "FreeableMemory", where, "Minimum")
        label = f"DocumentDB {'instance' if dimension == 'DBInstanceIdentifier' else 'cluster'} {name}"

        def connections(used: Query = used, limit: Query = limit, label: str = label) -> Headroom:
            measured = series[limit]
            if measured:
                value, source = measured[-1].value, f"CloudWatch {limit.describe()}"
            else:
                value, source = table_limit, f"{instance_class}: {DOCUMENTDB_LIMITS_SOURCE}"
            note = (
                None
                if value is not None
                else f"no DatabaseConnectionsLimit data and {instance_class} is not in the limits table"
            )
            extra = {"instance_class": instance_class}
            return headroom(
                "documentdb.connections",
                label,
                "DatabaseConnections",
                "connections",
                series[used],
                value,
                source=source,
                note=note,
                extra=extra,
            )

        builders += [
            connections,
            lambda cpu=cpu, label=label: headroom("documentdb.cpu", label, "CPUUtilization", "%", series[cpu], PERCENT),
            lambda free=free, label=label: _gb(
                headroom("documentdb.memory", label, "FreeableMemory", "GB", series[free], None, falling=True)
            ),
        ]
    volume = series.add("AWS/DocDB", "VolumeBytesUsed", {"DBClusterIdentifier": str(cluster)})
    builders.append(
        lambda: _gb(
            headroom(
                "documentdb.storage",
                f"DocumentDB cluster {cluster}",
                "VolumeBytesUsed",
                "GB",
                series[volume],
                DOCUMENTDB_MAX_STORAGE_BYTES,
                source="Amazon DocumentDB developer guide, Quotas and limits",
            )
        )
    )
    return builders


def _gb(row: Headroom) -> Headroom:
    """The same row in GB (CloudWatch gives bytes)."""
    scale = 1 / GB
    row.used = None if row.used is None else row.used * scale
    row.limit = None if row.limit is None else row.limit * scale
    row.slope = None if row.slope is None else row.slope * scale
    return row


def _ecs(series: Series, context: Context) -> Iterable[Any]:
    cluster, service = context.outputs.get("clusterName"), context.outputs.get("serviceName")
    if not cluster or not service:
        return []
    where = {"ClusterName": str(cluster), "ServiceName": str(service)}
    label = f"ECS service {service}"
    cpu = series.add("AWS/ECS", "CPUUtilization", where)
    memory = series.add("AWS/ECS", "MemoryUtilization", where)
    tasks = series.add("ECS/ContainerInsights", "RunningTaskCount", where)
    maximum = getattr(getattr(context.config, "backend", None), "max_count", None)

    def running() -> Headroom:
        points = series[tasks]
        hours = sum(1 for p in points if maximum is not None and p.value >= maximum)
        note = (
            f"at its maximum ({maximum} tasks) {hours} of the last {len(points)} hours"
            if points and maximum is not None
            else None
        )
        return headroom(
            "ecs.tasks",
            label,
            "RunningTaskCount",
            "tasks",
            points,
            maximum,
            note=note,
            source="the stack's nowry:backend.maxCount",
            extra={"hours_at_max": hours},
        )

    return [
        lambda: headroom("ecs.cpu", label, "CPUUtilization", "%", series[cpu], PERCENT),
        lambda: headroom("ecs.memory", label, "MemoryUtilization", "%", series[memory], PERCENT),
        running,
    ]


def _alb(aws: Aws, series: Series, context: Context) -> Iterable[Any]:
    suffix = context.outputs.get("loadBalancerArnSuffix") or _balancer_suffix(
        aws, context.outputs.get("targetGroupArn")
    )
    if not suffix:
        return []
    where = {"LoadBalancer": str(suffix)}
    label = f"ALB {suffix}"
    requests = series.add("AWS/ApplicationELB", "RequestCount", where, "Sum")
    errors = series.add("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", where, "Sum")
    note = "no limit: shown for its trend (the ALB scales itself)"
    return [
        lambda: headroom("alb.requests", label, "RequestCount", "requests/hour", series[requests], None, note=note),
        lambda: headroom(
            "alb.5xx",
            label,
            "HTTPCode_Target_5XX_Count",
            "responses/hour",
            series[errors],
            None,
            note="no limit: the backend's 5xx answers, for their trend",
        ),
    ]


def _balancer_suffix(aws: Aws, target_group_arn: Any) -> str | None:
    """``app/<name>/<id>``, the ALB's dimension value, from the target group it serves."""
    if not target_group_arn:
        return None
    with explained("ELB DescribeTargetGroups"):
        groups = aws.client("elbv2").describe_target_groups(TargetGroupArns=[str(target_group_arn)])["TargetGroups"]
    arns = groups[0].get("LoadBalancerArns", []) if groups else []
    return arns[0].split(":loadbalancer/", 1)[1] if arns else None


def _cache(aws: Aws, series: Series, context: Context) -> Iterable[Any]:
    group = context.outputs.get("cacheId")
    if not group:
        return []
    with explained("ElastiCache DescribeReplicationGroups"):
        found = aws.client("elasticache").describe_replication_groups(ReplicationGroupId=str(group))
    members = [m for g in found["ReplicationGroups"] for m in g.get("MemberClusters", [])]
    builders = []
    for member in members:
        where = {"CacheClusterId": member}
        label = f"ElastiCache node {member}"
        memory = series.add("AWS/ElastiCache", "DatabaseMemoryUsagePercentage", where)
        connections = series.add("AWS/ElastiCache", "CurrConnections", where)
        builders += [
            lambda memory=memory, label=label: headroom(
                "cache.memory", label, "DatabaseMemoryUsagePercentage", "%", series[memory], PERCENT
            ),
            lambda connections=connections, label=label: headroom(
                "cache.connections",
                label,
                "CurrConnections",
                "connections",
                series[connections],
                ELASTICACHE_MAX_CLIENTS,
                source="ElastiCache maxclients (infra/limits.py)",
            ),
        ]
    return builders
