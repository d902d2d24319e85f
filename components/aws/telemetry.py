"""Telemetry sidecars beside the Fargate backend: APM (an OpenTelemetry collector or the Datadog
agent) and log shipping to Better Stack through a FireLens router.

What it builds is mostly the sidecars' share of the backend's task definition (container
definitions, volumes, variables and IAM statements that ``ContainerService`` puts into its one
task, so the backend reaches its sidecars on 127.0.0.1); the ``Telemetry`` component also owns
the one resource of its own, the collector's metrics log group. Every container here is read-only at its root,
unprivileged and gets its credentials through ``secrets`` (Secrets Manager ARNs), like the
backend. Two run as root, because their software requires it, and the policy names them:
the FireLens router (FireLens runs Fluent Bit as root: aws/containers-roadmap#2122, and the
maintainers' answer in aws/aws-for-fluent-bit#713) and the Datadog volume preparation, a
one-shot step that hands the agent's writable volumes to the agent's own user (Fargate creates
task volumes owned by root, mode 0755: aws/containers-roadmap#938) and exits before the agent
starts.
Cost: the sidecars grow the task to the next Fargate size (the default backend goes from 0.25
vCPU / 0.5 GB to 0.5 vCPU / 1 GB: ~$14.42/month more for two tasks); the services bill apart:
X-Ray ~$2/month at 0.5M traces, Datadog ~$3.20 per task-month, New Relic free up to 100 GB a
month, Better Stack free up to 1 GB of logs (``nowry-infra cost`` prices each by usage).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws.policy_documents import statement

COLLECTOR = "otel-collector"
DATADOG_AGENT = "datadog-agent"
DATADOG_VOLUMES = "datadog-volumes"
LOG_ROUTER = "log-router"

COLLECTOR_USER = "4317"
"""The ADOT collector image's own user, ``aoc`` (aws-otel-collector cmd/awscollector/Dockerfile)."""
DATADOG_USER = "100"
"""The agent image's ``dd-agent`` user, UID 100 checked by its Dockerfile (DataDog/datadog-agent#23764)."""
DATADOG_VOLUME_PATHS = {
    "datadog-config": "/etc/datadog-agent",
    "datadog-run": "/opt/datadog-agent/run",
    "datadog-sockets": "/var/run/datadog",
    "datadog-tmp": "/tmp",
}
"""The agent's writable paths on a read-only root (docs.datadoghq.com/containers/guide/readonly-root-filesystem)."""
TRACE_AGENT_PORT = 8126
OTLP_HTTP_ENDPOINT = "http://127.0.0.1:4318"
NEW_RELIC_OTLP = {"us": "https://otlp.nr-data.net", "eu": "https://otlp.eu01.nr-data.net"}
"""New Relic's OTLP endpoints by account region (docs.newrelic.com, OpenTelemetry setup)."""

SIZES: dict[str, tuple[int, int]] = {
    COLLECTOR: (128, 256),
    DATADOG_AGENT: (128, 256),
    DATADOG_VOLUMES: (0, 32),
    LOG_ROUTER: (64, 64),
}
"""Each sidecar's CPU units and memory reservation (MiB, soft: ``memoryReservation``), added to the
task's size; FireLens asks at least 50 MiB for its router (AWS's FireLens examples)."""

SECRET_VARIABLES = {
    "datadog": "DD_API_KEY",
    "newrelic": "NEW_RELIC_LICENSE_KEY",
    "betterstack": "BETTER_STACK_AUTH_HEADER",
}
"""The Secrets Manager variable each choice's credential is stored under."""


@dataclass(frozen=True, kw_only=True)
class TelemetryArgs:
    """What the sidecars need; every value comes from ``nowry:observability`` and the stack."""

    apm: str
    logs: str
    service_name: str
    environment: str
    version: str
    region: str
    collector_image: str
    datadog_image: str
    log_router_image: str
    datadog_site: str
    new_relic_region: str
    better_stack_host: str
    secret_arns: Mapping[str, pulumi.Input[str]]
    """``SECRET_VARIABLES`` value -> Secrets Manager ARN, for the choices made."""
    log_retention_days: int
    """Days the collector's metrics log group keeps what it holds (apm: otel)."""
    kms_key_arn: pulumi.Input[str]
    """The stack's key: encrypts the metrics log group."""


