"""Every policy rule, with a failing and a passing example."""

from __future__ import annotations

import json

import pytest

from infra.tool import rules as r
from infra.tool.rules import RULES, STACK_RULES
from infra.tool.rules.check import evaluate
from infra.tool.rules.containers import ROOT_ALLOWED
from infra.tool.rules.model import Subject

PROD = "urn:pulumi:prod::nowry::"
DEV = "urn:pulumi:dev::nowry::"


def subject(type_: str, props: dict, *, name: str = "x", prod: bool = False, protect: bool = False, deps=None):
    return Subject(type_, name, f"{PROD if prod else DEV}{type_}::{name}", props, protect, deps or {}, prod)


def found(rule_id: str, *items: Subject) -> list[str]:
    report = evaluate(list(items))
    return [v.message for v in report.violations if v.rule == rule_id]


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def container(**overrides) -> str:
    base = {
        "name": "backend",
        "user": "10001",
        "privileged": False,
        "readonlyRootFilesystem": True,
        "environment": [{"name": "PORT", "value": "8000"}],
        "secrets": [{"name": "GROQ_API_KEY", "valueFrom": "arn:aws:secretsmanager:::secret:x"}],
        "logConfiguration": {"logDriver": "awslogs"},
    }
    return json.dumps([{**base, **overrides}])


CLOUDFRONT_OK = {
    "defaultRootObject": "index.html",
    "webAclId": "arn:aws:wafv2:x",
    "origins": [{"originId": "site", "domainName": "b.s3.us-east-1.amazonaws.com", "originAccessControlId": "oac"}],
    "defaultCacheBehavior": {"viewerProtocolPolicy": "redirect-to-https", "responseHeadersPolicyId": "h"},
    "viewerCertificate": {
        "acmCertificateArn": "arn",
        "minimumProtocolVersion": "TLSv1.2_2021",
        "sslSupportMethod": "sni-only",
    },
}

HEADERS_OK = {
    "securityHeadersConfig": {
        k: {"override": True}
        for k in (
            "strictTransportSecurity",
            "contentTypeOptions",
            "frameOptions",
            "referrerPolicy",
            "contentSecurityPolicy",
        )
    }
}

WAF_OK = {
    "rules": [
        {
            "statement": {"rateBasedStatement": {"limit": 100, "evaluationWindowSec": 60}},
            "visibilityConfig": {"cloudwatchMetricsEnabled": True},
        },
        {
            "statement": {"managedRuleGroupStatement": {"name": "AWSManagedRulesKnownBadInputsRuleSet"}},
            "visibilityConfig": {"cloudwatchMetricsEnabled": True},
        },
    ]
}

EKS_SECRETS = {"resources": ["secrets"], "provider": {"keyArn": "arn:aws:kms:us-east-1:1:key/k"}}

