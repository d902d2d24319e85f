"""ContainerService: the backend on ECS Fargate behind the ALB, autoscaled."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws.load_balancer import LoadBalancer
from components.aws.policy_documents import assume_role_policy, decrypt_through, policy_document, statement
from components.aws.telemetry import TaskSidecars, awslogs
from infra.config.aws_offerings import fargate_size
from infra.naming import physical_name

CONTAINER = "backend"


@dataclass(frozen=True)
class TaskSpec:
    """What runs: the image and the container's size, user, port and plain variables."""

    image: pulumi.Input[str]
    port: int
    cpu: int
    memory: int
    architecture: str
    user: str
    env: Mapping[str, str]


@dataclass(frozen=True)
class Placement:
    """Where tasks run: subnets, security group, and a public IP only without a NAT gateway."""

    subnet_ids: Sequence[pulumi.Input[str]]
    security_group_id: pulumi.Input[str]
    assign_public_ip: bool


@dataclass(frozen=True)
class Scaling:
    """How many tasks, and the targets autoscaling tracks."""

    desired: int
    minimum: int
    maximum: int
    cpu_target: int
    requests_per_target: int


@dataclass(frozen=True)
class ContainerServiceArgs:
    """Every value comes from the stack's config (its defaults live in the config model)."""

    task: TaskSpec
    placement: Placement
    scaling: Scaling
    load_balancer: LoadBalancer
    """The ALB whose target group the service registers with (and whose request count scales it)."""
    secret_arns: Mapping[str, pulumi.Input[str]]
    """Variable name -> Secrets Manager ARN, injected through the container's ``secrets``."""
    repository_arn: pulumi.Input[str] | None
    """The ECR repository the image is pulled from (None: a registry outside ECR, no ECR rights)."""
    region: str
    log_retention_days: int
    kms_key_arn: pulumi.Input[str] | None
    """The stack's KMS key (None: AWS's own keys, ``aws.encryptionKey: aws-owned``)."""
    sidecars: TaskSidecars = field(default_factory=TaskSidecars)
    """APM and log-shipping containers beside the backend (``components.aws.telemetry``)."""


