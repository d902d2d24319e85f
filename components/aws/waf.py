"""Waf: a web ACL on the CloudFront distribution — rate limit plus AWS's known-bad-inputs rules."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True, kw_only=True)
class WafArgs:
    rate_limit: int
    """Requests per client IP per window; the app's own limit is 100 a minute."""
    window_seconds: int
    client_ip: str
    """``viewer``: the address CloudFront received the request from. ``forwarded``: the
    first address in X-Forwarded-For, which a client can write itself."""


def _rule_visibility(metric: str) -> aws.wafv2.WebAclRuleVisibilityConfigArgs:
    return aws.wafv2.WebAclRuleVisibilityConfigArgs(
        cloudwatch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
    )


class Waf(pulumi.ComponentResource):
    """The distribution's web ACL (scope CLOUDFRONT, so it lives in us-east-1).

    Builds: a ``WebAcl`` that allows by default, blocks a client IP over ``rate_limit``
    requests per ``window_seconds``, and runs AWS's managed Known Bad Inputs rule group.
    Why ``viewer`` IPs by default: on a CloudFront web ACL the request's IP *is* the
    viewer's; X-Forwarded-For is client-writable, so rate limiting on it lets a client
    dodge the limit by rotating the header. ``forwarded`` is there for proxies you trust.
    Secure defaults: metrics and sampled requests on every rule (WAF.10, WAF.12).
    Cost: $5 per web ACL-month + $1 per rule-month + $0.60 per million requests (~$7/month).
    """

    web_acl: aws.wafv2.WebAcl

    def __init__(self, name: str, args: WafArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:aws:Waf", name, None, opts)
        forwarded = args.client_ip == "forwarded"
        rate_rule = aws.wafv2.WebAclRuleArgs(
            name="rate-limit-per-ip",
            priority=1,
            action=aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs()),
            statement=aws.wafv2.WebAclRuleStatementArgs(
                rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                    limit=args.rate_limit,
                    evaluation_window_sec=args.window_seconds,
                    aggregate_key_type="FORWARDED_IP" if forwarded else "IP",
                    forwarded_ip_config=aws.wafv2.WebAclRuleStatementRateBasedStatementForwardedIpConfigArgs(
                        header_name="X-Forwarded-For", fallback_behavior="MATCH"
                    )
                    if forwarded
                    else None,
                )
            ),
            visibility_config=_rule_visibility("rate-limit-per-ip"),
        )
        bad_inputs = aws.wafv2.WebAclRuleArgs(
            name="aws-known-bad-inputs",
            priority=2,
            override_action=aws.wafv2.WebAclRuleOverrideActionArgs(none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()),
            statement=aws.wafv2.WebAclRuleStatementArgs(
                managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                    vendor_name="AWS", name="AWSManagedRulesKnownBadInputsRuleSet"
                )
            ),
            visibility_config=_rule_visibility("aws-known-bad-inputs"),
        )
        self.web_acl = aws.wafv2.WebAcl(
            f"{name}-acl",
            scope="CLOUDFRONT",
            region="us-east-1",
            description="Nowry: per-IP rate limit and known bad inputs",
            default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
            rules=[rate_rule, bad_inputs],
            visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(
                cloudwatch_metrics_enabled=True,
                metric_name=f"{name}-acl",
                sampled_requests_enabled=True,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"webAclArn": self.web_acl.arn})
