"""Monitoring: CloudWatch alarms on what breaks first, one dashboard, and an SNS topic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from infra.limits import ALERT_AT
from infra.naming import physical_name


@dataclass(frozen=True)
class ThresholdAlarm:
    """One CloudWatch alarm on one metric crossing a threshold."""

    suffix: str
    description: str
    """Formatted with ``args`` (the ``MonitoringArgs``)."""
    on: str
    """Which dimensions: target (ALB target group), service (ECS), database, cache or waf."""
    namespace: str
    metric: str
    statistic: str
    """Sum, Average, Minimum, Maximum, or a percentile such as p95."""
    period: int
    periods: int
    comparison: str
    threshold: float | str
    """A number, or the name of the ``MonitoringArgs`` field that holds it."""
    missing: str = "notBreaching"
    region: str | None = None
    """Where the metric lives when not in the stack's region (WAF on CloudFront: us-east-1)."""


ABOVE, BELOW, AT_LEAST = "GreaterThanThreshold", "LessThanThreshold", "GreaterThanOrEqualToThreshold"
THRESHOLD_ALARMS: tuple[ThresholdAlarm, ...] = (
    ThresholdAlarm("api-latency-p95", "API p95 latency above {args.latency_p95_seconds:g} s", "target",
                   "AWS/ApplicationELB", "TargetResponseTime", "p95", 300, 2, ABOVE, "latency_p95_seconds"),
    ThresholdAlarm("unhealthy-hosts", "A backend task fails its health check", "target", "AWS/ApplicationELB",
                   "UnHealthyHostCount", "Maximum", 60, 3, ABOVE, 0, missing="breaching"),
    ThresholdAlarm("ecs-cpu", "Backend cpu above 80% for 10 minutes", "service", "AWS/ECS", "CPUUtilization",
                   "Average", 300, 2, ABOVE, 80),
    ThresholdAlarm("ecs-memory", "Backend memory above 80% for 10 minutes", "service", "AWS/ECS",
                   "MemoryUtilization", "Average", 300, 2, ABOVE, 80),
    ThresholdAlarm("ecs-at-max", "The backend ran at its maximum of {args.max_tasks} tasks for 15 minutes: raise "
                   "backend.maxCount (nowry-infra advise says when)", "service", "ECS/ContainerInsights",
                   "RunningTaskCount", "Minimum", 300, 3, AT_LEAST, "max_tasks"),
    ThresholdAlarm("docdb-cpu", "DocumentDB CPU above 80%", "database", "AWS/DocDB", "CPUUtilization", "Average",
                   300, 2, ABOVE, 80),
    ThresholdAlarm("docdb-freeable-memory", "DocumentDB freeable memory below 256 MB", "database", "AWS/DocDB",
                   "FreeableMemory", "Minimum", 300, 2, BELOW, 256 * 1024**2),
    ThresholdAlarm("cache-memory", "Cache memory above 80%", "cache", "AWS/ElastiCache",
                   "DatabaseMemoryUsagePercentage", "Maximum", 300, 2, ABOVE, 80),
    ThresholdAlarm("cache-evictions", "The cache evicts keys", "cache", "AWS/ElastiCache", "Evictions", "Sum",
                   300, 1, ABOVE, 100),
    ThresholdAlarm("waf-blocked-spike", "WAF blocked more than {args.blocked_requests} requests in 5 minutes",
                   "waf", "AWS/WAFV2", "BlockedRequests", "Sum", 300, 1, ABOVE, "blocked_requests",
                   region="us-east-1"),
)  # fmt: skip
"""Every single-metric alarm; a row whose dimensions the stack lacks (no cache, no WAF) is skipped."""


Dimensions = Mapping[str, pulumi.Input[str]]


@dataclass(frozen=True)
class Watched:
    """What the alarms watch, as the CloudWatch dimensions each component publishes for itself
    (None where the stack has no such part)."""

    load_balancer: Dimensions
    target: Dimensions
    service: Dimensions
    database: Dimensions | None
    database_instances: Sequence[Dimensions]
    cache: Dimensions | None
    waf: Dimensions | None


@dataclass(frozen=True)
class MonitoringArgs:
    region: str
    emails: Sequence[str]
    watched: Watched
    error_rate_percent: float
    latency_p95_seconds: float
    blocked_requests: int
    """WAF blocked requests in 5 minutes that count as a spike."""
    max_tasks: int
    """The service's autoscaling maximum: running at it for long means the next step is due."""
    storage_growth_gb_per_day: float
    """How fast DocumentDB's storage may grow before it alarms."""
    kms_key_arn: pulumi.Input[str] | None
    """Encrypts the alert topic (None: SNS's AWS-managed key, which CloudWatch alarms cannot use)."""


