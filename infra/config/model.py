"""The typed stack config: every key under ``nowry:``, its default and what it allows.

One model per config key that holds an object; field descriptions double as the
"allowed" text of error messages. Defaults live here and nowhere else.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import InitErrorDetails, PydanticCustomError

from infra.phases import PHASE_NAMES, PHASE_SPECS, phases_where, spec

Phase = Literal["local", "free-tier", "hybrid", "all-paid", "aws", "kubernetes"]
PHASES: tuple[str, ...] = get_args(Phase)

DatabaseEngine = Literal["mongo", "documentdb", "atlas", "external"]
assert PHASES == PHASE_NAMES, "the Phase type lists the registry's phases, in order"

CacheEngine = Literal["valkey", "redis"]

RESERVED_ENV = ("MONGO_URI", "GROQ_API_KEY", "SECRET_KEY", "REDIS_URL")
"""Variables the stack sets itself (as secrets); ``backend.env`` may not override them."""

IMAGE_REF = re.compile(
    r"^(?:[a-z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:[._-][a-z0-9]+)*"
    r"(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$"
)
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
HOSTNAME = re.compile(r"^(?=.{1,253}\Z)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\Z")
DNS_LABEL = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
"""A Kubernetes DNS-1123 label (namespaces, Services); pydantic patterns match the whole text."""
DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$"
"""A Kubernetes DNS-1123 subdomain (Secrets, IngressClasses), at most 253 characters."""
INT32_MAX = 2_147_483_647


Problem = tuple[str, str, object, str]
"""(field alias, what is wrong, the value given, what is allowed)."""


def _refuse(model: str, problems: list[Problem]) -> None:
    """Raise the model's invariant violations as validation errors on the fields they concern,
    so each is reported under its own key (``nowry:backend.minCount: ...``)."""
    if problems:
        raise ValidationError.from_exception_data(
            model,
            [
                InitErrorDetails(
                    type=PydanticCustomError("invariant", "{problem}", {"problem": problem, "allowed": allowed}),
                    loc=(alias,),
                    input=given,
                )
                for alias, problem, given, allowed in problems
            ],
        )


def image_tag_and_digest(reference: str) -> tuple[str, str]:
    """The tag and the digest (``sha256:...``) of an image reference; either may be empty."""
    name, _, digest = reference.partition("@")
    return name.rsplit("/", 1)[-1].partition(":")[2], digest


def image_problem(value: str | None) -> tuple[str, str] | None:
    """What is wrong with an image reference, and what is allowed; None when it is fine."""
    if value is None:
        return None
    if not IMAGE_REF.fullmatch(value):
        return "is not an image reference", "registry/name:tag"
    tag, digest = image_tag_and_digest(value)
    if not digest and tag in ("", "latest"):
        return "must be pinned by a tag other than 'latest' or by a digest", "name:1.4.2 or name@sha256:..."
    return None


def _image_problems(**images: str | None) -> list[Problem]:
    found = []
    for alias, value in images.items():
        problem = image_problem(value)
        if problem:
            found.append((alias, problem[0], value, problem[1]))
    return found


def one_source(key: str, given: dict[str, str | None]) -> Problem | None:
    """Exactly one of ``given`` must be set (an image, a build context, a built folder)."""
    chosen = [name for name, value in given.items() if value]
    if len(chosen) == 1:
        return None
    names = " or ".join(f"{key}.{name}" for name in given)
    return ("", f"set exactly one of {names}", ", ".join(chosen) if chosen else "none", "exactly one")


def quantity(text: str) -> float:
    """A Kubernetes CPU or memory quantity in base units (cores, bytes)."""
    units = {"m": 1e-3, "Ki": 1024, "Mi": 1024**2, "Gi": 1024**3}
    for suffix, factor in units.items():
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


class Section(BaseModel):
    """A config object: camelCase keys, unknown keys refused, immutable once loaded."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True, allow_inf_nan=False
    )


