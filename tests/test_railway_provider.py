"""The Railway dynamic providers against a local Railway-speaking server: create, read,
update, delete, diff, API failures, and secrets kept out of outputs and errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.managed.railway import (
    DeploymentProvider,
    DomainProvider,
    ProjectProvider,
    ServiceProvider,
    UsageLimitProvider,
    VariablesProvider,
)
from infra import railway_api
from infra.railway_api import RailwayApiError, RailwayClient
from tests.railway_fake import FakeRailwayServer

TOKEN = "railway-test-token"


def out(result: Any) -> dict[str, Any]:
    """A provider result's outputs (always present in these providers' results)."""
    assert result.outs is not None
    return result.outs


SECRET_VALUE = "gsk_live_0123456789abcdef"


@pytest.fixture
def railway(monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(railway_api.time, "sleep", slept.append)
    with FakeRailwayServer() as (fake, endpoint):
        fake.slept = slept  # type: ignore[attr-defined]
        yield fake, {"token": TOKEN, "endpoint": endpoint}
    assert fake.rejected == [], "every request must be one Railway's schema accepts"


def make_service(fake, conn):
    project = ProjectProvider().create({**conn, "name": "nowry-dev"})
    env = out(project)["environment_id"]
    service = ServiceProvider().create(
        {
            **conn,
            "project_id": project.id,
            "environment_id": env,
            "name": "backend",
            "image": "ghcr.io/a/b:1",
        }
    )
    return project, env, service


def test_project_create_read_rename_delete(railway):
    fake, conn = railway
    provider = ProjectProvider()
    created = provider.create({**conn, "name": "nowry-dev"})
    assert created.id in fake.projects
    assert out(created)["environment_id"].startswith("env-")
    assert fake.requests[-1].token == TOKEN
    assert fake.requests[-1].variables == {"input": {"name": "nowry-dev"}}

    olds = out(created)
    news = {**conn, "name": "nowry-dev2"}
    diff = provider.diff(created.id, olds, news)
    assert diff.changes is True and diff.replaces == []
    assert provider.diff(created.id, olds, {**conn, "name": "nowry-dev"}).changes is False
    updated = provider.update(created.id, olds, news)
    assert fake.projects[created.id]["name"] == "nowry-dev2"
    assert out(updated)["environment_id"] == olds["environment_id"]

    read = provider.read(created.id, out(updated))
    assert read.id == created.id and out(read)["name"] == "nowry-dev2"

    provider.delete(created.id, out(updated))
    assert created.id not in fake.projects
    assert provider.read(created.id, out(updated)).id is None


def test_service_image_updates_in_place_and_name_replaces(railway):
    fake, conn = railway
    _, _, service = make_service(fake, conn)
    provider = ServiceProvider()
    olds = out(service)
    new_image = {**olds, "image": "ghcr.io/a/b:2"}
    diff = provider.diff(service.id, olds, new_image)
    assert diff.changes is True and diff.replaces == []
    provider.update(service.id, olds, new_image)
    assert fake.services[service.id]["image"] == "ghcr.io/a/b:2"
    assert fake.requests[-1].operation == "serviceInstanceUpdate"
    renamed = provider.diff(service.id, olds, {**olds, "name": "api"})
    assert renamed.replaces == ["name"]
    moved = provider.diff(service.id, olds, {**olds, "project_id": "project-99"})
    assert moved.replaces == ["project_id"]
    provider.delete(service.id, olds)
    assert service.id not in fake.services


def test_variables_are_upserted_diffed_by_hash_and_never_output(railway):
    fake, conn = railway
    project, env, service = make_service(fake, conn)
    provider = VariablesProvider()
    values = {"GROQ_API_KEY": SECRET_VALUE, "MONGO_URI": "mongodb+srv://u:p@h/db"}
    scope = {"project_id": project.id, "environment_id": env, "service_id": service.id}
    props = {**conn, **scope, "variables": values}
    created = provider.create(props)
    assert fake.variables[service.id] == props["variables"]
    assert "variables" not in out(created)
    assert SECRET_VALUE not in json.dumps(out(created))
    assert out(created)["names"] == ["GROQ_API_KEY", "MONGO_URI"]

    same = provider.diff(created.id, out(created), props)
    assert same.changes is False
    rotated = {**props, "variables": {"GROQ_API_KEY": "gsk_new", "SECRET_KEY": "s3cr3t"}}
    diff = provider.diff(created.id, out(created), rotated)
    assert diff.changes is True and diff.replaces == []
    updated = provider.update(created.id, out(created), rotated)
    assert fake.variables[service.id] == {"GROQ_API_KEY": "gsk_new", "SECRET_KEY": "s3cr3t"}
    upsert = [r for r in fake.requests if r.operation == "variableCollectionUpsert"][-1]
    assert upsert.variables["input"]["variables"] == {
        "GROQ_API_KEY": "gsk_new",
        "SECRET_KEY": "s3cr3t",
    }
    assert "gsk_new" not in json.dumps(out(updated))

    other_service = provider.diff(created.id, out(updated), {**rotated, "service_id": "service-77"})
    assert other_service.replaces == ["service_id"]

    read = provider.read(created.id, out(updated))
    assert out(read)["names"] == ["GROQ_API_KEY", "SECRET_KEY"]
    provider.delete(created.id, out(updated))
    assert fake.variables[service.id] == {}


def test_domain_create_and_delete(railway):
    fake, conn = railway
    _, env, service = make_service(fake, conn)
    provider = DomainProvider()
    created = provider.create({**conn, "service_id": service.id, "environment_id": env})
    assert out(created)["domain"].endswith(".up.railway.app")
    assert provider.diff(created.id, out(created), {**out(created), "service_id": "x"}).replaces == ["service_id"]
    provider.delete(created.id, out(created))
    assert not fake.domains


def test_graphql_errors_become_clear_errors_naming_the_operation(railway):
    fake, conn = railway
    fake.fail("projectCreate", "Not Authorized")
    with pytest.raises(RailwayApiError, match=r"Railway projectCreate failed: Not Authorized"):
        ProjectProvider().create({**conn, "name": "nowry-dev"})
    assert not fake.projects


def test_http_errors_name_the_operation_and_status(railway):
    fake, conn = railway
    _, env, service = make_service(fake, conn)
    fake.fail("variableCollectionUpsert", "rate limited", status=429, times=5)
    props = {**conn, "project_id": "p", "environment_id": env, "service_id": service.id,
             "variables": {"GROQ_API_KEY": SECRET_VALUE}}  # fmt: skip
    with pytest.raises(RailwayApiError) as caught:
        VariablesProvider().create(props)
    message = str(caught.value)
    assert "variableCollectionUpsert" in message and "429" in message and "after 4 retries" in message
    assert SECRET_VALUE not in message and TOKEN not in message


def test_unreachable_endpoint_is_a_clear_error():
    client = RailwayClient(token=TOKEN, endpoint="http://127.0.0.1:9/graphql/v2", timeout=2)
    with pytest.raises(RailwayApiError, match="Railway projectCreate failed: cannot reach"):
        client.create_project("x")


def test_every_document_the_client_sends_validates_against_railways_schema():
    from graphql import parse, validate

    from tests.railway_fake import railway_schema

    documents = {
        name: value
        for name, value in vars(railway_api).items()
        if name.isupper() and isinstance(value, str) and value.lstrip().startswith(("query", "mutation"))
    }
    assert len(documents) >= 15
    for name, document in documents.items():
        assert validate(railway_schema(), parse(document)) == [], name


def test_a_document_railway_refuses_fails_here_too(railway):
    fake, conn = railway
    client = RailwayClient(token=TOKEN, endpoint=conn["endpoint"])
    with pytest.raises(RailwayApiError, match="HTTP 400"):
        client.call("project", "query project($id: String!) { project(id: $id) { nonexistentField } }", {"id": "x"})
    with pytest.raises(RailwayApiError, match="HTTP 400"):
        client.call("projectCreate", railway_api.PROJECT_CREATE, {"input": {"name": 5, "color": "red"}})
    assert len(fake.rejected) >= 2
    fake.rejected.clear()


def test_refresh_after_an_out_of_band_delete_drops_the_project_and_service(railway):
    """project(id) and service(id) are non-null in Railway's schema: a missing one is the error
    "Project not found", which read maps to gone."""
    fake, conn = railway
    project, _env, service = make_service(fake, conn)
    del fake.services[service.id]
    del fake.projects[project.id]
    assert ProjectProvider().read(project.id, out(project)).id is None
    assert ServiceProvider().read(service.id, out(service)).id is None
    assert fake.requests[-1].operation == "service"


def test_other_errors_on_read_still_fail(railway):
    fake, conn = railway
    project, _env, _service = make_service(fake, conn)
    fake.fail("project", "Not Authorized")
    with pytest.raises(RailwayApiError, match="Not Authorized"):
        ProjectProvider().read(project.id, out(project))


def test_team_projects_are_created_in_their_workspace(railway):
    fake, conn = railway
    created = ProjectProvider().create({**conn, "name": "nowry-dev", "workspace_id": "ws-123"})
    assert fake.projects[created.id]["workspaceId"] == "ws-123"
    olds = out(created)
    moved = ProjectProvider().diff(created.id, olds, {**conn, "name": "nowry-dev", "workspace_id": "ws-456"})
    assert moved.replaces == ["workspace_id"]


def test_429_and_5xx_are_retried_with_backoff_honouring_retry_after(railway):
    fake, conn = railway
    client = RailwayClient(token=TOKEN, endpoint=conn["endpoint"])
    fake.fail("projectCreate", "slow down", status=429, retry_after="7")
    fake.fail("projectCreate", "bad gateway", status=502, times=2)
    project_id, _env = client.create_project("nowry-dev")
    assert project_id in fake.projects
    assert fake.slept == [7.0, 2.0, 4.0]  # Retry-After first, then 1 s doubling (second and third attempt)
    assert fake.operations().count("projectCreate") == 4


def test_client_errors_are_not_retried(railway):
    fake, conn = railway
    fake.fail("projectCreate", "bad token", status=401)
    with pytest.raises(RailwayApiError, match="HTTP 401: bad token"):
        RailwayClient(token=TOKEN, endpoint=conn["endpoint"]).create_project("x")
    assert fake.operations().count("projectCreate") == 1 and fake.slept == []


def deployment_props(fake, conn, service_id: str, env: str, **extra: Any) -> dict[str, Any]:
    return {**conn, "service_id": service_id, "environment_id": env, "image": "ghcr.io/a/b:1",
            "variables_hashes": {"PORT": "h1"}, "timeout_seconds": 60, "interval": 1, **extra}  # fmt: skip


def test_a_deployment_starts_after_the_variables_and_waits_for_success(railway):
    fake, conn = railway
    project, env, service = make_service(fake, conn)
    VariablesProvider().create({**conn, "project_id": project.id, "environment_id": env, "service_id": service.id,
                                "variables": {"PORT": "8000"}})  # fmt: skip
    upsert = next(r for r in fake.requests if r.operation == "variableCollectionUpsert")
    assert upsert.variables["input"]["skipDeploys"] is True  # the deployment resource deploys, once
    created = DeploymentProvider().create(deployment_props(fake, conn, service.id, env))
    deployment = fake.deployments[out(created)["deployment_id"]]
    assert deployment["variables"] == {"PORT": "8000"} and deployment["image"] == "ghcr.io/a/b:1"
    assert fake.operations().count("deployment") == 3  # BUILDING, DEPLOYING, SUCCESS
    assert fake.slept == [1.0, 1.0]


def test_a_new_image_or_changed_variables_deploy_again_and_nothing_else_does(railway):
    fake, conn = railway
    _project, env, service = make_service(fake, conn)
    provider = DeploymentProvider()
    olds = out(provider.create(deployment_props(fake, conn, service.id, env)))
    same = deployment_props(fake, conn, service.id, env)
    assert provider.diff("d", olds, same).changes is False
    assert provider.diff("d", olds, {**same, "image": "ghcr.io/a/b:2"}).changes is True
    assert provider.diff("d", olds, {**same, "variables_hashes": {"PORT": "h2"}}).changes is True
    ServiceProvider().update(service.id, {}, {**conn, "project_id": "p", "environment_id": env, "name": "backend",
                                               "image": "ghcr.io/a/b:2"})  # fmt: skip
    updated = provider.update("d", olds, {**same, "image": "ghcr.io/a/b:2"})
    assert fake.deployments[out(updated)["deployment_id"]]["image"] == "ghcr.io/a/b:2"
    assert len(fake.deployments) == 2


def test_a_failed_deployment_fails_pulumi_up_with_railways_reason(railway):
    fake, conn = railway
    _project, env, service = make_service(fake, conn)
    fake.rollout = ["BUILDING", "FAILED"]
    fake.build_log = [
        {"message": "pulling image", "severity": "info", "timestamp": "t"},
        {"message": "manifest for ghcr.io/a/b:1 not found", "severity": "err", "timestamp": "t"},
    ]
    with pytest.raises(RailwayApiError) as caught:
        DeploymentProvider().create(deployment_props(fake, conn, service.id, env))
    assert "ended FAILED" in str(caught.value)
    assert "manifest for ghcr.io/a/b:1 not found" in str(caught.value)
    assert "pulling image" not in str(caught.value)


def test_a_deployment_that_never_finishes_fails_after_the_timeout(railway):
    fake, conn = railway
    _project, env, service = make_service(fake, conn)
    fake.rollout = ["BUILDING"]
    client = RailwayClient(token=TOKEN, endpoint=conn["endpoint"])
    deployment_id = client.deploy(service.id, env)
    now = iter(range(0, 1000, 10))
    with pytest.raises(RailwayApiError, match=r"still BUILDING after 30 s \(nowry:railway.deployTimeoutSeconds\)"):
        client.wait_for_deployment(deployment_id, timeout=30, interval=10, clock=lambda: float(next(now)))


def test_the_usage_limit_is_set_on_the_projects_customer_changed_in_place_and_removed(railway):
    fake, conn = railway
    fake.customers["ws-1"] = {"id": "cus-1", "currentUsage": 3.2, "usageLimit": None}
    project = ProjectProvider().create({**conn, "name": "nowry-dev", "workspace_id": "ws-1"})
    limit = UsageLimitProvider().create({**conn, "project_id": project.id, "soft_dollars": 15, "hard_dollars": None})
    assert limit.id == "cus-1"
    assert fake.customers["ws-1"]["usageLimit"]["softLimit"] == 15
    assert fake.customers["ws-1"]["usageLimit"]["hardLimit"] is None  # a hard limit only when asked
    raised = {**conn, "project_id": project.id, "soft_dollars": 15, "hard_dollars": 40}
    diff = UsageLimitProvider().diff(limit.id, out(limit), raised)
    assert diff.changes is True and diff.replaces == []
    UsageLimitProvider().update(limit.id, out(limit), raised)
    assert fake.customers["ws-1"]["usageLimit"]["hardLimit"] == 40
    UsageLimitProvider().delete(limit.id, raised)
    assert fake.customers["ws-1"]["usageLimit"] is None
    assert [op for op in fake.operations() if op.startswith("usageLimit")] == [
        "usageLimitSet",
        "usageLimitSet",
        "usageLimitRemove",
    ]


def test_a_project_in_no_workspace_cannot_take_a_usage_limit(railway):
    _fake, conn = railway
    project = ProjectProvider().create({**conn, "name": "nowry-dev"})
    with pytest.raises(RailwayApiError, match="belongs to no workspace: no usage limit can be set"):
        UsageLimitProvider().create({**conn, "project_id": project.id, "soft_dollars": 15, "hard_dollars": None})
