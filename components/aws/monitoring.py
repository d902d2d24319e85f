"""Monitoring: CloudWatch alarms on what breaks first, one dashboard, and an SNS topic."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from infra.naming import physical_name


@dataclass(frozen=True)
class MonitoringArgs:
    region: str
    emails: Sequence[str]
    load_balancer_arn_suffix: pulumi.Input[str]
    target_group_arn_suffix: pulumi.Input[str]
    cluster_name: pulumi.Input[str]
    service_name: pulumi.Input[str]
    database_cluster_id: pulumi.Input[str] | None = None
    cache_node_id: pulumi.Input[str] | None = None
    """The primary node's cache cluster id (``<replication group>-001``)."""
    web_acl_name: pulumi.Input[str] | None = None
    error_rate_percent: float = 5
    latency_p95_seconds: float = 1.0
    blocked_requests: int = 500
    """WAF blocked requests in 5 minutes that count as a spike."""


class Monitoring(pulumi.ComponentResource):
    """Alarms, a dashboard and an alert topic for the aws phase.

    Builds: an SNS topic (encrypted with the AWS-managed key) with one email subscription
    per address; alarms on the ALB 5xx rate, target p95 latency, unhealthy hosts, ECS CPU
    and memory, DocumentDB CPU and freeable memory, cache memory and evictions, and WAF
    blocked-request spikes (the web ACL's metrics live in us-east-1); one dashboard.
    Secure defaults: the topic is encrypted; alarms treat missing data as not breaching
    except for unhealthy hosts.
    Cost: $0.10 per alarm-month (a metric-math alarm counts each metric), dashboards free up
    to three, SNS email free up to 1,000 a month: about $1.10/month.
    """

    topic: aws.sns.Topic

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:aws:Monitoring", name, None, opts)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        self.topic = aws.sns.Topic(f"{name}-alerts", kms_master_key_id="alias/aws/sns", opts=self._child)
        for index, email in enumerate(args.emails):
            aws.sns.TopicSubscription(
                f"{name}-email-{index}", topic=self.topic.arn, protocol="email", endpoint=email, opts=self._child
            )
        self.alarms: list[aws.cloudwatch.MetricAlarm] = []
        self._alb_alarms()
        self._ecs_alarms()
        self._data_alarms()
        self._waf_alarm()
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

    def _alb_alarms(self) -> None:
        a = self._args
        lb = {"LoadBalancer": a.load_balancer_arn_suffix}
        both = {**lb, "TargetGroup": a.target_group_arn_suffix}
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
        self._alarm(
            "api-latency-p95",
            f"API p95 latency above {a.latency_p95_seconds:g} s",
            namespace="AWS/ApplicationELB", metric_name="TargetResponseTime", dimensions=both,
            extended_statistic="p95", period=300, evaluation_periods=2,
            comparison_operator="GreaterThanThreshold", threshold=a.latency_p95_seconds,
        )  # fmt: skip
        self._alarm(
            "unhealthy-hosts",
            "A backend task fails its health check",
            namespace="AWS/ApplicationELB", metric_name="UnHealthyHostCount", dimensions=both,
            statistic="Maximum", period=60, evaluation_periods=3,
            comparison_operator="GreaterThanThreshold", threshold=0, treat_missing_data="breaching",
        )  # fmt: skip

    def _ecs_alarms(self) -> None:
        a = self._args
        service = {"ClusterName": a.cluster_name, "ServiceName": a.service_name}
        for metric_name, label in (("CPUUtilization", "cpu"), ("MemoryUtilization", "memory")):
            self._alarm(
                f"ecs-{label}",
                f"Backend {label} above 80% for 10 minutes",
                namespace="AWS/ECS", metric_name=metric_name, dimensions=service, statistic="Average",
                period=300, evaluation_periods=2, comparison_operator="GreaterThanThreshold", threshold=80,
            )  # fmt: skip

    def _data_alarms(self) -> None:
        a = self._args
        if a.database_cluster_id is not None:
            database = {"DBClusterIdentifier": a.database_cluster_id}
            self._alarm(
                "docdb-cpu", "DocumentDB CPU above 80%",
                namespace="AWS/DocDB", metric_name="CPUUtilization", dimensions=database, statistic="Average",
                period=300, evaluation_periods=2, comparison_operator="GreaterThanThreshold", threshold=80,
            )  # fmt: skip
            self._alarm(
                "docdb-freeable-memory", "DocumentDB freeable memory below 256 MB",
                namespace="AWS/DocDB", metric_name="FreeableMemory", dimensions=database, statistic="Minimum",
                period=300, evaluation_periods=2, comparison_operator="LessThanThreshold", threshold=256 * 1024**2,
            )  # fmt: skip
        if a.cache_node_id is not None:
            node = {"CacheClusterId": a.cache_node_id}
            self._alarm(
                "cache-memory", "Cache memory above 80%",
                namespace="AWS/ElastiCache", metric_name="DatabaseMemoryUsagePercentage", dimensions=node,
                statistic="Maximum", period=300, evaluation_periods=2,
                comparison_operator="GreaterThanThreshold", threshold=80,
            )  # fmt: skip
            self._alarm(
                "cache-evictions", "The cache evicts keys",
                namespace="AWS/ElastiCache", metric_name="Evictions", dimensions=node, statistic="Sum",
                period=300, evaluation_periods=1, comparison_operator="GreaterThanThreshold", threshold=100,
            )  # fmt: skip

    def _waf_alarm(self) -> None:
        a = self._args
        if a.web_acl_name is None:
            return
        self._alarm(
            "waf-blocked-spike", f"WAF blocked more than {a.blocked_requests} requests in 5 minutes",
            namespace="AWS/WAFV2", metric_name="BlockedRequests", dimensions={"WebACL": a.web_acl_name, "Rule": "ALL"},
            statistic="Sum", period=300, evaluation_periods=1,
            comparison_operator="GreaterThanThreshold", threshold=a.blocked_requests, region="us-east-1",
        )  # fmt: skip

    def _dashboard(self) -> aws.cloudwatch.Dashboard:
        a = self._args

        def widget(title: str, metrics: list[list[Any]], region: str | None = None) -> dict[str, Any]:
            return {"type": "metric", "width": 12, "height": 6,
                    "properties": {"title": title, "metrics": metrics, "region": region or a.region, "stat": "Sum",
                                   "period": 300}}  # fmt: skip

        requests = ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", a.load_balancer_arn_suffix]
        cpu = ["AWS/ECS", "CPUUtilization", "ClusterName", a.cluster_name, "ServiceName", a.service_name]
        widgets = [
            widget("API requests and 5xx", [requests, [".", "HTTPCode_Target_5XX_Count", ".", "."]]),
            widget("Backend CPU and memory", [cpu, [".", "MemoryUtilization", ".", ".", ".", "."]]),
        ]
        if a.database_cluster_id is not None:
            widgets.append(widget("DocumentDB CPU", [["AWS/DocDB", "CPUUtilization", "DBClusterIdentifier",
                                                      a.database_cluster_id]]))  # fmt: skip
        if a.cache_node_id is not None:
            widgets.append(widget("Cache memory %", [["AWS/ElastiCache", "DatabaseMemoryUsagePercentage",
                                                      "CacheClusterId", a.cache_node_id]]))  # fmt: skip
        return aws.cloudwatch.Dashboard(
            f"{self._name}-dashboard",
            dashboard_name=physical_name("dashboard", "nowry", pulumi.get_stack()),
            dashboard_body=pulumi.Output.json_dumps({"widgets": widgets}),
            opts=self._child,
        )
