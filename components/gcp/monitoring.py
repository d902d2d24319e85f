"""Monitoring: Cloud Monitoring alert policies on the API and the cache, and an uptime check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp.monitoring as monitoring

RUN = 'resource.type = "cloud_run_revision" AND resource.labels.service_name = "{service}"'


@dataclass(frozen=True, kw_only=True)
class MonitoringArgs:
    service_name: pulumi.Input[str]
    cache_instance: pulumi.Input[str] | None
    """The Memorystore instance's id (``projects/.../instances/...``), or None without a cache."""
    max_instances: int
    emails: Sequence[str]
    error_rate_percent: float
    latency_p95_seconds: float
    cache_memory_percent: float
    uptime_host: pulumi.Input[str]
    uptime_path: str
    https: bool


class Monitoring(pulumi.ComponentResource):
    """Alerts on what the users feel, to an email channel per address in config.

    Builds: alert policies on the API's 5xx share of requests, its p95 latency, its instance count at
    the configured maximum (it cannot scale further), and the cache's memory use; an uptime check of
    the API's health path through the load balancer, with an alert when it fails.
    Secure defaults: alerts close themselves after a day quiet; the uptime check validates TLS.
    Cost: Cloud Monitoring's Google Cloud metrics, alerting and uptime checks at this scale fall within
    its free allotments (docs/costs.md).
    """

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:gcp:Monitoring", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        channels = [
            monitoring.NotificationChannel(
                f"{name}-email-{index}",
                display_name=f"Nowry alerts ({email})",
                type="email",
                labels={"email_address": email},
                opts=child,
            ).id
            for index, email in enumerate(args.emails)
        ]
        service = pulumi.Output.from_input(args.service_name)
        run = service.apply(lambda s: RUN.format(service=s))
        self._alert(name, "errors", f"API 5xx above {args.error_rate_percent:g}% of requests", channels, child,
                    filter=run.apply(lambda r: f'{r} AND metric.type = "run.googleapis.com/request_count" AND '
                                               'metric.labels.response_code_class = "5xx"'),
                    denominator=run.apply(lambda r: f'{r} AND metric.type = "run.googleapis.com/request_count"'),
                    threshold=args.error_rate_percent / 100, aligner="ALIGN_RATE")  # fmt: skip
        self._alert(name, "latency", f"API p95 latency above {args.latency_p95_seconds:g} s", channels, child,
                    filter=run.apply(lambda r: f'{r} AND metric.type = "run.googleapis.com/request_latencies"'),
                    threshold=args.latency_p95_seconds * 1000, aligner="ALIGN_PERCENTILE_95")  # fmt: skip
        self._alert(name, "saturation", f"API at its maximum of {args.max_instances} instances", channels, child,
                    filter=run.apply(lambda r: f'{r} AND metric.type = "run.googleapis.com/container/instance_count"'),
                    threshold=args.max_instances - 0.5, aligner="ALIGN_MAX", reducer="REDUCE_SUM")  # fmt: skip
        if args.cache_instance is not None:
            cache = pulumi.Output.from_input(args.cache_instance).apply(lambda i: i.rsplit("/", 1)[-1])
            self._alert(name, "cache-memory", f"Memorystore memory above {args.cache_memory_percent:g}%", channels,
                        child, filter=cache.apply(lambda i: 'resource.type = "redis_instance" AND resource.labels.'
                        f'instance_id = "{i}" AND metric.type = "redis.googleapis.com/stats/memory/usage_ratio"'),
                        threshold=args.cache_memory_percent / 100, aligner="ALIGN_MAX")  # fmt: skip
        self.uptime = monitoring.UptimeCheckConfig(
            f"{name}-uptime",
            display_name=f"Nowry API health ({pulumi.get_stack()})",
            timeout="10s",
            period="60s",
            http_check=monitoring.UptimeCheckConfigHttpCheckArgs(
                path=args.uptime_path, port=443 if args.https else 80, use_ssl=args.https, validate_ssl=args.https,
                accepted_response_status_codes=[
                    monitoring.UptimeCheckConfigHttpCheckAcceptedResponseStatusCodeArgs(status_class="STATUS_CLASS_2XX")
                ],
            ),
            monitored_resource=monitoring.UptimeCheckConfigMonitoredResourceArgs(
                type="uptime_url", labels={"host": args.uptime_host}
            ),
            opts=child,
        )  # fmt: skip
        check_id = self.uptime.uptime_check_id
        self._alert(name, "uptime", "API health check failing", channels, child,
                    filter=check_id.apply(lambda c: 'resource.type = "uptime_url" AND metric.type = '
                                          f'"monitoring.googleapis.com/uptime_check/check_passed" AND '
                                          f'metric.labels.check_id = "{c}"'),
                    threshold=1, aligner="ALIGN_NEXT_OLDER", reducer="REDUCE_COUNT_FALSE")  # fmt: skip
        self.register_outputs({})

    @staticmethod
    def _alert(name: str, key: str, title: str, channels: list[pulumi.Output[str]], opts: pulumi.ResourceOptions,
               *, filter: pulumi.Input[str], threshold: float, aligner: str, reducer: str | None = None,
               denominator: pulumi.Input[str] | None = None, comparison: str = "COMPARISON_GT") -> None:  # fmt: skip
        aggregation = monitoring.AlertPolicyConditionConditionThresholdAggregationArgs(
            alignment_period="300s", per_series_aligner=aligner, cross_series_reducer=reducer
        )
        monitoring.AlertPolicy(
            f"{name}-{key}",
            display_name=f"Nowry {pulumi.get_stack()}: {title}",
            combiner="OR",
            notification_channels=channels,
            alert_strategy=monitoring.AlertPolicyAlertStrategyArgs(auto_close="86400s"),
            conditions=[
                monitoring.AlertPolicyConditionArgs(
                    display_name=title,
                    condition_threshold=monitoring.AlertPolicyConditionConditionThresholdArgs(
                        filter=filter,
                        comparison=comparison,
                        threshold_value=threshold,
                        duration="300s",
                        aggregations=[aggregation],
                        denominator_filter=denominator,
                        denominator_aggregations=[
                            monitoring.AlertPolicyConditionConditionThresholdDenominatorAggregationArgs(
                                alignment_period="300s", per_series_aligner=aligner, cross_series_reducer=reducer
                            )
                        ]
                        if denominator is not None
                        else None,
                    ),
                )
            ],
            opts=opts,
        )
