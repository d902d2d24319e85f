"""Shared helpers: plan a shipped stack, or a stack written into a temporary project."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import botocore.loaders
import botocore.session
import pytest
import typer.main
import typer.testing
import yaml

from infra.tool.engine import runner
from infra.tool.engine.collector import tune_for_planning
from infra.tool.engine.plan import Plan
from tests.sharding import deal, parse_shard

PROJECT_DIR = Path(__file__).resolve().parent.parent

_plan_stack = runner.plan_stack

tune_for_planning()  # the test processes plan hundreds of stacks, as the CLI's commands do


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--shard", default=None, metavar="K/N", help="Run the K-th of N parts of the suite (whole test files)."
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    option = config.getoption("--shard")
    if not option:
        return
    try:
        part, parts = parse_shard(option)
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    assigned = deal((item.nodeid.split("::")[0] for item in items), parts)
    kept: list[pytest.Item] = []
    left: list[pytest.Item] = []
    for item in items:
        (kept if assigned[item.nodeid.split("::")[0]] == part - 1 else left).append(item)
    config.hook.pytest_deselected(items=left)
    items[:] = kept


@functools.cache
def _shipped_plan(
    stack: str, overrides: tuple[str, ...], inherited: tuple[str | None, ...], rule_ids: frozenset[str] | None
) -> Plan:
    return _plan_stack(PROJECT_DIR, stack, overrides, rule_ids)


def plan_stack(project_dir: Path, stack: str, overrides: Any = (), rule_ids: Any = None) -> Plan:
    """``runner.plan_stack``, made once per test process for each (stack, overrides, rule ids) of
    this repository's own stack files: they do not change while the tests run, and a plan is
    immutable. Plans of other folders (temporary projects) are always made afresh."""
    if Path(project_dir).resolve() != PROJECT_DIR:
        return _plan_stack(project_dir, stack, overrides, rule_ids)
    inherited = tuple(os.environ.get(name) for name in runner.INHERITED_CONFIG)
    return _shipped_plan(stack, tuple(overrides), inherited, None if rule_ids is None else frozenset(rule_ids))


runner.plan_stack = plan_stack  # the CLI's commands import it from the runner when they run

# The tests make hundreds of boto3 sessions (and moto its own): one loader of botocore's service
# models serves them all, as it would one session; each new session would read the JSON again.
botocore.session.create_loader = functools.cache(botocore.loaders.create_loader)  # type: ignore[attr-defined]
# CliRunner turns the typer app into a click command on every invoke; the app does not change.
typer.testing._get_command = functools.cache(typer.main.get_command)  # type: ignore[attr-defined]

SHIPPED_STACKS = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in PROJECT_DIR.glob("Pulumi.*.yaml"))

LOCAL_CONFIG: dict[str, Any] = {
    "nowry:phase": "local",
    "nowry:backend": {"image": "ghcr.io/nowry/nowry-backend:1.0.0"},
    "nowry:frontend": {"image": "ghcr.io/nowry/nowry-frontend:1.0.0"},
}


def write_project(directory: Path, stack: str, config: dict[str, Any]) -> Path:
    """A project folder with Pulumi.yaml and ``Pulumi.<stack>.yaml`` holding ``config``."""
    (directory / "Pulumi.yaml").write_text(yaml.safe_dump({"name": "nowry", "runtime": "python", "main": "infra/"}))
    (directory / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}))
    return directory


@pytest.fixture
def project(tmp_path: Path) -> Callable[..., Path]:
    """Write a stack file (default: a minimal local stack) and return the project folder."""

    def make(config: dict[str, Any] | None = None, stack: str = "test", **extra: Any) -> Path:
        merged = dict(LOCAL_CONFIG if config is None else config)
        merged.update(extra)
        return write_project(tmp_path, stack, merged)

    return make


@functools.cache
def shipped_plan(stack: str) -> Plan:
    """The plan of a shipped stack, made once per test process (plans are immutable)."""
    return plan_stack(PROJECT_DIR, stack)


@pytest.fixture(scope="session")
def local_plan() -> Plan:
    return plan_stack(PROJECT_DIR, "local")


def plan_json_text(plan: Plan) -> str:
    return json.dumps(plan.to_json())


@pytest.fixture(scope="session")
def moto_endpoint():
    """moto's AWS server on 127.0.0.1 for the whole session; tests reset it as they need."""
    from tests.aws_emulator import moto_server

    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def aws_env(monkeypatch, moto_endpoint):
    """Fake credentials for the emulator, and a clean emulator."""
    from tests.aws_emulator import reset

    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    reset(moto_endpoint)
    return moto_endpoint
