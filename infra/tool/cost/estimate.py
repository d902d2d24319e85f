"""Monthly cost of a plan: one line per priced resource, from the catalog and the stack's usage.

Each type's pricing function and whether it is free are in its row of the kinds table
(``infra/tool/resource_kinds.py``). A resource type with no price is listed as not priced, never
counted as zero in silence; types that cost nothing (VPCs, security groups, IAM roles, ...) are
listed at $0 as free.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from infra.tool.cost.price_catalog import Catalog, load_catalog
from infra.tool.cost.pricers import PriceContext
from infra.tool.cost.services import ServiceLine, service_lines
from infra.tool.engine.plan import Plan
from infra.tool.resource_kinds import kind

FREE_BASIS = "no charge for this resource type"


@dataclass(frozen=True)
class LineItem:
    urn: str
    type: str
    name: str
    monthly: float
    basis: str
    """How the figure was reached, with the quantities and unit prices."""

    def to_json(self) -> dict[str, Any]:
        return {"urn": self.urn, "type": self.type, "name": self.name, "monthly": round(self.monthly, 2),
                "basis": self.basis}  # fmt: skip


@dataclass(frozen=True)
class CostEstimate:
    line_items: list[LineItem]
    """One line per resource of the plan (free ones at $0)."""
    not_priced: list[dict[str, str]] = field(default_factory=list)
    budget: float | None = None
    assumptions: dict[str, float] = field(default_factory=dict)
    services: list[ServiceLine] = field(default_factory=list)
    """What the stack's settings buy outside its resources (an APM, a log service), once each."""

    @property
    def free(self) -> list[str]:
        """URNs of the resources whose type costs nothing (their line is $0)."""
        return [item.urn for item in self.line_items if item.basis == FREE_BASIS]

    @property
    def total(self) -> float:
        return sum(item.monthly for item in self.line_items) + sum(line.monthly for line in self.services)

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and self.total > self.budget

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": "USD",
            "monthly_total": round(self.total, 2),
            "line_items": [item.to_json() for item in self.line_items],
            "services": [line.to_json() for line in self.services],
            "not_priced": self.not_priced,
            "free_resources": len(self.free),
            "budget": self.budget,
            "over_budget": self.over_budget,
            "assumptions": self.assumptions,
        }


def estimate(plan: Plan, catalog: Catalog | None = None) -> CostEstimate:
    """The plan's monthly cost, line by line: each resource, then the services its settings buy."""
    settings = plan.config
    ctx = PriceContext(plan, settings, catalog or load_catalog())
    items, not_priced = [], []
    for resource in plan.resources:
        if not resource.custom:
            continue
        row = kind(resource.type)
        pricer = row.priced_by
        priced = pricer(resource, ctx) if pricer else None
        if priced is not None:
            monthly, basis = priced
            items.append(LineItem(resource.urn, resource.type, resource.name, monthly, basis))
        elif row.free:
            items.append(LineItem(resource.urn, resource.type, resource.name, 0.0, FREE_BASIS))
        else:
            why = "no price for this type" if pricer is None else "no catalog price for its size or tier"
            not_priced.append({"urn": resource.urn, "type": resource.type, "reason": why})
    budget = settings.monthly_budget if settings is not None else None
    assumptions = json.loads(ctx.usage.model_dump_json())
    return CostEstimate(items, not_priced, budget, assumptions, service_lines(settings, ctx.catalog))
