"""AtlasDatabase: a MongoDB Atlas project, cluster and app user — one cluster for every phase."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_mongodbatlas as atlas
import pulumi_random as random

from infra.atlas_tiers import FLEX, SHARED_TIERS
from infra.naming import physical_name


@dataclass(frozen=True, kw_only=True)
class AtlasDatabaseArgs:
    org_id: pulumi.Input[str]
    project_name: str
    tier: str
    """M0 (free), FLEX, M10, M20 ... The cluster is the same resource at every tier."""
    region: str
    """An Atlas region name of ``provider`` (US_EAST_1 on AWS, CENTRAL_US on Google Cloud)."""
    mongo_version: str
    database: str
    ip_access_list: Sequence[pulumi.Input[str]] = ()
    """IPv4 CIDR blocks allowed to connect."""
    backup_copy_region: str | None
    """An Atlas region every snapshot is copied to (dedicated tiers), or None."""
    protect: bool
    pool_options: str
    """The connection pool's URI options (``maxPoolSize=...&minPoolSize=...``)."""
    provider: str = "AWS"
    """The cloud the cluster runs on: AWS, or GCP in the gcp phase. Changing it on a dedicated cluster is an
    update in place: Atlas moves the cluster to the other cloud itself."""


class AtlasDatabase(pulumi.ComponentResource):
    """The app's database on MongoDB Atlas (on AWS, or on Google Cloud in the gcp phase).

    Builds: a project, an ``AdvancedCluster`` (always the logical name
    ``<name>-cluster``, so moving M0 -> M10 -> M20 between phases is an in-place tier
    change, never a new empty cluster), a database user with a generated password and
    ``readWrite`` on the app's database only, one access-list entry per CIDR, and the
    ``mongodb+srv://`` connection string (a secret).
    Secure defaults: generated password, least-privilege role; on dedicated tiers TLS 1.2
    minimum, server-side JavaScript off, continuous backups and termination protection when
    the stack protects data (M0 and Flex accept none of these settings: Atlas fixes TLS and
    backups for them); the cluster and password are Pulumi-protected then too.
    Upgrades M0 -> Flex -> M10 -> M20 happen in place; from M0 or Flex the provider's upgrade
    run applies only what ``infra/atlas_tiers.py`` lists in ``UPGRADE_RUN_INPUTS`` (the tier,
    backups, process arguments), and the rest lands on a second ``pulumi up``, which
    ``nowry-infra migrate`` says.
    Cost: M0 free (512 MB); Flex from $8/month (capped at $30); M10 ~$0.08/hour (~$58/month);
    M20 ~$0.20/hour (~$146/month).
    """

    cluster: atlas.AdvancedCluster
    project: atlas.Project
    uri: pulumi.Output[str]

    def __init__(self, name: str, args: AtlasDatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:managed:AtlasDatabase", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect)
        project = atlas.Project(f"{name}-project", org_id=args.org_id, name=args.project_name, opts=stateful)
        self.project = project
        self.cluster = self._cluster(name, args, project, stateful)
        password = random.RandomPassword(f"{name}-app-password", length=40, special=False, opts=stateful)
        user = atlas.DatabaseUser(
            f"{name}-app-user",
            project_id=project.id,
            username="nowry-app",
            password=password.result,
            auth_database_name="admin",
            roles=[atlas.DatabaseUserRoleArgs(role_name="readWrite", database_name=args.database)],
            scopes=[atlas.DatabaseUserScopeArgs(name=self.cluster.name, type="CLUSTER")],
            opts=child,
        )
        for index, cidr in enumerate(args.ip_access_list):
            atlas.ProjectIpAccessList(
                f"{name}-access-{index}",
                project_id=project.id,
                cidr_block=cidr,
                comment="nowry-infra",
                opts=child,
            )
        host = self.cluster.connection_strings.apply(lambda strings: (strings.standard_srv or "") if strings else "")
        self.uri = pulumi.Output.secret(
            pulumi.Output.all(host, user.username, password.result).apply(
                lambda parts: (
                    parts[0].replace("mongodb+srv://", f"mongodb+srv://{parts[1]}:{parts[2]}@", 1)
                    + f"/{args.database}?retryWrites=true&w=majority&tls=true&{args.pool_options}"
                )
            )
        )
        if args.backup_copy_region:
            self._copy_snapshots(name, args, project, child)
        self.register_outputs({"clusterName": self.cluster.name, "uri": self.uri})

    def _copy_snapshots(
        self, name: str, args: AtlasDatabaseArgs, project: atlas.Project, opts: pulumi.ResourceOptions
    ) -> None:
        """Daily snapshots kept a week, each also copied to ``backup_copy_region`` (Atlas's
        cloud backup schedule with copy settings; the zone is the cluster's one zone)."""
        zone = self.cluster.replication_specs.apply(lambda specs: specs[0].zone_id if specs else None)
        atlas.CloudBackupSchedule(
            f"{name}-backup-schedule",
            project_id=project.id,
            cluster_name=self.cluster.name,
            reference_hour_of_day=3,
            copy_policy_items_enabled=True,
            policy_item_daily=atlas.CloudBackupSchedulePolicyItemDailyArgs(
                frequency_interval=1, retention_unit="days", retention_value=7
            ),
            copy_settings=[
                atlas.CloudBackupScheduleCopySettingArgs(
                    cloud_provider="AWS",
                    region_name=args.backup_copy_region,
                    copy_policy_items=[
                        atlas.CloudBackupScheduleCopySettingCopyPolicyItemArgs(
                            frequency_type="daily", retention_unit="days", retention_value=7
                        )
                    ],
                    should_copy_oplogs=False,
                    zone_id=zone,
                )
            ],
            opts=opts,
        )

    @staticmethod
    def _cluster(
        name: str, args: AtlasDatabaseArgs, project: atlas.Project, opts: pulumi.ResourceOptions
    ) -> atlas.AdvancedCluster:
        shared, flex = args.tier in SHARED_TIERS, args.tier == FLEX
        dedicated = not (shared or flex)
        if shared or flex:
            region = atlas.AdvancedClusterReplicationSpecRegionConfigArgs(
                provider_name="TENANT" if shared else FLEX,
                backing_provider_name=args.provider,
                region_name=args.region,
                priority=7,
                electable_specs=(
                    atlas.AdvancedClusterReplicationSpecRegionConfigElectableSpecsArgs(instance_size=args.tier)
                    if shared
                    else None
                ),
            )
        else:
            region = atlas.AdvancedClusterReplicationSpecRegionConfigArgs(
                provider_name=args.provider,
                region_name=args.region,
                priority=7,
                electable_specs=atlas.AdvancedClusterReplicationSpecRegionConfigElectableSpecsArgs(
                    instance_size=args.tier, node_count=3
                ),
            )
        return atlas.AdvancedCluster(
            f"{name}-cluster",
            project_id=project.id,
            name=physical_name("atlas-cluster", args.project_name, "db"),
            cluster_type="REPLICASET",
            mongo_db_major_version=args.mongo_version if dedicated else None,
            replication_specs=[atlas.AdvancedClusterReplicationSpecArgs(region_configs=[region])],
            backup_enabled=True if dedicated else None,
            pit_enabled=args.protect if dedicated else None,
            termination_protection_enabled=args.protect if (dedicated or flex) else None,
            advanced_configuration=(
                atlas.AdvancedClusterAdvancedConfigurationArgs(
                    minimum_enabled_tls_protocol="TLS1_2", javascript_enabled=False
                )
                if dedicated
                else None
            ),
            opts=opts,
        )
