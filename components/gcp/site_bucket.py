"""SiteBucket: the React build in Cloud Storage, served by the load balancer's backend bucket."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_gcp.storage as storage

from components.aws.site_files import site_files
from components.gcp.log_bucket import LogBucket, LogBucketArgs
from infra.naming import physical_name

PUBLIC_READER = "allUsers"
"""A backend bucket reads objects as an anonymous client: Google's guide to serving a bucket through an
Application Load Balancer makes the bucket's objects public (``allUsers`` Storage Object Viewer,
cloud.google.com/load-balancing/docs/https/ext-load-balancer-backend-buckets), and the one private path
it names, a Private Service Connect NEG, "doesn't inherently grant access to private buckets"
(cloud.google.com/load-balancing/docs/backend-bucket)."""


@dataclass(frozen=True, kw_only=True)
class SiteBucketArgs:
    region: str
    project: str
    static_dir: Path | None
    noncurrent_days: int
    log_days: int
    protect: bool


class SiteBucket(pulumi.ComponentResource):
    """The site's bucket, and the log bucket its usage logs go to.

    Builds: a regional bucket for the built site (uniform bucket-level access, versioned, old versions
    expire after ``noncurrent_days``, a ``index.html`` main page, every file of ``static_dir`` uploaded
    with its content type and cache policy), object read for ``allUsers`` (what the CDN's backend bucket
    reads through; nothing can write), and a ``LogBucket`` receiving its usage logs for ``log_days``.
    Secure defaults: uniform access (no object ACLs), public read of objects only (no listing, no
    write); no ``force_destroy`` and Pulumi ``protect`` on production stacks.
    Cost: Standard storage $0.020 per GB-month; reads come through Cloud CDN.
    """

    bucket: storage.Bucket
    log_bucket: storage.Bucket

    def __init__(self, name: str, args: SiteBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:gcp:SiteBucket", name, None, opts)
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect)
        child = pulumi.ResourceOptions(parent=self)
        stack = pulumi.get_stack()
        self.log_bucket = LogBucket(
            f"{name}-logs",
            LogBucketArgs(region=args.region, project=args.project, days=args.log_days, protect=args.protect),
            opts=child,
        ).bucket
        self.bucket = storage.Bucket(
            f"{name}-bucket",
            name=physical_name("gcs-bucket", "nowry", args.project, stack, "site"),
            location=args.region,
            uniform_bucket_level_access=True,
            public_access_prevention="inherited",
            force_destroy=not args.protect,
            versioning=storage.BucketVersioningArgs(enabled=True),
            website=storage.BucketWebsiteArgs(main_page_suffix="index.html"),
            logging=storage.BucketLoggingArgs(log_bucket=self.log_bucket.name, log_object_prefix="site/"),
            lifecycle_rules=[
                storage.BucketLifecycleRuleArgs(
                    action=storage.BucketLifecycleRuleActionArgs(type="Delete"),
                    condition=storage.BucketLifecycleRuleConditionArgs(
                        days_since_noncurrent_time=args.noncurrent_days, with_state="ARCHIVED"
                    ),
                ),
                storage.BucketLifecycleRuleArgs(
                    action=storage.BucketLifecycleRuleActionArgs(type="AbortIncompleteMultipartUpload"),
                    condition=storage.BucketLifecycleRuleConditionArgs(age=1),
                ),
            ],
            opts=stateful,
        )
        storage.BucketIAMMember(
            f"{name}-public-read",
            bucket=self.bucket.name,
            role="roles/storage.objectViewer",
            member=PUBLIC_READER,
            opts=child,
        )
        for file in site_files(args.static_dir) if args.static_dir else []:
            storage.BucketObject(
                f"{name}-file-{file.key}",
                bucket=self.bucket.name,
                name=file.key,
                source=pulumi.FileAsset(str(file.path)),
                content_type=file.content_type,
                cache_control=file.cache_control,
                opts=child,
            )
        self.register_outputs({"bucket": self.bucket.name})
