"""Google Cloud (the gcp phase): public buckets, TLS at the load balancer, Cloud Armor attached and
complete, Cloud Run's ingress, its secrets and its identity, Memorystore, and logging. References are
Checkov's GCP check ids (3.3) where one exists, else the project's own control."""

from __future__ import annotations

import re
from collections.abc import Iterable

from infra.tool.rules.model import Rule, StackRule, Subject
from infra.tool.rules.types import (
    GCP_BACKEND_SERVICE,
    GCP_BUCKET,
    GCP_BUCKET_IAM,
    GCP_CLOUD_RUN,
    GCP_FORWARDING_RULE,
    GCP_HTTP_PROXY,
    GCP_HTTPS_PROXY,
    GCP_PROJECT_IAM,
    GCP_REDIS,
    GCP_RUN_IAM,
    GCP_SECRET,
    GCP_SECURITY_POLICY,
    GCP_SSL_POLICY,
    GCP_SUBNET,
    GCP_URL_MAP,
)

PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")
STRONG_TLS = ("TLS_1_2", "TLS_1_3")
PRIVATE_INGRESS = ("INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER", "INGRESS_TRAFFIC_INTERNAL_ONLY")
SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|URI|URL|DSN|CREDENTIALS?)$")
"""Variable names that carry a credential (``MONGO_URI``, ``REDIS_URL``, ``GROQ_API_KEY``, ...)."""
BROAD_ROLES = ("roles/owner", "roles/editor", "roles/viewer")
WAF_NEEDED = {"sqli": "SQL injection", "xss": "cross-site scripting"}
LOG4J = ("evaluatePreconfiguredExpr('cve-canary')", "evaluatePreconfiguredWaf('cve-canary')")
"""The expressions Checkov's CKV_GCP_73 accepts for Log4j, exactly."""


def _public_bucket(s: Subject) -> Iterable[str]:
    member = s.get("member")
    if member in PUBLIC_MEMBERS:
        yield f"{s.get('role')} is granted to {member}: anyone may read the bucket's objects"


def _bucket_hardening(s: Subject) -> Iterable[str]:
    if s.get("uniformBucketLevelAccess") is not True:
        yield "uniform bucket-level access is off: object ACLs can grant access past IAM"
    if s.get("publicAccessPrevention") != "enforced" and (s.get("versioning") or {}).get("enabled") is not True:
        yield "versioning is off on a served bucket: an overwritten file cannot be rolled back"
    if s.prod and s.get("forceDestroy") is True:
        yield "force_destroy is on in prod: deleting the stack would empty the bucket"


def _tls_policy(s: Subject) -> Iterable[str]:
    if s.type == GCP_HTTPS_PROXY:
        if not s.props.get("sslPolicy"):
            yield "no SSL policy: Google's default admits TLS 1.0 and weak ciphers"
        return
    version, profile = s.get("minTlsVersion") or "TLS_1_0", s.get("profile") or "COMPATIBLE"
    if version not in STRONG_TLS:
        yield f"minimum TLS version {version} (allowed: TLS_1_2 or TLS_1_3)"
    if profile not in ("MODERN", "RESTRICTED"):
        yield f"profile {profile} admits weak ciphers (allowed: MODERN or RESTRICTED)"


def _managed_scheme(s: Subject) -> Iterable[str]:
    scheme = s.get("loadBalancingScheme")
    if scheme != "EXTERNAL_MANAGED":
        yield f"load balancing scheme {scheme or 'unset'}: the classic load balancer (allowed: EXTERNAL_MANAGED)"


