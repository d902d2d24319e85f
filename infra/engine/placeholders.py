"""Deterministic placeholder answers for registrations and invokes, recognisable as offline.

A real provider computes ids, ARNs, names and endpoints; offline, each registration gets
values derived from its type and logical name, so that inputs built from them (a task
definition's container JSON, a bucket policy) stay readable in the plan. Anything not
listed here stays unknown, as it would in ``pulumi preview``.
"""

from __future__ import annotations

from typing import Any

ACCOUNT = "000000000000"
"""The offline AWS account id: all zeros, never a real account."""
OFFLINE = "offline"

_ARN_SERVICE = {
    "lb": "elasticloadbalancing",
    "cloudwatch": "logs",
    "docdb": "rds",
    "appautoscaling": "application-autoscaling",
}
_GLOBAL_SERVICES = ("iam", "cloudfront")


def placeholder_id(type_: str, name: str, computed: dict[str, Any] | None = None) -> str:
    """The resource's id. An S3 bucket's id is its name, as with the real provider."""
    if type_ == "aws:s3/bucket:Bucket" and computed:
        return str(computed["bucket"])
    return f"{name}-{OFFLINE}-id"


def _parts(type_: str) -> tuple[str, str, str]:
    """``aws:ecs/service:Service`` -> ("aws", "ecs", "Service")."""
    package, module, kind = ([*type_.split(":"), "", ""])[:3]
    return package, module.split("/")[0], kind


def _aws(type_: str, name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    _, module, kind = _parts(type_)
    service = _ARN_SERVICE.get(module, module)
    where = "" if module in _GLOBAL_SERVICES else region
    resource_name = inputs.get("name") or f"{name}-{OFFLINE}"
    out: dict[str, Any] = {"arn": f"arn:aws:{service}:{where}:{ACCOUNT}:{kind[0].lower() + kind[1:]}/{resource_name}"}
    if kind == "Bucket":
        bucket = inputs.get("bucket") or f"{name}-{OFFLINE}"
        out |= {
            "bucket": bucket,
            "arn": f"arn:aws:s3:::{bucket}",
            "bucketRegionalDomainName": f"{bucket}.s3.{region}.amazonaws.com",
        }
    elif kind == "Distribution":
        out |= {
            "domainName": f"{name}-{OFFLINE}.cloudfront.net",
            "arn": f"arn:aws:cloudfront::{ACCOUNT}:distribution/{name.upper()}-OFFLINE",
            "hostedZoneId": "Z2FDTNDATAQYW2",
        }
    elif kind == "LoadBalancer":
        out |= {
            "dnsName": f"internal-{name}-{OFFLINE}.{region}.elb.amazonaws.com",
            "arnSuffix": f"app/{name}/{OFFLINE}",
        }
    elif kind == "TargetGroup":
        out["arnSuffix"] = f"targetgroup/{name}/{OFFLINE}"
    elif kind == "Repository" and module == "ecr":
        out["repositoryUrl"] = f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com/{resource_name}"
    elif kind == "ReplicationGroup":
        out["primaryEndpointAddress"] = f"master.{name}.{OFFLINE}.cache.amazonaws.com"
    elif kind == "Cluster" and module == "docdb":
        out |= {
            "endpoint": f"{name}.cluster-{OFFLINE}.{region}.docdb.amazonaws.com",
            "readerEndpoint": f"{name}.cluster-ro-{OFFLINE}.{region}.docdb.amazonaws.com",
            "clusterIdentifier": inputs.get("clusterIdentifier") or f"{name}-{OFFLINE}",
        }
    elif kind == "Secret":
        out["arn"] = f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{name}-{OFFLINE}"
    elif kind == "LogGroup":
        out["arn"] = f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{resource_name}"
    elif kind == "Role":
        out["arn"] = f"arn:aws:iam::{ACCOUNT}:role/{resource_name}"
    return out


def _docker(type_: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    kind = _parts(type_)[2]
    if kind == "RemoteImage":
        return {"imageId": f"{inputs.get('name', name)}@sha256:{OFFLINE}"}
    if kind == "Image":
        return {"repoDigest": f"{inputs.get('imageName', name)}@sha256:{OFFLINE}"}
    return {}


def _dynamic(kind: str, name: str) -> dict[str, Any]:
    """This project's dynamic resources (Railway)."""
    if kind == "Project":
        return {"environment_id": f"{name}-{OFFLINE}-environment"}
    if kind == "Domain":
        return {"domain": f"{name}-{OFFLINE}.up.railway.app"}
    return {}


def computed_attributes(type_: str, name: str, inputs: dict[str, Any], region: str = "us-east-1") -> dict[str, Any]:
    """Attributes the provider would compute for this resource, as offline placeholders."""
    package, _, kind = _parts(type_)
    attributes: dict[str, Any] = {}
    if "name" not in inputs and kind not in ("RandomPassword", "RandomString"):
        attributes["name"] = f"{name}-{OFFLINE}"
    if package == "aws":
        attributes.update(_aws(type_, name, inputs, region))
    elif package == "docker":
        attributes.update(_docker(type_, name, inputs))
    elif package == "random":
        attributes["result"] = f"{OFFLINE}-random-{name}"
    elif package == "pulumi-python":
        attributes.update(_dynamic(kind, name))
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
    return {}
