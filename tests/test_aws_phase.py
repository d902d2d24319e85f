"""The aws phase as the prod stack ships it: every AWS security control (docs/security.md), the wiring, data safety."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from components.aws.image_repository import ecr_repository_arn
from infra.tool.cli import app
from infra.tool.cost.estimate import estimate
from infra.tool.engine.plan import Plan
from infra.tool.engine.runner import plan_stack
from tests.aws_helpers import SG_EGRESS, SG_INGRESS, container, group_id, ingress_to, policy
from tests.conftest import PROJECT_DIR, plan_json_text


@pytest.fixture(scope="module")
def prod() -> Plan:
    return plan_stack(PROJECT_DIR, "prod")


PIECES = [
    ("aws:ec2/vpc:Vpc", "network-vpc", {"cidrBlock": "10.0.0.0/16"}),
    ("aws:cloudfront/originAccessControl:OriginAccessControl", "site-oac",
     {"originAccessControlOriginType": "s3", "signingBehavior": "always", "signingProtocol": "sigv4"}),
    ("aws:lb/loadBalancer:LoadBalancer", "api-alb", {"internal": True, "loadBalancerType": "application"}),
    ("aws:lb/targetGroup:TargetGroup", "api-tg", {"port": 8000, "protocol": "HTTP", "targetType": "ip"}),
    ("aws:ecs/service:Service", "backend-service",
     {"launchType": "FARGATE", "desiredCount": 2, "platformVersion": "LATEST"}),
    ("aws:ecs/taskDefinition:TaskDefinition", "backend-task",
     {"cpu": "256", "memory": "512", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
      "runtimePlatform": {"operatingSystemFamily": "LINUX", "cpuArchitecture": "ARM64"}}),
    ("aws:appautoscaling/target:Target", "backend-scaling",
     {"minCapacity": 2, "maxCapacity": 6, "scalableDimension": "ecs:service:DesiredCount"}),
    ("aws:elasticache/replicationGroup:ReplicationGroup", "cache-redis",
     {"engine": "valkey", "nodeType": "cache.t4g.micro", "numCacheClusters": 1}),
    ("aws:docdb/cluster:Cluster", "database-cluster",
     {"engine": "docdb", "engineVersion": "5.0.0", "storageEncrypted": True}),
    ("aws:docdb/clusterInstance:ClusterInstance", "database-instance-0", {"instanceClass": "db.t4g.medium"}),
    ("aws:wafv2/webAcl:WebAcl", "waf-acl", {"scope": "CLOUDFRONT"}),
]  # fmt: skip
"""The pieces of the aws phase as prod ships them: what each is, by the inputs that make it so
(ARM Fargate tasks of the smallest size, an internal ALB, Valkey on a t4g.micro, ...)."""


@pytest.mark.parametrize(("type_", "name", "inputs"), PIECES, ids=[p[1] for p in PIECES])
def test_prod_builds_each_aws_piece_as_the_phase_designs_it(prod, type_, name, inputs):
    planned = prod.one(type_, name).inputs
    assert {key: planned.get(key) for key in inputs} == inputs


def test_no_remote_components(prod):
    assert not [r for r in prod.resources if r.type.startswith(("awsx:", "eks:"))]


# --- S3 (S3.2, S3.3, S3.5, S3.6, S3.8, S3.12, S3.13) -------------------------------------


def test_site_bucket_blocks_all_public_access(prod):
    block = prod.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "site-public-access-block").inputs
    for flag in (
        "blockPublicAcls",
        "blockPublicPolicy",
        "ignorePublicAcls",
        "restrictPublicBuckets",
    ):
        assert block[flag] is True, flag


def test_site_bucket_disables_acls_encrypts_and_versions(prod):
    ownership = prod.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "site-ownership").inputs
    assert ownership["rule"]["objectOwnership"] == "BucketOwnerEnforced"
    sse_type = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    sse = prod.one(sse_type, "site-encryption")
    assert sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] in (
        "AES256",
        "aws:kms",
    )
    versioning = prod.one("aws:s3/bucketVersioning:BucketVersioning").inputs
    assert versioning["versioningConfiguration"]["status"] == "Enabled"
    bucket = prod.one("aws:s3/bucket:Bucket", "site-bucket")
    assert bucket.inputs["forceDestroy"] is False
    assert "acl" not in bucket.inputs


def test_bucket_policy_admits_only_this_distribution_over_tls(prod):
    statements = policy(prod.one("aws:s3/bucketPolicy:BucketPolicy", "site-policy"))["Statement"]
    distribution = prod.one("aws:cloudfront/distribution:Distribution")
    allow = [s for s in statements if s["Effect"] == "Allow"]
    assert len(allow) == 1
    assert allow[0]["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow[0]["Action"] == "s3:GetObject"
    source_arn = allow[0]["Condition"]["StringEquals"]["AWS:SourceArn"]
    assert source_arn.startswith("arn:aws:cloudfront::") and "distribution/" in source_arn
    assert distribution.name.upper() in source_arn.upper()
    deny = [s for s in statements if s["Effect"] == "Deny"]
    assert deny and deny[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert all(s["Principal"] != "*" for s in allow)


# --- CloudFront ----------------------------------------------------------------------------


def test_distribution_uses_oac_https_and_a_root_object(prod):
    distribution = prod.one("aws:cloudfront/distribution:Distribution").inputs
    oac = prod.one("aws:cloudfront/originAccessControl:OriginAccessControl")
    assert oac.inputs["signingBehavior"] == "always" and oac.inputs["originAccessControlOriginType"] == "s3"
    site_origin = next(o for o in distribution["origins"] if o["originId"] == "site")
    assert site_origin["originAccessControlId"] == f"{oac.name}-offline-id"
    assert "s3OriginConfig" not in site_origin  # no legacy OAI
    assert distribution["defaultRootObject"] == "index.html"
    behaviours = [distribution["defaultCacheBehavior"], *distribution["orderedCacheBehaviors"]]
    assert all(b["viewerProtocolPolicy"] == "redirect-to-https" for b in behaviours)


def test_default_certificate_is_the_accepted_tlsv1_case(prod):
    certificate = prod.one("aws:cloudfront/distribution:Distribution").inputs["viewerCertificate"]
    assert certificate == {"cloudfrontDefaultCertificate": True}


def test_custom_domain_gets_tls12_2021_with_sni(project, tmp_path):
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
    directory = project(
        None,
        **aws_config(frontend={"staticDir": "site", "domain": "app.nowry.io", "certificateArn": arn}),
    )
    distribution = plan_stack(directory, "test").one("aws:cloudfront/distribution:Distribution").inputs
    assert distribution["viewerCertificate"] == {
        "acmCertificateArn": arn,
        "sslSupportMethod": "sni-only",
        "minimumProtocolVersion": "TLSv1.2_2021",
    }
    assert distribution["aliases"] == ["app.nowry.io"]


def test_response_headers_policy_sets_the_security_headers(prod):
    headers = prod.one("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy").inputs["securityHeadersConfig"]
    assert headers["strictTransportSecurity"]["accessControlMaxAgeSec"] >= 31536000
    assert headers["contentTypeOptions"]["override"] is True
    assert headers["frameOptions"]["frameOption"] == "DENY"
    assert headers["referrerPolicy"]["referrerPolicy"]
    assert "default-src 'self'" in headers["contentSecurityPolicy"]["contentSecurityPolicy"]
    distribution = prod.one("aws:cloudfront/distribution:Distribution").inputs
    policy_id = prod.one("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy").name + "-offline-id"
    assert distribution["defaultCacheBehavior"]["responseHeadersPolicyId"] == policy_id


def test_one_distribution_serves_the_site_and_the_api(prod):
    distributions = prod.of_type("aws:cloudfront/distribution:Distribution")
    assert len(distributions) == 1
    inputs = distributions[0].inputs
    api = next(b for b in inputs["orderedCacheBehaviors"] if b["pathPattern"] == "/api/*")
    assert api["targetOriginId"] == "api"
    assert "POST" in api["allowedMethods"]
    origin = next(o for o in inputs["origins"] if o["originId"] == "api")
    vpc_origin = prod.one("aws:cloudfront/vpcOrigin:VpcOrigin")
    assert origin["vpcOriginConfig"]["vpcOriginId"] == f"{vpc_origin.name}-offline-id"
    assert prod.outputs["apiUrl"] == prod.outputs["siteUrl"] + "/api"


def test_spa_routes_fall_back_to_index_html_without_touching_api_errors(prod):
    distribution = prod.one("aws:cloudfront/distribution:Distribution").inputs
    router = prod.one("aws:cloudfront/function:Function")
    associations = distribution["defaultCacheBehavior"]["functionAssociations"]
    assert associations[0]["eventType"] == "viewer-request"
    assert "/index.html" in router.inputs["code"]
    assert not distribution.get("customErrorResponses")


def test_waf_rate_limits_100_per_minute_per_ip_and_blocks_bad_inputs(prod):
    acl = prod.one("aws:wafv2/webAcl:WebAcl").inputs
    assert acl["scope"] == "CLOUDFRONT" and acl["region"] == "us-east-1"
    rate = next(r for r in acl["rules"] if "rateBasedStatement" in r["statement"])["statement"]["rateBasedStatement"]
    assert rate["limit"] == 100 and rate["evaluationWindowSec"] == 60
    assert rate["aggregateKeyType"] in ("IP", "FORWARDED_IP")
    managed = [r["statement"].get("managedRuleGroupStatement", {}).get("name") for r in acl["rules"]]
    assert "AWSManagedRulesKnownBadInputsRuleSet" in managed
    assert all(r["visibilityConfig"]["cloudwatchMetricsEnabled"] for r in acl["rules"])
    distribution = prod.one("aws:cloudfront/distribution:Distribution").inputs
    assert distribution["webAclId"].startswith("arn:aws:wafv2:")


def test_waf_can_count_the_forwarded_ip(project):
    directory = project(None, **aws_config(aws={"waf": {"clientIp": "forwarded"}}))
    acl = plan_stack(directory, "test").one("aws:wafv2/webAcl:WebAcl").inputs
    rate = acl["rules"][0]["statement"]["rateBasedStatement"]
    assert rate["aggregateKeyType"] == "FORWARDED_IP"
    assert rate["forwardedIpConfig"]["headerName"] == "X-Forwarded-For"


# --- ALB -----------------------------------------------------------------------------------


def test_alb_is_internal_hardened_and_spans_two_azs(prod):
    alb = prod.one("aws:lb/loadBalancer:LoadBalancer").inputs
    assert alb["internal"] is True
    assert alb["dropInvalidHeaderFields"] is True
    assert alb["desyncMitigationMode"] in ("defensive", "strictest")
    assert alb["enableDeletionProtection"] is True
    assert len(alb["subnets"]) >= 2
    assert all("private" in subnet for subnet in alb["subnets"])


def test_alb_health_check_uses_the_configured_path(prod):
    health = prod.one("aws:lb/targetGroup:TargetGroup").inputs["healthCheck"]
    assert health["path"] == "/health"


def test_alb_with_a_certificate_listens_tls13_and_redirects_http(project):
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
    directory = project(None, **aws_config(aws={"albCertificateArn": arn, "albDomain": "api.nowry.io"}))
    plan = plan_stack(directory, "test")
    listeners = {r.inputs["port"]: r.inputs for r in plan.of_type("aws:lb/listener:Listener")}
    assert listeners[443]["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert listeners[443]["certificateArn"] == arn
    assert listeners[80]["defaultActions"][0]["redirect"]["protocol"] == "HTTPS"
    origin = plan.one("aws:cloudfront/vpcOrigin:VpcOrigin").inputs["vpcOriginEndpointConfig"]
    assert origin["originProtocolPolicy"] == "https-only"
    assert ingress_to(plan, 443)[0].inputs["prefixListId"].startswith("pl-")


# --- Security groups: CloudFront -> ALB -> tasks -> database and cache ------------------------


def test_security_groups_chain_cloudfront_alb_tasks_data(prod):
    alb, backend = group_id(prod, "alb"), group_id(prod, "backend")
    database, cache = group_id(prod, "database"), group_id(prod, "cache")
    by_target = {r.inputs["securityGroupId"]: r.inputs for r in prod.of_type(SG_INGRESS)}
    assert by_target[alb]["prefixListId"].startswith("pl-")
    assert by_target[backend]["referencedSecurityGroupId"] == alb
    assert by_target[backend]["fromPort"] == 8000
    assert by_target[database]["referencedSecurityGroupId"] == backend
    assert by_target[cache]["referencedSecurityGroupId"] == backend


def test_nothing_opens_27017_or_6379_beyond_the_backend(prod):
    backend = group_id(prod, "backend")
    for port in (27017, 6379):
        rules = ingress_to(prod, port)
        assert rules, port
        for rule in rules:
            assert rule.inputs["referencedSecurityGroupId"] == backend
            assert "cidrIpv4" not in rule.inputs and "cidrIpv6" not in rule.inputs
    assert not [r for r in prod.of_type(SG_INGRESS) if r.inputs.get("cidrIpv4") or r.inputs.get("cidrIpv6")]


def test_every_rule_is_described_and_groups_have_no_inline_rules(prod):
    for rule in [*prod.of_type(SG_INGRESS), *prod.of_type(SG_EGRESS)]:
        assert rule.inputs.get("description"), rule.name
    for group in prod.of_type("aws:ec2/securityGroup:SecurityGroup"):
        assert not group.inputs.get("ingress") and not group.inputs.get("egress")


# --- ECS -------------------------------------------------------------------------------------


def test_task_definition_is_hardened_fargate_arm64(prod):
    task = prod.one("aws:ecs/taskDefinition:TaskDefinition").inputs
    assert task["requiresCompatibilities"] == ["FARGATE"]
    assert task["runtimePlatform"]["cpuArchitecture"] == "ARM64"
    assert task["cpu"] == "256" and task["memory"] == "512"
    assert task["executionRoleArn"] != task["taskRoleArn"]
    backend = container(prod)
    assert backend["readonlyRootFilesystem"] is True
    assert backend["privileged"] is False
    assert backend["user"] not in ("", "0", "root")
    assert {"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False} in backend["mountPoints"]
    log = backend["logConfiguration"]
    assert log["logDriver"] == "awslogs"
    log_group = prod.one("aws:cloudwatch/logGroup:LogGroup", "backend-logs")
    assert log["options"]["awslogs-group"] == "backend-logs-offline"
    assert log_group.inputs["retentionInDays"] == 365  # a year on a production stack (CloudWatch.16)


def test_task_secrets_reference_the_secrets_manager_arns(prod):
    backend = container(prod)
    secret_arns = {
        f"arn:aws:secretsmanager:us-east-1:000000000000:secret:{r.name}-offline"
        for r in prod.of_type("aws:secretsmanager/secret:Secret")
    }
    injected = {s["name"]: s["valueFrom"] for s in backend["secrets"]}
    assert set(injected) == {"GROQ_API_KEY", "SECRET_KEY", "MONGO_URI", "REDIS_URL"}
    assert set(injected.values()) == secret_arns
    plain = {e["name"] for e in backend["environment"]}
    assert not plain & set(injected)


def test_execution_role_reads_exactly_the_apps_secrets(prod):
    document = policy(prod.one("aws:iam/rolePolicy:RolePolicy", "backend-execution-policy"))
    statements = document["Statement"]
    secrets = next(s for s in statements if s["Action"] == ["secretsmanager:GetSecretValue"])
    assert set(secrets["Resource"]) == {s["valueFrom"] for s in container(prod)["secrets"]}
    for statement in statements:
        assert "*" not in statement["Action"] and not any(a.endswith(":*") for a in statement["Action"])
        if statement["Resource"] == ["*"]:
            assert statement["Action"] == ["ecr:GetAuthorizationToken"]


def test_roles_trust_only_their_service(prod):
    for role in prod.of_type("aws:iam/role:Role"):
        trust = policy(role, "assumeRolePolicy")["Statement"]
        assert len(trust) == 1
        assert trust[0]["Principal"]["Service"] in (
            "ecs-tasks.amazonaws.com",
            "vpc-flow-logs.amazonaws.com",
            "backup.amazonaws.com",
        )


def test_service_rolls_back_failed_deployments_and_has_no_public_ip_with_nat(prod, project):
    service = prod.one("aws:ecs/service:Service").inputs
    assert service["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service["platformVersion"] == "LATEST"
    assert service["healthCheckGracePeriodSeconds"] >= 30
    # No NAT (the cheap default): tasks get a public IP in public subnets, reached only via the ALB.
    assert service["networkConfiguration"]["assignPublicIp"] is True
    with_nat = plan_stack(project(None, **aws_config(aws={"nat": "single"})), "test")
    network = with_nat.one("aws:ecs/service:Service").inputs["networkConfiguration"]
    assert network["assignPublicIp"] is False
    assert all("private" in subnet for subnet in network["subnets"])
    assert len(with_nat.of_type("aws:ec2/natGateway:NatGateway")) == 1


def test_cluster_has_container_insights(prod):
    settings = prod.one("aws:ecs/cluster:Cluster").inputs["settings"]
    assert {"name": "containerInsights", "value": "enabled"} in settings


def test_autoscaling_tracks_cpu_and_requests_within_config_bounds(prod):
    target = prod.one("aws:appautoscaling/target:Target").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (2, 6)
    metrics = {
        p.inputs["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"]["predefinedMetricType"]
        for p in prod.of_type("aws:appautoscaling/policy:Policy")
    }
    assert metrics == {"ECSServiceAverageCPUUtilization", "ALBRequestCountPerTarget"}


# --- ECR, ElastiCache, DocumentDB, Secrets Manager, VPC, logs ---------------------------------


@pytest.fixture(scope="module")
def prod_building_its_image() -> Plan:
    return plan_stack(PROJECT_DIR, "prod", ["nowry:backend.image=null", f"nowry:backend.context={BUILD_CONTEXT}"])


BUILD_CONTEXT = "tests/data/backend-context"


def test_a_built_image_without_a_tmp_volume_is_warned_about(prod_building_its_image, tmp_path):
    assert not any("VOLUME /tmp" in w for w in prod_building_its_image.warnings)  # its Dockerfile declares it
    context = tmp_path / "backend"
    context.mkdir()
    (context / "Dockerfile").write_text("FROM python:3.12-slim\nUSER 10001\n")
    (tmp_path / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.prod.yaml").write_text((PROJECT_DIR / "Pulumi.prod.yaml").read_text())
    plan = plan_stack(tmp_path, "prod", ["nowry:backend.image=null", "nowry:backend.context=backend"])
    warning = next(w for w in plan.warnings if "VOLUME /tmp" in w)
    assert "owned by root" in warning and "user 10001" in warning


def _pull_statements(plan: Plan) -> list[dict]:
    document = policy(plan.one("aws:iam/rolePolicy:RolePolicy", "backend-execution-policy"))
    return [s for s in document["Statement"] if any(a.startswith("ecr:") for a in s["Action"])]


def test_an_image_from_another_registry_gets_no_repository_and_no_ecr_rights(prod):
    assert prod.config.backend.image.startswith("ghcr.io/")
    assert not prod.of_type("aws:ecr/repository:Repository")
    assert _pull_statements(prod) == []
    assert "repositoryUrl" not in prod.outputs
    assert not any(item.type.startswith("aws:ecr") for item in estimate(prod).line_items)


def test_a_built_image_gets_a_scanned_immutable_repository_with_a_lifecycle(prod_building_its_image):
    plan = prod_building_its_image
    repository = plan.one("aws:ecr/repository:Repository")
    assert repository.inputs["imageScanningConfiguration"]["scanOnPush"] is True
    assert repository.inputs["imageTagMutability"] == "IMMUTABLE"
    assert repository.protect  # prod protects its data
    assert plan.one("aws:ecr/lifecyclePolicy:LifecyclePolicy").inputs["policy"]
    image = plan.one("docker:index/image:Image").inputs
    assert image["imageName"].startswith("000000000000.dkr.ecr.us-east-1.amazonaws.com/")
    pulls = _pull_statements(plan)
    assert [s["Resource"] for s in pulls] == [["*"], [repository_arn(repository)]]
    assert pulls[0]["Action"] == ["ecr:GetAuthorizationToken"]
    assert plan.outputs["repositoryUrl"].startswith("000000000000.dkr.ecr.")


def repository_arn(repository) -> str:
    return f"arn:aws:ecr:us-east-1:000000000000:repository/{repository.name}-offline"


def test_an_ecr_image_is_pulled_with_rights_on_exactly_its_repository():
    image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/nowry-backend@sha256:" + "a" * 64
    plan = plan_stack(PROJECT_DIR, "prod", [f"nowry:backend.image={image}"])
    assert not plan.of_type("aws:ecr/repository:Repository")
    resources = [s["Resource"] for s in _pull_statements(plan)]
    assert resources == [["*"], ["arn:aws:ecr:eu-west-1:123456789012:repository/team/nowry-backend"]]


@pytest.mark.parametrize(
    ("image", "arn"),
    [
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.0", "arn:aws:ecr:us-east-1:123456789012:repository/api"),
        ("123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/a/b", "arn:aws:ecr:us-east-1:123456789012:repository/a/b"),
        (
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/api:1",
            "arn:aws-cn:ecr:cn-north-1:123456789012:repository/api",
        ),
        ("ghcr.io/nowry/nowry-backend:1.0.0", None),
        ("public.ecr.aws/nginx/nginx:1.27", None),  # ECR Public: pulled without credentials
    ],
)
def test_ecr_repository_of_an_image_reference(image, arn):
    assert ecr_repository_arn(image) == arn


def test_cache_is_encrypted_authenticated_and_snapshotted(prod):
    cache = prod.one("aws:elasticache/replicationGroup:ReplicationGroup")
    inputs = cache.inputs
    assert inputs["engine"] == "valkey" and inputs["nodeType"] == "cache.t4g.micro"
    assert inputs["atRestEncryptionEnabled"] is True and inputs["transitEncryptionEnabled"] is True
    assert inputs["authToken"] == "[secret]"
    assert inputs["snapshotRetentionLimit"] >= 1 and inputs["finalSnapshotIdentifier"]
    assert inputs["autoMinorVersionUpgrade"] is True
    assert inputs["subnetGroupName"]
    assert inputs["automaticFailoverEnabled"] is False  # one node


def test_cache_with_two_nodes_fails_over_across_azs(project):
    plan = plan_stack(project(None, **aws_config(cache={"enabled": True, "nodes": 2})), "test")
    inputs = plan.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs
    assert inputs["automaticFailoverEnabled"] is True and inputs["multiAzEnabled"] is True


def test_documentdb_is_encrypted_tls_audited_backed_up_and_deletion_protected(prod):
    cluster = prod.one("aws:docdb/cluster:Cluster")
    inputs = cluster.inputs
    assert inputs["storageEncrypted"] is True
    assert inputs["backupRetentionPeriod"] >= 7
    assert inputs["deletionProtection"] is True
    assert inputs["skipFinalSnapshot"] is False and inputs["finalSnapshotIdentifier"]
    assert set(inputs["enabledCloudwatchLogsExports"]) >= {"audit"}
    assert "availabilityZones" not in inputs
    assert inputs["masterPassword"] == "[secret]"
    parameters = prod.one("aws:docdb/clusterParameterGroup:ClusterParameterGroup").inputs["parameters"]
    assert {"name": "tls", "value": "enabled"} in parameters
    assert {"name": "audit_logs", "value": "enabled"} in parameters


def test_mongo_uri_is_assembled_from_the_cluster_endpoint_with_tls(prod):
    version = prod.one("aws:secretsmanager/secretVersion:SecretVersion", "secrets-mongo-uri-value")
    assert version.inputs["secretString"] == "[secret]"
    uri = version.revealed_inputs["secretString"]
    assert uri.startswith("mongodb://nowryadmin:offline-random-database-master-password@database-cluster.cluster-")
    assert "tls=true" in uri and "retryWrites=false" in uri
    redis = prod.one("aws:secretsmanager/secretVersion:SecretVersion", "secrets-redis-url-value")
    assert redis.revealed_inputs["secretString"].startswith("rediss://:")


def test_secrets_keep_a_recovery_window(prod):
    for secret in prod.of_type("aws:secretsmanager/secret:Secret"):
        assert 7 <= secret.inputs["recoveryWindowInDays"] <= 30
        assert secret.inputs["namePrefix"].startswith("nowry/prod/")


def test_vpc_defaults_are_closed(prod):
    default_group = prod.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup").inputs
    assert default_group["ingress"] == [] and default_group["egress"] == []
    for subnet in prod.of_type("aws:ec2/subnet:Subnet"):
        assert subnet.inputs["mapPublicIpOnLaunch"] is False
    assert prod.one("aws:ec2/flowLog:FlowLog").inputs["trafficType"] in ("REJECT", "ALL")
    assert prod.one("aws:ec2/vpcEndpoint:VpcEndpoint").inputs["serviceName"] == "com.amazonaws.us-east-1.s3"
    assert not prod.of_type("aws:ec2/natGateway:NatGateway")
    zones = {s.inputs["availabilityZone"] for s in prod.of_type("aws:ec2/subnet:Subnet")}
    assert zones == {"us-east-1a", "us-east-1b"}


def test_every_log_group_keeps_a_year_on_production(prod):
    groups = {
        group.name: group.inputs.get("retentionInDays") for group in prod.of_type("aws:cloudwatch/logGroup:LogGroup")
    }
    assert len(groups) >= 5 and set(groups.values()) == {365}, groups  # CloudWatch.16 on a production stack


# --- Data safety -------------------------------------------------------------------------------

STATEFUL = [
    ("aws:docdb/cluster:Cluster", "database-cluster"),
    ("aws:docdb/clusterInstance:ClusterInstance", "database-instance-0"),
    ("aws:elasticache/replicationGroup:ReplicationGroup", "cache-redis"),
    ("aws:s3/bucket:Bucket", "site-bucket"),
    ("aws:secretsmanager/secret:Secret", "secrets-mongo-uri"),
    ("random:index/randomPassword:RandomPassword", "database-master-password"),
]


@pytest.mark.parametrize(("type_", "name"), STATEFUL)
def test_prod_protects_its_data_under_stable_names(prod, type_, name):
    assert prod.one(type_, name).protect is True


def test_a_production_stack_under_any_name_keeps_its_data(project):
    plan = plan_stack(project(None, stack="production-eu", **aws_config()), "production-eu")
    assert plan.config is not None and plan.config.production is True  # the aws phase holds data of record
    cluster = plan.one("aws:docdb/cluster:Cluster")
    assert cluster.protect is True and cluster.inputs["deletionProtection"] is True
    assert all(bucket.inputs["forceDestroy"] is False for bucket in plan.of_type("aws:s3/bucket:Bucket"))


def test_unprotected_stack_lets_go_of_its_data(project):
    plan = plan_stack(project(None, **aws_config(), **{"nowry:production": False}), "test")
    assert plan.one("aws:docdb/cluster:Cluster").protect is False
    assert plan.one("aws:docdb/cluster:Cluster").inputs["deletionProtection"] is False
    assert all(bucket.inputs["forceDestroy"] is True for bucket in plan.of_type("aws:s3/bucket:Bucket"))
    assert {g.inputs["retentionInDays"] for g in plan.of_type("aws:cloudwatch/logGroup:LogGroup")} == {30}
    assert plan.one("aws:lb/loadBalancer:LoadBalancer").inputs["enableDeletionProtection"] is False


def test_no_secret_in_plaintext(prod):
    text = plan_json_text(prod)
    assert "offline-random" not in text and "offline-secret" not in text
    assert "mongodb://" not in text and "rediss://" not in text


def test_outputs(prod):
    assert set(prod.outputs) >= {
        "siteUrl",
        "apiUrl",
        "clusterName",
        "serviceName",
        "bucketName",
        "distributionId",
    }
    assert prod.outputs["siteUrl"].startswith("https://")


# --- the built site ------------------------------------------------------------------------------


def test_uploads_the_built_site_with_content_types_and_cache_control(project, tmp_path):
    site = tmp_path / "site"
    (site / "static" / "js").mkdir(parents=True)
    (site / "index.html").write_text("<html></html>")
    (site / "static" / "js" / "main.3f2a1b4c.js").write_text("console.log(1)")
    (site / "favicon.ico").write_bytes(b"\0")
    plan = plan_stack(project(None, **aws_config()), "test")
    objects = {r.inputs["key"]: r.inputs for r in plan.of_type("aws:s3/bucketObjectv2:BucketObjectv2")}
    assert set(objects) == {"index.html", "static/js/main.3f2a1b4c.js", "favicon.ico"}
    assert objects["index.html"]["cacheControl"] == "no-cache"
    assert objects["index.html"]["contentType"].startswith("text/html")
    assert objects["static/js/main.3f2a1b4c.js"]["cacheControl"] == "public, max-age=31536000, immutable"
    assert objects["static/js/main.3f2a1b4c.js"]["contentType"] == "text/javascript"
    assert objects["favicon.ico"]["contentType"] == "image/x-icon"


def aws_config(**sections: dict) -> dict:
    """A minimal aws-phase stack file, with sections overriding the defaults."""
    config = {
        "nowry:phase": "aws",
        "nowry:backend": {"image": "ghcr.io/nowry/nowry-backend:1.0.0"},
        "nowry:frontend": {"staticDir": "site"},
    }
    for name, value in sections.items():
        config[f"nowry:{name}"] = value
    return config


# --- Atlas M20 instead of DocumentDB ------------------------------------------------------------


@pytest.fixture(scope="module")
def prod_on_atlas() -> Plan:
    return plan_stack(
        PROJECT_DIR, "prod", ["nowry:database.engine=atlas", "nowry:aws.nat=single", "nowry:aws.dr.region=null"]
    )


def test_atlas_engine_builds_an_m20_cluster_instead_of_documentdb(prod_on_atlas):
    assert not prod_on_atlas.of_type("aws:docdb/cluster:Cluster")
    assert not [r for r in prod_on_atlas.resources if r.name.startswith("firewall-database")]
    cluster = prod_on_atlas.one("mongodbatlas:index/advancedCluster:AdvancedCluster", "database-cluster")
    region = cluster.inputs["replicationSpecs"][0]["regionConfigs"][0]
    assert region["electableSpecs"] == {"instanceSize": "M20", "nodeCount": 3}
    assert region["providerName"] == "AWS"
    assert cluster.protect is True
    assert cluster.inputs["terminationProtectionEnabled"] is True
    assert cluster.inputs["backupEnabled"] is True
    assert cluster.inputs["advancedConfiguration"]["minimumEnabledTlsProtocol"] == "TLS1_2"


def test_atlas_user_is_least_privilege_with_a_generated_password(prod_on_atlas):
    user = prod_on_atlas.one("mongodbatlas:index/databaseUser:DatabaseUser").inputs
    assert user["password"] == "[secret]"
    assert user["roles"] == [{"databaseName": "nowry", "roleName": "readWrite"}]


def test_atlas_admits_the_nat_address(prod_on_atlas):
    access = prod_on_atlas.one("mongodbatlas:index/projectIpAccessList:ProjectIpAccessList")
    eip = prod_on_atlas.one("aws:ec2/eip:Eip")
    assert eip.urn in access.dependencies


def test_atlas_without_nat_or_access_list_warns(project):
    config = aws_config(database={"engine": "atlas"})
    plan = plan_stack(project(None, **config), "test")
    assert any("changing public IPs" in warning for warning in plan.warnings)
    assert any("mongodbatlas:privateKey" in warning for warning in plan.warnings)


def test_atlas_private_key_in_plain_text_is_refused(project):
    config = aws_config(database={"engine": "atlas"})
    config["mongodbatlas:privateKey"] = "plain-private-key"
    from infra.config import ConfigError

    with pytest.raises(ConfigError) as caught:
        plan_stack(project(None, **config), "test")
    assert "mongodbatlas:privateKey" in str(caught.value)
    assert "plain-private-key" not in str(caught.value)


def test_atlas_open_to_the_world_in_prod_is_a_loud_warning(project):
    config = aws_config(database={"engine": "atlas"}, atlas={"ipAccessList": ["0.0.0.0/0"]})
    plan = plan_stack(project(config, stack="prod"), "prod")
    assert any(w.startswith("DANGER") and "0.0.0.0/0" in w for w in plan.warnings)


def test_atlas_access_list_entries_must_be_cidrs(project):
    from infra.config import ConfigError

    config = aws_config(database={"engine": "atlas"}, atlas={"ipAccessList": ["10.0.0.0/8", "everyone"]})
    with pytest.raises(ConfigError) as caught:
        plan_stack(project(config), "test")
    assert "nowry:atlas.ipAccessList[1]" in str(caught.value)
    assert "'everyone'" in str(caught.value)


# --- Request logs, lifecycle, retention, the stack's key (ELB.5, CloudFront.5, S3.9, S3.13, WAF.11, ...) -----


def _statements_by_sid(resource) -> dict[str, dict]:
    return {s["Sid"]: s for s in policy(resource)["Statement"]}


def test_log_bucket_admits_exactly_the_three_log_writers_under_their_prefixes(prod):
    statements = _statements_by_sid(prod.one("aws:s3/bucketPolicy:BucketPolicy", "logs-policy"))
    assert set(statements) == {"DenyInsecureTransport", "AlbAccessLogs", "S3ServerAccessLogs", "CloudFrontLogDelivery"}
    assert statements["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    # us-east-1 predates August 2022: its Elastic Load Balancing account writes ALB logs
    assert statements["AlbAccessLogs"]["Principal"] == {"AWS": "arn:aws:iam::127311923021:root"}
    assert statements["AlbAccessLogs"]["Resource"].endswith("/alb/AWSLogs/000000000000/*")
    assert statements["S3ServerAccessLogs"]["Resource"].endswith("/s3/site/*")
    delivery = statements["CloudFrontLogDelivery"]
    assert delivery["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert delivery["Condition"]["ArnLike"]["aws:SourceArn"].startswith("arn:aws:logs:us-east-1:000000000000:")
    for sid in ("S3ServerAccessLogs", "CloudFrontLogDelivery"):
        assert statements[sid]["Condition"]["StringEquals"]["aws:SourceAccount"] == "000000000000"
    assert all(s["Action"] == "s3:PutObject" for sid, s in statements.items() if sid != "DenyInsecureTransport")


def test_log_bucket_is_private_encrypted_and_expires_logs_after_the_retention(prod):
    bucket = prod.one("aws:s3/bucket:Bucket", "logs-bucket")
    assert bucket.protect and bucket.inputs["forceDestroy"] is False
    block = prod.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "logs-public-access-block").inputs
    assert all(block[flag] is True for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                                "restrictPublicBuckets"))  # fmt: skip
    ownership = prod.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "logs-ownership").inputs
    assert ownership["rule"]["objectOwnership"] == "BucketOwnerEnforced"
    sse = prod.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                   "logs-encryption").inputs  # fmt: skip
    # ALB access logs and S3 server access logs accept only SSE-S3 on their destination
    assert sse["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    rule = prod.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "logs-lifecycle").inputs[
        "rules"][0]  # fmt: skip
    assert rule["expiration"]["days"] == 365 and rule["abortIncompleteMultipartUpload"]["daysAfterInitiation"] == 7


def test_alb_cloudfront_and_the_site_bucket_write_request_logs_to_the_log_bucket(prod):
    logs = prod.one("aws:s3/bucket:Bucket", "logs-bucket")
    alb = prod.one("aws:lb/loadBalancer:LoadBalancer")
    assert alb.inputs["accessLogs"] == {"bucket": logs.inputs.get("bucket", "logs-bucket-offline"), "enabled": True,
                                        "prefix": "alb"}  # fmt: skip
    assert prod.one("aws:s3/bucketPolicy:BucketPolicy", "logs-policy").urn in alb.dependencies
    logging = prod.one("aws:s3/bucketLogging:BucketLogging")
    assert prod.one("aws:s3/bucket:Bucket", "site-bucket").urn in logging.property_dependencies["bucket"]
    assert logs.urn in logging.property_dependencies["targetBucket"]
    source = prod.one("aws:cloudwatch/logDeliverySource:LogDeliverySource")
    assert source.inputs["logType"] == "ACCESS_LOGS" and source.inputs["region"] == "us-east-1"
    assert prod.one("aws:cloudfront/distribution:Distribution").urn in source.property_dependencies["resourceArn"]
    destination = prod.one("aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination")
    assert logs.urn in destination.property_dependencies["deliveryDestinationConfiguration"]
    delivery = prod.one("aws:cloudwatch/logDelivery:LogDelivery")
    assert source.urn in delivery.property_dependencies["deliverySourceName"]


def test_waf_logs_its_decisions_with_credentials_redacted(prod):
    logging = prod.one("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration").inputs
    headers = {f["singleHeader"]["name"] for f in logging["redactedFields"]}
    assert headers == {"authorization", "cookie"}
    group = prod.one("aws:cloudwatch/logGroup:LogGroup", "waf-logs")
    assert group.inputs["name"].startswith("aws-waf-logs-") and group.inputs["region"] == "us-east-1"
    assert logging["logDestinationConfigs"] == [f"arn:aws:logs:us-east-1:000000000000:log-group:{group.inputs['name']}"]
    kept = logging["loggingFilter"]["filters"][0]["conditions"]
    assert logging["loggingFilter"]["defaultBehavior"] == "DROP"
    assert {c["actionCondition"]["action"] for c in kept} == {"BLOCK", "COUNT"}


def test_site_bucket_expires_old_versions_after_the_rollback_window(prod):
    rule = prod.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "site-lifecycle").inputs[
        "rules"][0]  # fmt: skip
    assert rule["noncurrentVersionExpiration"]["noncurrentDays"] == 30
    assert rule["abortIncompleteMultipartUpload"]["daysAfterInitiation"] == 7
    longer = plan_stack(PROJECT_DIR, "prod", ["nowry:aws.siteNoncurrentDays=90", "nowry:aws.logRetentionDays=731"])
    site = longer.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "site-lifecycle")
    assert site.inputs["rules"][0]["noncurrentVersionExpiration"]["noncurrentDays"] == 90
    assert {g.inputs["retentionInDays"] for g in longer.of_type("aws:cloudwatch/logGroup:LogGroup")} == {731}


def test_one_rotating_key_encrypts_logs_secrets_data_images_and_alerts(prod_building_its_image):
    plan = prod_building_its_image
    key = plan.one("aws:kms/key:Key", "stack-key")
    assert key.protect and key.inputs["enableKeyRotation"] is True and key.inputs["deletionWindowInDays"] == 30
    arn = f"arn:aws:kms:us-east-1:000000000000:key/{key.name}-offline"
    carriers = [
        *(g.inputs["kmsKeyId"] for g in plan.of_type("aws:cloudwatch/logGroup:LogGroup")),
        *(s.inputs["kmsKeyId"] for s in plan.of_type("aws:secretsmanager/secret:Secret")),
        plan.one("aws:docdb/cluster:Cluster").inputs["kmsKeyId"],
        plan.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs["kmsKeyId"],
        plan.one("aws:ecr/repository:Repository").inputs["encryptionConfigurations"][0]["kmsKey"],
        plan.one("aws:sns/topic:Topic").inputs["kmsMasterKeyId"],
    ]
    assert set(carriers) == {arn}
    statements = _statements_by_sid(key)
    assert "kms:Decrypt" not in statements["AccountAdministersTheKey"]["Action"]  # administer, never read
    logs = statements["CloudWatchLogsEncryptsThisAccountsLogGroups"]
    assert logs["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"].endswith(":log-group:*")
    via = statements["ServicesUseTheKeyForTheAccount"]["Condition"]["StringEquals"]["kms:ViaService"]
    assert sorted(via) == sorted(
        f"{s}.us-east-1.amazonaws.com" for s in ("secretsmanager", "rds", "elasticache", "ecr", "backup", "dms")
    )


def test_the_task_decrypts_its_secrets_through_secrets_manager_only(prod):
    document = policy(prod.one("aws:iam/rolePolicy:RolePolicy", "backend-execution-policy"))
    decrypt = next(s for s in document["Statement"] if s["Action"] == ["kms:Decrypt"])
    assert decrypt["Resource"] == [
        f"arn:aws:kms:us-east-1:000000000000:key/{prod.one('aws:kms/key:Key', 'stack-key').name}-offline"
    ]
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}


def test_a_stack_outside_us_east_1_replicates_its_key_for_the_edge():
    plan = plan_stack(PROJECT_DIR, "prod", ["aws:region=eu-west-1"])
    key, replica = plan.one("aws:kms/key:Key", "stack-key"), plan.one("aws:kms/replicaKey:ReplicaKey")
    assert key.inputs["multiRegion"] is True and replica.inputs["region"] == "us-east-1"
    assert key.urn in replica.property_dependencies["primaryKeyArn"]
    waf_logs = plan.one("aws:cloudwatch/logGroup:LogGroup", "waf-logs")
    assert replica.urn in waf_logs.property_dependencies["kmsKeyId"]
    alb_writer = _statements_by_sid(plan.one("aws:s3/bucketPolicy:BucketPolicy", "logs-policy"))["AlbAccessLogs"]
    assert alb_writer["Principal"] == {"AWS": "arn:aws:iam::156460612806:root"}  # eu-west-1's ELB account


def test_a_region_opened_after_august_2022_gets_alb_logs_from_the_delivery_service():
    plan = plan_stack(PROJECT_DIR, "prod", ["aws:region=eu-south-2"])  # Spain, opened in November 2022
    alb_writer = _statements_by_sid(plan.one("aws:s3/bucketPolicy:BucketPolicy", "logs-policy"))["AlbAccessLogs"]
    assert alb_writer["Principal"] == {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}


def test_a_key_change_on_the_data_stores_is_flagged_as_data_loss():
    """DocumentDB's and ElastiCache's kms_key_id are ForceNew (terraform-provider-aws cluster.go,
    replication_group.go): moving a stack created with AWS's keys onto the stack key replaces them."""
    keys = ["--set", "nowry:aws.dataKey=aws-owned", "--target-set", "nowry:aws.dataKey=stack"]
    result = CliRunner().invoke(
        app, ["migrate", "prod", "--to", "aws", "--project-dir", str(PROJECT_DIR), "--json", *keys]
    )
    assert result.exit_code == 1, result.output
    payload = json.loads(result.stdout)
    replaced = {c["urn"].rsplit("::", 1)[-1]: c for c in payload["changes"] if c["action"] == "replace"}
    assert {"database-cluster", "cache-redis"} <= set(replaced)
    assert replaced["database-cluster"]["stateful"] is True
    assert "kmsKeyId" in replaced["database-cluster"]["properties"]
