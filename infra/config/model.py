"""The typed stack config: every key under ``nowry:``, its default and what it allows.

One model per config key that holds an object; field descriptions double as the
"allowed" text of error messages. Defaults live here and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

Phase = Literal["local", "free-tier", "hybrid", "all-paid", "aws", "kubernetes"]
PHASES: tuple[str, ...] = get_args(Phase)

DatabaseEngine = Literal["mongo", "documentdb", "atlas", "external"]
DATABASE_ENGINES_BY_PHASE: dict[str, tuple[str, ...]] = {
    "local": ("mongo",),
    "free-tier": ("atlas",),
    "hybrid": ("atlas",),
    "all-paid": ("atlas",),
    "aws": ("documentdb", "atlas"),
    "kubernetes": ("external",),
}
"""Which database engines each phase can run; the first one is the phase's default."""

CacheEngine = Literal["valkey", "redis"]

RESERVED_ENV = ("MONGO_URI", "GROQ_API_KEY", "SECRET_KEY", "REDIS_URL")
"""Variables the stack sets itself (as secrets); ``backend.env`` may not override them."""

IMAGE_REF = re.compile(
    r"^(?:[a-z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:[._-][a-z0-9]+)*"
    r"(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$"
)
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
HOSTNAME = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class Section(BaseModel):
    """A config object: camelCase keys, unknown keys refused, immutable once loaded."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


class BackendConfig(Section):
    """`nowry:backend` — the FastAPI container."""

    image: str | None = Field(
        None,
        description="an image reference pinned by tag or digest, e.g. ghcr.io/acme/api:1.4.2",
    )
    context: str | None = Field(
        None, description="Docker build context, relative to the project directory"
    )
    dockerfile: str | None = Field(None, description="Dockerfile path inside the build context")
    port: int = Field(8000, ge=1, le=65535, description="a TCP port, 1-65535")
    cpu: int = Field(
        256, ge=128, le=16384, description="CPU units as a whole number, 1024 = 1 vCPU"
    )
    memory: int = Field(512, ge=128, le=122880, description="memory in MiB as a whole number")
    desired_count: int = Field(1, ge=0, le=100, description="a whole number of tasks, 0-100")
    min_count: int = Field(1, ge=0, le=100, description="a whole number of tasks, 0-100")
    max_count: int = Field(3, ge=1, le=100, description="a whole number of tasks, 1-100")
    health_path: str = Field(
        "/health", pattern=r"^/[\w./-]*$", description="an absolute URL path such as /health"
    )
    env: dict[str, str] = Field(
        default_factory=dict,
        description="extra plain environment variables (NAME: value); secrets never go here",
    )


class FrontendConfig(Section):
    """`nowry:frontend` — the React app: an nginx image, or a built static directory."""

    image: str | None = Field(None, description="nginx image reference pinned by tag or digest")
    context: str | None = Field(
        None, description="Docker build context of the nginx image, relative to the project"
    )
    static_dir: str | None = Field(
        None, description="directory of the built site (npm run build), relative to the project"
    )
    port: int = Field(80, ge=1, le=65535, description="the port nginx listens on in the container")
    host_port: int = Field(
        3000, ge=1, le=65535, description="the port published on the developer's machine (local)"
    )
    domain: str | None = Field(None, description="a lower-case DNS name such as app.nowry.io")


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


class CacheConfig(Section):
    """`nowry:cache` — Redis-compatible cache."""

    enabled: bool = Field(False, description="true or false")
    engine: CacheEngine = Field("valkey", description="valkey or redis")
    node_type: str = Field("cache.t4g.micro", description="an ElastiCache node type")
    nodes: int = Field(1, ge=1, le=6, description="a whole number of nodes, 1-6")


SECTIONS: dict[str, type[Section]] = {
    "backend": BackendConfig,
    "frontend": FrontendConfig,
    "database": DatabaseConfig,
    "cache": CacheConfig,
}
"""Config keys that hold an object, and the model that reads each."""

SCALAR_KEYS = ("phase", "protect")
"""Config keys that hold one plain value."""


@dataclass(frozen=True)
class SecretSpec:
    """A secret config key: how the app receives it and what happens when it is unset."""

    key: str
    env: str
    required: bool
    example: str


SECRETS: tuple[SecretSpec, ...] = (
    SecretSpec("groqApiKey", "GROQ_API_KEY", required=True, example="gsk_..."),
    SecretSpec("secretKey", "SECRET_KEY", required=False, example="<64 random characters>"),
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
    protect: bool
    backend: BackendConfig
    frontend: FrontendConfig
    database: DatabaseConfig
    cache: CacheConfig
    secrets: dict[str, SecretValue | None]
    """Secret config keys mapped to their value, or None for an optional one left unset."""

    @property
    def database_engine(self) -> str:
        return self.database.engine or DATABASE_ENGINES_BY_PHASE[self.phase][0]

    def resolve_path(self, relative: str) -> Path:
        """A path from config, relative to the project directory."""
        return (self.project_dir / relative).resolve()
