"""StaticSite: the React build in a private S3 bucket behind one CloudFront distribution,
which also serves the API under ``/api/*``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components.aws.cache_invalidation import CacheInvalidation, content_hash
from components.aws.log_bucket import CLOUDFRONT_DELIVERY_REGION, MULTIPART_ABORT_DAYS, S3_PREFIX, LogBucket
from components.aws.private_bucket import private_bucket
from components.aws.site_files import site_files
from infra.naming import physical_name

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
"""AWS managed cache and origin request policies."""

DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)

SPA_ROUTER = """function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}"""
"""Viewer-request function on the site's behaviour only: a client-side route (no file
extension) gets ``/index.html``. Distribution-wide error responses would also rewrite
the API's own 403s and 404s into ``200 index.html``."""


@dataclass(frozen=True)
class ApiOrigin:
    """The ALB behind a CloudFront VPC origin, for ``/api/*``."""

    domain_name: pulumi.Input[str]
    vpc_origin_id: pulumi.Input[str]


@dataclass(frozen=True, kw_only=True)
class StaticSiteArgs:
    static_dir: Path | None
    """The built site to upload; nothing is uploaded when None or missing."""
    api: ApiOrigin | None
    domain: str | None
    certificate_arn: str | None
    """ACM certificate in us-east-1 for ``domain``."""
    web_acl_arn: pulumi.Input[str] | None
    noncurrent_version_days: int
    """Days an overwritten or deleted file's old version is kept: the rollback window."""
    logs: LogBucket
    """Receives the site bucket's S3 access logs and the distribution's standard logs (v2)."""
    content_security_policy: str = DEFAULT_CSP
    price_class: str = "PriceClass_100"
    """Not stack settings: North America and Europe edges serve the product's users at the lowest price."""
    protect: bool


