"""MongoDatabase: MongoDB in a container with a named volume and a generated root password."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker
import pulumi_random as random

from infra.naming import physical_name


@dataclass(frozen=True, kw_only=True)
class MongoDatabaseArgs:
    network: pulumi.Input[str]
    """Docker network name; other containers reach the database as ``hostname``."""
    image: str
    database: str
    """Database name in the connection string."""
    hostname: str = "mongo"
    port: int
    username: str = "nowry"
    protect: bool
    """Protect the data volume and the password (a new password locks the app out of old data)."""
    name_prefix: str
    """Prefix of the Docker names (container, volume)."""
    pool_options: str
    """The connection pool's URI options (``maxPoolSize=...&minPoolSize=...``)."""


class MongoDatabase(pulumi.ComponentResource):
    """MongoDB for local development.

    Builds: a pulled ``mongo`` image, a named ``docker.Volume`` for ``/data/db``, a
    ``random.RandomPassword`` for the root user and the container, reachable on the
    network as ``mongo:27017`` and on 127.0.0.1 for local tools.
    Secure defaults: authentication on with a generated password (never typed in), the
    connection string exported only as a secret, the port bound to localhost only,
    ``no-new-privileges``; the volume and password are ``protect``ed when the stack says so
    and keep stable logical names. Cost: free (local disk).
    """

    uri: pulumi.Output[str]
    """``mongodb://user:password@mongo:27017/<db>?authSource=admin`` — a secret."""
    container: docker.Container
    volume: docker.Volume

    def __init__(self, name: str, args: MongoDatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:docker:MongoDatabase", name, None, opts)
        self._args = args
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect)
        self.password = random.RandomPassword(f"{name}-root-password", length=32, special=False, opts=stateful)
        self.volume = docker.Volume(
            f"{name}-data", name=physical_name("docker-object", args.name_prefix, "mongo-data"), opts=stateful
        )
        image = docker.RemoteImage(
            f"{name}-image",
            name=args.image,
            keep_locally=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.container = self._container(name, image)
        self.uri = pulumi.Output.secret(
            pulumi.Output.concat(
                "mongodb://",
                args.username,
                ":",
                self.password.result,
                "@",
                args.hostname,
                ":",
                str(args.port),
                "/",
                args.database,
                f"?authSource=admin&{args.pool_options}",
            )
        )
        self.register_outputs({"uri": self.uri, "container": self.container.name})

    def _container(self, name: str, image: docker.RemoteImage) -> docker.Container:
        args = self._args
        return docker.Container(
            f"{name}-container",
            name=physical_name("docker-object", args.name_prefix, "mongo"),
            image=image.image_id,
            envs=[
                f"MONGO_INITDB_ROOT_USERNAME={args.username}",
                pulumi.Output.secret(pulumi.Output.concat("MONGO_INITDB_ROOT_PASSWORD=", self.password.result)),
                f"MONGO_INITDB_DATABASE={args.database}",
            ],
            volumes=[docker.ContainerVolumeArgs(volume_name=self.volume.name, container_path="/data/db")],
            ports=[docker.ContainerPortArgs(internal=args.port, external=args.port, ip="127.0.0.1")],
            networks_advanced=[docker.ContainerNetworksAdvancedArgs(name=args.network, aliases=[args.hostname])],
            healthcheck=docker.ContainerHealthcheckArgs(
                tests=["CMD", "mongosh", "--quiet", "--eval", "db.adminCommand('ping').ok"],
                interval="10s",
                timeout="5s",
                retries=5,
                start_period="20s",
            ),
            restart="unless-stopped",
            security_opts=["no-new-privileges:true"],
            wait=True,
            wait_timeout=90,
            opts=pulumi.ResourceOptions(parent=self),
        )
