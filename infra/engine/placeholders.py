"""Deterministic placeholder answers for registrations, recognisable as offline values.

A real provider computes ids, ARNs, names and endpoints; offline, each registration gets
values derived from its type and logical name, so that inputs built from them (a task
definition's container JSON, a bucket policy) stay readable in the plan. Anything not
listed here stays unknown, as it would in ``pulumi preview``.
"""

from __future__ import annotations

from typing import Any

ACCOUNT = "000000000000"
"""The offline AWS account id: all zeros, never a real account."""
REGION = "us-east-1"
OFFLINE = "offline"


def placeholder_id(type_: str, name: str) -> str:
    return f"{name}-{OFFLINE}-id"


def _docker(type_: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    kind = type_.rsplit(":", 1)[-1]
    if kind == "RemoteImage":
        return {"imageId": f"{inputs.get('name', name)}@sha256:{OFFLINE}"}
    if kind == "Image":
        return {"repoDigest": f"{inputs.get('imageName', name)}@sha256:{OFFLINE}"}
    return {}


_COMPUTED = {"docker": _docker}


def computed_attributes(type_: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """Attributes the provider would compute for this resource, as offline placeholders."""
    package = type_.split(":", 1)[0]
    attributes: dict[str, Any] = {}
    if "name" not in inputs and type_.split(":")[-1] not in ("RandomPassword", "RandomString"):
        attributes["name"] = f"{name}-{OFFLINE}"
    handler = _COMPUTED.get(package)
    if handler is not None:
        attributes.update(handler(type_, name, inputs))
    if package == "random":
        attributes["result"] = f"{OFFLINE}-random-{name}"
    return attributes
