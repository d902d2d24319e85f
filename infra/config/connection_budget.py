"""The connection budget (the product's tip to cap the database pool, enforced): the backend's
processes at their most, each with its pool to every database node plus the driver's own
connections, must stay within ``ALERT_AT`` of what one node accepts. A plan that could exhaust the
database under load is refused with the numbers, before anything is registered."""

from __future__ import annotations

from infra.config.errors import CheckContext
from infra.config.model import StackConfig
from infra.limits import (
    ALERT_AT,
    ATLAS_TIERS,
    DOCUMENTDB_CONNECTIONS,
    DOCUMENTDB_LIMITS_SOURCE,
    DRIVER_MONITORING_CONNECTIONS,
    ConnectionBudget,
    atlas_connection_limit,
)


def budget(config: StackConfig) -> tuple[ConnectionBudget, str, str] | None:
    """The stack's budget, what its clients are and what its database is; None where the database's
    limit is not this project's to know (the local container, an external URI, a class not listed)."""
    pool = config.backend.db_pool.max_size
    clients, what = _clients(config)
    engine = config.database_engine
    if engine == "documentdb":
        limit = DOCUMENTDB_CONNECTIONS.get(config.database.instance_class)
        database = f"a {config.database.instance_class} DocumentDB instance"
        source = DOCUMENTDB_LIMITS_SOURCE
    elif engine == "atlas":
        limit = atlas_connection_limit(config.atlas_tier)
        database = f"an Atlas {config.atlas_tier} node"
        source = ATLAS_TIERS[config.atlas_tier].source if config.atlas_tier in ATLAS_TIERS else ""
    else:
        return None
    if limit is None:
        return None
    return ConnectionBudget(clients, pool, limit, source), what, database


def _clients(config: StackConfig) -> tuple[int, str]:
    """The most backend processes the stack runs, and the setting that says so."""
    if config.phase == "aws":
        return config.backend.max_count, "backend.maxCount"
    if config.phase == "kubernetes":
        return config.kubernetes.max_replicas, "kubernetes.maxReplicas"
    return 1, "one service instance"


def check(config: StackConfig, ctx: CheckContext) -> None:
    found = budget(config)
    if found is None:
        return
    limits, clients, database = found
    if limits.fits:
        return
    extra = DRIVER_MONITORING_CONNECTIONS
    largest_pool = max(1, limits.allowed // max(1, limits.clients) - extra)
    ctx.problem(
        "nowry:backend.dbPool.maxSize",
        f"{limits.clients} backend processes ({clients}) x ({limits.pool} pooled + {extra} monitoring) = "
        f"{limits.most} connections to each database node, over {ALERT_AT:.0%} of the {limits.limit} that "
        f"{database} accepts ({limits.allowed})",
        str(limits.pool),
        f"a pool of at most {largest_pool} at this count, fewer processes, or a larger database",
    )
