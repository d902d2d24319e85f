"""DataMigration: AWS DMS copying the app's database from MongoDB (Atlas) into DocumentDB while
the app keeps writing to the source — a full load, then change data capture until the cutover."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws.document_database import DocumentDatabase
from components.aws.policy_documents import assume_role_policy, decrypt_through, policy_document, statement
from infra.config.mongo_uri import MongoSource
from infra.naming import physical_name

INSTANCE_CLASS = "dms.t3.medium"
"""The smallest class AWS suggests for a MongoDB source (2 vCPU, 4 GiB); single-AZ: the
replication instance lives only for the migration."""
ALLOCATED_STORAGE_GB = 50
CDC_LATENCY_ALARM_SECONDS = 600
"""CDC latency (source or target) above this for 15 minutes alarms: the cutover would have to wait."""


@dataclass(frozen=True, kw_only=True)
class DataMigrationArgs:
    source: MongoSource
    """The MongoDB source; its credentials go only into a Secrets Manager secret."""
    database: DocumentDatabase
    database_name: str
    database_port: int
    database_security_group_id: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets (with a NAT gateway: the source is on the internet)."""
    region: str
    kms_key_arn: pulumi.Input[str]
    ca_bundle_pem: str | None
    """The Amazon RDS CA bundle DMS verifies DocumentDB with (None offline while it is not fetched yet)."""
    log_retention_days: int
    alarm_topic_arn: pulumi.Input[str] | None


