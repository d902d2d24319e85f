"""A component's docstring states its rough monthly cost (STYLE: SST's "about $9 per month"), and the
price catalog (infra/tool/cost/prices.yaml) is where every price lives: each dollar figure a
docstring quotes must follow from the catalog, so a price changed there fails here until the
docstring says the new figure."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable

import pulumi
import pytest

import components
from infra.tool.cost.price_catalog import Catalog, load_catalog

FIGURE = re.compile(r"\$([0-9][0-9,]*(?:\.[0-9]+)?)")
HOURS = 730
COUNTS = (1, 2, 3, 4)


def _fargate(catalog: Catalog, tasks: int, vcpu: float, gb: float) -> float:
    return tasks * (vcpu * catalog.rate("fargate_arm_vcpu_hour") + gb * catalog.rate("fargate_arm_gb_hour")) * HOURS


DERIVED: dict[tuple[str, str], Callable[[Catalog], float]] = {
    ("components.aws.container_service.ContainerService", "14.42"): lambda c: _fargate(c, 2, 0.25, 0.5),
    ("components.aws.container_service.ContainerService", "28.84"): lambda c: _fargate(c, 2, 0.5, 1.0),
    ("components.aws.telemetry", "14.42"): lambda c: _fargate(c, 2, 0.5, 1.0) - _fargate(c, 2, 0.25, 0.5),
    ("components.aws.telemetry", "3.20"): lambda c: (
        c.rate("datadog_apm_fargate_task_month") + c.rate("datadog_infra_fargate_task_month")
    ),
    ("components.aws.monitoring.Monitoring", "1.50"): lambda c: 15 * c.rate("cloudwatch_alarm_month"),
    # ten GB a month of control-plane logs, ingested, and held a year at steady state
    ("components.aws.eks_cluster.EksCluster", "3.20"): lambda c: 2 * 20 * c.rate("ebs_gp3_gb_month"),
    ("components.aws.eks_cluster.EksCluster", "8.60"): lambda c: (
        10 * c.rate("logs_ingest_gb") + 10 * 12 * c.rate("logs_storage_gb_month")
    ),
}
"""Figures a docstring derives from several prices, with the arithmetic that gives them."""


def _documented() -> list[tuple[str, str]]:
    """(where, docstring) of every components module and every ComponentResource in it."""
    found = []
    for info in pkgutil.walk_packages(components.__path__, "components."):
        module = importlib.import_module(info.name)
        found.append((info.name, module.__doc__ or ""))
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, pulumi.ComponentResource) and value.__module__ == info.name:
                found.append((f"{info.name}.{name}", value.__doc__ or ""))
    return found


def _from_catalog(catalog: Catalog) -> set[float]:
    """Every catalog price, and each by the month (x 730 hours) and for up to four of a thing."""
    values: list[float] = []
    for price in catalog.prices.values():
        values += [float(v) for v in price.value.values()] if isinstance(price.value, dict) else [float(price.value)]
    return {value * hours * count for value in values for hours in (1, HOURS) for count in COUNTS}


def unexplained(where: str, doc: str, catalog: Catalog) -> list[str]:
    """The dollar figures of ``doc``'s cost paragraph that neither the catalog nor ``DERIVED`` gives."""
    if "Cost" not in doc:
        return []
    candidates = _from_catalog(catalog)
    missing = []
    for text in FIGURE.findall(doc[doc.index("Cost") :]):
        value = float(text.replace(",", ""))
        places = len(text.partition(".")[2])
        derived = DERIVED.get((where, text))
        found = [derived(catalog)] if derived else candidates
        if not any(round(candidate, places) == value for candidate in found):
            missing.append(f"${text}")
    return missing


def test_every_component_states_its_cost():
    classes = [where for where, _ in _documented() if where.count(".") == 3]
    assert len(classes) >= 20
    assert [where for where, doc in _documented() if where in classes and "Cost" not in doc] == []


def test_every_figure_a_docstring_quotes_follows_from_the_catalog():
    catalog = load_catalog()
    found = {where: missing for where, doc in _documented() if (missing := unexplained(where, doc, catalog))}
    assert found == {}, "update the docstring (or DERIVED) to what the catalog says"


@pytest.mark.parametrize(("figure", "stale"), [("$9.34/month", False), ("$9.99/month", True)])
def test_a_figure_the_catalog_does_not_give_is_caught(figure, stale):
    doc = f"Builds a cache. Cost: Valkey cache.t4g.micro, {figure} per node."
    assert bool(unexplained("components.aws.cache.Cache", doc, load_catalog())) is stale


def test_a_derived_figure_follows_its_arithmetic():
    catalog = load_catalog()
    assert round(DERIVED[("components.aws.container_service.ContainerService", "14.42")](catalog), 2) == 14.42
    doc = "Cost: two tasks ~$14.41/month."
    assert unexplained("components.aws.container_service.ContainerService", doc, catalog) == ["$14.41"]
