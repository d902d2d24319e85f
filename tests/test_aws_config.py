"""Bad aws-phase input exits 2 naming the key and what is allowed, before any resource."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from infra.tool.cli import app
from tests.conftest import PROJECT_DIR

runner = CliRunner()


def plan_prod(*overrides: str):
    args = ["plan", "prod", "--json", "--project-dir", str(PROJECT_DIR)]
    for override in overrides:
        args += ["--set", override]
    return runner.invoke(app, args)


@pytest.mark.parametrize(
    ("overrides", "key", "allowed"),
    [
        (["nowry:backend.memory=4096"], "nowry:backend.memory", "cpu 256: memory 512, 1024, 2048"),
        (["nowry:backend.cpu=300"], "nowry:backend.cpu", "256, 512, 1024"),
        (["nowry:backend.desiredCount=9"], "nowry:backend.desiredCount", "2..6"),
        (
            ["nowry:database.instanceClass=db.t2.small"],
            "nowry:database.instanceClass",
            "db.t4g.medium",
        ),
        (["nowry:database.backupRetentionDays=3"], "nowry:database.backupRetentionDays", "7-35"),
        (["nowry:cache.nodeType=cache.t2.micro"], "nowry:cache.nodeType", "t4g"),
        (["nowry:cache.nodeType=big"], "nowry:cache.nodeType", "cache.<family>.<size>"),
        (["nowry:frontend.domain=app.nowry.io"], "nowry:frontend.certificateArn", "us-east-1"),
        (
            [
                "nowry:frontend.domain=app.nowry.io",
                "nowry:frontend.certificateArn=arn:aws:acm:eu-west-1:123456789012:certificate/"
                "11111111-2222-3333-4444-555555555555",
            ],
            "nowry:frontend.certificateArn",
            "us-east-1",
        ),
        (["aws:region=mars-north-1"], "aws:region", "us-east-1"),
        (["nowry:aws.nat=sometimes"], "nowry:aws.nat", "per-az"),
        (["nowry:aws.logRetentionDays=10"], "nowry:aws.logRetentionDays", "14, 30"),
        (["nowry:aws.vpcCidr=10.0.0.0/8"], "nowry:aws.vpcCidr", "10.0.0.0/16"),
        (["nowry:aws.secretRecoveryDays=0"], "nowry:aws.secretRecoveryDays", "7-30"),
        (["nowry:aws.waf.rateLimit=lots"], "nowry:aws.waf.rateLimit", "whole number"),
        (["nowry:aws.albDomain=api.nowry.io"], "nowry:aws.albCertificateArn", "both"),
        (
            ["nowry:frontend.image=ghcr.io/a/b:1", "nowry:frontend.staticDir="],
            "nowry:frontend",
            "staticDir",
        ),
    ],
)
def test_bad_aws_config_exits_2_naming_the_key(overrides, key, allowed):
    result = plan_prod(*overrides)
    assert result.exit_code == 2, result.output
    assert key in result.stderr
    line = next(line for line in result.stderr.splitlines() if key in line)
    assert allowed in line
    assert result.stdout == ""


def test_a_valid_fargate_pair_and_cache_type_are_accepted():
    result = plan_prod("nowry:backend.cpu=512", "nowry:backend.memory=2048", "nowry:cache.nodeType=cache.t4g.small")
    assert result.exit_code == 0, result.stderr


def test_redis_runs_on_previous_generation_nodes_valkey_does_not():
    assert plan_prod("nowry:cache.engine=redis", "nowry:cache.nodeType=cache.t2.micro").exit_code == 0
    assert plan_prod("nowry:cache.engine=valkey", "nowry:cache.nodeType=cache.t2.micro").exit_code == 2


def _secret_string(plan, variable: str) -> str:
    """The plaintext a secret version would hold (revealed in-process only, never printed)."""
    version = next(r for r in plan.of_type("aws:secretsmanager/secretVersion:SecretVersion")
                   if r.name.endswith(f"{variable.lower().replace('_', '-')}-value"))  # fmt: skip
    return version.revealed_inputs["secretString"]


def test_the_uri_the_stack_builds_carries_the_connection_pool():
    from tests.conftest import PROJECT_DIR, plan_stack

    default = _secret_string(plan_stack(PROJECT_DIR, "prod"), "MONGO_URI")
    assert default.endswith("&maxPoolSize=10&minPoolSize=2")
    tuned = _secret_string(plan_stack(PROJECT_DIR, "prod", ["nowry:backend.dbPool.maxSize=20"]), "MONGO_URI")
    assert "maxPoolSize=20&minPoolSize=2" in tuned


@pytest.mark.parametrize(
    ("overrides", "fits"),
    [
        # db.t4g.medium accepts 1000 connections (developer guide, Quotas and limits, instance limits): 800 at 80%
        ([], True),  # 3 tasks x (10 + 2) = 36 of 800
        (["nowry:backend.maxCount=66"], True),  # 66 x 12 = 792 of 800
        (["nowry:backend.maxCount=67"], False),  # 67 x 12 = 804
        (["nowry:database.engine=atlas", "nowry:backend.maxCount=100"], True),  # 1200 of 0.8 x 2990 on M20
        (["nowry:database.engine=atlas", "nowry:backend.maxCount=100", "nowry:backend.dbPool.maxSize=50"], False),
    ],
)
def test_the_connection_budget_holds_the_backend_at_its_most_within_80_percent(overrides, fits):
    from infra.config import ConfigError
    from tests.conftest import PROJECT_DIR, plan_stack

    atlas = ["nowry:atlas.orgId=0123456789abcdef01234567", "nowry:aws.dr.region=null"]
    atlas = atlas if "nowry:database.engine=atlas" in overrides else []
    if fits:
        assert plan_stack(PROJECT_DIR, "prod", [*overrides, *atlas]).resources
    else:
        with pytest.raises(ConfigError, match=r"nowry:backend\.dbPool\.maxSize: .* connections to each database node"):
            plan_stack(PROJECT_DIR, "prod", [*overrides, *atlas])


DOCUMENTDB_CLUSTER, ATLAS_CLUSTER = "aws:docdb/cluster:Cluster", "mongodbatlas:index/advancedCluster:AdvancedCluster"


@pytest.mark.parametrize(
    ("overrides", "database"),
    [
        # DocumentDB in both regions (the guide's supported regions)
        (["aws:region=eu-south-2", "nowry:aws.dr.region=eu-west-3"], DOCUMENTDB_CLUSTER),
        # no DocumentDB in us-west-1: Atlas instead
        (["aws:region=us-west-1", "nowry:database.engine=atlas", "nowry:atlas.orgId=0123456789abcdef01234567",
          "nowry:aws.dr.region=null"], ATLAS_CLUSTER),
    ],
)  # fmt: skip
def test_a_region_without_documentdb_plans_with_atlas_and_documentdb_plans_where_it_runs(overrides, database):
    from tests.conftest import PROJECT_DIR, plan_stack

    plan = plan_stack(PROJECT_DIR, "prod", overrides)
    assert {r.type for r in plan.resources} & {DOCUMENTDB_CLUSTER, ATLAS_CLUSTER} == {database}
