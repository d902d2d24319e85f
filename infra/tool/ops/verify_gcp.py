"""Post-deploy checks of a live gcp-phase stack, from its outputs: read-only calls to Google's REST APIs
(Cloud Run Admin v2, Compute Engine v1) and HTTP GETs through the load balancer.

Credentials: a bearer token in ``GOOGLE_OAUTH_ACCESS_TOKEN`` (the variable the Google provider itself
reads for an access token), e.g. ``$(gcloud auth print-access-token)``; the token needs read access only
(``roles/run.viewer``, ``roles/compute.viewer``). Plain ``urllib``: no Google client library in the
install. Every call has a timeout and a few retries with backoff; a platform that cannot be reached, or
that refuses the token, is an error naming it.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from infra.tool.ops.verify import PlatformError, Probe, _http

TOKEN_VARIABLE = "GOOGLE_OAUTH_ACCESS_TOKEN"
RUN_API = "https://run.googleapis.com"
COMPUTE_API = "https://compute.googleapis.com"
RETRIED = (429, 500, 502, 503, 504)


class GcpError(PlatformError):
    """A Google Cloud call failed for a reason the user can act on; the message says which and why."""


class Gcp:
    """Read-only JSON GETs to Google's APIs with a bearer token, bounded retries and timeouts;
    ``endpoint``: one base URL standing in for every API (a fake server in tests)."""

    def __init__(self, token: str | None = None, *, endpoint: str | None = None, timeout: float = 10.0,
                 attempts: int = 3, sleep: Callable[[float], None] = time.sleep) -> None:  # fmt: skip
        token = token if token is not None else os.environ.get(TOKEN_VARIABLE)
        if not token:
            example = f"{TOKEN_VARIABLE}=$(gcloud auth print-access-token)"
            raise GcpError(f"no Google Cloud credentials: set {TOKEN_VARIABLE} (e.g. {example}) to a read-only token")
        self._token, self.endpoint, self.timeout, self.attempts, self._sleep = token, endpoint, timeout, attempts, sleep

    def get(self, api: str, path: str) -> dict[str, Any]:
        """GET ``path`` of ``api`` (RUN_API or COMPUTE_API) as JSON."""
        base = (self.endpoint or api).rstrip("/")
        url = f"{base}/{path.lstrip('/')}"
        host = urllib.parse.urlsplit(api).netloc
        request = urllib.request.Request(
            url, headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json",
                          "User-Agent": "nowry-infra verify"},
        )  # fmt: skip
        for attempt in range(1, self.attempts + 1):
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read() or b"{}")
            except urllib.error.HTTPError as exc:
                if exc.code in RETRIED and attempt < self.attempts:
                    self._sleep(2 ** (attempt - 1))
                    continue
                raise GcpError(f"{host} answered HTTP {exc.code} for {path}: {_reason(exc)}") from None
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                if attempt < self.attempts:
                    self._sleep(2 ** (attempt - 1))
                    continue
                raise GcpError(f"cannot reach Google Cloud ({host}): {getattr(exc, 'reason', exc)}") from None
        raise AssertionError("unreachable")


def _reason(error: urllib.error.HTTPError) -> str:
    """Google's error body (``{"error": {"message", "status"}}``), or the HTTP reason."""
    try:
        body = json.loads(error.read() or b"{}").get("error") or {}
    except (ValueError, AttributeError):
        body = {}
    hint = " (check the token and its roles)" if error.code in (401, 403) else ""
    return f"{body.get('status') or error.reason}: {body.get('message') or ''}".rstrip(": ") + hint


def _service(gcp: Gcp, project: str, region: str, service: str) -> tuple[bool, str]:
    """Ready: the terminal condition ``Ready`` succeeded, nothing reconciling, the latest revision serving
    (run v2 ``GoogleCloudRunV2Service``)."""
    found = gcp.get(RUN_API, f"v2/projects/{project}/locations/{region}/services/{service}")
    condition = found.get("terminalCondition") or {}
    state = condition.get("state", "CONDITION_PENDING")
    latest, ready = found.get("latestCreatedRevision"), found.get("latestReadyRevision")
    ok = condition.get("type") == "Ready" and state == "CONDITION_SUCCEEDED" and not found.get("reconciling")
    ok = ok and latest == ready
    detail = f"{state}, revision {ready or 'none'} ready" + ("" if latest == ready else f" ({latest} rolling out)")
    if condition.get("message") and not ok:
        detail += f": {condition['message']}"
    return ok, detail


def _forwarding_rule(gcp: Gcp, project: str, rule: str, address: str | None) -> tuple[bool, str]:
    found = gcp.get(COMPUTE_API, f"compute/v1/projects/{project}/global/forwardingRules/{rule}")
    ip, port = found.get("IPAddress"), found.get("portRange")
    ok = bool(ip) and (address is None or ip == address) and found.get("loadBalancingScheme") == "EXTERNAL_MANAGED"
    return ok, f"{ip}:{port} ({found.get('loadBalancingScheme')})"


def _armor(gcp: Gcp, project: str, backend: str) -> tuple[bool, str]:
    found = gcp.get(COMPUTE_API, f"compute/v1/projects/{project}/global/backendServices/{backend}")
    policy = found.get("securityPolicy")
    return bool(policy), f"Cloud Armor {policy.rsplit('/', 1)[-1]}" if policy else "no Cloud Armor policy attached"


def probes(gcp: Gcp, outputs: Mapping[str, Any], http_timeout: float = 10.0) -> list[tuple[str, list[str], Probe]]:
    """(check name, outputs it needs, probe) for every check of a gcp-phase stack."""
    o = outputs
    return [
        ("Cloud Run service ready", ["gcpProject", "region", "serviceName"],
         lambda: _service(gcp, o["gcpProject"], o["region"], o["serviceName"])),
        ("load balancer forwarding rule", ["gcpProject", "forwardingRule"],
         lambda: _forwarding_rule(gcp, o["gcpProject"], o["forwardingRule"], o.get("loadBalancerIp"))),
        ("Cloud Armor on the API", ["gcpProject", "backendService"],
         lambda: _armor(gcp, o["gcpProject"], o["backendService"])),
        ("site answers", ["siteUrl"], lambda: _http(o["siteUrl"], http_timeout)),
        ("API health answers", ["apiHealthUrl"], lambda: _http(o["apiHealthUrl"], http_timeout)),
    ]  # fmt: skip


def is_gcp(outputs: Mapping[str, Any]) -> bool:
    """The outputs are a gcp-phase stack's."""
    return "gcpProject" in outputs