class DataMigration(pulumi.ComponentResource):
    """The online move from MongoDB into DocumentDB.

    Builds: a Secrets Manager secret with the source's credentials and a role DMS assumes to
    read exactly that secret; a DMS subnet group in the private subnets and a security group
    that may reach only DocumentDB (and the source's port on the internet, through the NAT
    gateway), with DocumentDB admitting it; a single-AZ ``dms.t3.medium`` replication
    instance; a MongoDB source endpoint (document mode with ``_id`` extracted, as CDC needs;
    TLS as the URI asks); a DocumentDB target endpoint verifying the server with the Amazon
    RDS CA (``verify-full``); a ``full-load-and-cdc`` task over the app's database with
    CloudWatch logging to its own log group; and alarms on the task's CDC latency.
    Secure defaults: not publicly accessible, storage encrypted with the stack's key, the
    source password only in Secrets Manager (never an endpoint input), TLS to both ends.
    Cost: the replication instance by the hour while it exists (~$0.08/h, ~$58 for a month
    left running), one secret ($0.40/month) and two alarms; nothing once the source is unset.
    """

    task: aws.dms.ReplicationTask
    instance: aws.dms.ReplicationInstance

    def __init__(self, name: str, args: DataMigrationArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:aws:DataMigration", name, None, opts)
        self._name, self._args = name, args
        self._child = pulumi.ResourceOptions(parent=self)
        stack = pulumi.get_stack()
        instance_id = physical_name("dms-identifier", "nowry", stack, "migration")
        source = self._source_endpoint(instance_id)
        target = self._target_endpoint(instance_id)
        firewall = self._security_group()
        subnets = aws.dms.ReplicationSubnetGroup(
            f"{name}-subnets",
            replication_subnet_group_id=physical_name("dms-identifier", "nowry", stack, "migration-subnets"),
            replication_subnet_group_description="Nowry data migration: private subnets",
            subnet_ids=list(args.subnet_ids),
            opts=self._child,
        )
        # DMS writes task logs to the log group named after the replication instance.
        logs = aws.cloudwatch.LogGroup(
            f"{name}-task-logs",
            name=physical_name("log-group", "dms-tasks", instance_id),
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            opts=self._child,
        )
        self.instance = aws.dms.ReplicationInstance(
            f"{name}-instance",
            replication_instance_id=instance_id,
            replication_instance_class=INSTANCE_CLASS,
            allocated_storage=ALLOCATED_STORAGE_GB,
            multi_az=False,
            publicly_accessible=False,
            kms_key_arn=args.kms_key_arn,
            replication_subnet_group_id=subnets.replication_subnet_group_id,
            vpc_security_group_ids=[firewall.id],
            auto_minor_version_upgrade=True,
            apply_immediately=True,
            opts=self._child,
        )
        self.task = aws.dms.ReplicationTask(
            f"{name}-task",
            replication_task_id=physical_name("dms-identifier", "nowry", stack, "full-load-and-cdc"),
            migration_type="full-load-and-cdc",
            replication_instance_arn=self.instance.replication_instance_arn,
            source_endpoint_arn=source.endpoint_arn,
            target_endpoint_arn=target.endpoint_arn,
            table_mappings=table_mappings(args.source.database or args.database_name),
            replication_task_settings=json.dumps(TASK_SETTINGS),
            start_replication_task=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[logs]),
        )
        self._alarms()
        self.register_outputs({"taskArn": self.task.replication_task_arn})

    def _source_endpoint(self, instance_id: str) -> aws.dms.Endpoint:
        args, source = self._args, self._args.source
        secret = aws.secretsmanager.Secret(
            f"{self._name}-source-credentials",
            name_prefix=f"{physical_name('secret-prefix', 'nowry', pulumi.get_stack())}/dms-source-",
            description="Nowry data migration: the MongoDB source's connection details",
            recovery_window_in_days=7,
            kms_key_id=args.kms_key_arn,
            opts=self._child,
        )
        aws.secretsmanager.SecretVersion(
            f"{self._name}-source-credentials",
            secret_id=secret.id,
            secret_string=pulumi.Output.secret(
                json.dumps(
                    {"username": source.username, "password": source.password, "host": source.host, "port": source.port}
                )
            ),
            opts=self._child,
        )
        role = aws.iam.Role(
            f"{self._name}-secret-reader",
            assume_role_policy=assume_role_policy(f"dms.{args.region}.amazonaws.com"),
            description="DMS reads the migration source's credentials, nothing else",
            opts=self._child,
        )
        aws.iam.RolePolicy(
            f"{self._name}-secret-reader",
            role=role.id,
            policy=policy_document(
                statement(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], [secret.arn]),
                decrypt_through(args.kms_key_arn, "secretsmanager", args.region),
            ),
            opts=self._child,
        )
        return aws.dms.Endpoint(
            f"{self._name}-source",
            endpoint_id=physical_name("dms-identifier", instance_id, "source"),
            endpoint_type="source",
            engine_name="mongodb",
            database_name=source.database or args.database_name,
            secrets_manager_arn=secret.arn,
            secrets_manager_access_role_arn=role.arn,
            ssl_mode="require" if source.tls else "none",
            kms_key_arn=args.kms_key_arn,
            mongodb_settings=aws.dms.EndpointMongodbSettingsArgs(
                auth_type="password",
                auth_source=source.auth_source,
                auth_mechanism="default",
                nesting_level="none",  # document mode: each document moves as is
                extract_doc_id="true",  # CDC needs _id as its own column (DMS user guide, MongoDB source)
                docs_to_investigate="1000",
            ),
            opts=self._child,
        )

    def _target_endpoint(self, instance_id: str) -> aws.dms.Endpoint:
        args = self._args
        certificate = aws.dms.Certificate(
            f"{self._name}-rds-ca",
            certificate_id=physical_name("dms-identifier", instance_id, "rds-ca"),
            certificate_pem=pulumi.Output.secret(args.ca_bundle_pem or "[offline: the RDS CA bundle is not fetched]"),
            opts=self._child,
        )
        return aws.dms.Endpoint(
            f"{self._name}-target",
            endpoint_id=physical_name("dms-identifier", instance_id, "target"),
            endpoint_type="target",
            engine_name="docdb",
            server_name=args.database.cluster.endpoint,
            port=args.database_port,
            database_name=args.database_name,
            username=args.database.master_username,
            password=args.database.master_password,
            ssl_mode="verify-full",
            certificate_arn=certificate.certificate_arn,
            kms_key_arn=args.kms_key_arn,
            opts=self._child,
        )

    def _security_group(self) -> aws.ec2.SecurityGroup:
        args, name = self._args, self._name
        group = aws.ec2.SecurityGroup(
            f"{name}-firewall",
            vpc_id=args.vpc_id,
            description="DMS replication instance: to DocumentDB and the migration source only",
            tags={"Name": f"{name}-firewall"},
            opts=self._child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-to-database",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=args.database_port,
            to_port=args.database_port,
            referenced_security_group_id=args.database_security_group_id,
            description="DMS to DocumentDB",
            opts=self._child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-to-source",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=args.source.port,
            to_port=args.source.port,
            cidr_ipv4="0.0.0.0/0",
            description="DMS to the MongoDB source on the internet (through the NAT gateway)",
            opts=self._child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-database-from-dms",
            security_group_id=args.database_security_group_id,
            ip_protocol="tcp",
            from_port=args.database_port,
            to_port=args.database_port,
            referenced_security_group_id=group.id,
            description="DMS to DocumentDB while the data migration runs",
            opts=self._child,
        )
        return group

    def _alarms(self) -> None:
        args = self._args
        task_resource = self.task.replication_task_arn.apply(lambda arn: arn.rsplit(":", 1)[-1])
        for side in ("Source", "Target"):
            aws.cloudwatch.MetricAlarm(
                f"{self._name}-cdc-latency-{side.lower()}",
                namespace="AWS/DMS",
                metric_name=f"CDCLatency{side}",
                dimensions={
                    "ReplicationInstanceIdentifier": self.instance.replication_instance_id,
                    "ReplicationTaskIdentifier": task_resource,
                },
                statistic="Maximum",
                period=300,
                evaluation_periods=3,
                threshold=CDC_LATENCY_ALARM_SECONDS,
                comparison_operator="GreaterThanThreshold",
                treat_missing_data="notBreaching",
                alarm_description=f"DMS CDC latency ({side.lower()}) above {CDC_LATENCY_ALARM_SECONDS} s: "
                "the cutover must wait",
                alarm_actions=[args.alarm_topic_arn] if args.alarm_topic_arn else [],
                opts=self._child,
            )


TASK_SETTINGS = {
    "TargetMetadata": {"TargetSchema": "", "SupportLobs": True, "LimitedSizeLobMode": True, "LobMaxSize": 32},
    "FullLoadSettings": {"TargetTablePrepMode": "DO_NOTHING", "MaxFullLoadSubTasks": 8},
    "Logging": {
        "EnableLogging": True,
        "LogComponents": [
            {"Id": component, "Severity": "LOGGER_SEVERITY_DEFAULT"}
            for component in ("SOURCE_UNLOAD", "SOURCE_CAPTURE", "TARGET_LOAD", "TARGET_APPLY", "TASK_MANAGER")
        ],
    },
    "ValidationSettings": {"EnableValidation": False},
}
"""Existing collections in DocumentDB are kept (``DO_NOTHING``: the target starts empty), and
every component logs to CloudWatch."""


def table_mappings(database: str) -> str:
    """Every collection of the app's database, and nothing else."""
    return json.dumps(
        {
            "rules": [
                {
                    "rule-type": "selection",
                    "rule-id": "1",
                    "rule-name": "app-database",
                    "object-locator": {"schema-name": database, "table-name": "%"},
                    "rule-action": "include",
                }
            ]
        }
    )