# rule id -> (type, failing props, passing props, in prod)
CASES: dict[str, tuple[str, dict, dict, bool]] = {
    "s3-block-public-access": (
        r.PUBLIC_ACCESS_BLOCK,
        {"blockPublicAcls": True},
        dict.fromkeys(("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), True),
        False,
    ),
    "s3-acls-disabled": (
        r.OWNERSHIP,
        {"rule": {"objectOwnership": "ObjectWriter"}},
        {"rule": {"objectOwnership": "BucketOwnerEnforced"}},
        False,
    ),
    "s3-bucket-policy-cloudfront-tls": (
        r.BUCKET_POLICY,
        {"policy": doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"})},
        {
            "policy": doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudfront.amazonaws.com"},
                    "Action": "s3:GetObject",
                    "Condition": {"StringEquals": {"AWS:SourceArn": "arn:dist"}},
                },
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            )
        },
        False,
    ),
    "s3-encryption": (
        r.SSE,
        {"rules": []},
        {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]},
        False,
    ),
    "s3-versioning": (
        r.VERSIONING,
        {"versioningConfiguration": {"status": "Suspended"}},
        {"versioningConfiguration": {"status": "Enabled"}},
        False,
    ),
    "s3-no-force-destroy-prod": (r.BUCKET, {"forceDestroy": True}, {"forceDestroy": False}, True),
    "cloudfront-oac": (
        r.DISTRIBUTION,
        {
            **CLOUDFRONT_OK,
            "origins": [
                {
                    "originId": "site",
                    "domainName": "b.s3.amazonaws.com",
                    "s3OriginConfig": {"originAccessIdentity": "oai"},
                }
            ],
        },
        CLOUDFRONT_OK,
        False,
    ),
    "cloudfront-https": (
        r.DISTRIBUTION,
        {
            **CLOUDFRONT_OK,
            "defaultCacheBehavior": {"viewerProtocolPolicy": "allow-all", "responseHeadersPolicyId": "h"},
        },
        CLOUDFRONT_OK,
        False,
    ),
    "cloudfront-tls12": (
        r.DISTRIBUTION,
        {**CLOUDFRONT_OK, "viewerCertificate": {"cloudfrontDefaultCertificate": True}},
        CLOUDFRONT_OK,
        False,
    ),
    "cloudfront-security-headers": (r.HEADERS_POLICY, {"securityHeadersConfig": {}}, HEADERS_OK, False),
    "cloudfront-origin-https": (
        r.VPC_ORIGIN,
        {"vpcOriginEndpointConfig": {"originProtocolPolicy": "http-only"}},
        {"vpcOriginEndpointConfig": {"originProtocolPolicy": "https-only"}},
        False,
    ),
    "cloudfront-waf": (
        r.DISTRIBUTION,
        {k: v for k, v in CLOUDFRONT_OK.items() if k != "webAclId"},
        CLOUDFRONT_OK,
        False,
    ),
    "alb-https-tls13": (
        r.LISTENER,
        {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-2016-08"},
        {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"},
        False,
    ),
    "alb-drop-invalid-headers": (
        r.ALB,
        {"dropInvalidHeaderFields": False, "desyncMitigationMode": "monitor"},
        {"dropInvalidHeaderFields": True, "desyncMitigationMode": "defensive"},
        False,
    ),
    "alb-deletion-protection-multi-az": (
        r.ALB,
        {"enableDeletionProtection": False, "subnets": ["a"]},
        {"enableDeletionProtection": True, "subnets": ["a", "b"], "dropInvalidHeaderFields": True},
        True,
    ),
    "ecs-no-public-ip": (
        r.SERVICE,
        {"networkConfiguration": {"assignPublicIp": True}},
        {"networkConfiguration": {"assignPublicIp": False}},
        False,
    ),
    "ecs-container-hardening": (
        r.TASK_DEFINITION,
        {"containerDefinitions": container(readonlyRootFilesystem=False, privileged=True, user="0")},
        {"containerDefinitions": container()},
        False,
    ),
    "ecs-secrets-not-environment": (
        r.TASK_DEFINITION,
        {"containerDefinitions": container(environment=[{"name": "GROQ_API_KEY", "value": "gsk"}])},
        {"containerDefinitions": container()},
        False,
    ),
    "ecs-awslogs": (
        r.TASK_DEFINITION,
        {"containerDefinitions": container(logConfiguration={})},
        {"containerDefinitions": container()},
        False,
    ),
    "ecs-container-insights": (
        r.ECS_CLUSTER,
        {"settings": [{"name": "containerInsights", "value": "disabled"}]},
        {"settings": [{"name": "containerInsights", "value": "enabled"}]},
        False,
    ),
    "ecs-deployment-safety": (
        r.SERVICE,
        {"launchType": "FARGATE", "platformVersion": "1.3.0"},
        {
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "healthCheckGracePeriodSeconds": 60,
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        },
        False,
    ),
    "ecs-separate-roles": (
        r.TASK_DEFINITION,
        {"executionRoleArn": "arn:role/a", "taskRoleArn": "arn:role/a"},
        {"executionRoleArn": "arn:role/a", "taskRoleArn": "arn:role/b"},
        False,
    ),
    "ecr-scan-immutable": (
        r.REPOSITORY,
        {"imageTagMutability": "MUTABLE"},
        {"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True}},
        False,
    ),
    "elasticache-encryption-auth": (
        r.REPLICATION_GROUP,
        {"transitEncryptionEnabled": False},
        {"atRestEncryptionEnabled": True, "transitEncryptionEnabled": True, "authToken": "[secret]"},
        False,
    ),
    "elasticache-backups-failover": (
        r.REPLICATION_GROUP,
        {"snapshotRetentionLimit": 0, "numCacheClusters": 2},
        {
            "snapshotRetentionLimit": 1,
            "finalSnapshotIdentifier": "f",
            "numCacheClusters": 2,
            "automaticFailoverEnabled": True,
            "multiAzEnabled": True,
        },
        False,
    ),
    "elasticache-maintenance": (
        r.REPLICATION_GROUP,
        {"autoMinorVersionUpgrade": False},
        {"autoMinorVersionUpgrade": True, "subnetGroupName": "g"},
        False,
    ),
    "docdb-encryption-tls-audit": (
        r.DOCDB_PARAMETERS,
        {"parameters": [{"name": "tls", "value": "disabled"}]},
        {"parameters": [{"name": "tls", "value": "enabled"}, {"name": "audit_logs", "value": "enabled"}]},
        False,
    ),
    "docdb-backups-deletion-protection": (
        r.DOCDB_CLUSTER,
        {"backupRetentionPeriod": 1, "skipFinalSnapshot": True},
        {
            "backupRetentionPeriod": 7,
            "deletionProtection": True,
            "skipFinalSnapshot": False,
            "finalSnapshotIdentifier": "f",
            "storageEncrypted": True,
            "enabledCloudwatchLogsExports": ["audit"],
        },
        True,
    ),
    "docdb-no-pinned-azs": (r.DOCDB_CLUSTER, {"availabilityZones": ["a", "b"]}, {}, False),
    "sg-rules-described": (r.INGRESS, {"fromPort": 443}, {"fromPort": 443, "description": "why"}, False),
    "vpc-default-sg-closed": (r.DEFAULT_SG, {"ingress": [{"fromPort": 0}]}, {"ingress": [], "egress": []}, False),
    "vpc-no-auto-public-ip": (r.SUBNET, {"mapPublicIpOnLaunch": True}, {"mapPublicIpOnLaunch": False}, False),
    "iam-trust-limited": (
        r.ROLE,
        {"assumeRolePolicy": doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})},
        {
            "assumeRolePolicy": doc(
                {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
            )
        },
        False,
    ),
    "iam-least-privilege": (
        r.ROLE_POLICY,
        {"policy": doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})},
        {
            "policy": doc(
                {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": ["*"]},
                {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": ["arn:secret:a"]},
            )
        },
        False,
    ),
    "logs-retention": (r.LOG_GROUP, {"retentionInDays": 0}, {"retentionInDays": 30}, False),
    "s3-lifecycle": (
        r.S3_LIFECYCLE,
        {"rules": [{"status": "Enabled", "noncurrentVersionExpiration": {"noncurrentDays": 30}}]},
        {
            "rules": [
                {
                    "status": "Enabled",
                    "noncurrentVersionExpiration": {"noncurrentDays": 30},
                    "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
                }
            ]
        },
        False,
    ),
    "s3-log-writers-scoped": (
        r.BUCKET_POLICY,
        {
            "policy": json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "logging.s3.amazonaws.com"},
                            "Action": "s3:PutObject",
                            "Resource": "arn:aws:s3:::logs/*",
                        }
                    ]
                }
            )
        },
        {
            "policy": json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "logging.s3.amazonaws.com"},
                            "Action": "s3:PutObject",
                            "Resource": "arn:aws:s3:::logs/s3/site/*",
                            "Condition": {"StringEquals": {"aws:SourceAccount": "1"}},
                        }
                    ]
                }
            )
        },
        False,
    ),
    "alb-access-logs": (
        r.ALB,
        {"accessLogs": {"enabled": False}},
        {"accessLogs": {"enabled": True, "bucket": "logs", "prefix": "alb"}},
        False,
    ),
    "waf-logging-redacted": (
        r.WAF_LOGGING,
        {
            "logDestinationConfigs": ["arn:aws:logs:us-east-1:1:log-group:waf"],
            "redactedFields": [{"singleHeader": {"name": "authorization"}}],
        },
        {
            "logDestinationConfigs": ["arn:aws:logs:us-east-1:1:log-group:aws-waf-logs-nowry-prod"],
            "redactedFields": [{"singleHeader": {"name": "authorization"}}, {"singleHeader": {"name": "cookie"}}],
        },
        False,
    ),
    "logs-year-in-prod": (r.LOG_GROUP, {"retentionInDays": 30}, {"retentionInDays": 365}, True),
    "kms-customer-key": (r.SECRET, {"kmsKeyId": None}, {"kmsKeyId": "arn:aws:kms:us-east-1:1:key/k"}, False),
    "kms-rotation-scoped-policy": (
        r.KMS_KEY,
        {
            "enableKeyRotation": True,
            "policy": json.dumps(
                {
                    "Statement": [
                        {
                            "Sid": "Logs",
                            "Effect": "Allow",
                            "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
                            "Action": "kms:Encrypt*",
                            "Resource": "*",
                        }
                    ]
                }
            ),
        },
        {
            "enableKeyRotation": True,
            "policy": json.dumps(
                {
                    "Statement": [
                        {
                            "Sid": "Logs",
                            "Effect": "Allow",
                            "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
                            "Action": "kms:Encrypt*",
                            "Resource": "*",
                            "Condition": {
                                "ArnLike": {
                                    "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:1:log-group:*"
                                }
                            },
                        }
                    ]
                }
            ),
        },
        False,
    ),
    "dms-endpoints-tls": (
        r.DMS_ENDPOINT,
        {"endpointType": "target", "sslMode": "require"},
        {"endpointType": "target", "sslMode": "verify-full", "certificateArn": "arn:aws:dms:us-east-1:1:cert:X"},
        False,
    ),
    "dms-not-public": (r.DMS_INSTANCE, {"publiclyAccessible": True}, {"publiclyAccessible": False}, False),
    "dms-source-secret": (
        r.DMS_ENDPOINT,
        {"endpointType": "source", "engineName": "mongodb", "password": "[secret]"},
        {"endpointType": "source", "engineName": "mongodb", "secretsManagerArn": "arn:aws:secretsmanager:x"},
        False,
    ),
    "backup-vault-encrypted": (r.BACKUP_VAULT, {"name": "v"}, {"kmsKeyArn": "arn:aws:kms:us-east-1:1:key/k"}, False),
    "backup-plan-copies-and-retains": (
        r.BACKUP_PLAN,
        {"rules": [{"ruleName": "r", "lifecycle": {"deleteAfter": 7}}]},
        {
            "rules": [
                {
                    "ruleName": "r",
                    "lifecycle": {"deleteAfter": 7},
                    "copyActions": [
                        {
                            "destinationVaultArn": "arn:aws:backup:us-west-2:1:backup-vault:dr",
                            "lifecycle": {"deleteAfter": 7},
                        }
                    ],
                }
            ]
        },
        False,
    ),
    "cache-failover-in-prod": (
        r.REPLICATION_GROUP,
        {"numCacheClusters": 1, "automaticFailoverEnabled": False},
        {"numCacheClusters": 2, "automaticFailoverEnabled": True},
        True,
    ),
    "secrets-recovery-window": (r.SECRET, {"recoveryWindowInDays": 0}, {"recoveryWindowInDays": 30}, True),
    "waf-rate-limit-bad-inputs": (
        r.WEB_ACL,
        {"rules": [{"statement": {"rateBasedStatement": {"limit": 1000}}, "visibilityConfig": {}}]},
        WAF_OK,
        False,
    ),
    "atlas-access-list-not-open-in-prod": (
        r.ATLAS_ACCESS,
        {"cidrBlock": "0.0.0.0/0"},
        {"cidrBlock": "203.0.113.7/32"},
        True,
    ),
    "atlas-backups-tls": (
        r.ATLAS_CLUSTER,
        {"replicationSpecs": [{"regionConfigs": [{"providerName": "AWS"}]}], "backupEnabled": False},
        {"replicationSpecs": [{"regionConfigs": [{"providerName": "AWS"}]}], "backupEnabled": True},
        True,
    ),
    "redis-tls": (r.UPSTASH, {"tls": False}, {"tls": True}, False),
    # the EKS cluster's rules, with the exact messages: tests/test_policy_rules_eks.py
    "eks-secrets-encrypted": (r.EKS_CLUSTER, {}, {"encryptionConfig": EKS_SECRETS}, True),
    "eks-endpoint-private": (r.EKS_CLUSTER, {"vpcConfig": {}}, {"vpcConfig": {"endpointPublicAccess": False}}, True),
    "eks-endpoint-cidrs-limited": (
        r.EKS_CLUSTER,
        {"vpcConfig": {"endpointPrivateAccess": True, "endpointPublicAccess": True}},
        {
            "vpcConfig": {
                "endpointPrivateAccess": True,
                "endpointPublicAccess": True,
                "publicAccessCidrs": ["1.2.3.4/32"],
            }
        },
        True,
    ),
    "eks-control-plane-logs": (
        r.EKS_CLUSTER,
        {"enabledClusterLogTypes": ["api", "audit", "authenticator"]},
        {"enabledClusterLogTypes": ["api", "audit", "authenticator", "controllerManager", "scheduler"]},
        True,
    ),
    # the gcp phase's rules, with the exact messages: tests/test_policy_rules_gcp.py
    "gcp-bucket-not-public": (
        r.GCP_BUCKET_IAM,
        {"member": "allUsers", "role": "roles/storage.objectViewer"},
        {"member": "serviceAccount:a@p", "role": "roles/storage.objectViewer"},
        False,
    ),
    "gcp-bucket-hardening": (
        r.GCP_BUCKET,
        {},
        {"uniformBucketLevelAccess": True, "versioning": {"enabled": True}},
        False,
    ),
    "gcp-lb-tls-policy": (r.GCP_SSL_POLICY, {}, {"profile": "RESTRICTED", "minTlsVersion": "TLS_1_3"}, False),
    "gcp-lb-managed": (
        r.GCP_BACKEND_SERVICE,
        {"loadBalancingScheme": "EXTERNAL"},
        {"loadBalancingScheme": "EXTERNAL_MANAGED"},
        False,
    ),
    "gcp-armor-rules": (
        r.GCP_SECURITY_POLICY,
        {"rules": []},
        {
            "rules": [
                {"action": "rate_based_ban", "rateLimitOptions": {"enforceOnKey": "IP"}},
                *(
                    {
                        "action": "deny(403)",
                        "match": {"expr": {"expression": f"evaluatePreconfiguredWaf('{k}-v33-stable')"}},
                    }
                    for k in ("sqli", "xss")
                ),
                {"action": "deny(404)", "match": {"expr": {"expression": "evaluatePreconfiguredWaf('cve-canary')"}}},
            ]
        },
        False,
    ),
    "gcp-lb-logging": (r.GCP_BACKEND_SERVICE, {"logConfig": {"enable": False}}, {"logConfig": {"enable": True}}, False),
    "gcp-run-ingress": (
        r.GCP_CLOUD_RUN,
        {"ingress": "INGRESS_TRAFFIC_ALL", "defaultUriDisabled": True},
        {"ingress": "INGRESS_TRAFFIC_INTERNAL_ONLY", "defaultUriDisabled": True},
        False,
    ),
    "gcp-run-secrets": (
        r.GCP_CLOUD_RUN,
        {"template": {"containers": [{"envs": [{"name": "SECRET_KEY", "value": "k"}]}]}},
        {"template": {"containers": [{"envs": [{"name": "LOG_LEVEL", "value": "info"}]}]}},
        False,
    ),
    "gcp-service-account-scope": (
        r.GCP_PROJECT_IAM,
        {"role": "roles/owner", "member": "serviceAccount:a@p"},
        {"role": "roles/datastore.user", "member": "serviceAccount:a@p"},
        False,
    ),
    "gcp-secrets-deletion-protection": (
        r.GCP_SECRET,
        {"deletionProtection": False},
        {"deletionProtection": True},
        True,
    ),
    "gcp-redis-auth-tls": (
        r.GCP_REDIS,
        {"authEnabled": False},
        {"authEnabled": True, "transitEncryptionMode": "SERVER_AUTHENTICATION"},
        False,
    ),
    "gcp-subnet-flow-logs": (
        r.GCP_SUBNET,
        {},
        {"logConfig": {"metadata": "INCLUDE_ALL_METADATA"}, "privateIpGoogleAccess": True},
        False,
    ),
    "eks-nodes-imdsv2": (
        r.LAUNCH_TEMPLATE,
        {"metadataOptions": {"httpTokens": "optional", "httpPutResponseHopLimit": 1}},
        {"metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1}},
        True,
    ),
}


