"""Each phase's estimated monthly bill, planned from the project's own shipped stacks."""

from __future__ import annotations

from pathlib import Path

from infra.config import ConfigError, PhaseNotAvailable
from infra.config.source import StackFileError
from infra.cost.estimate import estimate
from infra.engine import plan_stack

PHASE_SOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "local": ("local", ()),
    "free-tier": ("dev", ()),
    "hybrid": ("dev", ("nowry:phase=hybrid",)),
    "hybrid (Atlas Flex)": ("dev", ("nowry:phase=hybrid", "nowry:atlas.tier=FLEX")),
    "all-paid": ("dev", ("nowry:phase=all-paid",)),
    "aws": ("prod", ()),
    "kubernetes": ("k8s", ()),
}
"""Which shipped stack (and override) represents each phase (and the hybrid phase's cheaper
Atlas Flex variant, a setting of that phase)."""


def phase_bills(project_dir: Path) -> dict[str, float | None]:
    """Phase -> estimated USD a month; None for a phase the project cannot plan here."""
    bills: dict[str, float | None] = {}
    for phase, (stack, overrides) in PHASE_SOURCES.items():
        try:
            bills[phase] = round(estimate(plan_stack(project_dir, stack, overrides)).total, 2)
        except (ConfigError, PhaseNotAvailable, StackFileError):
            bills[phase] = None
    return bills
