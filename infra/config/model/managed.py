"""`nowry:atlas`, `nowry:railway`, `nowry:vercel` and `nowry:upstash`: the managed services."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
    model_validator,
)

from infra.atlas_tiers import AtlasTier
from infra.config.model.base import Section, _refuse


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


AccountPlan = Literal["hobby", "pro"]
"""A Vercel or Railway account plan (not to be confused with a stack's plan: ``infra/tool/engine/plan.py``)."""


RAILWAY_MIN_SOFT_LIMIT = 5
"""The smallest soft limit Railway takes, in dollars (railwayapp/cli src/commands/usage.rs)."""
RAILWAY_MIN_HARD_LIMIT = 20
"""The smallest hard limit, in dollars (railwayapp/docs usage-limits.md; the CLI checks $10: the
documented, stricter one is kept)."""


class UsageLimitConfig(Section):
    """`nowry:railway.usageLimit` — the workspace's monthly usage limit on Railway."""

    soft: int = Field(
        ge=RAILWAY_MIN_SOFT_LIMIT,
        le=1_000_000,
        description=f"USD a month at which Railway emails, from ${RAILWAY_MIN_SOFT_LIMIT}",
    )
    hard: int | None = Field(
        None,
        ge=RAILWAY_MIN_HARD_LIMIT,
        le=1_000_000,
        description="USD a month at which Railway sleeps every service of the workspace "
        f"(from ${RAILWAY_MIN_HARD_LIMIT}); unset: none",
    )

    @model_validator(mode="after")
    def _invariants(self) -> UsageLimitConfig:
        if self.hard is not None and self.hard < self.soft:
            _refuse("UsageLimitConfig", [("hard", "is below soft", self.hard, f"at least soft ({self.soft})")])
        return self


class RailwayConfig(Section):
    """`nowry:railway` — the backend on Railway (managed phases)."""

    project_name: str | None = Field(None, description="Railway project name; nowry-<stack> when unset")
    plan: AccountPlan | None = Field(None, description="hobby or pro: the account plan (pro in all-paid, hobby before)")
    workspace_id: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9-]{1,64}$",
        description="the team workspace id the project is created in; a personal project when unset",
    )
    deploy_timeout_seconds: int = Field(
        600, ge=30, le=3600, description="seconds pulumi up waits for a Railway deployment to run, 30-3600"
    )
    usage_limit: UsageLimitConfig | None = Field(
        None, description="the workspace's usage limit: soft (an email) and, only when set, hard (sleeps everything)"
    )


class VercelConfig(Section):
    """`nowry:vercel` — the frontend on Vercel (managed phases)."""

    project_name: str | None = Field(None, description="Vercel project name; nowry-<stack> when unset")
    plan: AccountPlan | None = Field(None, description="hobby or pro: the account plan (pro in all-paid, hobby before)")
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
