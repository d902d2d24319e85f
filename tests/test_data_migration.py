"""`database.migrationSource`: DMS full load + CDC into DocumentDB, built only while it is set."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from infra.config import ConfigError
from infra.config.mongo_uri import parse_mongo_uri
from infra.config.source import RawConfig, from_stack_file, read_project
from infra.tool.cli import app
from infra.tool.cost.estimate import estimate
from infra.tool.engine.plan import Plan
from infra.tool.engine.runner import plan_stack, run_offline
from infra.tool.rules.check import check_plan
from tests.conftest import PROJECT_DIR, plan_json_text

runner = CliRunner()
SOURCE = "mongodb://nowry:s3cret-Pa55@cluster0-shard-00-00.abcde.mongodb.net:27017,cluster0-shard-00-01.abcde" \
         ".mongodb.net:27017/nowry?tls=true&replicaSet=atlas-x&authSource=admin"  # fmt: skip


def prod_raw(database: dict, *, secret: bool = True, nat: str = "single") -> RawConfig:
    """The prod stack file's config with this database section (as the Pulumi CLI hands it over)."""
    raw = from_stack_file(read_project(PROJECT_DIR), "prod")
    values = {**raw.values, "nowry:database": json.dumps(database), "nowry:aws": json.dumps({"nat": nat})}
    keys = raw.secret_keys | ({"nowry:database"} if secret else set())
    return RawConfig(values, frozenset(keys))


def plan_with(database: dict, **kw) -> Plan:
    return run_offline(read_project(PROJECT_DIR), "prod", prod_raw(database, **kw))


@pytest.fixture(scope="module")
def migrating() -> Plan:
    return plan_with({"engine": "documentdb", "migrationSource": SOURCE})


