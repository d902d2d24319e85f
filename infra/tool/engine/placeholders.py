"""Deterministic placeholder answers for registrations and invokes, recognisable as offline.

A real provider computes ids, ARNs, names and endpoints; offline, each registration gets
values derived from its type and logical name (the shapes per type are in
``infra/tool/offline_shapes.py``, named by the kinds table), so that inputs built from them stay
readable in the plan. Anything not computed here stays unknown, as it would in ``pulumi preview``.
"""

from __future__ import annotations

from typing import Any

from infra.tool.offline_shapes import ACCOUNT, GCP_PROJECT, OFFLINE, Registration
from infra.tool.resource_kinds import kind

_ARN_SERVICE = {
    "lb": "elasticloadbalancing",
    "cloudwatch": "logs",
    "docdb": "rds",
    "appautoscaling": "application-autoscaling",
}
_GLOBAL_SERVICES = ("iam", "cloudfront")


def placeholder_id(type_: str, name: str, computed: dict[str, Any] | None = None) -> str:
    """The resource's id: the computed attribute its kind names (an S3 bucket's id is its name,
    as with the real provider), else a placeholder from its logical name."""
    attribute = kind(type_).id_attribute
    if attribute and computed and attribute in computed:
        return str(computed[attribute])
    return f"{name}-{OFFLINE}-id"


def _parts(type_: str) -> tuple[str, str, str]:
    """``aws:ecs/service:Service`` -> ("aws", "ecs", "Service")."""
    package, module, kind_name = ([*type_.split(":"), "", ""])[:3]
    return package, module.split("/")[0], kind_name


def _aws_arn(type_: str, registration: Registration) -> str:
    """Every AWS resource's ARN, in the general form; a kind's shape may give its real form."""
    _, module, kind_name = _parts(type_)
    service = _ARN_SERVICE.get(module, module)
    where = "" if module in _GLOBAL_SERVICES else registration.region
    resource = kind_name[0].lower() + kind_name[1:]
    return f"arn:aws:{service}:{where}:{ACCOUNT}:{resource}/{registration.physical_name}"


def computed_attributes(type_: str, name: str, inputs: dict[str, Any], region: str = "us-east-1") -> dict[str, Any]:
    """Attributes the provider would compute for this resource, as offline placeholders: the
    package's defaults (a name, an AWS ARN, a random result), then the shape of its kind."""
    package, _, kind_name = _parts(type_)
    registration = Registration(name, inputs, str(inputs.get("region") or region))  # a resource's own region
    attributes: dict[str, Any] = {}
    if "name" not in inputs and kind_name not in ("RandomPassword", "RandomString"):
        attributes["name"] = f"{name}-{OFFLINE}"
    if package == "aws":
        attributes["arn"] = _aws_arn(type_, registration)
    elif package == "random":
        attributes["result"] = f"{OFFLINE}-random-{name}"
    shape = kind(type_).placeholder
    if shape is not None:
        attributes.update(shape(registration))
    return attributes


def invoke_result(token: str, args: dict[str, Any], region: str = "us-east-1") -> dict[str, Any]:
    """Answers to the data-source invokes the program makes; ``{}`` for any other."""
    if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
        letters = "abc"
        return {
            "id": region,
            "names": [f"{region}{letter}" for letter in letters],
            "zoneIds": [f"{OFFLINE}-az{i + 1}" for i in range(len(letters))],
        }
    if token == "aws:ec2/getManagedPrefixList:getManagedPrefixList":
        return {"id": f"pl-{OFFLINE}-cloudfront", "name": args.get("name", ""), "entries": []}
    if token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {
            "accountId": ACCOUNT,
            "arn": f"arn:aws:iam::{ACCOUNT}:user/{OFFLINE}",
            "userId": OFFLINE,
        }
    if token == "aws:ecr/getAuthorizationToken:getAuthorizationToken":
        return {
            "userName": "AWS",
            "password": f"{OFFLINE}-ecr-token",
            "proxyEndpoint": f"https://{ACCOUNT}.dkr.ecr.{region}.amazonaws.com",
            "authorizationToken": f"{OFFLINE}-ecr-token",
        }
    if token == "gcp:organizations/getClientConfig:getClientConfig":
        return {"accessToken": f"{OFFLINE}-secret-gcp-token", "project": GCP_PROJECT, "region": region, "zone": ""}
    if token == "gcp:organizations/getProject:getProject":
        return {"projectId": GCP_PROJECT, "number": "000000000000", "name": GCP_PROJECT}
    return {}
