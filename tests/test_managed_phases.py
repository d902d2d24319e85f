"""The managed phases: free-tier (dev), hybrid and all-paid on Vercel, Railway, Atlas, Upstash."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from infra.config import ConfigError
from infra.tool.cli import app
from infra.tool.engine.plan import Plan
from infra.tool.engine.runner import plan_stack
from tests.conftest import PROJECT_DIR, plan_json_text

CLUSTER = "mongodbatlas:index/advancedCluster:AdvancedCluster"
VARIABLES = "pulumi-python:dynamic/railway:Variables"
runner = CliRunner()


@pytest.fixture(scope="module")
def phases() -> dict[str, Plan]:
    return {
        "free-tier": plan_stack(PROJECT_DIR, "dev"),
        "hybrid": plan_stack(PROJECT_DIR, "dev", ["nowry:phase=hybrid"]),
        "all-paid": plan_stack(PROJECT_DIR, "dev", ["nowry:phase=all-paid"]),
    }


def region_of(plan: Plan) -> dict:
    return plan.one(CLUSTER).inputs["replicationSpecs"][0]["regionConfigs"][0]


def test_dev_is_the_free_tier(phases):
    dev = phases["free-tier"]
    assert dev.phase == "free-tier"
    assert region_of(dev)["providerName"] == "TENANT"
    assert region_of(dev)["backingProviderName"] == "AWS"
    assert region_of(dev)["electableSpecs"] == {"instanceSize": "M0"}
    assert not dev.of_type("upstash:index/redisDatabase:RedisDatabase")


@pytest.mark.parametrize("phase", ["hybrid", "all-paid"])
def test_paid_phases_run_atlas_m10(phases, phase):
    region = region_of(phases[phase])
    assert region["providerName"] == "AWS"
    assert region["electableSpecs"] == {"instanceSize": "M10", "nodeCount": 3}
    assert phases[phase].one(CLUSTER).inputs["backupEnabled"] is True


def test_the_atlas_cluster_keeps_one_urn_in_every_managed_phase(phases):
    urns = {phase: plan.one(CLUSTER).urn for phase, plan in phases.items()}
    assert len(set(urns.values())) == 1, urns
    aws = plan_stack(PROJECT_DIR, "prod", ["nowry:database.engine=atlas", "nowry:aws.dr.region=null"])
    assert aws.one(CLUSTER).urn.split("::", 2)[2] == urns["hybrid"].split("::", 2)[2]


def test_railway_runs_the_backend_image_with_its_variables(phases):
    dev = phases["free-tier"]
    service = dev.one("pulumi-python:dynamic/railway:Service")
    assert service.inputs["image"] == "ghcr.io/nowry/nowry-backend:1.0.0"
    variables = dev.one(VARIABLES)
    assert set(variables.inputs["variables"].values()) == {"[secret]"}
    assert variables.inputs["token"] == "[secret]"
    assert set(variables.revealed_inputs["variables"]) == {
        "PORT",
        "GROQ_API_KEY",
        "SECRET_KEY",
        "MONGO_URI",
    }
    assert dev.one("pulumi-python:dynamic/railway:Domain").inputs["service_id"] == f"{service.name}-offline-id"
    assert dev.outputs["backendUrl"].endswith(".up.railway.app")


def test_vercel_points_the_frontend_at_the_backend(phases):
    dev = phases["free-tier"]
    project = dev.one("vercel:index/project:Project").inputs
    assert project["gitRepository"]["repo"] == "nowry/nowry"
    assert project["rootDirectory"] == "frontend"
    variable = dev.one("vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable")
    assert variable.inputs["key"] == "REACT_APP_API_URL"
    assert variable.revealed_inputs["value"] == dev.outputs["backendUrl"]


def test_all_paid_adds_upstash_redis_with_tls(phases):
    paid = phases["all-paid"]
    redis = paid.one("upstash:index/redisDatabase:RedisDatabase").inputs
    assert redis["tls"] is True
    variables = paid.one(VARIABLES).revealed_inputs["variables"]
    assert "REDIS_URL" in variables
    assert paid.one(VARIABLES).inputs["variables"]["REDIS_URL"] == "[secret]"


def test_no_secret_in_plaintext(phases):
    for plan in phases.values():
        text = plan_json_text(plan)
        assert "offline-random" not in text and "offline-secret" not in text


def test_credentials_missing_offline_are_warnings_naming_the_fix(phases):
    warnings = " ".join(phases["all-paid"].warnings)
    for line in (
        "pulumi config set --secret nowry:railwayToken",
        "pulumi config set --secret mongodbatlas:privateKey",
        "pulumi config set --secret vercel:apiToken",
        "pulumi config set --secret upstash:apiKey",
    ):
        assert line in warnings


def test_open_atlas_access_list_is_warned_about(phases):
    assert any("0.0.0.0/0" in w for w in phases["free-tier"].warnings)


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        (["nowry:atlas.region=MARS_NORTH_1"], "nowry:atlas.region"),
        (["nowry:railwayToken="], "nowry:railwayToken"),
        (["nowry:railwayToken=plain-token"], "nowry:railwayToken"),
        (["vercel:apiToken=plain-token"], "vercel:apiToken"),
        (["nowry:backend.image=null", "nowry:backend.context=./backend"], "nowry:backend.context"),
        (["nowry:vercel.framework=angular"], "nowry:vercel.framework"),
        (["nowry:atlas.orgId=not-an-id"], "nowry:atlas.orgId"),
    ],
)
def test_bad_managed_config_exits_2_naming_the_key(overrides, key):
    args = ["plan", "dev", "--project-dir", str(PROJECT_DIR)]
    for override in overrides:
        args += ["--set", override]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert key in result.stderr
    assert "plain-token" not in result.output


def test_missing_railway_token_under_the_real_engine_is_an_error():
    from pathlib import Path

    from infra.config import RawConfig, load_stack_config
    from infra.config.source import from_stack_file, read_project

    raw = from_stack_file(read_project(PROJECT_DIR), "dev")
    with pytest.raises(ConfigError) as caught:
        load_stack_config(RawConfig(raw.values, raw.secret_keys), project="nowry", stack="dev",
                          project_dir=Path("."), offline=False)  # fmt: skip
    keys = {issue.key for issue in caught.value.issues}
    assert {"nowry:railwayToken", "nowry:groqApiKey", "nowry:atlas.orgId"} <= keys
    assert "pulumi config set --secret nowry:railwayToken" in str(caught.value)


def test_a_new_backend_url_ships_a_new_production_deployment():
    """Vercel deployments are immutable: terraform-provider-vercel's resource_deployment.go marks
    environment, ref and production RequiresReplace, so a changed API URL builds a new deployment."""
    plan = plan_stack(PROJECT_DIR, "dev")
    deployment = plan.one("vercel:index/deployment:Deployment")
    assert deployment.inputs["production"] is True and deployment.inputs["ref"] == "main"
    variable = plan.one("vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable")
    assert variable.urn in deployment.dependencies
    assert (
        "urn:pulumi:dev::nowry::nowry:managed:RailwayBackend$pulumi-python:dynamic/railway:Domain::backend-domain"
        in (deployment.property_dependencies["environment"])
    )
    from infra.tool.resource_kinds import replaced_inputs

    assert replaced_inputs(deployment.type, {"environment": {"A": "1"}}, {"environment": {"A": "2"}}) == (
        "environment",
    )


def test_the_frontend_url_is_the_one_vercel_reports_not_an_assumed_one():
    plan = plan_stack(PROJECT_DIR, "dev")
    assert plan.outputs["frontendUrl"] == "[unknown]"  # known once Vercel has deployed
    without_git = plan_stack(PROJECT_DIR, "dev", ["nowry:vercel.gitRepository=null"])
    assert without_git.outputs["frontendUrl"] == "https://nowry-dev.vercel.app"
    assert any("vercel.gitRepository is not set" in w for w in without_git.warnings)
    assert not without_git.of_type("vercel:index/deployment:Deployment")


def test_the_usage_limit_is_planned_from_config_with_a_hard_limit_only_when_asked():
    from tests.conftest import PROJECT_DIR, plan_stack

    soft = plan_stack(PROJECT_DIR, "dev", ['nowry:railway.usageLimit={"soft": 15}'])
    limit = soft.one("pulumi-python:dynamic/railway:UsageLimit").inputs
    assert (limit["soft_dollars"], limit.get("hard_dollars"), limit["token"]) == (15, None, "[secret]")
    hard = plan_stack(PROJECT_DIR, "dev", ['nowry:railway.usageLimit={"soft": 15, "hard": 40}'])
    assert hard.one("pulumi-python:dynamic/railway:UsageLimit").inputs["hard_dollars"] == 40
    assert any("Railway sleeps every service of the workspace" in w for w in hard.warnings)
    assert plan_stack(PROJECT_DIR, "dev").of_type("pulumi-python:dynamic/railway:UsageLimit") == []


@pytest.mark.parametrize(
    ("limit", "line"),
    [
        ('{"soft": 2}', "nowry:railway.usageLimit.soft: out of range"),
        ('{"soft": 15, "hard": 10}', "nowry:railway.usageLimit.hard: out of range"),
        ('{"soft": 50, "hard": 40}', "nowry:railway.usageLimit.hard: is below soft"),
        ('{"hard": 40}', "nowry:railway.usageLimit.soft: is required"),
    ],
)
def test_usage_limits_railway_refuses_are_refused(limit, line):
    from typer.testing import CliRunner

    from infra.tool.cli import app
    from tests.conftest import PROJECT_DIR

    result = CliRunner().invoke(app, ["plan", "dev", "--set", f"nowry:railway.usageLimit={limit}",
                                      "--project-dir", str(PROJECT_DIR)])  # fmt: skip
    assert result.exit_code == 2 and line in result.stderr
