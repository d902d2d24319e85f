"""What forces a replacement, from the providers' sources, and what `migrate` makes of it."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from infra.tool.cli import app
from infra.tool.engine.runner import plan_stack
from infra.tool.migrate import plan_migration
from infra.tool.replacements import (
    NestedChange,
    engine_downgrade,
    launch_template_swapped,
    removed,
    version_downgrade,
)
from infra.tool.resource_kinds import KINDS, cascade, replaced_inputs
from tests.conftest import PROJECT_DIR

CACHE = "aws:elasticache/replicationGroup:ReplicationGroup"
RULES = [(row.type, rule) for row in KINDS.values() for rule in row.replaced_on]

ORG_A, ORG_B = "0123456789abcdef01234567", "fedcba9876543210fedcba98"


def changed_values(rule) -> tuple[object, object]:
    """An old and a new value of the rule's input that the rule says forces replacement."""
    if rule.when is engine_downgrade:
        return "valkey", "redis"
    if rule.when is version_downgrade:
        return "7.2", "7.1"
    if rule.when is removed:
        return {"resources": ["secrets"]}, None
    if rule.when is launch_template_swapped:
        return {"id": "lt-old", "version": "1"}, {"id": "lt-new", "version": "1"}
    if isinstance(rule.when, NestedChange):
        return {rule.when.attribute: "old"}, {rule.when.attribute: "new"}
    return "old", "new"


@pytest.mark.parametrize(("type_", "rule"), RULES, ids=[f"{t.split(':')[1]}.{r.input}" for t, r in RULES])
def test_each_entry_forces_replacement_and_names_its_source(type_, rule):
    old, new = changed_values(rule)
    assert rule.input in replaced_inputs(type_, {rule.input: old}, {rule.input: new})
    assert replaced_inputs(type_, {rule.input: old}, {rule.input: old}) == ()
    assert rule.source and ("terraform-provider" in rule.source)


def test_valkey_from_redis_is_an_update_and_back_is_a_replacement():
    # terraform-provider-aws replication_group.go: customizeDiffEngineForceNewOnDowngrade
    assert replaced_inputs(CACHE, {"engine": "redis"}, {"engine": "valkey"}) == ()
    assert replaced_inputs(CACHE, {"engine": "valkey"}, {"engine": "redis"}) == ("engine",)


def test_an_engine_version_upgrade_is_an_update_and_a_downgrade_a_replacement():
    assert replaced_inputs(CACHE, {"engineVersion": "7.1"}, {"engineVersion": "7.2"}) == ()
    assert replaced_inputs(CACHE, {"engineVersion": "7.2"}, {"engineVersion": "7.1"}) == ("engineVersion",)


def test_replacements_cascade_through_the_inputs_that_carry_them():
    subnets, cluster, instance, alarm = "urn:subnets", "urn:cluster", "urn:instance", "urn:alarm"
    dependencies = {
        cluster: ("aws:docdb/cluster:Cluster", {"dbSubnetGroupName": (subnets,)}),
        instance: ("aws:docdb/clusterInstance:ClusterInstance", {"clusterIdentifier": (cluster,)}),
        alarm: ("aws:cloudwatch/metricAlarm:MetricAlarm", {"dimensions": (cluster,)}),
    }
    found = cascade({subnets}, dependencies)
    assert found == {cluster: ("dbSubnetGroupName",), instance: ("clusterIdentifier",)}


def test_changing_the_atlas_organization_recreates_the_database_and_migrate_says_so():
    """orgId forces a new project (resource_project_schema.go), whose id forces a new cluster."""
    current = plan_stack(PROJECT_DIR, "dev", [f"nowry:atlas.orgId={ORG_A}"])
    target = plan_stack(PROJECT_DIR, "dev", [f"nowry:atlas.orgId={ORG_B}"])
    migration = plan_migration(current, target)
    lost = {c.type: c for c in migration.data_loss}
    assert lost["mongodbatlas:index/project:Project"].properties == ("orgId",)
    assert lost["mongodbatlas:index/advancedCluster:AdvancedCluster"].properties == (
        "projectId (from a replaced resource)",
    )


def test_migrate_of_the_local_phase_counts_the_database_container_as_data():
    current = plan_stack(PROJECT_DIR, "local")
    target = plan_stack(PROJECT_DIR, "dev", ["nowry:phase=free-tier"])
    deleted = {c.urn.rsplit("::", 1)[-1]: c for c in plan_migration(current, target).data_loss}
    assert "database-container" in deleted and deleted["database-container"].stateful


def test_documentdb_ports_below_1150_are_refused():
    result = CliRunner().invoke(
        app, ["plan", "prod", "--set", "nowry:database.port=1000", "--project-dir", str(PROJECT_DIR)]
    )
    assert result.exit_code == 2
    assert "nowry:database.port: is a port DocumentDB refuses (given: 1000); allowed: 1150-65535" in result.stderr


def test_documentdb_takes_major_version_upgrades_it_is_asked_for():
    plan = plan_stack(PROJECT_DIR, "prod", ["nowry:database.engineVersion=4.0.0"])
    assert plan.one("aws:docdb/cluster:Cluster").inputs["allowMajorVersionUpgrade"] is True


EKS_CLUSTER, NODE_GROUP = "aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup"
SECRETS = {"resources": ["secrets"], "provider": {"keyArn": "arn:aws:kms:us-east-1:1:key/k"}}


def test_eks_secrets_encryption_can_be_added_in_place_and_never_removed():
    """cluster.go: AssociateEncryptionConfig when added; ForceNewIfChange when removed."""
    assert replaced_inputs(EKS_CLUSTER, {}, {"encryptionConfig": SECRETS}) == ()
    assert replaced_inputs(EKS_CLUSTER, {"encryptionConfig": SECRETS}, {}) == ("encryptionConfig",)


def test_eks_endpoints_and_logs_update_in_place_its_role_does_not():
    private = {"vpcConfig": {"endpointPublicAccess": False}, "enabledClusterLogTypes": ["api"]}
    public = {"vpcConfig": {"endpointPublicAccess": True}, "enabledClusterLogTypes": ["api", "audit"]}
    assert replaced_inputs(EKS_CLUSTER, public, private) == ()
    assert replaced_inputs(EKS_CLUSTER, {"roleArn": "arn:a"}, {"roleArn": "arn:b"}) == ("roleArn",)
    unset, explicit = (
        {"accessConfig": {"authenticationMode": "API"}},
        {"accessConfig": {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": True}},
    )
    assert replaced_inputs(EKS_CLUSTER, unset, explicit) == ()  # true is the provider's default
    refused = {"accessConfig": {"bootstrapClusterCreatorAdminPermissions": False}}
    assert replaced_inputs(EKS_CLUSTER, explicit, refused) == ("accessConfig",)


def test_a_launch_template_on_an_existing_node_group_replaces_it_a_new_version_does_not():
    """node_group.go: launch_template.id and .name are ForceNew; version goes to UpdateNodegroupVersion."""
    template = {"id": "lt-1", "version": "1"}
    assert replaced_inputs(NODE_GROUP, {}, {"launchTemplate": template}) == ("launchTemplate",)
    assert (
        replaced_inputs(NODE_GROUP, {"launchTemplate": template}, {"launchTemplate": {**template, "version": "2"}})
        == ()
    )
    assert replaced_inputs(NODE_GROUP, {"subnetIds": ["a"]}, {"subnetIds": ["b"]}) == ("subnetIds",)
