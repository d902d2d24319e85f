"""Components planned on their own, under the offline engine: children, wiring and defaults."""

from __future__ import annotations

import json
from pathlib import Path

from components.aws.cache import Cache, CacheArgs
from components.aws.container_service import ContainerService, ContainerServiceArgs, Placement, Scaling, TaskSpec
from components.aws.document_database import DocumentDatabase, DocumentDatabaseArgs
from components.aws.load_balancer import LoadBalancer, LoadBalancerArgs
from infra.config.source import Project, RawConfig
from infra.engine.plan import Plan
from infra.engine.runner import run_offline

SUBNETS = ["subnet-a", "subnet-b"]


def plan_of(program) -> Plan:
    def run(**_: object) -> None:
        program()

    return run_offline(Project("nowry", Path(".")), "unit", RawConfig({"aws:region": "us-east-1"}), run)


def test_container_service_is_wired_to_the_load_balancer_it_is_given():
    def program() -> None:
        balancer = LoadBalancer("api", LoadBalancerArgs("vpc-1", SUBNETS, "sg-alb", app_port=8000))
        task = TaskSpec("ghcr.io/a/b:1", port=8000, cpu=512, memory=1024, architecture="arm64", user="10001",
                        env={"PORT": "8000"})  # fmt: skip
        ContainerService("backend", ContainerServiceArgs(
            task=task, placement=Placement(SUBNETS, "sg-app", assign_public_ip=False),
            scaling=Scaling(desired=2, minimum=1, maximum=4, cpu_target=55, requests_per_target=800),
            load_balancer=balancer, secret_arns={"GROQ_API_KEY": "arn:aws:secretsmanager:us-east-1:0:secret:g"},
            repository_arn="arn:aws:ecr:us-east-1:0:repository/r", region="us-east-1", log_retention_days=14,
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
                                                    nodes=2, snapshot_retention_days=3, protect=True)))  # fmt: skip
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
                                log_retention_days=365)  # fmt: skip
    plan = plan_of(lambda: DocumentDatabase("database", args))
    cluster = plan.one("aws:docdb/cluster:Cluster")
    assert cluster.protect is True and cluster.inputs["deletionProtection"] is True
    assert cluster.inputs["skipFinalSnapshot"] is False
    assert cluster.inputs["finalSnapshotIdentifier"] == "database-unit-final"
    assert cluster.inputs["storageEncrypted"] is True and cluster.inputs["allowMajorVersionUpgrade"] is True
    instance = plan.one("aws:docdb/clusterInstance:ClusterInstance")
    assert cluster.urn in instance.property_dependencies["clusterIdentifier"]
