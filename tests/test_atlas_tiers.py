"""Atlas clusters send only what each tier accepts, upgrade in place, and never move down."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from infra.atlas_tiers import tier_of
from infra.tool.cli import app
from infra.tool.engine.runner import plan_stack
from infra.tool.migrate import plan_migration
from tests.conftest import PROJECT_DIR

runner = CliRunner()
CLUSTER = "mongodbatlas:index/advancedCluster:AdvancedCluster"


def cluster(*overrides: str):
    return plan_stack(PROJECT_DIR, "dev", list(overrides)).one(CLUSTER)


def test_m0_sends_only_what_a_tenant_cluster_accepts():
    """Atlas answers TENANT_ATTRIBUTE_READ_ONLY to mongoDBMajorVersion on tenant clusters
    (terraform-provider-mongodbatlas#2800); process arguments and backups are not available on M0."""
    inputs = cluster().inputs
    assert tier_of(inputs) == "M0"
    for refused in ("mongoDbMajorVersion", "advancedConfiguration", "backupEnabled", "pitEnabled",
                    "terminationProtectionEnabled"):  # fmt: skip
        assert inputs.get(refused) is None, refused
    region = inputs["replicationSpecs"][0]["regionConfigs"][0]
    assert (region["providerName"], region["backingProviderName"]) == ("TENANT", "AWS")


def test_flex_is_a_setting_of_the_hybrid_phase_with_its_own_shape():
    """provider FLEX on AWS, no instance size (docs/resources/advanced_cluster.md, Example Flex Cluster);
    only tags and termination protection are settable (model_flex.go isValidUpdateOfFlex)."""
    inputs = cluster("nowry:phase=hybrid", "nowry:atlas.tier=FLEX", "nowry:production=true").inputs
    region = inputs["replicationSpecs"][0]["regionConfigs"][0]
    assert (region["providerName"], region["backingProviderName"], region["priority"]) == ("FLEX", "AWS", 7)
    assert region.get("electableSpecs") is None
    assert inputs["terminationProtectionEnabled"] is True
    assert inputs.get("mongoDbMajorVersion") is None and inputs.get("backupEnabled") is None


def test_dedicated_tiers_get_version_backups_and_a_tls_floor():
    inputs = cluster("nowry:phase=hybrid", "nowry:production=true").inputs
    assert tier_of(inputs) == "M10"
    assert inputs["mongoDbMajorVersion"] == "8.0" and inputs["backupEnabled"] is True
    assert inputs["pitEnabled"] is True and inputs["terminationProtectionEnabled"] is True
    assert inputs["advancedConfiguration"]["minimumEnabledTlsProtocol"] == "TLS1_2"


@pytest.mark.parametrize(("phase", "tier"), [("all-paid", "FLEX"), ("free-tier", "M10"), ("hybrid", "M20")])
def test_a_tier_the_phase_does_not_run_is_a_config_error(phase, tier):
    result = runner.invoke(app, ["plan", "dev", "--set", f"nowry:phase={phase}", "--set", f"nowry:atlas.tier={tier}",
                                 "--project-dir", str(PROJECT_DIR)])  # fmt: skip
    assert result.exit_code == 2
    assert f"nowry:atlas.tier: the {phase} phase does not run this tier" in result.stderr


def test_flex_is_priced_and_recommend_shows_it():
    result = runner.invoke(app, ["cost", "dev", "--json", "--set", "nowry:phase=hybrid", "--set",
                                 "nowry:atlas.tier=FLEX", "--project-dir", str(PROJECT_DIR)])  # fmt: skip
    lines = {item["name"]: item for item in json.loads(result.stdout)["line_items"]}
    assert lines["database-cluster"]["monthly"] == pytest.approx(8.03)
    advice = json.loads(runner.invoke(app, ["recommend", "--users", "500", "--json", "--project-dir",
                                            str(PROJECT_DIR)]).stdout)  # fmt: skip
    bills = advice["monthly_by_phase"]
    assert bills["hybrid (Atlas Flex)"] < bills["hybrid"]


@pytest.mark.parametrize(
    ("before", "after", "second_up"),
    [
        (["nowry:phase=free-tier"], ["nowry:phase=hybrid"], True),
        (["nowry:phase=free-tier"], ["nowry:phase=hybrid", "nowry:atlas.tier=FLEX", "nowry:production=true"], True),
        (["nowry:phase=hybrid", "nowry:atlas.tier=FLEX"], ["nowry:phase=hybrid"], True),
        (["nowry:phase=hybrid"], ["nowry:phase=all-paid"], False),
    ],
)
def test_upgrades_from_m0_or_flex_say_a_second_up_is_needed(before, after, second_up):
    migration = plan_migration(plan_stack(PROJECT_DIR, "dev", before), plan_stack(PROJECT_DIR, "dev", after))
    assert migration.blocked is None and not migration.data_loss
    steps = [step for section in migration.runbook for step in section.steps]
    assert any("Run `pulumi up` twice" in step for step in steps) is second_up


@pytest.mark.parametrize(("source", "target"), [("hybrid", "free-tier"), ("all-paid", "free-tier")])
def test_moving_down_a_tier_exits_2(source, target):
    result = runner.invoke(app, ["migrate", "dev", "--set", f"nowry:phase={source}", "--to", target,
                                 "--project-dir", str(PROJECT_DIR)])  # fmt: skip
    assert result.exit_code == 2
    assert "Atlas cannot move a cluster down from M10 to M0" in result.stderr


def test_flex_down_to_m0_exits_2_too():
    result = runner.invoke(app, ["migrate", "dev", "--set", "nowry:phase=hybrid", "--set", "nowry:atlas.tier=FLEX",
                                 "--to", "free-tier", "--target-set", "nowry:atlas.tier=null",
                                 "--project-dir", str(PROJECT_DIR)])  # fmt: skip
    assert result.exit_code == 2 and "from FLEX to M0" in result.stderr
