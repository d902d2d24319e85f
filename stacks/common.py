"""Pieces every phase shares: the app's secrets as Pulumi secrets."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pulumi
import pulumi_random as random

from infra.config.model import SECRETS, StackConfig

if TYPE_CHECKING:
    from components.aws.network import Network
    from components.aws.stack_key import StackKey


def app_secrets(config: StackConfig) -> dict[str, pulumi.Output[str]]:
    """The backend's secret environment (``GROQ_API_KEY``, ``SECRET_KEY``), all secret Outputs.

    An optional secret left unset (``secretKey``) is generated once with pulumi-random and
    kept in state, protected when the stack protects its data.
    """
    env: dict[str, pulumi.Output[str]] = {}
    for spec in SECRETS:
        if spec.env is None or (spec.phases is not None and config.phase not in spec.phases):
            continue
        value = config.secrets.get(spec.key)
        if value is not None:
            env[spec.env] = pulumi.Output.secret(value.reveal())
            continue
        if not spec.optional_generated:
            continue
        generated = random.RandomPassword(
            f"{_kebab(spec.key)}-generated",
            length=64,
            special=False,
            opts=pulumi.ResourceOptions(protect=config.protect),
        )
        env[spec.env] = pulumi.Output.secret(generated.result)
    return env


def stack_key(
    config: StackConfig, eks_cluster_role_arn: pulumi.Input[str] | None = None
) -> tuple[StackKey, pulumi.Output[str]]:
    """The stack's KMS key (aws phase, and EKS in the kubernetes phase), and the account it lives in;
    ``eks_cluster_role_arn``: the EKS cluster role whose Secrets it encrypts."""
    import pulumi_aws as aws

    from components.aws.stack_key import StackKey, StackKeyArgs

    account_id = aws.get_caller_identity_output().account_id
    args = StackKeyArgs(
        region=config.aws_region,
        account_id=account_id,
        protect=config.protect,
        eks_cluster_role_arn=eks_cluster_role_arn,
    )
    return StackKey("stack", args), account_id


def aws_network(config: StackConfig, kms_key_arn: pulumi.Input[str] | None = None) -> Network:
    """The VPC from the stack's ``aws`` settings (the aws phase, and EKS in the kubernetes phase)."""
    from components.aws.network import Network, NetworkArgs

    settings = config.aws
    return Network(
        "network",
        NetworkArgs(
            cidr=settings.vpc_cidr,
            availability_zones=settings.availability_zones,
            nat=settings.nat,
            flow_logs=settings.flow_logs,
            log_retention_days=config.log_retention_days,
            region=config.aws_region,
            kms_key_arn=kms_key_arn,
        ),
    )


def _kebab(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", key).lower()
