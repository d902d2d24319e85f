"""The nowry-infra command: output, JSON contract, exit codes (0 ok, 1 findings, 2 usage)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from infra.tool.cli import app
from tests.conftest import PROJECT_DIR

runner = CliRunner()
CONTRACT_RESOURCE_KEYS = {
    "urn",
    "type",
    "name",
    "parent",
    "custom",
    "provider",
    "dependencies",
    "protect",
    "retain_on_delete",
    "inputs",
}


def invoke(*args: str):
    return runner.invoke(app, [*args, "--project-dir", str(PROJECT_DIR)])


@pytest.fixture(scope="module")
def local_json() -> dict:
    result = invoke("plan", "local", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_plan_json_follows_the_contract(local_json):
    assert local_json["project"] == "nowry"
    assert local_json["stack"] == "local"
    assert local_json["phase"] == "local"
    assert isinstance(local_json["outputs"], dict)
    urns = {r["urn"] for r in local_json["resources"]}
    assert len(urns) == len(local_json["resources"])
    for resource in local_json["resources"]:
        assert set(resource) == CONTRACT_RESOURCE_KEYS
        assert resource["parent"] is None or resource["parent"] in urns
        assert resource["dependencies"] == sorted(resource["dependencies"])
        assert set(resource["dependencies"]) <= urns
        assert isinstance(resource["protect"], bool)


def test_plan_json_has_no_secret_plaintext(local_json):
    text = json.dumps(local_json)
    assert "offline-random" not in text
    assert "offline-secret" not in text
    assert "MONGO_URI=" not in text and "mongodb://" not in text
    assert local_json["outputs"]["mongoUri"] == "[secret]"


def test_plan_json_numbers_are_ints(local_json):
    backend = next(r for r in local_json["resources"] if r["name"] == "backend-container")
    assert backend["inputs"]["ports"][0]["internal"] == 8000


def test_plan_tree_groups_by_component_and_shows_outputs():
    result = invoke("plan", "local")
    assert result.exit_code == 0
    assert "database nowry:docker:MongoDatabase — 4 resources" in result.stdout
    assert "frontendUrl" in result.stdout and "[secret]" in result.stdout
    assert "pulumi config set --secret nowry:groqApiKey" in result.stderr


def test_set_overrides_config():
    result = invoke("plan", "local", "--json", "--set", "nowry:backend.port=9000")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["outputs"]["backendUrl"] == "http://localhost:9000"


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("nowry:phase=serverless", "nowry:phase"),
        ("nowry:backend.cpu=lots", "nowry:backend.cpu"),
        ("nowry:groqApiKey=gsk_plaintext", "nowry:groqApiKey"),
        ("nowry:backend.imag=x:1", "nowry:backend.imag"),
        ("nowry:fronted.image=x:1", "nowry:fronted"),
    ],
)
def test_invalid_config_exits_2_naming_the_key(override, key):
    result = invoke("plan", "local", "--set", override)
    assert result.exit_code == 2
    assert key in result.stderr
    assert "Traceback" not in result.output
    assert "gsk_plaintext" not in result.output


def test_unknown_stack_exits_2_listing_the_stacks():
    result = invoke("plan", "staging")
    assert result.exit_code == 2
    assert "Pulumi.staging.yaml" in result.stderr and "local" in result.stderr


def test_missing_project_exits_2(tmp_path):
    result = runner.invoke(app, ["plan", "local", "--project-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "Pulumi.yaml" in result.stderr


def test_bad_set_syntax_exits_2():
    result = invoke("plan", "local", "--set", "nowry:phase")
    assert result.exit_code == 2
    assert "KEY=VALUE" in result.stderr


def test_stacks_lists_shipped_stacks_with_their_phases():
    result = invoke("stacks")
    assert result.exit_code == 0
    rows = dict(line.split("\t") for line in result.stdout.splitlines())
    assert rows["local"] == "local"
    assert rows["prod"] == "aws"
    assert rows["dev"] == "free-tier"


def test_console_script_runs_from_any_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "infra.tool.cli",
            "plan",
            "local",
            "--json",
            "--project-dir",
            str(PROJECT_DIR),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["stack"] == "local"


def test_the_console_command_collects_garbage_at_planning_thresholds(monkeypatch):
    """Python's default thresholds (700, 10, 10) walk the heap thousands of times per plan."""
    import gc

    from infra.tool import cli
    from infra.tool.engine.collector import PLANNING_THRESHOLDS

    seen: list[tuple[int, ...]] = []
    exits: list[int] = []
    before = gc.get_threshold()
    monkeypatch.setattr(cli, "app", lambda: seen.append(gc.get_threshold()))
    monkeypatch.setattr(cli.os, "_exit", exits.append)
    gc.set_threshold(700, 10, 10)
    try:
        cli.main()
    finally:
        gc.set_threshold(*before)
    assert seen == [PLANNING_THRESHOLDS] and exits == [0]
