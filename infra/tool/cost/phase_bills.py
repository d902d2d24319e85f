"""Each phase's estimated monthly bill, planned from the project's own shipped stacks."""

from __future__ import annotations

from pathlib import Path

from infra.config import ConfigError
from infra.config.source import StackFileError
from infra.phases import REGISTRY
from infra.tool.cost.estimate import estimate
from infra.tool.engine.runner import plan_stack
from stacks import ProviderNotInstalled


def phase_bills(project_dir: Path) -> dict[str, float | None]:
    """Phase (or variant) -> estimated USD a month, planned from the registry's price samples;
    None for one the project cannot plan here (a gcp sample without the gcp extra installed)."""
    bills: dict[str, float | None] = {}
    for phase in REGISTRY:
        for sample in phase.prices:
            try:
                bills[sample.label] = round(estimate(plan_stack(project_dir, sample.stack, sample.overrides)).total, 2)
            except (ConfigError, StackFileError, ProviderNotInstalled):
                bills[sample.label] = None
    return bills
