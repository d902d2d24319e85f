"""StackKey: the one customer-managed KMS key that encrypts a stack's data at rest."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.naming import physical_name

EDGE_REGION = "us-east-1"
"""Where CloudFront's companions live (its WAF web ACL and that ACL's log group)."""

KEY_ADMINISTRATION = [
    "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
    "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
    "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand", "kms:ReplicateKey",
]  # fmt: skip
"""What the account's administrators may do with the key: manage it, never use it to decrypt."""
KEY_USE = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
KEY_GRANTS = ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]

SERVICES_THROUGH_THE_ACCOUNT = ("secretsmanager", "rds", "elasticache", "ecr", "backup", "dms")
"""Services that use the key on behalf of the account's principals (``kms:ViaService``):
Secrets Manager for the app's secrets, RDS for DocumentDB, ElastiCache, ECR, AWS Backup for the
recovery points of the stack's vault, and DMS for a data migration's instance and endpoints."""


EKS_SECRETS = ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:ListGrants"]
"""What an EKS cluster role does with the key that envelope-encrypts its Kubernetes Secrets:
encrypt and decrypt the data keys, describe the key (Amazon EKS user guide, "Amazon EKS cluster
IAM role": the minimal cluster policy lists ``kms:DescribeKey``) and list its grants (EKS's health
check calls ``kms:ListGrants`` as the cluster role: terraform-aws-modules/terraform-aws-eks#1913;
that module grants the cluster role the same four actions)."""


@dataclass(frozen=True, kw_only=True)
class StackKeyArgs:
    region: str
    account_id: pulumi.Input[str]
    protect: bool
    eks_cluster_role_arn: pulumi.Input[str] | None = None
    """The EKS cluster role, when the key encrypts a cluster's Kubernetes Secrets."""


def key_policy(region: str, account_id: str, eks_cluster_role_arn: str | None = None) -> str:
    """A key policy naming exactly the services that use the key, in ``region``.

    - the account administers the key but cannot use it directly;
    - CloudWatch Logs (its regional principal) encrypts only this account's log groups
      (the ``kms:EncryptionContext:aws:logs:arn`` condition, AWS's "Encrypt log data in
      CloudWatch Logs using AWS KMS");
    - CloudWatch alarms may publish to the encrypted alert topic (SNS "Enable compatibility
      between event sources from AWS services and encrypted topics");
    - Secrets Manager, RDS (DocumentDB), ElastiCache, ECR, AWS Backup and DMS use it for the
      account's principals, through ``kms:ViaService`` in this region only, with grants only
      for AWS resources;
    - with ``eks_cluster_role_arn``, that one role (which only eks.amazonaws.com may assume) uses
      it for the cluster's Secrets (``EKS_SECRETS``). It calls KMS with its own credentials, so
      no ``kms:ViaService`` applies, and EKS documents no encryption context to condition on.
      Whoever creates the cluster needs ``kms:DescribeKey`` and ``kms:CreateGrant`` on the key,
      without ``kms:GrantIsForAWSResource``, "not supported for the CreateCluster action" (Amazon
      EKS user guide, "Encrypt Kubernetes secrets with KMS on existing clusters"): the account's
      administration statement (``kms:Create*``, ``kms:Describe*``) delegates exactly those to the
      deploy role's IAM policy, and no statement here adds more.
    """
    import json

    root = f"arn:aws:iam::{account_id}:root"
    via = [f"{service}.{region}.amazonaws.com" for service in SERVICES_THROUGH_THE_ACCOUNT]
    account = {"kms:CallerAccount": account_id}
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "AccountAdministersTheKey", "Effect": "Allow", "Principal": {"AWS": root},
                 "Action": KEY_ADMINISTRATION, "Resource": "*"},
                {"Sid": "CloudWatchLogsEncryptsThisAccountsLogGroups", "Effect": "Allow",
                 "Principal": {"Service": f"logs.{region}.amazonaws.com"}, "Action": KEY_USE, "Resource": "*",
                 "Condition": {"ArnLike": {
                     "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{region}:{account_id}:log-group:*"}}},
                {"Sid": "AlarmsPublishToTheEncryptedTopic", "Effect": "Allow",
                 "Principal": {"Service": "cloudwatch.amazonaws.com"},
                 "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
                 "Condition": {"StringEquals": {"aws:SourceAccount": account_id}}},
                {"Sid": "ServicesUseTheKeyForTheAccount", "Effect": "Allow", "Principal": {"AWS": root},
                 "Action": KEY_USE, "Resource": "*",
                 "Condition": {"StringEquals": {"kms:ViaService": via, **account}}},
                {"Sid": "ServicesHoldGrantsForTheirResources", "Effect": "Allow", "Principal": {"AWS": root},
                 "Action": KEY_GRANTS, "Resource": "*",
                 "Condition": {"StringEquals": {"kms:ViaService": via, **account},
                               "Bool": {"kms:GrantIsForAWSResource": "true"}}},
                *([{"Sid": "EksClusterRoleEncryptsKubernetesSecrets", "Effect": "Allow",
                    "Principal": {"AWS": eks_cluster_role_arn}, "Action": EKS_SECRETS, "Resource": "*"}]
                  if eks_cluster_role_arn else []),
            ],
        }
    )  # fmt: skip


class StackKey(pulumi.ComponentResource):
    """The stack's customer-managed KMS key.

    Builds: a symmetric KMS key with an alias; when the stack runs outside us-east-1, the key
    is multi-Region and a replica in us-east-1 encrypts the edge's log group (the WAF's), so
    the stack still has one key.
    Secure defaults: yearly automatic rotation (KMS.4), a 30-day deletion window, a key policy
    naming exactly the services (and the EKS cluster role) that use it (``key_policy``);
    protected on production stacks (a deleted key makes everything it encrypted unreadable, and
    leaves an EKS cluster whose Secrets it encrypts unrecoverable).
    Cost: $1 per key-month (a replica is another key-month) plus $0.03 per 10k requests.
    """

    key: aws.kms.Key
    edge_key_arn: pulumi.Output[str]
    """The key to use in us-east-1: the key itself, or its replica there."""

    def __init__(self, name: str, args: StackKeyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:aws:StackKey", name, None, opts)
        held = pulumi.ResourceOptions(parent=self, protect=args.protect)
        account = pulumi.Output.from_input(args.account_id)
        replicated = args.region != EDGE_REGION
        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"Nowry {pulumi.get_stack()}: logs, secrets, database, cache, images, alerts",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            multi_region=replicated,
            policy=pulumi.Output.all(account, args.eks_cluster_role_arn).apply(
                lambda parts: key_policy(args.region, parts[0], parts[1])
            ),
            opts=held,
        )
        aws.kms.Alias(
            f"{name}-alias",
            name=f"alias/{physical_name('kms-alias', 'nowry', pulumi.get_stack())}",
            target_key_id=self.key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        if replicated:
            replica = aws.kms.ReplicaKey(
                f"{name}-edge-replica",
                primary_key_arn=self.key.arn,
                description=f"Nowry {pulumi.get_stack()}: the edge's log group",
                deletion_window_in_days=30,
                policy=account.apply(lambda account_id: key_policy(EDGE_REGION, account_id)),
                region=EDGE_REGION,
                opts=held,
            )
            self.edge_key_arn = replica.arn
        else:
            self.edge_key_arn = self.key.arn
        self.register_outputs({"keyArn": self.key.arn})
