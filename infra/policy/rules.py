"""Every security and data-safety rule, one place: the AWS controls (Security Hub FSBP and Checkov IDs) row by row, the
data-safety rules and the managed phases' rules. Rules are plain functions over a resource's
wire-named props; the offline check and the Pulumi policy pack (policy/) run the same ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from infra.policy.model import Rule, StackCheck, StackRule, Subject
from infra.resource_kinds import is_stateful_urn

BUCKET = "aws:s3/bucket:Bucket"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
HEADERS_POLICY = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
VPC_ORIGIN = "aws:cloudfront/vpcOrigin:VpcOrigin"
ALB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
SERVICE = "aws:ecs/service:Service"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
DOCKER_CONTAINER = "docker:index/container:Container"
K8S_DEPLOYMENT = "kubernetes:apps/v1:Deployment"
ECS_CLUSTER = "aws:ecs/cluster:Cluster"
REPOSITORY = "aws:ecr/repository:Repository"
LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
DOCDB_CLUSTER = "aws:docdb/cluster:Cluster"
DOCDB_INSTANCE = "aws:docdb/clusterInstance:ClusterInstance"
DOCDB_PARAMETERS = "aws:docdb/clusterParameterGroup:ClusterParameterGroup"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
VPC = "aws:ec2/vpc:Vpc"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SUBNET = "aws:ec2/subnet:Subnet"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
IAM_POLICY = "aws:iam/policy:Policy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
SECRET = "aws:secretsmanager/secret:Secret"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WAF_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
S3_LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
S3_LOGGING = "aws:s3/bucketLogging:BucketLogging"
LOG_DELIVERY_SOURCE = "aws:cloudwatch/logDeliverySource:LogDeliverySource"
KMS_KEY = "aws:kms/key:Key"
BACKUP_VAULT = "aws:backup/vault:Vault"
BACKUP_PLAN = "aws:backup/plan:Plan"
DMS_INSTANCE = "aws:dms/replicationInstance:ReplicationInstance"
DMS_ENDPOINT = "aws:dms/endpoint:Endpoint"
TOPIC = "aws:sns/topic:Topic"
ATLAS_CLUSTER = "mongodbatlas:index/advancedCluster:AdvancedCluster"
ATLAS_ACCESS = "mongodbatlas:index/projectIpAccessList:ProjectIpAccessList"
UPSTASH = "upstash:index/redisDatabase:RedisDatabase"


TLS13_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
CLOUDFRONT_TLS = "TLSv1.2_2021"
APP_RATE_LIMIT = (100, 60)
"""The app's own limit: 100 requests per 60 seconds per client IP."""
STAR_RESOURCE_ACTIONS = (
    "ecr:GetAuthorizationToken",
    "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
    "xray:GetSamplingStatisticSummaries",
)  # fmt: skip
"""Actions AWS offers no resource-level permission for: ``*`` is the only resource (the Service
Authorization Reference lists no resource type for them; AWS's own AWSXRayDaemonWriteAccess
policy grants the X-Ray ones on ``*``)."""
ROOT_ALLOWED = (
    "a FireLens log router (FireLens runs Fluent Bit as root: aws/containers-roadmap#2122) or a one-shot step "
    "other containers wait for (non-essential, no ports, no secrets: it prepares volumes, which Fargate creates "
    "owned by root, aws/containers-roadmap#938, and exits)"
)
PRODUCTION_LOG_DAYS = 365
"""CloudWatch.16: a year of logs on production stacks."""
WAF_LOG_PREFIX = "aws-waf-logs-"
REDACTED_HEADERS = ("authorization", "cookie")
LOG_WRITERS = ("logging.s3.amazonaws.com", "delivery.logs.amazonaws.com")
"""Service principals that write logs into a bucket for any account that asks, unless the policy
names the account (``aws:SourceAccount``): the confused-deputy guard."""
LOG_SECRET_OPTIONS = ("header", "apikey", "api_key", "http_passwd", "license_key", "token")
"""Log-driver options that carry credentials (Fluent Bit's http ``Header``, Datadog's ``apikey``, ...)."""
SECRET_WORDS = ("KEY", "SECRET", "TOKEN", "PASSWORD", "PASSWD", "MONGO_URI", "REDIS_URL", "DSN")


def _is(value: Any, expected: Any) -> bool:
    """True when the value is as expected, or unknown until deployment."""
    return value is None or value == expected


# --- S3 ---------------------------------------------------------------------------------------


def _public_access_block(s: Subject) -> Iterable[str]:
    for flag in (
        "blockPublicAcls",
        "blockPublicPolicy",
        "ignorePublicAcls",
        "restrictPublicBuckets",
    ):
        if s.get(flag) is not True:
            yield f"{flag} is not true"


def _acls_disabled(s: Subject) -> Iterable[str]:
    if s.type == OWNERSHIP:
        if not _is(s.get("rule", "objectOwnership"), "BucketOwnerEnforced"):
            yield "object ownership is not BucketOwnerEnforced (ACLs stay enabled)"
    elif s.get("acl") in ("public-read", "public-read-write", "authenticated-read"):
        yield f"bucket ACL {s.get('acl')} grants public access"


