"""Components planned on their own, under the offline engine: children, wiring and defaults."""

from __future__ import annotations

import json
from pathlib import Path

from components.aws.app_secrets import AppSecrets, AppSecretsArgs
from components.aws.cache import Cache, CacheArgs
from components.aws.container_service import ContainerService, ContainerServiceArgs, Placement, Scaling, TaskSpec
from components.aws.document_database import DocumentDatabase, DocumentDatabaseArgs
from components.aws.load_balancer import LoadBalancer, LoadBalancerArgs
from components.aws.log_bucket import LogBucket, LogBucketArgs
from components.aws.network import Network, NetworkArgs
from components.aws.security_groups import AppSecurityGroups, AppSecurityGroupsArgs
from components.aws.waf import Waf, WafArgs
from components.kubernetes.workload import Resources, Workload, WorkloadArgs
from components.managed.atlas import AtlasDatabase, AtlasDatabaseArgs
from infra.config.source import Project, RawConfig
from infra.tool.engine.plan import Plan
from infra.tool.engine.runner import run_offline

SUBNETS = ["subnet-a", "subnet-b"]
ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/unit"


def log_bucket() -> LogBucket:
    return LogBucket("logs", LogBucketArgs(region="us-east-1", account_id=ACCOUNT, retention_days=365, protect=True))


def load_balancer_args(logs: LogBucket) -> LoadBalancerArgs:
    return LoadBalancerArgs(vpc_id="vpc-1", subnet_ids=SUBNETS, security_group_id="sg-alb", app_port=8000,
                            health_path="/health", certificate_arn=None, deletion_protection=False,
                            access_logs=logs)  # fmt: skip


def plan_of(program) -> Plan:
    def run(**_: object) -> None:
        program()

    return run_offline(Project("nowry", Path(".")), "unit", RawConfig({"aws:region": "us-east-1"}), run)


def test_container_service_is_wired_to_the_load_balancer_it_is_given():
    def program() -> None:
        balancer = LoadBalancer("api", load_balancer_args(log_bucket()))
        task = TaskSpec("ghcr.io/a/b:1", port=8000, cpu=512, memory=1024, architecture="arm64", user="10001",
                        env={"PORT": "8000"})  # fmt: skip
        ContainerService("backend", ContainerServiceArgs(
            task=task, placement=Placement(SUBNETS, "sg-app", assign_public_ip=False),
            scaling=Scaling(desired=2, minimum=1, maximum=4, cpu_target=55, requests_per_target=800),
            load_balancer=balancer, secret_arns={"GROQ_API_KEY": "arn:aws:secretsmanager:us-east-1:0:secret:g"},
            repository_arn="arn:aws:ecr:us-east-1:0:repository/r", region="us-east-1", log_retention_days=14,
            kms_key_arn=KEY,
        ))  # fmt: skip

    plan = plan_of(program)
    service = plan.one("aws:ecs/service:Service")
    target_group = plan.one("aws:lb/targetGroup:TargetGroup")
    assert target_group.urn in service.property_dependencies["loadBalancers"]
    assert service.inputs["desiredCount"] == 2
    scaling = plan.one("aws:appautoscaling/target:Target")
    assert (scaling.inputs["minCapacity"], scaling.inputs["maxCapacity"]) == (1, 4)
    requests = plan.one("aws:appautoscaling/policy:Policy", "backend-scale-on-requests")
    alb = plan.one("aws:lb/loadBalancer:LoadBalancer")
    assert alb.urn in requests.property_dependencies["targetTrackingScalingPolicyConfiguration"]
    definition = plan.one("aws:ecs/taskDefinition:TaskDefinition")
    container = json.loads(definition.inputs["containerDefinitions"])[0]
    assert (definition.inputs["cpu"], definition.inputs["memory"]) == ("512", "1024")
    assert container["readonlyRootFilesystem"] is True and container["user"] == "10001"
    assert [s["name"] for s in container["secrets"]] == ["GROQ_API_KEY"]
    assert plan.one("aws:cloudwatch/logGroup:LogGroup").inputs["retentionInDays"] == 14
    assert {r.parent for r in plan.resources if r.custom and r.type.startswith("aws:ecs")} == {
        "urn:pulumi:unit::nowry::nowry:aws:ContainerService::backend"
    }


