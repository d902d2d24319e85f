"""The Railway dynamic providers against a local Railway-speaking server: create, read,
update, delete, diff, API failures, and secrets kept out of outputs and errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.managed.railway import (
    DomainProvider,
    ProjectProvider,
    ServiceProvider,
    VariablesProvider,
)
from components.managed.railway_api import RailwayApiError, RailwayClient
from tests.railway_fake import FakeRailwayServer

TOKEN = "railway-test-token"


def out(result: Any) -> dict[str, Any]:
    """A provider result's outputs (always present in these providers' results)."""
    assert result.outs is not None
    return result.outs


SECRET_VALUE = "gsk_live_0123456789abcdef"


@pytest.fixture
def railway():
    with FakeRailwayServer() as (fake, endpoint):
        yield fake, {"token": TOKEN, "endpoint": endpoint}


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
    fake.fail("variableCollectionUpsert", "rate limited", status=429)
    props = {**conn, "project_id": "p", "environment_id": env, "service_id": service.id,
             "variables": {"GROQ_API_KEY": SECRET_VALUE}}  # fmt: skip
    with pytest.raises(RailwayApiError) as caught:
        VariablesProvider().create(props)
    message = str(caught.value)
    assert "variableCollectionUpsert" in message and "429" in message
    assert SECRET_VALUE not in message and TOKEN not in message


def test_unreachable_endpoint_is_a_clear_error():
    client = RailwayClient(token=TOKEN, endpoint="http://127.0.0.1:9/graphql/v2", timeout=2)
    with pytest.raises(RailwayApiError, match="Railway projectCreate failed: cannot reach"):
        client.create_project("x")
