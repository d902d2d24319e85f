"""The Pulumi state backend: an S3 bucket and a KMS key, created idempotently, checked, fixed on request."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from infra.aws_client import Aws, explained

DEFAULT_ALIAS = "alias/nowry-pulumi-secrets"
NONCURRENT_DAYS = 90


@dataclass(frozen=True)
class Drift:
    """One setting of an existing bucket or key that is weaker than it should be."""

    setting: str
    expected: str
    found: str

    def render(self) -> str:
        return f"{self.setting}: expected {self.expected}, found {self.found}"


@dataclass
class BootstrapResult:
    bucket: str
    key_arn: str
    alias: str
    region: str
    changes: list[str] = field(default_factory=list)
    drift: list[Drift] = field(default_factory=list)
    fixed: bool = False

    @property
    def login_line(self) -> str:
        return f"pulumi login s3://{self.bucket}"

    @property
    def stack_init_line(self) -> str:
        return f"pulumi stack init <stack> --secrets-provider 'awskms://{self.alias}?region={self.region}'"


def tls_only_policy(bucket: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def lifecycle(days: int) -> dict[str, Any]:
    return {
        "Rules": [
            {
                "ID": "expire-old-state-versions",
                "Status": "Enabled",
                "Filter": {"Prefix": ""},
                "NoncurrentVersionExpiration": {"NoncurrentDays": days},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
            }
        ]
    }


PUBLIC_ACCESS_BLOCK = dict.fromkeys(
    ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
)


class StateBackend:
    """Creates or checks the state bucket and the secrets key."""

    def __init__(self, aws: Aws, *, bucket: str | None = None, alias: str = DEFAULT_ALIAS,
                 noncurrent_days: int = NONCURRENT_DAYS) -> None:  # fmt: skip
        self.aws = aws
        self.s3 = aws.client("s3")
        self.kms = aws.client("kms")
        self.alias = alias if alias.startswith("alias/") else f"alias/{alias}"
        self.noncurrent_days = noncurrent_days
        self._bucket = bucket

    def bucket_name(self) -> str:
        if self._bucket:
            return self._bucket
        with explained("reading the AWS account"):
            account = self.aws.client("sts").get_caller_identity()["Account"]
        return f"nowry-pulumi-state-{account}-{self.aws.region}"

    def run(self, *, fix: bool = False) -> BootstrapResult:
        bucket = self.bucket_name()
        result = BootstrapResult(bucket, "", self.alias, self.aws.region, fixed=fix)
        result.key_arn = self._key(result, fix)
        with explained(f"setting up s3://{bucket}"):
            if self._bucket_exists(bucket):
                self._check_bucket(bucket, result, fix)
            else:
                self._create_bucket(bucket, result)
        return result

    # --- KMS -------------------------------------------------------------------------------------
    def _key(self, result: BootstrapResult, fix: bool) -> str:
        with explained(f"setting up the KMS key {self.alias}"):
            try:
                key = self.kms.describe_key(KeyId=self.alias)["KeyMetadata"]
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "NotFoundException":
                    raise
                key = self.kms.create_key(Description="Pulumi secrets for Nowry stacks", KeyUsage="ENCRYPT_DECRYPT")[
                    "KeyMetadata"
                ]
                self.kms.enable_key_rotation(KeyId=key["KeyId"])
                self.kms.create_alias(AliasName=self.alias, TargetKeyId=key["KeyId"])
                result.changes.append(f"created KMS key {self.alias} with yearly rotation")
                return key["Arn"]
            if not self.kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"]:
                result.drift.append(Drift(f"KMS key {self.alias} rotation", "enabled", "disabled"))
                if fix:
                    self.kms.enable_key_rotation(KeyId=key["KeyId"])
                    result.changes.append(f"enabled rotation of {self.alias}")
            return key["Arn"]

    # --- S3 --------------------------------------------------------------------------------------
    def _bucket_exists(self, bucket: str) -> bool:
        try:
            self.s3.head_bucket(Bucket=bucket)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchBucket", "NotFound"):
                return False
            raise
        return True

    def _create_bucket(self, bucket: str, result: BootstrapResult) -> None:
        args: dict[str, Any] = {"Bucket": bucket}
        if self.aws.region != "us-east-1":
            args["CreateBucketConfiguration"] = {"LocationConstraint": self.aws.region}
        self.s3.create_bucket(**args)
        for setting in ("public access block", "versioning", "encryption", "policy", "lifecycle"):
            self._apply(bucket, setting, result.key_arn)
        result.changes.append(
            f"created s3://{bucket}: versioning, SSE-KMS ({self.alias}), all public access blocked, "
            f"TLS-only policy, old versions expire after {self.noncurrent_days} days"
        )

    def _apply(self, bucket: str, setting: str, key_arn: str) -> None:
        if setting == "public access block":
            self.s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=PUBLIC_ACCESS_BLOCK)
        elif setting == "versioning":
            self.s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        elif setting == "encryption":
            rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn},
                    "BucketKeyEnabled": True}  # fmt: skip
            self.s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [rule]})
        elif setting == "policy":
            self.s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(tls_only_policy(bucket)))
        elif setting == "lifecycle":
            self.s3.put_bucket_lifecycle_configuration(
                Bucket=bucket, LifecycleConfiguration=lifecycle(self.noncurrent_days)
            )

    def _check_bucket(self, bucket: str, result: BootstrapResult, fix: bool) -> None:
        for setting, drift in self._bucket_drift(bucket, result.key_arn):
            result.drift.append(drift)
            if fix:
                self._apply(bucket, setting, result.key_arn)
                result.changes.append(f"fixed {drift.setting} of s3://{bucket}")

    def _bucket_drift(self, bucket: str, key_arn: str) -> list[tuple[str, Drift]]:
        found: list[tuple[str, Drift]] = []
        block = self._read("get_public_access_block", bucket, "PublicAccessBlockConfiguration")
        off = sorted(k for k, v in PUBLIC_ACCESS_BLOCK.items() if not (block or {}).get(k))
        if off:
            found.append(
                ("public access block", Drift("public access block", "all four flags on", f"off: {', '.join(off)}"))
            )
        status = self.s3.get_bucket_versioning(Bucket=bucket).get("Status", "never enabled")
        if status != "Enabled":
            found.append(("versioning", Drift("versioning", "Enabled", status)))
        encryption = self._read("get_bucket_encryption", bucket, "ServerSideEncryptionConfiguration") or {}
        default = ((encryption.get("Rules") or [{}])[0]).get("ApplyServerSideEncryptionByDefault", {})
        key = default.get("KMSMasterKeyID", "")
        if default.get("SSEAlgorithm") != "aws:kms" or not (key == key_arn or key_arn.endswith(key.split("/")[-1])):
            shown = f"{default.get('SSEAlgorithm', 'none')} {key}".strip()
            found.append(("encryption", Drift("encryption", f"aws:kms with {self.alias}", shown)))
        policy = self._read("get_bucket_policy", bucket, "Policy")
        statements = json.loads(policy).get("Statement", []) if policy else []
        if not any(s.get("Effect") == "Deny" and "aws:SecureTransport" in json.dumps(s.get("Condition", {}))
                   for s in statements):  # fmt: skip
            found.append(("policy", Drift("bucket policy", "deny requests without TLS", "no such statement")))
        rules = self._read("get_bucket_lifecycle_configuration", bucket, "Rules") or []
        if not any(r.get("Status") == "Enabled" and r.get("NoncurrentVersionExpiration") for r in rules):
            found.append(("lifecycle", Drift("lifecycle", f"expire old versions after {self.noncurrent_days} days",
                                             "no expiry of old versions")))  # fmt: skip
        return found

    def _read(self, operation: str, bucket: str, key: str) -> Any:
        """A bucket setting, or None when the bucket has none (S3 answers with an error then)."""
        try:
            return getattr(self.s3, operation)(Bucket=bucket).get(key)
        except ClientError as exc:
            missing = ("NoSuchPublicAccessBlockConfiguration", "ServerSideEncryptionConfigurationNotFoundError",
                       "NoSuchBucketPolicy", "NoSuchLifecycleConfiguration")  # fmt: skip
            if exc.response["Error"]["Code"] in missing:
                return None
            raise