def _armor_complete(s: Subject) -> Iterable[str]:
    rules = [r for r in s.get("rules") or [] if not r.get("preview")]
    limited = [r for r in rules if r.get("action") in ("throttle", "rate_based_ban")]
    if not any((r.get("rateLimitOptions") or {}).get("enforceOnKey") in ("IP", "XFF_IP") for r in limited):
        yield "no rate limit per client IP (a throttle or rate_based_ban rule keyed on IP)"
    expressions = [str(((r.get("match") or {}).get("expr") or {}).get("expression", "")) for r in rules
                   if r.get("action") != "allow"]  # fmt: skip
    for key, what in WAF_NEEDED.items():
        if not any(f"'{key}-" in e for e in expressions):
            yield f"no preconfigured WAF rule for {what} ({key}-v33-stable)"
    if not any(e.strip() in LOG4J for e in expressions):
        yield "no Log4j rule (evaluatePreconfiguredExpr('cve-canary'))"


def _armor_attached(subjects: list[Subject]) -> Iterable[tuple[str, str]]:
    for s in subjects:
        if s.type == GCP_BACKEND_SERVICE and not s.props.get("securityPolicy"):
            yield s.urn, "backend service has no Cloud Armor security policy"


def _request_logs(s: Subject) -> Iterable[str]:
    config = s.get("logConfig") or {}
    if config.get("enable") is not True:
        yield "request logging is off: Cloud Armor's decisions and the API's requests go unrecorded"


def _http_redirects(subjects: list[Subject]) -> Iterable[tuple[str, str]]:
    """A plain-HTTP proxy may only send every request to HTTPS."""
    maps = {s.urn: s for s in subjects if s.type == GCP_URL_MAP}
    for proxy in (s for s in subjects if s.type == GCP_HTTP_PROXY):
        targets = [maps[urn] for urn in proxy.sources("urlMap") if urn in maps]
        if not targets or any(((m.get("defaultUrlRedirect") or {}).get("httpsRedirect") is not True
                                or m.props.get("pathMatchers")) for m in targets):  # fmt: skip
            yield proxy.urn, "HTTP is served, not redirected to HTTPS (no certificate: set frontend.domain)"


def _run_ingress(s: Subject) -> Iterable[str]:
    if s.type == GCP_RUN_IAM:
        if s.get("member") in PUBLIC_MEMBERS:
            yield f"{s.get('role')} is granted to {s.get('member')}"
        return
    ingress = s.get("ingress") or "INGRESS_TRAFFIC_ALL"
    if ingress not in PRIVATE_INGRESS:
        yield f"ingress {ingress}: requests can bypass the load balancer and Cloud Armor"
    if s.get("defaultUriDisabled") is not True:
        yield "the default run.app URL is on: requests can bypass the load balancer and Cloud Armor"


def _run_secrets(s: Subject) -> Iterable[str]:
    for container in (s.get("template") or {}).get("containers") or []:
        for env in container.get("envs") or []:
            name = str(env.get("name", ""))
            if SECRET_NAME.search(name) and "value" in env and env.get("value") is not None:
                yield f"{name} is a plain environment variable (give it from Secret Manager: valueSource.secretKeyRef)"


def _run_identity(s: Subject) -> Iterable[str]:
    if s.type == GCP_PROJECT_IAM:
        role, member = str(s.get("role") or ""), str(s.get("member") or "")
        if member.startswith("serviceAccount:") and (role in BROAD_ROLES or role.endswith(".admin")):
            yield f"{role} on the whole project for {member.split('@')[0]}: grant a narrower role"
        return
    account = (s.get("template") or {}).get("serviceAccount")
    if not account and "serviceAccount" not in (s.get("template") or {}):
        yield "runs as the Compute Engine default service account (no template.serviceAccount)"
    elif isinstance(account, str) and account.endswith("-compute@developer.gserviceaccount.com"):
        yield "runs as the Compute Engine default service account, which holds Editor on the project"


def _secret_kept(s: Subject) -> Iterable[str]:
    if s.prod and s.get("deletionProtection") is not True:
        yield "deletion protection is off in prod: the secret and its versions can be deleted"


