"""S3: public access, ACLs, the bucket policy, encryption, versions, lifecycle and access logs."""

from __future__ import annotations

from collections.abc import Iterable

from infra.tool.rules.common import each_has, is_or_unknown
from infra.tool.rules.identity import any_principal, as_list, statements
from infra.tool.rules.model import Rule, StackRule, Subject
from infra.tool.rules.types import (
    ALB,
    BUCKET,
    BUCKET_POLICY,
    OWNERSHIP,
    PUBLIC_ACCESS_BLOCK,
    S3_LIFECYCLE,
    S3_LOGGING,
    SSE,
    VERSIONING,
)

LOG_WRITERS = ("logging.s3.amazonaws.com", "delivery.logs.amazonaws.com")
"""Service principals that write logs into a bucket for any account that asks, unless the policy
names the account (``aws:SourceAccount``): the confused-deputy guard."""


def _public_access_block(s: Subject) -> Iterable[str]:
    for flag in (
        "blockPublicAcls",
        "blockPublicPolicy",
        "ignorePublicAcls",
        "restrictPublicBuckets",
    ):
        if s.get(flag) is not True:
            yield f"{flag} is not true"


def _acls_disabled(s: Subject) -> Iterable[str]:
    if s.type == OWNERSHIP:
        if not is_or_unknown(s.get("rule", "objectOwnership"), "BucketOwnerEnforced"):
            yield "object ownership is not BucketOwnerEnforced (ACLs stay enabled)"
    elif s.get("acl") in ("public-read", "public-read-write", "authenticated-read"):
        yield f"bucket ACL {s.get('acl')} grants public access"


def _bucket_policy(s: Subject) -> Iterable[str]:
    document = s.json("policy")
    if not isinstance(document, dict):
        return
    statements = document.get("Statement", [])
    for statement in statements:
        principal = statement.get("Principal")
        if statement.get("Effect") != "Allow":
            continue
        if any_principal(principal):
            yield f"statement {statement.get('Sid', '?')} allows any principal"
        cloudfront = isinstance(principal, dict) and principal.get("Service") == "cloudfront.amazonaws.com"
        if cloudfront and "AWS:SourceArn" not in str(statement.get("Condition", {})):
            yield "CloudFront is allowed without an AWS:SourceArn condition naming the distribution"
    if not any(
        s_.get("Effect") == "Deny" and "aws:SecureTransport" in str(s_.get("Condition", {})) for s_ in statements
    ):
        yield "no statement denies requests without TLS (aws:SecureTransport false)"


def _encryption(s: Subject) -> Iterable[str]:
    rules = s.get("rules") or []
    algorithms = [r.get("applyServerSideEncryptionByDefault", {}).get("sseAlgorithm") for r in rules]
    if not any(a in ("AES256", "aws:kms", "aws:kms:dsse") for a in algorithms):
        yield "no default server-side encryption"


def _versioning(s: Subject) -> Iterable[str]:
    if not is_or_unknown(s.get("versioningConfiguration", "status"), "Enabled"):
        yield "versioning is not Enabled"


def _no_force_destroy(s: Subject) -> Iterable[str]:
    if s.prod and s.get("forceDestroy") is True:
        yield "force_destroy is on in prod: deleting the stack would empty the bucket"


def _lifecycle(s: Subject) -> Iterable[str]:
    rules = [r for r in s.get("rules") or [] if r.get("status") == "Enabled"]
    if not any(r.get("abortIncompleteMultipartUpload") for r in rules):
        yield "incomplete multipart uploads are never aborted"
    if not any(r.get("expiration") or r.get("noncurrentVersionExpiration") for r in rules):
        yield "nothing ever expires: neither objects nor their old versions"


def _log_writers_scoped(s: Subject) -> Iterable[str]:
    for statement in statements(s.json("policy")):
        principal = statement.get("Principal")
        services = as_list(principal.get("Service")) if isinstance(principal, dict) else []
        if statement.get("Effect") != "Allow" or not set(services) & set(LOG_WRITERS):
            continue
        if "aws:SourceAccount" not in str(statement.get("Condition", {})):
            yield f"{', '.join(services)} may write for any account (no aws:SourceAccount condition)"
        if any(str(r).endswith(":::*") or str(r).count("/") < 2 for r in as_list(statement.get("Resource"))):
            yield f"{', '.join(services)} may write anywhere in the bucket, not under its own prefix"


def _buckets_log_access(subjects: list[Subject]) -> Iterable[tuple[str, str]]:
    """Every bucket writes server access logs, except the buckets logs are written to."""
    loggings = [s for s in subjects if s.type == S3_LOGGING]
    logged = {urn for s in loggings for urn in s.sources("bucket")}
    targets = {urn for s in loggings for urn in s.sources("targetBucket")}
    targets |= {urn for s in subjects if s.type == ALB for urn in s.sources("accessLogs")}
    for bucket in (s for s in subjects if s.type == BUCKET):
        if bucket.urn not in logged | targets:
            yield bucket.urn, "bucket has no server access logging"


RULES: tuple[Rule, ...] = (
    Rule("s3-block-public-access", "All four S3 Block Public Access flags are on", "FSBP S3.8; CKV_AWS_53-56",
         (PUBLIC_ACCESS_BLOCK,), _public_access_block),
    Rule("s3-acls-disabled", "S3 ACLs are disabled (BucketOwnerEnforced); no public ACL",
         "FSBP S3.2, S3.3, S3.12; CKV_AWS_20, CKV_AWS_57", (OWNERSHIP, BUCKET), _acls_disabled),
    Rule("s3-bucket-policy-cloudfront-tls", "Bucket policy admits only the distribution, and only over TLS",
         "FSBP S3.5, S3.6; CKV_AWS_70", (BUCKET_POLICY,), _bucket_policy),
    Rule("s3-encryption", "Buckets encrypt by default", "FSBP S3.13 area; CKV_AWS_19", (SSE,), _encryption),
    Rule("s3-versioning", "Buckets keep versions", "CKV_AWS_21", (VERSIONING,), _versioning),
    Rule("s3-no-force-destroy-prod", "No force_destroy on prod buckets", "data safety", (BUCKET,), _no_force_destroy),
    Rule("s3-lifecycle", "Buckets expire objects or old versions and abort incomplete uploads",
         "FSBP S3.13; CKV2_AWS_61", (S3_LIFECYCLE,), _lifecycle, severity="low"),
    Rule("s3-log-writers-scoped", "Log-delivery services write only for this account, under their own prefix",
         "FSBP S3.6 area; confused-deputy conditions", (BUCKET_POLICY,), _log_writers_scoped),
)  # fmt: skip

STACK_RULES: tuple[StackRule, ...] = (
    StackRule("s3-bucket-has-public-access-block", "Every bucket has a public access block", "FSBP S3.8",
              each_has(BUCKET, PUBLIC_ACCESS_BLOCK, "bucket", "bucket has no public access block")),
    StackRule("s3-access-logging", "Every bucket but the log bucket writes server access logs",
              "FSBP S3.9; CKV_AWS_18", _buckets_log_access, severity="medium"),
    StackRule("s3-bucket-has-lifecycle", "Every bucket has a lifecycle configuration", "FSBP S3.13; CKV2_AWS_61",
              each_has(BUCKET, S3_LIFECYCLE, "bucket", "bucket has no lifecycle configuration"), severity="low"),
)  # fmt: skip