def test_the_migration_builds_dms_in_the_private_subnets_with_tls_to_both_ends(migrating):
    instance = migrating.one("aws:dms/replicationInstance:ReplicationInstance").inputs
    assert instance["publiclyAccessible"] is False and instance["replicationInstanceClass"] == "dms.t3.medium"
    assert instance["kmsKeyArn"].startswith("arn:aws:kms:")
    source = migrating.one("aws:dms/endpoint:Endpoint", "migration-source").inputs
    assert source["engineName"] == "mongodb" and source["sslMode"] == "require"
    assert source["mongodbSettings"]["nestingLevel"] == "none" and source["mongodbSettings"]["extractDocId"] == "true"
    assert "password" not in source and source["secretsManagerArn"].startswith("arn:aws:secretsmanager:")
    target = migrating.one("aws:dms/endpoint:Endpoint", "migration-target").inputs
    assert (target["engineName"], target["sslMode"], target["password"]) == ("docdb", "verify-full", "[secret]")
    task = migrating.one("aws:dms/replicationTask:ReplicationTask").inputs
    assert task["migrationType"] == "full-load-and-cdc" and task["startReplicationTask"] is True
    rule = json.loads(task["tableMappings"])["rules"][0]
    assert rule["object-locator"] == {"schema-name": "nowry", "table-name": "%"} and rule["rule-action"] == "include"
    assert json.loads(task["replicationTaskSettings"])["Logging"]["EnableLogging"] is True
    alarms = {a.inputs.get("metricName") for a in migrating.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert {"CDCLatencySource", "CDCLatencyTarget"} <= alarms


def test_the_source_password_is_only_in_a_secret_and_dms_reads_only_that_secret(migrating):
    assert "s3cret-Pa55" not in plan_json_text(migrating)
    version = migrating.one("aws:secretsmanager/secretVersion:SecretVersion", "migration-source-credentials")
    assert version.inputs["secretString"] == "[secret]"
    secret = json.loads(version.revealed_inputs["secretString"])
    assert secret == {"username": "nowry", "password": "s3cret-Pa55", "port": 27017,
                      "host": "cluster0-shard-00-00.abcde.mongodb.net"}  # fmt: skip
    policy = json.loads(migrating.one("aws:iam/rolePolicy:RolePolicy", "migration-secret-reader").inputs["policy"])
    reads = next(s for s in policy["Statement"] if "secretsmanager:GetSecretValue" in s["Action"])
    assert reads["Resource"] == [migrating.one("aws:secretsmanager/secret:Secret", "migration-source-credentials")
                                 .inputs.get("arn", reads["Resource"][0])]  # fmt: skip
    trust = json.loads(migrating.one("aws:iam/role:Role", "migration-secret-reader").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "dms.us-east-1.amazonaws.com"}


def test_dms_reaches_only_documentdb_and_the_source_port(migrating):
    egress = [r.inputs for r in migrating.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
              if r.name.startswith("migration-")]  # fmt: skip
    assert sorted((e["fromPort"], e.get("cidrIpv4") or "") for e in egress) == [(27017, ""), (27017, "0.0.0.0/0")]
    assert check_plan(migrating).violations == []


def test_the_migration_is_priced_by_the_hour_and_goes_when_the_source_is_unset(migrating):
    line = next(i for i in estimate(migrating).line_items if i.type.endswith("ReplicationInstance"))
    assert line.monthly == pytest.approx(0.08 * 730) and "while it exists" in line.basis
    without = plan_with({"engine": "documentdb"})
    assert not [r for r in without.resources if "DataMigration" in r.urn]
    from infra.tool.migrate import plan_migration

    removal = plan_migration(migrating, without)
    deleted = [c for c in removal.changes if c.action == "delete"]
    assert len(deleted) == 17 and not removal.data_loss  # copies only: nothing of the data goes


def test_a_secure_value_in_a_stack_file_plans_offline_with_a_placeholder(tmp_path):
    config = yaml.safe_load((PROJECT_DIR / "Pulumi.prod.yaml").read_text())["config"]
    config["nowry:database"] = {"engine": "documentdb", "migrationSource": {"secure": "v1:AAAAciphertext"}}
    config["nowry:aws"] = {"nat": "single"}
    (tmp_path / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.prod.yaml").write_text(yaml.safe_dump({"config": config}))
    result = runner.invoke(app, ["plan", "prod", "--json", "--project-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert any(r["type"] == "aws:dms/replicationTask:ReplicationTask" for r in plan["resources"])
    assert any("DMS replication" in w for w in plan["warnings"])


@pytest.mark.parametrize(
    ("database", "kw", "expected"),
    [
        ({"engine": "documentdb", "migrationSource": SOURCE}, {"secret": False}, "is set as plain text"),
        (
            {"engine": "documentdb", "migrationSource": "mongodb+srv://u:p@cluster0.abcde.mongodb.net/nowry"},
            {},
            "is an SRV URI",
        ),
        ({"engine": "documentdb", "migrationSource": "mongodb://host:27017/nowry"}, {}, "has no user name"),
        ({"engine": "atlas", "migrationSource": SOURCE}, {}, "moves data into DocumentDB"),
        ({"engine": "documentdb", "migrationSource": SOURCE}, {"nat": "none"}, "through a NAT gateway"),
    ],
)
def test_a_source_dms_cannot_use_is_refused_without_quoting_it(database, kw, expected):
    with pytest.raises(ConfigError) as caught:
        plan_with(database, **kw)
    text = caught.value.render()
    assert expected in text and "s3cret" not in text and "u:p@" not in text


def test_standard_uris_parse_into_what_dms_needs():
    parsed = parse_mongo_uri(SOURCE)
    assert not isinstance(parsed, str)
    assert (parsed.host, parsed.port, parsed.database, parsed.auth_source, parsed.tls) == (
        "cluster0-shard-00-00.abcde.mongodb.net",
        27017,
        "nowry",
        "admin",
        True,
    )
    escaped = parse_mongo_uri("mongodb://app%40corp:p%3Ass@db.example.com/x")
    assert not isinstance(escaped, str) and (escaped.username, escaped.password) == ("app@corp", "p:ss")


def test_migrate_prints_the_online_path_with_both_downtimes():
    from infra.tool.migrate import plan_migration

    migration = plan_migration(
        plan_stack(PROJECT_DIR, "dev", ["nowry:phase=all-paid"]), plan_stack(PROJECT_DIR, "prod")
    )
    titles = [section.title for section in migration.runbook]
    assert titles[0].startswith("Online path") and "downtime: the cutover only" in titles[0]
    assert titles[1].startswith("Offline path instead") and "3 minutes per GB, ~30 minutes for 10 GB" in titles[1]
    steps = "\n".join(step for section in migration.runbook for step in section.steps)
    for phrase in ("migrationSource", "migration-status", "Freeze writes", "Unset the source"):
        assert phrase in steps, phrase
