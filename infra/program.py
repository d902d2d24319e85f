"""The Pulumi program: config -> typed config -> the phase builder -> stack outputs.

``infra/__main__.py`` runs it under the real Pulumi engine; the offline engine runs the
very same function under the SDK's mock monitor.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pulumi

import stacks
from infra.config import ConfigError, StackConfig, load_stack_config, source


def find_project_dir(start: Path | None = None) -> Path:
    """The nearest directory at or above ``start`` that holds ``Pulumi.yaml``."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if (directory / "Pulumi.yaml").is_file():
            return directory
    return here


def run(*, offline: bool, project_dir: Path | None = None, rule_ids: Collection[str] | None = None) -> StackConfig:
    """Validate the stack's config, build its phase, export its outputs; return the config.

    Nothing is registered before the whole config has been validated; with ``rule_ids`` (from
    the tool, which knows the policy rules) its accepted findings must name one of them.
    """
    project = pulumi.get_project()
    stack = pulumi.get_stack()
    loaded = load_stack_config(
        source.from_runtime(),
        project=project,
        stack=stack,
        project_dir=project_dir or find_project_dir(),
        offline=offline,
        rule_ids=rule_ids,
    )
    build = stacks.builder_for(loaded.config.phase)
    for warning in loaded.warnings:
        pulumi.log.warn(warning)
    for name, value in build(loaded.config).items():
        pulumi.export(name, value)
    return loaded.config


def main() -> None:
    """Entry point under ``pulumi up/preview``: user mistakes end the run without a traceback."""
    try:
        run(offline=False)
    except (ConfigError, stacks.ProviderNotInstalled) as exc:
        raise pulumi.RunError(str(exc)) from None
