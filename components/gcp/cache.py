"""Cache: Memorystore for Redis, with AUTH and TLS, in the stack's VPC."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp.redis as redis

from infra.naming import physical_name

REDIS_VERSION = "REDIS_7_2"


@dataclass(frozen=True, kw_only=True)
class CacheArgs:
    region: str
    network_id: pulumi.Input[str]
    memory_gb: int
    tier: str
    """BASIC (one node) or STANDARD_HA (a replica in another zone, automatic failover)."""
    protect: bool


class Cache(pulumi.ComponentResource):
    """The app's Redis cache on Memorystore for Redis.

    Builds: one ``redis.Instance`` authorized on the stack's VPC (direct peering: Cloud Run reaches it
    through Direct VPC egress), and the ``rediss://`` URL the backend reads (a secret), carrying the
    instance's CA path for TLS verification.
    Secure defaults: AUTH on (the AUTH string is a secret output, never typed), in-transit encryption
    (SERVER_AUTHENTICATION; Checkov CKV_GCP_95, CKV_GCP_97), a weekly maintenance window, deletion
    protection and Pulumi ``protect`` when the stack protects data.
    Cost: BASIC 1 GB $0.049 per GB-hour (~$35.77/month).
    """

    instance: redis.Instance
    url: pulumi.Output[str]
    """``rediss://:<auth>@<host>:<port>/0?ssl_ca_certs=<CA path>`` — a secret."""
    ca_certificate: pulumi.Output[str]
    """The instance's server CA certificate (PEM), for the backend's TLS verification."""

    CA_PATH = "/secrets/redis-ca/ca.pem"
    """Where the backend finds the CA certificate (mounted from Secret Manager)."""

    def __init__(self, name: str, args: CacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:gcp:Cache", name, None, opts)
        self.instance = redis.Instance(
            f"{name}-redis",
            name=physical_name("memorystore-redis", name, pulumi.get_stack()),
            display_name=f"Nowry cache ({pulumi.get_stack()})",
            region=args.region,
            tier=args.tier,
            memory_size_gb=args.memory_gb,
            redis_version=REDIS_VERSION,
            authorized_network=args.network_id,
            connect_mode="DIRECT_PEERING",
            auth_enabled=True,
            transit_encryption_mode="SERVER_AUTHENTICATION",
            maintenance_policy=redis.InstanceMaintenancePolicyArgs(
                weekly_maintenance_windows=[
                    redis.InstanceMaintenancePolicyWeeklyMaintenanceWindowArgs(
                        day="SUNDAY",
                        start_time=redis.InstanceMaintenancePolicyWeeklyMaintenanceWindowStartTimeArgs(
                            hours=3, minutes=0, seconds=0, nanos=0
                        ),
                    )
                ]
            ),
            deletion_protection=args.protect,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        auth = self.instance.auth_string.apply(lambda text: text or "")
        self.url = pulumi.Output.secret(
            pulumi.Output.concat(
                "rediss://:", auth, "@", self.instance.host, ":", self.instance.port.apply(str),
                f"/0?ssl_ca_certs={self.CA_PATH}",
            )
        )  # fmt: skip
        self.ca_certificate = self.instance.server_ca_certs.apply(lambda certs: (certs[0].cert or "") if certs else "")
        self.register_outputs({"url": self.url})
