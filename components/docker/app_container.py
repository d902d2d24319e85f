"""AppContainer: one of the app's containers (backend or frontend) on the local network."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_docker as docker

from components.docker.container_image import ContainerImage, ContainerImageArgs


@dataclass(frozen=True)
class HttpHealthCheck:
    """A health check that GETs ``http://127.0.0.1:<port><path>`` inside the container."""

    path: str
    port: int
    probe: str = "wget"
    """``wget`` (busybox, nginx images) or ``python`` (Python images without curl/wget)."""

    def command(self) -> list[str]:
        url = f"http://127.0.0.1:{self.port}{self.path}"
        if self.probe == "python":
            code = f"import urllib.request; urllib.request.urlopen('{url}', timeout=4)"
            return ["CMD", "python", "-c", code]
        return ["CMD", "wget", "-q", "-O", "/dev/null", url]


@dataclass(frozen=True)
class AppContainerArgs:
    image: ContainerImageArgs
    """Where the image comes from."""
    network: pulumi.Input[str]
    """Docker network name the container joins."""
    hostname: str
    """DNS alias on the network (other containers reach it by this name)."""
    container_port: int
    """Port the process listens on inside the container."""
    host_port: int
    """Port published on the developer's machine, bound to 127.0.0.1 only."""
    health_check: HttpHealthCheck
    env: Mapping[str, str] = field(default_factory=dict)
    """Plain environment variables."""
    secret_env: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Environment variables whose values are secrets (kept secret in state and plans)."""
    read_only_root: bool = False
    """Mount the root filesystem read-only, with a writable tmpfs on /tmp."""
    bind_mounts: Mapping[str, str] = field(default_factory=dict)
    """Host directory -> container path, mounted read-only."""
    depends_on: Sequence[pulumi.Resource] = ()
    container_name: str = "nowry-app"


class AppContainer(pulumi.ComponentResource):
    """A long-running app container on the local Docker network.

    Builds: a ``ContainerImage`` and a ``docker.Container`` with a network alias, a port
    published on 127.0.0.1 only, a health check and the ``unless-stopped`` restart policy.
    Secure defaults: secrets passed as secret env values (masked in state and plans),
    ``no-new-privileges``, optional read-only root filesystem with a tmpfs /tmp, nothing
    published beyond localhost. Cost: free (runs on the developer's machine).
    """

    container: docker.Container

    def __init__(self, name: str, args: AppContainerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:docker:AppContainer", name, None, opts)
        self._args = args
        image = ContainerImage(f"{name}-image", args.image, pulumi.ResourceOptions(parent=self))
        self.container = self._container(name, image)
        self.url = pulumi.Output.from_input(f"http://localhost:{args.host_port}")
        self.register_outputs({"url": self.url, "container": self.container.name})

    def _environment(self) -> list[pulumi.Input[str]]:
        plain: list[pulumi.Input[str]] = [f"{k}={v}" for k, v in sorted(self._args.env.items())]
        secret: list[pulumi.Input[str]] = [
            pulumi.Output.secret(pulumi.Output.concat(k, "=", v)) for k, v in sorted(self._args.secret_env.items())
        ]
        return plain + secret

    def _container(self, name: str, image: ContainerImage) -> docker.Container:
        args = self._args
        return docker.Container(
            f"{name}-container",
            name=args.container_name,
            image=image.image,
            envs=self._environment(),
            ports=[docker.ContainerPortArgs(internal=args.container_port, external=args.host_port, ip="127.0.0.1")],
            networks_advanced=[docker.ContainerNetworksAdvancedArgs(name=args.network, aliases=[args.hostname])],
            healthcheck=docker.ContainerHealthcheckArgs(
                tests=args.health_check.command(),
                interval="15s",
                timeout="5s",
                retries=3,
                start_period="20s",
            ),
            restart="unless-stopped",
            security_opts=["no-new-privileges:true"],
            read_only=args.read_only_root,
            tmpfs={"/tmp": "rw,noexec,nosuid,size=64m"} if args.read_only_root else None,
            volumes=[
                docker.ContainerVolumeArgs(host_path=host, container_path=path, read_only=True)
                for host, path in sorted(args.bind_mounts.items())
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on)),
        )
