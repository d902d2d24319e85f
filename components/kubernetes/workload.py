"""Workload: one hardened Deployment with its Service, PodDisruptionBudget and NetworkPolicy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

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

    def spec(self) -> k8s.core.v1.ResourceRequirementsArgsDict:
        return {
            "requests": {"cpu": self.cpu_request, "memory": self.memory_request},
            "limits": {"cpu": self.cpu_limit, "memory": self.memory_limit},
        }


@dataclass(frozen=True, kw_only=True)
class WorkloadArgs:
    namespace: str
    image: str
    port: int
    replicas: int
    health_path: str
    resources: Resources
    run_as_user: int
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
            metadata=self._metadata(name),
            spec={
                "type": "ClusterIP",
                "selector": self._labels,
                "ports": [{"name": "http", "port": args.port, "target_port": "http", "protocol": "TCP"}],
            },
            opts=self._child,
        )
        k8s.policy.v1.PodDisruptionBudget(
            f"{name}-pdb",
            metadata=self._metadata(name),
            spec={"min_available": args.min_available, "selector": {"match_labels": self._labels}},
            opts=self._child,
        )
        self._network_policy()
        self.register_outputs({"service": name})

    def _metadata(self, name: str, annotations: Mapping[str, str] | None = None) -> k8s.meta.v1.ObjectMetaArgsDict:
        metadata: k8s.meta.v1.ObjectMetaArgsDict = {
            "name": name,
            "namespace": self._args.namespace,
            "labels": self._labels,
        }
        if annotations:
            metadata["annotations"] = dict(annotations)
        return metadata

    def _container(self) -> k8s.core.v1.ContainerArgsDict:
        a = self._args
        plain: list[k8s.core.v1.EnvVarArgsDict] = [{"name": k, "value": v} for k, v in sorted(a.env.items())]
        from_secret: list[k8s.core.v1.EnvVarArgsDict] = [
            {"name": key, "value_from": {"secret_key_ref": {"name": a.secret_name, "key": key}}}
            for key in a.secret_keys
        ]
        env = plain + from_secret

        def probe(initial_delay_seconds: int) -> k8s.core.v1.ProbeArgsDict:
            return {
                "http_get": {"path": a.health_path, "port": "http"},
                "period_seconds": 10,
                "timeout_seconds": 3,
                "initial_delay_seconds": initial_delay_seconds,
                "failure_threshold": 3,
            }

        return {
            "name": self._name,
            "image": a.image,
            "image_pull_policy": "Always",
            "ports": [{"name": "http", "container_port": a.port, "protocol": "TCP"}],
            "env": env,
            "resources": a.resources.spec(),
            "liveness_probe": probe(initial_delay_seconds=15),
            "readiness_probe": probe(initial_delay_seconds=5),
            "security_context": {
                "run_as_non_root": True,
                "run_as_user": a.run_as_user,
                "run_as_group": a.run_as_user,
                "read_only_root_filesystem": True,
                "allow_privilege_escalation": False,
                "privileged": False,
                "capabilities": {"drop": ["ALL"]},
                "seccomp_profile": {"type": "RuntimeDefault"},
            },
            "volume_mounts": [{"name": f"writable-{i}", "mount_path": path} for i, path in enumerate(a.writable_dirs)],
        }

    def _deployment(self) -> k8s.apps.v1.Deployment:
        a = self._args
        skips = [TAG_PINNED_REASON] + ([ENV_SECRETS_REASON] if a.secret_keys else [])
        annotations = {f"checkov.io/skip{i + 1}": reason for i, reason in enumerate(skips)}
        pod: k8s.core.v1.PodTemplateSpecArgsDict = {
            "metadata": {"labels": self._labels, "annotations": annotations},
            "spec": {
                "automount_service_account_token": False,
                "security_context": {
                    "run_as_non_root": True,
                    "run_as_user": a.run_as_user,
                    "run_as_group": a.run_as_user,
                    "fs_group": a.run_as_user,
                    "seccomp_profile": {"type": "RuntimeDefault"},
                },
                "containers": [self._container()],
                "volumes": [{"name": f"writable-{i}", "empty_dir": {}} for i in range(len(a.writable_dirs))],
            },
        }
        return k8s.apps.v1.Deployment(
            f"{self._name}-deployment",
            metadata=self._metadata(self._name, annotations),
            spec={
                "replicas": a.replicas,
                "selector": {"match_labels": self._labels},
                "strategy": {"type": "RollingUpdate", "rolling_update": {"max_unavailable": 0, "max_surge": 1}},
                "template": pod,
            },
            opts=self._child,
        )

    def _network_policy(self) -> None:
        a = self._args
        ingress: list[k8s.networking.v1.NetworkPolicyIngressRuleArgsDict] = []
        if a.ingress_from_namespace:
            source: k8s.networking.v1.NetworkPolicyPeerArgsDict = {
                "namespace_selector": {"match_labels": {"kubernetes.io/metadata.name": a.ingress_from_namespace}}
            }
            ingress.append({"from_": [source], "ports": [{"protocol": "TCP", "port": a.port}]})
        dns: k8s.networking.v1.NetworkPolicyEgressRuleArgsDict = {
            "to": [{"namespace_selector": {}}],
            "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
        }
        ports: list[k8s.networking.v1.NetworkPolicyEgressRuleArgsDict] = [
            {"ports": [{"protocol": "TCP", "port": port}]} for port in a.egress_ports
        ]
        egress = [dns, *ports]
        k8s.networking.v1.NetworkPolicy(
            f"{self._name}-network-policy",
            metadata=self._metadata(self._name),
            spec={
                "pod_selector": {"match_labels": self._labels},
                "policy_types": ["Ingress", "Egress"],
                "ingress": ingress,
                "egress": egress,
            },
            opts=self._child,
        )