def _bucket_policy(s: Subject) -> Iterable[str]:
    document = s.json("policy")
    if not isinstance(document, dict):
        return
    statements = document.get("Statement", [])
    for statement in statements:
        principal = statement.get("Principal")
        if statement.get("Effect") != "Allow":
            continue
        if _any_principal(principal):
            yield f"statement {statement.get('Sid', '?')} allows any principal"
        cloudfront = isinstance(principal, dict) and principal.get("Service") == "cloudfront.amazonaws.com"
        if cloudfront and "AWS:SourceArn" not in str(statement.get("Condition", {})):
            yield "CloudFront is allowed without an AWS:SourceArn condition naming the distribution"
    if not any(
        s_.get("Effect") == "Deny" and "aws:SecureTransport" in str(s_.get("Condition", {})) for s_ in statements
    ):
        yield "no statement denies requests without TLS (aws:SecureTransport false)"


def _encryption(s: Subject) -> Iterable[str]:
    rules = s.get("rules") or []
    algorithms = [r.get("applyServerSideEncryptionByDefault", {}).get("sseAlgorithm") for r in rules]
    if not any(a in ("AES256", "aws:kms", "aws:kms:dsse") for a in algorithms):
        yield "no default server-side encryption"


def _versioning(s: Subject) -> Iterable[str]:
    if not _is(s.get("versioningConfiguration", "status"), "Enabled"):
        yield "versioning is not Enabled"


def _no_force_destroy(s: Subject) -> Iterable[str]:
    if s.prod and s.get("forceDestroy") is True:
        yield "force_destroy is on in prod: deleting the stack would empty the bucket"


# --- CloudFront ---------------------------------------------------------------------------------


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


# --- ALB ------------------------------------------------------------------------------------------


def _listener_tls(s: Subject) -> Iterable[str]:
    protocol = s.get("protocol")
    if protocol == "HTTPS" and not _is(s.get("sslPolicy"), TLS13_POLICY):
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


# --- ECS ------------------------------------------------------------------------------------------


def _containers(s: Subject) -> list[dict[str, Any]]:
    definitions = s.json("containerDefinitions")
    return definitions if isinstance(definitions, list) else []


def _no_public_ip(s: Subject) -> Iterable[str]:
    if s.get("networkConfiguration", "assignPublicIp") is True:
        yield "tasks get a public IP"


def _root_allowed(container: dict[str, Any], containers: list[dict[str, Any]]) -> bool:
    """Root is allowed only where ``ROOT_ALLOWED`` says."""
    if (container.get("firelensConfiguration") or {}).get("type") == "fluentbit":
        return True
    name = container.get("name")
    awaited = any(
        dependency.get("containerName") == name and dependency.get("condition") in ("SUCCESS", "COMPLETE")
        for other in containers
        for dependency in other.get("dependsOn") or []
    )
    one_shot = (
        container.get("essential") is False and not container.get("secrets") and not container.get("portMappings")
    )
    return awaited and one_shot


def _container_hardening(s: Subject) -> Iterable[str]:
    containers = _containers(s)
    for container in containers:
        name = container.get("name", "?")
        if container.get("readonlyRootFilesystem") is not True:
            yield f"container {name}: root filesystem is writable"
        if container.get("privileged") is True:
            yield f"container {name}: privileged"
        root = str(container.get("user", "")).split(":")[0] in ("", "0", "root")
        if root and not _root_allowed(container, containers):
            yield f"container {name}: runs as root (set a non-root user; root only for {ROOT_ALLOWED})"


def _plain_env(s: Subject) -> Iterable[tuple[str, str]]:
    """(container, variable name) of every plain (non-secret) environment variable: ECS
    container definitions, Docker containers (``NAME=value``) and Kubernetes Deployments."""
    if s.type == TASK_DEFINITION:
        for container in _containers(s):
            for variable in container.get("environment") or []:
                yield str(container.get("name")), str(variable.get("name", ""))
    elif s.type == DOCKER_CONTAINER:
        for entry in s.get("envs") or []:
            if isinstance(entry, str) and "=" in entry:
                yield str(s.get("name") or s.name), entry.partition("=")[0]
    elif s.type == K8S_DEPLOYMENT:
        for container in s.get("spec", "template", "spec", "containers") or []:
            for variable in container.get("env") or []:
                if "value" in variable and "valueFrom" not in variable:
                    yield str(container.get("name")), str(variable.get("name", ""))


def _secrets_not_env(s: Subject) -> Iterable[str]:
    for container, variable in _plain_env(s):
        name = variable.upper()
        if any(word in name for word in SECRET_WORDS):
            yield f"container {container}: {name} is plain environment; use secrets"
    for container in _containers(s) if s.type == TASK_DEFINITION else []:
        for option, value in ((container.get("logConfiguration") or {}).get("options") or {}).items():
            if option.lower() in LOG_SECRET_OPTIONS or "bearer " in str(value).lower():
                yield f"container {container.get('name')}: log option {option} is plain text; use secretOptions"


def _container_logging(s: Subject) -> Iterable[str]:
    """awslogs everywhere, or FireLens for containers whose task has a FireLens router that itself
    logs to CloudWatch (the router's own failures stay visible in AWS)."""
    containers = _containers(s)
    router_logged = any(
        c.get("firelensConfiguration") and (c.get("logConfiguration") or {}).get("logDriver") == "awslogs"
        for c in containers
    )
    for container in containers:
        driver = (container.get("logConfiguration") or {}).get("logDriver")
        if driver == "awsfirelens" and router_logged:
            continue
        if driver != "awslogs":
            yield f"container {container.get('name')}: no awslogs logging (nor FireLens with a router on awslogs)"


