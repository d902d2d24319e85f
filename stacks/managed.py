"""The managed phases: ``free-tier`` (Vercel Hobby + Railway + Atlas M0), ``hybrid`` (Atlas
M10) and ``all-paid`` (Pro plans + Atlas M10 + Upstash Redis).

The Atlas cluster keeps the logical name ``database-cluster`` in every phase, so moving up
a phase upgrades the same cluster in place. Cost: free-tier ~$0-5/month; hybrid ~$65-70
(Atlas M10 ~$58); all-paid ~$100+ (Vercel Pro $20, Railway Pro $20, M10, Upstash usage).
"""

from __future__ import annotations

from typing import Any

import pulumi

from components.managed.railway_backend import RailwayBackend, RailwayBackendArgs
from components.managed.upstash_redis import UpstashRedis, UpstashRedisArgs
from components.managed.vercel_frontend import VercelFrontend, VercelFrontendArgs
from infra.config.model import StackConfig
from infra.naming import physical_name
from infra.phases import spec
from stacks.atlas import atlas_database
from stacks.common import app_secrets


def build(config: StackConfig) -> dict[str, Any]:
    name = f"{config.project}-{config.stack}"
    database = atlas_database(config, tier=config.atlas_tier)
    variables: dict[str, pulumi.Input[str]] = {
        "PORT": str(config.backend.port),
        **app_secrets(config),
        "MONGO_URI": database.uri,
    }
    if spec(config.phase).always_cache or config.cache.enabled:
        cache = UpstashRedis(
            "cache",
            UpstashRedisArgs(
                database_name=physical_name("upstash-database", name),
                primary_region=config.upstash.primary_region,
                eviction=config.upstash.eviction,
                protect=config.protect,
            ),
        )
        variables["REDIS_URL"] = cache.url
    token = config.secrets["railwayToken"]
    assert token is not None, "validated: railwayToken is required in managed phases"
    assert config.backend.image is not None, "validated: managed phases deploy an image"
    backend = RailwayBackend(
        "backend",
        RailwayBackendArgs(
            project_name=config.railway.project_name or name,
            image=config.backend.image,
            token=pulumi.Output.secret(token.reveal()),
            variables={**variables, **config.backend.env},
            protect=config.protect,
            workspace_id=config.railway.workspace_id,
            deploy_timeout_seconds=config.railway.deploy_timeout_seconds,
            usage_limit=(limit.soft, limit.hard) if (limit := config.railway.usage_limit) else None,
        ),
    )
    vercel_cfg = config.vercel
    frontend = VercelFrontend(
        "frontend",
        VercelFrontendArgs(
            project_name=vercel_cfg.project_name or physical_name("vercel-project", name),
            api_url=backend.url,
            framework=vercel_cfg.framework,
            git_repository=vercel_cfg.git_repository,
            root_directory=vercel_cfg.root_directory,
            production_branch=vercel_cfg.production_branch,
            team_id=vercel_cfg.team_id,
            api_url_variable=vercel_cfg.api_url_variable,
        ),
    )
    return {
        "frontendUrl": frontend.url,
        "backendUrl": backend.url,
        "apiHealthUrl": backend.url.apply(lambda url: f"{url}{config.backend.health_path}"),
        "atlasCluster": database.cluster.name,
        "atlasProjectId": database.project.id,
        "railwayProjectId": backend.project.id,
        "mongoUri": database.uri,
    }
