"""Armor: the Cloud Armor security policy on the API's backend service."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp.compute as compute

DEFAULT_RULE_PRIORITY = 2_147_483_647
"""Every policy holds a default rule at the lowest priority, matching "*" (pulumi-gcp 10.2 SecurityPolicy)."""
WAF_RULES = (
    ("sqli-v33-stable", "SQL injection (OWASP CRS 3.3)"),
    ("xss-v33-stable", "cross-site scripting (OWASP CRS 3.3)"),
)
"""Preconfigured WAF rules (cloud.google.com/armor/docs/waf-rules: "The source of the rules is OWASP CRS
3.3.2"), at sensitivity 1, the level Google recommends starting with (cloud.google.com/armor/docs/rule-tuning)."""
LOG4J_EXPRESSION = "evaluatePreconfiguredExpr('cve-canary')"
"""Log4j (CVE-2021-44228, CVE-2021-45046): the exact expression Checkov's CKV_GCP_73 looks for."""


@dataclass(frozen=True, kw_only=True)
class ArmorArgs:
    rate_limit: int
    window_seconds: int


class Armor(pulumi.ComponentResource):
    """A Cloud Armor (Standard) security policy for the API.

    Builds: one ``compute.SecurityPolicy`` whose rules throttle each client IP to ``rate_limit``
    requests per ``window_seconds`` (then 429), deny SQL injection, cross-site scripting and Log4j
    exploits (403), and allow the rest.
    Secure defaults: JSON bodies parsed (the API speaks JSON), verbose logging into the load balancer's
    request logs. Cloud Armor counts a rate limit per backend it is attached to ("Google Cloud Armor
    applies the rate limiting threshold to each associated backend", cloud.google.com/armor/docs/
    rate-limiting-overview), unlike an AWS WAF web ACL, which counts per ACL: attached to the API's one
    backend service, it counts exactly the app's own limit of 100 requests a minute per client.
    Cost: Cloud Armor Standard $5 per policy-month, $1 per rule-month and $0.75 per million requests.
    """

    policy: compute.SecurityPolicy

    def __init__(self, name: str, args: ArmorArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:gcp:Armor", name, None, opts)
        rules = [
            compute.SecurityPolicyRuleArgs(
                priority=1000,
                action="throttle",
                description=f"{args.rate_limit} requests per {args.window_seconds} s per client IP",
                match=compute.SecurityPolicyRuleMatchArgs(
                    versioned_expr="SRC_IPS_V1", config=compute.SecurityPolicyRuleMatchConfigArgs(src_ip_ranges=["*"])
                ),
                rate_limit_options=compute.SecurityPolicyRuleRateLimitOptionsArgs(
                    conform_action="allow",
                    exceed_action="deny(429)",
                    enforce_on_key="IP",
                    rate_limit_threshold=compute.SecurityPolicyRuleRateLimitOptionsRateLimitThresholdArgs(
                        count=args.rate_limit, interval_sec=args.window_seconds
                    ),
                ),
            ),
            *(
                compute.SecurityPolicyRuleArgs(
                    priority=2000 + index,
                    action="deny(403)",
                    description=description,
                    match=compute.SecurityPolicyRuleMatchArgs(
                        expr=compute.SecurityPolicyRuleMatchExprArgs(
                            expression=f"evaluatePreconfiguredWaf('{rule}', {{'sensitivity': 1}})"
                        )
                    ),
                )
                for index, (rule, description) in enumerate(WAF_RULES)
            ),
            compute.SecurityPolicyRuleArgs(
                priority=2000 + len(WAF_RULES),
                action="deny(403)",
                description="Log4j (CVE-2021-44228)",
                match=compute.SecurityPolicyRuleMatchArgs(
                    expr=compute.SecurityPolicyRuleMatchExprArgs(expression=LOG4J_EXPRESSION)
                ),
            ),
            compute.SecurityPolicyRuleArgs(
                priority=DEFAULT_RULE_PRIORITY,
                action="allow",
                description="default: allow",
                match=compute.SecurityPolicyRuleMatchArgs(
                    versioned_expr="SRC_IPS_V1", config=compute.SecurityPolicyRuleMatchConfigArgs(src_ip_ranges=["*"])
                ),
            ),
        ]
        self.policy = compute.SecurityPolicy(
            f"{name}-policy",
            description="Nowry API: rate limit, SQL injection, XSS, Log4j",
            type="CLOUD_ARMOR",
            rules=rules,
            advanced_options_config=compute.SecurityPolicyAdvancedOptionsConfigArgs(
                json_parsing="STANDARD", log_level="VERBOSE"
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"policy": self.policy.id})
