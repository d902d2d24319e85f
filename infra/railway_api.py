"""A small client for Railway's public GraphQL API: the operations the Railway provider uses.

Every document here validates against Railway's published schema (the tests check each one
against it). What the schema says that this client relies on:
- the root fields ``project(id)``, ``service(id)`` and ``deployment(id)`` are non-null, so a
  missing object is a GraphQL error ("Project not found"), never ``null``: ``RailwayNotFound``;
- ``serviceInstanceUpdate`` changes a service's settings and deploys nothing:
  ``serviceInstanceDeployV2`` starts a deployment and returns its id, and ``deployment(id)``
  reports its ``status`` (a ``DeploymentStatus``);
- ``variableCollectionUpsert`` deploys by itself unless ``skipDeploys`` is set;
- ``projectCreate`` takes a ``workspaceId`` for team projects.
HTTP 429 and 5xx answers are retried with exponential backoff, honouring ``Retry-After``,
a bounded number of times.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

RAILWAY_ENDPOINT = "https://backboard.railway.com/graphql/v2"
RETRYABLE = (429, 500, 502, 503, 504)
NOT_FOUND = re.compile(r"\bnot found\b", re.IGNORECASE)
DEPLOYED = "SUCCESS"
DEPLOY_FAILED = ("FAILED", "CRASHED", "REMOVED", "SKIPPED")
"""Final ``DeploymentStatus`` values: the one that means it runs, and those that mean it does not."""


class RailwayApiError(Exception):
    """A Railway API call failed; the message names the operation and Railway's answer."""


class RailwayNotFound(RailwayApiError):
    """Railway answered that the object does not exist (deleted outside Pulumi)."""


PROJECT_CREATE = """mutation projectCreate($input: ProjectCreateInput!) {
  projectCreate(input: $input) { id name environments { edges { node { id name } } } }
}"""
PROJECT_UPDATE = """mutation projectUpdate($id: String!, $input: ProjectUpdateInput!) {
  projectUpdate(id: $id, input: $input) { id name }
}"""
PROJECT_DELETE = """mutation projectDelete($id: String!) { projectDelete(id: $id) }"""
DEPLOY = """mutation serviceInstanceDeployV2($serviceId: String!, $environmentId: String!) {
  serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId)
}"""
DEPLOYMENT_READ = """query deployment($id: String!) { deployment(id: $id) { id status } }"""
DEPLOYMENT_LOGS = """query buildLogs($deploymentId: String!, $limit: Int) {
  buildLogs(deploymentId: $deploymentId, limit: $limit) { message severity }
}"""
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
PROJECT_WORKSPACE = """query project($id: String!) { project(id: $id) { id workspaceId } }"""
WORKSPACE_CUSTOMER = (
    """query workspace($workspaceId: String!) { workspace(workspaceId: $workspaceId) { id customer { id } } }"""
)
USAGE_LIMIT_SET = """mutation usageLimitSet($input: UsageLimitSetInput!) { usageLimitSet(input: $input) }"""
USAGE_LIMIT_REMOVE = """mutation usageLimitRemove($input: UsageLimitRemoveInput!) { usageLimitRemove(input: $input) }"""
DOMAIN_DELETE = """mutation serviceDomainDelete($id: String!) { serviceDomainDelete(id: $id) }"""


