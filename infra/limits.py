"""The limits table: what each tier, instance class and plan allows, with its source.

One table read three ways: the alerts each phase makes (at ``ALERT_AT`` of a limit), the plan's
connection budget (refused when the backend could open more than ``ALERT_AT`` of the database's
connections), and ``nowry-infra advise`` (the live headroom of each limit). A leaf: it imports
nothing of the project, so the program and the tool both read it.
"""

from __future__ import annotations

from dataclasses import dataclass

ALERT_AT = 0.8
"""The share of a limit at which an alert fires, a plan is refused and ``advise`` warns."""

GB = 1024**3


@dataclass(frozen=True)
class AtlasTierLimits:
    """What an Atlas tier allows a cluster (per node for connections)."""

    storage_gb: float
    """M0/Flex: data + indexes as uncompressed BSON (a hard limit: writes fail beyond it);
    dedicated tiers: the default disk, which Atlas grows at 90% unless auto-scaling is off."""
    connections: int
    """Connections per node; Atlas keeps ``ATLAS_RESERVED_CONNECTIONS`` of them for itself."""
    ops_per_second: int | None
    """The throughput cap (throttled beyond it), or None where the tier has none."""
    source: str


ATLAS_RESERVED_CONNECTIONS = 10
"""Atlas keeps 10 connections per node for its own use (mongodb/docs atlas-limits.txt)."""

ATLAS_TIERS: dict[str, AtlasTierLimits] = {
    "M0": AtlasTierLimits(0.5, 500, 100, "mongodb/docs content/atlas/source/reference/free-shared-limitations.txt"),
    "FLEX": AtlasTierLimits(5, 500, 500, "mongodb/docs content/atlas/source/reference/flex-limitations.txt"),
    "M10": AtlasTierLimits(10, 1500, None, "mongodb/docs content/atlas/source/reference/atlas-limits.txt (AWS)"),
    "M20": AtlasTierLimits(20, 3000, None, "mongodb/docs content/atlas/source/reference/atlas-limits.txt (AWS)"),
}
"""Atlas's limits by tier (the tiers this project runs; M0 and Flex count storage as logical size)."""

DOCUMENTDB_CONNECTIONS: dict[str, int] = {
    "db.t3.medium": 1000,
    "db.t4g.medium": 1000,
    "db.r5.large": 3400,
    "db.r5.xlarge": 7000,
    "db.r5.2xlarge": 14200,
    "db.r5.4xlarge": 28400,
    "db.r5.12xlarge": 60000,
    "db.r5.24xlarge": 60000,
    "db.r6g.large": 3400,
    "db.r6g.xlarge": 7000,
    "db.r6g.2xlarge": 14200,
    "db.r6g.4xlarge": 28400,
    "db.r6g.8xlarge": 60000,
    "db.r6g.12xlarge": 60000,
    "db.r6g.16xlarge": 60000,
}
"""Connections (all, active and idle) per DocumentDB instance, by class: the "Instance limits" table of
the Amazon DocumentDB developer guide, "Quotas and limits"
(https://docs.aws.amazon.com/documentdb/latest/developerguide/limits.html#limits.instance). The guide
lists no R8G row: those classes get no plan-time check, and ``advise`` reads every instance's exact
value from its ``DatabaseConnectionsLimit`` metric. The guide also caps *active* connections (102 on
the medium classes, 1,100 on the large ones); the budget here counts every pooled connection, idle
or not, against the first figure only."""
DOCUMENTDB_LIMITS_SOURCE = (
    "Amazon DocumentDB developer guide, Quotas and limits (limits.html), instance limits; live: the "
    "DatabaseConnectionsLimit CloudWatch metric"
)

DOCUMENTDB_MAX_STORAGE_BYTES = 128 * 1024**4
"""A DocumentDB cluster's storage volume grows to 128 TiB (Amazon DocumentDB developer guide, "Quotas
and limits", cluster limits)."""

DRIVER_MONITORING_CONNECTIONS = 2
"""What each MongoDB client opens per server besides its pool: one monitoring and one round-trip
connection (MongoDB manual, "Tuning Your Connection Pool Settings", calculating connections)."""

ELASTICACHE_MAX_CLIENTS = 65_000
"""Connections a node-based Valkey or Redis OSS node accepts: ``maxclients``, 65000 and not
modifiable (Amazon ElastiCache user guide, "Valkey and Redis OSS parameters",
https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Engine.html)."""

PERCENT = 100.0
"""The ceiling of a utilisation metric given in percent (CPU, memory of a reservation)."""

RAILWAY_INCLUDED_USD: dict[str, float] = {"hobby": 5.0, "pro": 20.0}
"""The usage each Railway plan's fee includes, in USD a month (railwayapp/docs pricing/plans.md)."""
RAILWAY_MINUTES_PER_MONTH = 43_200
"""Railway prices usage per minute of a 30-day month (railwayapp/cli src/commands/usage.rs)."""


@dataclass(frozen=True)
class ConnectionBudget:
    """The most connections the backend could open to one database node, and that node's limit."""

    clients: int
    """Backend processes at the most (tasks or replicas, one uvicorn worker each)."""
    pool: int
    """``maxPoolSize`` of each client."""
    limit: int
    """Connections the node accepts (less what the service keeps for itself)."""
    source: str

    @property
    def most(self) -> int:
        return self.clients * (self.pool + DRIVER_MONITORING_CONNECTIONS)

    @property
    def allowed(self) -> int:
        """``ALERT_AT`` of the limit: the most the backend may open."""
        return int(self.limit * ALERT_AT)

    @property
    def fits(self) -> bool:
        return self.most <= self.allowed


def atlas_connection_limit(tier: str) -> int | None:
    """Connections an Atlas node of ``tier`` accepts from clients (None for a tier not in the table)."""
    limits = ATLAS_TIERS.get(tier)
    return None if limits is None else limits.connections - ATLAS_RESERVED_CONNECTIONS
