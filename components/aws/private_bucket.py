"""A private S3 bucket: the settings every bucket of the stack shares."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class PrivateBucket:
    bucket: aws.s3.Bucket
    public_access_block: aws.s3.BucketPublicAccessBlock
    """What a bucket policy waits for (S3 refuses a policy before the block is in place)."""


def private_bucket(name: str, parent: pulumi.Resource, *, protect: bool, bucket_key: bool) -> PrivateBucket:
    """``<name>-bucket`` with its ownership, public access block and default encryption.

    ACLs disabled (BucketOwnerEnforced), all four Block Public Access flags, SSE-S3 by default
    (``bucket_key``: S3 Bucket Keys, fewer encryption requests), protected and never
    force-destroyed on a production stack (S3.2, S3.3, S3.8, S3.12)."""
    child = pulumi.ResourceOptions(parent=parent)
    bucket = aws.s3.Bucket(
        f"{name}-bucket", force_destroy=not protect, opts=pulumi.ResourceOptions(parent=parent, protect=protect)
    )
    aws.s3.BucketOwnershipControls(
        f"{name}-ownership",
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        opts=child,
    )
    block = aws.s3.BucketPublicAccessBlock(
        f"{name}-public-access-block",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=child,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-encryption",
        bucket=bucket.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="AES256"
                ),
                bucket_key_enabled=True if bucket_key else None,
            )
        ],
        opts=child,
    )
    return PrivateBucket(bucket, block)
