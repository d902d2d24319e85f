"""LogBucket: the stack's one bucket of request logs (ALB, CloudFront, the site bucket's S3 access)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws.private_bucket import private_bucket
from infra.config.aws_offerings import ELB_LOG_ACCOUNTS

ALB_PREFIX = "alb"
"""ALB access logs land under ``alb/AWSLogs/<account>/elasticloadbalancing/...``."""
S3_PREFIX = "s3/site/"
"""The site bucket's server access logs."""
VENDED_PREFIX = "AWSLogs"
"""Where CloudWatch's log delivery (CloudFront standard logging v2) writes: ``AWSLogs/<account>/CloudFront/``."""
CLOUDFRONT_DELIVERY_REGION = "us-east-1"
"""CloudFront's logging v2 delivery sources exist only in us-east-1."""
MULTIPART_ABORT_DAYS = 7


@dataclass(frozen=True, kw_only=True)
class LogBucketArgs:
    region: str
    account_id: pulumi.Input[str]
    retention_days: int
    """Days before a log object expires (the stack's log retention)."""
    protect: bool


def alb_log_writer(region: str) -> dict[str, str]:
    """Who writes ALB access logs in ``region``: the regional Elastic Load Balancing account in
    the regions that existed before August 2022, the log-delivery service principal in newer
    ones (AWS, "Enable access logs for your Application Load Balancer", bucket permissions)."""
    account = ELB_LOG_ACCOUNTS.get(region)
    if account is not None:
        return {"AWS": f"arn:aws:iam::{account}:root"}
    return {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}


def log_bucket_policy(bucket_arn: str, account_id: str, region: str) -> str:
    """TLS only; each log writer may put objects under its own prefix and nothing else, and the
    service principals only for this account's sources (the confused-deputy conditions)."""
    this_account = {"aws:SourceAccount": account_id}
    statements = [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [bucket_arn, f"{bucket_arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "AlbAccessLogs", "Effect": "Allow", "Principal": alb_log_writer(region), "Action": "s3:PutObject",
         "Resource": f"{bucket_arn}/{ALB_PREFIX}/AWSLogs/{account_id}/*"},
        {"Sid": "S3ServerAccessLogs", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": f"{bucket_arn}/{S3_PREFIX}*",
         "Condition": {"StringEquals": this_account}},
        {"Sid": "CloudFrontLogDelivery", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": f"{bucket_arn}/{VENDED_PREFIX}/{account_id}/*",
         "Condition": {"StringEquals": {**this_account, "s3:x-amz-acl": "bucket-owner-full-control"},
                       "ArnLike": {"aws:SourceArn":
                                   f"arn:aws:logs:{CLOUDFRONT_DELIVERY_REGION}:{account_id}:delivery-source:*"}}},
    ]  # fmt: skip
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


class LogBucket(pulumi.ComponentResource):
    """Where the stack's request logs go: who called what, kept for the log retention.

    Builds: an S3 bucket, its Block Public Access, ownership and encryption settings, a
    lifecycle that expires logs after the stack's retention and aborts incomplete uploads,
    and a bucket policy admitting exactly the three writers: the ALB's log delivery, S3
    server access logging (the site bucket) and CloudWatch's log delivery (CloudFront
    standard logging v2), each under its own prefix.
    Secure defaults: all four Block Public Access flags (S3.8), ACLs disabled
    (BucketOwnerEnforced), TLS-only policy (S3.5), SSE-S3 — the only default encryption ALB
    access logs and S3 server access logs accept as a destination — and protected with no
    ``force_destroy`` on production stacks. Not versioned: log objects are written once and
    expire by lifecycle.
    Cost: S3 Standard for what it holds ($0.023 per GB-month: a year of 1.5 GB a month is
    ~$0.25/month once full) plus the requests of the writers.
    """

    bucket: aws.s3.Bucket
    policy: aws.s3.BucketPolicy

    def __init__(self, name: str, args: LogBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:aws:LogBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = private_bucket(name, self, protect=args.protect, bucket_key=False).bucket
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=self.bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-logs",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=args.retention_days),
                    abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=MULTIPART_ABORT_DAYS
                    ),
                )
            ],
            opts=child,
        )
        self.policy = aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=self.bucket.id,
            policy=pulumi.Output.all(self.bucket.arn, args.account_id).apply(
                lambda values: log_bucket_policy(str(values[0]), str(values[1]), args.region)
            ),
            opts=child,
        )
        self.register_outputs({"bucket": self.bucket.bucket})