class BackendConfig(Section):
    """`nowry:backend` — the FastAPI container."""

    image: str | None = Field(
        None,
        description="an image reference pinned by tag or digest, e.g. ghcr.io/acme/api:1.4.2",
    )
    context: str | None = Field(None, description="Docker build context, relative to the project directory")
    dockerfile: str | None = Field(None, description="Dockerfile path inside the build context")
    port: int = Field(8000, ge=1, le=65535, description="a TCP port, 1-65535")
    cpu: int = Field(256, ge=128, le=16384, description="CPU units as a whole number, 1024 = 1 vCPU")
    memory: int = Field(512, ge=128, le=122880, description="memory in MiB as a whole number")
    desired_count: int = Field(1, ge=0, le=100, description="a whole number of tasks, 0-100")
    min_count: int = Field(1, ge=0, le=100, description="a whole number of tasks, 0-100")
    max_count: int = Field(3, ge=1, le=100, description="a whole number of tasks, 1-100")
    health_path: str = Field("/health", pattern=r"^/[\w./-]*$", description="an absolute URL path such as /health")
    env: dict[str, str] = Field(
        default_factory=dict,
        description="extra plain environment variables (NAME: value); secrets never go here",
    )
    user: str = Field(
        "10001",
        pattern=r"^[1-9][0-9]*(:[0-9]+)?$",
        description="non-root uid[:gid] the app runs as",
    )
    architecture: Literal["arm64", "x86_64"] = Field(
        "arm64", description="arm64 (Graviton, ~20% cheaper on Fargate) or x86_64"
    )
    cpu_target: int = Field(60, ge=10, le=90, description="autoscaling target CPU %, 10-90")
    requests_per_target: int = Field(
        1000, ge=10, le=100000, description="autoscaling target ALB requests per task per minute"
    )

    @model_validator(mode="after")
    def _invariants(self) -> BackendConfig:
        problems = _image_problems(image=self.image)
        if self.min_count > self.max_count:
            problems.append(("minCount", "is above maxCount", self.min_count, f"at most maxCount ({self.max_count})"))
        elif not self.min_count <= self.desired_count <= self.max_count:
            allowed = f"{self.min_count}..{self.max_count}"
            problems.append(("desiredCount", "is outside minCount..maxCount", self.desired_count, allowed))
        for name in self.env:
            if not ENV_NAME.fullmatch(name):
                problems.append((f"env.{name}", "is not a variable name", name, "[A-Z_][A-Z0-9_]*"))
            elif name in RESERVED_ENV:
                allowed = "any name but " + ", ".join(RESERVED_ENV)
                problems.append((f"env.{name}", "is set by the stack itself, as a secret", name, allowed))
        _refuse("BackendConfig", problems)
        return self


class FrontendConfig(Section):
    """`nowry:frontend` — the React app: an nginx image, or a built static directory."""

    image: str | None = Field(None, description="nginx image reference pinned by tag or digest")
    context: str | None = Field(None, description="Docker build context of the nginx image, relative to the project")
    static_dir: str | None = Field(
        None, description="directory of the built site (npm run build), relative to the project"
    )
    port: int = Field(80, ge=1, le=65535, description="the port nginx listens on in the container")
    host_port: int = Field(3000, ge=1, le=65535, description="the port published on the developer's machine (local)")
    domain: str | None = Field(None, description="a lower-case DNS name such as app.nowry.io")
    certificate_arn: str | None = Field(
        None,
        description="ACM certificate ARN in us-east-1 covering domain (CloudFront needs us-east-1)",
    )

    @model_validator(mode="after")
    def _invariants(self) -> FrontendConfig:
        problems = _image_problems(image=self.image)
        if self.domain is not None and not HOSTNAME.fullmatch(self.domain):
            problems.append(("domain", "is not a DNS name", self.domain, "e.g. app.nowry.io"))
        _refuse("FrontendConfig", problems)
        return self


class DatabaseConfig(Section):
    """`nowry:database` — MongoDB (container, Atlas, DocumentDB or an external URI)."""

    engine: DatabaseEngine | None = Field(
        None, description="mongo (local), atlas (managed phases, aws), documentdb (aws), external"
    )
    name: str = Field(
        "nowry",
        pattern=r"^[A-Za-z0-9_-]{1,63}$",
        description="a database name, 1-63 of [A-Za-z0-9_-]",
    )
    image: str = Field("mongo:7.0", description="the MongoDB image of the local phase")
    port: int = Field(27017, ge=1, le=65535, description="the port MongoDB listens on")
    instance_class: str = Field("db.t4g.medium", description="a DocumentDB instance class such as db.t4g.medium")
    instances: int = Field(1, ge=1, le=16, description="DocumentDB instances, 1-16")
    backup_retention_days: int = Field(7, ge=7, le=35, description="days of automated backups, 7-35")
    engine_version: str = Field("5.0.0", description="DocumentDB engine version: 4.0.0 or 5.0.0")
    tls_ca_file: str = Field(
        "/etc/ssl/certs/rds-global-bundle.pem",
        description="path of the Amazon RDS CA bundle inside the backend image (DocumentDB TLS)",
    )
    migration_source: SecretStr | None = Field(
        None,
        description="secret: the MongoDB URI (mongodb://user:password@host:port/db?...) DMS copies from, full "
        "load then change data capture, into DocumentDB (aws phase); set it with pulumi config set --secret "
        "--path, unset it after the cutover",
    )
    restore_from_snapshot: str | None = Field(
        None,
        pattern=r"^(arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:cluster-snapshot:[A-Za-z0-9:_-]+|[A-Za-z][A-Za-z0-9-]{0,254})$",
        description="a DocumentDB cluster snapshot identifier or ARN the cluster is created from (a recovery "
        "point of the DR vault); changing it on an existing cluster replaces the cluster",
    )
    migration_ca_bundle: str = Field(
        "certs/rds-global-bundle.pem",
        description="the Amazon RDS CA bundle (PEM) in the project, that DMS verifies DocumentDB with",
    )

    @model_validator(mode="after")
    def _invariants(self) -> DatabaseConfig:
        _refuse("DatabaseConfig", _image_problems(image=self.image))
        return self


