"""AppSecrets: the backend's credentials in Secret Manager, readable by the backend alone."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_gcp.secretmanager as secretmanager

from infra.naming import physical_name

ACCESSOR = "roles/secretmanager.secretAccessor"


@dataclass(frozen=True, kw_only=True)
class AppSecretsArgs:
    values: Mapping[str, pulumi.Input[str]]
    """Name (an environment variable, or a file the backend reads) -> secret value."""
    reader: pulumi.Input[str]
    """The IAM member (``serviceAccount:...``) of the backend, the one principal that may read them."""
    id_prefix: str
    """Prefix of each secret's id: ids are unique in the project, so the stack's name is in it."""
    protect: bool


class AppSecrets(pulumi.ComponentResource):
    """One Secret Manager secret per credential the backend reads.

    Builds: per value a ``Secret`` (automatic replication, id ``<prefix>-<name>``), a ``SecretVersion``
    holding it and a ``SecretIamMember`` granting the backend's service account
    ``roles/secretmanager.secretAccessor`` on that secret alone (never on the project).
    Secure defaults: values stay Pulumi secrets end to end; Cloud Run reads them as secret environment
    variables (or a mounted file), never plain; on production stacks deletion protection and Pulumi
    ``protect`` on every secret and version.
    Cost: $0.06 per active version-month and $0.03 per 10k reads; the first 6 versions and 10k reads of
    a billing account are free.
    """

    ids: dict[str, pulumi.Output[str]]
    """Name -> the secret's id (what Cloud Run's ``secretKeyRef`` names)."""
    versions: dict[str, pulumi.Output[str]]
    """Name -> the version number holding the value: a new value is a new revision of the service."""

    def __init__(self, name: str, args: AppSecretsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:gcp:AppSecrets", name, None, opts)
        self.ids, self.versions = {}, {}
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect)
        for variable, value in sorted(args.values.items()):
            slug = re.sub(r"[^a-z0-9]+", "-", variable.lower()).strip("-")
            secret = secretmanager.Secret(
                f"{name}-{slug}",
                secret_id=physical_name("gcp-secret", args.id_prefix, slug),
                replication=secretmanager.SecretReplicationArgs(auto=secretmanager.SecretReplicationAutoArgs()),
                labels={"app": "nowry", "stack": physical_name("gcp-label", pulumi.get_stack())},
                deletion_protection=args.protect,
                opts=stateful,
            )
            version = secretmanager.SecretVersion(
                f"{name}-{slug}-value",
                secret=secret.id,
                secret_data=pulumi.Output.secret(value),
                opts=stateful,
            )
            secretmanager.SecretIamMember(
                f"{name}-{slug}-reader",
                secret_id=secret.id,
                role=ACCESSOR,
                member=args.reader,
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.ids[variable] = secret.secret_id
            self.versions[variable] = version.version
        self.register_outputs({"ids": self.ids})