# What each failing case must say, word for word: a finding a user reads names what is wrong.
MESSAGES: dict[str, list[str]] = {
    "alb-access-logs": ["access logs are off"],
    "alb-deletion-protection-multi-az": [
        "deletion protection is off in prod",
        "the ALB spans fewer than 2 subnets (availability zones)",
    ],
    "alb-drop-invalid-headers": ["invalid header fields are not dropped", "desync mitigation is monitor"],
    "alb-https-tls13": ["HTTPS listener uses ELBSecurityPolicy-2016-08, not ELBSecurityPolicy-TLS13-1-2-2021-06"],
    "atlas-access-list-not-open-in-prod": ["the Atlas access list admits 0.0.0.0/0 in prod"],
    "atlas-backups-tls": ["cloud backups are off in prod"],
    "backup-plan-copies-and-retains": ["rule r copies no recovery point to another region"],
    "backup-vault-encrypted": ["the vault's recovery points are not encrypted with a customer-managed key"],
    "cache-failover-in-prod": ["one cache node on a production stack: no automatic failover"],
    "cloudfront-https": ["behaviour default allows plain HTTP"],
    "cloudfront-oac": [
        "origin site uses a legacy Origin Access Identity",
        "S3 origin site has no Origin Access Control",
    ],
    "cloudfront-origin-https": ["the VPC origin speaks plain HTTP to the ALB (no ALB certificate configured)"],
    "cloudfront-security-headers": [
        "response headers policy sets no strictTransportSecurity",
        "response headers policy sets no contentTypeOptions",
        "response headers policy sets no frameOptions",
        "response headers policy sets no referrerPolicy",
        "response headers policy sets no contentSecurityPolicy",
    ],
    "cloudfront-tls12": ["the default *.cloudfront.net certificate keeps the TLSv1 minimum (needs a custom domain)"],
    "cloudfront-waf": ["no web ACL: no rate limit or bad-input filtering at the edge"],
    "dms-endpoints-tls": ["the target is not verified against a CA (verify-full with the RDS CA certificate)"],
    "dms-not-public": ["the replication instance is publicly accessible"],
    "dms-source-secret": [
        "the source password is an endpoint input; keep it in Secrets Manager",
        "the source credentials do not come from Secrets Manager",
    ],
    "docdb-backups-deletion-protection": [
        "backups kept 1 days (fewer than 7)",
        "deletion protection is off in prod",
        "no final snapshot on delete",
    ],
    "docdb-encryption-tls-audit": ["parameter tls is not enabled", "parameter audit_logs is not enabled"],
    "docdb-no-pinned-azs": ["pins fewer than 3 availability zones: every update becomes a replacement"],
    "ecr-scan-immutable": ["images are not scanned on push", "image tags are mutable"],
    "ecs-awslogs": ["container backend: no awslogs logging (nor FireLens with a router on awslogs)"],
    "ecs-container-hardening": [
        "container backend: root filesystem is writable",
        "container backend: privileged",
        f"container backend: runs as root (set a non-root user; root only for {ROOT_ALLOWED})",
    ],
    "ecs-container-insights": ["Container Insights is off"],
    "ecs-deployment-safety": [
        "no deployment circuit breaker with rollback",
        "platform version pinned to 1.3.0, not LATEST",
    ],
    "ecs-no-public-ip": ["tasks get a public IP"],
    "ecs-secrets-not-environment": ["container backend: GROQ_API_KEY is plain environment; use secrets"],
    "ecs-separate-roles": ["the execution role is also the task role"],
    "eks-control-plane-logs": ["control-plane logs not sent to CloudWatch Logs: controllerManager, scheduler"],
    "eks-endpoint-cidrs-limited": [
        "the public endpoint admits every address (no publicAccessCidrs: EKS uses 0.0.0.0/0)"
    ],
    "eks-endpoint-private": ["the Kubernetes API has a public endpoint"],
    "eks-nodes-imdsv2": ["instance metadata answers IMDSv1 (httpTokens is not required)"],
    "eks-secrets-encrypted": [
        "Kubernetes Secrets are not envelope-encrypted with a KMS key (no encryptionConfig for secrets)"
    ],
    "elasticache-backups-failover": [
        "no automatic snapshots",
        "no final snapshot on delete",
        "2+ nodes without automatic failover and Multi-AZ",
    ],
    "elasticache-encryption-auth": ["no encryption at rest", "no encryption in transit", "no AUTH token or user group"],
    "elasticache-maintenance": ["automatic minor version upgrades are off", "no subnet group of its own"],
    "iam-least-privilege": ["wildcard action in ['s3:*']", "resource * for ['s3:*']"],
    "iam-trust-limited": ["the role can be assumed by any principal"],
    "kms-customer-key": ["encrypted with an AWS key, not the stack's customer-managed key"],
    "kms-rotation-scoped-policy": [
        "CloudWatch Logs may use the key for any log group (no encryption-context condition)"
    ],
    "logs-retention": ["logs never expire"],
    "logs-year-in-prod": ["keeps logs 30 days on a production stack; at least 365"],
    "redis-tls": ["Redis without TLS"],
    "s3-acls-disabled": ["object ownership is not BucketOwnerEnforced (ACLs stay enabled)"],
    "s3-block-public-access": [
        "blockPublicPolicy is not true",
        "ignorePublicAcls is not true",
        "restrictPublicBuckets is not true",
    ],
    "s3-bucket-policy-cloudfront-tls": [
        "statement ? allows any principal",
        "no statement denies requests without TLS (aws:SecureTransport false)",
    ],
    "s3-encryption": ["no default server-side encryption"],
    "s3-lifecycle": ["incomplete multipart uploads are never aborted"],
    "s3-log-writers-scoped": [
        "logging.s3.amazonaws.com may write for any account (no aws:SourceAccount condition)",
        "logging.s3.amazonaws.com may write anywhere in the bucket, not under its own prefix",
    ],
    "s3-no-force-destroy-prod": ["force_destroy is on in prod: deleting the stack would empty the bucket"],
    "s3-versioning": ["versioning is not Enabled"],
    "secrets-recovery-window": ["deleted immediately in prod (recovery window 0)"],
    "sg-rules-described": ["security group rule has no description"],
    "vpc-default-sg-closed": ["the default security group allows traffic"],
    "vpc-no-auto-public-ip": ["instances launched here get a public IP automatically"],
    "waf-logging-redacted": [
        "the cookie header is written to the log",
        "logs to a destination not named aws-waf-logs-*",
    ],
    "gcp-armor-rules": [
        "no rate limit per client IP (a throttle or rate_based_ban rule keyed on IP)",
        "no preconfigured WAF rule for SQL injection (sqli-v33-stable)",
        "no preconfigured WAF rule for cross-site scripting (xss-v33-stable)",
        "no Log4j rule (evaluatePreconfiguredExpr('cve-canary'))",
    ],
    "gcp-bucket-hardening": [
        "uniform bucket-level access is off: object ACLs can grant access past IAM",
        "versioning is off on a served bucket: an overwritten file cannot be rolled back",
    ],
    "gcp-bucket-not-public": [
        "roles/storage.objectViewer is granted to allUsers: anyone may read the bucket's objects"
    ],
    "gcp-lb-logging": ["request logging is off: Cloud Armor's decisions and the API's requests go unrecorded"],
    "gcp-lb-managed": ["load balancing scheme EXTERNAL: the classic load balancer (allowed: EXTERNAL_MANAGED)"],
    "gcp-lb-tls-policy": [
        "minimum TLS version TLS_1_0 (allowed: TLS_1_2 or TLS_1_3)",
        "profile COMPATIBLE admits weak ciphers (allowed: MODERN or RESTRICTED)",
    ],
    "gcp-redis-auth-tls": [
        "AUTH is off: any client in the network may read the cache",
        "no in-transit encryption (transitEncryptionMode SERVER_AUTHENTICATION)",
    ],
    "gcp-run-ingress": ["ingress INGRESS_TRAFFIC_ALL: requests can bypass the load balancer and Cloud Armor"],
    "gcp-run-secrets": [
        "SECRET_KEY is a plain environment variable (give it from Secret Manager: valueSource.secretKeyRef)"
    ],
    "gcp-secrets-deletion-protection": [
        "deletion protection is off in prod: the secret and its versions can be deleted"
    ],
    "gcp-service-account-scope": ["roles/owner on the whole project for serviceAccount:a: grant a narrower role"],
    "gcp-subnet-flow-logs": [
        "no VPC flow logs",
        "Private Google Access is off: calls to Google APIs leave through the internet path",
    ],
    "waf-rate-limit-bad-inputs": [
        "no rate-based rule of at most 100 requests per 60 s per IP",
        "no AWS Known Bad Inputs managed rules",
        "a rule has no CloudWatch metrics",
    ],
}


