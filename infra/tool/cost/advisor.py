"""The decision model: which phase suits N users, and what to move to when a limit runs out.

``recommend`` (a user count) and ``advise`` (measured limits) both decide here, from the phase
registry (``infra/phases.py``: the user matrix, the tiers each phase runs) and the limits table
(``infra/limits.py``: what each tier and class allows). A move is a config change — a phase, an
Atlas tier, a DocumentDB class, a task or replica maximum — named as the ``nowry-infra migrate``
command that shows what it changes; ``price_move`` gives its monthly bill before and after from
the project's own estimate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from infra.limits import ALERT_AT, ATLAS_RESERVED_CONNECTIONS, ATLAS_TIERS, DOCUMENTDB_CONNECTIONS
from infra.phases import REGISTRY, phase_for_users, spec

NEXT_STEPS: tuple[tuple[int, str], ...] = (
    (100, f"watch database storage (Atlas M0 holds {ATLAS_TIERS['M0'].storage_gb * 1024:g} MB)"),
    (500, "upgrade the database (Atlas Flex from ~$8/month, or M10 for dedicated resources and point-in-time restore)"),
    (1_000, "add the cache (Redis)"),
    (5_000, "move to dedicated infrastructure (Pro plans, capacity planning)"),
    (10_000, "migrate to AWS or Google Cloud (nowry-infra migrate STACK --to aws, or --to gcp)"),
)
"""The product's next-step thresholds, in users."""

ORIGINAL_ESTIMATES = {sample.label: sample.original_estimate for phase in REGISTRY for sample in phase.prices}
"""The product's first estimates per phase (and variant), kept for comparison."""
BILLED_APART = {s.label: s.billed_apart for phase in REGISTRY for s in phase.prices if s.billed_apart}
"""What a sample's bill leaves out, and who pays it."""

MAX_SCALE = 100
"""The most tasks (backend.maxCount) or replicas (kubernetes.maxReplicas) the config accepts."""


@dataclass(frozen=True)
class Step:
    users: int
    action: str
    reached: bool


def next_steps(users: int) -> list[Step]:
    return [Step(at, action, users >= at) for at, action in NEXT_STEPS]


def phase_for(users: int) -> str:
    """The phase the product's decision matrix gives for ``users`` (the registry's ``users_below``)."""
    return phase_for_users(users)


class Measured(Protocol):
    """A measured limit, as ``advise`` reads it (``infra.tool.ops.advise.headroom.Headroom``)."""

    key: str
    resource: str
    metric: str
    unit: str
    used: float | None
    limit: float | None

    @property
    def percent(self) -> float | None: ...

    @property
    def days_to_limit(self) -> float | None: ...


@dataclass(frozen=True)
class Move:
    """The next step: the phase and tier to run, the config that says so, and why."""

    phase: str
    tier: str | None
    reason: str
    overrides: tuple[str, ...] = ()
    """``--set`` overrides that plan the stack after the move; empty when no config change helps."""
    command: str | None = None
    monthly_before_usd: float | None = None
    monthly_after_usd: float | None = None
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "tier": self.tier,
            "reason": self.reason,
            "monthly_before_usd": self.monthly_before_usd,
            "monthly_after_usd": self.monthly_after_usd,
            "command": self.command,
        }


def _why(row: Measured) -> str:
    used = f"{row.used:,.4g}" if row.used is not None else "?"
    limit = f"{row.limit:,.4g}" if row.limit is not None else "?"
    percent = f" ({row.percent:g}%)" if row.percent is not None else ""
    days = f", reached in {row.days_to_limit:g} days at the trend" if row.days_to_limit is not None else ""
    return f"{row.resource} {row.metric} at {used} of {limit} {row.unit}{percent}{days}"


def _command(stack: str, phase: str, target_sets: Sequence[str]) -> str:
    sets = "".join(f" --target-set {item}" for item in target_sets)
    return f"nowry-infra migrate {stack} --to {phase}{sets}"


ATLAS_MEASURES = {"atlas.storage": "storage", "atlas.connections": "connections", "atlas.ops": "ops"}


def _atlas_capacity(tier: str, measure: str) -> float | None:
    limits = ATLAS_TIERS[tier]
    if measure == "storage":
        return limits.storage_gb
    if measure == "connections":
        return limits.connections - ATLAS_RESERVED_CONNECTIONS
    return limits.ops_per_second  # None: no cap


