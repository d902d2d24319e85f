"""docs/extending.md says what adding a phase and adding a resource type touch: every path it names
exists, and every phase of the registry has each piece the page lists."""

from __future__ import annotations

import importlib
import json
import re

import pytest

from infra.config.model import PHASES, SECTIONS, StackConfig
from infra.phases import REGISTRY
from infra.tool.resource_kinds import KINDS, kind
from tests.conftest import PROJECT_DIR, SHIPPED_STACKS, shipped_plan

PAGE = (PROJECT_DIR / "docs" / "extending.md").read_text()
README = (PROJECT_DIR / "README.md").read_text()
PHASES_PAGE = (PROJECT_DIR / "docs" / "phases.md").read_text()
DEPLOYED = {
    entry["stack"] for entry in json.loads((PROJECT_DIR / "tests/data/deployed-urns.json").read_text())["stacks"]
}


def named_paths(text: str) -> list[str]:
    """The project paths a page names in backticks (templates such as ``<phase>`` left out)."""
    paths = re.findall(r"`((?:infra|stacks|components|tests|docs)/[^`<>]*?)`", text)
    return sorted(set(paths))


def test_every_path_the_page_names_exists():
    missing = [p for p in named_paths(PAGE) if not (PROJECT_DIR / p).exists()]
    assert missing == []
    assert "infra/phases.py" in named_paths(PAGE) and "infra/tool/resource_kinds.py" in named_paths(PAGE)


def test_a_path_that_is_not_there_is_caught():
    assert named_paths("see `infra/no_such_module.py` and `stacks/<phase>.py`") == ["infra/no_such_module.py"]


@pytest.mark.parametrize("phase", REGISTRY, ids=[p.name for p in REGISTRY])
def test_every_phase_has_each_piece_the_page_lists(phase):
    assert phase.name in PHASES  # 1. the config takes it from the registry
    builder = importlib.import_module(phase.builder)  # 2. its builder
    assert callable(builder.build) and phase.builder.startswith("stacks.")
    for module in phase.checks:  # 3. the checks only it runs
        assert callable(importlib.import_module(module).check), module
    for sample in phase.prices:  # 5. a shipped stack for each price sample, its URNs recorded
        assert sample.stack in SHIPPED_STACKS and sample.stack in DEPLOYED, sample.label
    assert f"| `{phase.name}` |" in README  # 6. the README's phase table
    heading = "## The managed phases" if phase.managed else f"## The {phase.name} phase"
    assert heading in PHASES_PAGE and (phase.managed is False or f"`{phase.name}`" in PHASES_PAGE)


def test_every_config_section_is_a_field_of_the_stack_config():
    assert set(SECTIONS) <= set(StackConfig.__dataclass_fields__)


def test_every_type_the_shipped_stacks_plan_has_a_row_or_a_free_package():
    planned = {r.type for stack in SHIPPED_STACKS for r in shipped_plan(stack).resources if r.custom}
    unknown = sorted(t for t in planned if t not in KINDS and not kind(t).free)
    assert unknown == []
