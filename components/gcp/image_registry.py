"""ImageRegistry: where Cloud Run takes the backend's image from — an Artifact Registry repository.

Cloud Run deploys images from Artifact Registry and Docker Hub directly; an image on another registry
(the product ships on ghcr.io) goes through an Artifact Registry *remote* repository that proxies and
caches it ("You can use container images from other public or private registries (like JFrog
Artifactory, Nexus, or GitHub Container Registry), by setting up an Artifact Registry remote
repository", cloud.google.com/run/docs/deploying; remote repositories list "GitHub Container Registry
(ghcr.io)" among their upstreams, cloud.google.com/artifact-registry/docs/repositories/remote-repo).
An image built from a context is pushed to a standard repository."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp.artifactregistry as artifactregistry

from infra.config.gcp_offerings import registry_of
from infra.naming import physical_name

KEEP_VERSIONS = 30


@dataclass(frozen=True, kw_only=True)
class ImageRegistryArgs:
    region: str
    project: str
    image: str | None
    """An image published elsewhere (``backend.image``): proxied by a remote repository."""
    context: str | None = None
    """A build context (``backend.context``): built and pushed to a standard repository."""
    dockerfile: str | None = None
    protect: bool


class ImageRegistry(pulumi.ComponentResource):
    """The backend image's Artifact Registry repository (Docker format, in the stack's region).

    Builds: for an image on another registry a remote repository whose upstream is that registry
    (``commonRepository``), and the image reference Cloud Run deploys through it; for a build context
    a standard repository with immutable tags and a cleanup policy (untagged versions go after 7 days,
    the newest 30 are kept), and the image built and pushed there.
    Secure defaults: regional; only Cloud Run's service agent reads it (the project's own repositories
    need no grant); protected when the stack protects data.
    Cost: $0.10 per GB-month beyond the free 0.5 GB; pulls in the same region are free.
    """

    repository: artifactregistry.Repository
    image_ref: pulumi.Output[str]

    def __init__(self, name: str, args: ImageRegistryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:gcp:ImageRegistry", name, None, opts)
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect)
        host = f"{args.region}-docker.pkg.dev"
        repository_id = physical_name("artifact-repository", "nowry", pulumi.get_stack(), name)
        if args.image is not None:
            upstream = registry_of(args.image)
            self.repository = artifactregistry.Repository(
                f"{name}-remote",
                repository_id=repository_id,
                location=args.region,
                format="DOCKER",
                mode="REMOTE_REPOSITORY",
                description=f"Nowry backend images, proxied from {upstream}",
                remote_repository_config=artifactregistry.RepositoryRemoteRepositoryConfigArgs(
                    description=upstream,
                    common_repository=artifactregistry.RepositoryRemoteRepositoryConfigCommonRepositoryArgs(
                        uri=f"https://{upstream}"
                    ),
                ),
                opts=stateful,
            )
            path = args.image.split("/", 1)[1]
            self.image_ref = self.repository.repository_id.apply(lambda repo: f"{host}/{args.project}/{repo}/{path}")
        else:
            assert args.context is not None, "validated: exactly one of backend.image and backend.context"
            self.repository = artifactregistry.Repository(
                f"{name}-repository",
                repository_id=repository_id,
                location=args.region,
                format="DOCKER",
                description="Nowry backend images",
                docker_config=artifactregistry.RepositoryDockerConfigArgs(immutable_tags=True),
                cleanup_policies=[
                    artifactregistry.RepositoryCleanupPolicyArgs(
                        id="delete-untagged", action="DELETE",
                        condition=artifactregistry.RepositoryCleanupPolicyConditionArgs(
                            tag_state="UNTAGGED", older_than="604800s"
                        ),
                    ),
                    artifactregistry.RepositoryCleanupPolicyArgs(
                        id="keep-recent", action="KEEP",
                        most_recent_versions=artifactregistry.RepositoryCleanupPolicyMostRecentVersionsArgs(
                            keep_count=KEEP_VERSIONS
                        ),
                    ),
                ],
                opts=stateful,
            )  # fmt: skip
            self.image_ref = self._build(name, args, host)
        self.register_outputs({"imageRef": self.image_ref})

    def _build(self, name: str, args: ImageRegistryArgs, host: str) -> pulumi.Output[str]:
        """Build the context for linux/amd64 and push it, authenticated with the deploying identity's
        access token (Artifact Registry's ``oauth2accesstoken`` login)."""
        import pulumi_docker as docker
        import pulumi_gcp.organizations as organizations

        token = organizations.get_client_config_output().access_token
        image_name = self.repository.repository_id.apply(lambda repo: f"{host}/{args.project}/{repo}/backend")
        image = docker.Image(
            f"{name}-image",
            image_name=image_name,
            build=docker.DockerBuildArgs(context=args.context, dockerfile=args.dockerfile, platform="linux/amd64"),
            registry=docker.RegistryArgs(server=host, username="oauth2accesstoken", password=token),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return image.repo_digest
