"""The ALB: TLS listeners, header handling, deletion protection over two zones, access logs."""

from __future__ import annotations

from collections.abc import Iterable

from infra.tool.rules.common import is_or_unknown
from infra.tool.rules.model import Rule, Subject
from infra.tool.rules.types import ALB, LISTENER

TLS13_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"


def _listener_tls(s: Subject) -> Iterable[str]:
    protocol = s.get("protocol")
    if protocol == "HTTPS" and not is_or_unknown(s.get("sslPolicy"), TLS13_POLICY):
        yield f"HTTPS listener uses {s.get('sslPolicy')}, not {TLS13_POLICY}"
    if protocol == "HTTP":
        actions = s.get("defaultActions") or []
        if not any(a.get("type") == "redirect" and a.get("redirect", {}).get("protocol") == "HTTPS" for a in actions):
            yield "HTTP listener serves traffic instead of redirecting to HTTPS (no ALB certificate)"


def _alb_headers(s: Subject) -> Iterable[str]:
    if s.get("dropInvalidHeaderFields") is not True:
        yield "invalid header fields are not dropped"
    if s.get("desyncMitigationMode") not in (None, "defensive", "strictest"):
        yield f"desync mitigation is {s.get('desyncMitigationMode')}"


def _alb_resilience(s: Subject) -> Iterable[str]:
    if s.prod and s.get("enableDeletionProtection") is not True:
        yield "deletion protection is off in prod"
    subnets = s.get("subnets")
    if isinstance(subnets, list) and len(subnets) < 2:
        yield "the ALB spans fewer than 2 subnets (availability zones)"


def _alb_access_logs(s: Subject) -> Iterable[str]:
    logs = s.get("accessLogs") or {}
    if logs.get("enabled") is not True or not logs.get("bucket"):
        yield "access logs are off"


RULES: tuple[Rule, ...] = (
    Rule("alb-https-tls13", "HTTPS listeners use the TLS 1.3 policy; HTTP redirects to HTTPS",
         "FSBP ELB.1, ELB.17; CKV2_AWS_20, CKV_AWS_103", (LISTENER,), _listener_tls, severity="medium"),
    Rule("alb-drop-invalid-headers", "Invalid headers dropped; desync mitigation defensive or strictest",
         "FSBP ELB.4, ELB.12; CKV_AWS_131, CKV_AWS_328", (ALB,), _alb_headers),
    Rule("alb-deletion-protection-multi-az", "Deletion protection in prod; subnets in 2+ AZs",
         "FSBP ELB.6, ELB.13; CKV_AWS_150", (ALB,), _alb_resilience),
    Rule("alb-access-logs", "The ALB writes access logs", "FSBP ELB.5; CKV_AWS_91", (ALB,), _alb_access_logs,
         severity="medium"),
)  # fmt: skip
