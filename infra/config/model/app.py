"""`nowry:backend`, `nowry:frontend`, `nowry:database` and `nowry:cache`: the app itself."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
    SecretStr,
    model_validator,
)

from infra.config.model.base import ENV_NAME, HOSTNAME, PathText, Section, _refuse
from infra.config.model.images import _image_problems

DatabaseEngine = Literal["mongo", "documentdb", "atlas", "external", "firestore"]

CacheEngine = Literal["valkey", "redis"]

RESERVED_ENV = ("MONGO_URI", "GROQ_API_KEY", "SECRET_KEY", "REDIS_URL")
"""Variables the stack sets itself (as secrets); ``backend.env`` may not override them."""


class PoolConfig(Section):
    """`nowry:backend.dbPool` — the backend's MongoDB connection pool, carried in the URI the stack builds."""

    max_size: int = Field(
        10, ge=1, le=500, description="maxPoolSize: connections each backend process may open to each server, 1-500"
    )
    min_size: int = Field(2, ge=0, le=500, description="minPoolSize: connections each process keeps open, 0 to maxSize")

    @model_validator(mode="after")
    def _invariants(self) -> PoolConfig:
        if self.min_size > self.max_size:
            _refuse("PoolConfig", [("minSize", "is above maxSize", self.min_size, f"at most {self.max_size}")])
        return self

    @property
    def uri_options(self) -> str:
        """The URI options that set the pool (MongoDB connection string options)."""
        return f"maxPoolSize={self.max_size}&minPoolSize={self.min_size}"


class BackendConfig(Section):
    """`nowry:backend` — the FastAPI container."""

    image: str | None = Field(
        None,
        description="an image reference pinned by tag or digest, e.g. ghcr.io/acme/api:1.4.2",
    )
    context: PathText | None = Field(None, description="Docker build context, relative to the project directory")
    dockerfile: PathText | None = Field(None, description="Dockerfile path inside the build context")
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
    db_pool: PoolConfig = Field(
        default_factory=lambda: PoolConfig.model_validate({}),
        description="the MongoDB connection pool (the product's tip: 10 and 2); the plan refuses one the "
        "database's connection limit cannot hold",
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
    context: PathText | None = Field(
        None, description="Docker build context of the nginx image, relative to the project"
    )
    static_dir: PathText | None = Field(
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
        None,
        description="mongo (local), atlas (managed phases, aws, gcp), documentdb (aws), external (kubernetes), "
        "firestore (gcp: Firestore with MongoDB compatibility; no $merge/$out, limited $lookup, 4 MiB documents, "
        "no retryable writes: docs/phases.md)",
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
    tls_ca_file: PathText = Field(
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
    migration_ca_bundle: PathText = Field(
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