class CacheConfig(Section):
    """`nowry:cache` — Redis-compatible cache."""

    enabled: bool = Field(False, description="true or false")
    engine: CacheEngine = Field("valkey", description="valkey or redis")
    node_type: str = Field("cache.t4g.micro", description="an ElastiCache node type")
    nodes: int = Field(1, ge=1, le=6, description="a whole number of nodes, 1-6")
    snapshot_retention_days: int = Field(1, ge=1, le=35, description="days of automatic snapshots, 1-35")


NatStrategy = Literal["none", "single", "per-az"]
ClientIp = Literal["viewer", "forwarded"]
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827)
"""The retention periods CloudWatch Logs accepts."""
PRODUCTION_LOG_RETENTION_DAYS = 365
"""A year of logs on production stacks: Security Hub's CloudWatch.16 and Checkov's CKV_AWS_338."""
LOG_RETENTION_DAYS_DEFAULT = 30
DataKey = Literal["stack", "aws-owned"]


class WafConfig(Section):
    """`nowry:aws.waf` — the web ACL on the CloudFront distribution."""

    enabled: bool = Field(True, description="true or false")
    rate_limit: int = Field(100, ge=10, le=2_000_000_000, description="requests per client IP per evaluation window")
    window_seconds: Literal[60, 120, 300, 600] = Field(
        60, description="evaluation window in seconds: 60, 120, 300 or 600"
    )
    client_ip: ClientIp = Field(
        "viewer",
        description="viewer (the address CloudFront sees) or forwarded (X-Forwarded-For)",
    )


class MonitoringConfig(Section):
    """`nowry:aws.monitoring` — alarms, dashboard and alert emails."""

    enabled: bool = Field(True, description="true or false")
    emails: list[str] = Field(default_factory=list, description="addresses the alert topic emails")
    error_rate_percent: float = Field(5, gt=0, le=100, description="API 5xx percentage that alarms")
    latency_p95_seconds: float = Field(1.0, gt=0, le=60, description="API p95 latency in seconds that alarms, up to 60")
    blocked_requests: int = Field(
        500, ge=1, le=2_000_000_000, description="WAF blocked requests in 5 minutes that alarm"
    )


BackupIntervalHours = Literal[1, 2, 4, 6, 12, 24]


class DisasterRecoveryConfig(Section):
    """`nowry:aws.dr` — recovery points, images and secrets in a second region."""

    region: str | None = Field(
        None, description="the AWS region to recover in (another than the stack's); unset: no disaster recovery"
    )
    backup_every_hours: BackupIntervalHours = Field(
        1, description="hours between DocumentDB recovery points: 1, 2, 4, 6, 12 or 24 (AWS Backup's shortest is 1)"
    )
    retention_days: int = Field(7, ge=1, le=35, description="days every recovery point is kept, in both regions, 1-35")


class AwsConfig(Section):
    """`nowry:aws` — settings of the aws phase."""

    vpc_cidr: str = Field("10.0.0.0/16", description="an IPv4 CIDR block /16 to /22 for the VPC")
    availability_zones: int = Field(2, ge=2, le=3, description="availability zones, 2 or 3")
    nat: NatStrategy = Field("none", description="NAT gateways: none (tasks get public IPs), single or per-az")
    flow_logs: bool = Field(True, description="VPC flow logs of rejected traffic: true or false")
    log_retention_days: int | None = Field(
        None,
        description=f"days CloudWatch Logs and the log bucket keep logs: {PRODUCTION_LOG_RETENTION_DAYS} on production "
        f"stacks, {LOG_RETENTION_DAYS_DEFAULT} otherwise; one of " + ", ".join(map(str, LOG_RETENTION_DAYS)),
    )
    site_noncurrent_days: int = Field(
        30, ge=1, le=3650, description="days an old version of a site file is kept (the rollback window), 1-3650"
    )
    data_key: DataKey = Field(
        "stack",
        description="the key of the stores whose key cannot change in place (DocumentDB, the cache, ECR): stack "
        "(the stack's KMS key, which always encrypts logs, secrets and alerts) or aws-owned (AWS's keys, for a "
        "stack whose stores were created before the stack had a key: changing it replaces them)",
    )
    secret_recovery_days: int = Field(30, ge=7, le=30, description="Secrets Manager recovery window, 7-30 days")
    alb_certificate_arn: str | None = Field(
        None, description="regional ACM certificate ARN for HTTPS from CloudFront to the ALB"
    )
    alb_domain: str | None = Field(None, description="DNS name on that certificate that resolves to the ALB")
    waf: WafConfig = Field(default_factory=lambda: WafConfig.model_validate({}), description="web ACL settings")
    monitoring: MonitoringConfig = Field(
        default_factory=lambda: MonitoringConfig.model_validate({}), description="alarms and alerts"
    )
    dr: DisasterRecoveryConfig = Field(
        default_factory=lambda: DisasterRecoveryConfig.model_validate({}), description="disaster recovery"
    )