@dataclass
class TaskSidecars:
    """The sidecars' share of the backend's task definition."""

    containers: list[dict[str, Any]] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    backend_env: dict[str, str] = field(default_factory=dict)
    backend_labels: dict[str, str] = field(default_factory=dict)
    backend_log_configuration: dict[str, Any] | None = None
    """Replaces the backend's ``awslogs`` configuration (FireLens); None keeps it."""
    task_role_statements: list[dict[str, Any]] = field(default_factory=list)
    secret_arns: list[pulumi.Input[str]] = field(default_factory=list)
    """The secrets the execution role must read for these containers."""

    @property
    def cpu(self) -> int:
        return sum(SIZES[c["name"]][0] for c in self.containers)

    @property
    def memory(self) -> int:
        return sum(SIZES[c["name"]][1] for c in self.containers)


class Telemetry(pulumi.ComponentResource):
    """The APM and log shipping ``nowry:observability`` chooses, beside the backend.

    Builds: with ``apm: otel``, a CloudWatch log group for the collector's metrics (EMF); for
    every choice, the sidecars' share of the backend's task (``sidecars``), which
    ``ContainerService`` runs. Secure defaults: the log group is encrypted with the stack's key and
    keeps logs as long as the stack's other logs; the sidecars' defaults are ``sidecars``'.
    Cost: the log group at CloudWatch Logs' rates (~$0.10/month at the default usage); the
    sidecars grow the task (see the module) and the services bill apart.
    """

    sidecars: TaskSidecars

    def __init__(self, name: str, args: TelemetryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:aws:Telemetry", name, None, opts)
        metrics = None
        if args.apm == "otel":
            metrics = aws.cloudwatch.LogGroup(
                "apm-metrics",
                retention_in_days=args.log_retention_days,
                kms_key_id=args.kms_key_arn,
                # made at the stack's top level before it had this component: the same log group
                opts=pulumi.ResourceOptions(parent=self, aliases=[pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)]),
            )
        self.sidecars = sidecars(args, metrics)
        self.register_outputs({"metricsLogGroup": metrics.name if metrics else None})


def sidecars(args: TelemetryArgs, metrics: aws.cloudwatch.LogGroup | None = None) -> TaskSidecars:
    """The containers and settings ``args`` chooses. Their own logs go to the task's CloudWatch log
    group: ``ContainerService`` gives each container without a ``logConfiguration`` its ``awslogs``."""
    found = TaskSidecars()
    if args.apm in ("otel", "newrelic"):
        _collector(args, found, metrics)
    elif args.apm == "datadog":
        _datadog(args, found)
    if args.logs == "betterstack":
        _log_router(args, found)
    return found


def awslogs(log_group: pulumi.Input[str], region: str, prefix: str) -> dict[str, Any]:
    """CloudWatch Logs through the ``awslogs`` driver, one stream prefix per container."""
    options = {"awslogs-group": log_group, "awslogs-region": region, "awslogs-stream-prefix": prefix}
    return {"logDriver": "awslogs", "options": options}


def _hardened(name: str, image: str, user: str) -> dict[str, Any]:
    cpu, memory = SIZES[name]
    return {"name": name, "image": image, "user": user, "cpu": cpu, "memoryReservation": memory, "privileged": False,
            "readonlyRootFilesystem": True}  # fmt: skip


