"""Helpers for reading the aws phase's plan."""

from __future__ import annotations

import json
from typing import Any

from infra.tool.engine.plan import Plan, PlannedResource

SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def container(plan: Plan) -> dict[str, Any]:
    definitions = json.loads(plan.one("aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"])
    assert len(definitions) == 1
    return definitions[0]


def policy(resource: PlannedResource, key: str = "policy") -> dict[str, Any]:
    return json.loads(resource.inputs[key])


def group_id(plan: Plan, tier: str) -> str:
    """The placeholder id the plan gives the security group of ``tier``."""
    group = plan.one("aws:ec2/securityGroup:SecurityGroup", f"firewall-{tier}")
    return f"{group.name}-offline-id"


def ingress_to(plan: Plan, port: int) -> list[PlannedResource]:
    return [r for r in plan.of_type(SG_INGRESS) if r.inputs.get("fromPort") == port]
