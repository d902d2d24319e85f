"""A small client for Railway's public GraphQL API: the operations the Railway provider uses."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

RAILWAY_ENDPOINT = "https://backboard.railway.com/graphql/v2"


class RailwayApiError(Exception):
    """A Railway API call failed; the message names the operation and Railway's answer."""


PROJECT_CREATE = """mutation projectCreate($input: ProjectCreateInput!) {
  projectCreate(input: $input) { id name environments { edges { node { id name } } } }
}"""
PROJECT_UPDATE = """mutation projectUpdate($id: String!, $input: ProjectUpdateInput!) {
  projectUpdate(id: $id, input: $input) { id name }
}"""
PROJECT_DELETE = """mutation projectDelete($id: String!) { projectDelete(id: $id) }"""
PROJECT_READ = """query project($id: String!) {
  project(id: $id) { id name environments { edges { node { id name } } } }
}"""
SERVICE_CREATE = """mutation serviceCreate($input: ServiceCreateInput!) {
  serviceCreate(input: $input) { id name }
}"""
SERVICE_INSTANCE_UPDATE = """mutation serviceInstanceUpdate(
  $serviceId: String!, $environmentId: String, $input: ServiceInstanceUpdateInput!
) {
  serviceInstanceUpdate(serviceId: $serviceId, environmentId: $environmentId, input: $input)
}"""
SERVICE_DELETE = """mutation serviceDelete($id: String!) { serviceDelete(id: $id) }"""
SERVICE_READ = """query service($id: String!) { service(id: $id) { id name projectId } }"""
VARIABLES_UPSERT = """mutation variableCollectionUpsert($input: VariableCollectionUpsertInput!) {
  variableCollectionUpsert(input: $input)
}"""
VARIABLE_DELETE = """mutation variableDelete($input: VariableDeleteInput!) { variableDelete(input: $input) }"""
VARIABLES_READ = """query variables(
  $projectId: String!, $environmentId: String!, $serviceId: String
) {
  variables(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId)
}"""
DOMAIN_CREATE = """mutation serviceDomainCreate($input: ServiceDomainCreateInput!) {
  serviceDomainCreate(input: $input) { id domain }
}"""
DOMAIN_DELETE = """mutation serviceDomainDelete($id: String!) { serviceDomainDelete(id: $id) }"""


@dataclass(frozen=True)
class RailwayClient:
    """Calls Railway's GraphQL endpoint with a bearer token. Never logs the token or variables."""

    token: str
    endpoint: str = RAILWAY_ENDPOINT
    timeout: float = 30.0

    def call(self, operation: str, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps({"query": document, "variables": variables}).encode()
        request = urllib.request.Request(
            self.endpoint,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.token}",
                "User-Agent": "nowry-infra",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            detail = _error_text(exc.read())
            raise RailwayApiError(f"Railway {operation} failed: HTTP {exc.code}{detail}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RailwayApiError(f"Railway {operation} failed: cannot reach {self.endpoint}: {reason}") from None
        except json.JSONDecodeError:
            raise RailwayApiError(f"Railway {operation} failed: the answer was not JSON") from None
        errors = payload.get("errors")
        if errors:
            messages = "; ".join(str(e.get("message", e)) for e in errors)
            raise RailwayApiError(f"Railway {operation} failed: {messages}")
        data = payload.get("data")
        if not isinstance(data, dict):
            raise RailwayApiError(f"Railway {operation} failed: the answer had no data")
        return data

    # --- projects -------------------------------------------------------------------------
    def create_project(self, name: str) -> tuple[str, str]:
        """Create a project; return its id and its default (production) environment id."""
        data = self.call("projectCreate", PROJECT_CREATE, {"input": {"name": name}})
        project = data["projectCreate"]
        return project["id"], _first_environment(project, "projectCreate")

    def rename_project(self, project_id: str, name: str) -> None:
        self.call("projectUpdate", PROJECT_UPDATE, {"id": project_id, "input": {"name": name}})

    def read_project(self, project_id: str) -> dict[str, Any] | None:
        return self.call("project", PROJECT_READ, {"id": project_id}).get("project")

    def delete_project(self, project_id: str) -> None:
        self.call("projectDelete", PROJECT_DELETE, {"id": project_id})

    # --- services -------------------------------------------------------------------------
    def create_service(self, project_id: str, name: str, image: str) -> str:
        data = self.call(
            "serviceCreate",
            SERVICE_CREATE,
            {"input": {"projectId": project_id, "name": name, "source": {"image": image}}},
        )
        return data["serviceCreate"]["id"]

    def set_service_image(self, service_id: str, environment_id: str, image: str) -> None:
        self.call(
            "serviceInstanceUpdate",
            SERVICE_INSTANCE_UPDATE,
            {
                "serviceId": service_id,
                "environmentId": environment_id,
                "input": {"source": {"image": image}},
            },
        )

    def read_service(self, service_id: str) -> dict[str, Any] | None:
        return self.call("service", SERVICE_READ, {"id": service_id}).get("service")

    def delete_service(self, service_id: str) -> None:
        self.call("serviceDelete", SERVICE_DELETE, {"id": service_id})

    # --- variables ------------------------------------------------------------------------
    def upsert_variables(
        self, project_id: str, environment_id: str, service_id: str, variables: dict[str, str]
    ) -> None:
        scope = {"projectId": project_id, "environmentId": environment_id, "serviceId": service_id}
        self.call(
            "variableCollectionUpsert",
            VARIABLES_UPSERT,
            {"input": {**scope, "variables": variables}},
        )

    def delete_variable(self, project_id: str, environment_id: str, service_id: str, name: str) -> None:
        scope = {"projectId": project_id, "environmentId": environment_id, "serviceId": service_id}
        self.call("variableDelete", VARIABLE_DELETE, {"input": {**scope, "name": name}})

    def read_variables(self, project_id: str, environment_id: str, service_id: str) -> dict[str, str]:
        scope = {"projectId": project_id, "environmentId": environment_id, "serviceId": service_id}
        return self.call("variables", VARIABLES_READ, scope).get("variables") or {}

    # --- domains --------------------------------------------------------------------------
    def create_domain(self, service_id: str, environment_id: str) -> tuple[str, str]:
        data = self.call(
            "serviceDomainCreate",
            DOMAIN_CREATE,
            {"input": {"serviceId": service_id, "environmentId": environment_id}},
        )
        domain = data["serviceDomainCreate"]
        return domain["id"], domain["domain"]

    def delete_domain(self, domain_id: str) -> None:
        self.call("serviceDomainDelete", DOMAIN_DELETE, {"id": domain_id})


def _first_environment(project: dict[str, Any], operation: str) -> str:
    edges = (project.get("environments") or {}).get("edges") or []
    if not edges:
        raise RailwayApiError(f"Railway {operation} failed: the project has no environment")
    production = [e["node"] for e in edges if e["node"].get("name") == "production"]
    return (production or [edges[0]["node"]])[0]["id"]


def _error_text(body: bytes) -> str:
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, ValueError):
        return ""
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if errors:
        return ": " + "; ".join(str(e.get("message", e)) for e in errors)
    return ""
