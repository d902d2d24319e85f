"""How long a first ``pulumi up`` of a plan takes: the longest chain of resources that wait on
each other, each taking its kind's typical create time (``ResourceKind.create_minutes``).

Pulumi creates everything it can in parallel; a resource starts when every resource its inputs
or ``dependsOn`` name is created. A dependency on a component means all of its resources."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from infra.tool.engine.plan import Plan
from infra.tool.resource_kinds import kind


@dataclass(frozen=True)
class DeployPath:
    minutes: float
    chain: tuple[str, ...]
    """Logical names along the critical path, first created first."""


def critical_path(plan: Plan) -> DeployPath:
    custom = {r.urn: r for r in plan.resources if r.custom}
    children: dict[str, list[str]] = {}
    for resource in plan.resources:
        if resource.parent:
            children.setdefault(resource.parent, []).append(resource.urn)

    def custom_under(urn: str) -> set[str]:
        if urn in custom:
            return {urn}
        return {found for child in children.get(urn, []) for found in custom_under(child)}

    def waits_on(urn: str) -> set[str]:
        resource = custom[urn]
        named = set(resource.dependencies) | {u for urns in resource.property_dependencies.values() for u in urns}
        return {found for dep in named for found in custom_under(dep)} - {urn}

    @cache
    def finish(urn: str) -> tuple[float, tuple[str, ...]]:
        before = [finish(dep) for dep in waits_on(urn)]
        start, chain = max(before, default=(0.0, ()))
        return start + kind(custom[urn].type).create_minutes, (*chain, custom[urn].name)

    minutes, chain = max((finish(urn) for urn in custom), default=(0.0, ()))
    return DeployPath(round(minutes, 1), chain)
