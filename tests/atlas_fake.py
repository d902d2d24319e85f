"""An Atlas Administration API server on 127.0.0.1 that checks itself against Atlas's published spec.

Every request is matched to an operation of ``tests/data/atlas/openapi-subset.json`` (method and
path template; operation ids change between spec versions, paths do not), and its path and query
parameters and ``Accept`` media type are validated against the operation's parameters: a request
Atlas would refuse is answered 400 and recorded in ``rejected``. Every answer body is validated
against the operation's response schema before it is sent: an answer the spec does not allow is
recorded in ``invalid`` (a bug in the fake or the test's data) and answered 500.
Authentication is a service account's (OAuth 2.0 client credentials, RFC 6749 section 4.4, at
``POST /api/oauth/token``, the spec's ``tokenUrl``): a request without its bearer token gets 401.

The spec needs four patches before a JSON-Schema validator can check bodies against it; each is
applied in ``prepare`` with its reason.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from jsonschema import validators
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC_FILE = Path(__file__).parent / "data" / "atlas" / "openapi-subset.json"
URN = "urn:atlas-subset"
CLIENT_ID, CLIENT_SECRET, TOKEN = "mdb_sa_id_test", "mdb_sa_sk_test", "atlas-test-access-token"


def _any_of_for_plain_one_of(node: Any) -> None:
    """Patch 3: a ``oneOf`` without a discriminator is read as ``anyOf``: its branches are open
    objects or overlapping enums (hardware specs of three clouds; region names two clouds share),
    so an honest body matches several. Patch 4: a schema typed ``object`` beside a ``oneOf`` of
    string enums (``regionName``) loses the ``type``: the spec types a region name as an object."""
    if isinstance(node, dict):
        if "oneOf" in node and "discriminator" not in node:
            branches = node.pop("oneOf")
            node["anyOf"] = branches
            if node.get("type") == "object" and all(
                isinstance(b, dict) and b.get("type") == "string" for b in branches
            ):
                node.pop("type")
        for value in node.values():
            _any_of_for_plain_one_of(value)
    elif isinstance(node, list):
        for value in node:
            _any_of_for_plain_one_of(value)


def prepare(raw: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(raw)
    schemas = spec["components"]["schemas"]
    _any_of_for_plain_one_of(spec)
    for name, schema in list(schemas.items()):
        disc = schema.get("discriminator")
        if not disc:
            continue
        # Patch 1: a discriminated parent whose children ``allOf`` the parent is, as plain JSON
        # Schema, an endless $ref cycle: the parent dispatches on the discriminator instead of its
        # oneOf, and the children refer to a copy of the parent without the dispatch.
        schemas[name + "__base"] = {k: v for k, v in schema.items() if k not in ("discriminator", "oneOf", "anyOf")}
        schema.pop("oneOf", None)
        parent, back_referenced = f"#/components/schemas/{name}", False
        for target in (disc.get("mapping") or {}).values():
            for part in schemas[target.rsplit("/", 1)[1]].get("allOf", []):
                if part.get("$ref") == parent:
                    part["$ref"], back_referenced = parent + "__base", True
        if not back_referenced:
            # Patch 2: where the mapped views do not extend the parent (metric thresholds), only the
            # mapped view applies: the parent's own `units` enum ("KB", "MB") contradicts the views'.
            schema.pop("properties", None)
            schema.pop("required", None)
    return spec


def _discriminator(validator: Any, disc: dict[str, Any], instance: Any, _schema: Any) -> Any:
    if not validator.is_type(instance, "object") or disc["propertyName"] not in instance:
        return
    mapping = disc.get("mapping") or {}
    target = mapping.get(instance[disc["propertyName"]])
    if target is None:
        if mapping:
            yield ValidationError(
                f"{disc['propertyName']}={instance[disc['propertyName']]!r} is not one of {sorted(mapping)}"
            )
        return
    yield from validator.descend(instance, {"$ref": URN + target})


Validator = validators.extend(OAS30Validator, {"discriminator": _discriminator})


@cache
def atlas_spec() -> dict[str, Any]:
    return prepare(json.loads(SPEC_FILE.read_text()))


@cache
def _registry() -> Registry:
    return Registry().with_resource(URN, Resource(contents=atlas_spec(), specification=DRAFT4))


def errors(schema: dict[str, Any], value: Any) -> list[str]:
    """What is wrong with ``value`` under ``schema`` (which may ``$ref`` the spec's components)."""
    resolved = json.loads(json.dumps(schema).replace('"#/components/', f'"{URN}#/components/'))
    validator = Validator(resolved, registry=_registry())
    return [f"{list(e.absolute_path)}: {e.message[:300]}" for e in validator.iter_errors(value)]


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if not ref:
        return node
    found: Any = atlas_spec()
    for part in ref.removeprefix("#/").split("/"):
        found = found[part]
    return found


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    parameters: tuple[dict[str, Any], ...]
    media: str | None
    schema: dict[str, Any] | None


@cache
def operations() -> tuple[Operation, ...]:
    found = []
    for template, methods in atlas_spec()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$")
        for method, op in methods.items():
            if method not in ("get", "post", "delete", "patch"):
                continue
            content = next(iter(op["responses"].get("200", {}).get("content", {}).items()), None)
            media, schema = (content[0], content[1]["schema"]) if content else (None, None)
            params = tuple(_resolve(p) for p in op.get("parameters", []))
            found.append(Operation(method.upper(), template, pattern, params, media, schema))
    return tuple(found)


def _typed(schema: dict[str, Any], text: str) -> Any:
    kind = schema.get("type")
    if kind == "integer":
        return int(text) if re.fullmatch(r"-?\d+", text) else text
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, text)
    return text


