"""The whole stack's config: its sections, its plain keys, the production decision and
``StackConfig``, what every phase builder reads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from infra.config.model.alerts import AlertsConfig
from infra.config.model.app import BackendConfig, CacheConfig, DatabaseConfig, FrontendConfig
from infra.config.model.aws import LOG_RETENTION_DAYS_DEFAULT, PRODUCTION_LOG_RETENTION_DAYS, AwsConfig
from infra.config.model.base import Section
from infra.config.model.gcp import GcpConfig
from infra.config.model.kubernetes import KubernetesConfig
from infra.config.model.managed import AtlasConfig, RailwayConfig, UpstashConfig, VercelConfig
from infra.config.model.observability import ServiceObservabilityConfig
from infra.config.model.policy import PolicyConfig
from infra.config.model.secrets import SECRETS, SecretValue
from infra.config.model.usage import UsageConfig
from infra.phases import PHASE_NAMES, PHASE_SPECS, spec

PHASES: tuple[str, ...] = PHASE_NAMES
"""Every phase's name, from the registry (``infra/phases.py``): the one list of them."""

SECTIONS: dict[str, type[Section]] = {
    "backend": BackendConfig,
    "frontend": FrontendConfig,
    "database": DatabaseConfig,
    "cache": CacheConfig,
    "aws": AwsConfig,
    "gcp": GcpConfig,
    "atlas": AtlasConfig,
    "railway": RailwayConfig,
    "vercel": VercelConfig,
    "upstash": UpstashConfig,
    "policy": PolicyConfig,
    "usage": UsageConfig,
    "kubernetes": KubernetesConfig,
    "observability": ServiceObservabilityConfig,
    "alerts": AlertsConfig,
}
"""Config keys that hold an object, and the model that reads each."""

SCALAR_KEYS: dict[str, tuple[str, str]] = {
    "phase": ("— (required)", "one of " + ", ".join(f"`{p}`" for p in PHASE_NAMES)),
    "production": (
        "`true` in the phases that hold data of record (free-tier, hybrid, all-paid, aws, gcp) and in kubernetes "
        "(it serves the most users, and keeps their signing key and, on EKS, the key to the cluster's Secrets), "
        "else `false`",
        "`true`/`false`: the stack holds production data — protected stateful resources, deletion protection, "
        "final snapshots and the production policy rules; never inferred from the stack's name, and every plan "
        "says which it used and why",
    ),
    "protect": ("the value of `production`", "`true`/`false`: Pulumi `protect` on every stateful resource"),
    "monthlyBudget": ("—", "USD a month, 0-10,000,000; plan and cost warn above it (exit 1 with `--strict`)"),
}
"""Config keys that hold one plain value: (default, what is allowed) of each."""


def production_decision(phase: str | None, stated: bool | None) -> tuple[bool, str]:
    """Whether a stack holds production data, and why: ``nowry:production`` when the stack file
    states it, else the phase's default (its data of record, or the registry's
    ``production_because``). Never inferred from the stack's name."""
    if stated is not None:
        return stated, f"nowry:production is {'true' if stated else 'false'} in the stack file"
    scratch = "(set nowry:production: false for a scratch stack)"
    if phase in PHASE_SPECS and spec(phase).holds_data_of_record:
        return True, f"the {phase} phase holds data of record {scratch}"
    if phase in PHASE_SPECS and spec(phase).production_because:
        return True, f"the {phase} phase {spec(phase).production_because} {scratch}"
    return False, f"the {phase} phase holds no data of record (set nowry:production: true to protect it anyway)"


KNOWN_KEYS: tuple[str, ...] = (*SCALAR_KEYS, *SECTIONS, *(spec.key for spec in SECRETS))


@dataclass(frozen=True)
class StackConfig:
    """Everything a phase builder needs, validated. Nothing below ``stacks/`` reads config."""

    project: str
    stack: str
    project_dir: Path
    phase: str
    """A phase of the registry (validated against ``PHASES`` before the config is built)."""
    production: bool
    """The stack holds production data: protect, deletion protection and final snapshots."""
    production_reason: str
    protect: bool
    backend: BackendConfig
    frontend: FrontendConfig
    database: DatabaseConfig
    cache: CacheConfig
    aws: AwsConfig
    gcp: GcpConfig
    atlas: AtlasConfig
    railway: RailwayConfig
    vercel: VercelConfig
    upstash: UpstashConfig
    policy: PolicyConfig
    usage: UsageConfig
    kubernetes: KubernetesConfig
    observability: ServiceObservabilityConfig
    alerts: AlertsConfig
    aws_region: str
    """``aws:region`` (the AWS provider's own key), validated; ``us-east-1`` when unset."""
    monthly_budget: float | None
    """``nowry:monthlyBudget`` in USD; plan and cost warn above it."""
    secrets: dict[str, SecretValue | None]
    """Secret config keys mapped to their value, or None for an optional one left unset."""
    gcp_project: str | None = None
    """``gcp:project`` (the Google provider's own key): the project the gcp phase deploys into."""
    gcp_region: str = "us-central1"
    """``gcp:region`` (the Google provider's own key), validated in the gcp phase."""

    @property
    def atlas_tier(self) -> str:
        """The Atlas tier this stack runs: ``atlas.tier``, else the phase's default."""
        return self.atlas.tier or spec(self.phase).default_atlas_tier or "M0"

    @property
    def log_retention_days(self) -> int:
        """``aws.logRetentionDays``, else a year on production stacks and a month otherwise."""
        if self.aws.log_retention_days is not None:
            return self.aws.log_retention_days
        return PRODUCTION_LOG_RETENTION_DAYS if self.production else LOG_RETENTION_DAYS_DEFAULT

    @property
    def home_region(self) -> str:
        """The region the stack's own resources live in: ``gcp:region`` in the gcp phase, else ``aws:region``."""
        return self.gcp_region if self.phase == "gcp" else self.aws_region

    @property
    def database_engine(self) -> str:
        return self.database.engine or spec(self.phase).default_engine

    def resolve_path(self, relative: str) -> Path:
        """A path from config, relative to the project directory."""
        return (self.project_dir / relative).resolve()
