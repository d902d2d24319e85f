"""The phase advisor: which phase suits N users, what each phase costs, what to watch next."""

from __future__ import annotations

from dataclasses import dataclass

PHASE_BY_USERS: tuple[tuple[int, str], ...] = (
    (100, "free-tier"),
    (1_000, "hybrid"),
    (10_000, "all-paid"),
    (50_000, "aws"),
)
"""The product's decision matrix: below each bound, that phase; 50K users and up: kubernetes."""

NEXT_STEPS: tuple[tuple[int, str], ...] = (
    (100, "watch database storage (Atlas M0 holds 512 MB)"),
    (500, "upgrade the database (Atlas Flex from ~$8/month, or M10 for dedicated resources and point-in-time restore)"),
    (1_000, "add the cache (Redis)"),
    (5_000, "move to dedicated infrastructure (Pro plans, capacity planning)"),
    (10_000, "migrate to AWS (nowry-infra migrate STACK --to aws)"),
)
"""The product's next-step thresholds, in users."""

ORIGINAL_ESTIMATES = {
    "local": "free (your machine)",
    "free-tier": "~$0",
    "hybrid": "~$15",
    "hybrid (Atlas Flex)": "~$15",
    "all-paid": "~$50",
    "aws": "$150-300",
    "kubernetes": "—",
}
"""The product's first estimates per phase, kept for comparison (PRICES.md)."""


def phase_for(users: int) -> str:
    for bound, phase in PHASE_BY_USERS:
        if users < bound:
            return phase
    return "kubernetes"


@dataclass(frozen=True)
class Step:
    users: int
    action: str
    reached: bool


def next_steps(users: int) -> list[Step]:
    return [Step(at, action, users >= at) for at, action in NEXT_STEPS]
