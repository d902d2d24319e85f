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


def builder_for(phase: str) -> Builder:
    """The build function of ``phase`` (a validated phase name)."""
    return importlib.import_module(spec(phase).builder).build
