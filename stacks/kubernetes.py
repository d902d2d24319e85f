"""The ``kubernetes`` phase (50K+ users): the app on an existing cluster, hardened.

A namespace of its own (restricted Pod Security Standard), the app's secrets in a Secret,
the backend (3+ replicas, HPA on CPU, PDB) and the nginx frontend, each with a
NetworkPolicy, and one TLS Ingress (``/api`` to the backend, ``/`` to the frontend). The
database is external (Atlas or DocumentDB): its URI comes from the ``mongoUri`` secret.
Cost: the cluster's nodes (and $73/month for an EKS control plane); the workloads request
~1 vCPU and ~1 GiB in total at 3 backend and 2 frontend replicas.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.workload import Resources, Workload, WorkloadArgs
from infra.config.model import StackConfig
from stacks.common import app_secrets, aws_network, stack_key

SECRET_NAME = "nowry-app"
FRONTEND_WRITABLE = ("/tmp", "/var/cache/nginx", "/var/run")


def build(config: StackConfig) -> dict[str, Any]:
    kube = config.kubernetes
    provider, cluster_outputs = _provider(config)
    opts = pulumi.ResourceOptions(provider=provider)
    labels = {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
    }
    namespace = k8s.core.v1.Namespace("namespace", metadata={"name": kube.namespace, "labels": labels}, opts=opts)
    in_namespace = pulumi.ResourceOptions(provider=provider, depends_on=[namespace])
    secrets = app_secrets(config)
    k8s.core.v1.Secret(
        "app-secrets",
        metadata={"name": SECRET_NAME, "namespace": kube.namespace},
        type="Opaque",
        string_data=secrets,
        opts=in_namespace,
    )
    backend_cfg = config.backend
    assert backend_cfg.image is not None, "validated: the kubernetes phase runs a published image"
    backend = Workload(
        "backend",
        WorkloadArgs(
            namespace=kube.namespace,
            image=backend_cfg.image,
            port=backend_cfg.port,
            replicas=kube.replicas,
            health_path=backend_cfg.health_path,
            resources=Resources(kube.cpu_request, kube.cpu_limit, kube.memory_request, kube.memory_limit),
            run_as_user=kube.run_as_user,
            secret_name=SECRET_NAME,
            secret_keys=sorted(secrets),
            env={"PORT": str(backend_cfg.port), **backend_cfg.env},
            ingress_from_namespace=kube.ingress_namespace,
            egress_ports=(443, config.database.port, 6379),
            min_available=max(1, kube.min_replicas - 1),
        ),
        opts=in_namespace,
    )
    k8s.autoscaling.v2.HorizontalPodAutoscaler(
        "backend-hpa",
        metadata={"name": "backend", "namespace": kube.namespace},
        spec={
            "scale_target_ref": {"api_version": "apps/v1", "kind": "Deployment", "name": "backend"},
            "min_replicas": kube.min_replicas,
            "max_replicas": kube.max_replicas,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "average_utilization": kube.cpu_target_percent},
                    },
                }
            ],
        },
        opts=pulumi.ResourceOptions(provider=provider, depends_on=[backend]),
    )
    frontend_image = config.frontend.image
    assert frontend_image is not None, "validated: the kubernetes phase runs a frontend image"
    frontend = Workload(
        "frontend",
        WorkloadArgs(
            namespace=kube.namespace,
            image=frontend_image,
            port=config.frontend.port,
            replicas=kube.frontend_replicas,
            health_path="/",
            resources=Resources("50m", "200m", "64Mi", "128Mi"),
            run_as_user=kube.run_as_user,
            writable_dirs=FRONTEND_WRITABLE,
            ingress_from_namespace=kube.ingress_namespace,
        ),
        opts=in_namespace,
    )
    _ingress(config, provider, [backend, frontend])
    k8s.networking.v1.NetworkPolicy(
        "default-deny",
        metadata={"name": "default-deny", "namespace": kube.namespace},
        spec={"pod_selector": {}, "policy_types": ["Ingress", "Egress"]},
        opts=in_namespace,
    )
    watch = kube.observability
    if watch.enabled:
        from components.kubernetes.observability import Observability, ObservabilityArgs

        Observability(
            "observability",
            ObservabilityArgs(
                namespace=watch.namespace,
                app_namespace=kube.namespace,
                app_port=backend_cfg.port,
                prometheus_stack_version=watch.prometheus_stack_version,
                loki_version=watch.loki_version,
                alloy_version=watch.alloy_version,
                prometheus_retention_days=watch.prometheus_retention_days,
                prometheus_storage_gi=watch.prometheus_storage_gi,
                loki_storage_gi=watch.loki_storage_gi,
                grafana_storage_gi=watch.grafana_storage_gi,
                prometheus_cpu=watch.prometheus_cpu,
                prometheus_memory=watch.prometheus_memory,
                loki_cpu=watch.loki_cpu,
                loki_memory=watch.loki_memory,
                protect=config.protect,
            ),
            opts=pulumi.ResourceOptions(provider=provider, depends_on=[backend]),
        )
    elif kube.prometheus_operator:
        k8s.apiextensions.CustomResource(
            "backend-service-monitor",
            api_version="monitoring.coreos.com/v1",
            kind="ServiceMonitor",
            metadata={"name": "backend", "namespace": kube.namespace},
            spec={
                "selector": {"matchLabels": {"app.kubernetes.io/name": "backend"}},
                "endpoints": [{"port": "http", "path": "/metrics", "interval": "30s"}],
            },
            opts=pulumi.ResourceOptions(provider=provider, depends_on=[backend]),
        )
    return {
        "siteUrl": f"https://{kube.host}",
        "apiUrl": f"https://{kube.host}/api",
        "namespace": kube.namespace,
        **cluster_outputs,
    }


def _provider(config: StackConfig) -> tuple[k8s.Provider, dict[str, Any]]:
    """The cluster: an existing one from kubeconfig/context, or an EKS cluster built here (with
    what the deploy's runner in the VPC needs to know: the cluster, the VPC, the private subnets
    and the security group that reaches the private API)."""
    kube = config.kubernetes
    if kube.cluster == "existing":
        return k8s.Provider("cluster", context=kube.context, kubeconfig=kube.kubeconfig), {}
    from components.aws.eks_cluster import EksCluster, EksClusterArgs

    # The key's policy names the cluster role, which the cluster (encrypted with the key) runs as:
    # role -> key -> cluster. The role's ARN is handed to the key once the component made the role.
    cluster_role_arn, resolve_cluster_role_arn = pulumi.deferred_output()
    key, _ = stack_key(config, eks_cluster_role_arn=cluster_role_arn)
    network = aws_network(config, key.key.arn)
    eks = EksCluster(
        "eks",
        EksClusterArgs(
            private_subnet_ids=network.private_subnet_ids,
            public_subnet_ids=network.public_subnet_ids,
            region=config.aws_region,
            version=kube.eks_version,
            instance_type=kube.node_instance_type,
            nodes=kube.nodes,
            max_nodes=kube.max_nodes,
            vpc_id=network.vpc.id,
            api_cidrs=kube.api_cidrs,
            admin_role_arns=kube.admin_role_arns,
            log_retention_days=config.log_retention_days,
            kms_key_arn=key.key.arn,
        ),
    )
    resolve_cluster_role_arn(eks.cluster_role.arn)
    outputs = {
        "clusterName": eks.cluster.name,
        "vpcId": network.vpc.id,
        "privateSubnetIds": network.private_subnet_ids,
        "apiClientSecurityGroupId": eks.api_clients.id,
    }
    return k8s.Provider("cluster", kubeconfig=eks.kubeconfig), outputs


def _ingress(config: StackConfig, provider: k8s.Provider, workloads: list[Workload]) -> None:
    kube = config.kubernetes

    def path(prefix: str, service: str, port: int) -> k8s.networking.v1.HTTPIngressPathArgsDict:
        return {
            "path": prefix,
            "path_type": "Prefix",
            "backend": {"service": {"name": service, "port": {"number": port}}},
        }

    k8s.networking.v1.Ingress(
        "ingress",
        metadata={"name": "nowry", "namespace": kube.namespace},
        spec={
            "ingress_class_name": kube.ingress_class,
            "tls": [{"hosts": [kube.host], "secret_name": kube.tls_secret}],
            "rules": [
                {
                    "host": kube.host,
                    "http": {
                        "paths": [
                            path("/api", "backend", config.backend.port),
                            path("/", "frontend", config.frontend.port),
                        ]
                    },
                }
            ],
        },
        opts=pulumi.ResourceOptions(provider=provider, depends_on=workloads),
    )
