"""The ``local`` phase: the app on the developer's Docker engine, like the first compose file.

A network; MongoDB (``mongo:7.0``) with a named volume and a generated root password; the
backend on :8000 with MONGO_URI, GROQ_API_KEY and SECRET_KEY as secrets; the frontend
(nginx) on :3000 -> 80. Cost: free.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_docker as docker

from components.docker import (
    AppContainer,
    AppContainerArgs,
    ContainerImageArgs,
    HttpHealthCheck,
    MongoDatabase,
    MongoDatabaseArgs,
)
from infra.config.model import StackConfig
from infra.naming import physical_name
from stacks.common import app_secrets

STATIC_SITE_IMAGE = "nginx:1.27-alpine"
"""Serves ``frontend.staticDir`` when the frontend is a built directory, not an image."""


def build(config: StackConfig) -> dict[str, Any]:
    prefix = f"{config.project}-{config.stack}"
    network = docker.Network("network", name=physical_name("docker-object", prefix, "network"), driver="bridge")
    database = MongoDatabase(
        "database",
        MongoDatabaseArgs(
            network=network.name,
            image=config.database.image,
            database=config.database.name,
            port=config.database.port,
            protect=config.protect,
            name_prefix=prefix,
            pool_options=config.backend.db_pool.uri_options,
        ),
    )
    backend_cfg = config.backend
    backend = AppContainer(
        "backend",
        AppContainerArgs(
            image=ContainerImageArgs(
                ref=backend_cfg.image,
                context=_path(config, backend_cfg.context),
                dockerfile=backend_cfg.dockerfile,
                local_name=physical_name("docker-image", prefix, "backend") + ":local",
            ),
            network=network.name,
            hostname="backend",
            container_port=backend_cfg.port,
            host_port=backend_cfg.port,
            health_check=HttpHealthCheck(backend_cfg.health_path, backend_cfg.port, probe="python"),
            env={"PORT": str(backend_cfg.port), **backend_cfg.env},
            secret_env={"MONGO_URI": database.uri, **app_secrets(config)},
            read_only_root=True,
            depends_on=[database.container],
            container_name=physical_name("docker-object", prefix, "backend"),
        ),
    )
    frontend = AppContainer("frontend", _frontend_args(config, network.name, prefix))
    return {
        "frontendUrl": frontend.url,
        "backendUrl": backend.url,
        "apiHealthUrl": backend.url.apply(lambda url: f"{url}{backend_cfg.health_path}"),
        "network": network.name,
        "mongoUri": database.uri,
    }


def _frontend_args(config: StackConfig, network: pulumi.Input[str], prefix: str) -> AppContainerArgs:
    frontend = config.frontend
    static_dir = _path(config, frontend.static_dir)
    image = ContainerImageArgs(
        ref=STATIC_SITE_IMAGE if static_dir else frontend.image,
        context=_path(config, frontend.context),
        local_name=physical_name("docker-image", prefix, "frontend") + ":local",
    )
    return AppContainerArgs(
        image=image,
        network=network,
        hostname="frontend",
        container_port=frontend.port,
        host_port=frontend.host_port,
        health_check=HttpHealthCheck("/", frontend.port),
        bind_mounts={static_dir: "/usr/share/nginx/html"} if static_dir else {},
        container_name=physical_name("docker-object", prefix, "frontend"),
    )


def _path(config: StackConfig, relative: str | None) -> str | None:
    return str(config.resolve_path(relative)) if relative else None
