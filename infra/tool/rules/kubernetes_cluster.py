"""An EKS cluster the stack builds: Secrets encryption, the API endpoint, control-plane logs and
nodes (IMDSv2, private subnets). The IDs are Security Hub's EKS and EC2 controls and Checkov's
``aws_eks_cluster`` / ``aws_launch_template`` checks (checked against Checkov 3.3 sources)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from infra.tool.rules.model import Rule, StackRule, Subject
from infra.tool.rules.types import (
    EKS_CLUSTER,
    EKS_NODE_GROUP,
    INTERNET_GATEWAY,
    LAUNCH_TEMPLATE,
    ROUTE,
    ROUTE_TABLE,
    ROUTE_TABLE_ASSOCIATION,
    SUBNET,
)

CONTROL_PLANE_LOGS = ("api", "audit", "authenticator", "controllerManager", "scheduler")
"""Every log type EKS's control plane can send (EKS API ``LogSetup``); Checkov CKV_AWS_37 wants
all five, Security Hub EKS.8 the audit log."""
METADATA_HOPS = 1
"""IMDSv2's response hop limit that keeps pods from the node role (EKS Best Practices Guide,
Security; Checkov CKV_AWS_341)."""


def _encryption(s: Subject) -> dict[str, Any]:
    """The cluster's encryption config: an object on the wire, a one-item list in Terraform's shape."""
    config = s.props.get("encryptionConfig")
    if isinstance(config, list):
        config = config[0] if config else None
    return config if isinstance(config, dict) else {}


def _secrets_encrypted(s: Subject) -> Iterable[str]:
    config = _encryption(s)
    if "secrets" not in (config.get("resources") or []):
        yield "Kubernetes Secrets are not envelope-encrypted with a KMS key (no encryptionConfig for secrets)"
    elif not (config.get("provider") or {}).get("keyArn"):
        yield "the Secrets encryption names no KMS key"


def _endpoint_private(s: Subject) -> Iterable[str]:
    if s.get("vpcConfig", "endpointPublicAccess") is not False:  # unset: EKS turns it on
        yield "the Kubernetes API has a public endpoint"


def _open_to_everyone(block: Any) -> bool:
    try:
        return ipaddress.ip_network(str(block), strict=False).prefixlen == 0
    except ValueError:
        return False


def _endpoint_limited(s: Subject) -> Iterable[str]:
    if s.get("vpcConfig", "endpointPrivateAccess") is not True:
        yield "the API's private endpoint is off: nodes and in-VPC clients reach the API over the internet"
    if s.get("vpcConfig", "endpointPublicAccess") is False:
        return
    blocks = s.get("vpcConfig", "publicAccessCidrs")
    if blocks is None and "[unknown]" in str(s.props.get("vpcConfig")):
        return
    if not blocks:
        yield "the public endpoint admits every address (no publicAccessCidrs: EKS uses 0.0.0.0/0)"
    elif any(_open_to_everyone(block) for block in blocks):
        yield f"the public endpoint admits every address ({', '.join(b for b in blocks if _open_to_everyone(b))})"


def _control_plane_logs(s: Subject) -> Iterable[str]:
    enabled = set(s.get("enabledClusterLogTypes") or [])
    missing = [log for log in CONTROL_PLANE_LOGS if log not in enabled]
    if missing:
        yield f"control-plane logs not sent to CloudWatch Logs: {', '.join(missing)}"


def _imdsv2(s: Subject) -> Iterable[str]:
    if s.type == EKS_NODE_GROUP:
        template = s.get("launchTemplate") or {}
        if not (template.get("id") or template.get("name")) and "launchTemplate" not in s.property_dependencies:
            yield "no launch template: EKS's default one decides whether IMDSv1 answers"
        return
    options = s.get("metadataOptions") or {}
    if options.get("httpEndpoint") == "disabled":
        return
    if options.get("httpTokens") != "required":
        yield "instance metadata answers IMDSv1 (httpTokens is not required)"
    hops = options.get("httpPutResponseHopLimit")
    if hops is None:
        yield f"no metadata hop limit: the AMI's default decides (allowed: {METADATA_HOPS})"
    elif hops != METADATA_HOPS:
        yield f"metadata hop limit {hops}: pods reach the node role's credentials (allowed: {METADATA_HOPS})"


def _public_subnets(subjects: list[Subject]) -> set[str]:
    """URNs of the subnets with a route to an internet gateway (their route table's, inline or a
    route of its own), or that give every instance a public IP."""
    gateways = {s.urn for s in subjects if s.type == INTERNET_GATEWAY}

    def to_gateway(gateway_id: Any, sources: tuple[str, ...]) -> bool:
        return str(gateway_id or "").startswith("igw-") or bool(set(sources) & gateways)

    def routes_out(table: Subject) -> bool:
        inline = any(to_gateway(route.get("gatewayId"), ()) for route in table.get("routes") or [])
        return inline or to_gateway(None, table.sources("routes"))

    tables = {s.urn for s in subjects if s.type == ROUTE_TABLE and routes_out(s)}
    tables |= {urn for s in subjects if s.type == ROUTE and to_gateway(s.get("gatewayId"), s.sources("gatewayId"))
               for urn in s.sources("routeTableId")}  # fmt: skip
    public = {
        urn
        for s in subjects
        if s.type == ROUTE_TABLE_ASSOCIATION and set(s.sources("routeTableId")) & tables
        for urn in s.sources("subnetId")
    }
    return public | {s.urn for s in subjects if s.type == SUBNET and s.get("mapPublicIpOnLaunch") is True}


def _nodes_in_private_subnets(subjects: list[Subject]) -> Iterable[tuple[str, str]]:
    public = _public_subnets(subjects)
    names = {s.urn: s.name for s in subjects}
    for group in (s for s in subjects if s.type == EKS_NODE_GROUP):
        exposed = sorted(names.get(urn, urn) for urn in group.sources("subnetIds") if urn in public)
        if exposed:
            yield group.urn, f"nodes run in public subnets (routed to an internet gateway): {', '.join(exposed)}"


RULES: tuple[Rule, ...] = (
    Rule("eks-secrets-encrypted", "Kubernetes Secrets are envelope-encrypted with the stack's KMS key",
         "FSBP EKS.3; CKV_AWS_58", (EKS_CLUSTER,), _secrets_encrypted),
    Rule("eks-endpoint-private", "The Kubernetes API has no public endpoint", "FSBP EKS.1; CKV_AWS_39",
         (EKS_CLUSTER,), _endpoint_private),
    Rule("eks-endpoint-cidrs-limited",
         "The API's private endpoint is on; a public one admits only listed blocks, never 0.0.0.0/0",
         "CKV_AWS_38; EKS user guide (private endpoint with restricted public access)", (EKS_CLUSTER,),
         _endpoint_limited, severity="critical"),
    Rule("eks-control-plane-logs", "Every control-plane log type goes to CloudWatch Logs", "FSBP EKS.8; CKV_AWS_37",
         (EKS_CLUSTER,), _control_plane_logs, severity="medium"),
    Rule("eks-nodes-imdsv2", "Nodes launch from a template that requires IMDSv2 with a hop limit of 1",
         "FSBP EC2.8, EC2.170; CKV_AWS_79, CKV_AWS_341", (LAUNCH_TEMPLATE, EKS_NODE_GROUP), _imdsv2),
)  # fmt: skip

STACK_RULES: tuple[StackRule, ...] = (
    StackRule("eks-nodes-private-subnets", "Node groups run only in subnets with no route to an internet gateway",
              "FSBP EC2.9 area; EKS Best Practices (private worker nodes)", _nodes_in_private_subnets),
)  # fmt: skip