class StaticSite(pulumi.ComponentResource):
    """The site and the app's single public URL.

    Builds: a private S3 bucket (versioned, encrypted, ACLs disabled, all public access
    blocked), an Origin Access Control, a bucket policy admitting only this distribution
    over TLS, a response headers policy, an SPA routing function, the distribution (site by
    default, ``/api/*`` to the ALB's VPC origin uncached), one object per built file with
    its content type and cache-control (``immutable`` for fingerprinted assets,
    ``no-cache`` for index.html), and a cache invalidation made only when the files change.
    Secure defaults: OAC not OAI, redirect-to-https, HSTS/nosniff/frame-options/referrer/
    CSP headers, TLSv1.2_2021 with a custom domain (the default ``*.cloudfront.net``
    certificate forces TLSv1: an accepted finding), web ACL attached when given, bucket
    protected and never force-destroyed when the stack protects data, old versions expired
    after the rollback window and incomplete uploads aborted, the bucket's access logs and
    the distribution's standard logs (v2) written to the log bucket (S3.2-S3.13, S3.9,
    CloudFront.1/3/5/13/15).
    Cost: inside CloudFront's always-free 1 TB and 10M requests a month; then $0.085/GB;
    its standard logs $0.25 per GB delivered (~$0.13/month at 5M requests).
    S3: $0.023 per GB-month (a React build is a few MB: cents).
    """

    bucket: aws.s3.Bucket
    distribution: aws.cloudfront.Distribution
    url: pulumi.Output[str]

    def __init__(self, name: str, args: StaticSiteArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:aws:StaticSite", name, None, opts)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        self.bucket = self._bucket()
        access = aws.cloudfront.OriginAccessControl(
            f"{name}-oac",
            name=physical_name("cloudfront-oac", name, pulumi.get_stack()),
            description="Nowry site bucket",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
            opts=self._child,
        )
        headers = self._response_headers()
        router = aws.cloudfront.Function(
            f"{name}-spa-router",
            runtime="cloudfront-js-2.0",
            comment="Serve index.html for client-side routes",
            code=SPA_ROUTER,
            publish=True,
            opts=self._child,
        )
        self.distribution = self._distribution(access, headers, router)
        self._bucket_policy()
        self._request_logs()
        self._upload()
        host = args.domain or None
        self.url = (
            pulumi.Output.from_input(f"https://{host}")
            if host
            else pulumi.Output.concat("https://", self.distribution.domain_name)
        )
        self.register_outputs({"bucket": self.bucket.bucket, "distributionId": self.distribution.id, "url": self.url})

    def _bucket(self) -> aws.s3.Bucket:
        name = self._name
        private = private_bucket(name, self, protect=self._args.protect, bucket_key=True)
        bucket, self._public_access_block = private.bucket, private.public_access_block
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-old-versions",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=self._args.noncurrent_version_days
                    ),
                    abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=MULTIPART_ABORT_DAYS
                    ),
                )
            ],
            opts=self._child,
        )
        aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=self._child,
        )
        return bucket

    def _response_headers(self) -> aws.cloudfront.ResponseHeadersPolicy:
        cf = aws.cloudfront
        return cf.ResponseHeadersPolicy(
            f"{self._name}-security-headers",
            name=physical_name("cloudfront-headers-policy", self._name, pulumi.get_stack(), "security-headers"),
            comment="HSTS, nosniff, frame options, referrer policy, CSP",
            security_headers_config=cf.ResponseHeadersPolicySecurityHeadersConfigArgs(
                strict_transport_security=cf.ResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurityArgs(
                    access_control_max_age_sec=63072000,
                    include_subdomains=True,
                    preload=True,
                    override=True,
                ),
                content_type_options=cf.ResponseHeadersPolicySecurityHeadersConfigContentTypeOptionsArgs(override=True),
                frame_options=cf.ResponseHeadersPolicySecurityHeadersConfigFrameOptionsArgs(
                    frame_option="DENY", override=True
                ),
                referrer_policy=cf.ResponseHeadersPolicySecurityHeadersConfigReferrerPolicyArgs(
                    referrer_policy="strict-origin-when-cross-origin", override=True
                ),
                content_security_policy=cf.ResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicyArgs(
                    content_security_policy=self._args.content_security_policy, override=True
                ),
                xss_protection=cf.ResponseHeadersPolicySecurityHeadersConfigXssProtectionArgs(
                    protection=True, mode_block=True, override=True
                ),
            ),
            opts=self._child,
        )

    def _request_logs(self) -> None:
        """S3 access logs of the bucket, and CloudFront standard logging v2 to the log bucket.

        v2 (a CloudWatch Logs delivery in us-east-1) rather than legacy standard logging: the
        legacy kind writes with an ACL grant, so the log bucket would have to re-enable ACLs
        (S3.12); v2 writes under a bucket policy. S3 rather than CloudWatch Logs as the
        destination: $0.25/GB delivered and $0.023/GB-month held, against $0.50/GB ingested and
        $0.03/GB-month, and one place (and one retention) with the ALB's logs."""
        logs = self._args.logs
        aws.s3.BucketLogging(
            f"{self._name}-access-logging",
            bucket=self.bucket.id,
            target_bucket=logs.bucket.id,
            target_prefix=S3_PREFIX,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[logs.policy]),
        )
        at_the_edge = pulumi.ResourceOptions(parent=self)
        source = aws.cloudwatch.LogDeliverySource(
            f"{self._name}-cdn-log-source",
            log_type="ACCESS_LOGS",
            resource_arn=self.distribution.arn,
            region=CLOUDFRONT_DELIVERY_REGION,
            opts=at_the_edge,
        )
        destination = aws.cloudwatch.LogDeliveryDestination(
            f"{self._name}-cdn-log-destination",
            output_format="w3c",
            delivery_destination_configuration=aws.cloudwatch.LogDeliveryDestinationDeliveryDestinationConfigurationArgs(
                destination_resource_arn=logs.bucket.arn
            ),
            region=CLOUDFRONT_DELIVERY_REGION,
            opts=at_the_edge,
        )
        aws.cloudwatch.LogDelivery(
            f"{self._name}-cdn-log-delivery",
            delivery_source_name=source.name,
            delivery_destination_arn=destination.arn,
            region=CLOUDFRONT_DELIVERY_REGION,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[logs.policy]),
        )

    def _distribution(
        self,
        access: aws.cloudfront.OriginAccessControl,
        headers: aws.cloudfront.ResponseHeadersPolicy,
        router: aws.cloudfront.Function,
    ) -> aws.cloudfront.Distribution:
        cf = aws.cloudfront
        args = self._args
        origins = [
            cf.DistributionOriginArgs(
                origin_id="site",
                domain_name=self.bucket.bucket_regional_domain_name,
                origin_access_control_id=access.id,
            )
        ]
        api_behaviors = []
        if args.api is not None:
            origins.append(
                cf.DistributionOriginArgs(
                    origin_id="api",
                    domain_name=args.api.domain_name,
                    vpc_origin_config=cf.DistributionOriginVpcOriginConfigArgs(
                        vpc_origin_id=args.api.vpc_origin_id, origin_read_timeout=30
                    ),
                )
            )
            api_behaviors.append(
                cf.DistributionOrderedCacheBehaviorArgs(
                    path_pattern="/api/*",
                    target_origin_id="api",
                    viewer_protocol_policy="redirect-to-https",
                    allowed_methods=["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
                    cached_methods=["GET", "HEAD"],
                    cache_policy_id=CACHING_DISABLED,
                    origin_request_policy_id=ALL_VIEWER_EXCEPT_HOST_HEADER,
                    response_headers_policy_id=headers.id,
                    compress=True,
                )
            )
        if args.certificate_arn:
            certificate = cf.DistributionViewerCertificateArgs(
                acm_certificate_arn=args.certificate_arn,
                ssl_support_method="sni-only",
                minimum_protocol_version="TLSv1.2_2021",
            )
        else:
            certificate = cf.DistributionViewerCertificateArgs(cloudfront_default_certificate=True)
        return cf.Distribution(
            f"{self._name}-cdn",
            enabled=True,
            comment=f"Nowry {pulumi.get_stack()}: site and /api",
            default_root_object="index.html",
            is_ipv6_enabled=True,
            http_version="http2and3",
            price_class=args.price_class,
            aliases=[args.domain] if args.domain else None,
            web_acl_id=args.web_acl_arn,
            origins=origins,
            default_cache_behavior=cf.DistributionDefaultCacheBehaviorArgs(
                target_origin_id="site",
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=["GET", "HEAD", "OPTIONS"],
                cached_methods=["GET", "HEAD"],
                cache_policy_id=CACHING_OPTIMIZED,
                response_headers_policy_id=headers.id,
                compress=True,
                function_associations=[
                    cf.DistributionDefaultCacheBehaviorFunctionAssociationArgs(
                        event_type="viewer-request", function_arn=router.arn
                    )
                ],
            ),
            ordered_cache_behaviors=api_behaviors,
            restrictions=cf.DistributionRestrictionsArgs(
                geo_restriction=cf.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none")
            ),
            viewer_certificate=certificate,
            opts=self._child,
        )

    def _bucket_policy(self) -> None:
        policy = pulumi.Output.all(self.bucket.arn, self.distribution.arn).apply(
            lambda arns: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "CloudFrontReadsThroughOAC",
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudfront.amazonaws.com"},
                            "Action": "s3:GetObject",
                            "Resource": f"{arns[0]}/*",
                            "Condition": {"StringEquals": {"AWS:SourceArn": arns[1]}},
                        },
                        {
                            "Sid": "DenyInsecureTransport",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [arns[0], f"{arns[0]}/*"],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        },
                    ],
                }
            )
        )
        aws.s3.BucketPolicy(
            f"{self._name}-policy",
            bucket=self.bucket.id,
            policy=policy,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self._public_access_block]),
        )

    def _upload(self) -> None:
        directory = self._args.static_dir
        if directory is None:
            return
        files = site_files(directory)
        if not files:
            if directory.is_dir():  # a folder not built yet is reported by the config check
                pulumi.log.warn(f"frontend.staticDir {directory} holds no files: nothing is uploaded")
            return
        uploads = []
        for item in files:
            uploads.append(
                aws.s3.BucketObjectv2(
                    f"{self._name}-file-{item.key}",
                    bucket=self.bucket.id,
                    key=item.key,
                    source=pulumi.FileAsset(str(item.path)),
                    content_type=item.content_type,
                    cache_control=item.cache_control,
                    opts=self._child,
                )
            )
        CacheInvalidation(
            f"{self._name}-invalidation",
            distribution_id=self.distribution.id,
            content_hash=content_hash(files),
            opts=pulumi.ResourceOptions(parent=self, depends_on=uploads),
        )
