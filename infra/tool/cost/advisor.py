"""The phase advisor: which phase suits N users, what each phase costs, what to watch next."""

from __future__ import annotations

from dataclasses import dataclass

from infra.phases import REGISTRY

NEXT_STEPS: tuple[tuple[int, str], ...] = (
    (100, "watch database storage (Atlas M0 holds 512 MB)"),
    (500, "upgrade the database (Atlas Flex from ~$8/month, or M10 for dedicated resources and point-in-time restore)"),
    (1_000, "add the cache (Redis)"),
    (5_000, "move to dedicated infrastructure (Pro plans, capacity planning)"),
    (10_000, "migrate to AWS or Google Cloud (nowry-infra migrate STACK --to aws, or --to gcp)"),
)
"""The product's next-step thresholds, in users."""

ORIGINAL_ESTIMATES = {sample.label: sample.original_estimate for phase in REGISTRY for sample in phase.prices}
"""The product's first estimates per phase (and variant), kept for comparison."""


@dataclass(frozen=True)
class Step:
    users: int
    action: str
    reached: bool


def next_steps(users: int) -> list[Step]:
    return [Step(at, action, users >= at) for at, action in NEXT_STEPS]
