"""Atlas's limits, from the Atlas Administration API v2: storage, connections and operations.

Reads, for the cluster the stack outputs name (``atlasProjectId``, ``atlasCluster``), the
primary's measurements over the window (``GET /api/atlas/v2/groups/{groupId}/processes`` and
``.../processes/{processId}/measurements``, media type ``application/vnd.atlas.2023-01-01+json``):
- storage: on M0 and Flex ``DB_DATA_SIZE_TOTAL`` against the tier's storage limit (the limit
  counts data and indexes, so the share shown is a floor); on dedicated tiers
  ``DISK_PARTITION_SPACE_PERCENT_USED`` of the data partition against 100%;
- ``CONNECTIONS`` against the tier's limit less what Atlas keeps (``infra/limits.py``);
- operations per second (the sum of the ``OPCOUNTER_*`` measurements) against the tier's cap,
  where it has one.
Credentials, read-only (the Project Read Only role is enough), from the variables Atlas's own
tools read: a service account (``MONGODB_ATLAS_CLIENT_ID``, ``MONGODB_ATLAS_CLIENT_SECRET``;
OAuth 2.0 client credentials at ``/api/oauth/token``), or an API key pair
(``MONGODB_ATLAS_PUBLIC_KEY``/``MONGODB_ATLAS_PRIVATE_KEY``, or ``..._PUBLIC_API_KEY``/
``..._PRIVATE_API_KEY``; HTTP digest). ``MONGODB_ATLAS_BASE_URL`` points it elsewhere (a test's
fake). Each call has a timeout and 429/5xx answers are retried a bounded number of times.
"""

from __future__ import annotations

import base64
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from infra.limits import ATLAS_TIERS, GB, PERCENT, atlas_connection_limit
from infra.tool.ops.advise.headroom import Context, Headroom, PlatformError, Point, headroom

BASE_URL = "https://cloud.mongodb.com"
MEDIA = "application/vnd.atlas.2023-01-01+json"
RETRYABLE = (429, 500, 502, 503, 504)
SHARED_TIERS = ("M0", "FLEX")
OPCOUNTERS = (
    "OPCOUNTER_CMD",
    "OPCOUNTER_QUERY",
    "OPCOUNTER_INSERT",
    "OPCOUNTER_UPDATE",
    "OPCOUNTER_DELETE",
    "OPCOUNTER_GETMORE",
)


def _env(*names: str) -> str | None:
    return next((os.environ[n] for n in names if os.environ.get(n)), None)


@dataclass
class AtlasApi:
    """GETs against the Admin API with a service account's token or an API key pair (digest)."""

    base_url: str
    client_id: str | None = None
    client_secret: str | None = None
    public_key: str | None = None
    private_key: str | None = None
    timeout: float = 15.0
    retries: int = 3
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    _token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls) -> AtlasApi:
        api = cls(
            (os.environ.get("MONGODB_ATLAS_BASE_URL") or BASE_URL).rstrip("/"),
            _env("MONGODB_ATLAS_CLIENT_ID"),
            _env("MONGODB_ATLAS_CLIENT_SECRET"),
            _env("MONGODB_ATLAS_PUBLIC_KEY", "MONGODB_ATLAS_PUBLIC_API_KEY"),
            _env("MONGODB_ATLAS_PRIVATE_KEY", "MONGODB_ATLAS_PRIVATE_API_KEY"),
        )
        if not (api.client_id and api.client_secret) and not (api.public_key and api.private_key):
            raise PlatformError(
                "Atlas",
                "no credentials: set MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET (a service account with "
                "the Project Read Only role), or MONGODB_ATLAS_PUBLIC_KEY and MONGODB_ATLAS_PRIVATE_KEY",
            )
        return api

    def _opener(self) -> urllib.request.OpenerDirector:
        if self.client_id and self.client_secret:
            return urllib.request.build_opener()
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, self.base_url, self.public_key or "", self.private_key or "")
        return urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords))

    def _bearer(self) -> dict[str, str]:
        if not (self.client_id and self.client_secret):
            return {}
        if self._token is None:
            basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            request = urllib.request.Request(
                f"{self.base_url}/api/oauth/token",
                data=b"grant_type=client_credentials",
                method="POST",
                headers={
                    "Authorization": f"Basic {basic}",
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/json",
                },
            )
            self._token = str(self._send(request, "POST /api/oauth/token")["access_token"])
        return {"Authorization": f"Bearer {self._token}"}

    def get(self, path: str, query: list[tuple[str, str]] | None = None) -> dict[str, Any]:
        url = f"{self.base_url}/api/atlas/v2{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        request = urllib.request.Request(url, headers={"Accept": MEDIA, **self._bearer()})
        return self._send(request, f"GET {path}")

    def _send(self, request: urllib.request.Request, what: str) -> dict[str, Any]:
        opener = self._opener()
        for attempt in range(self.retries + 1):
            try:
                with opener.open(request, timeout=self.timeout) as answer:
                    return json.loads(answer.read() or b"{}")
            except urllib.error.HTTPError as exc:
                detail = _detail(exc.read())
                if exc.code in RETRYABLE and attempt < self.retries:
                    self.sleep(min(2.0**attempt, 30.0))
                    continue
                if exc.code in (401, 403):
                    raise PlatformError(
                        "Atlas", f"{what}: HTTP {exc.code}, the credentials were refused{detail}"
                    ) from None
                raise PlatformError("Atlas", f"{what}: HTTP {exc.code}{detail}") from None
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                raise PlatformError(
                    "Atlas", f"{what}: cannot reach {self.base_url} ({getattr(exc, 'reason', exc)})"
                ) from None
            except json.JSONDecodeError:
                raise PlatformError("Atlas", f"{what}: the answer was not JSON") from None
        raise PlatformError("Atlas", f"{what}: no answer after {self.retries} retries")  # pragma: no cover


