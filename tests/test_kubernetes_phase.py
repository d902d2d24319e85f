"""The kubernetes phase: hardened workloads; rendered manifests that pass strict schema validation."""

from __future__ import annotations

import json

import pytest
import yaml
from kubernetes_validate import validate
from typer.testing import CliRunner

from infra.tool.cli import app
from infra.tool.engine.runner import plan_stack
from infra.tool.render_manifests import manifests
from tests.conftest import PROJECT_DIR, plan_json_text

KUBERNETES_VERSION = "1.33"
runner = CliRunner()


@pytest.fixture(scope="module")
def k8s():
    return plan_stack(PROJECT_DIR, "k8s")


@pytest.fixture(scope="module")
def docs(k8s) -> dict[str, dict]:
    return {f"{doc['kind']}/{doc['metadata']['name']}": doc for _, doc in manifests(k8s)}


def test_every_rendered_manifest_passes_strict_schema_validation(docs):
    assert len(docs) >= 12
    for name, doc in docs.items():
        validate(doc, KUBERNETES_VERSION, strict=True)  # raises ValidationError
        assert doc["metadata"].get("namespace", "nowry") == "nowry", name


def test_render_writes_one_file_per_resource_with_integers_as_integers(tmp_path):
    out = tmp_path / "manifests"
    result = runner.invoke(app, ["render", "k8s", "--out", str(out), "--project-dir", str(PROJECT_DIR)])
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.yaml"))
    assert files[0].name.endswith("namespace-nowry.yaml")  # applied first
    deployment = yaml.safe_load(next(f for f in files if "deployment-backend" in f.name).read_text())
    assert deployment["spec"]["replicas"] == 3 and isinstance(deployment["spec"]["replicas"], int)
    text = "".join(f.read_text() for f in files)
    assert "offline-secret" not in text and "offline-random" not in text


def test_render_of_a_stack_without_kubernetes_exits_2(tmp_path):
    result = runner.invoke(app, ["render", "local", "--out", str(tmp_path), "--project-dir", str(PROJECT_DIR)])
    assert result.exit_code == 2 and "no Kubernetes resources" in result.stderr


def test_hpa_pdb_and_network_policies_are_present(docs):
    hpa = docs["HorizontalPodAutoscaler/backend"]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (3, 10)
    assert hpa["metrics"][0]["resource"]["name"] == "cpu"
    assert docs["PodDisruptionBudget/backend"]["spec"]["minAvailable"] >= 1
    policies = {name for name in docs if name.startswith("NetworkPolicy/")}
    assert {"NetworkPolicy/backend", "NetworkPolicy/frontend", "NetworkPolicy/default-deny"} <= policies