class Monitoring(pulumi.ComponentResource):
    """Alarms, a dashboard and an alert topic for the aws phase.

    Builds: an SNS topic (encrypted with the stack's key) with one email subscription per
    address; alarms on the ALB 5xx rate, target p95 latency, unhealthy hosts, ECS CPU and
    memory, the service at its maximum task count for 15 minutes, DocumentDB CPU, freeable
    memory, each instance's connections at 80% of the limit it publishes and storage growth,
    cache memory and evictions, and WAF blocked-request spikes (the web ACL's metrics live in
    us-east-1); one dashboard. Each alarm watches a metric the service publishes, with its
    dimensions as each watched component publishes them.
    Secure defaults: the topic is encrypted; alarms treat missing data as not breaching
    except for unhealthy hosts.
    Cost: $0.10 per alarm-month (a metric-math alarm counts each metric), dashboards free up
    to three, SNS email free up to 1,000 a month: about $1.50/month for prod's 15 metrics.
    """

    topic: aws.sns.Topic

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:aws:Monitoring", name, None, opts)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        self.topic = aws.sns.Topic(
            f"{name}-alerts", kms_master_key_id=args.kms_key_arn or "alias/aws/sns", opts=self._child
        )
        for index, email in enumerate(args.emails):
            aws.sns.TopicSubscription(
                f"{name}-email-{index}", topic=self.topic.arn, protocol="email", endpoint=email, opts=self._child
            )
        self.alarms: list[aws.cloudwatch.MetricAlarm] = []
        self._error_rate_alarm()
        self._threshold_alarms()
        self._database_connection_alarms()
        self._storage_growth_alarm()
        self.dashboard = self._dashboard()
        self.register_outputs({"topicArn": self.topic.arn, "alarms": len(self.alarms)})

    def _alarm(self, suffix: str, description: str, **kwargs: Any) -> None:
        region = kwargs.pop("region", None)
        topic = self.topic.arn
        if region and region != self._args.region:
            topic = None  # an alarm in another region cannot notify this region's topic
        self.alarms.append(
            aws.cloudwatch.MetricAlarm(
                f"{self._name}-{suffix}",
                alarm_description=description,
                alarm_actions=[topic] if topic is not None else [],
                ok_actions=[topic] if topic is not None else [],
                treat_missing_data=kwargs.pop("treat_missing_data", "notBreaching"),
                region=region,
                **kwargs,
                opts=self._child,
            )
        )

    def _error_rate_alarm(self) -> None:
        """The API's 5xx share: metric math over two ALB metrics, so not a table row."""
        a = self._args
        lb = a.watched.load_balancer
        metric = aws.cloudwatch.MetricAlarmMetricQueryMetricArgs
        query = aws.cloudwatch.MetricAlarmMetricQueryArgs
        self._alarm(
            "alb-5xx-rate",
            f"More than {a.error_rate_percent:g}% of API requests answer 5xx",
            comparison_operator="GreaterThanThreshold",
            threshold=a.error_rate_percent,
            evaluation_periods=3,
            metric_queries=[
                query(id="errors", return_data=False, metric=metric(namespace="AWS/ApplicationELB",
                      metric_name="HTTPCode_Target_5XX_Count", dimensions=lb, period=60, stat="Sum")),
                query(id="requests", return_data=False, metric=metric(namespace="AWS/ApplicationELB",
                      metric_name="RequestCount", dimensions=lb, period=60, stat="Sum")),
                query(id="rate", expression="100 * errors / MAX([requests, 1])", label="5xx %", return_data=True),
            ],
        )  # fmt: skip

    def _database_connection_alarms(self) -> None:
        """Each DocumentDB instance's connections against the limit it publishes itself
        (``DatabaseConnectionsLimit``: exact for every class), at ``ALERT_AT`` of it."""
        metric = aws.cloudwatch.MetricAlarmMetricQueryMetricArgs
        query = aws.cloudwatch.MetricAlarmMetricQueryArgs
        for index, dimensions in enumerate(self._args.watched.database_instances):
            self._alarm(
                f"docdb-connections-{index}",
                f"DocumentDB instance {index} holds more than {ALERT_AT:.0%} of the connections its class allows",
                comparison_operator=ABOVE,
                threshold=ALERT_AT * 100,
                evaluation_periods=3,
                metric_queries=[
                    query(id="used", return_data=False, metric=metric(namespace="AWS/DocDB",
                          metric_name="DatabaseConnections", dimensions=dimensions, period=300, stat="Maximum")),
                    query(id="allowed", return_data=False, metric=metric(namespace="AWS/DocDB",
                          metric_name="DatabaseConnectionsLimit", dimensions=dimensions, period=300, stat="Maximum")),
                    query(id="share", expression="100 * used / MAX([allowed, 1])", label="connections %",
                          return_data=True),
                ],
            )  # fmt: skip

    def _storage_growth_alarm(self) -> None:
        """DocumentDB's storage growing faster than ``storage_growth_gb_per_day`` over a day."""
        a = self._args
        if a.watched.database is None:
            return
        metric = aws.cloudwatch.MetricAlarmMetricQueryMetricArgs
        query = aws.cloudwatch.MetricAlarmMetricQueryArgs
        self._alarm(
            "docdb-storage-growth",
            f"DocumentDB storage grows more than {a.storage_growth_gb_per_day:g} GB a day",
            comparison_operator=ABOVE,
            threshold=a.storage_growth_gb_per_day,
            evaluation_periods=4,
            metric_queries=[
                query(id="volume", return_data=False, metric=metric(namespace="AWS/DocDB",
                      metric_name="VolumeBytesUsed", dimensions=a.watched.database, period=21600, stat="Maximum")),
                query(id="growth", expression="RATE(volume) * 86400 / 1000000000", label="GB a day",
                      return_data=True),
            ],
        )  # fmt: skip

    def _threshold_alarms(self) -> None:
        """One alarm per row of ``THRESHOLD_ALARMS`` whose dimensions this stack has."""
        a = self._args
        w = a.watched
        dimensions: dict[str, Dimensions | None] = {
            "target": w.target, "service": w.service, "database": w.database, "cache": w.cache, "waf": w.waf,
        }  # fmt: skip
        for row in THRESHOLD_ALARMS:
            found = dimensions[row.on]
            if found is None:
                continue
            threshold = getattr(a, row.threshold) if isinstance(row.threshold, str) else row.threshold
            statistic = (
                {"extended_statistic": row.statistic} if row.statistic.startswith("p") else {"statistic": row.statistic}
            )
            self._alarm(
                row.suffix,
                row.description.format(args=a),
                namespace=row.namespace,
                metric_name=row.metric,
                dimensions=found,
                period=row.period,
                evaluation_periods=row.periods,
                comparison_operator=row.comparison,
                threshold=threshold,
                treat_missing_data=row.missing,
                region=row.region,
                **statistic,
            )

    def _dashboard(self) -> aws.cloudwatch.Dashboard:
        a = self._args

        def widget(title: str, metrics: list[list[Any]], region: str | None = None) -> dict[str, Any]:
            return {"type": "metric", "width": 12, "height": 6,
                    "properties": {"title": title, "metrics": metrics, "region": region or a.region, "stat": "Sum",
                                   "period": 300}}  # fmt: skip

        w = a.watched
        requests = ["AWS/ApplicationELB", "RequestCount", *_flat(w.load_balancer)]
        cpu = ["AWS/ECS", "CPUUtilization", *_flat(w.service)]
        widgets = [
            widget("API requests and 5xx", [requests, [".", "HTTPCode_Target_5XX_Count", ".", "."]]),
            widget("Backend CPU and memory", [cpu, [".", "MemoryUtilization", ".", ".", ".", "."]]),
        ]
        if w.database is not None:
            widgets.append(widget("DocumentDB CPU", [["AWS/DocDB", "CPUUtilization", *_flat(w.database)]]))
        if w.cache is not None:
            widgets.append(widget("Cache memory %", [["AWS/ElastiCache", "DatabaseMemoryUsagePercentage",
                                                      *_flat(w.cache)]]))  # fmt: skip
        return aws.cloudwatch.Dashboard(
            f"{self._name}-dashboard",
            dashboard_name=physical_name("dashboard", "nowry", pulumi.get_stack()),
            dashboard_body=pulumi.Output.json_dumps({"widgets": widgets}),
            opts=self._child,
        )


def _flat(dimensions: Dimensions) -> list[pulumi.Input[str]]:
    """A dashboard metric's dimensions: name, value, name, value (CloudWatch's dashboard body)."""
    return [part for name, value in dimensions.items() for part in (name, value)]
