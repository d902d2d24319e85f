"""Workload: one hardened Deployment with its Service, PodDisruptionBudget and NetworkPolicy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes import k8s_object

TAG_PINNED_REASON = (
    "CKV_K8S_43=Images are pinned by an immutable release tag (config refuses latest); "
    "the registry keeps tags immutable"
)
ENV_SECRETS_REASON = (
    "CKV_K8S_35=The FastAPI app reads its settings from environment variables; the values come from "
    "a Secret through secretKeyRef and never appear in the manifest"
)


@dataclass(frozen=True)
class Resources:
    cpu_request: str = "250m"
    cpu_limit: str = "500m"
    memory_request: str = "256Mi"
    memory_limit: str = "512Mi"

    def spec(self) -> dict[str, Any]:
        return {
            "requests": {"cpu": self.cpu_request, "memory": self.memory_request},
            "limits": {"cpu": self.cpu_limit, "memory": self.memory_limit},
        }


@dataclass(frozen=True)
class WorkloadArgs:
    namespace: str
    image: str
    port: int
    replicas: int
    health_path: str
    resources: Resources
    run_as_user: int = 10001
    secret_name: str | None = None
    secret_keys: Sequence[str] = ()
    """Keys of ``secret_name`` passed to the container as environment variables."""
    env: Mapping[str, str] = field(default_factory=dict)
    writable_dirs: Sequence[str] = ("/tmp",)
    """Directories given a writable emptyDir (the root filesystem is read-only)."""
    ingress_from_namespace: str | None = None
    """Namespace of the ingress controller allowed to reach this workload."""
    egress_ports: Sequence[int] = ()
    """TCP ports this workload may connect out to (DNS is always allowed)."""
    min_available: int = 1


class Workload(pulumi.ComponentResource):
    """A Deployment that passes the restricted Pod Security Standard and Checkov's checks.

    Builds: a Deployment, a ClusterIP Service, a PodDisruptionBudget and a NetworkPolicy
    (ingress only from the ingress controller's namespace on the app port; egress only to
    DNS and ``egress_ports``).
    Secure defaults: non-root UID >= 10000, read-only root filesystem with writable
    emptyDirs, no privilege escalation, all capabilities dropped, seccomp RuntimeDefault,
    no service-account token, liveness and readiness probes, requests and limits, image
    always pulled and pinned by tag or digest.
    Cost: nothing beyond the cluster's nodes (requests decide how many pods fit a node).
    """

    deployment: k8s.apps.v1.Deployment
    service: k8s.core.v1.Service

    def __init__(self, name: str, args: WorkloadArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:kubernetes:Workload", name, None, opts)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        self._labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "nowry"}
        self.deployment = self._deployment()
        self.service = k8s.core.v1.Service(
            f"{name}-service",
            metadata=k8s_object(self._metadata(name)),
            spec=k8s_object(
                {
                    "type": "ClusterIP",
                    "selector": self._labels,
                    "ports": [{"name": "http", "port": args.port, "targetPort": "http", "protocol": "TCP"}],
                }
            ),
            opts=self._child,
        )
        k8s.policy.v1.PodDisruptionBudget(
            f"{name}-pdb",
            metadata=k8s_object(self._metadata(name)),
            spec=k8s_object({"minAvailable": args.min_available, "selector": {"matchLabels": self._labels}}),
            opts=self._child,
        )
        self._network_policy()
        self.register_outputs({"service": name})

    def _metadata(self, name: str, annotations: Mapping[str, str] | None = None) -> dict[str, Any]:
        metadata: dict[str, Any] = {"name": name, "namespace": self._args.namespace, "labels": self._labels}
        if annotations:
            metadata["annotations"] = dict(annotations)
        return metadata

    def _container(self) -> dict[str, Any]:
        a = self._args
        env: list[dict[str, Any]] = [{"name": k, "value": v} for k, v in sorted(a.env.items())]
        env += [
            {"name": key, "valueFrom": {"secretKeyRef": {"name": a.secret_name, "key": key}}} for key in a.secret_keys
        ]
        probe = {"httpGet": {"path": a.health_path, "port": "http"}, "periodSeconds": 10, "timeoutSeconds": 3}
        return {
            "name": self._name,
            "image": a.image,
            "imagePullPolicy": "Always",
            "ports": [{"name": "http", "containerPort": a.port, "protocol": "TCP"}],
            "env": env,
            "resources": a.resources.spec(),
            "livenessProbe": {**probe, "initialDelaySeconds": 15, "failureThreshold": 3},
            "readinessProbe": {**probe, "initialDelaySeconds": 5, "failureThreshold": 3},
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": a.run_as_user,
                "runAsGroup": a.run_as_user,
                "readOnlyRootFilesystem": True,
                "allowPrivilegeEscalation": False,
                "privileged": False,
                "capabilities": {"drop": ["ALL"]},
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "volumeMounts": [{"name": f"writable-{i}", "mountPath": path} for i, path in enumerate(a.writable_dirs)],
        }

    def _deployment(self) -> k8s.apps.v1.Deployment:
        a = self._args
        skips = [TAG_PINNED_REASON] + ([ENV_SECRETS_REASON] if a.secret_keys else [])
        annotations = {f"checkov.io/skip{i + 1}": reason for i, reason in enumerate(skips)}
        pod = {
            "metadata": {"labels": self._labels, "annotations": annotations},
            "spec": {
                "automountServiceAccountToken": False,
                "securityContext": {
                    "runAsNonRoot": True,
                    "runAsUser": a.run_as_user,
                    "runAsGroup": a.run_as_user,
                    "fsGroup": a.run_as_user,
                    "seccompProfile": {"type": "RuntimeDefault"},
                },
                "containers": [self._container()],
                "volumes": [{"name": f"writable-{i}", "emptyDir": {}} for i in range(len(a.writable_dirs))],
            },
        }
        return k8s.apps.v1.Deployment(
            f"{self._name}-deployment",
            metadata=k8s_object(self._metadata(self._name, annotations)),
            spec=k8s_object(
                {
                    "replicas": a.replicas,
                    "selector": {"matchLabels": self._labels},
                    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
                    "template": pod,
                }
            ),
            opts=self._child,
        )

    def _network_policy(self) -> None:
        a = self._args
        ingress = []
        if a.ingress_from_namespace:
            source = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": a.ingress_from_namespace}}}
            ingress.append({"from": [source], "ports": [{"protocol": "TCP", "port": a.port}]})
        dns = {
            "to": [{"namespaceSelector": {}}],
            "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
        }
        egress = [dns] + [{"ports": [{"protocol": "TCP", "port": port}]} for port in a.egress_ports]
        k8s.networking.v1.NetworkPolicy(
            f"{self._name}-network-policy",
            metadata=k8s_object(self._metadata(self._name)),
            spec=k8s_object(
                {
                    "podSelector": {"matchLabels": self._labels},
                    "policyTypes": ["Ingress", "Egress"],
                    "ingress": ingress,
                    "egress": egress,
                }
            ),
            opts=self._child,
        )
