"""IAM trust and least privilege, the stack's KMS key, and Secrets Manager."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from infra.tool.rules.model import Rule, StackRule, Subject
from infra.tool.rules.types import (
    DOCDB_CLUSTER,
    IAM_POLICY,
    KMS_KEY,
    LOG_GROUP,
    REPLICATION_GROUP,
    REPOSITORY,
    ROLE,
    ROLE_POLICY,
    ROTATION,
    SECRET,
    TOPIC,
)

STAR_RESOURCE_ACTIONS = (
    "ecr:GetAuthorizationToken",
    "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
    "xray:GetSamplingStatisticSummaries",
)  # fmt: skip
"""Actions AWS offers no resource-level permission for: ``*`` is the only resource (the Service
Authorization Reference lists no resource type for them; AWS's own AWSXRayDaemonWriteAccess
policy grants the X-Ray ones on ``*``)."""


def statements(document: Any) -> list[dict[str, Any]]:
    if not isinstance(document, dict):
        return []
    statements = document.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def any_principal(principal: Any) -> bool:
    """``"*"`` or ``{"AWS": "*"}``: anyone at all."""
    if principal == "*":
        return True
    return isinstance(principal, dict) and "*" in as_list(principal.get("AWS"))


def _trust(s: Subject) -> Iterable[str]:
    for statement in statements(s.json("assumeRolePolicy")):
        if any_principal(statement.get("Principal")):
            yield "the role can be assumed by any principal"


def _least_privilege(s: Subject) -> Iterable[str]:
    for statement in statements(s.json("policy")):
        if statement.get("Effect") != "Allow":
            continue
        actions = [str(a) for a in as_list(statement.get("Action"))]
        resources = [str(r) for r in as_list(statement.get("Resource"))]
        if any(a == "*" or a.endswith(":*") for a in actions):
            yield f"wildcard action in {actions}"
        if "*" in resources and not set(actions) <= set(STAR_RESOURCE_ACTIONS):
            yield f"resource * for {actions}"
        if "secretsmanager:GetSecretValue" in actions and any(r.endswith("*") for r in resources):
            yield "reads secrets by wildcard rather than exactly the app's secrets"


def _secret_recovery(s: Subject) -> Iterable[str]:
    days = s.get("recoveryWindowInDays")
    if days is None:
        return
    if days == 0 and s.prod:
        yield "deleted immediately in prod (recovery window 0)"
    elif days != 0 and not 7 <= days <= 30:
        yield f"recovery window of {days} days (allowed: 7-30)"


def _secret_rotation(subjects: list[Subject]) -> Iterable[tuple[str, str]]:
    rotated = {urn for s in subjects if s.type == ROTATION for urn in s.sources("secretId")}
    for secret in (s for s in subjects if s.type == SECRET):
        if secret.urn not in rotated:
            yield secret.urn, "no automatic rotation"


def _customer_key(s: Subject) -> Iterable[str]:
    if s.type == REPOSITORY:
        configs = s.get("encryptionConfigurations") or [{}]
        key = configs[0].get("kmsKey") if configs[0].get("encryptionType") == "KMS" else None
    elif s.type == TOPIC:
        key = s.get("kmsMasterKeyId")
    else:
        key = s.get("kmsKeyId")
    if not key or str(key).startswith("alias/aws/"):
        yield "encrypted with an AWS key, not the stack's customer-managed key"


def _key_rotation(s: Subject) -> Iterable[str]:
    if s.get("enableKeyRotation") is not True:
        yield "automatic key rotation is off"
    for statement in statements(s.json("policy")):
        if statement.get("Effect") == "Allow" and any_principal(statement.get("Principal")):
            yield f"key policy statement {statement.get('Sid', '?')} allows any principal"
        service = (
            (statement.get("Principal") or {}).get("Service") if isinstance(statement.get("Principal"), dict) else None
        )
        if str(service).startswith("logs.") and "kms:EncryptionContext:aws:logs:arn" not in str(statement):
            yield "CloudWatch Logs may use the key for any log group (no encryption-context condition)"


RULES: tuple[Rule, ...] = (
    Rule("iam-trust-limited", "Roles trust named service principals, never *", "FSBP IAM.1; CKV_AWS_62",
         (ROLE,), _trust, severity="critical"),
    Rule("iam-least-privilege", "No * action; no * resource (but where AWS allows only *); secrets named exactly",
         "FSBP IAM.1, IAM.21; CKV_AWS_62, CKV_AWS_63, CKV_AWS_355", (ROLE_POLICY, IAM_POLICY), _least_privilege,
         severity="critical"),
    Rule("secrets-recovery-window", "Secrets keep a 7-30 day recovery window (never 0 in prod)",
         "FSBP SecretsManager.1-4; CKV2_AWS_57", (SECRET,), _secret_recovery),
    Rule("kms-customer-key", "Logs, secrets, DocumentDB, ElastiCache, ECR and SNS use the stack's KMS key",
         "FSBP SNS.1; CKV_AWS_158, CKV_AWS_149, CKV_AWS_182, CKV_AWS_191, CKV_AWS_136, CKV_AWS_26",
         (LOG_GROUP, SECRET, DOCDB_CLUSTER, REPLICATION_GROUP, REPOSITORY, TOPIC), _customer_key, severity="medium"),
    Rule("kms-rotation-scoped-policy", "The key rotates; its policy names its users, never *, logs by context",
         "FSBP KMS.4; CKV_AWS_7, CKV_AWS_33", (KMS_KEY,), _key_rotation),
)  # fmt: skip

STACK_RULES: tuple[StackRule, ...] = (
    StackRule("secrets-rotation", "Secrets rotate automatically", "FSBP SecretsManager.1-4", _secret_rotation,
              severity="low", enforcement="advisory"),
)  # fmt: skip