def collector_config(args: TelemetryArgs) -> str:
    """The collector's configuration: OTLP in on 127.0.0.1, out to X-Ray and CloudWatch (otel) or
    to New Relic's OTLP endpoint with the license key read from the environment (newrelic)."""
    if args.apm == "newrelic":
        # otlp_http: the collector's name for its OTLP/HTTP exporter since v0.144.0 ("otlphttp" is its
        # deprecated alias: open-telemetry/opentelemetry-collector#14397)
        exporters: dict[str, Any] = {"otlp_http": {
            "endpoint": NEW_RELIC_OTLP[args.new_relic_region], "compression": "gzip",
            "headers": {"api-key": "${env:NEW_RELIC_LICENSE_KEY}"}}}  # fmt: skip
        traces, metrics = ["otlp_http"], ["otlp_http"]
    else:
        exporters = {
            "awsxray": {"region": args.region},
            "awsemf": {"region": args.region, "namespace": f"Nowry/{args.environment}",
                       "log_group_name": "${env:METRICS_LOG_GROUP}"},
        }  # fmt: skip
        traces, metrics = ["awsxray"], ["awsemf"]
    config = {
        "extensions": {"health_check": {}},
        "receivers": {"otlp": {"protocols": {"grpc": {"endpoint": "127.0.0.1:4317"},
                                             "http": {"endpoint": "127.0.0.1:4318"}}}},
        "processors": {"batch": {}},
        "exporters": exporters,
        "service": {
            "extensions": ["health_check"],
            "pipelines": {
                "traces": {"receivers": ["otlp"], "processors": ["batch"], "exporters": traces},
                "metrics": {"receivers": ["otlp"], "processors": ["batch"], "exporters": metrics},
            },
        },
    }  # fmt: skip
    return json.dumps(config, sort_keys=True)  # JSON is YAML: AOT_CONFIG_CONTENT reads either


def _collector(args: TelemetryArgs, found: TaskSidecars, metrics: aws.cloudwatch.LogGroup | None) -> None:
    """AWS Distro for OpenTelemetry, configured through AOT_CONFIG_CONTENT (aws-otel-collector
    pkg/config/config_factory.go reads the configuration from that variable when it is set)."""
    container = _hardened(COLLECTOR, args.collector_image, COLLECTOR_USER)
    environment: list[dict[str, pulumi.Input[str]]] = [{"name": "AOT_CONFIG_CONTENT", "value": collector_config(args)}]
    container["essential"] = False
    container["secrets"] = []
    if args.apm == "newrelic":
        arn = args.secret_arns[SECRET_VARIABLES["newrelic"]]
        container["secrets"] = [{"name": "NEW_RELIC_LICENSE_KEY", "valueFrom": arn}]
        found.secret_arns.append(arn)
    else:
        assert metrics is not None, "apm: otel sends its metrics to the component's log group"
        environment.append({"name": "METRICS_LOG_GROUP", "value": metrics.name})
        found.task_role_statements += [
            # X-Ray's trace and sampling calls have no resource-level permissions: AWS requires "*".
            statement(
                [
                    "xray:PutTraceSegments",
                    "xray:PutTelemetryRecords",
                    "xray:GetSamplingRules",
                    "xray:GetSamplingTargets",
                    "xray:GetSamplingStatisticSummaries",
                ],
                ["*"],
            ),
            statement(
                ["logs:PutLogEvents", "logs:CreateLogStream", "logs:DescribeLogStreams"],
                [pulumi.Output.concat(metrics.arn, ":*")],
            ),
        ]
    container["environment"] = environment
    container["healthCheck"] = {"command": ["/healthcheck"], "interval": 30, "timeout": 5, "retries": 3,
                                "startPeriod": 10}  # fmt: skip
    found.containers.append(container)
    found.backend_env.update({
        "OTEL_EXPORTER_OTLP_ENDPOINT": OTLP_HTTP_ENDPOINT,
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_SERVICE_NAME": args.service_name,
        "OTEL_RESOURCE_ATTRIBUTES": f"deployment.environment={args.environment},service.version={args.version}",
    })  # fmt: skip