def test_every_resource_rule_has_a_case_and_its_messages():
    assert set(CASES) == set(MESSAGES) == {rule.id for rule in RULES}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_resource_rule_fails_then_passes(rule_id):
    type_, bad, good, prod = CASES[rule_id]
    assert found(rule_id, subject(type_, bad, prod=prod)) == MESSAGES[rule_id]
    assert found(rule_id, subject(type_, good, prod=prod)) == [], f"{rule_id} should accept {good}"


@pytest.mark.parametrize(
    ("rules", "said"),
    [
        ([{"ruleName": "hourly", "copyActions": [{"destinationVaultArn": "dr", "lifecycle": {"deleteAfter": 7}}]}],
         ["rule hourly keeps recovery points forever (no retention)"]),
        ([{"ruleName": "hourly", "lifecycle": {"deleteAfter": 7}, "copyActions": [{"destinationVaultArn": "dr"}]}],
         ["rule hourly keeps its copies forever (no retention)"]),
        ([{"ruleName": "hourly", "lifecycle": {"deleteAfter": 7},
           "copyActions": [{"destinationVaultArn": "dr", "lifecycle": {"deleteAfter": 7}}]}], []),
    ],
    ids=["points forever", "copies forever", "both kept a week"],
)  # fmt: skip
def test_backup_rules_keep_points_and_their_copies_for_a_set_time(rules, said):
    assert found("backup-plan-copies-and-retains", subject(r.BACKUP_PLAN, {"rules": rules})) == said


