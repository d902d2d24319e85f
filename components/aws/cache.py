"""Cache: a Redis-compatible ElastiCache replication group (Valkey by default)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from infra.config.aws_offerings import CACHE_ENGINE_VERSIONS
from infra.naming import physical_name


@dataclass(frozen=True)
class CacheArgs:
    subnet_ids: Sequence[pulumi.Input[str]]
    security_group_id: pulumi.Input[str]
    engine: str
    node_type: str
    nodes: int
    snapshot_retention_days: int
    protect: bool
    kms_key_arn: pulumi.Input[str] | None
    """The stack's KMS key (None: AWS's own keys, ``aws.encryptionKey: aws-owned``)."""
    port: int = 6379
    """Redis's port (not a setting of the stack)."""


class Cache(pulumi.ComponentResource):
    """The app's cache.

    Builds: a subnet group over the private subnets, a generated AUTH token and a
    replication group of ``nodes`` nodes (one primary, the rest replicas).
    Secure defaults: TLS in transit, encryption at rest, AUTH token generated (never
    typed), daily snapshots kept ``snapshot_retention_days`` with a final snapshot on
    delete, automatic failover and Multi-AZ with 2+ nodes, minor upgrades automatic, its
    own subnet group; protected when the stack protects data (ElastiCache.1-7).
    Cost: Valkey cache.t4g.micro $0.0128/hour, ~$9.34/month per node (Redis OSS: $0.016).
    """

    replication_group: aws.elasticache.ReplicationGroup
    url: pulumi.Output[str]
    """``rediss://:<token>@<primary>:6379/0`` — a secret."""

    def __init__(self, name: str, args: CacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:aws:Cache", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect)
        subnet_group = aws.elasticache.SubnetGroup(
            f"{name}-subnets",
            subnet_ids=list(args.subnet_ids),
            description="Nowry cache subnets",
            opts=child,
        )
        token = random.RandomPassword(f"{name}-auth-token", length=48, special=False, opts=stateful)
        replicated = args.nodes >= 2
        self.replication_group = aws.elasticache.ReplicationGroup(
            f"{name}-redis",
            description=f"Nowry cache ({args.engine})",
            engine=args.engine,
            engine_version=CACHE_ENGINE_VERSIONS[args.engine],
            node_type=args.node_type,
            num_cache_clusters=args.nodes,
            port=args.port,
            subnet_group_name=subnet_group.name,
            security_group_ids=[args.security_group_id],
            at_rest_encryption_enabled=True,
            kms_key_id=args.kms_key_arn,
            transit_encryption_enabled=True,
            auth_token=token.result,
            automatic_failover_enabled=replicated,
            multi_az_enabled=replicated,
            auto_minor_version_upgrade=True,
            snapshot_retention_limit=args.snapshot_retention_days,
            final_snapshot_identifier=physical_name("elasticache-snapshot", name, pulumi.get_stack(), "final"),
            apply_immediately=False,
            opts=stateful,
        )
        self.url = pulumi.Output.secret(
            pulumi.Output.concat(
                "rediss://:",
                token.result,
                "@",
                self.replication_group.primary_endpoint_address,
                f":{args.port}/0",
            )
        )
        self.metric_dimensions: dict[str, pulumi.Input[str]] = {
            "CacheClusterId": self.replication_group.id.apply(lambda group: f"{group}-001")
        }
        """The primary node's CloudWatch dimensions (AWS/ElastiCache: the member cluster ``<group>-001``)."""
        self.register_outputs({"url": self.url})
