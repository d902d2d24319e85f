"""The typed stack config: every key under ``nowry:``, its default and what it allows.

One model per config key that holds an object, in a module named for the keys it reads
(``app``, ``aws``, ``gcp``, ``managed``, ``kubernetes``, ``observability``, ``usage``, ``policy``), the
secret keys in ``secrets``, the whole stack in ``stack``; field descriptions double as the
"allowed" text of error messages. Defaults live here and nowhere else.
"""

from __future__ import annotations

from infra.atlas_tiers import ATLAS_TIER_ORDER, AtlasTier
from infra.config.model.alerts import AlertsConfig
from infra.config.model.app import (
    RESERVED_ENV,
    BackendConfig,
    CacheConfig,
    CacheEngine,
    DatabaseConfig,
    DatabaseEngine,
    FrontendConfig,
    PoolConfig,
)
from infra.config.model.aws import (
    LOG_RETENTION_DAYS,
    LOG_RETENTION_DAYS_DEFAULT,
    PRODUCTION_LOG_RETENTION_DAYS,
    AwsConfig,
    BackupIntervalHours,
    ClientIp,
    DataKey,
    DisasterRecoveryConfig,
    MonitoringConfig,
    NatStrategy,
    WafConfig,
)
from infra.config.model.base import (
    DNS_LABEL,
    DNS_SUBDOMAIN,
    ENV_NAME,
    HOSTNAME,
    IMAGE_REF,
    INT32_MAX,
    Problem,
    Section,
    one_source,
    parse_boolean,
    quantity,
)
from infra.config.model.gcp import (
    CloudRunBilling,
    GcpConfig,
    GcpMonitoringConfig,
)
from infra.config.model.images import (
    image_problem,
    image_tag_and_digest,
)
from infra.config.model.kubernetes import (
    CPU_QUANTITY,
    MEMORY_QUANTITY,
    KubernetesConfig,
    ObservabilityConfig,
    Quantity,
)
from infra.config.model.managed import (
    AccountPlan,
    AtlasConfig,
    RailwayConfig,
    UpstashConfig,
    VercelConfig,
)
from infra.config.model.observability import (
    BETTER_STACK_HOST,
    DATADOG_SITES,
    SERVICE_NAME,
    Apm,
    LogDestination,
    ServiceObservabilityConfig,
)
from infra.config.model.policy import (
    AcceptedFinding,
    PolicyConfig,
)
from infra.config.model.secrets import (
    SECRETS,
    SecretSpec,
    SecretValue,
)
from infra.config.model.stack import (
    KNOWN_KEYS,
    PHASES,
    SCALAR_KEYS,
    SECTIONS,
    StackConfig,
    production_decision,
)
from infra.config.model.usage import (
    USAGE_MAX,
    UsageConfig,
)

__all__ = [
    "ATLAS_TIER_ORDER",
    "BETTER_STACK_HOST",
    "CPU_QUANTITY",
    "DATADOG_SITES",
    "DNS_LABEL",
    "DNS_SUBDOMAIN",
    "ENV_NAME",
    "HOSTNAME",
    "IMAGE_REF",
    "INT32_MAX",
    "KNOWN_KEYS",
    "LOG_RETENTION_DAYS",
    "LOG_RETENTION_DAYS_DEFAULT",
    "MEMORY_QUANTITY",
    "PHASES",
    "PRODUCTION_LOG_RETENTION_DAYS",
    "RESERVED_ENV",
    "SCALAR_KEYS",
    "SECRETS",
    "SECTIONS",
    "SERVICE_NAME",
    "USAGE_MAX",
    "AcceptedFinding",
    "AccountPlan",
    "AlertsConfig",
    "Apm",
    "AtlasConfig",
    "AtlasTier",
    "AwsConfig",
    "BackendConfig",
    "BackupIntervalHours",
    "CacheConfig",
    "CacheEngine",
    "ClientIp",
    "CloudRunBilling",
    "DataKey",
    "DatabaseConfig",
    "DatabaseEngine",
    "DisasterRecoveryConfig",
    "FrontendConfig",
    "GcpConfig",
    "GcpMonitoringConfig",
    "KubernetesConfig",
    "LogDestination",
    "MonitoringConfig",
    "NatStrategy",
    "ObservabilityConfig",
    "PolicyConfig",
    "PoolConfig",
    "Problem",
    "Quantity",
    "RailwayConfig",
    "SecretSpec",
    "SecretValue",
    "Section",
    "ServiceObservabilityConfig",
    "StackConfig",
    "UpstashConfig",
    "UsageConfig",
    "VercelConfig",
    "WafConfig",
    "image_problem",
    "image_tag_and_digest",
    "one_source",
    "parse_boolean",
    "production_decision",
    "quantity",
]
