"""A small Railway GraphQL server on 127.0.0.1 speaking the subset the provider uses.

It records every request (operation, document, variables, token) and can answer with an
error on demand: a GraphQL error, or an HTTP status.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OPERATION = re.compile(r"^\s*(?:mutation|query)\s+(\w+)")


@dataclass
class Recorded:
    operation: str
    document: str
    variables: dict[str, Any]
    token: str


@dataclass
class FakeRailway:
    requests: list[Recorded] = field(default_factory=list)
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    variables: dict[str, dict[str, str]] = field(default_factory=dict)
    domains: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: dict[str, tuple[int, str]] = field(default_factory=dict)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def fail(self, operation: str, message: str = "Not Authorized", status: int = 200) -> None:
        """Answer the next ``operation`` with an error (HTTP ``status``, or a GraphQL error)."""
        self.failures[operation] = (status, message)

    def operations(self) -> list[str]:
        return [r.operation for r in self.requests]

    def _id(self, kind: str) -> str:
        return f"{kind}-{next(self._ids)}"

    def answer(self, operation: str, v: dict[str, Any]) -> Any:
        if operation == "projectCreate":
            project_id, environment_id = self._id("project"), self._id("env")
            self.projects[project_id] = {
                "id": project_id,
                "name": v["input"]["name"],
                "env": environment_id,
            }
            edges = [{"node": {"id": environment_id, "name": "production"}}]
            return {"id": project_id, "name": v["input"]["name"], "environments": {"edges": edges}}
        if operation == "projectUpdate":
            self.projects[v["id"]]["name"] = v["input"]["name"]
            return {"id": v["id"], "name": v["input"]["name"]}
        if operation == "project":
            project = self.projects.get(v["id"])
            if project is None:
                return None
            edges = [{"node": {"id": project["env"], "name": "production"}}]
            return {"id": project["id"], "name": project["name"], "environments": {"edges": edges}}
        if operation == "projectDelete":
            return self.projects.pop(v["id"], None) is not None
        if operation == "serviceCreate":
            service_id = self._id("service")
            data = v["input"]
            self.services[service_id] = {
                "id": service_id,
                "name": data["name"],
                "image": data["source"]["image"],
                "projectId": data["projectId"],
            }
            return {"id": service_id, "name": data["name"]}
        if operation == "serviceInstanceUpdate":
            self.services[v["serviceId"]]["image"] = v["input"]["source"]["image"]
            return True
        if operation == "service":
            return self.services.get(v["id"])
        if operation == "serviceDelete":
            return self.services.pop(v["id"], None) is not None
        if operation == "variableCollectionUpsert":
            data = v["input"]
            self.variables.setdefault(data["serviceId"], {}).update(data["variables"])
            return True
        if operation == "variableDelete":
            data = v["input"]
            self.variables.get(data["serviceId"], {}).pop(data["name"], None)
            return True
        if operation == "variables":
            return dict(self.variables.get(v["serviceId"], {}))
        if operation == "serviceDomainCreate":
            domain_id = self._id("domain")
            self.domains[domain_id] = {
                "serviceId": v["input"]["serviceId"],
                "domain": f"{domain_id}.up.railway.app",
            }
            return {"id": domain_id, "domain": self.domains[domain_id]["domain"]}
        if operation == "serviceDomainDelete":
            return self.domains.pop(v["id"], None) is not None
        raise KeyError(operation)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeRailway

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        document, variables = body["query"], body.get("variables") or {}
        match = OPERATION.match(document)
        operation = match.group(1) if match else "?"
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        fake = self.server.fake  # type: ignore[attr-defined]
        fake.requests.append(Recorded(operation, document, variables, token))
        if operation in fake.failures:
            status, message = fake.failures.pop(operation)
            self._send(status, {"errors": [{"message": message}]})
            return
        try:
            self._send(200, {"data": {operation: fake.answer(operation, variables)}})
        except KeyError as exc:
            self._send(200, {"errors": [{"message": f"unknown: {exc}"}]})

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_: Any) -> None:
        pass


class FakeRailwayServer:
    """Context manager: ``with FakeRailwayServer() as (fake, endpoint): ...``."""

    def __enter__(self) -> tuple[FakeRailway, str]:
        self.fake = FakeRailway()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.fake = self.fake  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        host, port = self.server.server_address[:2]
        return self.fake, f"http://{host}:{port}/graphql/v2"

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
