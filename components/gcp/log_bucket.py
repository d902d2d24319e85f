"""LogBucket: the Cloud Storage bucket the site bucket's usage logs are written to."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp.storage as storage

from infra.naming import physical_name

LOG_WRITER = "group:cloud-storage-analytics@google.com"
"""Who writes a bucket's usage logs into the log bucket: Cloud Storage's analytics group, granted object
creation (cloud.google.com/storage/docs/access-logs)."""


@dataclass(frozen=True, kw_only=True)
class LogBucketArgs:
    region: str
    project: str
    days: int
    protect: bool


class LogBucket(pulumi.ComponentResource):
    """A private bucket for access logs.

    Builds: a regional bucket (uniform access, public access prevention enforced) whose objects expire
    after ``days``, and the one grant that lets Cloud Storage write usage logs into it.
    Secure defaults: never public; nothing but the log writer may create objects; no ``force_destroy`` and
    Pulumi ``protect`` on production stacks.
    Cost: Standard storage $0.020 per GB-month of logs held.
    """

    bucket: storage.Bucket

    def __init__(self, name: str, args: LogBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:gcp:LogBucket", name, None, opts)
        self.bucket = storage.Bucket(
            f"{name}-bucket",
            name=physical_name("gcs-bucket", "nowry", args.project, pulumi.get_stack(), "logs"),
            location=args.region,
            uniform_bucket_level_access=True,
            public_access_prevention="enforced",
            force_destroy=not args.protect,
            lifecycle_rules=[storage.BucketLifecycleRuleArgs(
                action=storage.BucketLifecycleRuleActionArgs(type="Delete"),
                condition=storage.BucketLifecycleRuleConditionArgs(age=args.days),
            )],
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )  # fmt: skip
        storage.BucketIAMMember(
            f"{name}-writer",
            bucket=self.bucket.name,
            role="roles/storage.objectCreator",
            member=LOG_WRITER,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"bucket": self.bucket.name})
