"""The kubernetes phase's limits, through ``kubectl`` (the current context, read-only verbs only).

- each HorizontalPodAutoscaler of the namespace: ``status.currentReplicas`` against
  ``spec.maxReplicas`` (``kubectl get hpa -o json``);
- the nodes' allocatable CPU and memory against what the pods request (``kubectl get nodes`` and
  ``kubectl get pods --all-namespaces``: what the scheduler can still place);
- the nodes' measured usage against allocatable, through the metrics API
  (``kubectl get --raw /apis/metrics.k8s.io/v1beta1/nodes``) where the cluster serves one
  (metrics-server); where it does not, the notes say that usage is not measured.
These are single readings (kubectl keeps no history): no trend, no date.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

from infra.tool.ops.advise.headroom import Context, Headroom, PlatformError, Point, headroom

TIMEOUT = 30.0
METRICS_PATH = "/apis/metrics.k8s.io/v1beta1/nodes"
SUFFIXES = {
    "n": 1e-9,
    "u": 1e-6,
    "m": 1e-3,
    "": 1.0,
    "k": 1e3,
    "K": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "E": 1e18,
    "Ki": 2.0**10,
    "Mi": 2.0**20,
    "Gi": 2.0**30,
    "Ti": 2.0**40,
    "Pi": 2.0**50,
    "Ei": 2.0**60,
}
QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$")


def quantity(text: str) -> float:
    """A Kubernetes resource quantity (``250m``, ``1.5``, ``512Mi``, ``1e9``) as a number."""
    match = QUANTITY.match(str(text).strip())
    if not match or match.group(2) not in SUFFIXES:
        raise ValueError(f"not a quantity: {text!r}")
    return float(match.group(1)) * SUFFIXES[match.group(2)]


def _kubectl(*args: str) -> tuple[int, str, str]:
    tool = shutil.which("kubectl")
    if tool is None:
        raise PlatformError("Kubernetes", "kubectl is not on PATH (install it and select the cluster's context)")
    try:
        done = subprocess.run([tool, *args], capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise PlatformError("Kubernetes", f"kubectl {' '.join(args)} gave no answer in {TIMEOUT:g} s") from None
    return done.returncode, done.stdout, done.stderr


def _json(*args: str) -> dict[str, Any]:
    code, out, err = _kubectl(*args)
    if code != 0:
        first = (err.strip().splitlines() or [f"exit {code}"])[0]
        raise PlatformError("Kubernetes", f"kubectl {' '.join(args)}: {first}")
    try:
        return json.loads(out)
    except ValueError:
        raise PlatformError("Kubernetes", f"kubectl {' '.join(args)}: the answer was not JSON") from None


def _one(
    key: str, resource: str, metric: str, unit: str, value: float, limit: float | None, context: Context, **rest: Any
) -> Headroom:
    return headroom(key, resource, metric, unit, [Point(context.now, value)], limit, **rest)


def read(context: Context) -> tuple[list[Headroom], list[str]]:
    namespace = str(context.outputs.get("namespace") or context.config.kubernetes.namespace)
    rows: list[Headroom] = []
    notes: list[str] = []
    for hpa in _json("get", "hpa", "--namespace", namespace, "--output", "json").get("items", []):
        name = hpa["metadata"]["name"]
        current = float((hpa.get("status") or {}).get("currentReplicas") or 0)
        rows.append(
            _one(
                "kubernetes.hpa",
                f"HPA {namespace}/{name}",
                "currentReplicas",
                "replicas",
                current,
                float(hpa["spec"]["maxReplicas"]),
                context,
                source="the HPA's spec.maxReplicas",
            )
        )
    nodes = _json("get", "nodes", "--output", "json").get("items", [])
    allocatable = {
        "cpu": sum(quantity(n["status"]["allocatable"].get("cpu", "0")) for n in nodes),
        "memory": sum(quantity(n["status"]["allocatable"].get("memory", "0")) for n in nodes) / 2**30,
    }
    pods = _json(
        "get",
        "pods",
        "--all-namespaces",
        "--field-selector",
        "status.phase!=Succeeded,status.phase!=Failed",
        "--output",
        "json",
    ).get("items", [])
    requested = {"cpu": 0.0, "memory": 0.0}
    for pod in pods:
        for container in pod.get("spec", {}).get("containers", []):
            asked = (container.get("resources") or {}).get("requests") or {}
            requested["cpu"] += quantity(asked.get("cpu", "0"))
            requested["memory"] += quantity(asked.get("memory", "0")) / 2**30
    label = f"cluster ({len(nodes)} nodes)"
    for resource, unit in (("cpu", "vCPU"), ("memory", "GiB")):
        rows.append(
            _one(
                "kubernetes.requests",
                label,
                f"{resource} requests",
                unit,
                requested[resource],
                allocatable[resource],
                context,
                source="the nodes' status.allocatable",
            )
        )
    code, out, err = _kubectl("get", "--raw", METRICS_PATH)
    if code == 0:
        usage = json.loads(out).get("items", [])
        cpu = sum(quantity(n["usage"]["cpu"]) for n in usage)
        memory = sum(quantity(n["usage"]["memory"]) for n in usage) / 2**30
        rows.append(_one("kubernetes.usage", label, "cpu usage", "vCPU", cpu, allocatable["cpu"], context))
        rows.append(_one("kubernetes.usage", label, "memory usage", "GiB", memory, allocatable["memory"], context))
    else:
        notes.append(
            f"Kubernetes: node usage is not measured, the cluster serves no metrics API ({METRICS_PATH}: "
            f"{(err.strip().splitlines() or ['not found'])[0]}); install metrics-server"
        )
    notes.append("Kubernetes: kubectl keeps no history, so these readings have no trend and no date")
    return rows, notes
