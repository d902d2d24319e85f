"""RailwayBackend: the FastAPI image as a Railway service with its variables and domain."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from components.managed.railway import (
    RailwayDeployment,
    RailwayDomain,
    RailwayProject,
    RailwayService,
    RailwayUsageLimit,
    RailwayVariables,
)
from infra.railway_api import RAILWAY_ENDPOINT


@dataclass(frozen=True, kw_only=True)
class RailwayBackendArgs:
    project_name: str
    image: str
    token: pulumi.Input[str]
    variables: Mapping[str, pulumi.Input[str]]
    """Every variable the service gets; values are treated as secrets."""
    endpoint: str = RAILWAY_ENDPOINT
    protect: bool
    workspace_id: str | None
    """The team workspace the project belongs to; a personal project when unset."""
    deploy_timeout_seconds: int
    """How long ``pulumi up`` waits for a deployment to run before it fails."""
    usage_limit: tuple[int, int | None] | None
    """(soft, hard) dollars a month for the workspace's usage limit, or None for none."""


class RailwayBackend(pulumi.ComponentResource):
    """The backend on Railway, through this project's Railway dynamic provider.

    Builds: a project (in a team workspace when given), a service running the pinned image,
    its variables (MONGO_URI, GROQ_API_KEY, SECRET_KEY, REDIS_URL, PORT), a deployment that
    is redone after every change of image or variables and waited for (``pulumi up`` fails
    with Railway's reason when it does not run), a public Railway domain and, when asked, the
    workspace's usage limit (an email at the soft limit; a hard one sleeps every service).
    Secure defaults: variable values are Pulumi secrets and state keeps only their names
    and keyed hashes; the API token is a secret; Railway serves the domain over HTTPS.
    Cost: Hobby $5/month including $5 of usage; Pro $20/month including $20; beyond that
    $10 per GB-month of RAM and $20 per vCPU-month (a small FastAPI service: ~$5-10).
    """

    project: RailwayProject
    service: RailwayService
    deployment: RailwayDeployment
    url: pulumi.Output[str]

    def __init__(self, name: str, args: RailwayBackendArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:managed:RailwayBackend", name, None, opts)
        connection = {"token": args.token, "endpoint": args.endpoint}
        self.project = project = RailwayProject(
            f"{name}-project",
            project_name=args.project_name,
            workspace_id=args.workspace_id,
            **connection,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        child = pulumi.ResourceOptions(parent=self)
        self.service = RailwayService(
            f"{name}-service",
            project_id=project.id,
            environment_id=project.environment_id,
            service_name="backend",
            image=args.image,
            **connection,
            opts=child,
        )
        variables = RailwayVariables(
            f"{name}-variables",
            project_id=project.id,
            environment_id=project.environment_id,
            service_id=self.service.id,
            variables=dict(args.variables),
            **connection,
            opts=child,
        )
        self.deployment = RailwayDeployment(
            f"{name}-deployment",
            service_id=self.service.id,
            environment_id=project.environment_id,
            image=args.image,
            variables_hashes=variables.hashes,
            timeout_seconds=args.deploy_timeout_seconds,
            **connection,
            opts=child,
        )
        domain = RailwayDomain(
            f"{name}-domain",
            service_id=self.service.id,
            environment_id=project.environment_id,
            **connection,
            opts=child,
        )
        if args.usage_limit is not None:
            soft, hard = args.usage_limit
            RailwayUsageLimit(f"{name}-usage-limit", project_id=project.id, soft_dollars=soft, hard_dollars=hard,
                              **connection, opts=child)  # fmt: skip
        self.url = pulumi.Output.concat("https://", domain.domain)
        self.register_outputs({"url": self.url})