def test_every_rule_states_its_control():
    for rule in (*RULES, *STACK_RULES):
        assert rule.reference and rule.description and rule.severity and rule.enforcement


# --- stack rules ------------------------------------------------------------------------------


def group(name: str) -> Subject:
    return subject(r.SECURITY_GROUP, {}, name=name)


def ingress(name: str, port: int, target: Subject, *, source: Subject | None = None, **props) -> Subject:
    deps = {"securityGroupId": (target.urn,)}
    if source is not None:
        deps["referencedSecurityGroupId"] = (source.urn,)
        props["referencedSecurityGroupId"] = f"{source.name}-id"
    return subject(r.INGRESS, {"fromPort": port, "toPort": port, "description": "d", **props}, name=name, deps=deps)


def alb(group_: Subject) -> Subject:
    """A load balancer with ``group_`` wired into its security groups."""
    return subject(r.ALB, {"internal": True}, name="api-alb", deps={"securityGroups": (group_.urn,)})


def service(group_: Subject) -> Subject:
    """An ECS service whose tasks run in ``group_``."""
    return subject(r.SERVICE, {}, name="backend-service", deps={"networkConfiguration": (group_.urn,)})


def test_data_ports_only_from_the_backend():
    tasks, database, front = group("firewall-backend"), group("firewall-database"), group("firewall-alb")
    wiring = (service(tasks), alb(front))
    good = ingress("db-from-backend", 27017, database, source=tasks)
    assert not found("sg-data-ports-backend-only", *wiring, tasks, database, good)
    from_alb = ingress("db-from-alb", 27017, database, source=front)
    open_cache = ingress("cache-open", 6379, database, cidrIpv4="10.0.0.0/8")
    assert len(found("sg-data-ports-backend-only", *wiring, tasks, database, front, from_alb, open_cache)) == 2


