"""AppSecrets: the backend's credentials in Secrets Manager."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True, kw_only=True)
class AppSecretsArgs:
    values: Mapping[str, pulumi.Input[str]]
    """Environment variable name -> secret value (GROQ_API_KEY, SECRET_KEY, MONGO_URI, ...)."""
    recovery_window_days: int
    protect: bool
    name_prefix: str
    kms_key_arn: pulumi.Input[str] | None
    """The stack's KMS key (None: AWS's own keys)."""
    replica_region: str | None
    """A second region holding replicas (disaster recovery), or None."""
    replica_key_arn: pulumi.Input[str] | None
    replicated: frozenset[str]
    """The variables replicated there: those a stack in that region cannot make itself (an API key,
    the signing key); a restored stack builds its own database and cache URLs."""


class AppSecrets(pulumi.ComponentResource):
    """One Secrets Manager secret per credential the backend reads.

    Builds: a ``Secret`` (auto-named under ``<prefix>/``, so a deleted one's reserved name
    never blocks a re-create) and a ``SecretVersion`` holding the value, per variable.
    Secure defaults: values stay Pulumi secrets end to end; recovery window 7-30 days
    (never immediate deletion); protected when the stack protects data. The task reads
    them through the container's ``secrets`` (ECS.8), never plain environment.
    Cost: $0.40 per secret-month plus $0.05 per 10k reads (4 secrets: ~$1.60/month).
    """

    arns: dict[str, pulumi.Output[str]]
    """Variable name -> secret ARN."""

    def __init__(self, name: str, args: AppSecretsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:aws:AppSecrets", name, None, opts)
        self.arns = {}
        for variable, value in sorted(args.values.items()):
            slug = re.sub(r"[^a-z0-9]+", "-", variable.lower()).strip("-")
            secret = aws.secretsmanager.Secret(
                f"{name}-{slug}",
                name_prefix=f"{args.name_prefix}/{slug}-",
                description=f"Nowry backend {variable}",
                recovery_window_in_days=args.recovery_window_days,
                kms_key_id=args.kms_key_arn,
                replicas=[
                    aws.secretsmanager.SecretReplicaArgs(region=args.replica_region, kms_key_id=args.replica_key_arn)
                ]
                if args.replica_region and variable in args.replicated
                else None,
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
            )
            aws.secretsmanager.SecretVersion(
                f"{name}-{slug}-value",
                secret_id=secret.id,
                secret_string=pulumi.Output.secret(value),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.arns[variable] = secret.arn
        self.register_outputs({"arns": self.arns})
