"""Railway's limits, from its public GraphQL API: the month's usage against the plan's included credit.

Reads the project the outputs name (``railwayProjectId``) for its workspace, then the workspace's
customer: ``currentUsage`` (dollars this billing period, as Railway's CLI reads it),
``billingPeriod`` and ``usageLimit`` (the hard limit at which Railway sleeps every resource, when
one is set). Rows: the usage so far against the plan's included usage (``infra/limits.py``), the
estimated bill for the whole period at this period's pace, and the usage against the hard limit.
Every document validates against Railway's published schema (the tests run them through a fake
that executes them against it). The token is an account or workspace token (``RAILWAY_API_TOKEN``,
as Railway's CLI names it); ``RAILWAY_API_ENDPOINT`` points the reader elsewhere (a test's fake).
"""

from __future__ import annotations

import os
from datetime import datetime

from infra.limits import RAILWAY_INCLUDED_USD
from infra.phases import spec
from infra.railway_api import RAILWAY_ENDPOINT, RailwayApiError, RailwayClient
from infra.tool.ops.advise.headroom import Context, Headroom, PlatformError, Point, headroom

PROJECT = """query advisorProject($id: String!) { project(id: $id) { id name workspaceId } }"""
CUSTOMER = """query advisorCustomer($workspaceId: String!) {
  workspace(workspaceId: $workspaceId) {
    customer { currentUsage billingPeriod { start end } usageLimit { softLimit hardLimit isOverLimit } }
  }
}"""


def read(context: Context) -> tuple[list[Headroom], list[str]]:
    project = context.outputs.get("railwayProjectId")
    if not project:
        return [], ["Railway: not read, the outputs have no railwayProjectId"]
    token = os.environ.get("RAILWAY_API_TOKEN")
    if not token:
        raise PlatformError("Railway", "no token: set RAILWAY_API_TOKEN (an account or workspace token)")
    client = RailwayClient(token, os.environ.get("RAILWAY_API_ENDPOINT") or RAILWAY_ENDPOINT, timeout=15.0, retries=3)
    try:
        found = client.call("advisorProject", PROJECT, {"id": str(project)})["project"]
        workspace = found.get("workspaceId") or getattr(context.config.railway, "workspace_id", None)
        if not workspace:
            raise PlatformError("Railway", f"project {project} names no workspace; set nowry:railway.workspaceId")
        customer = client.call("advisorCustomer", CUSTOMER, {"workspaceId": workspace})["workspace"]["customer"]
    except RailwayApiError as exc:
        raise PlatformError("Railway", str(exc)) from None
    return _rows(context, customer), []


def _rows(context: Context, customer: dict) -> list[Headroom]:
    plan = context.config.railway.plan or spec(context.phase).account_plan or "hobby"
    included = RAILWAY_INCLUDED_USD.get(plan)
    used = float(customer["currentUsage"])
    period = customer["billingPeriod"]
    start, end = _time(period["start"]), _time(period["end"])
    now = min(max(context.now, start), end)
    # the period's spend so far, as a line from nothing at its start: the slope is the pace
    points = [Point(start, 0.0), Point(now, used)] if now > start else [Point(now, used)]
    label = f"Railway workspace ({plan} plan)"
    source = "infra/limits.py RAILWAY_INCLUDED_USD"
    rows = [
        headroom(
            "railway.usage",
            label,
            "currentUsage",
            "USD",
            points,
            included,
            source=source,
            note=f"this billing period ({start:%Y-%m-%d} to {end:%Y-%m-%d}), against the usage the plan includes",
        )
    ]
    elapsed, whole = (now - start).total_seconds(), (end - start).total_seconds()
    if elapsed > 0 and whole > 0:
        estimate = used * whole / elapsed
        rows.append(
            Headroom(
                "railway.estimate",
                label,
                "estimated bill",
                "USD",
                estimate,
                included,
                source=source,
                note="the whole period at this period's pace",
                points=2,
            )
        )
    hard = (customer.get("usageLimit") or {}).get("hardLimit")
    if hard:
        rows.append(
            headroom(
                "railway.hard_limit",
                label,
                "currentUsage",
                "USD",
                points,
                float(hard),
                source="the workspace's usage limit",
                note="at the hard limit Railway sleeps every service",
            )
        )
    return rows


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
