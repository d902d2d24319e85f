"""CloudWatch Logs retention and the WAF: the rate limit, managed rules and redacted logging."""

from __future__ import annotations

from collections.abc import Iterable

from infra.config.model import PRODUCTION_LOG_RETENTION_DAYS
from infra.tool.rules.common import each_has
from infra.tool.rules.model import Rule, StackRule, Subject
from infra.tool.rules.types import LOG_GROUP, WAF_LOGGING, WEB_ACL

APP_RATE_LIMIT = (100, 60)
"""The app's own limit: 100 requests per 60 seconds per client IP."""
WAF_LOG_PREFIX = "aws-waf-logs-"
REDACTED_HEADERS = ("authorization", "cookie")


def _log_retention(s: Subject) -> Iterable[str]:
    if s.props.get("retentionInDays") in (None, 0):
        yield "logs never expire"


def _waf(s: Subject) -> Iterable[str]:
    rules = s.get("rules") or []
    rates = [
        r["statement"]["rateBasedStatement"] for r in rules if (r.get("statement") or {}).get("rateBasedStatement")
    ]
    limit, window = APP_RATE_LIMIT
    if not any((r.get("limit") or 0) * window <= limit * (r.get("evaluationWindowSec") or 300) for r in rates):
        yield f"no rate-based rule of at most {limit} requests per {window} s per IP"
    managed = [(r.get("statement") or {}).get("managedRuleGroupStatement", {}).get("name") for r in rules]
    if "AWSManagedRulesKnownBadInputsRuleSet" not in managed:
        yield "no AWS Known Bad Inputs managed rules"
    if not all((r.get("visibilityConfig") or {}).get("cloudwatchMetricsEnabled") for r in rules):
        yield "a rule has no CloudWatch metrics"


def _waf_logging_redacts(s: Subject) -> Iterable[str]:
    redacted = {
        str((field.get("singleHeader") or {}).get("name", "")).lower() for field in s.get("redactedFields") or []
    }
    for header in REDACTED_HEADERS:
        if header not in redacted:
            yield f"the {header} header is written to the log"
    destinations = s.get("logDestinationConfigs") or []
    if not all(WAF_LOG_PREFIX in str(d) or str(d).startswith("[") for d in destinations):
        yield f"logs to a destination not named {WAF_LOG_PREFIX}*"


def _log_retention_in_prod(s: Subject) -> Iterable[str]:
    days = s.get("retentionInDays")
    if s.prod and isinstance(days, int) and 0 < days < PRODUCTION_LOG_RETENTION_DAYS:
        yield f"keeps logs {days} days on a production stack; at least {PRODUCTION_LOG_RETENTION_DAYS}"


RULES: tuple[Rule, ...] = (
    Rule("logs-retention", "Log groups expire their logs", "FSBP CloudWatch.16; CKV_AWS_66", (LOG_GROUP,),
         _log_retention, severity="low"),
    Rule("waf-rate-limit-bad-inputs", "A per-IP rate limit mirroring the app's 100/minute; Known Bad Inputs; metrics",
         "FSBP WAF.10, WAF.12; CKV_AWS_192, CKV2_AWS_31", (WEB_ACL,), _waf),
    Rule("waf-logging-redacted", "WAF logs go to aws-waf-logs-* with the Authorization and Cookie headers redacted",
         "FSBP WAF.11; CKV2_AWS_31", (WAF_LOGGING,), _waf_logging_redacts),
    Rule("logs-year-in-prod", "Production log groups keep a year of logs", "FSBP CloudWatch.16; CKV_AWS_338",
         (LOG_GROUP,), _log_retention_in_prod, severity="medium"),
)  # fmt: skip

STACK_RULES: tuple[StackRule, ...] = (
    StackRule("waf-logging", "Every web ACL has a logging configuration", "FSBP WAF.11; CKV2_AWS_31",
              each_has(WEB_ACL, WAF_LOGGING, "resourceArn", "web ACL has no logging"), severity="medium"),
)  # fmt: skip
