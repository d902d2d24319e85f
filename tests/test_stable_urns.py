"""A refactor never replaces what a deployed stack holds: every URN of each shipped stack (and of its
documented variants) as deployed is still planned, or a planned resource names it in its
``aliases`` — Pulumi then moves the state instead of deleting one resource and creating another."""

from __future__ import annotations

import json

import pytest

from infra.tool.engine.plan import Plan
from tests.conftest import PROJECT_DIR, plan_stack

DEPLOYED = json.loads((PROJECT_DIR / "tests" / "data" / "deployed-urns.json").read_text())["stacks"]


def lost(deployed: list[str], plan: Plan) -> list[str]:
    """The deployed URNs the plan neither keeps nor aliases."""
    kept = {r.urn for r in plan.resources} | {alias for r in plan.resources for alias in r.aliases}
    return [urn for urn in deployed if urn not in kept]


@pytest.mark.parametrize("entry", DEPLOYED, ids=[" ".join([e["stack"], *e["set"]]) for e in DEPLOYED])
def test_every_deployed_urn_is_kept_or_aliased(entry):
    plan = plan_stack(PROJECT_DIR, entry["stack"], entry["set"])
    assert lost(entry["urns"], plan) == [], (
        "a deployed resource would be deleted and created anew: give it `aliases` (its old parent, name "
        "or type), or, when it is meant to go, remove it from tests/data/deployed-urns.json"
    )


def test_a_moved_resource_is_found_through_its_alias():
    """The collector's metrics log group moved under the Telemetry component; its old URN is an alias."""
    plan = plan_stack(PROJECT_DIR, "prod", ["nowry:observability.apm=otel"])
    group = plan.one("aws:cloudwatch/logGroup:LogGroup", "apm-metrics")
    assert group.urn == "urn:pulumi:prod::nowry::nowry:aws:Telemetry$aws:cloudwatch/logGroup:LogGroup::apm-metrics"
    assert "urn:pulumi:prod::nowry::aws:cloudwatch/logGroup:LogGroup::apm-metrics" in group.aliases
    assert group.to_json()["aliases"] == list(group.aliases)


def test_a_urn_that_is_neither_kept_nor_aliased_is_lost():
    plan = plan_stack(PROJECT_DIR, "prod", ["nowry:observability.apm=otel"])
    gone = "urn:pulumi:prod::nowry::aws:cloudwatch/logGroup:LogGroup::no-such-group"
    assert lost([gone, plan.resources[0].urn], plan) == [gone]


def test_nested_components_chain_every_parent_type_as_the_engine_does():
    """The real engine (and the SDK's ``create_urn``) chains the whole parent type: a resource of a
    component inside another component carries both types."""
    plan = plan_stack(PROJECT_DIR, "local")
    pull = plan.one("docker:index/remoteImage:RemoteImage", "backend-image-pull")
    assert pull.urn == (
        "urn:pulumi:local::nowry::nowry:docker:AppContainer$nowry:docker:ContainerImage"
        "$docker:index/remoteImage:RemoteImage::backend-image-pull"
    )