@dataclass(frozen=True)
class RailwayClient:
    """Calls Railway's GraphQL endpoint with a bearer token. Never logs the token or variables."""

    token: str
    endpoint: str = RAILWAY_ENDPOINT
    timeout: float = 30.0
    retries: int = 4
    """How many times a 429 or 5xx answer is retried before the call fails."""
    backoff: float = 1.0
    """Seconds before the first retry; doubled for each next one (Retry-After wins when given)."""
    max_wait: float = 60.0
    """The longest single wait, whatever Retry-After says."""
    sleep: Callable[[float], None] = field(default=lambda seconds: time.sleep(seconds), compare=False)

    def call(self, operation: str, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        for attempt in range(self.retries + 1):
            try:
                payload = self._post(operation, document, variables)
                break
            except _Retryable as retry:
                if attempt == self.retries:
                    raise RailwayApiError(
                        f"Railway {operation} failed: HTTP {retry.status}{retry.detail} (after {self.retries} retries)"
                    ) from None
                wait = retry.retry_after if retry.retry_after is not None else self.backoff * 2**attempt
                self.sleep(min(max(wait, 0.0), self.max_wait))
        errors = payload.get("errors")
        if errors:
            messages = "; ".join(str(e.get("message", e)) for e in errors)
            error = RailwayNotFound if NOT_FOUND.search(messages) else RailwayApiError
            raise error(f"Railway {operation} failed: {messages}")
        data = payload.get("data")
        if not isinstance(data, dict):
            raise RailwayApiError(f"Railway {operation} failed: the answer had no data")
        return data

    def _post(self, operation: str, document: str, variables: dict[str, Any]) -> dict[str, Any]:
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
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            detail = _error_text(exc.read())
            if exc.code in RETRYABLE:
                raise _Retryable(exc.code, detail, _retry_after(exc.headers.get("Retry-After"))) from None
            raise RailwayApiError(f"Railway {operation} failed: HTTP {exc.code}{detail}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RailwayApiError(f"Railway {operation} failed: cannot reach {self.endpoint}: {reason}") from None
        except json.JSONDecodeError:
            raise RailwayApiError(f"Railway {operation} failed: the answer was not JSON") from None

    # --- projects -------------------------------------------------------------------------
    def create_project(self, name: str, workspace_id: str | None = None) -> tuple[str, str]:
        """Create a project (in a team's workspace when given); return its id and its default
        (production) environment id."""
        project_input = {"name": name, **({"workspaceId": workspace_id} if workspace_id else {})}
        data = self.call("projectCreate", PROJECT_CREATE, {"input": project_input})
        project = data["projectCreate"]
        return project["id"], _first_environment(project, "projectCreate")

    def rename_project(self, project_id: str, name: str) -> None:
        self.call("projectUpdate", PROJECT_UPDATE, {"id": project_id, "input": {"name": name}})

    def read_project(self, project_id: str) -> dict[str, Any] | None:
        """The project, or None when Railway says it does not exist."""
        try:
            return self.call("project", PROJECT_READ, {"id": project_id})["project"]
        except RailwayNotFound:
            return None

    def delete_project(self, project_id: str) -> None:
        self.call("projectDelete", PROJECT_DELETE, {"id": project_id})

    def project_customer(self, project_id: str) -> str:
        """The id of the billing customer the project's workspace belongs to (usage limits are set on it)."""
        workspace = self.call("project", PROJECT_WORKSPACE, {"id": project_id})["project"]["workspaceId"]
        if not workspace:
            raise RailwayApiError(f"Railway project {project_id} belongs to no workspace: no usage limit can be set")
        data = self.call("workspace", WORKSPACE_CUSTOMER, {"workspaceId": workspace})
        return data["workspace"]["customer"]["id"]

    # --- usage limits ---------------------------------------------------------------------
    def set_usage_limit(self, customer_id: str, soft_dollars: int, hard_dollars: int | None) -> None:
        """Email at ``soft_dollars`` of usage a month; at ``hard_dollars`` Railway sleeps every service."""
        limit = {"customerId": customer_id, "softLimitDollars": soft_dollars}
        if hard_dollars is not None:
            limit["hardLimitDollars"] = hard_dollars
        self.call("usageLimitSet", USAGE_LIMIT_SET, {"input": limit})

    def remove_usage_limit(self, customer_id: str) -> None:
        self.call("usageLimitRemove", USAGE_LIMIT_REMOVE, {"input": {"customerId": customer_id}})

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
        """The service, or None when Railway says it does not exist."""
        try:
            return self.call("service", SERVICE_READ, {"id": service_id})["service"]
        except RailwayNotFound:
            return None

    # --- deployments ----------------------------------------------------------------------
    def deploy(self, service_id: str, environment_id: str) -> str:
        """Start a deployment of the service's current settings; return the deployment id."""
        variables = {"serviceId": service_id, "environmentId": environment_id}
        return self.call("serviceInstanceDeployV2", DEPLOY, variables)["serviceInstanceDeployV2"]

    def deployment_status(self, deployment_id: str) -> str:
        return self.call("deployment", DEPLOYMENT_READ, {"id": deployment_id})["deployment"]["status"]

    def wait_for_deployment(
        self, deployment_id: str, timeout: float, interval: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> str:
        """Poll until the deployment succeeds (its status) or fails (RailwayApiError with
        Railway's status and the last lines of its build log), or ``timeout`` seconds pass."""
        deadline = clock() + timeout
        while True:
            status = self.deployment_status(deployment_id)
            if status == DEPLOYED:
                return status
            if status in DEPLOY_FAILED:
                raise RailwayApiError(f"Railway deployment {deployment_id} ended {status}{self._reason(deployment_id)}")
            if clock() >= deadline:
                raise RailwayApiError(
                    f"Railway deployment {deployment_id} is still {status} after {timeout:g} s "
                    "(nowry:railway.deployTimeoutSeconds); see it in Railway's dashboard"
                )
            self.sleep(interval)

    def _reason(self, deployment_id: str) -> str:
        try:
            logs = self.call("buildLogs", DEPLOYMENT_LOGS, {"deploymentId": deployment_id, "limit": 200})
        except RailwayApiError:
            return ""
        entries = [(str(e.get("message", "")).strip(), str(e.get("severity", "")).lower())
                   for e in logs.get("buildLogs") or []]  # fmt: skip
        errors = [message for message, severity in entries if severity in ("err", "error")]
        tail = [line[:200] for line in errors or [message for message, _ in entries] if line][-5:]
        return (": " + " | ".join(tail)) if tail else ""

    def delete_service(self, service_id: str) -> None:
        self.call("serviceDelete", SERVICE_DELETE, {"id": service_id})

    # --- variables ------------------------------------------------------------------------
    def upsert_variables(
        self, project_id: str, environment_id: str, service_id: str, variables: dict[str, str]
    ) -> None:
        """Set variables without deploying (``skipDeploys``): the deployment resource deploys
        once after every change, and waits for the outcome."""
        scope = {"projectId": project_id, "environmentId": environment_id, "serviceId": service_id}
        self.call(
            "variableCollectionUpsert",
            VARIABLES_UPSERT,
            {"input": {**scope, "variables": variables, "skipDeploys": True}},
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


class _Retryable(Exception):
    def __init__(self, status: int, detail: str, retry_after: float | None) -> None:
        self.status, self.detail, self.retry_after = status, detail, retry_after


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds (Railway sends seconds); None when absent or not a number."""
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _error_text(body: bytes) -> str:
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, ValueError):
        return ""
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if errors:
        return ": " + "; ".join(str(e.get("message", e)) for e in errors)
    return ""