AtlasTier = Literal["M0", "FLEX", "M10", "M20"]
ATLAS_TIER_ORDER: tuple[str, ...] = get_args(AtlasTier)
"""Atlas tiers from smallest to largest. Atlas upgrades a cluster in place up this list
(M0 -> FLEX -> M10 -> M20) and never down it."""


class AtlasConfig(Section):
    """`nowry:atlas` — MongoDB Atlas (managed phases, and aws with database.engine atlas)."""

    org_id: str | None = Field(None, pattern=r"^[0-9a-f]{24}$", description="the Atlas organization id (24 hex digits)")
    tier: AtlasTier | None = Field(
        None, description="cluster tier: M0 (free-tier), M10 or FLEX (hybrid), M10 (all-paid), M20 (aws)"
    )
    project_name: str | None = Field(None, description="Atlas project name; nowry-<stack> when unset")
    region: str = Field("US_EAST_1", description="an Atlas AWS region name such as US_EAST_1")
    mongo_version: str = Field("8.0", description="MongoDB major version: 7.0 or 8.0")
    ip_access_list: list[str] = Field(default_factory=list, description="IPv4 CIDR blocks allowed to connect")
    backup_copy_region: str | None = Field(
        None,
        description="an Atlas AWS region name (such as US_WEST_2) that every snapshot is also copied to, for "
        "disaster recovery; dedicated tiers (M10, M20) only",
    )


Plan = Literal["hobby", "pro"]


class RailwayConfig(Section):
    """`nowry:railway` — the backend on Railway (managed phases)."""

    project_name: str | None = Field(None, description="Railway project name; nowry-<stack> when unset")
    plan: Plan | None = Field(None, description="hobby or pro: the account plan (pro in all-paid, hobby before)")
    workspace_id: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9-]{1,64}$",
        description="the team workspace id the project is created in; a personal project when unset",
    )
    deploy_timeout_seconds: int = Field(
        600, ge=30, le=3600, description="seconds pulumi up waits for a Railway deployment to run, 30-3600"
    )


class VercelConfig(Section):
    """`nowry:vercel` — the frontend on Vercel (managed phases)."""

    project_name: str | None = Field(None, description="Vercel project name; nowry-<stack> when unset")
    plan: Plan | None = Field(None, description="hobby or pro: the account plan (pro in all-paid, hobby before)")
    framework: Literal["create-react-app", "vite", "nextjs"] = Field(
        "create-react-app", description="create-react-app, vite or nextjs"
    )
    git_repository: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$",
        description="GitHub repository owner/name Vercel builds from",
    )
    root_directory: str = Field("frontend", description="the frontend's folder in that repository")
    production_branch: str = Field("main", description="the branch deployed to production")
    team_id: str | None = Field(None, description="Vercel team id, when the project belongs to a team")
    api_url_variable: str = Field(
        "REACT_APP_API_URL",
        pattern=r"^[A-Z_][A-Z0-9_]*$",
        description="the build variable that carries the backend's URL",
    )


class UpstashConfig(Section):
    """`nowry:upstash` — Upstash Redis (all-paid)."""

    primary_region: str = Field("us-east-1", description="an Upstash AWS region such as us-east-1")
    eviction: bool = Field(True, description="evict keys when full: true or false")


class AcceptedFinding(Section):
    """One policy finding the stack accepts on purpose."""

    rule: str = Field(description="a policy rule id (nowry-infra rules lists them)")
    reason: str = Field(min_length=10, description="why the finding is accepted, in words (10+ characters)")
    resource: str | None = Field(None, description="the logical resource name it applies to; every resource when unset")

    @field_validator("rule")
    @classmethod
    def _known_rule(cls, rule: str) -> str:
        from infra.policy.rules import RULE_IDS

        if rule not in RULE_IDS:
            close = difflib.get_close_matches(rule, sorted(RULE_IDS), n=1)
            hint = f" — did you mean '{close[0]}'?" if close else ""
            raise ValueError(f"no such policy rule{hint}")
        return rule


class PolicyConfig(Section):
    """`nowry:policy` — accepted policy findings."""

    accept: list[AcceptedFinding] = Field(
        default_factory=list, description="findings accepted on purpose, each with a reason"
    )


USAGE_MAX = 1_000_000
"""The largest usage figure the estimate takes (a million GB, requests, ... a month)."""


