"""IAM policy documents as JSON, built from Outputs (ARNs known only after creation)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi


def assume_role_policy(service: str) -> str:
    """Trust policy that lets exactly one AWS service assume the role."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
    )


def statement(actions: Sequence[str], resources: Sequence[pulumi.Input[str]]) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": list(actions), "Resource": list(resources)}


def policy_document(*statements: dict[str, Any]) -> pulumi.Output[str]:
    """A policy document whose resources may be Outputs."""
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": list(statements)})


def decrypt_through(key_arn: pulumi.Input[str], service: str, region: str) -> dict[str, Any]:
    """``kms:Decrypt`` on ``key_arn``, only when ``service`` (secretsmanager, ...) asks for it."""
    return {
        **statement(["kms:Decrypt"], [key_arn]),
        "Condition": {"StringEquals": {"kms:ViaService": f"{service}.{region}.amazonaws.com"}},
    }