def _container_insights(s: Subject) -> Iterable[str]:
    settings = s.get("settings") or []
    if not any(x.get("name") == "containerInsights" and x.get("value") in ("enabled", "enhanced") for x in settings):
        yield "Container Insights is off"


def _service_deployment(s: Subject) -> Iterable[str]:
    breaker = s.get("deploymentCircuitBreaker") or {}
    if breaker.get("enable") is not True or breaker.get("rollback") is not True:
        yield "no deployment circuit breaker with rollback"
    if s.get("platformVersion") not in (None, "LATEST") and s.get("launchType") == "FARGATE":
        yield f"platform version pinned to {s.get('platformVersion')}, not LATEST"
    if s.get("loadBalancers") and not s.get("healthCheckGracePeriodSeconds"):
        yield "no health-check grace period"


def _separate_roles(s: Subject) -> Iterable[str]:
    execution, task = s.get("executionRoleArn"), s.get("taskRoleArn")
    if execution and execution == task:
        yield "the execution role is also the task role"


# --- ECR, ElastiCache, DocumentDB ------------------------------------------------------------------


def _ecr(s: Subject) -> Iterable[str]:
    if s.get("imageScanningConfiguration", "scanOnPush") is not True:
        yield "images are not scanned on push"
    if not _is(s.get("imageTagMutability"), "IMMUTABLE"):
        yield "image tags are mutable"


def _cache_encryption(s: Subject) -> Iterable[str]:
    if s.get("atRestEncryptionEnabled") is not True:
        yield "no encryption at rest"
    if s.get("transitEncryptionEnabled") is not True:
        yield "no encryption in transit"
    if "authToken" not in s.props and not s.get("userGroupIds"):
        yield "no AUTH token or user group"


def _cache_backups(s: Subject) -> Iterable[str]:
    if (s.get("snapshotRetentionLimit") or 0) < 1:
        yield "no automatic snapshots"
    if not s.get("finalSnapshotIdentifier"):
        yield "no final snapshot on delete"
    if (s.get("numCacheClusters") or 1) >= 2 and not (s.get("automaticFailoverEnabled") and s.get("multiAzEnabled")):
        yield "2+ nodes without automatic failover and Multi-AZ"


def _cache_maintenance(s: Subject) -> Iterable[str]:
    if s.get("autoMinorVersionUpgrade") is False:
        yield "automatic minor version upgrades are off"
    if not s.get("subnetGroupName") and "subnetGroupName" not in s.props:
        yield "no subnet group of its own"


def _docdb_encryption(s: Subject) -> Iterable[str]:
    if s.type == DOCDB_PARAMETERS:
        parameters = {p.get("name"): p.get("value") for p in s.get("parameters") or []}
        if parameters.get("tls") != "enabled":
            yield "parameter tls is not enabled"
        if parameters.get("audit_logs") != "enabled":
            yield "parameter audit_logs is not enabled"
        return
    if s.get("storageEncrypted") is not True:
        yield "storage is not encrypted"
    if "audit" not in (s.get("enabledCloudwatchLogsExports") or []):
        yield "audit logs are not exported"


def _docdb_backups(s: Subject) -> Iterable[str]:
    if (s.get("backupRetentionPeriod") or 1) < 7:
        yield f"backups kept {s.get('backupRetentionPeriod') or 1} days (fewer than 7)"
    if s.prod and s.get("deletionProtection") is not True:
        yield "deletion protection is off in prod"
    if s.get("skipFinalSnapshot") is not False or not s.get("finalSnapshotIdentifier"):
        yield "no final snapshot on delete"


def _docdb_azs(s: Subject) -> Iterable[str]:
    zones = s.get("availabilityZones")
    if isinstance(zones, list) and len(zones) < 3:
        yield "pins fewer than 3 availability zones: every update becomes a replacement"


# --- network, IAM, logs, secrets, WAF ---------------------------------------------------------------


def _rule_described(s: Subject) -> Iterable[str]:
    if not s.get("description"):
        yield "security group rule has no description"


def _default_sg_closed(s: Subject) -> Iterable[str]:
    if s.get("ingress") or s.get("egress"):
        yield "the default security group allows traffic"


def _no_public_ip_on_launch(s: Subject) -> Iterable[str]:
    if s.get("mapPublicIpOnLaunch") is True:
        yield "instances launched here get a public IP automatically"


def _statements(document: Any) -> list[dict[str, Any]]:
    if not isinstance(document, dict):
        return []
    statements = document.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _any_principal(principal: Any) -> bool:
    """``"*"`` or ``{"AWS": "*"}``: anyone at all."""
    if principal == "*":
        return True
    return isinstance(principal, dict) and "*" in _as_list(principal.get("AWS"))


def _trust(s: Subject) -> Iterable[str]:
    for statement in _statements(s.json("assumeRolePolicy")):
        if _any_principal(statement.get("Principal")):
            yield "the role can be assumed by any principal"


