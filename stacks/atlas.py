"""Glue from the typed config to the shared Atlas component (managed phases and aws)."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from components.managed.atlas import AtlasDatabase, AtlasDatabaseArgs
from components.managed.atlas_alerts import AtlasAlerts, AtlasAlertsArgs
from infra.config.model import StackConfig
from infra.naming import physical_name

OFFLINE_ORG_ID = "offline-org-id"
"""Stands in for ``nowry:atlas.orgId`` in an offline plan when it is not set (a warning says so)."""


def atlas_database(
    config: StackConfig,
    tier: str,
    extra_access: Sequence[pulumi.Input[str]] = (),
    provider: str = "AWS",
    region: str | None = None,
) -> AtlasDatabase:
    """The stack's Atlas database at ``tier``, on ``provider`` in ``region`` (default ``atlas.region``),
    and its alerts when ``nowry:alerts.email`` names someone. The logical name ``database`` is the same
    in every phase, so the cluster's URN never changes when the stack changes phase (or cloud)."""
    settings = config.atlas
    database = AtlasDatabase(
        "database",
        AtlasDatabaseArgs(
            org_id=settings.org_id or OFFLINE_ORG_ID,
            project_name=settings.project_name or physical_name("atlas-project", config.project, config.stack),
            tier=tier,
            region=region or settings.region,
            mongo_version=settings.mongo_version,
            database=config.database.name,
            ip_access_list=[*settings.ip_access_list, *extra_access],
            backup_copy_region=settings.backup_copy_region,
            protect=config.protect,
            pool_options=config.backend.db_pool.uri_options,
            provider=provider,
        ),
    )
    alerts = config.alerts
    if alerts.email:
        token = config.secrets.get("alertsSlackToken")
        AtlasAlerts(
            "database-alerts",
            AtlasAlertsArgs(
                project_id=database.project.id,
                tier=tier,
                email=alerts.email,
                slack_channel=alerts.slack_channel,
                slack_token=pulumi.Output.secret(token.reveal()) if token else None,
            ),
        )
    return database
