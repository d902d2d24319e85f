"""The price catalog (prices.yaml): every figure with its unit, source and date."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CATALOG = Path(__file__).with_name("prices.yaml")


@dataclass(frozen=True)
class Price:
    key: str
    value: Any
    """A number, or a table (node type, tier or plan -> number)."""
    unit: str
    source: str
    as_of: str

    def of(self, item: str) -> float | None:
        """The price of ``item`` in a table price; None when the catalog has none."""
        return self.value.get(item) if isinstance(self.value, dict) else None


@dataclass(frozen=True)
class Catalog:
    hours: int
    prices: dict[str, Price]

    def __getitem__(self, key: str) -> Price:
        return self.prices[key]

    def rate(self, key: str) -> float:
        return float(self.prices[key].value)


@cache
def load_catalog(path: Path = CATALOG) -> Catalog:
    data = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    prices = {
        key: Price(key, entry["value"], entry["unit"], entry["source"], str(entry["as_of"]))
        for key, entry in data["prices"].items()
    }
    return Catalog(int(data["hours_per_month"]), prices)