def _redis(s: Subject) -> Iterable[str]:
    if s.get("authEnabled") is not True:
        yield "AUTH is off: any client in the network may read the cache"
    if s.get("transitEncryptionMode") != "SERVER_AUTHENTICATION":
        yield "no in-transit encryption (transitEncryptionMode SERVER_AUTHENTICATION)"
    if s.prod and s.get("deletionProtection") is False:
        yield "deletion protection is off in prod"


def _subnet(s: Subject) -> Iterable[str]:
    if not s.get("logConfig"):
        yield "no VPC flow logs"
    if s.get("privateIpGoogleAccess") is not True:
        yield "Private Google Access is off: calls to Google APIs leave through the internet path"


RULES: tuple[Rule, ...] = (
    Rule("gcp-bucket-not-public", "No bucket grants access to allUsers or allAuthenticatedUsers",
         "CKV_GCP_28, CKV_GCP_114", (GCP_BUCKET_IAM,), _public_bucket),
    Rule("gcp-bucket-hardening", "Buckets use uniform access, served buckets keep versions, no force_destroy in prod",
         "CKV_GCP_29, CKV_GCP_78; data safety", (GCP_BUCKET,), _bucket_hardening),
    Rule("gcp-lb-tls-policy", "HTTPS proxies carry an SSL policy: MODERN or RESTRICTED, TLS 1.2 minimum",
         "CKV_GCP_4", (GCP_SSL_POLICY, GCP_HTTPS_PROXY), _tls_policy),
    Rule("gcp-lb-managed", "Forwarding rules and backend services are the global external Application Load "
         "Balancer (EXTERNAL_MANAGED)", "CKV2_GCP_38", (GCP_FORWARDING_RULE, GCP_BACKEND_SERVICE), _managed_scheme,
         severity="medium"),
    Rule("gcp-armor-rules", "The Cloud Armor policy limits each client IP's rate and blocks SQL injection, XSS and "
         "Log4j", "CKV_GCP_73; project (the app's 100 requests a minute)", (GCP_SECURITY_POLICY,), _armor_complete),
    Rule("gcp-lb-logging", "Backend services log their requests (Cloud Armor's decisions with them)",
         "project (FSBP ELB.5's counterpart)", (GCP_BACKEND_SERVICE,), _request_logs, severity="medium"),
    Rule("gcp-run-ingress", "Cloud Run admits only the load balancer: internal ingress, no run.app URL, no public "
         "invoker", "CKV_GCP_102 area (v2 services); project", (GCP_CLOUD_RUN, GCP_RUN_IAM), _run_ingress,
         severity="critical"),
    Rule("gcp-run-secrets", "Credentials reach Cloud Run from Secret Manager, never as plain variables",
         "project (FSBP ECS.8's counterpart)", (GCP_CLOUD_RUN,), _run_secrets, severity="critical"),
    Rule("gcp-service-account-scope", "Cloud Run runs as its own service account; no service account holds a "
         "basic or admin role on the project", "CKV_GCP_41, CKV_GCP_42, CKV_GCP_49",
         (GCP_CLOUD_RUN, GCP_PROJECT_IAM), _run_identity),
    Rule("gcp-secrets-deletion-protection", "Secrets keep deletion protection on production stacks", "data safety",
         (GCP_SECRET,), _secret_kept),
    Rule("gcp-redis-auth-tls", "Memorystore for Redis requires AUTH and encrypts in transit",
         "CKV_GCP_95, CKV_GCP_97", (GCP_REDIS,), _redis),
    Rule("gcp-subnet-flow-logs", "Subnets log flows and reach Google APIs privately", "CKV_GCP_26, CKV_GCP_74",
         (GCP_SUBNET,), _subnet, severity="low"),
)  # fmt: skip

STACK_RULES: tuple[StackRule, ...] = (
    StackRule("gcp-armor-attached", "Every backend service has a Cloud Armor security policy",
              "project (Cloud Armor counts per backend)", _armor_attached),
    StackRule("gcp-lb-https", "Plain HTTP only redirects to HTTPS", "project (FSBP ELB.1's counterpart)",
              _http_redirects),
)  # fmt: skip
