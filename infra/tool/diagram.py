"""Architecture pictures drawn from a plan (not by hand per phase): what is drawn, and where.

Each drawn role (CDN, site bucket, log bucket, ALB, API, cache, database, key, ...) is one node,
whatever number of resources it gathers; nodes sit in their boundary (the edge, the VPC's public
and private subnets, regional AWS services, another region, each managed service); edges come
from the plan's dependencies, kept only where traffic or data flows or a key protects a store
(IAM, policies and rules are walked through, never drawn). What a resource type adds to the
picture — its role, the resource it configures, the two roles it joins — is a column of its row
in the kinds table (``infra/tool/resource_kinds.py``): this module names no type.
``infra/tool/drawing.py`` turns the picture into DOT source and images.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field, replace
from typing import Any

from infra.tool.engine.plan import Plan, PlannedResource
from infra.tool.resource_kinds import REGIONAL, Role, kind, role
from infra.tool.resource_kinds_gcp import GCP_REGIONAL

FLOWS: dict[tuple[str, str], str] = {
    ("cdn", "site"): "forward",
    ("cdn", "alb"): "forward",
    ("cdn", "waf"): "reverse",
    ("alb", "logs"): "forward",
    ("api", "alb"): "reverse",
    ("api", "secrets"): "forward",
    ("api", "registry"): "forward",
    ("api", "db"): "forward",
    ("api", "cache"): "forward",
    ("web", "api"): "forward",
    ("alarms", "alerts"): "forward",
    ("ingress", "api"): "forward",
    ("ingress", "web"): "forward",
    ("glb", "cdn"): "forward",
    ("glb", "api"): "forward",
    ("glb", "armor"): "reverse",
    ("site", "logs"): "forward",
}
"""Role pairs (consumer depends on producer) that carry traffic or data, and how to draw them."""
THROUGH_SECRETS = ("db", "cache")
"""Stores the API reaches through a secret's connection string."""
KEY = "key"
"""The role of an encryption key: drawn with an edge to each store it protects."""
STORES = ("db", "cache", "secrets", "backup", "registry", "site", "logs")
"""Roles that hold data: one that depends on a key is encrypted with it."""

PROTECTS, COPIES = "protects", "copies"
"""Edge kinds besides traffic and data: a key protecting a store, a store copied to another region."""


@dataclass
class Picture:
    nodes: dict[str, Role] = field(default_factory=dict)
    """Node -> its role: the role's key, or ``key@region`` for one drawn in another region."""
    counts: dict[str, int] = field(default_factory=dict)
    edges: set[tuple[str, str]] = field(default_factory=set)
    kinds: dict[tuple[str, str], str] = field(default_factory=dict)
    """Edges that are not traffic or data: ``PROTECTS`` or ``COPIES``."""
    entry: list[str] = field(default_factory=list)
    region: str = ""
    """The stack's own region (what ``follows_region`` roles are compared with)."""


def base(node: str) -> str:
    """The role key of a node (``backup@us-west-2`` -> ``backup``)."""
    return node.partition("@")[0]


def region_boundary(region: str, services: str = REGIONAL) -> str:
    """The box of a region's regional services (the stack's own, or another one)."""
    return f"{services}, {region}"


def _input(inputs: dict[str, Any], path: str) -> Any:
    value: Any = inputs
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _placed(resource: PlannedResource, home: str) -> tuple[str, Role] | None:
    """The node a resource is drawn in, and its role there (its boundary moved by its inputs)."""
    found = role(resource.type, resource.parent)
    if found is None:
        return None
    if found.boundary_when and _input(resource.inputs, found.boundary_when[0]) is True:
        found = replace(found, boundary=found.boundary_when[1])
    region = resource.inputs.get("region")
    if found.follows_region and isinstance(region, str) and region != home:
        return f"{found.key}@{region}", replace(found, boundary=region_boundary(region))
    if found.boundary in (REGIONAL, GCP_REGIONAL):
        found = replace(found, boundary=region_boundary(home, found.boundary))
    return found.key, found


def home_region(plan: Plan) -> str:
    """The stack's own region (``aws:region``, or ``gcp:region`` in the gcp phase), from the config the plan
    ran with."""
    return str(getattr(plan.config, "home_region", None) or "us-east-1")


def picture(plan: Plan) -> Picture:
    """The roles, their boundaries and the traffic/data edges of a plan."""
    pic = Picture(region=home_region(plan))
    node_of: dict[str, str] = {}
    for resource in plan.resources:
        placed = _placed(resource, pic.region) if resource.custom else None
        if placed:
            node, found = placed
            node_of[resource.urn] = node
            pic.nodes.setdefault(node, found)
            pic.counts[node] = pic.counts.get(node, 0) + 1
    deps = _dependencies(plan)
    for resource in plan.resources:
        junction = kind(resource.type).junction
        if junction and resource.urn not in node_of:
            _join(pic, junction, _touching(resource.urn, deps, node_of))
    for urn, node in node_of.items():
        for reached in _reachable(urn, deps, node_of):
            _flow(pic, node, node_of[reached])
    for edge in list(pic.edges):
        if edge[0] not in pic.nodes or edge[1] not in pic.nodes:
            pic.edges.discard(edge)
            pic.kinds.pop(edge, None)
    pic.entry = [key for key in ("waf", "glb", "cdn", "ingress") if key in pic.nodes][:1] or [
        key for key in ("web", "api") if key in pic.nodes
    ]
    return pic


def _dependencies(plan: Plan) -> dict[str, set[str]]:
    """Each resource's dependencies; a bridge's count as those of the resource it configures."""
    deps: dict[str, set[str]] = defaultdict(set)
    for resource in plan.resources:
        deps[resource.urn] |= set(resource.dependencies)
        bridge = kind(resource.type).bridge
        if bridge:
            for target in resource.property_dependencies.get(bridge, ()):
                deps[target] |= set(resource.dependencies) - {target}
    return deps


def _flow(pic: Picture, consumer: str, producer: str) -> None:
    """The edge, if any, for a drawn resource depending on another."""
    pair = (base(consumer), base(producer))
    how = FLOWS.get(pair)
    if how == "forward":
        pic.edges.add((consumer, producer))
    elif how == "reverse":
        pic.edges.add((producer, consumer))
    elif pair[1] == KEY and pair[0] in STORES:
        pic.edges.add((producer, consumer))
        pic.kinds[(producer, consumer)] = PROTECTS
    elif pair[0] == "secrets" and pair[1] in THROUGH_SECRETS:
        pic.edges.add(("api", producer))


def _join(pic: Picture, junction: tuple[str, str], touching: set[str]) -> None:
    """Edges from the junction's first role to its second among the nodes it touches (one role
    twice: a copy, from the stack's region to another)."""
    source, target = junction
    for one in touching:
        for other in touching:
            if one == other or base(one) != source or base(other) != target:
                continue
            if source != target:
                pic.edges.add((one, other))
            elif "@" not in one and "@" in other:
                pic.edges.add((one, other))
                pic.kinds[(one, other)] = COPIES


def _touching(junction: str, deps: dict[str, set[str]], drawn: dict[str, str]) -> set[str]:
    """The nodes of the drawn resources a junction depends on, or that depend on it, through undrawn ones."""
    found = {drawn[urn] for urn in _reachable(junction, deps, drawn)}
    return found | {drawn[urn] for urn in drawn if junction in _reachable(urn, deps, drawn, through=True)}


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
