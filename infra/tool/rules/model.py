"""What a policy rule sees and says: subjects, rules, violations."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["low", "medium", "high", "critical"]
Enforcement = Literal["mandatory", "advisory"]
UNKNOWNS = ("[unknown]", "04da6b54-80e4-46f7-96ec-b56ff0331ba9")


@dataclass(frozen=True)
class Subject:
    """One resource as rules see it: its type, wire-named props and options."""

    type: str
    name: str
    urn: str
    props: Mapping[str, Any]
    protect: bool = False
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Prop name -> URNs of the resources its value came from."""
    production: bool = False
    """The stack holds production data (its config's decision, never its name)."""

    def sources(self, key: str) -> tuple[str, ...]:
        return tuple(self.property_dependencies.get(key, ()))

    @property
    def prod(self) -> bool:
        return self.production

    def get(self, *path: str | int) -> Any:
        """A nested prop, or None when absent or unknown."""
        value: Any = self.props
        for key in path:
            if isinstance(value, Mapping) and isinstance(key, str):
                value = value.get(key)
            elif isinstance(value, list) and isinstance(key, int) and key < len(value):
                value = value[key]
            else:
                return None
        return None if value in UNKNOWNS else value

    def json(self, key: str) -> Any:
        """A prop holding a JSON document (policies, container definitions), parsed."""
        value = self.get(key)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return None


ResourceCheck = Callable[[Subject], Iterable[str]]
StackCheck = Callable[[list[Subject]], Iterable[tuple[str, str]]]


@dataclass(frozen=True)
class Rule:
    """A resource rule: ``check`` yields a message per violation of one resource."""

    id: str
    description: str
    reference: str
    """The control: AWS Security Hub FSBP and Checkov IDs, or the project's own (docs/security.md lists them)."""
    types: tuple[str, ...]
    check: ResourceCheck
    severity: Severity = "high"
    enforcement: Enforcement = "mandatory"


@dataclass(frozen=True)
class StackRule:
    """A stack-wide rule: ``check`` sees every resource and yields (urn, message) pairs."""

    id: str
    description: str
    reference: str
    check: StackCheck
    severity: Severity = "high"
    enforcement: Enforcement = "mandatory"


@dataclass(frozen=True)
class Violation:
    rule: str
    urn: str
    severity: Severity
    enforcement: Enforcement
    message: str

    def to_json(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "urn": self.urn,
            "severity": self.severity,
            "enforcement": self.enforcement,
            "message": self.message,
        }


@dataclass(frozen=True)
class Acceptance:
    """A finding the stack accepts on purpose: which rule, on which resource, and why."""

    rule: str
    reason: str
    resource: str | None = None
    """A logical resource name; None accepts the rule on every resource."""

    def applies(self, rule: str, name: str) -> bool:
        """Whether it accepts ``rule`` on the resource with logical name ``name``."""
        return rule == self.rule and self.resource in (None, name)
