"""LoadBalancer: one global external Application Load Balancer for the site and ``/api/*``."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp.compute as compute

SCHEME = "EXTERNAL_MANAGED"
"""The global external Application Load Balancer (set explicitly: Checkov's CKV2_GCP_38 reads it)."""


@dataclass(frozen=True, kw_only=True)
class LoadBalancerArgs:
    bucket_name: pulumi.Input[str]
    endpoint_group_id: pulumi.Input[str]
    """The serverless NEG of the Cloud Run service."""
    security_policy_id: pulumi.Input[str]
    domain: str | None
    """With a domain: HTTPS with a Google-managed certificate, HTTP redirected. Without: HTTP only."""


class LoadBalancer(pulumi.ComponentResource):
    """The edge: a global address, Cloud CDN on a backend bucket for the site, a backend service on
    the API's serverless NEG, and the URL map, proxies and forwarding rules in front.

    Builds: ``/api`` and ``/api/...`` go to the API's backend service (Cloud Armor attached, request logs
    on); everything else to the site's backend bucket with Cloud CDN (static content cached, 404s not
    cached long); a 404 from the bucket is answered with ``/index.html`` and status 200 (the SPA's
    fallback: a custom error response policy on the site's route rule alone, so the API's own 404s pass
    unchanged; cloud.google.com/load-balancing/docs/https/custom-error-response). With ``domain``: a
    Google-managed certificate, an SSL policy (MODERN profile, TLS 1.2 minimum) and HTTP answered with a
    redirect to HTTPS.
    Secure defaults: TLS 1.2+ only; the API never cached; every API request logged.
    Cost: forwarding rules $0.025/hour each (two: ~$36.50/month), data processed $0.008 per GB; Cloud CDN
    $0.08 per GB served and $0.0075 per 10k cache lookups.
    """

    address: compute.GlobalAddress
    api_backend: compute.BackendService
    site_backend: compute.BackendBucket
    url_map: compute.URLMap
    https_rule: compute.GlobalForwardingRule | None
    http_rule: compute.GlobalForwardingRule

    def __init__(self, name: str, args: LoadBalancerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:gcp:LoadBalancer", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.address = compute.GlobalAddress(f"{name}-ip", ip_version="IPV4", opts=child)
        self.site_backend = compute.BackendBucket(
            f"{name}-site",
            bucket_name=args.bucket_name,
            enable_cdn=True,
            compression_mode="AUTOMATIC",
            cdn_policy=compute.BackendBucketCdnPolicyArgs(
                cache_mode="CACHE_ALL_STATIC", default_ttl=3600, max_ttl=86400, client_ttl=3600,
                negative_caching=True,
                negative_caching_policies=[compute.BackendBucketCdnPolicyNegativeCachingPolicyArgs(code=404, ttl=60)],
                serve_while_stale=86400, request_coalescing=True,
            ),
            custom_response_headers=[
                "Strict-Transport-Security: max-age=31536000; includeSubDomains",
                "X-Content-Type-Options: nosniff",
                "X-Frame-Options: DENY",
                "Referrer-Policy: strict-origin-when-cross-origin",
            ],
            opts=child,
        )  # fmt: skip
        self.api_backend = compute.BackendService(
            f"{name}-api",
            load_balancing_scheme=SCHEME,
            protocol="HTTPS",
            backends=[compute.BackendServiceBackendArgs(group=args.endpoint_group_id)],
            security_policy=args.security_policy_id,
            enable_cdn=False,
            log_config=compute.BackendServiceLogConfigArgs(enable=True, sample_rate=1.0),
            opts=child,
        )
        self.url_map = compute.URLMap(
            f"{name}-routes",
            default_service=self.site_backend.id,
            host_rules=[compute.URLMapHostRuleArgs(hosts=[args.domain or "*"], path_matcher="site")],
            path_matchers=[
                compute.URLMapPathMatcherArgs(
                    name="site",
                    default_service=self.site_backend.id,
                    route_rules=[
                        compute.URLMapPathMatcherRouteRuleArgs(
                            priority=1,
                            service=self.api_backend.id,
                            match_rules=[
                                compute.URLMapPathMatcherRouteRuleMatchRuleArgs(full_path_match="/api"),
                                compute.URLMapPathMatcherRouteRuleMatchRuleArgs(prefix_match="/api/"),
                            ],
                        ),
                        compute.URLMapPathMatcherRouteRuleArgs(
                            priority=2,
                            service=self.site_backend.id,
                            match_rules=[compute.URLMapPathMatcherRouteRuleMatchRuleArgs(prefix_match="/")],
                            custom_error_response_policy=compute.URLMapPathMatcherRouteRuleCustomErrorResponsePolicyArgs(
                                error_service=self.site_backend.id,
                                error_response_rules=[
                                    compute.URLMapPathMatcherRouteRuleCustomErrorResponsePolicyErrorResponseRuleArgs(
                                        match_response_codes=["404"], path="/index.html", override_response_code=200
                                    )
                                ],
                            ),
                        ),
                    ],
                )
            ],
            opts=child,
        )
        self.https_rule = self._https(name, args, child) if args.domain else None
        self.http_rule = self._http(name, args, child)
        self.register_outputs({"address": self.address.address})

    def _https(self, name: str, args: LoadBalancerArgs, child: pulumi.ResourceOptions) -> compute.GlobalForwardingRule:
        assert args.domain is not None
        certificate = compute.ManagedSslCertificate(
            f"{name}-certificate",
            managed=compute.ManagedSslCertificateManagedArgs(domains=[args.domain]),
            opts=child,
        )
        policy = compute.SSLPolicy(f"{name}-tls", profile="MODERN", min_tls_version="TLS_1_2", opts=child)
        proxy = compute.TargetHttpsProxy(
            f"{name}-https-proxy",
            url_map=self.url_map.id,
            ssl_certificates=[certificate.id],
            ssl_policy=policy.id,
            opts=child,
        )
        return compute.GlobalForwardingRule(
            f"{name}-https",
            target=proxy.id,
            ip_address=self.address.id,
            ip_protocol="TCP",
            port_range="443",
            load_balancing_scheme=SCHEME,
            opts=child,
        )

    def _http(self, name: str, args: LoadBalancerArgs, child: pulumi.ResourceOptions) -> compute.GlobalForwardingRule:
        """Port 80: a redirect to HTTPS when there is a certificate, else the site and API themselves."""
        target_map = self.url_map
        if args.domain:
            target_map = compute.URLMap(
                f"{name}-redirect",
                default_url_redirect=compute.URLMapDefaultUrlRedirectArgs(
                    https_redirect=True, redirect_response_code="MOVED_PERMANENTLY_DEFAULT", strip_query=False
                ),
                opts=child,
            )
        proxy = compute.TargetHttpProxy(f"{name}-http-proxy", url_map=target_map.id, opts=child)
        return compute.GlobalForwardingRule(
            f"{name}-http",
            target=proxy.id,
            ip_address=self.address.id,
            ip_protocol="TCP",
            port_range="80",
            load_balancing_scheme=SCHEME,
            opts=child,
        )
