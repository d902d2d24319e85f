"""VercelFrontend: the React app as a Vercel project wired to the backend's URL."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumiverse_vercel as vercel


@dataclass(frozen=True, kw_only=True)
class VercelFrontendArgs:
    project_name: str
    api_url: pulumi.Input[str]
    framework: str
    git_repository: str | None
    root_directory: str
    production_branch: str
    team_id: str | None
    api_url_variable: str = "REACT_APP_API_URL"


class VercelFrontend(pulumi.ComponentResource):
    """The frontend on Vercel.

    Builds: a Vercel project (framework, git repository and root directory from config)
    and the build variable (``REACT_APP_API_URL`` by default) pointing at the backend's
    public URL, for production and preview builds; with a git repository, a production
    ``Deployment`` of the production branch that carries the same URL, so a new backend URL
    builds and ships a new production deployment on this ``pulumi up`` (Vercel deployments
    are immutable: the provider replaces the resource when its inputs change) instead of
    waiting for the next git push. The URL output is the one Vercel reports for that
    deployment (its shortest domain, the production alias), not an assumed
    ``<name>.vercel.app``, which Vercel changes when that name is taken.
    Secure defaults: Vercel serves HTTPS only with its managed certificates; the API URL is
    public by nature, so it is a plain variable, and no secret is given to the frontend.
    Cost: Hobby is free for non-commercial use (100 GB transfer); Pro is $20 per member a
    month including $20 of usage. The plan is an account setting, not a resource.
    """

    project: vercel.Project
    url: pulumi.Output[str]

    def __init__(self, name: str, args: VercelFrontendArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:managed:VercelFrontend", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        git = (
            vercel.ProjectGitRepositoryArgs(
                type="github", repo=args.git_repository, production_branch=args.production_branch
            )
            if args.git_repository
            else None
        )
        self.project = vercel.Project(
            f"{name}-project",
            name=args.project_name,
            framework=args.framework,
            git_repository=git,
            root_directory=args.root_directory if args.git_repository else None,
            team_id=args.team_id,
            opts=child,
        )
        variable = vercel.ProjectEnvironmentVariable(
            f"{name}-api-url",
            project_id=self.project.id,
            team_id=args.team_id,
            key=args.api_url_variable,
            value=args.api_url,
            targets=["production", "preview"],
            sensitive=False,
            comment="The backend's public URL (set by nowry-infra)",
            opts=child,
        )
        assumed = f"https://{args.project_name}.vercel.app"
        if args.git_repository:
            deployment = vercel.Deployment(
                f"{name}-production",
                project_id=self.project.id,
                team_id=args.team_id,
                ref=args.production_branch,
                production=True,
                environment={args.api_url_variable: args.api_url},
                opts=pulumi.ResourceOptions(parent=self, depends_on=[variable]),
            )
            self.url = deployment.domains.apply(
                lambda domains: f"https://{min(domains, key=len)}" if domains else assumed
            )
        else:  # the config check warns that nothing is deployed and the URL is assumed
            self.url = pulumi.Output.from_input(assumed)
        self.register_outputs({"url": self.url})
