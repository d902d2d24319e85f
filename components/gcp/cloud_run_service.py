"""CloudRunService: the backend on Cloud Run (v2), reachable only through the load balancer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp.cloudrunv2 as run
import pulumi_gcp.compute as compute

STARTUP_PERIOD_SECONDS = 10
STARTUP_FAILURES = 12
"""Two minutes for an instance to answer its health path: Direct VPC egress can take "a minute or more"
to connect on instance startup, and Google recommends a startup probe that waits for it
(cloud.google.com/run/docs/configuring/vpc-direct-vpc)."""


@dataclass(frozen=True, kw_only=True)
class Sizing:
    cpu: str
    memory: str
    min_instances: int
    max_instances: int
    concurrency: int
    request_billing: bool
    """CPU only while serving requests (``cpuIdle``); False: instance-based billing."""


@dataclass(frozen=True, kw_only=True)
class CloudRunServiceArgs:
    region: str
    image: pulumi.Input[str]
    port: int
    health_path: str
    sizing: Sizing
    service_account: pulumi.Input[str]
    """The email of the service's own service account."""
    env: Mapping[str, str]
    secret_env: Mapping[str, tuple[pulumi.Input[str], pulumi.Input[str]]]
    """Variable -> (secret id, version): given as secret environment variables, never plain."""
    secret_files: Mapping[str, tuple[pulumi.Input[str], pulumi.Input[str]]] = field(default_factory=dict)
    """Absolute file path -> (secret id, version): mounted read-only (a CA certificate)."""
    network_id: pulumi.Input[str]
    subnet_id: pulumi.Input[str]
    all_traffic_through_vpc: bool
    """Send every connection through the VPC (to Cloud NAT's fixed address), not only private ranges."""


class CloudRunService(pulumi.ComponentResource):
    """The FastAPI backend as a Cloud Run service, and the serverless NEG the load balancer sends
    ``/api/*`` to.

    Builds: a ``cloudrunv2.Service`` (one container on ``port``, ``health_path`` as its startup and
    liveness probe, min/max instances, concurrency, CPU and memory from config, Direct VPC egress on the
    stack's subnet) and a regional serverless ``NetworkEndpointGroup`` naming it.
    Secure defaults: ingress from internal traffic and Cloud Load Balancing only, the default ``run.app``
    URL off, so every request passes the load balancer and its Cloud Armor policy; no IAM invoker
    binding for ``allUsers`` (the invoker check is off instead: the load balancer does not sign requests,
    and ingress already admits nothing else); runs as its own service account, which holds only what
    the secrets and the database grant it; credentials only as secret environment variables.
    Cost: request-based billing $0.000024 per vCPU-second and $0.0000025 per GiB-second while serving,
    $0.40 per million requests; instance-based $0.000018 per vCPU-second for each instance's whole life.
    """

    service: run.Service
    endpoint_group: compute.RegionNetworkEndpointGroup

    def __init__(self, name: str, args: CloudRunServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:gcp:CloudRunService", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.service = run.Service(
            f"{name}-service",
            location=args.region,
            ingress="INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
            default_uri_disabled=True,
            invoker_iam_disabled=True,
            deletion_protection=False,  # stateless: the provider's default (true) would only block a destroy
            template=self._template(args),
            opts=child,
        )
        self.endpoint_group = compute.RegionNetworkEndpointGroup(
            f"{name}-neg",
            region=args.region,
            network_endpoint_type="SERVERLESS",
            cloud_run=compute.RegionNetworkEndpointGroupCloudRunArgs(service=self.service.name),
            opts=child,
        )
        self.register_outputs({"service": self.service.name})

    @staticmethod
    def _template(args: CloudRunServiceArgs) -> run.ServiceTemplateArgs:
        sizing = args.sizing
        probe = run.ServiceTemplateContainerStartupProbeHttpGetArgs(path=args.health_path, port=args.port)
        envs = [run.ServiceTemplateContainerEnvArgs(name=k, value=v) for k, v in sorted(args.env.items())]
        envs += [
            run.ServiceTemplateContainerEnvArgs(
                name=variable,
                value_source=run.ServiceTemplateContainerEnvValueSourceArgs(
                    secret_key_ref=run.ServiceTemplateContainerEnvValueSourceSecretKeyRefArgs(
                        secret=secret, version=version
                    )
                ),
            )
            for variable, (secret, version) in sorted(args.secret_env.items())
        ]
        volumes, mounts = [], []
        for index, (path, (secret, version)) in enumerate(sorted(args.secret_files.items())):
            folder, _, file_name = path.rpartition("/")
            volumes.append(run.ServiceTemplateVolumeArgs(
                name=f"secret-{index}",
                secret=run.ServiceTemplateVolumeSecretArgs(
                    secret=secret, default_mode=0o444,
                    items=[run.ServiceTemplateVolumeSecretItemArgs(path=file_name, version=version)],
                ),
            ))  # fmt: skip
            mounts.append(run.ServiceTemplateContainerVolumeMountArgs(name=f"secret-{index}", mount_path=folder))
        return run.ServiceTemplateArgs(
            service_account=args.service_account,
            max_instance_request_concurrency=sizing.concurrency,
            scaling=run.ServiceTemplateScalingArgs(
                min_instance_count=sizing.min_instances, max_instance_count=sizing.max_instances
            ),
            vpc_access=run.ServiceTemplateVpcAccessArgs(
                network_interfaces=[
                    run.ServiceTemplateVpcAccessNetworkInterfaceArgs(network=args.network_id, subnetwork=args.subnet_id)
                ],
                egress="ALL_TRAFFIC" if args.all_traffic_through_vpc else "PRIVATE_RANGES_ONLY",
            ),
            volumes=volumes or None,
            containers=[
                run.ServiceTemplateContainerArgs(
                    name="backend",
                    image=args.image,
                    ports=run.ServiceTemplateContainerPortsArgs(container_port=args.port, name="http1"),
                    resources=run.ServiceTemplateContainerResourcesArgs(
                        limits={"cpu": sizing.cpu, "memory": sizing.memory},
                        cpu_idle=sizing.request_billing,  # must be explicit once resources are set
                        startup_cpu_boost=True,
                    ),
                    envs=envs,
                    volume_mounts=mounts or None,
                    startup_probe=run.ServiceTemplateContainerStartupProbeArgs(
                        http_get=probe, period_seconds=STARTUP_PERIOD_SECONDS, timeout_seconds=5,
                        failure_threshold=STARTUP_FAILURES,
                    ),
                    liveness_probe=run.ServiceTemplateContainerLivenessProbeArgs(
                        http_get=run.ServiceTemplateContainerLivenessProbeHttpGetArgs(
                            path=args.health_path, port=args.port
                        ),
                        period_seconds=30, timeout_seconds=5, failure_threshold=3,
                    ),
                )
            ],
        )  # fmt: skip
