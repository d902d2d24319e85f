"""`nowry-infra advise` on the kubernetes phase, through a fake `kubectl` put on PATH by the test."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.tool.cli import app
from infra.tool.ops.advise.kubernetes import quantity
from tests.conftest import PROJECT_DIR

runner = CliRunner()

FAKE = """#!{python}
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_KUBECTL_LOG"], "a") as log:
    log.write(" ".join(args) + "\\n")
answers = json.load(open(os.environ["FAKE_KUBECTL_ANSWERS"]))
key = "raw" if args[:2] == ["get", "--raw"] else args[1]
if key not in answers:
    sys.stderr.write("Error from server (NotFound): the server could not find the requested resource\\n")
    sys.exit(1)
print(json.dumps(answers[key]))
"""


def hpa(current: int, maximum: int) -> dict:
    return {
        "items": [
            {"metadata": {"name": "backend"}, "spec": {"maxReplicas": maximum}, "status": {"currentReplicas": current}}
        ]
    }


NODES = {"items": [{"status": {"allocatable": {"cpu": "1930m", "memory": "3Gi"}}} for _ in range(2)]}
PODS = {
    "items": [
        {"spec": {"containers": [{"resources": {"requests": {"cpu": "250m", "memory": "256Mi"}}}]}} for _ in range(5)
    ]
}
METRICS = {"items": [{"usage": {"cpu": "500000000n", "memory": "1048576Ki"}} for _ in range(2)]}


@pytest.fixture
def kubectl(tmp_path, monkeypatch):
    """Writes the answers and puts the fake first on PATH; returns a function taking the answers."""
    tool = tmp_path / "bin" / "kubectl"
    tool.parent.mkdir()
    tool.write_text(FAKE.format(python=sys.executable))
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tool.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_KUBECTL_LOG", str(tmp_path / "kubectl.log"))

    def answer(**answers: dict) -> Path:
        path = tmp_path / "answers.json"
        path.write_text(json.dumps(answers))
        monkeypatch.setenv("FAKE_KUBECTL_ANSWERS", str(path))
        return tmp_path / "kubectl.log"

    return answer


def advise(tmp_path):
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps({"namespace": "nowry", "siteUrl": "https://nowry.example.com"}))
    return runner.invoke(app, ["advise", "k8s", "--outputs", str(path), "--json", "--project-dir", str(PROJECT_DIR)])


def test_the_hpa_at_its_maximum_raises_max_replicas(kubectl, tmp_path):
    log = kubectl(hpa=hpa(10, 10), nodes=NODES, pods=PODS, raw=METRICS)
    result = advise(tmp_path)
    assert result.exit_code == 1, result.output
    payload = json.loads(result.stdout)
    rows = {r["metric"]: r for r in payload["limits"]}
    assert (rows["currentReplicas"]["used"], rows["currentReplicas"]["limit"]) == (10, 10)
    assert rows["cpu requests"]["used"] == 1.25 and rows["cpu requests"]["limit"] == pytest.approx(3.86)
    assert rows["memory requests"]["used"] == 1.25 and rows["memory requests"]["limit"] == 6
    assert rows["cpu usage"]["used"] == 1 and rows["memory usage"]["used"] == 2
    assert (
        payload["next"]["command"]
        == "nowry-infra migrate k8s --to kubernetes --target-set nowry:kubernetes.maxReplicas=20"
    )
    assert "get hpa --namespace nowry --output json" in log.read_text()
    assert all(line.split()[0] == "get" for line in log.read_text().splitlines()), "read-only verbs only"


def test_without_a_metrics_api_usage_is_said_to_be_unmeasured(kubectl, tmp_path):
    kubectl(hpa=hpa(3, 10), nodes=NODES, pods=PODS)
    result = advise(tmp_path)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert any("node usage is not measured" in n and "metrics-server" in n for n in payload["notes"])
    assert payload["next"] is None


def test_kubectl_failing_or_missing_is_an_error_naming_kubernetes(kubectl, tmp_path, monkeypatch):
    kubectl(nodes=NODES)
    failing = advise(tmp_path)
    assert failing.exit_code == 2 and "cannot read Kubernetes: kubectl get hpa" in failing.stderr
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    missing = advise(tmp_path)
    assert missing.exit_code == 2 and "kubectl is not on PATH" in missing.stderr


@pytest.mark.parametrize(
    ("text", "value"),
    [("250m", 0.25), ("2", 2.0), ("1500000n", 0.0015), ("512Mi", 2.0**29), ("1e3", 1000.0), ("1G", 1e9)],
)
def test_quantities(text, value):
    assert quantity(text) == pytest.approx(value)
    with pytest.raises(ValueError):
        quantity("12 parsecs")