def _datadog(args: TelemetryArgs, found: TaskSidecars) -> None:
    """The Datadog agent for Fargate with APM on, as Datadog's own ECS module lays it out
    (DataDog/terraform-aws-ecs-datadog modules/ecs_fargate: an init container fills the config
    volume, the agent runs read-only with writable volumes), the agent as ``dd-agent``."""
    volumes = list(DATADOG_VOLUME_PATHS)
    staged = {name: f"/volumes/{name.removeprefix('datadog-')}" for name in volumes}
    prepare = _hardened(DATADOG_VOLUMES, args.datadog_image, "0")
    prepare.update({
        "essential": False,
        "entryPoint": ["/bin/sh", "-c"],
        "command": [f"cp -a /etc/datadog-agent/. {staged['datadog-config']}/ && "
                    f"chown -R {DATADOG_USER}:0 {' '.join(staged.values())}"],
        "mountPoints": [{"sourceVolume": v, "containerPath": p, "readOnly": False} for v, p in staged.items()],
        "environment": [],
        "secrets": [],
    })  # fmt: skip
    key = args.secret_arns[SECRET_VARIABLES["datadog"]]
    agent = _hardened(DATADOG_AGENT, args.datadog_image, DATADOG_USER)
    tags = {"DD_ENV": args.environment, "DD_SERVICE": args.service_name, "DD_VERSION": args.version}
    agent.update({
        "essential": False,
        "environment": [{"name": k, "value": v} for k, v in sorted({
            "ECS_FARGATE": "true", "DD_APM_ENABLED": "true", "DD_SITE": args.datadog_site,
            "DD_APM_RECEIVER_PORT": str(TRACE_AGENT_PORT), **tags}.items())],
        "secrets": [{"name": "DD_API_KEY", "valueFrom": key}],
        "mountPoints": [{"sourceVolume": v, "containerPath": p, "readOnly": False}
                        for v, p in DATADOG_VOLUME_PATHS.items()],
        "dependsOn": [{"containerName": DATADOG_VOLUMES, "condition": "SUCCESS"}],
        "healthCheck": {"command": ["CMD-SHELL", "/probe.sh"], "interval": 30, "timeout": 5, "retries": 3,
                        "startPeriod": 15},
    })  # fmt: skip
    found.containers += [prepare, agent]
    found.volumes += volumes
    found.secret_arns.append(key)
    found.backend_env.update({**tags, "DD_AGENT_HOST": "127.0.0.1", "DD_TRACE_AGENT_PORT": str(TRACE_AGENT_PORT)})
    found.backend_labels.update({f"com.datadoghq.tags.{k.removeprefix('DD_').lower()}": v for k, v in tags.items()})


def _log_router(args: TelemetryArgs, found: TaskSidecars) -> None:
    """FireLens with AWS for Fluent Bit: the backend's logs go to Better Stack over HTTPS, the
    source token reaching Fluent Bit's ``Header`` option through ``secretOptions``; the router's
    own logs stay in CloudWatch."""
    router = _hardened(LOG_ROUTER, args.log_router_image, "0")
    router.update({
        "essential": True,
        "firelensConfiguration": {"type": "fluentbit", "options": {"enable-ecs-log-metadata": "true"}},
        "mountPoints": [{"sourceVolume": "log-router-tmp", "containerPath": "/tmp", "readOnly": False}],
        "environment": [],
        "secrets": [],
    })  # fmt: skip
    header = args.secret_arns[SECRET_VARIABLES["betterstack"]]
    found.containers.append(router)
    found.volumes.append("log-router-tmp")
    found.secret_arns.append(header)
    found.backend_log_configuration = {
        "logDriver": "awsfirelens",
        "options": {"Name": "http", "Host": args.better_stack_host, "Port": "443", "URI": "/", "Format": "json",
                    "tls": "On", "tls.verify": "On", "Json_date_key": "dt", "Json_date_format": "iso8601"},
        "secretOptions": [{"name": "Header", "valueFrom": header}],
    }  # fmt: skip


def better_stack_header(token: pulumi.Input[str]) -> pulumi.Output[str]:
    """Fluent Bit's ``Header`` value carrying the source token (Better Stack reads a bearer token)."""
    return pulumi.Output.secret(pulumi.Output.concat("Authorization Bearer ", token))