class UsageConfig(Section):
    """`nowry:usage` — traffic and storage assumptions behind the cost estimate."""

    egress_gb: float = Field(50, ge=0, le=USAGE_MAX, description="GB a month served to viewers")
    requests_millions: float = Field(5, ge=0, le=USAGE_MAX, description="million HTTPS requests a month")
    alb_lcu: float = Field(1, ge=0, le=USAGE_MAX, description="average ALB load balancer capacity units")
    nat_gb: float = Field(20, ge=0, le=USAGE_MAX, description="GB a month through NAT gateways (when there are any)")
    log_gb: float = Field(5, ge=0, le=USAGE_MAX, description="GB of backend logs ingested a month")
    other_log_gb: float = Field(0.2, ge=0, le=USAGE_MAX, description="GB a month into each other log group")
    database_storage_gb: float = Field(10, ge=0, le=USAGE_MAX, description="GB stored in DocumentDB")
    database_io_millions: float = Field(10, ge=0, le=USAGE_MAX, description="million DocumentDB I/Os a month")
    site_storage_gb: float = Field(1, ge=0, le=USAGE_MAX, description="GB of site files and their old versions in S3")
    image_storage_gb: float = Field(1, ge=0, le=USAGE_MAX, description="GB of images in ECR")
    redis_commands_thousands: float = Field(
        300, ge=0, le=USAGE_MAX, description="thousand Redis commands a month (Upstash)"
    )
    secret_calls_ten_thousands: float = Field(
        1, ge=0, le=USAGE_MAX, description="ten-thousands of secret reads a month"
    )
    access_log_gb: float = Field(
        1, ge=0, le=USAGE_MAX, description="GB a month of ALB and S3 access logs written to the log bucket"
    )
    cdn_log_gb: float = Field(
        0.5, ge=0, le=USAGE_MAX, description="GB a month of CloudFront access logs delivered to the log bucket"
    )
    backup_change_gb: float = Field(
        3, ge=0, le=USAGE_MAX, description="GB of database changes a month that new recovery points copy across regions"
    )
    apm_traces_millions: float = Field(
        0.5, ge=0, le=USAGE_MAX, description="million traces a month the APM records (observability.apm)"
    )
    apm_gb: float = Field(2, ge=0, le=USAGE_MAX, description="GB of traces and metrics a month sent to the APM")
    kms_requests_ten_thousands: float = Field(
        10, ge=0, le=USAGE_MAX, description="ten-thousands of requests a month to the stack's KMS key"
    )


def _number_as_text(value: object) -> object:
    """YAML reads ``cpuLimit: 1`` as a number; a Kubernetes quantity is text."""
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


Quantity = Annotated[str, BeforeValidator(_number_as_text)]
CPU_QUANTITY = r"^([0-9]+m|[0-9]+(\.[0-9]+)?)$"
MEMORY_QUANTITY = r"^[0-9]+(Ki|Mi|Gi)$"


class ObservabilityConfig(Section):
    """`nowry:kubernetes.observability` — Prometheus, Alertmanager, Grafana, Loki and Alloy in the cluster."""

    enabled: bool = Field(False, description="install the monitoring stack with Helm: true or false")
    namespace: str = Field("monitoring", pattern=DNS_LABEL, description="its namespace (a DNS label)")
    prometheus_stack_version: str = Field(
        "87.5.1", pattern=r"^\d+\.\d+\.\d+$", description="the kube-prometheus-stack chart version (pinned)"
    )
    loki_version: str = Field("6.42.0", pattern=r"^\d+\.\d+\.\d+$", description="the loki chart version (pinned)")
    alloy_version: str = Field("1.5.3", pattern=r"^\d+\.\d+\.\d+$", description="the alloy chart version (pinned)")
    prometheus_retention_days: int = Field(15, ge=1, le=365, description="days Prometheus keeps metrics, 1-365")
    prometheus_storage_gi: int = Field(20, ge=1, le=10_000, description="Prometheus volume in GiB")
    loki_storage_gi: int = Field(20, ge=1, le=10_000, description="Loki volume in GiB")
    grafana_storage_gi: int = Field(5, ge=1, le=1_000, description="Grafana volume in GiB")
    prometheus_cpu: Quantity = Field(
        "500m",
        pattern=CPU_QUANTITY,
        description="Prometheus CPU request (no CPU limit: a throttled scraper loses samples)",
    )
    prometheus_memory: Quantity = Field("2Gi", pattern=MEMORY_QUANTITY, description="Prometheus memory request = limit")
    loki_cpu: Quantity = Field("250m", pattern=CPU_QUANTITY, description="Loki CPU request (no CPU limit)")
    loki_memory: Quantity = Field("512Mi", pattern=MEMORY_QUANTITY, description="Loki memory request = limit")


