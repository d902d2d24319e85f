"""`nowry:gcp`: the gcp phase's Cloud Run service, network, cache, edge and alerts.

The GCP project and region are the provider's own keys, ``gcp:project`` and ``gcp:region``
(read into ``StackConfig.gcp_project`` and ``gcp_region``), as ``aws:region`` is for AWS.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from infra.config.model.base import Section, _refuse

CloudRunCpu = Literal[1, 2, 4, 6, 8]
"""The CPU limits Cloud Run accepts (pulumi-gcp 10.2 ``ServiceTemplateContainerResources``: "The only
supported values for CPU are '1', '2', '4', '6' and '8'")."""
CloudRunBilling = Literal["request", "instance"]
CacheTier = Literal["BASIC", "STANDARD_HA"]
ArmorWindow = Literal[10, 30, 60, 120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600]
"""The intervals a Cloud Armor rate limit counts over (compute v1 ``SecurityPolicyRuleRateLimitOptionsThreshold
.intervalSec``)."""
MEMORY = r"^[1-9][0-9]*(Mi|Gi)$"
DEFAULT_REGION = "us-central1"
MIN_MEMORY_MIB = {1: 128, 2: 128, 4: 2048, 6: 4096, 8: 4096}
"""Cloud Run's memory floor per CPU limit: 4 CPU need at least 2 GiB, 6 and 8 CPU at least 4 GiB
(pulumi-gcp 10.2 ``ServiceTemplateContainerResources.limits``)."""


def mebibytes(text: str) -> int:
    """A Cloud Run memory limit (``512Mi``, ``2Gi``) in MiB."""
    return int(text[:-2]) * (1024 if text.endswith("Gi") else 1)


class GcpMonitoringConfig(Section):
    """`nowry:gcp.monitoring` — Cloud Monitoring alert policies and the uptime check."""

    enabled: bool = Field(True, description="true or false")
    emails: list[str] = Field(default_factory=list, description="addresses the alerts' email channel notifies")
    error_rate_percent: float = Field(5, gt=0, le=100, description="API 5xx percentage that alerts")
    latency_p95_seconds: float = Field(1.0, gt=0, le=60, description="API p95 latency in seconds that alerts, up to 60")
    cache_memory_percent: float = Field(80, gt=0, le=100, description="Memorystore memory use in percent that alerts")


class GcpConfig(Section):
    """`nowry:gcp` — settings of the gcp phase."""

    cpu: CloudRunCpu = Field(1, description="Cloud Run CPU limit per instance: 1, 2, 4, 6 or 8")
    memory: str = Field("512Mi", pattern=MEMORY, description="Cloud Run memory per instance, such as 512Mi or 2Gi")
    min_instances: int = Field(1, ge=0, le=100, description="instances kept running (0: scale to zero), 0-100")
    max_instances: int = Field(10, ge=1, le=100, description="the most instances Cloud Run starts, 1-100")
    concurrency: int = Field(80, ge=1, le=1000, description="requests one instance serves at once, 1-1000")
    billing: CloudRunBilling = Field(
        "request",
        description="request (CPU billed only while requests are served; idle minimum instances at the idle rate) or "
        "instance (CPU billed for each instance's whole life): docs/phases.md prices both",
    )
    subnet_cidr: str = Field(
        "10.8.0.0/24",
        description="the IPv4 range /16 to /26 of the subnet Cloud Run's Direct VPC egress takes addresses from "
        "(Cloud Run reserves them 16 at a time: at least 2 x maxInstances addresses)",
    )
    cache_memory_gb: int = Field(1, ge=1, le=300, description="Memorystore for Redis capacity in GB, 1-300")
    cache_tier: CacheTier = Field(
        "BASIC", description="BASIC (one node) or STANDARD_HA (a replica with automatic failover)"
    )
    rate_limit: int = Field(
        100, ge=1, le=1_000_000, description="requests per client IP per window before Cloud Armor answers 429"
    )
    window_seconds: ArmorWindow = Field(
        60, description="the window the rate limit counts over, in seconds (10, 30, 60, 120, ... 3600)"
    )
    site_noncurrent_days: int = Field(
        30, ge=1, le=3650, description="days an old version of a site file is kept (the rollback window), 1-3650"
    )
    flow_logs: bool = Field(True, description="VPC flow logs on the Cloud Run subnet (sampled): true or false")
    monitoring: GcpMonitoringConfig = Field(
        default_factory=lambda: GcpMonitoringConfig.model_validate({}), description="alerts and the uptime check"
    )

    @field_validator("cpu", mode="before")
    @classmethod
    def _cpu_number(cls, value: object) -> object:
        """``cpu: "1"`` (as Cloud Run writes it) and ``cpu: 1`` are the same limit."""
        return int(value) if isinstance(value, str) and value.isdigit() else value

    @model_validator(mode="after")
    def _invariants(self) -> GcpConfig:
        problems = []
        if self.min_instances > self.max_instances:
            allowed = f"at most maxInstances ({self.max_instances})"
            problems.append(("minInstances", "is above maxInstances", self.min_instances, allowed))
        floor = MIN_MEMORY_MIB[self.cpu]
        if mebibytes(self.memory) < floor:
            problems.append(("memory", f"is below what {self.cpu} CPU needs", self.memory, f"at least {floor}Mi"))
        _refuse("GcpConfig", problems)
        return self
