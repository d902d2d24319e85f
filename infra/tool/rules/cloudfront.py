"""CloudFront: origin access, HTTPS and TLS for viewers and origins, headers, the web ACL, logging."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from infra.tool.rules.model import Rule, StackRule, Subject
from infra.tool.rules.types import DISTRIBUTION, HEADERS_POLICY, LOG_DELIVERY_SOURCE, VPC_ORIGIN

CLOUDFRONT_TLS = "TLSv1.2_2021"


def _behaviours(s: Subject) -> list[dict[str, Any]]:
    return [s.get("defaultCacheBehavior") or {}, *(s.get("orderedCacheBehaviors") or [])]


def _oac(s: Subject) -> Iterable[str]:
    for origin in s.get("origins") or []:
        if ".s3." in str(origin.get("domainName", "")) or origin.get("s3OriginConfig"):
            if origin.get("s3OriginConfig", {}).get("originAccessIdentity"):
                yield f"origin {origin.get('originId')} uses a legacy Origin Access Identity"
            if not origin.get("originAccessControlId"):
                yield f"S3 origin {origin.get('originId')} has no Origin Access Control"


def _viewer_https(s: Subject) -> Iterable[str]:
    for behaviour in _behaviours(s):
        if behaviour.get("viewerProtocolPolicy") not in (None, "redirect-to-https", "https-only"):
            yield f"behaviour {behaviour.get('pathPattern', 'default')} allows plain HTTP"
    if not s.get("defaultRootObject") and "defaultRootObject" not in s.props:
        yield "no default root object"


def _viewer_tls(s: Subject) -> Iterable[str]:
    certificate = s.get("viewerCertificate") or {}
    if certificate.get("cloudfrontDefaultCertificate"):
        yield "the default *.cloudfront.net certificate keeps the TLSv1 minimum (needs a custom domain)"
    elif certificate.get("minimumProtocolVersion") not in (None, CLOUDFRONT_TLS, "TLSv1.2_2025"):
        yield f"minimum TLS {certificate.get('minimumProtocolVersion')} is below {CLOUDFRONT_TLS}"
    elif certificate.get("sslSupportMethod") not in (None, "sni-only"):
        yield "certificate is not served with SNI"


def _security_headers(s: Subject) -> Iterable[str]:
    if s.type == DISTRIBUTION:
        for behaviour in _behaviours(s):
            if not behaviour.get("responseHeadersPolicyId"):
                yield f"behaviour {behaviour.get('pathPattern', 'default')} has no response headers policy"
        return
    config = s.get("securityHeadersConfig") or {}
    for header in ("strictTransportSecurity", "contentTypeOptions", "frameOptions", "referrerPolicy",
                   "contentSecurityPolicy"):  # fmt: skip
        if not config.get(header):
            yield f"response headers policy sets no {header}"


def _origin_https(s: Subject) -> Iterable[str]:
    if s.type == VPC_ORIGIN:
        if s.get("vpcOriginEndpointConfig", "originProtocolPolicy") == "http-only":
            yield "the VPC origin speaks plain HTTP to the ALB (no ALB certificate configured)"
        return
    for origin in s.get("origins") or []:
        policy = (origin.get("customOriginConfig") or {}).get("originProtocolPolicy")
        if policy in ("http-only", "match-viewer"):
            yield f"origin {origin.get('originId')} is reached over {policy}"


def _distribution_waf(s: Subject) -> Iterable[str]:
    if not s.get("webAclId") and "webAclId" not in s.props:
        yield "no web ACL: no rate limit or bad-input filtering at the edge"


def _distributions_log(subjects: list[Subject]) -> Iterable[tuple[str, str]]:
    """Every distribution has standard logging: a v2 delivery source, or the legacy logging config."""
    sources = {urn for s in subjects if s.type == LOG_DELIVERY_SOURCE for urn in s.sources("resourceArn")}
    for distribution in (s for s in subjects if s.type == DISTRIBUTION):
        if distribution.urn not in sources and not distribution.get("loggingConfig"):
            yield distribution.urn, "distribution has no access logging"


RULES: tuple[Rule, ...] = (
    Rule("cloudfront-oac", "S3 origins use Origin Access Control, not OAI", "FSBP CloudFront.13; CKV2_AWS_46",
         (DISTRIBUTION,), _oac),
    Rule("cloudfront-https", "Viewers are redirected to HTTPS; a default root object is set",
         "FSBP CloudFront.3, CloudFront.1; CKV_AWS_34, CKV_AWS_305", (DISTRIBUTION,), _viewer_https),
    Rule("cloudfront-tls12", "TLSv1.2_2021 with SNI (needs an ACM certificate in us-east-1)",
         "FSBP CloudFront.15, .7, .8; CKV_AWS_174", (DISTRIBUTION,), _viewer_tls, severity="medium"),
    Rule("cloudfront-security-headers", "A response headers policy sets HSTS, nosniff, frame options, referrer, CSP",
         "CKV2_AWS_32, CKV_AWS_259", (DISTRIBUTION, HEADERS_POLICY), _security_headers, severity="medium"),
    Rule("cloudfront-origin-https", "CloudFront reaches the API origin over HTTPS (or a private VPC origin)",
         "FSBP CloudFront.9; CKV2_AWS_54", (DISTRIBUTION, VPC_ORIGIN), _origin_https, severity="medium"),
    Rule("cloudfront-waf", "The distribution has a web ACL", "CKV_AWS_68; FSBP WAF", (DISTRIBUTION,),
         _distribution_waf, severity="medium"),
)  # fmt: skip

STACK_RULES: tuple[StackRule, ...] = (
    StackRule("cloudfront-logging", "Every distribution has standard (access) logging", "FSBP CloudFront.5; CKV_AWS_86",
              _distributions_log, severity="medium"),
)  # fmt: skip
