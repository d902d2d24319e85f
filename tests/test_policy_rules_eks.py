"""The EKS cluster's policy rules (infra/tool/rules/kubernetes_cluster.py): each with a failing and
a passing case and its exact message, in the offline check and in the policy pack."""

from __future__ import annotations

import json

import pytest

from infra.config import source
from infra.tool import rules as r
from infra.tool.engine.runner import plan_stack
from infra.tool.rules.check import check_plan
from tests.conftest import PROJECT_DIR
from tests.test_policy_pack import pack_violations, run_resource_policy
from tests.test_policy_rules import found, subject

KEY = "arn:aws:kms:us-east-1:000000000000:key/k"
PRIVATE = {"endpointPrivateAccess": True, "endpointPublicAccess": False}
ALL_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
IMDSV2 = {"httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": 1}

# (rule id, resource type, props, the exact messages; [] when it passes)
CASES = [
    ("eks-secrets-encrypted", r.EKS_CLUSTER, {},
     ["Kubernetes Secrets are not envelope-encrypted with a KMS key (no encryptionConfig for secrets)"]),
    ("eks-secrets-encrypted", r.EKS_CLUSTER, {"encryptionConfig": {"resources": ["secrets"], "provider": {}}},
     ["the Secrets encryption names no KMS key"]),
    ("eks-secrets-encrypted", r.EKS_CLUSTER,
     {"encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": KEY}}}, []),
    ("eks-secrets-encrypted", r.EKS_CLUSTER,  # Terraform's shape: a one-item list
     {"encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": KEY}}]}, []),
    ("eks-endpoint-private", r.EKS_CLUSTER, {"vpcConfig": {"endpointPrivateAccess": True}},
     ["the Kubernetes API has a public endpoint"]),  # unset: EKS turns the public endpoint on
    ("eks-endpoint-private", r.EKS_CLUSTER,
     {"vpcConfig": {**PRIVATE, "endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.7/32"]}},
     ["the Kubernetes API has a public endpoint"]),  # limited or not: Security Hub EKS.1 fails
    ("eks-endpoint-private", r.EKS_CLUSTER, {"vpcConfig": PRIVATE}, []),
    ("eks-endpoint-cidrs-limited", r.EKS_CLUSTER, {"vpcConfig": {"endpointPublicAccess": True}},
     ["the API's private endpoint is off: nodes and in-VPC clients reach the API over the internet",
      "the public endpoint admits every address (no publicAccessCidrs: EKS uses 0.0.0.0/0)"]),
    ("eks-endpoint-cidrs-limited", r.EKS_CLUSTER,
     {"vpcConfig": {**PRIVATE, "endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.7/32", "0.0.0.0/0"]}},
     ["the public endpoint admits every address (0.0.0.0/0)"]),
    ("eks-endpoint-cidrs-limited", r.EKS_CLUSTER,
     {"vpcConfig": {**PRIVATE, "endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.7/32"]}}, []),
    ("eks-endpoint-cidrs-limited", r.EKS_CLUSTER, {"vpcConfig": PRIVATE}, []),
    ("eks-control-plane-logs", r.EKS_CLUSTER, {"enabledClusterLogTypes": ["api", "audit", "authenticator"]},
     ["control-plane logs not sent to CloudWatch Logs: controllerManager, scheduler"]),
    ("eks-control-plane-logs", r.EKS_CLUSTER, {},
     ["control-plane logs not sent to CloudWatch Logs: api, audit, authenticator, controllerManager, scheduler"]),
    ("eks-control-plane-logs", r.EKS_CLUSTER, {"enabledClusterLogTypes": ALL_LOGS}, []),
    ("eks-nodes-imdsv2", r.LAUNCH_TEMPLATE, {},
     ["instance metadata answers IMDSv1 (httpTokens is not required)",
      "no metadata hop limit: the AMI's default decides (allowed: 1)"]),
    ("eks-nodes-imdsv2", r.LAUNCH_TEMPLATE, {"metadataOptions": {**IMDSV2, "httpPutResponseHopLimit": 2}},
     ["metadata hop limit 2: pods reach the node role's credentials (allowed: 1)"]),
    ("eks-nodes-imdsv2", r.LAUNCH_TEMPLATE, {"metadataOptions": {**IMDSV2, "httpTokens": "optional"}},
     ["instance metadata answers IMDSv1 (httpTokens is not required)"]),
    ("eks-nodes-imdsv2", r.LAUNCH_TEMPLATE, {"metadataOptions": IMDSV2}, []),
    ("eks-nodes-imdsv2", r.LAUNCH_TEMPLATE, {"metadataOptions": {"httpEndpoint": "disabled"}}, []),
    ("eks-nodes-imdsv2", r.EKS_NODE_GROUP, {"subnetIds": ["subnet-1"]},
     ["no launch template: EKS's default one decides whether IMDSv1 answers"]),
    ("eks-nodes-imdsv2", r.EKS_NODE_GROUP, {"launchTemplate": {"id": "lt-1", "version": "1"}}, []),
]  # fmt: skip