def test_a_groups_role_comes_from_what_uses_it_not_its_name():
    # Named like the backend's group, but no service runs in it: the database admits a stranger.
    decoy, tasks, database = group("firewall-backend"), group("tasks"), group("firewall-database")
    from_decoy = ingress("db-from-decoy", 27017, database, source=decoy)
    assert found("sg-data-ports-backend-only", service(tasks), decoy, tasks, database, from_decoy)
    from_tasks = ingress("db-from-tasks", 27017, database, source=tasks)
    assert not found("sg-data-ports-backend-only", service(tasks), decoy, tasks, database, from_tasks)


def test_no_ingress_open_to_the_internet():
    front = group("firewall-alb")
    assert found("sg-no-open-ingress", front, ingress("any", 80, front, cidrIpv4="0.0.0.0/0"))
    assert not found("sg-no-open-ingress", front, ingress("cf", 80, front, prefixListId="pl-1"))


def test_alb_only_from_cloudfront():
    front = group("edge")
    assert found("alb-cloudfront-only", alb(front), front, ingress("office", 80, front, cidrIpv4="198.51.100.0/24"))
    assert not found("alb-cloudfront-only", alb(front), front, ingress("cf", 80, front, prefixListId="pl-1"))


def test_tasks_only_from_the_alb():
    front, tasks, other = group("firewall-alb"), group("firewall-backend"), group("firewall-database")
    wiring = (alb(front), service(tasks))
    assert found("ecs-tasks-from-alb-only", *wiring, front, tasks, other, ingress("bad", 8000, tasks, source=other))
    assert not found("ecs-tasks-from-alb-only", *wiring, front, tasks, ingress("ok", 8000, tasks, source=front))


