"""Disaster recovery: recovery points copied to a second region, secrets and images there, the
restore stack, and `nowry-infra dr`."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from botocore.stub import Stubber
from typer.testing import CliRunner

from infra.aws_client import Aws, AwsError
from infra.tool.cli import app
from infra.tool.cost.estimate import estimate
from infra.tool.engine.plan import Plan
from infra.tool.engine.runner import plan_stack
from infra.tool.migrate import plan_migration
from infra.tool.ops.recovery_points import latest_recovery_point
from infra.tool.rules.check import check_plan
from tests.conftest import PROJECT_DIR, shipped_plan

runner = CliRunner()
VAULT = "aws:backup/vault:Vault"


@pytest.fixture(scope="module")
def prod() -> Plan:
    return shipped_plan("prod")


def test_recovery_points_are_taken_hourly_kept_a_week_and_copied_to_the_dr_region(prod):
    vaults = {v.name: v for v in prod.of_type(VAULT)}
    primary, dr = vaults["recovery-vault"], vaults["recovery-dr-vault"]
    assert primary.protect and dr.protect and dr.inputs["region"] == "us-west-2" and "region" not in primary.inputs
    dr_key = prod.one("aws:kms/key:Key", "recovery-dr-key")
    assert dr_key.inputs["region"] == "us-west-2" and dr_key.inputs["enableKeyRotation"] is True
    assert dr_key.urn in dr.property_dependencies["kmsKeyArn"]
    assert prod.one("aws:kms/key:Key", "stack-key").urn in primary.property_dependencies["kmsKeyArn"]
    rule = prod.one("aws:backup/plan:Plan").inputs["rules"][0]
    assert rule["schedule"] == "cron(0 * ? * * *)" and rule["lifecycle"]["deleteAfter"] == 7
    copy = rule["copyActions"][0]
    assert copy["destinationVaultArn"].startswith("arn:aws:backup:us-west-2:") and copy["lifecycle"]["deleteAfter"] == 7
    selection = prod.one("aws:backup/selection:Selection")
    assert prod.one("aws:docdb/cluster:Cluster").urn in selection.property_dependencies["resources"]


def test_only_the_secrets_a_restored_stack_cannot_make_are_replicated(prod):
    replicated = {s.name for s in prod.of_type("aws:secretsmanager/secret:Secret") if s.inputs.get("replicas")}
    assert replicated == {"secrets-groq-api-key", "secrets-secret-key"}  # the DR stack makes its own database URLs
    replica = prod.one("aws:secretsmanager/secret:Secret", "secrets-groq-api-key").inputs["replicas"][0]
    assert replica["region"] == "us-west-2" and "recovery-dr-key" in replica["kmsKeyId"]


def test_images_are_replicated_only_when_the_stack_builds_them(prod):
    assert not prod.of_type("aws:ecr/replicationConfiguration:ReplicationConfiguration")  # ghcr.io image
    built = plan_stack(
        PROJECT_DIR, "prod", ["nowry:backend.image=null", "nowry:backend.context=tests/data/backend-context"]
    )
    rule = built.one("aws:ecr/replicationConfiguration:ReplicationConfiguration").inputs["replicationConfiguration"]
    assert rule["rules"][0]["destinations"][0]["region"] == "us-west-2"


def test_the_restore_stack_creates_its_cluster_from_the_recovery_point():
    restored = shipped_plan("prod-dr")
    cluster = restored.one("aws:docdb/cluster:Cluster").inputs
    assert cluster["snapshotIdentifier"].startswith("arn:aws:rds:us-west-2:") and cluster["storageEncrypted"]
    assert not restored.of_type(VAULT)  # it keeps no DR of its own until set
    assert check_plan(restored).violations == []


def test_changing_the_snapshot_of_an_existing_cluster_is_a_replacement():
    # terraform-provider-aws docdb/cluster.go: snapshot_identifier is ForceNew
    before = plan_stack(PROJECT_DIR, "prod-dr")
    after = plan_stack(PROJECT_DIR, "prod-dr", ["nowry:database.restoreFromSnapshot=another-snapshot"])
    replaced = {c.urn.rsplit("::", 1)[-1]: c for c in plan_migration(before, after).changes if c.action == "replace"}
    assert "snapshotIdentifier" in replaced["database-cluster"].properties and replaced["database-cluster"].stateful


def test_dr_states_rpo_rto_and_the_runbook():
    result = runner.invoke(app, ["dr", "prod", "--json", "--project-dir", str(PROJECT_DIR)])
    assert result.exit_code == 0, result.output
    posture = json.loads(result.stdout)
    assert posture["rpo_minutes"] == 60 + 15  # hourly points, then the copy
    assert posture["rto_minutes"] <= 60
    steps = "\n".join(posture["steps"])
    for phrase in ("list-recovery-points-by-backup-vault", "pulumi stack init prod-dr", "restoreFromSnapshot",
                   "pulumi up --stack prod-dr", "nowry-infra verify prod-dr"):  # fmt: skip
        assert phrase in steps, phrase
    assert any("misses the 60-minute goal" in note for note in posture["notes"])  # said, not hidden


def test_the_global_cluster_alternative_is_priced_on_the_classes_it_allows():
    from infra.tool.cost.price_catalog import load_catalog
    from infra.tool.dr import global_cluster_extra

    rates = load_catalog()["documentdb_instance_hour"]
    large, medium = rates.of("db.r6g.large"), rates.of("db.t4g.medium")
    assert large is not None and medium is not None
    assert global_cluster_extra("db.t4g.medium", 1) == pytest.approx(730 * ((large - medium) + large))
    assert global_cluster_extra("db.r6g.large", 2) == pytest.approx(730 * large)  # only the secondary is new
    result = runner.invoke(app, ["dr", "prod", "--json", "--project-dir", str(PROJECT_DIR)])
    note = next(n for n in json.loads(result.stdout)["notes"] if "global cluster" in n)
    assert f"${global_cluster_extra('db.t4g.medium', 1):,.0f}/month" in note and "db.r6g" in note


def test_a_stack_without_dr_is_told_how_to_get_it():
    result = runner.invoke(app, ["dr", "dev", "--project-dir", str(PROJECT_DIR)])
    assert result.exit_code == 2 and "set nowry:aws.dr.region" in result.output


def test_the_newest_completed_recovery_point_across_pages_is_found():
    aws = Aws("us-west-2")
    client = aws.client("backup")
    day = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)

    def point(hour: int, status: str = "COMPLETED") -> dict:
        return {"RecoveryPointArn": f"arn:aws:rds:us-west-2:123456789012:cluster-snapshot:awsbackup:copyjob-{hour}",
                "CreationDate": day + dt.timedelta(hours=hour), "Status": status}  # fmt: skip

    with Stubber(client) as stub:
        stub.add_response("list_recovery_points_by_backup_vault",
                          {"RecoveryPoints": [point(3), point(9, "PARTIAL")], "NextToken": "page-2"})  # fmt: skip
        stub.add_response("list_recovery_points_by_backup_vault", {"RecoveryPoints": [point(7), point(1)]},
                          {"BackupVaultName": "nowry-prod-dr", "NextToken": "page-2"})  # fmt: skip
        newest = latest_recovery_point(aws, "nowry-prod-dr")
    assert newest["RecoveryPointArn"].endswith("copyjob-7")  # the newer one at 9 h is not complete
    with Stubber(client) as stub, pytest.raises(AwsError, match="no completed recovery point"):
        stub.add_response("list_recovery_points_by_backup_vault", {"RecoveryPoints": []})
        latest_recovery_point(aws, "nowry-prod-dr")


def test_atlas_copies_every_snapshot_to_a_second_region_on_dedicated_tiers():
    plan = plan_stack(PROJECT_DIR, "dev", ["nowry:phase=all-paid", "nowry:atlas.backupCopyRegion=US_WEST_2"])
    schedule = plan.one("mongodbatlas:index/cloudBackupSchedule:CloudBackupSchedule")
    copy = schedule.inputs["copySettings"][0]
    assert (copy["regionName"], copy["cloudProvider"]) == ("US_WEST_2", "AWS")
    assert copy["copyPolicyItems"] == [{"frequencyType": "daily", "retentionUnit": "days", "retentionValue": 7}]
    assert plan.one("mongodbatlas:index/advancedCluster:AdvancedCluster").urn in schedule.property_dependencies[
        "clusterName"]  # fmt: skip
    not_priced = {item["type"] for item in estimate(plan).not_priced}
    assert "mongodbatlas:index/cloudBackupSchedule:CloudBackupSchedule" in not_priced  # no sourced price: said


@pytest.mark.parametrize(
    ("sets", "expected"),
    [
        (["nowry:atlas.backupCopyRegion=US_WEST_2"], "dedicated clusters only; this one is M0"),
        (["nowry:phase=all-paid", "nowry:atlas.backupCopyRegion=US_EAST_1"], "is the cluster's own region"),
        (["nowry:phase=all-paid", "nowry:atlas.backupCopyRegion=MOON"], "is not an Atlas AWS region name"),
    ],
)
def test_an_atlas_copy_region_atlas_would_refuse_is_refused(sets, expected):
    result = runner.invoke(app, ["plan", "dev", "--project-dir", str(PROJECT_DIR), *[f"--set={s}" for s in sets]])
    assert result.exit_code == 2 and expected in result.output
