"""Run a stack's real program in-process under the recording monitor: an offline preview.

No Pulumi CLI, no provider plugin, no network, no credentials: ``Pulumi.yaml`` and
``Pulumi.<stack>.yaml`` are read here, handed to the program the way the CLI would, and
every registration is recorded into a ``Plan``. Plans run one at a time and reset the
SDK's global state before and after, so several plans in one process do not leak.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any

import pulumi

from infra import program, sdk
from infra.config import source
from infra.config.source import Project, RawConfig
from infra.tool.engine.plan import Plan, PlannedResource
from infra.tool.engine.recorder import OfflineMocks, Recorder, Registration
from infra.tool.engine.wire import SECRET, UNKNOWN, to_plan

_ONE_AT_A_TIME = threading.Lock()

INHERITED_CONFIG = ("PULUMI_CONFIG", "PULUMI_CONFIG_SECRET_KEYS")
"""Variables the Pulumi CLI sets for a program it runs. Left over in a shell (or inherited
from a parent ``pulumi`` process), they would silently change an offline plan."""


def plan_stack(
    project_dir: Path, stack: str, overrides: Iterable[str] = (), rule_ids: Collection[str] | None = None
) -> Plan:
    """Plan ``stack`` of the project in ``project_dir``, with ``KEY=VALUE`` overrides; with
    ``rule_ids``, an accepted finding naming no such rule is a config error."""
    project = source.read_project(project_dir)
    raw = source.apply_overrides(source.from_stack_file(project, stack), overrides)
    return run_offline(project, stack, raw, rule_ids=rule_ids)


class _WarningCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_offline(
    project: Project,
    stack: str,
    raw: RawConfig,
    program_fn: Callable[..., Any] = program.run,
    rule_ids: Collection[str] | None = None,
) -> Plan:
    """Run the program (Nowry's, unless another is given) against ``raw`` config and
    return what it registered."""
    with _ONE_AT_A_TIME:
        collector = _WarningCollector()
        logger = logging.Logger(f"nowry.offline.{stack}")
        logger.addHandler(collector)
        mocks = OfflineMocks(region=raw.values.get("aws:region") or raw.values.get("gcp:region") or "us-east-1")
        recorder = Recorder(mocks)
        outputs: dict[str, Any] = {}
        sdk.reset_root()
        pulumi.runtime.set_mocks(
            mocks, project=project.name, stack=stack, preview=True, logger=logger, monitor=recorder
        )
        sdk.clear_pending_outputs()
        pulumi.runtime.set_all_config(raw.values, sorted(raw.secret_keys))

        loaded: list[Any] = []

        def program() -> None:
            loaded.append(program_fn(offline=True, project_dir=project.directory, rule_ids=rule_ids))

        inherited = {name: os.environ.pop(name) for name in INHERITED_CONFIG if name in os.environ}
        if inherited:
            collector.messages.append(
                f"{', '.join(sorted(inherited))} is set in the environment; the offline plan ignores it and "
                f"reads only Pulumi.{stack}.yaml (and --set)"
            )
        try:
            sdk.run_program(program)
            sdk.wait(_collect_outputs(outputs))
        finally:
            os.environ.update(inherited)
            pulumi.runtime.set_all_config({}, [])
            sdk.reset_root()
        phase = raw.namespace(project.name).get("phase", "")
        resources = _resources(recorder)
        config = loaded[0] if loaded else None
        return Plan(project.name, stack, phase, resources, outputs, tuple(collector.messages), config)


def _resources(recorder: Recorder) -> tuple[PlannedResource, ...]:
    stack_urn = recorder.stack_urn
    known = {r.urn for r in recorder.registrations}

    def planned(r: Registration) -> PlannedResource:
        return PlannedResource(
            urn=r.urn,
            type=r.type,
            name=r.name,
            parent=r.parent if r.parent and r.parent != stack_urn else None,
            custom=r.custom,
            provider=r.provider or None,
            dependencies=tuple(d for d in r.dependencies if d in known),
            protect=r.protect,
            retain_on_delete=r.retain_on_delete,
            inputs=to_plan(r.wire_inputs),
            revealed_inputs=to_plan(r.wire_inputs, reveal=True),
            property_dependencies={
                key: tuple(u for u in urns if u in known) for key, urns in r.property_dependencies.items()
            },
            aliases=tuple(a for a in r.aliases if a != r.urn),
        )

    return tuple(sorted((planned(r) for r in recorder.registrations), key=lambda p: p.urn))


async def _collect_outputs(into: dict[str, Any]) -> None:
    for name, value in sorted(sdk.root_outputs().items()):
        output = pulumi.Output.from_input(value)
        if await output.is_secret():
            into[name] = SECRET
        elif not await output.is_known():
            into[name] = UNKNOWN
        else:
            into[name] = _plain(await output.future(with_unknowns=True))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return UNKNOWN
