"""`nowry-infra advise` on Railway's usage, through the fake that executes every document against
Railway's published GraphQL schema."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from graphql import parse, validate
from typer.testing import CliRunner

from infra.limits import RAILWAY_INCLUDED_USD
from infra.tool.cli import app
from infra.tool.ops.advise import railway
from tests.conftest import PROJECT_DIR
from tests.railway_fake import FakeRailwayServer, railway_schema

runner = CliRunner()


@pytest.fixture
def fake(monkeypatch):
    for name in ("MONGODB_ATLAS_CLIENT_ID", "MONGODB_ATLAS_PUBLIC_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RAILWAY_API_TOKEN", "railway-advise-token")
    with FakeRailwayServer() as (server, endpoint):
        monkeypatch.setenv("RAILWAY_API_ENDPOINT", endpoint)
        server.projects["project-1"] = {"id": "project-1", "name": "nowry-dev", "env": "env-1", "workspaceId": "ws-1"}
        yield server
        assert server.rejected == [], "a document Railway's schema refuses"


def customer(used: float, *, days_in: int = 20, hard: int | None = None) -> dict:
    start = datetime.now(UTC) - timedelta(days=days_in)
    return {
        "currentUsage": used,
        "billingPeriod": {"start": start.isoformat(), "end": (start + timedelta(days=30)).isoformat()},
        "usageLimit": None
        if hard is None
        else {"softLimit": hard // 2, "hardLimit": hard, "isOverLimit": False, "id": "limit-1", "customerId": "c-1"},
    }


def advise(tmp_path, values: dict | None = None):
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(values if values is not None else {"railwayProjectId": "project-1"}))
    return runner.invoke(app, ["advise", "dev", "--outputs", str(path), "--json", "--project-dir", str(PROJECT_DIR)])


def test_usage_near_the_hobby_plans_included_credit_exits_1(fake, tmp_path):
    fake.customers["ws-1"] = customer(4.5, hard=20)
    result = advise(tmp_path)
    assert result.exit_code == 1, result.output
    rows = {(r["metric"], r["limit"]): r for r in json.loads(result.stdout)["limits"]}
    usage = rows[("currentUsage", RAILWAY_INCLUDED_USD["hobby"])]
    assert usage["used"] == 4.5 and usage["percent"] == 90.0 and usage["unit"] == "USD"
    assert usage["days_to_limit"] == pytest.approx(2.2, abs=0.2)
    assert rows[("estimated bill", 5)]["used"] == pytest.approx(6.75, abs=0.01)
    assert rows[("currentUsage", 20)]["note"].startswith("at the hard limit Railway sleeps")
    assert fake.operations() == ["advisorProject", "advisorCustomer"]
    assert {r.token for r in fake.requests} == {"railway-advise-token"}


def test_a_quiet_month_exits_0(fake, tmp_path):
    fake.customers["ws-1"] = customer(0.5, days_in=20)
    result = advise(tmp_path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["next"] is None


def test_railway_errors_are_errors_naming_railway(fake, tmp_path, monkeypatch):
    missing = advise(tmp_path, {"railwayProjectId": "project-404"})
    assert (
        missing.exit_code == 2
        and "cannot read Railway: Railway advisorProject failed: Project not found" in missing.stderr
    )
    fake.fail("advisorCustomer", "Not Authorized")
    refused = advise(tmp_path)
    assert refused.exit_code == 2 and "Not Authorized" in refused.stderr
    monkeypatch.setenv("RAILWAY_API_ENDPOINT", "http://127.0.0.1:9/graphql/v2")
    unreachable = advise(tmp_path)
    assert unreachable.exit_code == 2 and "cannot reach" in unreachable.stderr and "Traceback" not in unreachable.output
    monkeypatch.delenv("RAILWAY_API_TOKEN")
    assert "set RAILWAY_API_TOKEN" in advise(tmp_path).stderr


def test_every_document_validates_against_railways_schema():
    for document in (railway.PROJECT, railway.CUSTOMER):
        assert validate(railway_schema(), parse(document)) == []