class KubernetesConfig(Section):
    """`nowry:kubernetes` — the kubernetes phase's cluster and workloads."""

    context: str | None = Field(None, description="kubeconfig context of an existing cluster (default: current)")
    kubeconfig: str | None = Field(None, description="path of the kubeconfig file (default: ~/.kube/config)")
    namespace: str = Field(
        "nowry",
        pattern=DNS_LABEL,
        description="a namespace of its own (a DNS label; not default or kube-*)",
    )
    host: str = Field("nowry.example.com", description="the DNS name the Ingress serves")
    ingress_class: str = Field(
        "nginx",
        pattern=DNS_SUBDOMAIN,
        max_length=253,
        description="the IngressClass of the cluster's ingress controller (a DNS-1123 subdomain)",
    )
    ingress_namespace: str = Field(
        "ingress-nginx", pattern=DNS_LABEL, description="the namespace the ingress controller runs in (a DNS label)"
    )
    tls_secret: str = Field(
        "nowry-tls",
        pattern=DNS_SUBDOMAIN,
        max_length=253,
        description="Secret holding the Ingress TLS certificate (a DNS-1123 subdomain; cert-manager or yours)",
    )
    replicas: int = Field(3, ge=1, le=100, description="backend replicas, 1-100")
    min_replicas: int = Field(3, ge=1, le=100, description="HPA minimum, 1-100")
    max_replicas: int = Field(10, ge=1, le=100, description="HPA maximum, 1-100")
    cpu_target_percent: int = Field(70, ge=10, le=95, description="HPA target CPU utilisation %")
    cpu_request: Quantity = Field("250m", pattern=CPU_QUANTITY, description="CPU request such as 250m")
    cpu_limit: Quantity = Field("500m", pattern=CPU_QUANTITY, description="CPU limit such as 500m")
    memory_request: Quantity = Field("256Mi", pattern=MEMORY_QUANTITY, description="memory request such as 256Mi")
    memory_limit: Quantity = Field("512Mi", pattern=MEMORY_QUANTITY, description="memory limit such as 512Mi")
    frontend_replicas: int = Field(2, ge=1, le=50, description="frontend replicas, 1-50")
    run_as_user: int = Field(10001, ge=10000, le=INT32_MAX, description="UID the containers run as, 10000-2147483647")
    prometheus_operator: bool = Field(
        False, description="the cluster runs the Prometheus operator: add a ServiceMonitor"
    )
    observability: ObservabilityConfig = Field(
        default_factory=lambda: ObservabilityConfig.model_validate({}), description="the monitoring stack"
    )
    cluster: Literal["existing", "eks"] = Field(
        "existing", description="existing (kubeconfig/context) or eks (built here, in the aws settings' VPC)"
    )
    eks_version: str = Field("1.33", pattern=r"^1\.[0-9]{2}$", description="EKS Kubernetes version such as 1.33")
    node_instance_type: str = Field("t4g.medium", description="EC2 instance type of the EKS nodes")
    nodes: int = Field(2, ge=1, le=50, description="EKS nodes (the node group's minimum and desired size)")
    max_nodes: int = Field(4, ge=1, le=100, description="EKS node group maximum")
    api_allowed_cidrs: list[str] = Field(
        default_factory=lambda: ["0.0.0.0/0"], description="IPv4 CIDR blocks allowed to reach the EKS API endpoint"
    )

    @model_validator(mode="after")
    def _invariants(self) -> KubernetesConfig:
        problems: list[Problem] = []
        for request, limit in (("cpu_request", "cpu_limit"), ("memory_request", "memory_limit")):
            if quantity(getattr(self, limit)) < quantity(getattr(self, request)):
                fields = type(self).model_fields
                alias, request_alias = fields[limit].alias or limit, fields[request].alias or request
                given = getattr(self, limit)
                problems.append((alias, f"is below {request_alias} ({getattr(self, request)})", given,
                                 f"at least {getattr(self, request)}"))  # fmt: skip
        if self.min_replicas > self.max_replicas:
            problems.append(("minReplicas", "is above maxReplicas", self.min_replicas, f"at most {self.max_replicas}"))
        elif not self.min_replicas <= self.replicas <= self.max_replicas:
            allowed = f"{self.min_replicas}..{self.max_replicas}"
            problems.append(("replicas", "is outside minReplicas..maxReplicas", self.replicas, allowed))
        if self.namespace == "default" or self.namespace.startswith("kube-"):
            allowed = "any DNS label but default and kube-*"
            problems.append(("namespace", "must be a namespace of its own", self.namespace, allowed))
        if not HOSTNAME.fullmatch(self.host):
            problems.append(("host", "is not a DNS name", self.host, "e.g. app.nowry.io"))
        if self.nodes > self.max_nodes:
            problems.append(("nodes", "is above maxNodes", self.nodes, f"at most {self.max_nodes}"))
        _refuse("KubernetesConfig", problems)
        return self

    @field_validator("api_allowed_cidrs")
    @classmethod
    def _cidrs(cls, blocks: list[str]) -> list[str]:
        for block in blocks:
            try:
                ipaddress.IPv4Network(block, strict=True)
            except ValueError:
                raise ValueError(f"{block!r} is not an IPv4 CIDR block such as 203.0.113.0/24") from None
        return blocks


Apm = Literal["none", "otel", "datadog", "newrelic"]
LogDestination = Literal["cloudwatch", "betterstack"]
DATADOG_SITES = ("datadoghq.com", "us3.datadoghq.com", "us5.datadoghq.com", "datadoghq.eu", "ap1.datadoghq.com",
                 "ap2.datadoghq.com", "ddog-gov.com")  # fmt: skip
"""Datadog's sites (docs.datadoghq.com/getting_started/site)."""
BETTER_STACK_HOST = re.compile(r"^(?:[a-z0-9-]+\.)+(?:betterstack\.com|betterstackdata\.com)$")
SERVICE_NAME = r"^[a-z][a-z0-9._-]{0,62}$"