def test_cache_encrypts_and_protects_as_asked():
    plan = plan_of(lambda: Cache("cache", CacheArgs(SUBNETS, "sg-cache", engine="valkey", node_type="cache.t4g.micro",
                                                    nodes=2, snapshot_retention_days=3, protect=True,
                                                    kms_key_arn=KEY)))  # fmt: skip
    group = plan.one("aws:elasticache/replicationGroup:ReplicationGroup")
    assert group.protect is True
    assert group.inputs["transitEncryptionEnabled"] is True and group.inputs["atRestEncryptionEnabled"] is True
    assert group.inputs["snapshotRetentionLimit"] == 3 and group.inputs["engine"] == "valkey"
    assert group.inputs["finalSnapshotIdentifier"] == "cache-unit-final"
    assert group.inputs["authToken"] == "[secret]"


def test_document_database_keeps_its_data_when_protected():
    args = DocumentDatabaseArgs(SUBNETS, "sg-db", database="nowry", instance_class="db.t4g.medium", instances=1,
                                engine_version="5.0.0", backup_retention_days=7,
                                tls_ca_file="/etc/ssl/certs/rds-global-bundle.pem", port=27017, protect=True,
                                log_retention_days=365, storage_key_arn=KEY, log_key_arn=KEY,
                                restore_from_snapshot=None, pool_options="maxPoolSize=10&minPoolSize=2")  # fmt: skip
    plan = plan_of(lambda: DocumentDatabase("database", args))
    cluster = plan.one("aws:docdb/cluster:Cluster")
    assert cluster.protect is True and cluster.inputs["deletionProtection"] is True
    assert cluster.inputs["skipFinalSnapshot"] is False
    assert cluster.inputs["finalSnapshotIdentifier"] == "database-unit-final"
    assert cluster.inputs["storageEncrypted"] is True and cluster.inputs["allowMajorVersionUpgrade"] is True
    instance = plan.one("aws:docdb/clusterInstance:ClusterInstance")
    assert cluster.urn in instance.property_dependencies["clusterIdentifier"]


def network_args(nat: str) -> NetworkArgs:
    return NetworkArgs(cidr="10.1.0.0/16", availability_zones=2, nat=nat, flow_logs=True, log_retention_days=90,
                       region="eu-west-1", kms_key_arn=KEY)  # fmt: skip


def test_network_has_no_nat_by_default_and_one_per_strategy():
    without = plan_of(lambda: Network("network", network_args("none")))
    assert not without.of_type("aws:ec2/natGateway:NatGateway")
    assert without.one("aws:ec2/vpc:Vpc").inputs["cidrBlock"] == "10.1.0.0/16"
    assert len(without.of_type("aws:ec2/subnet:Subnet")) == 4  # a public and a private subnet per AZ
    closed = without.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup").inputs
    assert closed["ingress"] == [] and closed["egress"] == []
    assert without.one("aws:cloudwatch/logGroup:LogGroup").inputs["retentionInDays"] == 90
    assert without.one("aws:ec2/flowLog:FlowLog").inputs["trafficType"] == "REJECT"  # what was refused, for cents
    single = plan_of(lambda: Network("network", network_args("single")))
    assert len(single.of_type("aws:ec2/natGateway:NatGateway")) == 1


def test_security_groups_chain_each_tier_to_the_one_before():
    plan = plan_of(lambda: AppSecurityGroups("firewall", AppSecurityGroupsArgs(
        vpc_id="vpc-1", listener_port=80, app_port=8000, database_port=27017, cache_port=None)))  # fmt: skip
    groups = {g.name: g.urn for g in plan.of_type("aws:ec2/securityGroup:SecurityGroup")}
    assert set(groups) == {"firewall-alb", "firewall-backend", "firewall-database"}  # no cache asked: no cache group
    rules = plan.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    into = {r.inputs["fromPort"]: r for r in rules}
    assert groups["firewall-alb"] in into[8000].property_dependencies["referencedSecurityGroupId"]
    assert groups["firewall-backend"] in into[27017].property_dependencies["referencedSecurityGroupId"]
    assert into[80].inputs["prefixListId"].startswith("pl-")  # CloudFront's origin-facing prefix list
    assert all(r.inputs.get("description") for r in rules)


