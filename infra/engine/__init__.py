"""The offline engine: the real program under a recording mock monitor (see docs/cli.md for the plan it produces)."""

from infra.engine.plan import Plan, PlannedResource
from infra.engine.runner import plan_stack, run_offline

__all__ = ["Plan", "PlannedResource", "plan_stack", "run_offline"]
