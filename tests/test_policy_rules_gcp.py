"""The gcp phase's policy rules (infra/tool/rules/gcp.py): each with a failing and a passing case and its
exact message, in the offline check and in the policy pack; and the shipped gcp stack through both."""

from __future__ import annotations

import pytest

from infra.tool import rules as r
from infra.tool.rules.check import check_plan
from tests.conftest import shipped_plan
from tests.test_policy_pack import pack_violations, run_resource_policy
from tests.test_policy_rules import found, subject

LOG4J = "evaluatePreconfiguredExpr('cve-canary')"
THROTTLE = {"action": "throttle", "rateLimitOptions": {"enforceOnKey": "IP"}}
WAF = [{"action": "deny(403)", "match": {"expr": {"expression": f"evaluatePreconfiguredWaf('{k}-v33-stable')"}}}
       for k in ("sqli", "xss")]  # fmt: skip
ARMOR_OK = {"rules": [THROTTLE, *WAF, {"action": "deny(403)", "match": {"expr": {"expression": LOG4J}}}]}
SA = "nowry-gcp-api@p.iam.gserviceaccount.com"
FROM_SECRET = {"name": "GROQ_API_KEY", "valueSource": {"secretKeyRef": {"secret": "s", "version": "1"}}}
RUN_OK = {"ingress": "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER", "defaultUriDisabled": True,
          "template": {"serviceAccount": SA, "containers": [{"envs": [{"name": "PORT_NAME", "value": "x"},
                                                                      FROM_SECRET]}]}}  # fmt: skip

# (rule id, resource type, props, in prod, the exact messages; [] when it passes)
CASES = [
    ("gcp-bucket-not-public", r.GCP_BUCKET_IAM, {"role": "roles/storage.objectViewer", "member": "allUsers"}, False,
     ["roles/storage.objectViewer is granted to allUsers: anyone may read the bucket's objects"]),
    ("gcp-bucket-not-public", r.GCP_BUCKET_IAM,
     {"role": "roles/storage.objectCreator", "member": "group:cloud-storage-analytics@google.com"}, False, []),
    ("gcp-bucket-hardening", r.GCP_BUCKET, {"forceDestroy": True}, True,
     ["uniform bucket-level access is off: object ACLs can grant access past IAM",
      "versioning is off on a served bucket: an overwritten file cannot be rolled back",
      "force_destroy is on in prod: deleting the stack would empty the bucket"]),
    ("gcp-bucket-hardening", r.GCP_BUCKET,
     {"uniformBucketLevelAccess": True, "versioning": {"enabled": True}, "forceDestroy": False}, True, []),
    ("gcp-bucket-hardening", r.GCP_BUCKET,  # a log bucket: private, expiring, versions not needed
     {"uniformBucketLevelAccess": True, "publicAccessPrevention": "enforced"}, True, []),
    ("gcp-lb-tls-policy", r.GCP_SSL_POLICY, {}, False,
     ["minimum TLS version TLS_1_0 (allowed: TLS_1_2 or TLS_1_3)",
      "profile COMPATIBLE admits weak ciphers (allowed: MODERN or RESTRICTED)"]),
    ("gcp-lb-tls-policy", r.GCP_SSL_POLICY, {"profile": "MODERN", "minTlsVersion": "TLS_1_2"}, False, []),
    ("gcp-lb-tls-policy", r.GCP_HTTPS_PROXY, {"urlMap": "m"}, False,
     ["no SSL policy: Google's default admits TLS 1.0 and weak ciphers"]),
    ("gcp-lb-tls-policy", r.GCP_HTTPS_PROXY, {"urlMap": "m", "sslPolicy": "p"}, False, []),
    ("gcp-lb-managed", r.GCP_FORWARDING_RULE, {"portRange": "80"}, False,
     ["load balancing scheme unset: the classic load balancer (allowed: EXTERNAL_MANAGED)"]),
    ("gcp-lb-managed", r.GCP_FORWARDING_RULE, {"loadBalancingScheme": "EXTERNAL_MANAGED"}, False, []),
    ("gcp-armor-rules", r.GCP_SECURITY_POLICY, {"rules": [{"action": "allow"}]}, False,
     ["no rate limit per client IP (a throttle or rate_based_ban rule keyed on IP)",
      "no preconfigured WAF rule for SQL injection (sqli-v33-stable)",
      "no preconfigured WAF rule for cross-site scripting (xss-v33-stable)",
      "no Log4j rule (evaluatePreconfiguredExpr('cve-canary'))"]),
    ("gcp-armor-rules", r.GCP_SECURITY_POLICY,  # a rule in preview enforces nothing
     {"rules": [*ARMOR_OK["rules"][:3], {"action": "deny(403)", "preview": True,
                                         "match": {"expr": {"expression": LOG4J}}}]}, False,
     ["no Log4j rule (evaluatePreconfiguredExpr('cve-canary'))"]),
    ("gcp-armor-rules", r.GCP_SECURITY_POLICY, ARMOR_OK, False, []),
    ("gcp-lb-logging", r.GCP_BACKEND_SERVICE, {"loadBalancingScheme": "EXTERNAL_MANAGED"}, False,
     ["request logging is off: Cloud Armor's decisions and the API's requests go unrecorded"]),
    ("gcp-lb-logging", r.GCP_BACKEND_SERVICE, {"logConfig": {"enable": True, "sampleRate": 1}}, False, []),
    ("gcp-run-ingress", r.GCP_CLOUD_RUN, {}, False,
     ["ingress INGRESS_TRAFFIC_ALL: requests can bypass the load balancer and Cloud Armor",
      "the default run.app URL is on: requests can bypass the load balancer and Cloud Armor"]),
    ("gcp-run-ingress", r.GCP_CLOUD_RUN, RUN_OK, False, []),
    ("gcp-run-ingress", r.GCP_RUN_IAM, {"role": "roles/run.invoker", "member": "allUsers"}, False,
     ["roles/run.invoker is granted to allUsers"]),
    ("gcp-run-ingress", r.GCP_RUN_IAM, {"role": "roles/run.invoker", "member": f"serviceAccount:{SA}"}, False, []),
    ("gcp-run-secrets", r.GCP_CLOUD_RUN,
     {"template": {"containers": [{"envs": [{"name": "MONGO_URI", "value": "mongodb://u:p@h/db"}]}]}}, False,
     ["MONGO_URI is a plain environment variable (give it from Secret Manager: valueSource.secretKeyRef)"]),
    ("gcp-run-secrets", r.GCP_CLOUD_RUN, RUN_OK, False, []),
    ("gcp-service-account-scope", r.GCP_CLOUD_RUN, {"template": {"containers": []}}, False,
     ["runs as the Compute Engine default service account (no template.serviceAccount)"]),
    ("gcp-service-account-scope", r.GCP_CLOUD_RUN,
     {"template": {"serviceAccount": "123-compute@developer.gserviceaccount.com"}}, False,
     ["runs as the Compute Engine default service account, which holds Editor on the project"]),
    ("gcp-service-account-scope", r.GCP_CLOUD_RUN, RUN_OK, False, []),
    ("gcp-service-account-scope", r.GCP_PROJECT_IAM, {"role": "roles/editor", "member": f"serviceAccount:{SA}"},
     False, ["roles/editor on the whole project for serviceAccount:nowry-gcp-api: grant a narrower role"]),
    ("gcp-service-account-scope", r.GCP_PROJECT_IAM,
     {"role": "roles/datastore.user", "member": f"serviceAccount:{SA}"}, False, []),
    ("gcp-secrets-deletion-protection", r.GCP_SECRET, {"secretId": "s"}, True,
     ["deletion protection is off in prod: the secret and its versions can be deleted"]),
    ("gcp-secrets-deletion-protection", r.GCP_SECRET, {"secretId": "s", "deletionProtection": True}, True, []),
    ("gcp-redis-auth-tls", r.GCP_REDIS, {"deletionProtection": False}, True,
     ["AUTH is off: any client in the network may read the cache",
      "no in-transit encryption (transitEncryptionMode SERVER_AUTHENTICATION)", "deletion protection is off in prod"]),
    ("gcp-redis-auth-tls", r.GCP_REDIS, {"authEnabled": True, "transitEncryptionMode": "SERVER_AUTHENTICATION"},
     True, []),
    ("gcp-subnet-flow-logs", r.GCP_SUBNET, {"ipCidrRange": "10.8.0.0/24"}, False,
     ["no VPC flow logs", "Private Google Access is off: calls to Google APIs leave through the internet path"]),
    ("gcp-subnet-flow-logs", r.GCP_SUBNET, {"logConfig": {"flowSampling": 0.5}, "privateIpGoogleAccess": True},
     False, []),
]  # fmt: skip


