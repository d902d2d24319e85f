"""The phase registry: each phase name maps to the module that builds it.

A builder reads the typed ``StackConfig``, composes components and returns the stack
outputs. Modules are imported only when their phase is planned, so planning ``local``
never pays for loading the AWS provider.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from infra.config.errors import PhaseNotAvailable
from infra.config.model import PHASES, StackConfig

Builder = Callable[[StackConfig], Mapping[str, Any]]

BUILDERS: dict[str, str | None] = {
    "local": "stacks.local",
    "free-tier": "stacks.managed",
    "hybrid": "stacks.managed",
    "all-paid": "stacks.managed",
    "aws": "stacks.aws",
    "kubernetes": "stacks.kubernetes",
}
"""Phase -> module with a ``build(config)`` function; None for a phase not built yet."""

assert tuple(BUILDERS) == PHASES, "every phase needs a registry entry"


def available_phases() -> list[str]:
    return [phase for phase, module in BUILDERS.items() if module is not None]


def builder_for(phase: str) -> Builder:
    """The build function of ``phase``; ``PhaseNotAvailable`` when it is not built yet."""
    module = BUILDERS.get(phase)
    if module is None:
        raise PhaseNotAvailable(phase, available_phases())
    return importlib.import_module(module).build
