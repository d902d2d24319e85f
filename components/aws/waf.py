"""Waf: a web ACL on the CloudFront distribution — rate limit plus AWS's known-bad-inputs rules."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.naming import physical_name


@dataclass(frozen=True, kw_only=True)
class WafArgs:
    rate_limit: int
    """Requests per client IP per window; the app's own limit is 100 a minute."""
    window_seconds: int
    client_ip: str
    """``viewer``: the address CloudFront received the request from. ``forwarded``: the
    first address in X-Forwarded-For, which a client can write itself."""
    log_retention_days: int
    log_key_arn: pulumi.Input[str] | None
    """A KMS key in us-east-1 for the log group (None: CloudWatch Logs' own encryption)."""
    account_id: pulumi.Input[str]


EDGE_REGION = "us-east-1"
REDACTED_HEADERS = ("authorization", "cookie")
"""Credentials a request carries: never written to the WAF's logs."""
LOGGED_ACTIONS = ("BLOCK", "COUNT")
"""What the WAF log keeps: its decisions. Every request is in CloudFront's access logs already."""


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
    It logs to a log group named ``aws-waf-logs-<stack>`` in us-east-1 (WAF requires the
    prefix), keeping the requests it blocked or counted, with the Authorization and Cookie
    headers redacted.
    Secure defaults: metrics and sampled requests on every rule, logging (WAF.10, WAF.11,
    WAF.12); the log group encrypted with the stack's key and kept for the log retention.
    Cost: $5 per web ACL-month + $1 per rule-month + $0.60 per million requests (~$7/month);
    its log group $0.50 per GB ingested (blocked requests only: cents).
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
        metric = f"{name}-acl"
        self.web_acl = aws.wafv2.WebAcl(
            f"{name}-acl",
            scope="CLOUDFRONT",
            region=EDGE_REGION,
            description="Nowry: per-IP rate limit and known bad inputs",
            default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
            rules=[rate_rule, bad_inputs],
            visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(
                cloudwatch_metrics_enabled=True,
                metric_name=metric,
                sampled_requests_enabled=True,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.metric_dimensions: dict[str, pulumi.Input[str]] = {"WebACL": metric, "Rule": "ALL"}
        """The web ACL's CloudWatch dimensions (AWS/WAFV2 in us-east-1 for CloudFront, no Region): AWS
        publishes ``WebACL`` as the visibility config's metric name, not the ACL's resource name
        (AWS WAF developer guide, "AWS WAF metrics and dimensions")."""
        self._logging(name, args)
        self.register_outputs({"webAclArn": self.web_acl.arn})

    def _logging(self, name: str, args: WafArgs) -> None:
        child = pulumi.ResourceOptions(parent=self)
        group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=physical_name("log-group", "aws-waf-logs-nowry", pulumi.get_stack()),
            retention_in_days=args.log_retention_days,
            kms_key_id=args.log_key_arn,
            region=EDGE_REGION,
            opts=child,
        )
        # WAF delivers through CloudWatch's log delivery, which the log group's account must admit
        # (AWS WAF developer guide, "Sending web ACL traffic logs to CloudWatch Logs").
        aws.cloudwatch.LogResourcePolicy(
            f"{name}-log-delivery",
            policy_name=physical_name("log-resource-policy", "nowry-waf-logs", pulumi.get_stack()),
            policy_document=pulumi.Output.all(group.arn, args.account_id).apply(
                lambda values: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "WafDeliversItsLogs",
                                "Effect": "Allow",
                                "Principal": {"Service": "delivery.logs.amazonaws.com"},
                                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                "Resource": f"{values[0]}:*",
                                "Condition": {
                                    "StringEquals": {"aws:SourceAccount": values[1]},
                                    "ArnLike": {"aws:SourceArn": f"arn:aws:logs:{EDGE_REGION}:{values[1]}:*"},
                                },
                            }
                        ],
                    }
                )
            ),
            region=EDGE_REGION,
            opts=child,
        )
        waf = aws.wafv2
        aws.wafv2.WebAclLoggingConfiguration(
            f"{name}-logging",
            resource_arn=self.web_acl.arn,
            log_destination_configs=[group.arn],
            redacted_fields=[
                waf.WebAclLoggingConfigurationRedactedFieldArgs(
                    single_header=waf.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs(name=header)
                )
                for header in REDACTED_HEADERS
            ],
            logging_filter=waf.WebAclLoggingConfigurationLoggingFilterArgs(
                default_behavior="DROP",
                filters=[
                    waf.WebAclLoggingConfigurationLoggingFilterFilterArgs(
                        behavior="KEEP",
                        requirement="MEETS_ANY",
                        conditions=[
                            waf.WebAclLoggingConfigurationLoggingFilterFilterConditionArgs(
                                action_condition=waf.WebAclLoggingConfigurationLoggingFilterFilterConditionActionConditionArgs(
                                    action=action
                                )
                            )
                            for action in LOGGED_ACTIONS
                        ],
                    )
                ],
            ),
            region=EDGE_REGION,
            opts=child,
        )