@pytest.mark.parametrize(("rule_id", "type_", "props", "messages"), CASES, ids=[f"{c[0]}-{i}" for i, c in
                                                                                enumerate(CASES)])  # fmt: skip
def test_each_eks_rule_in_the_offline_check_and_the_pack(rule_id, type_, props, messages):
    assert found(rule_id, subject(type_, props, prod=True)) == messages
    assert run_resource_policy(rule_id, type_, props, stack="k8s") == messages


def test_every_eks_resource_rule_fails_and_passes_here():
    ids = {rule.id for rule in r.RULES if rule.id.startswith("eks-")}
    assert {c[0] for c in CASES if c[3]} == ids == {c[0] for c in CASES if not c[3]}


# --- nodes in private subnets (a stack rule: what a subnet is comes from its routes) -----------------


def network(*, node_subnet: str):
    """A VPC's two subnets, one routed to an internet gateway and one to a NAT gateway, and a node
    group in ``node_subnet``, wired by property dependencies as the engine records them."""
    igw, nat = (
        subject("aws:ec2/internetGateway:InternetGateway", {}, name="igw"),
        subject("aws:ec2/natGateway:NatGateway", {}, name="nat"),
    )
    public, private = subject(r.SUBNET, {}, name="public-0"), subject(r.SUBNET, {}, name="private-0")
    public_rt = subject(r.ROUTE_TABLE, {"routes": [{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-offline-id"}]},
                        name="public-rt", deps={"routes": (igw.urn,)})  # fmt: skip
    private_rt = subject(r.ROUTE_TABLE, {"routes": [{"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-1"}]},
                         name="private-rt", deps={"routes": (nat.urn,)})  # fmt: skip
    links = [
        subject(r.ROUTE_TABLE_ASSOCIATION, {}, name=f"{s.name}-rta",
                deps={"subnetId": (s.urn,), "routeTableId": (t.urn,)})
        for s, t in ((public, public_rt), (private, private_rt))
    ]  # fmt: skip
    chosen = public if node_subnet == "public" else private
    nodes = subject(r.EKS_NODE_GROUP, {"launchTemplate": {"id": "lt-1", "version": "1"}}, name="eks-nodes",
                    deps={"subnetIds": (chosen.urn,)})  # fmt: skip
    return [igw, nat, public, private, public_rt, private_rt, *links, nodes]


def test_nodes_in_a_subnet_routed_to_an_internet_gateway_are_reported():
    assert found("eks-nodes-private-subnets", *network(node_subnet="public")) == [
        "nodes run in public subnets (routed to an internet gateway): public-0"
    ]
    assert found("eks-nodes-private-subnets", *network(node_subnet="private")) == []


def test_a_route_of_its_own_or_public_ips_on_launch_make_a_subnet_public():
    table, subnet = subject(r.ROUTE_TABLE, {}, name="rt"), subject(r.SUBNET, {}, name="edge")
    route = subject(r.ROUTE, {"gatewayId": "igw-0abc"}, name="out", deps={"routeTableId": (table.urn,)})
    link = subject(r.ROUTE_TABLE_ASSOCIATION, {}, name="link",
                   deps={"subnetId": (subnet.urn,), "routeTableId": (table.urn,)})  # fmt: skip
    nodes = subject(r.EKS_NODE_GROUP, {}, name="eks-nodes", deps={"subnetIds": (subnet.urn,)})
    assert found("eks-nodes-private-subnets", table, subnet, route, link, nodes) == [
        "nodes run in public subnets (routed to an internet gateway): edge"
    ]
    mapped = subject(r.SUBNET, {"mapPublicIpOnLaunch": True}, name="mapped")
    nodes = subject(r.EKS_NODE_GROUP, {}, name="eks-nodes", deps={"subnetIds": (mapped.urn,)})
    assert found("eks-nodes-private-subnets", mapped, nodes) == [
        "nodes run in public subnets (routed to an internet gateway): mapped"
    ]


# --- the planned cluster, through the offline check and the pack ----------------------------------------

EKS = ["nowry:kubernetes.cluster=eks", "nowry:aws.nat=single"]


def flat_config(overrides: list[str]) -> dict[str, str]:
    """The flat config the Pulumi CLI would hand the pack for the k8s stack with ``overrides``."""
    raw = source.apply_overrides(source.from_stack_file(source.read_project(PROJECT_DIR), "k8s"), overrides)
    return dict(raw.values)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ([], set()),
        (["nowry:kubernetes.apiCidrs=[203.0.113.7/32]"], {"eks-endpoint-private"}),
        (["nowry:production=false", "nowry:kubernetes.apiCidrs=[0.0.0.0/0]"],
         {"eks-endpoint-private", "eks-endpoint-cidrs-limited"}),
    ],
    ids=["private", "limited", "open-scratch"],
)  # fmt: skip
def test_the_planned_cluster_is_clean_unless_its_endpoint_is_public_and_both_checks_agree(overrides, expected):
    plan = plan_stack(PROJECT_DIR, "k8s", [*EKS, *overrides])
    offline = {(v.rule, v.urn) for v in check_plan(plan).violations}
    assert {rule for rule, _ in offline} == expected
    assert pack_violations("k8s", plan, flat_config([*EKS, *overrides])) == offline


def test_an_endpoint_open_to_everyone_on_production_is_an_accepted_finding_with_its_reason():
    reasons = {
        "eks-endpoint-cidrs-limited": "GitHub-hosted runners deploy, and their addresses are thousands and change",
        "eks-endpoint-private": "the public endpoint stays on until the in-VPC runner deploys the stack",
    }
    accept = {"accept": [{"rule": rule, "resource": "eks-cluster", "reason": why} for rule, why in reasons.items()]}
    overrides = [
        *EKS,
        "nowry:production=true",
        "nowry:kubernetes.apiCidrs=[0.0.0.0/0]",
        f"nowry:policy={json.dumps(accept)}",
    ]
    report = check_plan(plan_stack(PROJECT_DIR, "k8s", overrides))
    assert report.violations == []
    assert {v.rule: reason for v, reason in report.accepted} == reasons


def test_the_config_check_names_the_rule_and_the_resource_the_policy_reports():
    from infra.config.kubernetes_checks import CLUSTER_RESOURCE, OPEN_ENDPOINT_RULE

    assert OPEN_ENDPOINT_RULE in r.RULE_IDS
    assert plan_stack(PROJECT_DIR, "k8s", EKS).one(r.EKS_CLUSTER).name == CLUSTER_RESOURCE
