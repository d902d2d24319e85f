"""DocumentDatabase: MongoDB-compatible Amazon DocumentDB, encrypted, audited and backed up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from infra.naming import physical_name

MASTER_USERNAME = "nowryadmin"
"""The cluster's master user (a change replaces the cluster: masterUsername is ForceNew)."""


@dataclass(frozen=True)
class DocumentDatabaseArgs:
    subnet_ids: Sequence[pulumi.Input[str]]
    security_group_id: pulumi.Input[str]
    database: str
    instance_class: str
    instances: int
    engine_version: str
    backup_retention_days: int
    tls_ca_file: str
    port: int
    protect: bool
    """Pulumi ``protect`` plus DocumentDB's own deletion protection."""
    log_retention_days: int
    storage_key_arn: pulumi.Input[str] | None
    """Encrypts the cluster's storage: the stack's KMS key, or None for AWS's key
    (``aws.dataKey: aws-owned``; a change replaces the cluster)."""
    log_key_arn: pulumi.Input[str]
    """The stack's KMS key: encrypts the audit and profiler log groups."""
    restore_from_snapshot: str | None
    """A cluster snapshot (identifier or ARN) the cluster is created from; None: a new, empty one."""
    pool_options: str
    """The connection pool's URI options (``maxPoolSize=...&minPoolSize=...``)."""


class DocumentDatabase(pulumi.ComponentResource):
    """The app's database on Amazon DocumentDB.

    Builds: a subnet group, a cluster parameter group with ``tls`` and ``audit_logs``
    enabled, a generated master password, the cluster and ``instances`` instances, and
    log groups with a retention for the exported audit and profiler logs.
    Secure defaults: storage encrypted, TLS required, audit logs exported, backups kept
    7+ days, deletion protection and a final snapshot, availability zones left to AWS
    (pinning fewer than 3 makes every update a replacement: pulumi/pulumi-aws#1507);
    protected when the stack protects data (DocumentDB.1-6).
    Cost: db.t4g.medium ~$0.072/hour (~$52.56/month per instance) plus $0.10 per GB-month
    and $0.20 per million I/Os; backups free up to the cluster's size.
    """

    cluster: aws.docdb.Cluster
    uri: pulumi.Output[str]
    """The connection string with credentials and TLS options — a secret."""

    def __init__(self, name: str, args: DocumentDatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:aws:DocumentDatabase", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect)
        family = f"docdb{args.engine_version.rsplit('.', 1)[0]}"
        subnet_group = aws.docdb.SubnetGroup(
            f"{name}-subnets",
            subnet_ids=list(args.subnet_ids),
            description="Nowry database subnets",
            opts=child,
        )
        parameters = aws.docdb.ClusterParameterGroup(
            f"{name}-params",
            family=family,
            description="Nowry: TLS required, audit logs on",
            parameters=[
                aws.docdb.ClusterParameterGroupParameterArgs(name="tls", value="enabled"),
                aws.docdb.ClusterParameterGroupParameterArgs(name="audit_logs", value="enabled"),
            ],
            opts=child,
        )
        password = random.RandomPassword(f"{name}-master-password", length=40, special=False, opts=stateful)
        identifier = physical_name("docdb-cluster", name, pulumi.get_stack())
        logs = [
            aws.cloudwatch.LogGroup(
                f"{name}-{log}-logs",
                name=f"/aws/docdb/{identifier}/{log}",
                retention_in_days=args.log_retention_days,
                kms_key_id=args.log_key_arn,
                opts=child,
            )
            for log in ("audit", "profiler")
        ]
        self.cluster = aws.docdb.Cluster(
            f"{name}-cluster",
            cluster_identifier=identifier,
            engine="docdb",
            engine_version=args.engine_version,
            # A change of engineVersion across a major version (4.0.0 -> 5.0.0) fails at apply
            # unless this is set (DocumentDB's ModifyDBCluster refuses it; the provider's
            # allow_major_version_upgrade). The version comes from config only, so a change is
            # always intended; the cluster keeps its data through the upgrade.
            allow_major_version_upgrade=True,
            master_username=MASTER_USERNAME,
            master_password=password.result,
            port=args.port,
            db_subnet_group_name=subnet_group.name,
            db_cluster_parameter_group_name=parameters.name,
            vpc_security_group_ids=[args.security_group_id],
            storage_encrypted=True,
            snapshot_identifier=args.restore_from_snapshot,
            kms_key_id=args.storage_key_arn,
            backup_retention_period=args.backup_retention_days,
            preferred_backup_window="03:00-04:00",
            deletion_protection=args.protect,
            skip_final_snapshot=False,
            final_snapshot_identifier=physical_name("docdb-snapshot", identifier, "final"),
            enabled_cloudwatch_logs_exports=["audit", "profiler"],
            apply_immediately=False,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, depends_on=logs),
        )
        self.instances: list[aws.docdb.ClusterInstance] = []
        for index in range(args.instances):
            instance = aws.docdb.ClusterInstance(
                f"{name}-instance-{index}",
                cluster_identifier=self.cluster.id,
                instance_class=args.instance_class,
                auto_minor_version_upgrade=True,
                opts=stateful,
            )
            self.instances.append(instance)
        options = (
            f"?tls=true&tlsCAFile={quote(args.tls_ca_file, safe='/')}&replicaSet=rs0"
            f"&readPreference=secondaryPreferred&retryWrites=false&authSource=admin&{args.pool_options}"
        )
        self.master_username = MASTER_USERNAME
        self.master_password = pulumi.Output.secret(password.result)
        """For a client that needs the credentials apart (DMS's target endpoint); a secret."""
        self.uri = pulumi.Output.secret(
            pulumi.Output.concat(
                f"mongodb://{MASTER_USERNAME}:",
                password.result,
                "@",
                self.cluster.endpoint,
                f":{args.port}/{args.database}{options}",
            )
        )
        self.metric_dimensions: dict[str, pulumi.Input[str]] = {"DBClusterIdentifier": self.cluster.cluster_identifier}
        """The cluster's CloudWatch dimensions (AWS/DocDB, cluster level)."""
        self.instance_dimensions: list[dict[str, pulumi.Input[str]]] = [
            {"DBInstanceIdentifier": instance.identifier} for instance in self.instances
        ]
        """Each instance's dimensions (AWS/DocDB, instance level: connections and their limit)."""
        self.register_outputs({"endpoint": self.cluster.endpoint, "uri": self.uri})
