"""The kubernetes phase's monitoring stack (`kubernetes.observability.enabled`): Helm v3 releases
the offline engine records with every input, the app's scrape target, alerts and dashboard."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from infra.tool.cli import app
from infra.tool.cost.estimate import estimate
from infra.tool.engine.plan import Plan
from infra.tool.engine.runner import plan_stack
from infra.tool.render_manifests import manifests, releases
from tests.conftest import PROJECT_DIR, plan_json_text

RELEASE = "kubernetes:helm.sh/v3:Release"


@pytest.fixture(scope="module")
def watched() -> Plan:
    return plan_stack(PROJECT_DIR, "k8s", ["nowry:kubernetes.observability.enabled=true"])


def test_off_by_default(watched):
    assert not plan_stack(PROJECT_DIR, "k8s").of_type(RELEASE)
    assert {r.inputs["chart"] for r in watched.of_type(RELEASE)} == {"kube-prometheus-stack", "loki", "alloy"}


def test_each_chart_is_pinned_to_a_version_from_its_repository(watched):
    for release in watched.of_type(RELEASE):
        inputs = release.inputs
        assert inputs["version"].count(".") == 2 and inputs["namespace"] == "monitoring"
        assert inputs["repositoryOpts"]["repo"].startswith("https://")
        assert inputs["atomic"] is True


def test_the_grafana_password_is_generated_and_never_in_chart_values(watched):
    stack = watched.one(RELEASE, "observability-kube-prometheus-stack").inputs["values"]
    assert stack["grafana"]["admin"] == {"existingSecret": "grafana-admin", "userKey": "admin-user",
                                         "passwordKey": "admin-password"}  # fmt: skip
    secret = watched.one("kubernetes:core/v1:Secret", "observability-grafana-admin")
    assert secret.inputs["stringData"] == "[secret]"  # the whole map: it holds the generated password
    assert "offline-random-observability-grafana-password" not in plan_json_text(watched)
    # generated once and kept: protected as the stack's production decision says (k8s states true)
    assert watched.one("random:index/randomPassword:RandomPassword", "observability-grafana-password").protect is True
    scratch = plan_stack(PROJECT_DIR, "k8s", ["nowry:kubernetes.observability.enabled=true", "nowry:production=false"])
    assert scratch.one("random:index/randomPassword:RandomPassword", "observability-grafana-password").protect is False


def test_prometheus_picks_up_the_apps_monitors_and_every_component_asks_for_resources(watched):
    stack = watched.one(RELEASE, "observability-kube-prometheus-stack").inputs["values"]
    spec = stack["prometheus"]["prometheusSpec"]
    assert spec["serviceMonitorSelectorNilUsesHelmValues"] is False and spec["retention"] == "15d"
    assert spec["storageSpec"]["volumeClaimTemplate"]["spec"]["resources"]["requests"]["storage"] == "20Gi"
    loki = watched.one(RELEASE, "observability-loki").inputs["values"]
    assert loki["deploymentMode"] == "SingleBinary" and loki["singleBinary"]["resources"]["limits"]["memory"]
    alloy = watched.one(RELEASE, "observability-alloy").inputs["values"]
    assert "loki.write" in alloy["alloy"]["configMap"]["content"]
    assert "http://loki.monitoring.svc:3100/loki/api/v1/push" in alloy["alloy"]["configMap"]["content"]
    lines = {i.name: i for i in estimate(watched).line_items if i.type == RELEASE}
    assert lines["observability-loki"].monthly == 0 and "cpu 250m, memory 512Mi" in lines["observability-loki"].basis


def test_alerts_dashboard_and_scrape_target_for_the_api(watched):
    rule = watched.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    alerts = {r["alert"] for r in rule.inputs["spec"]["groups"][0]["rules"]}
    assert alerts == {"NowryApi5xxRate", "NowryApiLatencyP95", "NowryPodRestarts", "NowryHpaAtMaximum"}
    monitor = watched.one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor")
    assert monitor.inputs["metadata"]["namespace"] == "nowry"
    dashboard = watched.one("kubernetes:core/v1:ConfigMap", "observability-dashboard").inputs
    assert dashboard["metadata"]["labels"] == {"grafana_dashboard": "1"}
    assert json.loads(dashboard["data"]["nowry.json"])["uid"] == "nowry-api"


def test_network_policies_let_prometheus_scrape_and_only_alloy_and_grafana_reach_loki(watched):
    scrape = watched.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "observability-allow-scrape").inputs
    source = scrape["spec"]["ingress"][0]["from"][0]
    assert source["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "monitoring"}
    assert source["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "prometheus"}
    loki = watched.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "observability-loki-ingress").inputs
    peers = {p["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for p in loki["spec"]["ingress"][0]["from"]}
    assert peers == {"alloy", "grafana"} and loki["spec"]["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 3100}]


def test_render_writes_the_releases_inputs_beside_the_manifests(watched, tmp_path):
    assert not any(doc.get("kind") == "Release" for _, doc in manifests(watched))
    assert [name for name, _ in releases(watched)] == [
        "helm-release-alloy.yaml", "helm-release-kube-prometheus-stack.yaml", "helm-release-loki.yaml"]  # fmt: skip
    out = tmp_path / "k8s"
    result = CliRunner().invoke(app, ["render", "k8s", "--out", str(out), "--project-dir", str(PROJECT_DIR),
                                      "--set", "nowry:kubernetes.observability.enabled=true"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "wrote 20 manifests and 3 Helm release inputs" in result.output
    loki = yaml.safe_load((out / "helm-release-loki.yaml").read_text())
    assert (loki["chart"], loki["repository"]) == ("loki", "https://grafana.github.io/helm-charts")


def test_a_chart_version_that_is_not_pinned_is_refused():
    result = CliRunner().invoke(app, ["plan", "k8s", "--project-dir", str(PROJECT_DIR),
                                      "--set", "nowry:kubernetes.observability.lokiVersion=latest"])  # fmt: skip
    assert result.exit_code == 2 and "nowry:kubernetes.observability.lokiVersion" in result.output
