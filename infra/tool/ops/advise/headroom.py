"""The headroom of one limit: what is used, the limit, the percent and when the trend reaches it.

A reader turns a platform's series into ``Headroom`` rows; the trend is the least-squares slope of
the series (per day), and the limit is reached ``(limit - last) / slope`` days after the last
point when the slope is positive. A series with no points is *not measured*: ``used`` is None,
never zero, and it never counts as headroom.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

DAY = 86_400.0


class PlatformError(Exception):
    """A platform could not be read; the message names it and says why."""

    def __init__(self, platform: str, message: str) -> None:
        super().__init__(f"{platform}: {message}")
        self.platform = platform


@dataclass(frozen=True)
class Point:
    at: datetime
    value: float


def slope_per_day(points: Sequence[Point]) -> float | None:
    """The least-squares slope of the series in units per day; None with fewer than two points
    or when every point has the same time."""
    if len(points) < 2:
        return None
    origin = points[0].at
    xs = [(p.at - origin).total_seconds() / DAY for p in points]
    ys = [p.value for p in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


@dataclass
class Headroom:
    """One limit of the stack's phase, as measured."""

    key: str
    """What the decision model knows it as: ``documentdb.connections``, ``atlas.storage``, ..."""
    resource: str
    metric: str
    unit: str
    used: float | None
    """The latest value; None when the series had no data points (not measured)."""
    limit: float | None
    """The limit it is compared with; None for a figure shown for its trend alone."""
    slope: float | None = None
    """Units per day over the window (least squares)."""
    falling: bool = False
    """The risk is the value falling to zero (free memory) rather than rising to ``limit``."""
    note: str | None = None
    source: str | None = None
    """Where the limit comes from: the metric it was read from, or the limits table."""
    points: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def percent(self) -> float | None:
        if self.used is None or not self.limit:
            return None
        return round(100.0 * self.used / self.limit, 1)

    @property
    def days_to_limit(self) -> float | None:
        """Days from the last point until the trend reaches the limit (or zero for a falling
        figure); 0 when it is reached already; None without a trend towards it."""
        if self.used is None or self.slope is None:
            return None
        if self.falling:
            return round(self.used / -self.slope, 1) if self.slope < 0 and self.used > 0 else None
        if self.limit is None:
            return None
        if self.used >= self.limit:
            return 0.0
        return round((self.limit - self.used) / self.slope, 1) if self.slope > 0 else None

    def reached_on(self, measured_at: datetime) -> str | None:
        days = self.days_to_limit
        return None if days is None else (measured_at + timedelta(days=days)).date().isoformat()

    def due(self, warn_percent: float, warn_days: float) -> bool:
        """At ``warn_percent`` of the limit or more, or reaching it within ``warn_days``."""
        percent, days = self.percent, self.days_to_limit
        return (percent is not None and percent >= warn_percent) or (days is not None and days <= warn_days)

    def to_json(self, measured_at: datetime) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "metric": self.metric,
            "used": _number(self.used),
            "limit": _number(self.limit),
            "unit": self.unit,
            "percent": self.percent,
            "days_to_limit": self.days_to_limit,
            "reached_on": self.reached_on(measured_at),
            "note": self.note,
            "source": self.source,
        }


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 3)


def headroom(
    key: str, resource: str, metric: str, unit: str, points: Sequence[Point], limit: float | None, **rest: Any
) -> Headroom:
    """A row from a series (oldest first): the latest value, and the trend over all of it."""
    ordered = sorted(points, key=lambda p: p.at)
    used = ordered[-1].value if ordered else None
    return Headroom(key, resource, metric, unit, used, limit, slope_per_day(ordered), points=len(ordered), **rest)


@dataclass(frozen=True)
class Context:
    """What every reader gets: the stack, its config and outputs, the window and the clock."""

    stack: str
    phase: str
    config: Any
    """The stack's typed config (``infra.config.StackConfig``), as planned from its stack file."""
    outputs: dict[str, Any]
    """``pulumi stack output --json`` of the deployed stack."""
    days: int
    now: datetime

    @property
    def start(self) -> datetime:
        return self.now - timedelta(days=self.days)