def test_backend_is_hardened(docs):
    pod = docs["Deployment/backend"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    security = container["securityContext"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert security["runAsNonRoot"] is True and security["runAsUser"] >= 10000
    assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["readinessProbe"]
    assert {"name": "writable-0", "mountPath": "/tmp"} in container["volumeMounts"]
    assert not container["image"].endswith(":latest")
    assert container["resources"] == {
        "requests": {"cpu": "250m", "memory": "256Mi"},
        "limits": {"cpu": "500m", "memory": "512Mi"},
    }


def test_secrets_come_from_a_secret_and_every_checkov_skip_has_a_reason(docs):
    container = docs["Deployment/backend"]["spec"]["template"]["spec"]["containers"][0]
    refs = {e["name"]: e["valueFrom"]["secretKeyRef"]["name"] for e in container["env"] if "valueFrom" in e}
    assert set(refs) == {"GROQ_API_KEY", "SECRET_KEY", "MONGO_URI"} and set(refs.values()) == {"nowry-app"}
    secret = docs["Secret/nowry-app"]
    assert set(secret["stringData"].values()) == {"[secret]"}
    for name, doc in docs.items():
        for key, value in (doc["metadata"].get("annotations") or {}).items():
            if key.startswith("checkov.io/skip"):
                check, _, reason = value.partition("=")
                assert check.startswith("CKV") and len(reason) > 20, name


def test_network_policy_allows_only_the_ingress_controller_in_and_data_ports_out(docs):
    spec = docs["NetworkPolicy/backend"]["spec"]
    source = spec["ingress"][0]["from"][0]["namespaceSelector"]["matchLabels"]
    assert source == {"kubernetes.io/metadata.name": "ingress-nginx"}
    ports = {p["port"] for rule in spec["egress"] for p in rule["ports"]}
    assert ports == {53, 443, 27017, 6379}


def test_ingress_has_tls_and_routes_api_and_site(docs):
    ingress = docs["Ingress/nowry"]["spec"]
    assert ingress["ingressClassName"] == "nginx"
    assert ingress["tls"] == [{"hosts": ["nowry.example.com"], "secretName": "nowry-tls"}]
    paths = {p["path"]: p["backend"]["service"]["name"] for p in ingress["rules"][0]["http"]["paths"]}
    assert paths == {"/api": "backend", "/": "frontend"}


def test_namespace_is_its_own_and_restricted(docs):
    labels = docs["Namespace/nowry"]["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def test_numbers_follow_config():
    plan = plan_stack(
        PROJECT_DIR,
        "k8s",
        [
            "nowry:kubernetes.replicas=5",
            "nowry:kubernetes.maxReplicas=20",
            "nowry:kubernetes.cpuLimit=1",
            "nowry:kubernetes.memoryLimit=1Gi",
        ],
    )
    docs = {f"{d['kind']}/{d['metadata']['name']}": d for _, d in manifests(plan)}
    assert docs["Deployment/backend"]["spec"]["replicas"] == 5
    assert docs["HorizontalPodAutoscaler/backend"]["spec"]["maxReplicas"] == 20
    limits = docs["Deployment/backend"]["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
    assert limits == {"cpu": "1", "memory": "1Gi"}


def test_service_monitor_when_the_prometheus_operator_is_installed():
    plan = plan_stack(PROJECT_DIR, "k8s", ["nowry:kubernetes.prometheusOperator=true"])
    monitor = plan.one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor")
    assert monitor.inputs["spec"]["endpoints"][0]["port"] == "http"
    assert not plan_stack(PROJECT_DIR, "k8s").of_type("kubernetes:monitoring.coreos.com/v1:ServiceMonitor")


def test_no_secret_in_plaintext(k8s):
    text = plan_json_text(k8s)
    assert "offline-secret" not in text and "offline-random" not in text


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("nowry:kubernetes.replicas=0", "nowry:kubernetes.replicas"),
        ("nowry:kubernetes.cpuLimit=100m", "nowry:kubernetes.cpuLimit"),
        ("nowry:kubernetes.memoryLimit=128Mi", "nowry:kubernetes.memoryLimit"),
        ("nowry:kubernetes.namespace=default", "nowry:kubernetes.namespace"),
        ("nowry:kubernetes.runAsUser=1000", "nowry:kubernetes.runAsUser"),
        ("nowry:kubernetes.cpuRequest=lots", "nowry:kubernetes.cpuRequest"),
        ("nowry:mongoUri=mongodb://plain", "nowry:mongoUri"),
    ],
)
def test_bad_kubernetes_config_exits_2_naming_the_key(override, key):
    result = runner.invoke(app, ["plan", "k8s", "--project-dir", str(PROJECT_DIR), "--set", override])
    assert result.exit_code == 2, result.output
    assert key in result.stderr
    assert "mongodb://plain" not in result.output


# --- an EKS cluster built here --------------------------------------------------------------------


@pytest.fixture(scope="module")
def on_eks():
    return plan_stack(PROJECT_DIR, "k8s", ["nowry:kubernetes.cluster=eks", "nowry:aws.nat=single"])


def test_eks_cluster_and_node_group_from_pulumi_aws(on_eks):
    cluster = on_eks.one("aws:eks/cluster:Cluster")
    assert cluster.inputs["version"] == "1.33"
    assert set(cluster.inputs["enabledClusterLogTypes"]) >= {"api", "audit"}
    assert cluster.inputs["accessConfig"]["authenticationMode"] == "API"
    nodes = on_eks.one("aws:eks/nodeGroup:NodeGroup").inputs
    assert all("private" in subnet for subnet in nodes["subnetIds"])
    assert nodes["instanceTypes"] == ["t4g.medium"] and nodes["amiType"] == "AL2023_ARM_64_STANDARD"
    assert nodes["scalingConfig"] == {"desiredSize": 2, "minSize": 2, "maxSize": 4}
    trusted = {
        json.loads(r.inputs["assumeRolePolicy"])["Statement"][0]["Principal"]["Service"]
        for r in on_eks.of_type("aws:iam/role:Role")
        if r.name.startswith("eks-")
    }
    assert trusted == {"eks.amazonaws.com", "ec2.amazonaws.com"}
    assert not [r for r in on_eks.resources if r.type.startswith("eks:")]  # not the remote component


def test_workloads_deploy_through_the_eks_provider(on_eks):
    provider = on_eks.one("pulumi:providers:kubernetes")
    assert "eks-cluster" in {on_eks.by_urn(urn).name for urn in provider.dependencies}
    deployment = on_eks.one("kubernetes:apps/v1:Deployment", "backend-deployment")
    assert deployment.provider is not None and deployment.provider.startswith(provider.urn)


def test_eks_control_plane_and_nodes_are_priced(on_eks):
    from infra.tool.cost.estimate import estimate

    cost = estimate(on_eks)
    lines = {item.name: item.monthly for item in cost.line_items}
    assert lines["eks-cluster"] == pytest.approx(73.0)
    assert lines["eks-nodes"] == pytest.approx(2 * 0.0336 * 730 + 2 * 20 * 0.08)
    assert cost.not_priced == []


def test_eks_without_a_nat_gateway_exits_2():
    result = runner.invoke(
        app, ["plan", "k8s", "--project-dir", str(PROJECT_DIR), "--set", "nowry:kubernetes.cluster=eks"]
    )
    assert result.exit_code == 2 and "nowry:aws.nat" in result.stderr
