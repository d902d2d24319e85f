"""Observability: the self-hosted monitoring stack of the kubernetes phase — Prometheus,
Alertmanager and Grafana (kube-prometheus-stack), Grafana Loki for logs and Grafana Alloy
shipping every pod's logs to it — plus Nowry's own scrape target, alerts and dashboard."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

PROMETHEUS_REPO = "https://prometheus-community.github.io/helm-charts"
GRAFANA_REPO = "https://grafana.github.io/helm-charts"
ADMIN_SECRET = "grafana-admin"
DASHBOARD_LABEL = "grafana_dashboard"
"""The label Grafana's dashboard sidecar loads ConfigMaps by (the chart's default)."""
LOKI_PUSH = "http://loki.{namespace}.svc:3100/loki/api/v1/push"


@dataclass(frozen=True, kw_only=True)
class ObservabilityArgs:
    namespace: str
    app_namespace: str
    app_port: int
    prometheus_stack_version: str
    loki_version: str
    alloy_version: str
    prometheus_retention_days: int
    prometheus_storage_gi: int
    loki_storage_gi: int
    grafana_storage_gi: int
    prometheus_cpu: str
    prometheus_memory: str
    loki_cpu: str
    loki_memory: str
    protect: bool


def prometheus_stack_values(args: ObservabilityArgs) -> dict[str, Any]:
    """kube-prometheus-stack: Prometheus picks up every ServiceMonitor and PrometheusRule (not
    only the chart's own), Grafana's admin comes from a Secret, its sidecar loads dashboards."""
    return {
        "prometheus": {"prometheusSpec": {
            "retention": f"{args.prometheus_retention_days}d",
            "serviceMonitorSelectorNilUsesHelmValues": False,
            "ruleSelectorNilUsesHelmValues": False,
            "resources": {"requests": {"cpu": args.prometheus_cpu, "memory": args.prometheus_memory},
                          "limits": {"memory": args.prometheus_memory}},
            "storageSpec": {"volumeClaimTemplate": {"spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": f"{args.prometheus_storage_gi}Gi"}}}}},
        }},
        "alertmanager": {"alertmanagerSpec": {"resources": {"requests": {"cpu": "50m", "memory": "128Mi"},
                                                            "limits": {"memory": "128Mi"}}}},
        "grafana": {
            "admin": {"existingSecret": ADMIN_SECRET, "userKey": "admin-user", "passwordKey": "admin-password"},
            "persistence": {"enabled": True, "size": f"{args.grafana_storage_gi}Gi"},
            "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "256Mi"}},
            "sidecar": {"dashboards": {"enabled": True, "label": DASHBOARD_LABEL, "searchNamespace": "ALL"}},
            "additionalDataSources": [{"name": "Loki", "type": "loki", "access": "proxy",
                                       "url": f"http://loki.{args.namespace}.svc:3100"}],
        },
    }  # fmt: skip


def loki_values(args: ObservabilityArgs) -> dict[str, Any]:
    """One Loki process (SingleBinary) on a volume: the scale of one app's logs."""
    return {
        "deploymentMode": "SingleBinary",
        "loki": {
            "auth_enabled": False,
            "commonConfig": {"replication_factor": 1},
            "storage": {"type": "filesystem"},
            "schemaConfig": {"configs": [{"from": "2024-01-01", "store": "tsdb", "object_store": "filesystem",
                                          "schema": "v13", "index": {"prefix": "index_", "period": "24h"}}]},
        },
        "singleBinary": {
            "replicas": 1,
            "persistence": {"size": f"{args.loki_storage_gi}Gi"},
            "resources": {"requests": {"cpu": args.loki_cpu, "memory": args.loki_memory},
                          "limits": {"memory": args.loki_memory}},
        },
        **{part: {"replicas": 0} for part in ("read", "write", "backend")},
        "chunksCache": {"enabled": False},
        "resultsCache": {"enabled": False},
        "gateway": {"enabled": False},
    }  # fmt: skip


def alloy_values(args: ObservabilityArgs) -> dict[str, Any]:
    """Alloy as a DaemonSet tailing its node's pods' logs through the Kubernetes API and pushing
    them to Loki."""
    config = "\n".join([
        'discovery.kubernetes "pods" { role = "pod" }',
        'loki.source.kubernetes "pods" {',
        "  targets    = discovery.kubernetes.pods.targets",
        "  forward_to = [loki.write.local.receiver]",
        "}",
        'loki.write "local" {',
        f'  endpoint {{ url = "{LOKI_PUSH.format(namespace=args.namespace)}" }}',
        "}",
    ])  # fmt: skip
    return {
        "controller": {"type": "daemonset"},
        "alloy": {
            "configMap": {"content": config},
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
        },
    }


def alert_rules(app_namespace: str) -> dict[str, Any]:
    """The API's alerts. The backend exposes ``http_requests_total`` and
    ``http_request_duration_seconds`` (prometheus-fastapi-instrumentator's names)."""
    scope = f'namespace="{app_namespace}", job="backend"'
    rules = [
        ("NowryApi5xxRate", f'sum(rate(http_requests_total{{{scope}, status=~"5.."}}[5m])) / '
         f"sum(rate(http_requests_total{{{scope}}}[5m])) > 0.05", "more than 5% of API requests fail"),
        ("NowryApiLatencyP95", "histogram_quantile(0.95, sum by (le) "
         f"(rate(http_request_duration_seconds_bucket{{{scope}}}[5m]))) > 1", "the API's p95 latency is above 1 s"),
        ("NowryPodRestarts", f'increase(kube_pod_container_status_restarts_total{{namespace="{app_namespace}"}}[15m]) '
         "> 2", "a Nowry pod restarted more than twice in 15 minutes"),
        ("NowryHpaAtMaximum", f'kube_horizontalpodautoscaler_status_current_replicas{{namespace="{app_namespace}"}} '
         f'>= kube_horizontalpodautoscaler_spec_max_replicas{{namespace="{app_namespace}"}}',
         "the backend has been at its HPA maximum for 15 minutes"),
    ]  # fmt: skip
    return {"groups": [{"name": "nowry", "rules": [
        {"alert": name, "expr": expr, "for": "15m" if "Hpa" in name else "5m",
         "labels": {"severity": "warning"}, "annotations": {"summary": summary}}
        for name, expr, summary in rules]}]}  # fmt: skip


def dashboard(app_namespace: str) -> str:
    """Nowry's Grafana dashboard: request rate, 5xx rate, p95 latency, restarts, replicas."""
    scope = f'namespace="{app_namespace}", job="backend"'
    panels = [
        ("Requests per second", f"sum(rate(http_requests_total{{{scope}}}[5m]))"),
        ("5xx per second", f'sum(rate(http_requests_total{{{scope}, status=~"5.."}}[5m]))'),
        ("p95 latency (s)",
         f"histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{{{scope}}}[5m])))"),
        ("Pod restarts (1h)",
         f'sum(increase(kube_pod_container_status_restarts_total{{namespace="{app_namespace}"}}[1h]))'),
        ("Backend replicas", f'kube_horizontalpodautoscaler_status_current_replicas{{namespace="{app_namespace}"}}'),
    ]  # fmt: skip
    return json.dumps({
        "title": "Nowry", "uid": "nowry-api", "schemaVersion": 39, "time": {"from": "now-6h", "to": "now"},
        "panels": [{"id": i + 1, "type": "timeseries", "title": title,
                    "gridPos": {"x": (i % 2) * 12, "y": (i // 2) * 8, "w": 12, "h": 8},
                    "targets": [{"expr": expr, "refId": "A"}]} for i, (title, expr) in enumerate(panels)],
    }, sort_keys=True)  # fmt: skip


class Observability(pulumi.ComponentResource):
    """Metrics, alerts, dashboards and logs of the cluster and the app, self-hosted.

    Builds: a ``monitoring`` namespace; Helm v3 Releases (each chart version pinned, values
    built here) of kube-prometheus-stack (Prometheus, Alertmanager, Grafana), Loki
    (SingleBinary on a volume) and Alloy (a DaemonSet shipping pod logs to Loki); Grafana's
    admin credentials generated into a Secret the chart reads; the backend's ServiceMonitor, a
    PrometheusRule (5xx rate, p95 latency, pod restarts, HPA at its maximum) and a dashboard
    ConfigMap Grafana's sidecar loads; NetworkPolicies letting Prometheus scrape the backend and
    only Alloy and Grafana reach Loki.
    Secure defaults: the Grafana password generated, kept secret and never in chart values;
    requests and memory limits on every component; volumes sized in config. The namespace is
    labelled ``privileged`` for Pod Security: node-exporter reads the node (host network, host
    PID, host paths), which the restricted profile forbids — the app's namespace stays
    restricted. Alloy tails pod logs through the Kubernetes API, not the node's files.
    Cost: nothing beyond the cluster's nodes and volumes: ~1 vCPU and ~3 GiB requested, 45 GiB
    of volumes at the defaults.
    """

    def __init__(self, name: str, args: ObservabilityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:kubernetes:Observability", name, None, opts)
        ns = args.namespace
        child = pulumi.ResourceOptions(parent=self)
        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata={
                "name": ns,
                "labels": {
                    "pod-security.kubernetes.io/enforce": "privileged",
                    "pod-security.kubernetes.io/warn": "restricted",
                },
            },
            opts=child,
        )
        inside = pulumi.ResourceOptions(parent=self, depends_on=[namespace])
        password = random.RandomPassword(
            f"{name}-grafana-password", length=32, special=False,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )  # fmt: skip
        admin = k8s.core.v1.Secret(
            f"{name}-grafana-admin",
            metadata={"name": ADMIN_SECRET, "namespace": ns},
            type="Opaque",
            string_data={"admin-user": "admin", "admin-password": password.result},
            opts=inside,
        )
        stack = self._release(name, "kube-prometheus-stack", PROMETHEUS_REPO, args.prometheus_stack_version,
                              prometheus_stack_values(args), ns, [namespace, admin])  # fmt: skip
        loki = self._release(name, "loki", GRAFANA_REPO, args.loki_version, loki_values(args), ns, [namespace])
        self._release(name, "alloy", GRAFANA_REPO, args.alloy_version, alloy_values(args), ns, [loki])
        after_crds = pulumi.ResourceOptions(parent=self, depends_on=[stack])
        self._app_monitoring(name, args, after_crds)
        self._network_policies(name, args, inside)
        self.register_outputs({"namespace": ns})

    def _release(self, name: str, chart: str, repo: str, version: str, values: dict[str, Any], namespace: str,
                 after: list[pulumi.Resource]) -> k8s.helm.v3.Release:  # fmt: skip
        return k8s.helm.v3.Release(
            f"{name}-{chart}",
            name=chart,
            chart=chart,
            version=version,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=repo),
            namespace=namespace,
            values=values,
            atomic=True,
            cleanup_on_fail=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=after),
        )

    def _app_monitoring(self, name: str, args: ObservabilityArgs, opts: pulumi.ResourceOptions) -> None:
        app = args.app_namespace
        k8s.apiextensions.CustomResource(
            f"{name}-backend-service-monitor",
            api_version="monitoring.coreos.com/v1",
            kind="ServiceMonitor",
            metadata={"name": "backend", "namespace": app},
            spec={
                "selector": {"matchLabels": {"app.kubernetes.io/name": "backend"}},
                "endpoints": [{"port": "http", "path": "/metrics", "interval": "30s"}],
            },
            opts=opts,
        )
        k8s.apiextensions.CustomResource(
            f"{name}-alerts",
            api_version="monitoring.coreos.com/v1",
            kind="PrometheusRule",
            metadata={"name": "nowry", "namespace": app},
            spec=alert_rules(app),
            opts=opts,
        )
        k8s.core.v1.ConfigMap(
            f"{name}-dashboard",
            metadata={"name": "nowry-dashboard", "namespace": args.namespace, "labels": {DASHBOARD_LABEL: "1"}},
            data={"nowry.json": dashboard(app)},
            opts=opts,
        )

    def _network_policies(self, name: str, args: ObservabilityArgs, opts: pulumi.ResourceOptions) -> None:
        monitoring = {"kubernetes.io/metadata.name": args.namespace}
        k8s.networking.v1.NetworkPolicy(
            f"{name}-allow-scrape",
            metadata={"name": "allow-prometheus-scrape", "namespace": args.app_namespace},
            spec={
                "pod_selector": {"match_labels": {"app.kubernetes.io/name": "backend"}},
                "policy_types": ["Ingress"],
                "ingress": [
                    {
                        "from_": [
                            {
                                "namespace_selector": {"match_labels": monitoring},
                                "pod_selector": {"match_labels": {"app.kubernetes.io/name": "prometheus"}},
                            }
                        ],
                        "ports": [{"protocol": "TCP", "port": args.app_port}],
                    }
                ],
            },
            opts=opts,
        )
        k8s.networking.v1.NetworkPolicy(
            f"{name}-loki-ingress",
            metadata={"name": "loki-from-alloy-and-grafana", "namespace": args.namespace},
            spec={
                "pod_selector": {"match_labels": {"app.kubernetes.io/name": "loki"}},
                "policy_types": ["Ingress"],
                "ingress": [
                    {
                        "from_": [
                            {"pod_selector": {"match_labels": {"app.kubernetes.io/name": app}}}
                            for app in ("alloy", "grafana")
                        ],
                        "ports": [{"protocol": "TCP", "port": 3100}],
                    }
                ],
            },
            opts=opts,
        )