def _atlas_move(stack: str, phase: str, tier: str, row: Measured) -> Move:
    """The cheapest tier (in the limits table's order) that a phase at or after ``phase`` runs and
    that holds what is used below the alert line; staying in the phase when it runs that tier."""
    order = list(ATLAS_TIERS)
    measure = ATLAS_MEASURES[row.key]
    names = [p.name for p in REGISTRY]
    later = [p for p in REGISTRY[names.index(phase) :] if p.atlas_tiers]
    needed = (row.used or 0) / ALERT_AT
    for candidate in order[order.index(tier) + 1 :] if tier in order else []:
        capacity = _atlas_capacity(candidate, measure)
        if capacity is not None and capacity < needed:
            continue
        runs = [p.name for p in later if candidate in p.atlas_tiers]
        if not runs:
            continue
        target = phase if phase in runs else runs[0]
        sets = [f"nowry:atlas.tier={candidate}"]
        overrides = (f"nowry:phase={target}", *sets)
        if spec(target).default_engine != "atlas":
            sets.insert(0, "nowry:database.engine=atlas")
            overrides = (f"nowry:phase={target}", *sets)
        return Move(
            target,
            candidate,
            f"{_why(row)}: Atlas {candidate} holds it below {ALERT_AT:.0%}",
            overrides,
            _command(stack, target, sets),
        )
    return Move(phase, tier, f"{_why(row)}: no larger Atlas tier in the phase registry holds it; raise it in Atlas")


def _documentdb_move(stack: str, phase: str, current: str | None, row: Measured) -> Move:
    """The smallest listed class of the same processor family whose connections hold what is used
    below the alert line."""
    needed = (row.used or 0) / ALERT_AT
    graviton = bool(current and "g." in current)
    classes = sorted((limit, name) for name, limit in DOCUMENTDB_CONNECTIONS.items() if ("g." in name) == graviton)
    for limit, name in classes:
        if limit >= needed and name != current and limit > DOCUMENTDB_CONNECTIONS.get(current or "", 0):
            sets = [f"nowry:database.instanceClass={name}"]
            return Move(
                phase,
                None,
                f"{_why(row)}: {name} accepts {limit:,} connections",
                tuple(sets),
                _command(stack, phase, sets),
            )
    return Move(phase, None, f"{_why(row)}: no listed DocumentDB class holds it; add instances or shard")


def _scale_move(stack: str, phase: str, key: str, current: int | None, row: Measured) -> Move:
    name = "backend.maxCount" if key == "ecs.tasks" else "kubernetes.maxReplicas"
    if current is None or current >= MAX_SCALE:
        return Move(phase, None, f"{_why(row)}: {name} cannot go higher; move up a phase")
    raised = min(MAX_SCALE, current * 2)
    sets = [f"nowry:{name}={raised}"]
    return Move(
        phase, None, f"{_why(row)}: raise {name} from {current} to {raised}", tuple(sets), _command(stack, phase, sets)
    )


def next_move(stack: str, phase: str, config: Any, due: Sequence[Measured], users: int | None = None) -> Move | None:
    """What to do about the limits that are ``due`` (at the warn line, or reached within the warn
    days), and about ``users`` when given: the first of a phase or tier change for Atlas, a larger
    DocumentDB class, a higher task or replica maximum, the matrix's phase for the users; None when
    nothing is due."""
    tier = config.atlas_tier if spec(phase).atlas_tiers or getattr(config, "database_engine", "") == "atlas" else None
    for row in due:
        if row.key in ATLAS_MEASURES and tier:
            return _atlas_move(stack, phase, tier, row)
    for row in due:
        if row.key == "documentdb.connections":
            return _documentdb_move(stack, phase, config.database.instance_class, row)
    for row in due:
        if row.key == "ecs.tasks":
            return _scale_move(stack, phase, row.key, config.backend.max_count, row)
        if row.key == "kubernetes.hpa":
            return _scale_move(stack, phase, row.key, config.kubernetes.max_replicas, row)
    names = [p.name for p in REGISTRY]
    if users is not None and names.index(phase_for(users)) > names.index(phase):
        target = phase_for(users)
        reason = (
            f"{users:,} users: the decision matrix gives {target} (from {phase}, which serves fewer than "
            f"{spec(phase).users_below:,})"
        )
        return Move(
            target, spec(target).default_atlas_tier, reason, (f"nowry:phase={target}",), _command(stack, target, [])
        )
    if due:
        return Move(phase, tier, f"{_why(due[0])}: no config change in the decision model lifts this limit")
    return None


def price_move(project_dir: Path, stack: str, move: Move) -> Move:
    """The move with the stack's monthly bill now and after it, from the project's own estimate
    (each planned offline); a side that cannot be planned stays None, with a note."""
    from dataclasses import replace

    from infra.config import ConfigError, StackFileError
    from infra.tool.cost.estimate import estimate
    from infra.tool.engine.runner import plan_stack

    notes = list(move.notes)

    def bill(overrides: Sequence[str]) -> float | None:
        try:
            return round(estimate(plan_stack(project_dir, stack, list(overrides))).total, 2)
        except (ConfigError, StackFileError) as exc:
            notes.append(f"cannot estimate with {' '.join(overrides) or 'the stack file'}: {exc}")
            return None

    before = bill([])
    after = bill(move.overrides) if move.overrides else before
    return replace(move, monthly_before_usd=before, monthly_after_usd=after, notes=tuple(notes))