def test_waf_limits_each_client_and_blocks_known_bad_inputs():
    plan = plan_of(
        lambda: Waf(
            "waf",
            WafArgs(
                rate_limit=50,
                window_seconds=60,
                client_ip="viewer",
                log_retention_days=365,
                log_key_arn=KEY,
                account_id=ACCOUNT,
            ),
        )
    )
    acl = plan.one("aws:wafv2/webAcl:WebAcl").inputs
    assert acl["scope"] == "CLOUDFRONT"
    rate = next(r["statement"]["rateBasedStatement"] for r in acl["rules"] if "rateBasedStatement" in r["statement"])
    assert (rate["limit"], rate["evaluationWindowSec"], rate["aggregateKeyType"]) == (50, 60, "IP")
    managed = {r["statement"]["managedRuleGroupStatement"]["name"] for r in acl["rules"]
               if "managedRuleGroupStatement" in r["statement"]}  # fmt: skip
    assert "AWSManagedRulesKnownBadInputsRuleSet" in managed


def test_app_secrets_are_one_secret_each_and_never_plain():
    plan = plan_of(lambda: AppSecrets("secrets", AppSecretsArgs(
        values={"GROQ_API_KEY": "gsk-unit-test-value", "SECRET_KEY": "s3cr3t-unit"}, recovery_window_days=7,
        protect=True, name_prefix="nowry/unit", kms_key_arn=KEY, replica_region=None,
        replica_key_arn=None, replicated=frozenset())))  # fmt: skip
    secrets = plan.of_type("aws:secretsmanager/secret:Secret")
    assert len(secrets) == 2 and all(s.protect and s.inputs["recoveryWindowInDays"] == 7 for s in secrets)
    assert all(s.inputs["namePrefix"].startswith("nowry/unit/") for s in secrets)
    versions = plan.of_type("aws:secretsmanager/secretVersion:SecretVersion")
    assert [v.inputs["secretString"] for v in versions] == ["[secret]", "[secret]"]
    assert "gsk-unit-test-value" not in json.dumps(plan.to_json())


def test_workload_runs_restricted_and_admits_only_its_ingress_namespace():
    plan = plan_of(lambda: Workload("api", WorkloadArgs(
        namespace="nowry", image="ghcr.io/a/b:1", port=8000, replicas=2, health_path="/health",
        resources=Resources("100m", "500m", "128Mi", "256Mi"), run_as_user=10001, ingress_from_namespace="ingress",
        egress_ports=(443,))))  # fmt: skip
    pod = plan.one("kubernetes:apps/v1:Deployment").inputs["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert pod["automountServiceAccountToken"] is False
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert container["resources"]["limits"] == {"cpu": "500m", "memory": "256Mi"}
    policy = plan.one("kubernetes:networking.k8s.io/v1:NetworkPolicy").inputs["spec"]
    source = policy["ingress"][0]["from"][0]["namespaceSelector"]["matchLabels"]
    assert source == {"kubernetes.io/metadata.name": "ingress"}
    assert [p["port"] for rule in policy["egress"][1:] for p in rule["ports"]] == [443]


def test_atlas_free_tier_cluster_is_protected_with_its_project_and_user():
    plan = plan_of(lambda: AtlasDatabase("atlas", AtlasDatabaseArgs(
        org_id="0123456789abcdef01234567", project_name="nowry-unit", tier="M0", region="US_EAST_1",
        mongo_version="8.0", database="nowry", ip_access_list=("0.0.0.0/0",), protect=True,
        backup_copy_region=None, pool_options="maxPoolSize=10&minPoolSize=2")))  # fmt: skip
    cluster = plan.one("mongodbatlas:index/advancedCluster:AdvancedCluster")
    project = plan.one("mongodbatlas:index/project:Project")
    assert cluster.protect and project.protect
    assert project.urn in cluster.property_dependencies["projectId"]
    assert plan.one("mongodbatlas:index/databaseUser:DatabaseUser").inputs["password"] == "[secret]"
