"""A Railway GraphQL server on 127.0.0.1 that behaves like Railway's for what the provider uses.

Every request is parsed, validated and executed against Railway's real public schema
(``tests/data/railway/schema.json``, from Railway's own CLI repository: see the README beside
it) with graphql-core, so a document or variables Railway would refuse are refused here too
(HTTP 400, recorded in ``rejected``). Root fields are answered by resolvers below; objects that
do not exist are answered with Railway's errors ("Project not found"), never ``null`` (the
schema's root fields are non-null). Errors can be injected: a GraphQL error, or an HTTP status
with an optional ``Retry-After``. Deployments go through the statuses given in ``rollout``.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from graphql import GraphQLError, GraphQLSchema, OperationDefinitionNode, build_client_schema, graphql_sync, parse

SCHEMA_FILE = Path(__file__).parent / "data" / "railway" / "schema.json"


@cache
def railway_schema() -> GraphQLSchema:
    """Railway's schema as Railway publishes it. graphql-core 3.3 refuses it as a schema
    ("Interface field Node.id is not deprecated, so implementation field Team.id must not be
    deprecated") though Railway's server serves it; the schema is marked as checked so that
    requests are still validated and executed against it exactly."""
    data = json.loads(SCHEMA_FILE.read_text())
    schema = build_client_schema(data.get("data", data))
    schema._validation_errors = []  # graphql-core's cache of the schema check
    return schema


@dataclass
class Recorded:
    operation: str
    document: str
    variables: dict[str, Any]
    token: str


@dataclass
class Failure:
    status: int
    message: str
    retry_after: str | None = None


@dataclass
class FakeRailway:
    requests: list[Recorded] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    """Validation errors of requests Railway's schema refuses."""
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    variables: dict[str, dict[str, str]] = field(default_factory=dict)
    domains: dict[str, dict[str, Any]] = field(default_factory=dict)
    deployments: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    rollout: list[str] = field(default_factory=lambda: ["BUILDING", "DEPLOYING", "SUCCESS"])
    """The statuses a new deployment reports, one per ``deployment`` query; the last one stays."""
    build_log: list[dict[str, str]] = field(default_factory=list)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Workspace id -> its ``Customer`` (``currentUsage`` in dollars, ``billingPeriod``, ``usageLimit``)."""
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def fail(self, operation: str, message: str = "Not Authorized", status: int = 200, *, times: int = 1,
             retry_after: str | None = None) -> None:  # fmt: skip
        """Answer the next ``times`` ``operation`` requests with an error (HTTP ``status``, or a
        GraphQL error with HTTP 200)."""
        self.failures.setdefault(operation, []).extend(Failure(status, message, retry_after) for _ in range(times))

    def operations(self) -> list[str]:
        return [r.operation for r in self.requests]

    def _id(self, kind: str) -> str:
        return f"{kind}-{next(self._ids)}"

    # --- resolvers, one per root field ------------------------------------------------------
    def root(self) -> dict[str, Callable[..., Any]]:
        return {
            "projectCreate": self._project_create,
            "projectUpdate": self._project_update,
            "project": self._project,
            "projectDelete": self._project_delete,
            "serviceCreate": self._service_create,
            "serviceInstanceUpdate": self._service_instance_update,
            "service": self._service,
            "serviceDelete": self._service_delete,
            "serviceInstanceDeployV2": self._deploy,
            "deployment": self._deployment,
            "buildLogs": lambda _info, **_args: list(self.build_log),
            "variableCollectionUpsert": self._variables_upsert,
            "variableDelete": self._variable_delete,
            "variables": lambda _info, **a: dict(self.variables.get(a.get("serviceId") or "", {})),
            "serviceDomainCreate": self._domain_create,
            "serviceDomainDelete": lambda _info, id: self.domains.pop(id, None) is not None,
            "workspace": self._workspace,
            "usageLimitSet": self._usage_limit_set,
            "usageLimitRemove": self._usage_limit_remove,
        }

    def _customer(self, customer_id: str) -> dict[str, Any]:
        for customer in self.customers.values():
            if customer.get("id") == customer_id:
                return customer
        raise GraphQLError("Customer not found")

    def _usage_limit_set(self, _info: Any, input: dict[str, Any]) -> bool:
        customer = self._customer(input["customerId"])
        customer["usageLimit"] = {
            "id": f"limit-{customer['id']}", "customerId": customer["id"], "isOverLimit": False,
            "softLimit": input["softLimitDollars"], "hardLimit": input.get("hardLimitDollars"),
        }  # fmt: skip
        return True

    def _usage_limit_remove(self, _info: Any, input: dict[str, Any]) -> bool:
        self._customer(input["customerId"])["usageLimit"] = None
        return True

    def _workspace(self, _info: Any, workspaceId: str) -> dict[str, Any]:
        customer = self._existing(self.customers, "Workspace", workspaceId)
        return {"id": workspaceId, "customer": customer}

    def _project_view(self, project: dict[str, Any]) -> dict[str, Any]:
        edges = [{"node": {"id": project["env"], "name": "production"}}]
        return {"id": project["id"], "name": project["name"], "environments": {"edges": edges},
                "workspaceId": project.get("workspaceId")}  # fmt: skip

    def _project_create(self, _info: Any, input: dict[str, Any]) -> dict[str, Any]:
        project_id, environment_id = self._id("project"), self._id("env")
        self.projects[project_id] = {
            "id": project_id,
            "name": input.get("name"),
            "env": environment_id,
            "workspaceId": input.get("workspaceId"),
        }
        return self._project_view(self.projects[project_id])

    def _existing(self, table: dict[str, dict[str, Any]], kind: str, id_: str) -> dict[str, Any]:
        if id_ not in table:
            raise GraphQLError(f"{kind} not found")
        return table[id_]

    def _project(self, _info: Any, id: str) -> dict[str, Any]:
        return self._project_view(self._existing(self.projects, "Project", id))

    def _project_update(self, _info: Any, id: str, input: dict[str, Any]) -> dict[str, Any]:
        project = self._existing(self.projects, "Project", id)
        project["name"] = input.get("name", project["name"])
        return {"id": id, "name": project["name"]}

    def _project_delete(self, _info: Any, id: str) -> bool:
        self._existing(self.projects, "Project", id)
        del self.projects[id]
        return True

    def _service_create(self, _info: Any, input: dict[str, Any]) -> dict[str, Any]:
        self._existing(self.projects, "Project", input["projectId"])
        service_id = self._id("service")
        self.services[service_id] = {
            "id": service_id,
            "name": input.get("name"),
            "image": (input.get("source") or {}).get("image"),
            "projectId": input["projectId"],
        }
        return {"id": service_id, "name": input.get("name")}

    def _service_instance_update(self, _info: Any, serviceId: str, input: dict[str, Any], **_: Any) -> bool:
        service = self._existing(self.services, "Service", serviceId)
        if "source" in input:
            service["image"] = (input["source"] or {}).get("image")
        return True

    def _service(self, _info: Any, id: str) -> dict[str, Any]:
        service = self._existing(self.services, "Service", id)
        return {"id": service["id"], "name": service["name"], "projectId": service["projectId"]}

    def _service_delete(self, _info: Any, id: str, **_: Any) -> bool:
        self._existing(self.services, "Service", id)
        del self.services[id]
        return True

    def _deploy(self, _info: Any, serviceId: str, environmentId: str, **_: Any) -> str:
        service = self._existing(self.services, "Service", serviceId)
        deployment_id = self._id("deployment")
        self.deployments[deployment_id] = {
            "serviceId": serviceId,
            "environmentId": environmentId,
            "image": service["image"],
            "variables": dict(self.variables.get(serviceId, {})),
            "statuses": list(self.rollout),
        }
        return deployment_id

    def _deployment(self, _info: Any, id: str) -> dict[str, Any]:
        deployment = self._existing(self.deployments, "Deployment", id)
        statuses = deployment["statuses"]
        status = statuses.pop(0) if len(statuses) > 1 else statuses[0]
        return {"id": id, "status": status}

    def _variables_upsert(self, _info: Any, input: dict[str, Any]) -> bool:
        service_id = input.get("serviceId") or ""
        self._existing(self.services, "Service", service_id)
        self.variables.setdefault(service_id, {}).update(input["variables"])
        return True

    def _variable_delete(self, _info: Any, input: dict[str, Any]) -> bool:
        self.variables.get(input.get("serviceId") or "", {}).pop(input["name"], None)
        return True

    def _domain_create(self, _info: Any, input: dict[str, Any]) -> dict[str, Any]:
        self._existing(self.services, "Service", input["serviceId"])
        domain_id = self._id("domain")
        self.domains[domain_id] = {"serviceId": input["serviceId"], "domain": f"{domain_id}.up.railway.app"}
        return {"id": domain_id, "domain": self.domains[domain_id]["domain"]}


def operation_name(document: str) -> str:
    """The name of the document's first operation, or '?' when it cannot be parsed."""
    try:
        parsed = parse(document)
    except GraphQLError:
        return "?"
    for definition in parsed.definitions:
        if isinstance(definition, OperationDefinitionNode) and definition.name:
            return definition.name.value
    return "?"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        document, variables = body["query"], body.get("variables") or {}
        operation = operation_name(document)
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        fake: FakeRailway = self.server.fake  # type: ignore[attr-defined]
        fake.requests.append(Recorded(operation, document, variables, token))
        queued = fake.failures.get(operation)
        if queued:
            failure = queued.pop(0)
            headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
            self._send(failure.status, {"errors": [{"message": failure.message}]}, headers)
            return
        result = graphql_sync(railway_schema(), document, root_value=fake.root(), variable_values=variables)
        if result.errors and result.data is None and not _raised_by_resolver(result.errors):
            fake.rejected += [error.message for error in result.errors]
            self._send(400, {"errors": [{"message": e.message} for e in result.errors]})
            return
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [{"message": e.message, "path": e.path} for e in result.errors]
        self._send(200, payload)

    def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_: Any) -> None:
        pass


def _raised_by_resolver(errors: list[GraphQLError]) -> bool:
    """Errors from executing a valid request carry a path; validation errors do not."""
    return all(error.path for error in errors)


class FakeRailwayServer:
    """Context manager: ``with FakeRailwayServer() as (fake, endpoint): ...``."""

    def __enter__(self) -> tuple[FakeRailway, str]:
        self.fake = FakeRailway()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.fake = self.fake  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()
        host, port = self.server.server_address[:2]
        return self.fake, f"http://{host}:{port}/graphql/v2"

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
