"""Helpers several rule modules share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from infra.tool.rules.model import StackCheck, Subject


def is_or_unknown(value: Any, expected: Any) -> bool:
    """True when the value is as expected, or unknown until deployment."""
    return value is None or value == expected


def each_has(kind: str, companion: str, key: str, message: str) -> StackCheck:
    """Every ``kind`` resource has a ``companion`` whose ``key`` came from it."""

    def check(subjects: list[Subject]) -> Iterable[tuple[str, str]]:
        companions = [s for s in subjects if s.type == companion]
        covered = {urn for c in companions for urn in c.sources(key)}
        untraceable = sum(1 for c in companions if not c.sources(key))
        for item in (s for s in subjects if s.type == kind):
            if item.urn in covered:
                continue
            if untraceable:
                untraceable -= 1
                continue
            yield item.urn, message

    return check