class ServiceObservabilityConfig(Section):
    """`nowry:observability` — APM and log shipping beside the Fargate backend (aws phase)."""

    apm: Apm = Field(
        "none",
        description="none, otel (an AWS Distro for OpenTelemetry collector: traces to X-Ray, metrics to CloudWatch), "
        "datadog (the Datadog agent) or newrelic (the collector, exporting to New Relic); aws phase",
    )
    logs: LogDestination = Field(
        "cloudwatch",
        description="cloudwatch, or betterstack (Better Stack through a FireLens Fluent Bit router); aws phase",
    )
    service_name: str = Field(
        "nowry-backend", pattern=SERVICE_NAME, description="the service name traces and logs carry (lower case)"
    )
    datadog_site: str = Field("datadoghq.com", description="the Datadog site: " + ", ".join(DATADOG_SITES))
    new_relic_region: Literal["us", "eu"] = Field("us", description="the New Relic account's region: us or eu")
    better_stack_host: str = Field(
        "in.logs.betterstack.com",
        description="the Better Stack source's ingesting host (under betterstack.com or betterstackdata.com)",
    )
    collector_image: str = Field(
        "public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0",
        description="the AWS Distro for OpenTelemetry collector image, pinned",
    )
    datadog_image: str = Field("public.ecr.aws/datadog/agent:7.77.2", description="the Datadog agent image, pinned")
    log_router_image: str = Field(
        "public.ecr.aws/aws-observability/aws-for-fluent-bit:3.4.17",
        description="the FireLens log router image (AWS for Fluent Bit), pinned",
    )

    @model_validator(mode="after")
    def _invariants(self) -> ServiceObservabilityConfig:
        problems = _image_problems(
            collectorImage=self.collector_image, datadogImage=self.datadog_image, logRouterImage=self.log_router_image
        )
        if self.datadog_site not in DATADOG_SITES:
            problems.append(("datadogSite", "is not a Datadog site", self.datadog_site, ", ".join(DATADOG_SITES)))
        if not BETTER_STACK_HOST.fullmatch(self.better_stack_host):
            allowed = "a host such as in.logs.betterstack.com or s1234.eu-nbg-2.betterstackdata.com"
            problems.append(
                ("betterStackHost", "is not a Better Stack ingesting host", self.better_stack_host, allowed)
            )
        _refuse("ServiceObservabilityConfig", problems)
        return self


SECTIONS: dict[str, type[Section]] = {
    "backend": BackendConfig,
    "frontend": FrontendConfig,
    "database": DatabaseConfig,
    "cache": CacheConfig,
    "aws": AwsConfig,
    "atlas": AtlasConfig,
    "railway": RailwayConfig,
    "vercel": VercelConfig,
    "upstash": UpstashConfig,
    "policy": PolicyConfig,
    "usage": UsageConfig,
    "kubernetes": KubernetesConfig,
    "observability": ServiceObservabilityConfig,
}
"""Config keys that hold an object, and the model that reads each."""

SCALAR_KEYS: dict[str, tuple[str, str]] = {
    "phase": ("— (required)", "one of " + ", ".join(f"`{p}`" for p in PHASE_NAMES)),
    "production": (
        "`true` in the phases that hold data of record (free-tier, hybrid, all-paid, aws), else `false`",
        "`true`/`false`: the stack holds production data — protected stateful resources, deletion protection, "
        "final snapshots and the production policy rules; never inferred from the stack's name, and every plan "
        "says which it used and why",
    ),
    "protect": ("the value of `production`", "`true`/`false`: Pulumi `protect` on every stateful resource"),
    "monthlyBudget": ("—", "USD a month, 0-10,000,000; plan and cost warn above it (exit 1 with `--strict`)"),
}
"""Config keys that hold one plain value: (default, what is allowed) of each."""


def parse_boolean(text: str) -> bool:
    """A config value as true/false (``true``, ``false``, ``1``, ``0``, ...); ValueError otherwise."""
    from pydantic import TypeAdapter

    try:
        return TypeAdapter(bool).validate_python(text)
    except ValidationError:
        raise ValueError(f"not a boolean: {text!r}") from None


def production_decision(phase: str | None, stated: bool | None) -> tuple[bool, str]:
    """Whether a stack holds production data, and why: ``nowry:production`` when the stack file
    states it, else the phase's default. Never inferred from the stack's name."""
    if stated is not None:
        return stated, f"nowry:production is {'true' if stated else 'false'} in the stack file"
    if phase in PHASE_SPECS and spec(phase).holds_data_of_record:
        return True, f"the {phase} phase holds data of record (set nowry:production: false for a scratch stack)"
    return False, f"the {phase} phase holds no data of record (set nowry:production: true to protect it anyway)"