@pytest.mark.parametrize(("rule_id", "type_", "props", "prod", "messages"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])  # fmt: skip
def test_each_gcp_rule_in_the_offline_check_and_the_pack(rule_id, type_, props, prod, messages):
    assert found(rule_id, subject(type_, props, prod=prod)) == messages
    assert run_resource_policy(rule_id, type_, props, stack="gcp" if prod else "dev") == messages


def test_every_gcp_resource_rule_fails_and_passes_here():
    ids = {rule.id for rule in r.RULES if rule.id.startswith("gcp-")}
    assert {c[0] for c in CASES if c[4]} == ids == {c[0] for c in CASES if not c[4]}


def test_a_backend_service_without_cloud_armor_is_reported():
    bare = subject(r.GCP_BACKEND_SERVICE, {"logConfig": {"enable": True}}, name="edge-api")
    assert found("gcp-armor-attached", bare) == ["backend service has no Cloud Armor security policy"]
    armored = subject(r.GCP_BACKEND_SERVICE, {"securityPolicy": "projects/p/global/securityPolicies/a"}, name="api")
    assert found("gcp-armor-attached", armored) == []


def test_plain_http_must_only_redirect():
    redirect = subject(r.GCP_URL_MAP, {"defaultUrlRedirect": {"httpsRedirect": True}}, name="edge-redirect")
    routes = subject(r.GCP_URL_MAP, {"defaultService": "b", "pathMatchers": [{"name": "site"}]}, name="edge-routes")
    to_redirect = subject(r.GCP_HTTP_PROXY, {}, name="edge-http-proxy", deps={"urlMap": (redirect.urn,)})
    to_routes = subject(r.GCP_HTTP_PROXY, {}, name="edge-http-proxy", deps={"urlMap": (routes.urn,)})
    assert found("gcp-lb-https", redirect, to_redirect) == []
    assert found("gcp-lb-https", routes, to_routes) == [
        "HTTP is served, not redirected to HTTPS (no certificate: set frontend.domain)"
    ]


def test_the_shipped_gcp_stack_is_clean_in_both_checks_but_for_its_acceptance():
    plan = shipped_plan("gcp")
    offline = check_plan(plan)
    assert offline.violations == [] and [v.rule for v, _ in offline.accepted] == ["gcp-bucket-not-public"]
    assert pack_violations("gcp", plan) == set()
