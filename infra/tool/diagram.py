"""Architecture pictures drawn from a plan (not by hand per phase), with provider icons.

Each drawn role (CDN, site bucket, ALB, API, cache, database, ...) is one node, whatever
number of resources it gathers; nodes sit in their network boundary (the edge, the VPC's
public and private subnets, regional AWS services, each managed service); edges come from
the plan's dependencies, kept only where traffic or data flows (IAM, policies and rules are
walked through, never drawn).
"""

from __future__ import annotations

import importlib
import shutil
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.tool.engine.plan import Plan, PlannedResource
from infra.tool.resource_kinds import Role, component_role, kind

FORMATS = ("png", "svg", "dot")


BRIDGES = {
    "aws:lb/listener:Listener": "loadBalancerArn",
    "aws:secretsmanager/secretVersion:SecretVersion": "secretId",
    "pulumi-python:dynamic/railway:Variables": "service_id",
    "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable": "projectId",
}
"""Resources whose dependencies count as those of the resource they configure."""

FLOWS: dict[tuple[str, str], str] = {
    ("cdn", "site"): "forward",
    ("cdn", "alb"): "forward",
    ("cdn", "waf"): "reverse",
    ("api", "alb"): "reverse",
    ("api", "secrets"): "forward",
    ("api", "registry"): "forward",
    ("api", "db"): "forward",
    ("api", "cache"): "forward",
    ("web", "api"): "forward",
    ("alarms", "alerts"): "forward",
    ("ingress", "api"): "forward",
    ("ingress", "web"): "forward",
}
"""Role pairs (consumer depends on producer) that carry traffic or data, and how to draw them."""
THROUGH_SECRETS = ("db", "cache")
JUNCTIONS = {"aws:lb/targetGroup:TargetGroup": ("alb", "api")}
"""Undrawn resources two roles both depend on, meaning traffic from the first to the second
(the ALB's listener and the ECS service both name the target group)."""
"""Stores the API reaches through a secret's connection string."""


@dataclass
class Picture:
    nodes: dict[str, Role] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    edges: set[tuple[str, str]] = field(default_factory=set)
    entry: list[str] = field(default_factory=list)


def _role(resource: PlannedResource) -> Role | None:
    """The resource's role: from its type (resource_kinds), or from the component that owns it."""
    role = kind(resource.type).role or component_role(resource.type, resource.parent)
    if role and role.key == "api" and resource.type == "aws:ecs/service:Service":
        public = (resource.inputs.get("networkConfiguration") or {}).get("assignPublicIp") is True
        return Role(role.key, role.label, role.icon, "VPC public subnets" if public else role.boundary)
    return role


def picture(plan: Plan) -> Picture:
    """The roles, their boundaries and the traffic/data edges of a plan."""
    pic = Picture()
    role_of: dict[str, str] = {}
    for resource in plan.resources:
        role = _role(resource) if resource.custom else None
        if role:
            role_of[resource.urn] = role.key
            pic.nodes.setdefault(role.key, role)
            pic.counts[role.key] = pic.counts.get(role.key, 0) + 1
    deps: dict[str, set[str]] = defaultdict(set)
    for resource in plan.resources:
        deps[resource.urn] |= set(resource.dependencies)
        bridge = BRIDGES.get(resource.type)
        if bridge:
            for target in resource.property_dependencies.get(bridge, ()):
                deps[target] |= set(resource.dependencies) - {target}
    junctions = {r.urn: JUNCTIONS[r.type] for r in plan.resources if r.type in JUNCTIONS}
    for junction, (source, target) in junctions.items():
        users = {role_of[urn] for urn in role_of if junction in _reachable(urn, deps, role_of, through=True)}
        if {source, target} <= users:
            pic.edges.add((source, target))
    for urn, role in role_of.items():
        for reached in _reachable(urn, deps, role_of):
            pair = (role, role_of[reached])
            if pair in FLOWS:
                pic.edges.add(pair if FLOWS[pair] == "forward" else (pair[1], pair[0]))
            elif role == "secrets" and role_of[reached] in THROUGH_SECRETS:
                pic.edges.add(("api", role_of[reached]))
    for source, target in list(pic.edges):
        if source not in pic.nodes or target not in pic.nodes:
            pic.edges.discard((source, target))
    pic.entry = [key for key in ("waf", "cdn", "ingress") if key in pic.nodes][:1] or [
        key for key in ("web", "api") if key in pic.nodes
    ]
    return pic


