"""ECS tasks and services and ECR: hardened containers, secrets never in plain environment, logs, safe deployments."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from infra.tool.rules.common import each_has, is_or_unknown
from infra.tool.rules.model import Rule, StackRule, Subject
from infra.tool.rules.types import (
    DOCKER_CONTAINER,
    ECS_CLUSTER,
    K8S_DEPLOYMENT,
    LIFECYCLE,
    REPOSITORY,
    SERVICE,
    TASK_DEFINITION,
)

ROOT_ALLOWED = (
    "a FireLens log router (FireLens runs Fluent Bit as root: aws/containers-roadmap#2122) or a one-shot step "
    "other containers wait for (non-essential, no ports, no secrets: it prepares volumes, which Fargate creates "
    "owned by root, aws/containers-roadmap#938, and exits)"
)
LOG_SECRET_OPTIONS = ("header", "apikey", "api_key", "http_passwd", "license_key", "token")
"""Log-driver options that carry credentials (Fluent Bit's http ``Header``, Datadog's ``apikey``, ...)."""
SECRET_WORDS = ("KEY", "SECRET", "TOKEN", "PASSWORD", "PASSWD", "MONGO_URI", "REDIS_URL", "DSN")


def _containers(s: Subject) -> list[dict[str, Any]]:
    definitions = s.json("containerDefinitions")
    return definitions if isinstance(definitions, list) else []


def _no_public_ip(s: Subject) -> Iterable[str]:
    if s.get("networkConfiguration", "assignPublicIp") is True:
        yield "tasks get a public IP"


def _root_allowed(container: dict[str, Any], containers: list[dict[str, Any]]) -> bool:
    """Root is allowed only where ``ROOT_ALLOWED`` says."""
    if (container.get("firelensConfiguration") or {}).get("type") == "fluentbit":
        return True
    name = container.get("name")
    awaited = any(
        dependency.get("containerName") == name and dependency.get("condition") in ("SUCCESS", "COMPLETE")
        for other in containers
        for dependency in other.get("dependsOn") or []
    )
    one_shot = (
        container.get("essential") is False and not container.get("secrets") and not container.get("portMappings")
    )
    return awaited and one_shot


def _container_hardening(s: Subject) -> Iterable[str]:
    containers = _containers(s)
    for container in containers:
        name = container.get("name", "?")
        if container.get("readonlyRootFilesystem") is not True:
            yield f"container {name}: root filesystem is writable"
        if container.get("privileged") is True:
            yield f"container {name}: privileged"
        root = str(container.get("user", "")).split(":")[0] in ("", "0", "root")
        if root and not _root_allowed(container, containers):
            yield f"container {name}: runs as root (set a non-root user; root only for {ROOT_ALLOWED})"


def _plain_env(s: Subject) -> Iterable[tuple[str, str]]:
    """(container, variable name) of every plain (non-secret) environment variable: ECS
    container definitions, Docker containers (``NAME=value``) and Kubernetes Deployments."""
    if s.type == TASK_DEFINITION:
        for container in _containers(s):
            for variable in container.get("environment") or []:
                yield str(container.get("name")), str(variable.get("name", ""))
    elif s.type == DOCKER_CONTAINER:
        for entry in s.get("envs") or []:
            if isinstance(entry, str) and "=" in entry:
                yield str(s.get("name") or s.name), entry.partition("=")[0]
    elif s.type == K8S_DEPLOYMENT:
        for container in s.get("spec", "template", "spec", "containers") or []:
            for variable in container.get("env") or []:
                if "value" in variable and "valueFrom" not in variable:
                    yield str(container.get("name")), str(variable.get("name", ""))


def _secrets_not_env(s: Subject) -> Iterable[str]:
    for container, variable in _plain_env(s):
        name = variable.upper()
        if any(word in name for word in SECRET_WORDS):
            yield f"container {container}: {name} is plain environment; use secrets"
    for container in _containers(s) if s.type == TASK_DEFINITION else []:
        for option, value in ((container.get("logConfiguration") or {}).get("options") or {}).items():
            if option.lower() in LOG_SECRET_OPTIONS or "bearer " in str(value).lower():
                yield f"container {container.get('name')}: log option {option} is plain text; use secretOptions"


def _container_logging(s: Subject) -> Iterable[str]:
    """awslogs everywhere, or FireLens for containers whose task has a FireLens router that itself
    logs to CloudWatch (the router's own failures stay visible in AWS)."""
    containers = _containers(s)
    router_logged = any(
        c.get("firelensConfiguration") and (c.get("logConfiguration") or {}).get("logDriver") == "awslogs"
        for c in containers
    )
    for container in containers:
        driver = (container.get("logConfiguration") or {}).get("logDriver")
        if driver == "awsfirelens" and router_logged:
            continue
        if driver != "awslogs":
            yield f"container {container.get('name')}: no awslogs logging (nor FireLens with a router on awslogs)"


def _container_insights(s: Subject) -> Iterable[str]:
    settings = s.get("settings") or []
    if not any(x.get("name") == "containerInsights" and x.get("value") in ("enabled", "enhanced") for x in settings):
        yield "Container Insights is off"


def _service_deployment(s: Subject) -> Iterable[str]:
    breaker = s.get("deploymentCircuitBreaker") or {}
    if breaker.get("enable") is not True or breaker.get("rollback") is not True:
        yield "no deployment circuit breaker with rollback"
    if s.get("platformVersion") not in (None, "LATEST") and s.get("launchType") == "FARGATE":
        yield f"platform version pinned to {s.get('platformVersion')}, not LATEST"
    if s.get("loadBalancers") and not s.get("healthCheckGracePeriodSeconds"):
        yield "no health-check grace period"


def _separate_roles(s: Subject) -> Iterable[str]:
    execution, task = s.get("executionRoleArn"), s.get("taskRoleArn")
    if execution and execution == task:
        yield "the execution role is also the task role"


def _ecr(s: Subject) -> Iterable[str]:
    if s.get("imageScanningConfiguration", "scanOnPush") is not True:
        yield "images are not scanned on push"
    if not is_or_unknown(s.get("imageTagMutability"), "IMMUTABLE"):
        yield "image tags are mutable"


RULES: tuple[Rule, ...] = (
    Rule("ecs-no-public-ip", "Tasks get no public IP", "FSBP ECS.2", (SERVICE,), _no_public_ip, severity="medium"),
    Rule("ecs-container-hardening", "Every container (sidecars too): read-only root filesystem, not privileged, "
         "non-root user (root only for a FireLens router or a one-shot volume step)",
         "FSBP ECS.5, ECS.4; CKV_AWS_336, CKV_AWS_334", (TASK_DEFINITION,), _container_hardening),
    Rule("ecs-secrets-not-environment",
         "Credentials reach containers through secrets (log options through secretOptions), never plain "
         "environment (ECS, Docker, Kubernetes)",
         "FSBP ECS.8", (TASK_DEFINITION, DOCKER_CONTAINER, K8S_DEPLOYMENT), _secrets_not_env, severity="critical"),
    Rule("ecs-awslogs", "Containers log to CloudWatch with awslogs, or through a FireLens router that does",
         "FSBP ECS.9", (TASK_DEFINITION,),
         _container_logging, severity="medium"),
    Rule("ecs-container-insights", "Container Insights on the cluster", "FSBP ECS.12; CKV_AWS_65", (ECS_CLUSTER,),
         _container_insights, severity="low"),
    Rule("ecs-deployment-safety", "Circuit breaker with rollback, platform LATEST, health-check grace period",
         "FSBP ECS.10; CKV_AWS_332", (SERVICE,), _service_deployment, severity="medium"),
    Rule("ecs-separate-roles", "The execution role is not the task role", "CKV_AWS_249", (TASK_DEFINITION,),
         _separate_roles),
    Rule("ecr-scan-immutable", "Scan on push and immutable tags", "FSBP ECR.1, ECR.2; CKV_AWS_163, CKV_AWS_51",
         (REPOSITORY,), _ecr, severity="medium"),
)  # fmt: skip

STACK_RULES: tuple[StackRule, ...] = (
    StackRule("ecr-lifecycle-policy", "Every repository has a lifecycle policy", "FSBP ECR.3",
              each_has(REPOSITORY, LIFECYCLE, "repository", "repository has no lifecycle policy"), severity="low"),
)  # fmt: skip
