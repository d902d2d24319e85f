"""The phase builders: ``builder_for(phase)`` is the ``build(config)`` of the module the phase
registry (``infra/phases.py``) names for it.

A builder reads the typed ``StackConfig``, composes components and returns the stack
outputs. Modules are imported only when their phase is planned, so planning ``local``
never pays for loading the AWS provider.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from infra.config.model import StackConfig
from infra.phases import spec

Builder = Callable[[StackConfig], Mapping[str, Any]]


class ProviderNotInstalled(Exception):
    """The phase's provider SDK comes from an optional extra that is not installed."""

    def __init__(self, phase: str, extra: str, module: str) -> None:
        self.phase, self.extra, self.module = phase, extra, module
        package = module.split(".")[0].replace("_", "-")
        super().__init__(
            f"the {phase} phase needs {package}, which is not installed (the optional extra '{extra}', about "
            f"290 MB): run `uv sync --locked --extra {extra}`"
        )


def builder_for(phase: str) -> Builder:
    """The build function of ``phase`` (a validated phase name); ``ProviderNotInstalled`` when its
    provider's optional extra is missing."""
    entry = spec(phase)
    try:
        return importlib.import_module(entry.builder).build
    except ModuleNotFoundError as exc:
        if entry.extra is None or not (exc.name or "").startswith("pulumi_"):
            raise
        raise ProviderNotInstalled(phase, entry.extra, exc.name or "") from None