@dataclass(frozen=True)
class SecretSpec:
    """A secret config key: how the app receives it and what happens when it is unset."""

    key: str
    env: str | None
    """The backend's environment variable, or None for a credential only the stack uses."""
    required: bool
    example: str
    phases: tuple[str, ...] | None = None
    """The phases that use it; None for every phase."""
    optional_generated: bool = True
    """An optional secret left unset is generated (True) or simply not passed on (False)."""
    description: str = ""
    needed_when: tuple[str, str, str] | None = None
    """(section, field, value): the secret is required when that setting has that value."""

    def needed(self, sections: dict[str, object]) -> bool:
        """Whether this stack must set it: always when required, else when its setting is chosen."""
        if self.required:
            return True
        if self.needed_when is None:
            return False
        section, name, value = self.needed_when
        return getattr(sections.get(section), name, None) == value

    @property
    def condition(self) -> str | None:
        """The setting that makes it required, as a stack file writes it (``observability.apm: datadog``)."""
        if self.needed_when is None:
            return None
        section, name, value = self.needed_when
        return f"{section}.{to_camel(name)}: {value}"


SECRETS: tuple[SecretSpec, ...] = (
    SecretSpec("groqApiKey", "GROQ_API_KEY", required=True, example="gsk_...", description="the Groq API key"),
    SecretSpec(
        "secretKey",
        "SECRET_KEY",
        required=False,
        example="<64 random characters>",
        description="the app's signing key; generated (64 characters) when unset",
    ),
    SecretSpec(
        "sentryDsn",
        "SENTRY_DSN",
        required=False,
        example="https://<key>@o0.ingest.sentry.io/0",
        optional_generated=False,
        description="Sentry DSN passed to the backend as SENTRY_DSN when set",
    ),
    SecretSpec(
        "mongoUri",
        "MONGO_URI",
        required=True,
        example="mongodb+srv://user:password@host/nowry",
        phases=phases_where("needs_external_database"),
        description="the external database's connection string (Atlas or DocumentDB)",
    ),
    SecretSpec(
        "redisUrl",
        "REDIS_URL",
        required=False,
        example="rediss://:token@host:6379/0",
        phases=phases_where("needs_external_database"),
        optional_generated=False,
        description="an external Redis URL passed as REDIS_URL",
    ),
    SecretSpec(
        "railwayToken",
        None,
        required=True,
        example="<Railway API token>",
        phases=phases_where("managed"),
        description="a Railway API token (the Railway provider's only credential)",
    ),
    *(
        SecretSpec(
            key,
            None,
            required=False,
            example=example,
            phases=("aws",),
            optional_generated=False,
            needed_when=("observability", setting, value),
            description=f"{what} (observability.{setting}: {value}); read by a sidecar, never the backend",
        )
        for key, example, setting, value, what in (
            ("datadogApiKey", "<Datadog API key>", "apm", "datadog", "the Datadog agent's API key"),
            (
                "newRelicLicenseKey",
                "<New Relic ingest license key>",
                "apm",
                "newrelic",
                "the New Relic license key the collector exports with",
            ),
            (
                "betterStackSourceToken",
                "<Better Stack source token>",
                "logs",
                "betterstack",
                "the Better Stack source token the log router ships with",
            ),
        )
    ),
)
"""Secret config keys. A required one must be set; an optional one is generated when unset."""

KNOWN_KEYS: tuple[str, ...] = (*SCALAR_KEYS, *SECTIONS, *(spec.key for spec in SECRETS))


class SecretValue:
    """A secret from config. Its text is reachable only through ``reveal()``."""

    __slots__ = ("_value", "placeholder")

    def __init__(self, value: str, *, placeholder: bool = False) -> None:
        self._value = value
        self.placeholder = placeholder
        """True when the value stands in for a secret the offline engine cannot read."""

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "SecretValue([secret])"


@dataclass(frozen=True)
class StackConfig:
    """Everything a phase builder needs, validated. Nothing below ``stacks/`` reads config."""

    project: str
    stack: str
    project_dir: Path
    phase: Phase
    production: bool
    """The stack holds production data: protect, deletion protection and final snapshots."""
    production_reason: str
    protect: bool
    backend: BackendConfig
    frontend: FrontendConfig
    database: DatabaseConfig
    cache: CacheConfig
    aws: AwsConfig
    atlas: AtlasConfig
    railway: RailwayConfig
    vercel: VercelConfig
    upstash: UpstashConfig
    policy: PolicyConfig
    usage: UsageConfig
    kubernetes: KubernetesConfig
    observability: ServiceObservabilityConfig
    aws_region: str
    monthly_budget: float | None
    """``nowry:monthlyBudget`` in USD; plan and cost warn above it."""
    """``aws:region`` (the AWS provider's own key), validated; ``us-east-1`` when unset."""
    secrets: dict[str, SecretValue | None]
    """Secret config keys mapped to their value, or None for an optional one left unset."""

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
    def database_engine(self) -> str:
        return self.database.engine or spec(self.phase).default_engine

    def resolve_path(self, relative: str) -> Path:
        """A path from config, relative to the project directory."""
        return (self.project_dir / relative).resolve()
