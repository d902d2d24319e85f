"""A fake of the Google Cloud APIs verify reads (Cloud Run Admin v2, Compute Engine v1) and of the load
balancer's front, on 127.0.0.1: every request's path and bearer token are checked against the methods of
Google's discovery documents, and every answer against their schemas (tests/data/google-discovery/)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DISCOVERY = Path(__file__).parent / "data" / "google-discovery"
METHODS = (
    ("run", re.compile(r"^/v2/projects/[^/]+/locations/[^/]+/services/[^/]+$"), "GoogleCloudRunV2Service"),
    ("compute", re.compile(r"^/compute/v1/projects/[^/]+/global/forwardingRules/[^/]+$"), "ForwardingRule"),
    ("compute", re.compile(r"^/compute/v1/projects/[^/]+/global/backendServices/[^/]+$"), "BackendService"),
)
"""(API, path of the method, the schema it returns): run.projects.locations.services.get, compute
globalForwardingRules.get and backendServices.get."""
TYPES = {"string": str, "boolean": bool, "array": list, "object": dict, "integer": int, "number": (int, float)}


def document(api: str) -> dict[str, Any]:
    name = {"run": "run.v2.json", "compute": "compute.v1.json"}[api]
    return json.loads((DISCOVERY / name).read_text())


def problems(value: Any, schema: dict[str, Any], doc: dict[str, Any], where: str = "$") -> list[str]:
    """Where ``value`` breaks a discovery schema: unknown fields, wrong types, values outside an enum
    (int64 fields are strings on the wire, as Google sends them)."""
    if "$ref" in schema:
        target = doc["schemas"].get(schema["$ref"])
        return [] if target is None else problems(value, target, doc, where)
    kind = schema.get("type")
    if kind == "string" and schema.get("format") in ("int64", "uint64"):
        return [] if isinstance(value, str) and value.lstrip("-").isdigit() else [f"{where}: not an int64 string"]
    expected = TYPES.get(kind or "")
    if expected is not None and not isinstance(value, expected):
        return [f"{where}: {type(value).__name__}, not {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} is not one of its enum"]
    found: list[str] = []
    if kind == "object" and "properties" in schema:
        for key, inner in value.items():
            if key not in schema["properties"]:
                found.append(f"{where}.{key}: no such field")
            else:
                found += problems(inner, schema["properties"][key], doc, f"{where}.{key}")
    elif kind == "array":
        for index, inner in enumerate(value):
            found += problems(inner, schema.get("items", {}), doc, f"{where}[{index}]")
    return found


def conforming(api: str, schema: str, value: dict[str, Any]) -> dict[str, Any]:
    """``value``, after checking it against the named schema: a fake never answers what Google would not."""
    doc = document(api)
    found = problems(value, {"type": "object", **doc["schemas"][schema]}, doc)
    assert found == [], found
    return value


class FakeGoogle:
    """Objects by path (answers validated when stored), the pages the load balancer serves, and the
    requests seen."""

    def __init__(self, token: str = "test-token") -> None:
        self.token = token
        self.objects: dict[str, dict[str, Any]] = {}
        self.pages: dict[str, tuple[int, str]] = {}
        self.requests: list[tuple[str, str | None]] = []

    def put(self, path: str, value: dict[str, Any]) -> None:
        api, _, schema = next(m for m in METHODS if m[1].match(path))
        self.objects[path] = conforming(api, schema, value)


def _handler(fake: FakeGoogle) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:
            pass

        def _send(self, code: int, body: dict[str, Any] | str, content: str = "application/json") -> None:
            data = (json.dumps(body) if isinstance(body, dict) else body).encode()
            self.send_response(code)
            self.send_header("Content-Type", content)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            fake.requests.append((path, self.headers.get("Authorization")))
            if path in fake.pages:
                code, text = fake.pages[path]
                return self._send(code, text, "text/html")
            if not any(m[1].match(path) for m in METHODS):
                return self._send(404, {"error": {"code": 404, "message": "no such method", "status": "NOT_FOUND"}})
            if self.headers.get("Authorization") != f"Bearer {fake.token}":
                return self._send(401, {"error": {"code": 401, "message": "Request had invalid authentication "
                                                  "credentials.", "status": "UNAUTHENTICATED"}})  # fmt: skip
            if path not in fake.objects:
                name = path.rsplit("/", 1)[-1]
                return self._send(404, {"error": {"code": 404, "message": f"Resource '{name}' was not found",
                                                  "status": "NOT_FOUND"}})  # fmt: skip
            return self._send(200, fake.objects[path])

    return Handler


@contextmanager
def google_server(fake: FakeGoogle) -> Iterator[str]:
    """The fake on 127.0.0.1 (a free port); yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