def check_request(op: Operation, path_values: dict[str, str], query: dict[str, list[str]], accept: str) -> list[str]:
    """What Atlas would refuse in the request: parameters against their schemas, the media type."""
    problems = []
    known = {p["name"] for p in op.parameters}
    problems += [f"query parameter {name!r} is not in the spec" for name in query if name not in known]
    for param in op.parameters:
        name, schema, where = param["name"], param.get("schema", {}), param["in"]
        if where == "path":
            given: Any = path_values.get(name)
        elif where == "query" and name in query:
            values = query[name]
            given = (
                [_typed(schema.get("items", {}), v) for v in values]
                if schema.get("type") == "array"
                else _typed(schema, values[-1])
            )
        else:
            given = None
        if given is None:
            if param.get("required"):
                problems.append(f"{where} parameter {name!r} is required")
            continue
        problems += [f"{where} parameter {name!r}: {e}" for e in errors(schema, given)]
    if op.media and op.media not in accept:
        problems.append(f"Accept {accept!r}: the operation answers {op.media}")
    return problems


@dataclass
class FakeAtlas:
    processes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Project id -> its processes (``ApiHostView_Atlas``)."""
    series: dict[tuple[str, str], list[tuple[datetime, float]]] = field(default_factory=dict)
    """(process id, measurement) -> points; disk measurements under ``process id/partition``."""
    disks: dict[str, list[str]] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    tokens_issued: int = 0

    def add_cluster(self, project: str, cluster: str, *, primary: str = "00-00") -> str:
        """Three processes of a replica set; returns the primary's id (``host:port``)."""
        members = []
        for index, member in enumerate(("00-00", "00-01", "00-02")):
            host = f"{cluster.lower()}-shard-{member}.ab12c.mongodb.net"
            members.append(
                {
                    "id": f"{host}:27017",
                    "hostname": host,
                    "port": 27017,
                    "groupId": project,
                    "typeName": "REPLICA_PRIMARY" if member == primary else "REPLICA_SECONDARY",
                    "replicaSetName": f"atlas-{cluster.lower()}-shard-0",
                    "userAlias": host,
                    "version": "8.0.4",
                    "created": "2026-01-01T00:00:00Z",
                    "lastPing": "2026-12-01T00:00:00Z",
                }
            )
            del index
        self.processes.setdefault(project, []).extend(members)
        return next(m["id"] for m in members if m["typeName"] == "REPLICA_PRIMARY")

    def put(
        self,
        process: str,
        measurement: str,
        values: list[float],
        *,
        units: str,
        now: datetime | None = None,
        step: timedelta = timedelta(days=1),
    ) -> None:
        """One point per ``step``, the last an hour before ``now``, oldest first."""
        now = now or datetime.now(UTC)
        count = len(values)
        self.series[(process, measurement)] = [
            (now - timedelta(hours=1) - step * (count - 1 - i), v) for i, v in enumerate(values)
        ]
        self.units[measurement] = units

    # --- answers -----------------------------------------------------------------------------
    def answer(self, op: Operation, values: dict[str, str], query: dict[str, list[str]]) -> tuple[int, Any]:
        group = values.get("groupId", "")
        if op.template.endswith("/processes"):
            if group not in self.processes:
                return 404, _error(404, "GROUP_NOT_FOUND", f"No group with ID {group} exists.")
            results = self.processes[group]
            return 200, {"links": [], "results": results, "totalCount": len(results)}
        if op.template.endswith("/disks"):
            names = self.disks.get(values["processId"], ["data"])
            return 200, {"links": [], "results": [{"partitionName": n} for n in names], "totalCount": len(names)}
        if op.template.endswith("/measurements"):
            key = values["processId"] + (f"/{values['partitionName']}" if "partitionName" in values else "")
            if not any(p["id"] == values["processId"] for p in self.processes.get(group, [])):
                return 404, _error(404, "PROCESS_NOT_FOUND", f"No process {values['processId']} in group {group}.")
            now = datetime.now(UTC)
            measurements = []
            for name in query.get("m", []):
                points = self.series.get((key, name), [])
                measurements.append(
                    {
                        "name": name,
                        "units": self.units.get(name, "SCALAR"),
                        "dataPoints": [{"timestamp": _iso(t), "value": v} for t, v in points],
                    }
                )
            body = {
                "groupId": group,
                "processId": values["processId"],
                "hostId": values["processId"],
                "granularity": query["granularity"][-1],
                "start": _iso(now - timedelta(days=14)),
                "end": _iso(now),
                "measurements": measurements,
                "links": [],
            }
            if "partitionName" in values:
                body["partitionName"] = values["partitionName"]
            return 200, body
        return 404, _error(404, "RESOURCE_NOT_FOUND", "Not in the fake.")


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _error(status: int, code: str, detail: str) -> dict[str, Any]:
    """Atlas's error body (``ApiError``): ``error``, ``errorCode``, ``detail``, ``reason``."""
    return {"error": status, "errorCode": code, "detail": detail, "reason": "Not Found", "parameters": []}


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        fake: FakeAtlas = self.server.fake  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if urlsplit(self.path).path != "/api/oauth/token":
            self._send(405, _error(405, "METHOD_NOT_ALLOWED", "advise only reads"))
            return
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        form = parse_qs(body)
        if self.headers.get("Authorization") != expected or form.get("grant_type") != ["client_credentials"]:
            self._send(401, {"error": "invalid_client"})
            return
        fake.tokens_issued += 1
        self._send(200, {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600})

    def do_GET(self) -> None:
        fake: FakeAtlas = self.server.fake  # type: ignore[attr-defined]
        url = urlsplit(self.path)
        fake.requests.append(url.path)
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._send(401, _error(401, "UNAUTHORIZED", "You are not authorized for this resource."))
            return
        query = parse_qs(url.query, keep_blank_values=True)
        for op in operations():
            match = op.pattern.match(url.path)
            if op.method == "GET" and match:
                problems = check_request(op, match.groupdict(), query, self.headers.get("Accept", ""))
                if problems:
                    fake.rejected += problems
                    self._send(400, _error(400, "INVALID_PARAMETER", "; ".join(problems)))
                    return
                status, body = fake.answer(op, match.groupdict(), query)
                if status == 200 and op.schema is not None:
                    wrong = errors(op.schema, body)
                    if wrong:
                        fake.invalid += wrong
                        self._send(500, _error(500, "UNEXPECTED_ERROR", "; ".join(wrong)))
                        return
                self._send(status, body, op.media)
                return
        self._send(404, _error(404, "RESOURCE_NOT_FOUND", f"No operation at {url.path}."))

    def _send(self, status: int, payload: Any, media: str | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", media or "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_: Any) -> None:
        pass


class FakeAtlasServer:
    """Context manager: ``with FakeAtlasServer() as (fake, base_url): ...``."""

    def __enter__(self) -> tuple[FakeAtlas, str]:
        self.fake = FakeAtlas()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.fake = self.fake  # type: ignore[attr-defined]
        threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True).start()
        host, port = self.server.server_address[:2]
        return self.fake, f"http://{host}:{port}"

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