def test_stateful_resources_are_protected_in_prod_only():
    assert found("data-protected-in-prod", subject(r.DOCDB_CLUSTER, {}, prod=True, protect=False))
    assert not found("data-protected-in-prod", subject(r.DOCDB_CLUSTER, {}, prod=True, protect=True))
    assert not found("data-protected-in-prod", subject(r.DOCDB_CLUSTER, {}, prod=False, protect=False))


@pytest.mark.parametrize(
    ("rule_id", "kind", "companion", "key"),
    [
        ("s3-bucket-has-public-access-block", r.BUCKET, r.PUBLIC_ACCESS_BLOCK, "bucket"),
        ("ecr-lifecycle-policy", r.REPOSITORY, r.LIFECYCLE, "repository"),
        ("vpc-flow-logs", r.VPC, r.FLOW_LOG, "vpcId"),
        ("vpc-default-sg-managed", r.VPC, r.DEFAULT_SG, "vpcId"),
        ("s3-bucket-has-lifecycle", r.BUCKET, r.S3_LIFECYCLE, "bucket"),
        ("waf-logging", r.WEB_ACL, r.WAF_LOGGING, "resourceArn"),
    ],
)
def test_each_resource_has_its_companion(rule_id, kind, companion, key):
    item = subject(kind, {}, name="main")
    assert found(rule_id, item)
    linked = subject(companion, {}, name="c", deps={key: (item.urn,)})
    assert not found(rule_id, item, linked)