def _least_privilege(s: Subject) -> Iterable[str]:
    for statement in _statements(s.json("policy")):
        if statement.get("Effect") != "Allow":
            continue
        actions = [str(a) for a in _as_list(statement.get("Action"))]
        resources = [str(r) for r in _as_list(statement.get("Resource"))]
        if any(a == "*" or a.endswith(":*") for a in actions):
            yield f"wildcard action in {actions}"
        if "*" in resources and not set(actions) <= set(STAR_RESOURCE_ACTIONS):
            yield f"resource * for {actions}"
        if "secretsmanager:GetSecretValue" in actions and any(r.endswith("*") for r in resources):
            yield "reads secrets by wildcard rather than exactly the app's secrets"


def _log_retention(s: Subject) -> Iterable[str]:
    if s.props.get("retentionInDays") in (None, 0):
        yield "logs never expire"


def _secret_recovery(s: Subject) -> Iterable[str]:
    days = s.get("recoveryWindowInDays")
    if days is None:
        return
    if days == 0 and s.prod:
        yield "deleted immediately in prod (recovery window 0)"
    elif days != 0 and not 7 <= days <= 30:
        yield f"recovery window of {days} days (allowed: 7-30)"


def _secret_rotation(subjects: list[Subject]) -> Iterable[tuple[str, str]]:
    rotated = {urn for s in subjects if s.type == ROTATION for urn in s.sources("secretId")}
    for secret in (s for s in subjects if s.type == SECRET):
        if secret.urn not in rotated:
            yield secret.urn, "no automatic rotation"


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


# --- stack-wide ------------------------------------------------------------------------------------


def _groups_of(subjects: list[Subject], type_: str, key: str) -> set[str]:
    """URNs of the security groups wired into ``key`` of every ``type_`` resource (the ALB's
    ``securityGroups``, the ECS service's ``networkConfiguration``): a group's role is what
    uses it, never its name."""
    groups = {s.urn for s in subjects if s.type == SECURITY_GROUP}
    return {urn for s in subjects if s.type == type_ for urn in s.sources(key) if urn in groups}


def _alb_groups(subjects: list[Subject]) -> set[str]:
    return _groups_of(subjects, ALB, "securityGroups")


def _task_groups(subjects: list[Subject]) -> set[str]:
    return _groups_of(subjects, SERVICE, "networkConfiguration")


def _data_clients(subjects: list[Subject]) -> set[str]:
    """Groups allowed to reach the data stores: the backend's, and the migration's DMS instance's."""
    return _task_groups(subjects) | _groups_of(subjects, DMS_INSTANCE, "vpcSecurityGroupIds")


def _points_at(rule: Subject, key: str, urns: set[str]) -> bool | None:
    """Whether ``rule``'s ``key`` came from one of ``urns``; None when nothing says."""
    sources = rule.sources(key)
    return bool(set(sources) & urns) if sources else None


def _data_ports_from_backend_only(subjects: list[Subject]) -> Iterable[tuple[str, str]]:
    backend = _data_clients(subjects)
    for rule in (s for s in subjects if s.type in (INGRESS, LEGACY_RULE)):
        if rule.type == LEGACY_RULE and rule.get("type") != "ingress":
            continue
        low, high = rule.get("fromPort"), rule.get("toPort")
        if low is None or high is None:
            continue
        for port, what in ((27017, "MongoDB"), (6379, "Redis")):
            if low <= port <= high:
                from_backend = _points_at(rule, "referencedSecurityGroupId", backend)
                if (
                    rule.get("cidrIpv4")
                    or rule.get("cidrIpv6")
                    or rule.get("cidrBlocks")
                    or from_backend is False
                    or (from_backend is None and not rule.get("referencedSecurityGroupId"))
                ):
                    yield (
                        rule.urn,
                        f"{what} port {port} is open to something other than the backend's security group",
                    )


def _no_open_ingress(subjects: list[Subject]) -> Iterable[tuple[str, str]]:
    for rule in (s for s in subjects if s.type == INGRESS):
        if rule.get("cidrIpv4") == "0.0.0.0/0" or rule.get("cidrIpv6") == "::/0":
            yield rule.urn, "ingress open to the whole internet"


def _alb_from_cloudfront_only(subjects: list[Subject]) -> Iterable[tuple[str, str]]:
    alb_groups = _alb_groups(subjects)
    for rule in (s for s in subjects if s.type == INGRESS and _points_at(s, "securityGroupId", alb_groups)):
        if not str(rule.get("prefixListId") or "").startswith("pl-"):
            yield (
                rule.urn,
                "the ALB admits traffic that is not from CloudFront's origin-facing prefix list",
            )
    for alb in (s for s in subjects if s.type == ALB):
        if alb.get("internal") is not True and not alb_groups:
            yield alb.urn, "internet-facing ALB with no CloudFront-only security group"


def _tasks_from_alb_only(subjects: list[Subject]) -> Iterable[tuple[str, str]]:
    backend, alb = _task_groups(subjects), _alb_groups(subjects)
    for rule in (s for s in subjects if s.type == INGRESS and _points_at(s, "securityGroupId", backend)):
        if _points_at(rule, "referencedSecurityGroupId", alb) is False or rule.get("cidrIpv4"):
            yield rule.urn, "backend tasks admit traffic from something other than the ALB"


def _each_has(kind: str, companion: str, key: str, message: str) -> StackCheck:
    """Every ``kind`` resource has a ``companion`` whose ``key`` came from it."""

    def check(subjects: list[Subject]) -> Iterable[tuple[str, str]]:
        companions = [s for s in subjects if s.type == companion]
        covered = {urn for c in companions for urn in c.sources(key)}
        untraceable = sum(1 for c in companions if not c.sources(key))
        for item in (s for s in subjects if s.type == kind):
            if item.urn in covered:
                continue
            if untraceable:
                untraceable -= 1
                continue
            yield item.urn, message

    return check


