"""Security groups and the VPC: described rules, data ports only from the backend, the ALB only from CloudFront."""

from __future__ import annotations

from collections.abc import Iterable

from infra.tool.rules.common import each_has
from infra.tool.rules.model import Rule, StackRule, Subject
from infra.tool.rules.types import (
    ALB,
    DEFAULT_SG,
    DMS_INSTANCE,
    EGRESS,
    FLOW_LOG,
    INGRESS,
    LEGACY_RULE,
    SECURITY_GROUP,
    SERVICE,
    SUBNET,
    VPC,
)


def _rule_described(s: Subject) -> Iterable[str]:
    if not s.get("description"):
        yield "security group rule has no description"


def _default_sg_closed(s: Subject) -> Iterable[str]:
    if s.get("ingress") or s.get("egress"):
        yield "the default security group allows traffic"


def _no_public_ip_on_launch(s: Subject) -> Iterable[str]:
    if s.get("mapPublicIpOnLaunch") is True:
        yield "instances launched here get a public IP automatically"


def _groups_of(subjects: list[Subject], type_: str, key: str) -> set[str]:
    """URNs of the security groups wired into ``key`` of every ``type_`` resource (the ALB's
    ``securityGroups``, the ECS service's ``networkConfiguration``): a group's role is what
    uses it, never its name."""
    groups = {s.urn for s in subjects if s.type == SECURITY_GROUP}
    return {urn for s in subjects if s.type == type_ for urn in s.sources(key) if urn in groups}


def _alb_groups(subjects: list[Subject]) -> set[str]:
    return _groups_of(subjects, ALB, "securityGroups")


def _task_groups(subjects: list[Subject]) -> set[str]:
    return _groups_of(subjects, SERVICE, "networkConfiguration")


def _data_clients(subjects: list[Subject]) -> set[str]:
    """Groups allowed to reach the data stores: the backend's, and the migration's DMS instance's."""
    return _task_groups(subjects) | _groups_of(subjects, DMS_INSTANCE, "vpcSecurityGroupIds")


def _points_at(rule: Subject, key: str, urns: set[str]) -> bool | None:
    """Whether ``rule``'s ``key`` came from one of ``urns``; None when nothing says."""
    sources = rule.sources(key)
    return bool(set(sources) & urns) if sources else None


def _data_ports_from_backend_only(subjects: list[Subject]) -> Iterable[tuple[str, str]]:
    backend = _data_clients(subjects)
    for rule in (s for s in subjects if s.type in (INGRESS, LEGACY_RULE)):
        if rule.type == LEGACY_RULE and rule.get("type") != "ingress":
            continue
        low, high = rule.get("fromPort"), rule.get("toPort")
        if low is None or high is None:
            continue
        for port, what in ((27017, "MongoDB"), (6379, "Redis")):
            if low <= port <= high:
                from_backend = _points_at(rule, "referencedSecurityGroupId", backend)
                if (
                    rule.get("cidrIpv4")
                    or rule.get("cidrIpv6")
                    or rule.get("cidrBlocks")
                    or from_backend is False
                    or (from_backend is None and not rule.get("referencedSecurityGroupId"))
                ):
                    yield (
                        rule.urn,
                        f"{what} port {port} is open to something other than the backend's security group",
                    )


def _no_open_ingress(subjects: list[Subject]) -> Iterable[tuple[str, str]]:
    for rule in (s for s in subjects if s.type == INGRESS):
        if rule.get("cidrIpv4") == "0.0.0.0/0" or rule.get("cidrIpv6") == "::/0":
            yield rule.urn, "ingress open to the whole internet"


def _alb_from_cloudfront_only(subjects: list[Subject]) -> Iterable[tuple[str, str]]:
    alb_groups = _alb_groups(subjects)
    for rule in (s for s in subjects if s.type == INGRESS and _points_at(s, "securityGroupId", alb_groups)):
        if not str(rule.get("prefixListId") or "").startswith("pl-"):
            yield (
                rule.urn,
                "the ALB admits traffic that is not from CloudFront's origin-facing prefix list",
            )
    for alb in (s for s in subjects if s.type == ALB):
        if alb.get("internal") is not True and not alb_groups:
            yield alb.urn, "internet-facing ALB with no CloudFront-only security group"


def _tasks_from_alb_only(subjects: list[Subject]) -> Iterable[tuple[str, str]]:
    backend, alb = _task_groups(subjects), _alb_groups(subjects)
    for rule in (s for s in subjects if s.type == INGRESS and _points_at(s, "securityGroupId", backend)):
        if _points_at(rule, "referencedSecurityGroupId", alb) is False or rule.get("cidrIpv4"):
            yield rule.urn, "backend tasks admit traffic from something other than the ALB"


RULES: tuple[Rule, ...] = (
    Rule("sg-rules-described", "Every security group rule is described", "CKV_AWS_23", (INGRESS, EGRESS),
         _rule_described, severity="low"),
    Rule("vpc-default-sg-closed", "The default security group allows nothing", "FSBP EC2.2; CKV2_AWS_12",
         (DEFAULT_SG,), _default_sg_closed),
    Rule("vpc-no-auto-public-ip", "Subnets do not map public IPs on launch", "FSBP EC2.15; CKV_AWS_130",
         (SUBNET,), _no_public_ip_on_launch, severity="medium"),
)  # fmt: skip

STACK_RULES: tuple[StackRule, ...] = (
    StackRule("sg-data-ports-backend-only", "Nothing opens 27017 or 6379 beyond the backend's security group",
              "FSBP EC2.18, EC2.19; CKV_AWS_24, CKV_AWS_25, CKV_AWS_260, CKV_AWS_277", _data_ports_from_backend_only,
              severity="critical"),
    StackRule("sg-no-open-ingress", "No ingress rule admits the whole internet", "FSBP EC2.18", _no_open_ingress),
    StackRule("alb-cloudfront-only", "The ALB accepts traffic only from CloudFront", "project (internal ALB)",
              _alb_from_cloudfront_only),
    StackRule("ecs-tasks-from-alb-only", "Task ingress only from the ALB's security group on the app port",
              "FSBP ECS.16; CKV_AWS_333", _tasks_from_alb_only),
    StackRule("vpc-flow-logs", "Every VPC logs rejected traffic", "FSBP EC2.6; CKV2_AWS_11",
              each_has(VPC, FLOW_LOG, "vpcId", "VPC has no flow logs"), severity="medium"),
    StackRule("vpc-default-sg-managed", "Every VPC's default security group is taken over and closed",
              "FSBP EC2.2; CKV2_AWS_12", each_has(VPC, DEFAULT_SG, "vpcId", "default security group left open")),
)  # fmt: skip