def _reachable(start: str, deps: dict[str, set[str]], drawn: dict[str, str], *, through: bool = False) -> set[str]:
    """Drawn resources ``start`` depends on through undrawn ones (``through``: the undrawn ones too)."""
    seen, found = {start}, set()
    queue = deque(deps.get(start, ()))
    while queue:
        urn = queue.popleft()
        if urn in seen:
            continue
        seen.add(urn)
        if urn in drawn:
            found.add(urn)
            continue
        if through:
            found.add(urn)
        queue.extend(deps.get(urn, ()))
    return found


def _icon(path: str) -> type:
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


GRAPHVIZ_INSTALL = "Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz"


class GraphvizMissing(Exception):
    """A picture format that needs Graphviz's ``dot`` program, on a machine without it."""

    def __init__(self, fmt: str) -> None:
        super().__init__(
            f"drawing .{fmt} needs Graphviz's `dot` program, which is not on the PATH "
            f"({GRAPHVIZ_INSTALL}); --out with .dot writes the DOT source without it"
        )


def check_graphviz(fmt: str) -> None:
    """Raise ``GraphvizMissing`` when ``fmt`` needs ``dot`` and it is not installed."""
    if fmt != "dot" and shutil.which("dot") is None:  # every format but the DOT source runs dot
        raise GraphvizMissing(fmt)


def dot_source(plan: Plan) -> str:
    """The picture as Graphviz DOT source (no Graphviz needed)."""
    return _graph(plan).source


def draw(plan: Plan, out: Path) -> Path:
    """Render the plan's picture to ``out`` (.png, .svg or .dot), written whole; returns it."""
    from infra.tool.output_files import write_file

    fmt = out.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise ValueError(f"--out must end in {', '.join('.' + f for f in FORMATS)}, not {out.suffix or 'nothing'}")
    check_graphviz(fmt)
    graph = _graph(plan)
    data = graph.source.encode() if fmt == "dot" else graph.pipe(format=fmt)
    return write_file(out, data)


def _graph(plan: Plan) -> Any:
    """The ``graphviz.Digraph`` of the plan's picture, built with the diagrams package's icons
    but never rendered by it (its context manager would run ``dot`` on exit)."""
    import diagrams
    from diagrams import Cluster, Diagram, Edge
    from diagrams.onprem.client import Users

    pic = picture(plan)
    title = f"{plan.project}/{plan.stack} — phase {plan.phase}"
    graph = {"fontsize": "20", "pad": "0.4", "splines": "spline"}
    nodes = {}
    canvas = Diagram(title, filename=plan.stack, show=False, direction="LR", graph_attr=graph)
    diagrams.setdiagram(canvas)
    try:
        users = Users("users")
        boundaries: dict[str, list[str]] = defaultdict(list)
        for key, role in pic.nodes.items():
            boundaries[role.boundary].append(key)
        vpc = [b for b in boundaries if b.startswith("VPC")]
        for boundary, keys in sorted(boundaries.items()):
            if boundary in vpc:
                continue
            with Cluster(boundary):
                for key in keys:
                    nodes[key] = _node(pic, key)
        if vpc:
            with Cluster("VPC"):
                for boundary in sorted(vpc):
                    with Cluster(boundary.removeprefix("VPC ")):
                        for key in boundaries[boundary]:
                            nodes[key] = _node(pic, key)
        for key in pic.entry:
            _ = users >> Edge(label="HTTPS") >> nodes[key]
        for source, target in sorted(pic.edges):
            _ = nodes[source] >> nodes[target]
    finally:
        diagrams.setdiagram(None)  # type: ignore[arg-type]
    return canvas.dot


def _node(pic: Picture, key: str) -> object:
    role = pic.nodes[key]
    count = pic.counts.get(key, 1)
    label = role.label if count == 1 or key in ("db",) else f"{role.label} x{count}"
    return _icon(role.icon)(label)