def _detail(body: bytes) -> str:
    try:
        payload = json.loads(body)
    except ValueError:
        return ""
    if isinstance(payload, dict) and (payload.get("detail") or payload.get("errorCode")):
        return f" ({payload.get('errorCode', '')}: {payload.get('detail', '')})"
    return ""


def _points(answer: dict[str, Any], name: str) -> list[Point]:
    for measurement in answer.get("measurements") or []:
        if measurement.get("name") == name:
            return [
                Point(_time(p["timestamp"]), float(p["value"]))
                for p in measurement.get("dataPoints") or []
                if p.get("value") is not None
            ]
    return []


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _summed(series: list[list[Point]]) -> list[Point]:
    """Points of several series added up where they share a timestamp."""
    totals: dict[datetime, float] = {}
    for points in series:
        for point in points:
            totals[point.at] = totals.get(point.at, 0.0) + point.value
    return [Point(at, value) for at, value in sorted(totals.items())]


def read(context: Context) -> tuple[list[Headroom], list[str]]:
    project, cluster = context.outputs.get("atlasProjectId"), context.outputs.get("atlasCluster")
    if not project or not cluster:
        missing = " and ".join(k for k in ("atlasProjectId", "atlasCluster") if not context.outputs.get(k))
        return [], [f"Atlas: not read, the outputs have no {missing}"]
    return read_cluster(AtlasApi.from_env(), context, str(project), str(cluster)), []


def read_cluster(api: AtlasApi, context: Context, project: str, cluster: str) -> list[Headroom]:
    tier = context.config.atlas_tier
    processes = api.get(f"/groups/{project}/processes", [("itemsPerPage", "500")]).get("results") or []
    prefix = f"{cluster.lower()}-shard-"
    mine = [p for p in processes if str(p.get("userAlias") or p.get("hostname") or "").startswith(prefix)]
    if not mine:
        raise PlatformError("Atlas", f"no process of cluster {cluster} in project {project} (is atlasCluster right?)")
    primary = next((p for p in mine if p.get("typeName") == "REPLICA_PRIMARY"), mine[0])
    process = str(primary["id"])
    window = [("granularity", "PT1H"), ("period", f"P{context.days}D")]
    shared = tier in SHARED_TIERS
    names = ["CONNECTIONS", *(["DB_DATA_SIZE_TOTAL"] if shared else []), *OPCOUNTERS]
    answer = api.get(f"/groups/{project}/processes/{process}/measurements", [*(("m", n) for n in names), *window])
    limits = ATLAS_TIERS.get(tier)
    label = f"Atlas {tier} cluster {cluster}"
    rows = [
        headroom(
            "atlas.connections",
            label,
            "CONNECTIONS",
            "connections",
            _points(answer, "CONNECTIONS"),
            atlas_connection_limit(tier),
            source="infra/limits.py ATLAS_TIERS, less what Atlas keeps",
        )
    ]
    if shared:
        storage = headroom(
            "atlas.storage",
            label,
            "DB_DATA_SIZE_TOTAL",
            "GB",
            _points(answer, "DB_DATA_SIZE_TOTAL"),
            limits.storage_gb if limits else None,
            source="infra/limits.py ATLAS_TIERS",
            note="data only: the tier's limit counts indexes too",
        )
        storage.used = None if storage.used is None else storage.used / GB
        storage.slope = None if storage.slope is None else storage.slope / GB
        rows.insert(0, storage)
    else:
        disks = api.get(f"/groups/{project}/processes/{process}/disks").get("results") or []
        partition = str(disks[0]["partitionName"]) if disks else "data"
        disk = api.get(
            f"/groups/{project}/processes/{process}/disks/{partition}/measurements",
            [("m", "DISK_PARTITION_SPACE_PERCENT_USED"), *window],
        )
        rows.insert(
            0,
            headroom(
                "atlas.storage",
                label,
                "DISK_PARTITION_SPACE_PERCENT_USED",
                "%",
                _points(disk, "DISK_PARTITION_SPACE_PERCENT_USED"),
                PERCENT,
                note="Atlas grows the disk at 90% when storage auto-scaling is on",
            ),
        )
    cap = limits.ops_per_second if limits else None
    ops = _summed([_points(answer, n) for n in OPCOUNTERS])
    rows.append(
        headroom(
            "atlas.ops",
            label,
            "OPCOUNTER_* (sum)",
            "ops/s",
            ops,
            cap,
            note=None if cap else "no operations cap on this tier",
            source="infra/limits.py ATLAS_TIERS" if cap else None,
        )
    )
    return rows