def test_each_customer_key_carrier_needs_the_stacks_key():
    key = "arn:aws:kms:us-east-1:1:key/k"
    for type_, bad, good in (
        (r.LOG_GROUP, {}, {"kmsKeyId": key}),
        (r.DOCDB_CLUSTER, {"storageEncrypted": True}, {"kmsKeyId": key}),
        (r.REPLICATION_GROUP, {}, {"kmsKeyId": key}),
        (r.TOPIC, {"kmsMasterKeyId": "alias/aws/sns"}, {"kmsMasterKeyId": key}),
        (r.REPOSITORY, {"encryptionConfigurations": [{"encryptionType": "AES256"}]},
         {"encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": key}]}),
    ):  # fmt: skip
        assert found("kms-customer-key", subject(type_, bad)), type_
        assert not found("kms-customer-key", subject(type_, good)), type_


def test_key_rotation_off_and_an_open_key_policy_are_reported():
    assert found("kms-rotation-scoped-policy", subject(r.KMS_KEY, {"enableKeyRotation": False}))
    open_policy = json.dumps({"Statement": [{"Sid": "Any", "Effect": "Allow", "Principal": "*", "Action": "kms:*"}]})
    assert found("kms-rotation-scoped-policy", subject(r.KMS_KEY, {"enableKeyRotation": True, "policy": open_policy}))


def test_every_bucket_but_the_log_bucket_logs_its_access():
    site, logs = subject(r.BUCKET, {}, name="site-bucket"), subject(r.BUCKET, {}, name="logs-bucket")
    logging = subject(r.S3_LOGGING, {}, name="site-access-logging",
                      deps={"bucket": (site.urn,), "targetBucket": (logs.urn,)})  # fmt: skip
    assert not found("s3-access-logging", site, logs, logging)
    unlogged = found("s3-access-logging", site, logs)
    assert len(unlogged) == 2  # without the logging, neither bucket is a log target nor logged
    other = subject(r.BUCKET, {}, name="uploads-bucket")
    assert found("s3-access-logging", site, logs, logging, other) == ["bucket has no server access logging"]


def test_every_distribution_logs_its_requests():
    distribution = subject(r.DISTRIBUTION, {}, name="site-cdn")
    assert found("cloudfront-logging", distribution)
    source = subject(r.LOG_DELIVERY_SOURCE, {"logType": "ACCESS_LOGS"}, name="cdn-log-source",
                     deps={"resourceArn": (distribution.urn,)})  # fmt: skip
    assert not found("cloudfront-logging", distribution, source)
    legacy = subject(r.DISTRIBUTION, {"loggingConfig": {"bucket": "logs.s3.amazonaws.com"}}, name="old-cdn")
    assert not found("cloudfront-logging", legacy)


def test_secrets_without_rotation_are_reported():
    secret = subject(r.SECRET, {"recoveryWindowInDays": 30}, name="s")
    assert found("secrets-rotation", secret)
    rotation = subject(r.ROTATION, {}, name="rot", deps={"secretId": (secret.urn,)})
    assert not found("secrets-rotation", secret, rotation)


def test_every_stack_rule_is_exercised():
    exercised = {
        "sg-data-ports-backend-only",
        "sg-no-open-ingress",
        "alb-cloudfront-only",
        "ecs-tasks-from-alb-only",
        "data-protected-in-prod",
        "s3-bucket-has-public-access-block",
        "ecr-lifecycle-policy",
        "vpc-flow-logs",
        "vpc-default-sg-managed",
        "secrets-rotation",
        "s3-access-logging",
        "s3-bucket-has-lifecycle",
        "cloudfront-logging",
        "waf-logging",
        "eks-nodes-private-subnets",  # tests/test_policy_rules_eks.py
        "gcp-armor-attached",  # tests/test_policy_rules_gcp.py
        "gcp-lb-https",
    }
    assert exercised == {rule.id for rule in STACK_RULES}


@pytest.mark.parametrize("provider", ["TENANT", "FLEX"])
def test_atlas_backups_are_not_asked_of_tiers_that_refuse_the_setting(provider):
    props = {"replicationSpecs": [{"regionConfigs": [{"providerName": provider}]}]}
    assert not found("atlas-backups-tls", subject(r.ATLAS_CLUSTER, props, prod=True))
