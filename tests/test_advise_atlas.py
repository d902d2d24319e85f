"""`nowry-infra advise` on the managed phases' Atlas cluster, through a fake of Atlas's Admin API that
validates every request and answer against Atlas's published OpenAPI specification."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from infra.limits import ATLAS_TIERS, GB
from infra.tool.cli import app
from tests.atlas_fake import CLIENT_ID, CLIENT_SECRET, FakeAtlasServer, check_request, errors, operations
from tests.conftest import PROJECT_DIR

runner = CliRunner()
PROJECT = "6a1b2c3d4e5f6a7b8c9d0e1f"


@pytest.fixture
def atlas(monkeypatch):
    for name in (
        "MONGODB_ATLAS_PUBLIC_KEY",
        "MONGODB_ATLAS_PRIVATE_KEY",
        "MONGODB_ATLAS_PUBLIC_API_KEY",
        "MONGODB_ATLAS_PRIVATE_API_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MONGODB_ATLAS_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("MONGODB_ATLAS_CLIENT_SECRET", CLIENT_SECRET)
    with FakeAtlasServer() as (fake, base_url):
        monkeypatch.setenv("MONGODB_ATLAS_BASE_URL", base_url)
        yield fake
        assert fake.rejected == [], "a request Atlas's spec refuses"
        assert fake.invalid == [], "an answer Atlas's spec does not allow"


def outputs(tmp_path, **values) -> str:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps({"atlasProjectId": PROJECT, "atlasCluster": "nowry-dev", **values}))
    return str(path)


def advise(stack: str, path: str, *args: str, project_dir=PROJECT_DIR):
    return runner.invoke(app, ["advise", stack, "--outputs", path, "--json", "--project-dir", str(project_dir), *args])


def test_m0_storage_growing_towards_512_mb_moves_to_flex_with_the_bill(atlas, tmp_path):
    primary = atlas.add_cluster(PROJECT, "nowry-dev")
    atlas.put(primary, "DB_DATA_SIZE_TOTAL", [(300 + 10 * i) * 1024**2 for i in range(14)], units="BYTES")
    atlas.put(primary, "CONNECTIONS", [20.0] * 14, units="SCALAR")
    atlas.put(primary, "OPCOUNTER_QUERY", [5.0] * 14, units="SCALAR_PER_SECOND")
    atlas.put(primary, "OPCOUNTER_INSERT", [1.5] * 14, units="SCALAR_PER_SECOND")
    result = advise("dev", outputs(tmp_path))
    assert result.exit_code == 1, result.output
    payload = json.loads(result.stdout)
    assert payload["phase"] == "free-tier"
    rows = {r["metric"]: r for r in payload["limits"]}
    storage = rows["DB_DATA_SIZE_TOTAL"]
    assert storage["limit"] == ATLAS_TIERS["M0"].storage_gb and storage["unit"] == "GB"
    assert storage["used"] == pytest.approx(430 / 1024, abs=1e-3) and storage["percent"] == pytest.approx(84.0, abs=0.1)
    assert rows["CONNECTIONS"]["limit"] == 490 and rows["CONNECTIONS"]["used"] == 20
    assert rows["OPCOUNTER_* (sum)"]["used"] == 6.5 and rows["OPCOUNTER_* (sum)"]["limit"] == 100
    move = payload["next"]
    assert (move["phase"], move["tier"]) == ("hybrid", "FLEX")
    assert move["command"] == "nowry-infra migrate dev --to hybrid --target-set nowry:atlas.tier=FLEX"
    assert "DB_DATA_SIZE_TOTAL" in move["reason"]
    assert move["monthly_after_usd"] > move["monthly_before_usd"]
    assert any("Vercel" in note for note in payload["notes"])
    assert atlas.tokens_issued == 1


def test_connections_past_flex_go_to_m10(atlas, tmp_path):
    primary = atlas.add_cluster(PROJECT, "nowry-dev")
    atlas.put(primary, "CONNECTIONS", [400.0, 420.0, 450.0], units="SCALAR")
    payload = json.loads(advise("dev", outputs(tmp_path)).stdout)
    assert (payload["next"]["phase"], payload["next"]["tier"]) == ("hybrid", "M10")


def test_flat_low_usage_exits_0_with_next_null(atlas, tmp_path):
    primary = atlas.add_cluster(PROJECT, "nowry-dev")
    atlas.put(primary, "DB_DATA_SIZE_TOTAL", [40 * 1024**2] * 14, units="BYTES")
    atlas.put(primary, "CONNECTIONS", [12.0] * 14, units="SCALAR")
    result = advise("dev", outputs(tmp_path))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["next"] is None


def test_a_dedicated_tier_reads_its_disk(atlas, tmp_path):
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    shutil.copy(PROJECT_DIR / "Pulumi.yaml", project_dir)
    text = (PROJECT_DIR / "Pulumi.dev.yaml").read_text().replace("nowry:phase: free-tier", "nowry:phase: hybrid")
    (project_dir / "Pulumi.dev.yaml").write_text(text)
    primary = atlas.add_cluster(PROJECT, "nowry-dev")
    atlas.put(f"{primary}/data", "DISK_PARTITION_SPACE_PERCENT_USED", [50.0, 60.0, 70.0, 85.0], units="PERCENT")
    atlas.put(primary, "CONNECTIONS", [100.0] * 4, units="SCALAR")
    payload = json.loads(advise("dev", outputs(tmp_path), project_dir=project_dir).stdout)
    disk = next(r for r in payload["limits"] if r["metric"] == "DISK_PARTITION_SPACE_PERCENT_USED")
    assert (disk["used"], disk["limit"], disk["unit"]) == (85, 100, "%")
    ops = next(r for r in payload["limits"] if r["metric"] == "OPCOUNTER_* (sum)")
    assert ops["limit"] is None and "no operations cap" in ops["note"]
    assert payload["next"]["tier"] is not None


def test_no_credentials_is_an_error_naming_atlas_and_the_variables(tmp_path, monkeypatch):
    for name in (
        "MONGODB_ATLAS_CLIENT_ID",
        "MONGODB_ATLAS_CLIENT_SECRET",
        "MONGODB_ATLAS_PUBLIC_KEY",
        "MONGODB_ATLAS_PRIVATE_KEY",
        "MONGODB_ATLAS_PUBLIC_API_KEY",
        "MONGODB_ATLAS_PRIVATE_API_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    result = advise("dev", outputs(tmp_path))
    assert result.exit_code == 2
    assert "cannot read Atlas: no credentials" in result.stderr and "MONGODB_ATLAS_CLIENT_ID" in result.stderr


def test_an_unreachable_atlas_is_an_error_naming_it(atlas, tmp_path, monkeypatch):
    monkeypatch.setenv("MONGODB_ATLAS_BASE_URL", "http://127.0.0.1:9")
    result = advise("dev", outputs(tmp_path))
    assert result.exit_code == 2 and "cannot read Atlas: POST /api/oauth/token: cannot reach" in result.stderr
    assert "Traceback" not in result.output


def test_refused_credentials_and_an_unknown_project_are_errors_naming_atlas(atlas, tmp_path, monkeypatch):
    atlas.add_cluster(PROJECT, "nowry-dev")
    unknown = advise("dev", outputs(tmp_path, atlasProjectId="0" * 24))
    assert unknown.exit_code == 2 and "HTTP 404" in unknown.stderr and "GROUP_NOT_FOUND" in unknown.stderr
    wrong_cluster = advise("dev", outputs(tmp_path, atlasCluster="other"))
    assert wrong_cluster.exit_code == 2 and "no process of cluster other" in wrong_cluster.stderr
    monkeypatch.setenv("MONGODB_ATLAS_CLIENT_SECRET", "wrong")
    refused = advise("dev", outputs(tmp_path))
    assert refused.exit_code == 2 and "HTTP 401, the credentials were refused" in refused.stderr


def test_outputs_without_the_atlas_keys_say_what_is_missing(atlas, tmp_path):
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps({"atlasCluster": "nowry-dev"}))
    result = advise("dev", str(path))
    assert result.exit_code == 2 and "Atlas: not read, the outputs have no atlasProjectId" in result.stderr


def test_the_fake_refuses_what_the_spec_refuses():
    measurements = next(op for op in operations() if op.template.endswith("/processes/{processId}/measurements"))
    path = {"groupId": PROJECT, "processId": "x-shard-00-00.ab12c.mongodb.net:27017"}
    good = {"m": ["CONNECTIONS"], "granularity": ["PT1H"], "period": ["P14D"]}
    assert check_request(measurements, path, good, measurements.media or "") == []
    assert any(
        "'LOGICAL_SIZE' is not one of" in p
        for p in check_request(measurements, path, {**good, "m": ["LOGICAL_SIZE"]}, measurements.media or "")
    )
    assert any("granularity" in p for p in check_request(measurements, path, {"m": ["CONNECTIONS"]}, "x"))
    assert any("does not match" in p for p in check_request(measurements, {**path, "groupId": "nope"}, good, "x"))
    assert any("Accept" in p for p in check_request(measurements, path, good, "application/json"))
    assert errors({"$ref": "#/components/schemas/MetricDataPoint_Atlas"}, {"value": "12"}) != []
    assert errors({"$ref": "#/components/schemas/MetricDataPoint_Atlas"}, {"value": 12.0}) == []
    assert GB == 1024**3


def test_no_secret_reaches_any_output(atlas, tmp_path, monkeypatch):
    """Outputs read with --show-secrets, and the credentials in the environment, never appear."""
    canary = "canary-7f3a9c"
    primary = atlas.add_cluster(PROJECT, "nowry-dev")
    atlas.put(primary, "DB_DATA_SIZE_TOTAL", [(300 + 10 * i) * 1024**2 for i in range(14)], units="BYTES")
    path = outputs(tmp_path, mongoUri=f"mongodb+srv://app:{canary}@nowry-dev.ab12c.mongodb.net/nowry")
    for args in ((), ("--json",)):
        result = runner.invoke(app, ["advise", "dev", "--outputs", path, "--project-dir", str(PROJECT_DIR), *args])
        assert result.exit_code == 1 and canary not in result.output and CLIENT_SECRET not in result.output
    monkeypatch.setenv("MONGODB_ATLAS_CLIENT_SECRET", canary)
    refused = advise("dev", path)
    assert refused.exit_code == 2 and canary not in refused.output