def _protected(subjects: list[Subject]) -> Iterable[tuple[str, str]]:
    for s in subjects:
        if s.prod and not s.protect and is_stateful_urn(s.urn):
            yield (
                s.urn,
                "stateful resource is not protected in prod: a change could delete or replace it",
            )


def _atlas_not_open_in_prod(s: Subject) -> Iterable[str]:
    if s.prod and s.get("cidrBlock") == "0.0.0.0/0":
        yield "the Atlas access list admits 0.0.0.0/0 in prod"


def _atlas_backups(s: Subject) -> Iterable[str]:
    region = s.get("replicationSpecs", 0, "regionConfigs", 0) or {}
    # M0 (TENANT) has no cloud backups to turn on; Flex backs up always and refuses the setting.
    if s.prod and region.get("providerName") not in ("TENANT", "FLEX") and s.get("backupEnabled") is not True:
        yield "cloud backups are off in prod"
    if (s.get("advancedConfiguration") or {}).get("minimumEnabledTlsProtocol") not in (
        None,
        "TLS1_2",
        "TLS1_3",
    ):
        yield "accepts TLS below 1.2"


def _redis_tls(s: Subject) -> Iterable[str]:
    if s.get("tls") is not True:
        yield "Redis without TLS"


# --- Request logs, lifecycle, retention, the stack's key -------------------------------------


def _lifecycle(s: Subject) -> Iterable[str]:
    rules = [r for r in s.get("rules") or [] if r.get("status") == "Enabled"]
    if not any(r.get("abortIncompleteMultipartUpload") for r in rules):
        yield "incomplete multipart uploads are never aborted"
    if not any(r.get("expiration") or r.get("noncurrentVersionExpiration") for r in rules):
        yield "nothing ever expires: neither objects nor their old versions"


def _alb_access_logs(s: Subject) -> Iterable[str]:
    logs = s.get("accessLogs") or {}
    if logs.get("enabled") is not True or not logs.get("bucket"):
        yield "access logs are off"


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
    if s.prod and isinstance(days, int) and 0 < days < PRODUCTION_LOG_DAYS:
        yield f"keeps logs {days} days on a production stack; at least {PRODUCTION_LOG_DAYS}"


def _customer_key(s: Subject) -> Iterable[str]:
    if s.type == REPOSITORY:
        configs = s.get("encryptionConfigurations") or [{}]
        key = configs[0].get("kmsKey") if configs[0].get("encryptionType") == "KMS" else None
    elif s.type == TOPIC:
        key = s.get("kmsMasterKeyId")
    else:
        key = s.get("kmsKeyId")
    if not key or str(key).startswith("alias/aws/"):
        yield "encrypted with an AWS key, not the stack's customer-managed key"


def _key_rotation(s: Subject) -> Iterable[str]:
    if s.get("enableKeyRotation") is not True:
        yield "automatic key rotation is off"
    for statement in _statements(s.json("policy")):
        if statement.get("Effect") == "Allow" and _any_principal(statement.get("Principal")):
            yield f"key policy statement {statement.get('Sid', '?')} allows any principal"
        service = (
            (statement.get("Principal") or {}).get("Service") if isinstance(statement.get("Principal"), dict) else None
        )
        if str(service).startswith("logs.") and "kms:EncryptionContext:aws:logs:arn" not in str(statement):
            yield "CloudWatch Logs may use the key for any log group (no encryption-context condition)"


def _log_writers_scoped(s: Subject) -> Iterable[str]:
    for statement in _statements(s.json("policy")):
        principal = statement.get("Principal")
        services = _as_list(principal.get("Service")) if isinstance(principal, dict) else []
        if statement.get("Effect") != "Allow" or not set(services) & set(LOG_WRITERS):
            continue
        if "aws:SourceAccount" not in str(statement.get("Condition", {})):
            yield f"{', '.join(services)} may write for any account (no aws:SourceAccount condition)"
        if any(str(r).endswith(":::*") or str(r).count("/") < 2 for r in _as_list(statement.get("Resource"))):
            yield f"{', '.join(services)} may write anywhere in the bucket, not under its own prefix"


def _cache_failover_in_prod(s: Subject) -> Iterable[str]:
    if s.prod and not (s.get("automaticFailoverEnabled") is True and (s.get("numCacheClusters") or 1) >= 2):
        yield "one cache node on a production stack: no automatic failover"


def _dms_endpoint_tls(s: Subject) -> Iterable[str]:
    mode = s.get("sslMode")
    if mode in (None, "none"):
        yield "the endpoint does not use TLS"
    elif s.get("endpointType") == "target" and (
        mode not in ("verify-ca", "verify-full") or not s.get("certificateArn")
    ):
        yield "the target is not verified against a CA (verify-full with the RDS CA certificate)"


def _dms_not_public(s: Subject) -> Iterable[str]:
    if s.get("publiclyAccessible") is not False:
        yield "the replication instance is publicly accessible"


