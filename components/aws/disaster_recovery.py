"""DisasterRecovery: the way back after losing the stack's region — DocumentDB recovery points
copied to a second region, the backend images replicated there, and (through ``AppSecrets``) the
app's secrets replicated there; a stack in that region restores from them."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws.policy_documents import assume_role_policy
from components.aws.stack_key import KEY_ADMINISTRATION, KEY_USE
from infra.naming import physical_name

BACKUP_ROLE_POLICY = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
RESTORE_ROLE_POLICY = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"


@dataclass(frozen=True, kw_only=True)
class DisasterRecoveryArgs:
    region: str
    dr_region: str
    account_id: pulumi.Input[str]
    key_arn: pulumi.Input[str]
    """The stack's KMS key: encrypts the vault in the stack's region."""
    dr_key: aws.kms.Key
    """A key of the DR region: its vault's, and the secret replicas' (``dr_key_for``)."""
    database_arn: pulumi.Input[str]
    every_hours: int
    retention_days: int
    image_repository_name: pulumi.Input[str] | None
    """The stack's ECR repository (None: the image lives in another registry; nothing to replicate)."""
    protect: bool


def dr_key_policy(region: str, account_id: str) -> str:
    """The DR region's key: administered by the account; used only through AWS Backup, RDS
    (DocumentDB restores) and Secrets Manager (the replicas) in that region."""
    root = f"arn:aws:iam::{account_id}:root"
    via = [f"{service}.{region}.amazonaws.com" for service in ("backup", "rds", "secretsmanager")]
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "AccountAdministersTheKey", "Effect": "Allow", "Principal": {"AWS": root},
         "Action": KEY_ADMINISTRATION, "Resource": "*"},
        {"Sid": "RecoveryServicesUseTheKey", "Effect": "Allow", "Principal": {"AWS": root},
         "Action": [*KEY_USE, "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*",
         "Condition": {"StringEquals": {"kms:ViaService": via, "kms:CallerAccount": account_id}}},
    ]})  # fmt: skip


def dr_key(name: str, dr_region: str, account_id: pulumi.Input[str], protect: bool) -> aws.kms.Key:
    """The DR region's KMS key (made before the secrets, which replicate under it)."""
    return aws.kms.Key(
        f"{name}-dr-key",
        description=f"Nowry {pulumi.get_stack()}: recovery points and secret replicas in {dr_region}",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=pulumi.Output.from_input(account_id).apply(lambda account: dr_key_policy(dr_region, account)),
        region=dr_region,
        opts=pulumi.ResourceOptions(protect=protect),
    )


class DisasterRecovery(pulumi.ComponentResource):
    """Pilot-light disaster recovery: cheap while idle, restorable in another region.

    Builds: a backup vault in the stack's region (the stack's key) and one in the DR region
    (a key of that region), a backup plan taking a DocumentDB recovery point every
    ``every_hours`` hours, keeping it ``retention_days`` and copying each to the DR vault, a
    selection holding the DocumentDB cluster with the role AWS Backup assumes, and ECR
    replication of the backend images to the DR region when the stack builds them (ECR keeps
    one replication configuration per registry: the stack owns its region's).
    The site bucket is not replicated: CI rebuilds and uploads it to the DR stack's bucket.
    Secure defaults: both vaults encrypted with customer-managed keys, protected on production
    stacks (a deleted vault takes its recovery points with it); the backup role holds AWS's
    managed backup and restore policies only.
    Cost: recovery point storage in both regions (~$0.021 per GB-month), cross-region copies
    ($0.02 per GB), the DR key ($1/month); a few dollars a month for a 10 GB database.
    """

    primary_vault: aws.backup.Vault
    dr_vault: aws.backup.Vault
    plan: aws.backup.Plan

    def __init__(self, name: str, args: DisasterRecoveryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:aws:DisasterRecovery", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        kept = pulumi.ResourceOptions(parent=self, protect=args.protect)
        stack = pulumi.get_stack()
        self.primary_vault = aws.backup.Vault(
            f"{name}-vault",
            name=physical_name("backup-vault", "nowry", stack),
            kms_key_arn=args.key_arn,
            force_destroy=not args.protect,
            opts=kept,
        )
        self.dr_vault = aws.backup.Vault(
            f"{name}-dr-vault",
            name=physical_name("backup-vault", "nowry", stack, "dr"),
            kms_key_arn=args.dr_key.arn,
            force_destroy=not args.protect,
            region=args.dr_region,
            opts=kept,
        )
        self.plan = aws.backup.Plan(
            f"{name}-plan",
            name=physical_name("backup-plan", "nowry", stack),
            rules=[
                aws.backup.PlanRuleArgs(
                    rule_name="documentdb-recovery-points",
                    target_vault_name=self.primary_vault.name,
                    schedule=schedule(args.every_hours),
                    start_window=60,
                    completion_window=180,
                    lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=args.retention_days),
                    copy_actions=[
                        aws.backup.PlanRuleCopyActionArgs(
                            destination_vault_arn=self.dr_vault.arn,
                            lifecycle=aws.backup.PlanRuleCopyActionLifecycleArgs(delete_after=args.retention_days),
                        )
                    ],
                )
            ],
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-backup-role",
            assume_role_policy=assume_role_policy("backup.amazonaws.com"),
            description="AWS Backup: recovery points of the stack's database, and restores",
            opts=child,
        )
        for policy_name, arn in (("backup", BACKUP_ROLE_POLICY), ("restore", RESTORE_ROLE_POLICY)):
            aws.iam.RolePolicyAttachment(f"{name}-{policy_name}-policy", role=role.name, policy_arn=arn, opts=child)
        aws.backup.Selection(
            f"{name}-selection",
            name="documentdb",
            plan_id=self.plan.id,
            iam_role_arn=role.arn,
            resources=[args.database_arn],
            opts=child,
        )
        if args.image_repository_name is not None:
            aws.ecr.ReplicationConfiguration(
                f"{name}-image-replication",
                replication_configuration=aws.ecr.ReplicationConfigurationReplicationConfigurationArgs(
                    rules=[
                        aws.ecr.ReplicationConfigurationReplicationConfigurationRuleArgs(
                            destinations=[
                                aws.ecr.ReplicationConfigurationReplicationConfigurationRuleDestinationArgs(
                                    region=args.dr_region, registry_id=args.account_id
                                )
                            ],
                            repository_filters=[
                                aws.ecr.ReplicationConfigurationReplicationConfigurationRuleRepositoryFilterArgs(
                                    filter=args.image_repository_name, filter_type="PREFIX_MATCH"
                                )
                            ],
                        )
                    ]
                ),
                opts=child,
            )
        self.register_outputs({"drVaultArn": self.dr_vault.arn})


def schedule(every_hours: int) -> str:
    """AWS Backup's cron for a recovery point every ``every_hours`` hours (on the hour)."""
    hours = "*" if every_hours == 1 else f"0/{every_hours}"
    return f"cron(0 {hours} ? * * *)"


def interval_hours(expression: str) -> int:
    """The hours between recovery points of a ``schedule`` expression (its inverse)."""
    hours = expression.removeprefix("cron(").split()[1]
    return 1 if hours == "*" else int(hours.split("/")[1])
