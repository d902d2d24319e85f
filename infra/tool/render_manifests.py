"""Kubernetes manifests from a plan: what the stack would apply, one YAML file per resource.

Secret values never reach the files: a Secret's keys are written, each value ``[secret]``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from infra.tool.engine.plan import Plan, PlannedResource
from infra.tool.engine.wire import SECRET

SECRET_FIELDS = ("stringData", "data")
KIND_ORDER = {"Namespace": 0, "Secret": 1, "ConfigMap": 1, "Service": 2, "Deployment": 3}
"""Apply order for a folder: the namespace first, then what workloads read, then workloads."""


def manifest(resource: PlannedResource) -> dict[str, Any]:
    """The Kubernetes object a ``kubernetes:`` resource registers, secrets masked."""
    body = {key: value for key, value in resource.inputs.items() if value is not None}
    for field in SECRET_FIELDS:
        if body.get(field) == SECRET:
            keys = resource.revealed_inputs.get(field) or {}
            body[field] = {key: SECRET for key in sorted(keys)}
    ordered = {key: body.pop(key) for key in ("apiVersion", "kind", "metadata") if key in body}
    return {**ordered, **body}


def manifests(plan: Plan) -> list[tuple[str, dict[str, Any]]]:
    """(file name, manifest) for every Kubernetes object of the plan, in registration order."""
    found = []
    for resource in plan.resources:
        if not resource.type.startswith("kubernetes:") or not resource.custom or resource.type == HELM_RELEASE:
            continue
        doc = manifest(resource)
        kind = str(doc.get("kind", "object")).lower()
        name = re.sub(r"[^a-z0-9.-]+", "-", str((doc.get("metadata") or {}).get("name", resource.name)).lower())
        found.append((f"{kind}-{name}.yaml", doc))
    return sorted(found, key=lambda item: (KIND_ORDER.get(str(item[1].get("kind")), 9), item[0]))


HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
RELEASE_FILE_PREFIX = "helm-release-"
"""A Helm release is not an object of the cluster: its chart renders them when it is applied."""


def releases(plan: Plan) -> list[tuple[str, dict[str, Any]]]:
    """(file name, inputs) of every Helm release: the chart, its pinned version, its repository
    and the values built for it, secrets masked."""
    found = []
    for resource in plan.of_type(HELM_RELEASE):
        inputs = resource.inputs
        doc = {
            "release": inputs.get("name", resource.name),
            "namespace": inputs.get("namespace"),
            "chart": inputs.get("chart"),
            "version": inputs.get("version"),
            "repository": (inputs.get("repositoryOpts") or {}).get("repo"),
            "values": inputs.get("values") or {},
        }
        found.append((f"{RELEASE_FILE_PREFIX}{doc['release']}.yaml", doc))
    return sorted(found)


def write(plan: Plan, out: Path) -> list[Path]:
    """Write every manifest into ``out`` (all or none); an empty list when there are none."""
    from infra.tool.output_files import write_folder

    files = [
        (f"{index:02d}-{file_name}", yaml.safe_dump(doc, sort_keys=False, default_flow_style=False).encode())
        for index, (file_name, doc) in enumerate(manifests(plan), 1)
    ]
    files += [(name, yaml.safe_dump(doc, sort_keys=False, default_flow_style=False).encode())
              for name, doc in releases(plan)]  # fmt: skip
    return write_folder(out, files) if files else []