def _dms_source_secret(s: Subject) -> Iterable[str]:
    if s.get("endpointType") == "source" and s.get("engineName") == "mongodb":
        if "password" in s.props and s.props.get("password") is not None:
            yield "the source password is an endpoint input; keep it in Secrets Manager"
        if not s.get("secretsManagerArn"):
            yield "the source credentials do not come from Secrets Manager"


def _backup_vault_encrypted(s: Subject) -> Iterable[str]:
    if not s.props.get("kmsKeyArn"):
        yield "the vault's recovery points are not encrypted with a customer-managed key"


def _backup_plan_copies(s: Subject) -> Iterable[str]:
    for rule in s.get("rules") or []:
        name = rule.get("ruleName", "?")
        if not (rule.get("lifecycle") or {}).get("deleteAfter"):
            yield f"rule {name} keeps recovery points forever (no retention)"
        copies = rule.get("copyActions") or []
        if not copies:
            yield f"rule {name} copies no recovery point to another region"
        for copy in copies:
            if not (copy.get("lifecycle") or {}).get("deleteAfter"):
                yield f"rule {name} keeps its copies forever (no retention)"


def _buckets_log_access(subjects: list[Subject]) -> Iterable[tuple[str, str]]:
    """Every bucket writes server access logs, except the buckets logs are written to."""
    loggings = [s for s in subjects if s.type == S3_LOGGING]
    logged = {urn for s in loggings for urn in s.sources("bucket")}
    targets = {urn for s in loggings for urn in s.sources("targetBucket")}
    targets |= {urn for s in subjects if s.type == ALB for urn in s.sources("accessLogs")}
    for bucket in (s for s in subjects if s.type == BUCKET):
        if bucket.urn not in logged | targets:
            yield bucket.urn, "bucket has no server access logging"


def _distributions_log(subjects: list[Subject]) -> Iterable[tuple[str, str]]:
    """Every distribution has standard logging: a v2 delivery source, or the legacy logging config."""
    sources = {urn for s in subjects if s.type == LOG_DELIVERY_SOURCE for urn in s.sources("resourceArn")}
    for distribution in (s for s in subjects if s.type == DISTRIBUTION):
        if distribution.urn not in sources and not distribution.get("loggingConfig"):
            yield distribution.urn, "distribution has no access logging"