class ContainerService(pulumi.ComponentResource):
    """The FastAPI backend as a Fargate service.

    Builds: an ECS cluster with Container Insights, a log group, an execution role (pulls
    the image, writes logs, reads exactly the app's secrets) separate from an empty task
    role, a Fargate task definition (ARM64 by default), a service behind the ALB target
    group with a deployment circuit breaker that rolls back, and target-tracking
    autoscaling on CPU and on ALB requests per target.
    Secure defaults: read-only root filesystem with a writable ``/tmp`` volume, non-root
    ``user``, not privileged, credentials only through ``secrets`` (Secrets Manager
    ARNs), ``awslogs`` with a retention, platform ``LATEST``, public IP only when the VPC
    has no NAT (ECS.2, ECS.4, ECS.5, ECS.8, ECS.9, ECS.10, ECS.12).
    With ``sidecars`` (``components.aws.telemetry``) the task also runs APM and log-shipping
    containers under the same rules, and grows to the smallest Fargate size holding them all;
    the task role then holds exactly their writes.
    Cost (ARM64): $0.03238 per vCPU-hour and $0.00356 per GB-hour: two 0.25 vCPU / 0.5 GB
    tasks ~$14.42/month (~$28.84 at 0.5 vCPU / 1 GB with a sidecar), plus ~$3.65/month per
    task public IP when there is no NAT.
    """

    cluster: aws.ecs.Cluster
    service: aws.ecs.Service
    task_definition: aws.ecs.TaskDefinition
    execution_role: aws.iam.Role
    task_role: aws.iam.Role
    log_group: aws.cloudwatch.LogGroup

    def __init__(self, name: str, args: ContainerServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:aws:ContainerService", name, None, opts)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        self.cluster = aws.ecs.Cluster(
            f"{name}-cluster",
            settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="enabled")],
            opts=self._child,
        )
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            opts=self._child,
        )
        self.execution_role = self._execution_role()
        self.task_role = aws.iam.Role(
            f"{name}-task-role",
            assume_role_policy=assume_role_policy("ecs-tasks.amazonaws.com"),
            description="Nowry backend task role: the app calls no AWS API"
            + ("; its sidecars write telemetry" if args.sidecars.task_role_statements else ""),
            opts=self._child,
        )
        if args.sidecars.task_role_statements:
            aws.iam.RolePolicy(
                f"{name}-task-policy",
                role=self.task_role.id,
                policy=policy_document(*args.sidecars.task_role_statements),
                opts=self._child,
            )
        self.task_definition = self._task_definition()
        self.service = self._service()
        self._autoscaling()
        self.metric_dimensions: dict[str, pulumi.Input[str]] = {
            "ClusterName": self.cluster.name,
            "ServiceName": self.service.name,
        }
        """The service's CloudWatch dimensions (AWS/ECS and ECS/ContainerInsights)."""
        self.register_outputs({"clusterName": self.cluster.name, "serviceName": self.service.name})

    def _execution_role(self) -> aws.iam.Role:
        args = self._args
        role = aws.iam.Role(
            f"{self._name}-execution-role",
            assume_role_policy=assume_role_policy("ecs-tasks.amazonaws.com"),
            description="Nowry backend execution role: image pull, logs, the app's secrets",
            opts=self._child,
        )
        aws.iam.RolePolicy(
            f"{self._name}-execution-policy",
            role=role.id,
            policy=policy_document(
                *self._image_pull_statements(),
                *self._secret_key_statements(),
                statement(
                    ["logs:CreateLogStream", "logs:PutLogEvents"],
                    [pulumi.Output.concat(self.log_group.arn, ":*")],
                ),
                statement(
                    ["secretsmanager:GetSecretValue"],
                    [*(args.secret_arns[k] for k in sorted(args.secret_arns)), *args.sidecars.secret_arns],
                ),
            ),
            opts=self._child,
        )
        return role

    def _secret_key_statements(self) -> list[dict[str, Any]]:
        """Decrypting the secrets the stack's key encrypts, through Secrets Manager only."""
        if self._args.kms_key_arn is None:
            return []
        return [decrypt_through(self._args.kms_key_arn, "secretsmanager", self._args.region)]

    def _image_pull_statements(self) -> list[dict[str, Any]]:
        """ECR pull rights on exactly the image's repository; none for an image from elsewhere."""
        if self._args.repository_arn is None:
            return []
        return [
            # GetAuthorizationToken has no resource-level permissions: AWS requires "*".
            statement(["ecr:GetAuthorizationToken"], ["*"]),
            statement(
                ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                [self._args.repository_arn],
            ),
        ]

    def _container_definitions(self) -> pulumi.Output[str]:
        args = self._args
        sidecars = args.sidecars
        env = {**args.task.env, **sidecars.backend_env}
        container: dict[str, Any] = {
            "name": CONTAINER,
            "image": args.task.image,
            "essential": True,
            "user": args.task.user,
            "privileged": False,
            "readonlyRootFilesystem": True,
            "portMappings": [{"containerPort": args.task.port, "protocol": "tcp"}],
            "environment": [{"name": k, "value": v} for k, v in sorted(env.items())],
            "secrets": [{"name": k, "valueFrom": args.secret_arns[k]} for k in sorted(args.secret_arns)],
            "mountPoints": [{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}],
            "linuxParameters": {"initProcessEnabled": True},
            "logConfiguration": sidecars.backend_log_configuration
            or awslogs(self.log_group.name, args.region, CONTAINER),
        }
        if sidecars.backend_labels:
            container["dockerLabels"] = sidecars.backend_labels
        others = [{"logConfiguration": awslogs(self.log_group.name, args.region, c["name"]), **c}
                  for c in sidecars.containers]  # fmt: skip
        return pulumi.Output.json_dumps([container, *others])

    def _task_definition(self) -> aws.ecs.TaskDefinition:
        args = self._args
        cpu, memory = fargate_size(args.task.cpu + args.sidecars.cpu, args.task.memory + args.sidecars.memory)
        return aws.ecs.TaskDefinition(
            f"{self._name}-task",
            family=physical_name("ecs-family", self._name, pulumi.get_stack()),
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(cpu),
            memory=str(memory),
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                cpu_architecture=args.task.architecture.upper(), operating_system_family="LINUX"
            ),
            execution_role_arn=self.execution_role.arn,
            task_role_arn=self.task_role.arn,
            volumes=[aws.ecs.TaskDefinitionVolumeArgs(name=v) for v in ("tmp", *args.sidecars.volumes)],
            container_definitions=self._container_definitions(),
            opts=self._child,
        )

    def _service(self) -> aws.ecs.Service:
        args = self._args
        return aws.ecs.Service(
            f"{self._name}-service",
            cluster=self.cluster.arn,
            task_definition=self.task_definition.arn,
            launch_type="FARGATE",
            platform_version="LATEST",
            desired_count=args.scaling.desired,
            deployment_minimum_healthy_percent=100,
            deployment_maximum_percent=200,
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=True),
            health_check_grace_period_seconds=60,
            enable_execute_command=False,
            propagate_tags="SERVICE",
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=list(args.placement.subnet_ids),
                security_groups=[args.placement.security_group_id],
                assign_public_ip=args.placement.assign_public_ip,
            ),
            load_balancers=[
                aws.ecs.ServiceLoadBalancerArgs(
                    target_group_arn=args.load_balancer.target_group.arn,
                    container_name=CONTAINER,
                    container_port=args.task.port,
                )
            ],
            # Autoscaling owns the running count once the service exists.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["desiredCount"]),
        )

    def _autoscaling(self) -> None:
        args = self._args
        balancer = args.load_balancer
        target = aws.appautoscaling.Target(
            f"{self._name}-scaling",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", self.cluster.name, "/", self.service.name),
            min_capacity=args.scaling.minimum,
            max_capacity=args.scaling.maximum,
            opts=self._child,
        )
        metrics = {
            "cpu": ("ECSServiceAverageCPUUtilization", args.scaling.cpu_target, None),
            "requests": (
                "ALBRequestCountPerTarget",
                args.scaling.requests_per_target,
                pulumi.Output.concat(balancer.alb.arn_suffix, "/", balancer.target_group.arn_suffix),
            ),
        }
        for suffix, (metric, value, label) in metrics.items():
            aws.appautoscaling.Policy(
                f"{self._name}-scale-on-{suffix}",
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension,
                resource_id=target.resource_id,
                target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                    target_value=value,
                    scale_in_cooldown=120,
                    scale_out_cooldown=60,
                    predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                        predefined_metric_type=metric, resource_label=label
                    ),
                ),
                opts=self._child,
            )
