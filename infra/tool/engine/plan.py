"""The recorded resource graph of one stack, and its JSON form (the plan JSON contract, docs/cli.md)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infra.config.model import StackConfig


def owner(parent_urn: str | None) -> tuple[str, str] | None:
    """(component type, component name) of the component a resource belongs to, from its parent URN."""
    if not parent_urn:
        return None
    qualified, _, name = parent_urn.rpartition("::")
    return qualified.rsplit("::", 1)[-1].rsplit("$", 1)[-1], name


@dataclass(frozen=True)
class PlannedResource:
    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    provider: str | None
    dependencies: tuple[str, ...]
    protect: bool
    retain_on_delete: bool
    inputs: dict[str, Any]
    """Wire-named inputs with secrets masked and unknowns marked: safe to print."""
    revealed_inputs: dict[str, Any] = field(repr=False, compare=False)
    """The same inputs with secret plaintext: for in-process checks only, never printed."""
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    """Input name -> the URNs its value came from (which group a rule belongs to, ...)."""
    aliases: tuple[str, ...] = ()
    """URNs the resource had before a refactor moved it (Pulumi ``aliases``): the same resource."""

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "custom": self.custom,
            "provider": self.provider,
            "dependencies": list(self.dependencies),
            "protect": self.protect,
            "retain_on_delete": self.retain_on_delete,
            "inputs": self.inputs,
            **({"aliases": list(self.aliases)} if self.aliases else {}),
        }


@dataclass(frozen=True)
class Plan:
    """What a stack would build: every resource registered by the real program, in order."""

    project: str
    stack: str
    phase: str
    resources: tuple[PlannedResource, ...]
    outputs: dict[str, Any]
    warnings: tuple[str, ...] = ()
    config: StackConfig | None = field(default=None, repr=False, compare=False)
    """The validated config the program ran with; None for a plan read back from its JSON."""

    def of_type(self, type_: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str, name: str | None = None) -> PlannedResource:
        """The single resource of ``type_`` (and ``name``); an error names what was found."""
        found = [r for r in self.of_type(type_) if name is None or r.name == name]
        if len(found) != 1:
            names = [r.name for r in found]
            raise LookupError(f"expected one {type_} named {name or '*'}, found {names}")
        return found[0]

    def by_urn(self, urn: str) -> PlannedResource:
        for resource in self.resources:
            if resource.urn == urn:
                return resource
        raise LookupError(urn)

    def children(self, parent: str | None) -> list[PlannedResource]:
        return [r for r in self.resources if r.parent == parent]

    def type_counts(self) -> Counter[str]:
        return Counter(r.type for r in self.resources if r.custom)

    def to_json(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "stack": self.stack,
            "phase": self.phase,
            "resources": [r.to_json() for r in self.resources],
            "outputs": self.outputs,
            "warnings": list(self.warnings),
        }