RULES: tuple[Rule, ...] = (
    Rule("s3-block-public-access", "All four S3 Block Public Access flags are on", "FSBP S3.8; CKV_AWS_53-56",
         (PUBLIC_ACCESS_BLOCK,), _public_access_block),
    Rule("s3-acls-disabled", "S3 ACLs are disabled (BucketOwnerEnforced); no public ACL",
         "FSBP S3.2, S3.3, S3.12; CKV_AWS_20, CKV_AWS_57", (OWNERSHIP, BUCKET), _acls_disabled),
    Rule("s3-bucket-policy-cloudfront-tls", "Bucket policy admits only the distribution, and only over TLS",
         "FSBP S3.5, S3.6; CKV_AWS_70", (BUCKET_POLICY,), _bucket_policy),
    Rule("s3-encryption", "Buckets encrypt by default", "FSBP S3.13 area; CKV_AWS_19", (SSE,), _encryption),
    Rule("s3-versioning", "Buckets keep versions", "CKV_AWS_21", (VERSIONING,), _versioning),
    Rule("s3-no-force-destroy-prod", "No force_destroy on prod buckets", "data safety", (BUCKET,), _no_force_destroy),
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
    Rule("alb-https-tls13", "HTTPS listeners use the TLS 1.3 policy; HTTP redirects to HTTPS",
         "FSBP ELB.1, ELB.17; CKV2_AWS_20, CKV_AWS_103", (LISTENER,), _listener_tls, severity="medium"),
    Rule("alb-drop-invalid-headers", "Invalid headers dropped; desync mitigation defensive or strictest",
         "FSBP ELB.4, ELB.12; CKV_AWS_131, CKV_AWS_328", (ALB,), _alb_headers),
    Rule("alb-deletion-protection-multi-az", "Deletion protection in prod; subnets in 2+ AZs",
         "FSBP ELB.6, ELB.13; CKV_AWS_150", (ALB,), _alb_resilience),
    Rule("ecs-no-public-ip", "Tasks get no public IP", "FSBP ECS.2", (SERVICE,), _no_public_ip, severity="medium"),
    Rule("ecs-container-hardening", "Every container (sidecars too): read-only root filesystem, not privileged, "
         "non-root user (root only for a FireLens router or a one-shot volume step)",
         "FSBP ECS.5, ECS.4; CKV_AWS_336, CKV_AWS_334", (TASK_DEFINITION,), _container_hardening),
    Rule("ecs-secrets-not-environment",
         "Credentials reach containers through secrets (log options through secretOptions), never plain "
         "environment (ECS, Docker, Kubernetes)",
         "FSBP ECS.8", (TASK_DEFINITION, DOCKER_CONTAINER, K8S_DEPLOYMENT), _secrets_not_env, severity="critical"),
    Rule("ecs-awslogs", "Containers log to CloudWatch with awslogs, or through a FireLens router that does",
         "FSBP ECS.9", (TASK_DEFINITION,),
         _container_logging, severity="medium"),
    Rule("ecs-container-insights", "Container Insights on the cluster", "FSBP ECS.12; CKV_AWS_65", (ECS_CLUSTER,),
         _container_insights, severity="low"),
    Rule("ecs-deployment-safety", "Circuit breaker with rollback, platform LATEST, health-check grace period",
         "FSBP ECS.10; CKV_AWS_332", (SERVICE,), _service_deployment, severity="medium"),
    Rule("ecs-separate-roles", "The execution role is not the task role", "CKV_AWS_249", (TASK_DEFINITION,),
         _separate_roles),
    Rule("ecr-scan-immutable", "Scan on push and immutable tags", "FSBP ECR.1, ECR.2; CKV_AWS_163, CKV_AWS_51",
         (REPOSITORY,), _ecr, severity="medium"),
    Rule("elasticache-encryption-auth", "Encrypted at rest and in transit, with an AUTH token",
         "FSBP ElastiCache.4, .5, .6; CKV_AWS_29, CKV_AWS_30, CKV_AWS_31", (REPLICATION_GROUP,), _cache_encryption),
    Rule("elasticache-backups-failover", "Snapshots kept, a final snapshot, failover with 2+ nodes",
         "FSBP ElastiCache.1, .3; CKV2_AWS_50", (REPLICATION_GROUP,), _cache_backups),
    Rule("elasticache-maintenance", "Automatic minor upgrades; its own subnet group",
         "FSBP ElastiCache.2, .7; CKV_AWS_322, CKV_AWS_323", (REPLICATION_GROUP,), _cache_maintenance,
         severity="low"),
    Rule("docdb-encryption-tls-audit", "Storage encrypted; tls and audit_logs enabled; audit logs exported",
         "FSBP DocumentDB.1, .6, .4; CKV_AWS_74, CKV_AWS_90, CKV_AWS_104, CKV_AWS_85",
         (DOCDB_CLUSTER, DOCDB_PARAMETERS), _docdb_encryption),
    Rule("docdb-backups-deletion-protection", "Backups 7+ days, deletion protection in prod, a final snapshot",
         "FSBP DocumentDB.2, .5; CKV_AWS_360", (DOCDB_CLUSTER,), _docdb_backups),
    Rule("docdb-no-pinned-azs", "Availability zones not pinned below 3", "pulumi/pulumi-aws#1507",
         (DOCDB_CLUSTER,), _docdb_azs, severity="medium"),
    Rule("sg-rules-described", "Every security group rule is described", "CKV_AWS_23", (INGRESS, EGRESS),
         _rule_described, severity="low"),
    Rule("vpc-default-sg-closed", "The default security group allows nothing", "FSBP EC2.2; CKV2_AWS_12",
         (DEFAULT_SG,), _default_sg_closed),
    Rule("vpc-no-auto-public-ip", "Subnets do not map public IPs on launch", "FSBP EC2.15; CKV_AWS_130",
         (SUBNET,), _no_public_ip_on_launch, severity="medium"),
    Rule("iam-trust-limited", "Roles trust named service principals, never *", "FSBP IAM.1; CKV_AWS_62",
         (ROLE,), _trust, severity="critical"),
    Rule("iam-least-privilege", "No * action; no * resource (but where AWS allows only *); secrets named exactly",
         "FSBP IAM.1, IAM.21; CKV_AWS_62, CKV_AWS_63, CKV_AWS_355", (ROLE_POLICY, IAM_POLICY), _least_privilege,
         severity="critical"),
    Rule("logs-retention", "Log groups expire their logs", "FSBP CloudWatch.16; CKV_AWS_66", (LOG_GROUP,),
         _log_retention, severity="low"),
    Rule("secrets-recovery-window", "Secrets keep a 7-30 day recovery window (never 0 in prod)",
         "FSBP SecretsManager.1-4; CKV2_AWS_57", (SECRET,), _secret_recovery),
    Rule("waf-rate-limit-bad-inputs", "A per-IP rate limit mirroring the app's 100/minute; Known Bad Inputs; metrics",
         "FSBP WAF.10, WAF.12; CKV_AWS_192, CKV2_AWS_31", (WEB_ACL,), _waf),
    Rule("atlas-access-list-not-open-in-prod", "Prod's Atlas access list does not admit 0.0.0.0/0",
         "managed phases", (ATLAS_ACCESS,), _atlas_not_open_in_prod, severity="critical"),
    Rule("atlas-backups-tls", "Dedicated Atlas clusters back up in prod and require TLS 1.2+", "managed phases",
         (ATLAS_CLUSTER,), _atlas_backups),
    Rule("redis-tls", "Redis is reached over TLS", "managed phases", (UPSTASH,), _redis_tls),
    Rule("s3-lifecycle", "Buckets expire objects or old versions and abort incomplete uploads",
         "FSBP S3.13; CKV2_AWS_61", (S3_LIFECYCLE,), _lifecycle, severity="low"),
    Rule("s3-log-writers-scoped", "Log-delivery services write only for this account, under their own prefix",
         "FSBP S3.6 area; confused-deputy conditions", (BUCKET_POLICY,), _log_writers_scoped),
    Rule("alb-access-logs", "The ALB writes access logs", "FSBP ELB.5; CKV_AWS_91", (ALB,), _alb_access_logs,
         severity="medium"),
    Rule("waf-logging-redacted", "WAF logs go to aws-waf-logs-* with the Authorization and Cookie headers redacted",
         "FSBP WAF.11; CKV2_AWS_31", (WAF_LOGGING,), _waf_logging_redacts),
    Rule("logs-year-in-prod", "Production log groups keep a year of logs", "FSBP CloudWatch.16; CKV_AWS_338",
         (LOG_GROUP,), _log_retention_in_prod, severity="medium"),
    Rule("kms-customer-key", "Logs, secrets, DocumentDB, ElastiCache, ECR and SNS use the stack's KMS key",
         "FSBP SNS.1; CKV_AWS_158, CKV_AWS_149, CKV_AWS_182, CKV_AWS_191, CKV_AWS_136, CKV_AWS_26",
         (LOG_GROUP, SECRET, DOCDB_CLUSTER, REPLICATION_GROUP, REPOSITORY, TOPIC), _customer_key, severity="medium"),
    Rule("kms-rotation-scoped-policy", "The key rotates; its policy names its users, never *, logs by context",
         "FSBP KMS.4; CKV_AWS_7, CKV_AWS_33", (KMS_KEY,), _key_rotation),
    Rule("dms-endpoints-tls", "DMS endpoints use TLS; the DocumentDB target is verified against the RDS CA",
         "FSBP DMS.9 area; project", (DMS_ENDPOINT,), _dms_endpoint_tls),
    Rule("dms-not-public", "The DMS replication instance is not publicly accessible", "FSBP DMS.1; CKV_AWS_89",
         (DMS_INSTANCE,), _dms_not_public, severity="critical"),
    Rule("dms-source-secret", "The migration source's credentials come from Secrets Manager, never endpoint inputs",
         "FSBP DMS.10 area; project", (DMS_ENDPOINT,), _dms_source_secret, severity="critical"),
    Rule("backup-vault-encrypted", "Backup vaults encrypt recovery points with a customer-managed key",
         "FSBP Backup.1; CKV_AWS_166", (BACKUP_VAULT,), _backup_vault_encrypted),
    Rule("backup-plan-copies-and-retains", "Backup rules keep points for a set time and copy them to another region",
         "FSBP Backup area; disaster recovery", (BACKUP_PLAN,), _backup_plan_copies),
    Rule("cache-failover-in-prod", "Production caches run two nodes with automatic failover",
         "FSBP ElastiCache.3; CKV_AWS_191 area", (REPLICATION_GROUP,), _cache_failover_in_prod, severity="low"),
)  # fmt: skip

