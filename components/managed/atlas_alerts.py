"""AtlasAlerts: Atlas alert configurations that warn before a tier's limits are reached.

An alert made through the API notifies nobody unless it names a target ("Programmatic API keys and
service accounts do not receive alert notifications by default", Atlas docs, disk space used), so
each alert names the stack's email address and, when set, a Slack channel (Atlas's Slack
notification takes a bot token and a channel). The metrics a tier allows differ: M0 and Flex can
only alert on connections, logical size, network and operations (Atlas's free and Flex
limitations), Flex under its own event type; dedicated tiers alert on connections and the data
partition's disk. Every threshold is ``ALERT_AT`` of the tier's limit in ``infra/limits.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_mongodbatlas as atlas

from infra.atlas_tiers import FLEX, SHARED_TIERS
from infra.limits import ALERT_AT, ATLAS_TIERS


@dataclass(frozen=True)
class AlertRule:
    """One alert: Atlas's event type, the metric, its threshold and unit, and why it matters."""

    suffix: str
    event_type: str
    metric: str
    threshold: float
    units: str
    about: str


def alert_rules(tier: str) -> tuple[AlertRule, ...]:
    """The alerts a cluster of ``tier`` can have, at ``ALERT_AT`` of its limits (names of event types,
    metrics and units from Atlas Admin API v2's alert configuration enums)."""
    share = ALERT_AT * 100
    limits = ATLAS_TIERS[tier]
    if tier == FLEX:
        return (
            AlertRule("connections", "OUTSIDE_FLEX_METRIC_THRESHOLD", "FLEX_CONNECTIONS_PERCENT", share, "RAW",
                      f"connections above {share:g}% of Flex's {limits.connections}"),
            AlertRule("storage", "OUTSIDE_FLEX_METRIC_THRESHOLD", "FLEX_DATA_SIZE_TOTAL",
                      round(limits.storage_gb * ALERT_AT, 3), "GIGABYTES",
                      f"data above {ALERT_AT:.0%} of Flex's {limits.storage_gb:g} GB"),
        )  # fmt: skip
    if tier in SHARED_TIERS:
        return (
            AlertRule("connections", "OUTSIDE_METRIC_THRESHOLD", "CONNECTIONS_PERCENT", share, "RAW",
                      f"connections above {share:g}% of {tier}'s {limits.connections}"),
            AlertRule("storage", "OUTSIDE_METRIC_THRESHOLD", "LOGICAL_SIZE",
                      round(limits.storage_gb * 1024 * ALERT_AT, 1), "MEGABYTES",
                      f"data + indexes above {ALERT_AT:.0%} of {tier}'s {limits.storage_gb * 1024:g} MB"),
        )  # fmt: skip
    return (
        AlertRule("connections", "OUTSIDE_METRIC_THRESHOLD", "CONNECTIONS_PERCENT", share, "RAW",
                  f"connections above {share:g}% of {tier}'s {limits.connections} per node"),
        AlertRule("storage", "OUTSIDE_METRIC_THRESHOLD", "DISK_PARTITION_SPACE_USED_DATA", share, "RAW",
                  f"the data partition above {share:g}% full"),
    )  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class AtlasAlertsArgs:
    project_id: pulumi.Input[str]
    tier: str
    email: str
    slack_channel: str | None
    slack_token: pulumi.Input[str] | None
    """A Slack bot token (a secret), with ``slack_channel``."""


class AtlasAlerts(pulumi.ComponentResource):
    """Alerts on the Atlas project before the cluster's tier runs out of connections or storage.

    Builds: one ``AlertConfiguration`` per rule of ``alert_rules(tier)``, enabled, each emailing
    ``email`` (every hour while open) and, when set, posting to a Slack channel.
    Secure defaults: the Slack token reaches Atlas as a secret; nothing notifies the API key.
    Cost: free (alerts are part of every Atlas tier).
    """

    def __init__(self, name: str, args: AtlasAlertsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:managed:AtlasAlerts", name, None, opts)
        notifications = [
            atlas.AlertConfigurationNotificationArgs(
                type_name="EMAIL", email_address=args.email, interval_min=60, delay_min=0
            )
        ]
        if args.slack_channel and args.slack_token is not None:
            notifications.append(
                atlas.AlertConfigurationNotificationArgs(
                    type_name="SLACK", api_token=args.slack_token, channel_name=args.slack_channel, interval_min=60
                )
            )
        self.alerts = [
            atlas.AlertConfiguration(
                f"{name}-{rule.suffix}",
                project_id=args.project_id,
                event_type=rule.event_type,
                enabled=True,
                metric_threshold_config=atlas.AlertConfigurationMetricThresholdConfigArgs(
                    metric_name=rule.metric, operator="GREATER_THAN", threshold=rule.threshold, units=rule.units,
                    mode="AVERAGE",
                ),
                notifications=notifications,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for rule in alert_rules(args.tier)
        ]  # fmt: skip
        self.register_outputs({"alerts": len(self.alerts)})
