"""Moving to and from the gcp phase (migrate, with data-loss verdicts and runbooks), recommend's side by
side bills, and the gcp stack's picture."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from infra.tool.cli import app
from infra.tool.drawing import dot_source
from tests.conftest import shipped_plan

runner = CliRunner()
CERTIFICATE = (
    "nowry:frontend.certificateArn=arn:aws:acm:us-east-1:123456789012:certificate/"
    + "0" * 8
    + "-0000-0000-0000-"
    + "0" * 12
)


def migrate(*args: str) -> tuple[int, dict]:
    result = runner.invoke(app, ["migrate", *args, "--json"])
    return result.exit_code, json.loads(result.stdout[result.stdout.index("{") :])


def titles(migration: dict) -> list[str]:
    return [section["title"] for section in migration["runbook"]]


def test_all_paid_to_gcp_moves_the_atlas_cluster_to_google_cloud_in_place():
    code, moved = migrate("dev", "--set", "nowry:phase=all-paid", "--to", "gcp")
    cluster = next(c for c in moved["changes"] if c["type"].endswith("advancedCluster:AdvancedCluster"))
    assert cluster["action"] == "update" and cluster["properties"] == ["replicationSpecs"]
    assert cluster["urn"] not in {c["urn"] for c in moved["data_loss"]}
    # what is lost is what all-paid alone held: the Railway project and the Upstash cache (copies only)
    assert {c["urn"].rpartition("::")[2] for c in moved["data_loss"]} == {"backend-project", "cache-redis"}
    assert code == 1  # data stores deleted: exit 1 unless --accept-data-loss
    assert titles(moved)[0] == "Move the Atlas cluster from AWS (US_EAST_1) to Google Cloud (CENTRAL_US)"
    assert "The cache" in titles(moved)


def test_aws_to_gcp_plans_atlas_in_place_of_documentdb_and_says_so():
    result = runner.invoke(app, ["migrate", "prod", "--to", "gcp", "--json"])
    assert "does not run in the gcp phase: the move is planned with its default, atlas" in result.stderr
    moved = json.loads(result.stdout)
    lost = {c["type"] for c in moved["data_loss"]}
    assert "aws:docdb/cluster:Cluster" in lost and moved["from"] == "aws" and moved["to"] == "gcp"
    assert "Move the data from DocumentDB to Atlas" in titles(moved)


def test_gcp_to_aws_and_the_runbook_to_documentdb():
    code, moved = migrate(
        "gcp", "--to", "aws", "--target-set", CERTIFICATE, "--target-set", "nowry:database.engine=documentdb"
    )
    lost = {c["urn"].rpartition("::")[2] for c in moved["data_loss"]}
    assert {"database-cluster", "cache-redis", "site-bucket", "secrets-mongo-uri"} <= lost and code == 1
    assert any(t.startswith("Online path (AWS DMS") for t in titles(moved))


def test_gcp_to_aws_keeping_atlas_moves_the_cluster_back():
    _, moved = migrate("gcp", "--to", "aws", "--target-set", CERTIFICATE)
    cluster = next(c for c in moved["changes"] if c["type"].endswith("advancedCluster:AdvancedCluster"))
    assert cluster["action"] == "update"
    assert titles(moved)[:2] == ["Move the Atlas cluster from Google Cloud (CENTRAL_US) to AWS (US_EAST_1)",
                                 "The Atlas cluster"]  # fmt: skip


def test_recommend_shows_aws_and_gcp_side_by_side_at_the_same_usage():
    result = runner.invoke(app, ["recommend", "--users", "20000", "--json"])
    payload = json.loads(result.stdout)
    assert payload["phase"] == "aws" and payload["alternatives"] == ["gcp"]
    assert set(payload["side_by_side"]) == {"aws", "gcp"} and all(payload["side_by_side"].values())
    text = runner.invoke(app, ["recommend", "--users", "20000"]).stdout
    assert "side by side at the same usage" in " ".join(text.split())


def test_the_gcp_picture_draws_google_cloud_icons_in_their_boundaries(tmp_path):
    source = dot_source(shipped_plan("gcp"))
    icons = ("compute/run", "network/load-balancing", "network/cdn", "network/armor", "database/memorystore",
             "security/secret-manager")  # fmt: skip
    for icon in icons:
        assert f"gcp/{icon}.png" in source, icon
    for boundary in ("Google Cloud edge (global load balancer)", "Google Cloud regional services, us-central1",
                     "VPC private services (peered)", "MongoDB Atlas"):  # fmt: skip
        assert f'label="{boundary}"' in source or f'"cluster_{boundary}"' in source, boundary
    edges = ('"users" -> "glb"', '"glb" -> "cdn"', '"glb" -> "api"', '"armor" -> "glb"', '"api" -> "cache"',
             '"api" -> "db"', '"api" -> "nat"', '"cdn" -> "site"', '"site" -> "logs"')  # fmt: skip
    for edge in edges:
        assert edge in source, edge
    out = tmp_path / "gcp.dot"
    result = runner.invoke(app, ["diagram", "gcp", "--out", str(out)])
    assert result.exit_code == 0 and out.read_text() == source