STACK_RULES: tuple[StackRule, ...] = (
    StackRule("data-protected-in-prod", "Stateful resources are protected in prod", "data safety", _protected,
              severity="critical"),
    StackRule("sg-data-ports-backend-only", "Nothing opens 27017 or 6379 beyond the backend's security group",
              "FSBP EC2.18, EC2.19; CKV_AWS_24, CKV_AWS_25, CKV_AWS_260, CKV_AWS_277", _data_ports_from_backend_only,
              severity="critical"),
    StackRule("sg-no-open-ingress", "No ingress rule admits the whole internet", "FSBP EC2.18", _no_open_ingress),
    StackRule("alb-cloudfront-only", "The ALB accepts traffic only from CloudFront", "project (internal ALB)",
              _alb_from_cloudfront_only),
    StackRule("ecs-tasks-from-alb-only", "Task ingress only from the ALB's security group on the app port",
              "FSBP ECS.16; CKV_AWS_333", _tasks_from_alb_only),
    StackRule("s3-bucket-has-public-access-block", "Every bucket has a public access block", "FSBP S3.8",
              _each_has(BUCKET, PUBLIC_ACCESS_BLOCK, "bucket", "bucket has no public access block")),
    StackRule("ecr-lifecycle-policy", "Every repository has a lifecycle policy", "FSBP ECR.3",
              _each_has(REPOSITORY, LIFECYCLE, "repository", "repository has no lifecycle policy"), severity="low"),
    StackRule("vpc-flow-logs", "Every VPC logs rejected traffic", "FSBP EC2.6; CKV2_AWS_11",
              _each_has(VPC, FLOW_LOG, "vpcId", "VPC has no flow logs"), severity="medium"),
    StackRule("vpc-default-sg-managed", "Every VPC's default security group is taken over and closed",
              "FSBP EC2.2; CKV2_AWS_12", _each_has(VPC, DEFAULT_SG, "vpcId", "default security group left open")),
    StackRule("s3-access-logging", "Every bucket but the log bucket writes server access logs",
              "FSBP S3.9; CKV_AWS_18", _buckets_log_access, severity="medium"),
    StackRule("s3-bucket-has-lifecycle", "Every bucket has a lifecycle configuration", "FSBP S3.13; CKV2_AWS_61",
              _each_has(BUCKET, S3_LIFECYCLE, "bucket", "bucket has no lifecycle configuration"), severity="low"),
    StackRule("cloudfront-logging", "Every distribution has standard (access) logging", "FSBP CloudFront.5; CKV_AWS_86",
              _distributions_log, severity="medium"),
    StackRule("waf-logging", "Every web ACL has a logging configuration", "FSBP WAF.11; CKV2_AWS_31",
              _each_has(WEB_ACL, WAF_LOGGING, "resourceArn", "web ACL has no logging"), severity="medium"),
    StackRule("secrets-rotation", "Secrets rotate automatically", "FSBP SecretsManager.1-4", _secret_rotation,
              severity="low", enforcement="advisory"),
)  # fmt: skip

RULE_IDS = frozenset(r.id for r in RULES) | frozenset(r.id for r in STACK_RULES)
