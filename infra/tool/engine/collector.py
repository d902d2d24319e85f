"""How often Python's cyclic garbage collector runs while plans are made.

Planning runs the program under asyncio: every resource leaves thousands of short-lived
futures, tasks and outputs, many in reference cycles. With CPython's default thresholds
(700, 10, 10) the collector runs thousands of times per command, and every full collection
walks the whole heap, including the plans already made: ``nowry-infra recommend`` spent a
third of its time there. Collecting young objects every 50,000 allocations and the older
generations rarely keeps memory bounded (the garbage is still freed) at a fraction of the
cost.
"""

from __future__ import annotations

import gc

PLANNING_THRESHOLDS = (50_000, 50, 100)
"""``gc.set_threshold`` arguments: young collections per 50,000 net allocations, a middle
one per 50 young ones, a full one per 100 middle ones (and CPython still skips a full
collection until a quarter of the long-lived objects are new)."""


def tune_for_planning() -> None:
    """Set the collector's thresholds for a process that makes plans."""
    gc.set_threshold(*PLANNING_THRESHOLDS)
