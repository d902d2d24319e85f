"""ContainerImage: an image pulled by reference or built from a context on the local engine."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker


@dataclass(frozen=True)
class ContainerImageArgs:
    ref: str | None = None
    """Image reference to pull, pinned by tag or digest. Exactly one of ``ref``/``context``."""
    context: str | None = None
    """Build context directory (built locally, never pushed)."""
    dockerfile: str | None = None
    """Dockerfile inside the context; ``Dockerfile`` when unset."""
    local_name: str = "nowry-app:local"
    """Name given to a locally built image."""

    def __post_init__(self) -> None:
        if (self.ref is None) == (self.context is None):
            raise ValueError("ContainerImageArgs needs exactly one of ref or context")


class ContainerImage(pulumi.ComponentResource):
    """An image ready to run on the local Docker engine.

    Builds: a ``docker.RemoteImage`` (pull by pinned reference, kept locally) or a
    ``docker.Image`` built from a context with ``skip_push`` (nothing leaves the machine).
    Secure defaults: references must be pinned (config validation refuses ``latest``).
    Cost: free (local disk only).
    """

    image: pulumi.Output[str]
    """What a container's ``image`` input takes: the pulled image id or the built name."""

    def __init__(self, name: str, args: ContainerImageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:docker:ContainerImage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        if args.ref is not None:
            pulled = docker.RemoteImage(f"{name}-pull", name=args.ref, keep_locally=True, opts=child)
            self.image = pulled.image_id
        else:
            built = docker.Image(
                f"{name}-build",
                image_name=args.local_name,
                build=docker.DockerBuildArgs(context=args.context, dockerfile=args.dockerfile),
                skip_push=True,
                opts=child,
            )
            self.image = built.image_name
        self.register_outputs({"image": self.image})
