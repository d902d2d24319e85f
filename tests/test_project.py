"""The project as a user meets it: Pulumi.yaml, shipped stacks, README, CI."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from infra.config.model import KNOWN_KEYS, SECTIONS, Section
from tests.conftest import PROJECT_DIR, SHIPPED_STACKS

README = (PROJECT_DIR / "README.md").read_text()


def test_pulumi_yaml_runs_infra_with_a_toolchain_that_installs_the_project():
    project = yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())
    assert project["name"] == "nowry"
    assert project["main"] == "infra/"
    assert project["runtime"]["name"] == "python"
    assert project["runtime"]["options"]["toolchain"] == "uv"
    assert (PROJECT_DIR / "infra" / "__main__.py").is_file()
    pyproject = (PROJECT_DIR / "pyproject.toml").read_text()
    assert 'include = ["infra*", "stacks*", "components*"]' in pyproject
    assert 'nowry-infra = "infra.tool.cli:main"' in pyproject


def test_shipped_stacks_exist_and_hold_no_encrypted_values():
    assert {"dev", "prod", "local"} <= set(SHIPPED_STACKS)
    for stack in SHIPPED_STACKS:
        text = (PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text()
        assert "secure:" not in text and "v1:" not in text, stack
        assert "encryptionsalt" not in text, stack


def test_shipped_stacks_pick_their_phases():
    def phase(stack: str) -> str:
        stack_file = yaml.safe_load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text())
        return stack_file["config"]["nowry:phase"]

    phases = {stack: phase(stack) for stack in SHIPPED_STACKS}
    assert phases["local"] == "local"
    assert phases["dev"] == "free-tier"
    assert phases["prod"] == "aws"


def test_the_configuration_reference_documents_every_config_key():
    page = (PROJECT_DIR / "docs" / "configuration.md").read_text()
    table_keys = set(re.findall(r"^\| `([A-Za-z0-9.]+)` \|", page, flags=re.MULTILINE))
    expected = {key for key in KNOWN_KEYS if key not in SECTIONS}

    def fields(prefix: str, model: type[Section]) -> None:
        for field, info in model.model_fields.items():
            annotation = info.annotation
            key = f"{prefix}.{info.alias or field}"
            if isinstance(annotation, type) and issubclass(annotation, Section):
                fields(key, annotation)
            else:
                expected.add(key)

    for name, model in SECTIONS.items():
        fields(name, model)
    assert expected <= table_keys, sorted(expected - table_keys)


def test_readme_quick_start_is_two_commands_and_ci_runs_the_test_one():
    commands = re.findall(r"```sh\n(uv sync .*)\n```", README)
    assert len(commands) == 2
    plan_command, test_command = commands
    assert plan_command.startswith("uv sync --locked &&") and "nowry-infra plan" in plan_command
    ci = (PROJECT_DIR / ".ci" / "run").read_text().splitlines()
    install, _, run_tests = test_command.rpartition(" && ")
    assert install in ci
    assert run_tests == [line for line in ci if "pytest" in line][-1]


def test_only_the_sdk_adapter_touches_pulumis_private_internals():
    private = re.compile(
        r"_sync_await|(?<![A-Z])_SECRET_KEYS|_special_\w+|(?<![A-Z_])SETTINGS\b|CONFIG\.get\(\)|run_pulumi_func|_get_stack_trace"
    )
    adapter = PROJECT_DIR / "infra" / "sdk.py"
    for folder in ("infra", "stacks", "components", "policy"):
        for path in (PROJECT_DIR / folder).rglob("*.py"):
            if path != adapter:
                assert not private.search(path.read_text()), f"{path.relative_to(PROJECT_DIR)} reaches into the SDK"
    assert private.search(adapter.read_text())


def test_generated_reference_pages_are_current():
    from infra.tool.docs import DOCS, PAGES, stale

    assert DOCS == PROJECT_DIR / "docs"  # the pages the README links, not a copy elsewhere
    assert stale() == [], "run: uv run --locked python -m infra.tool.docs"
    assert set(PAGES) <= {p.name for p in (PROJECT_DIR / "docs").glob("*.md")}


def test_readme_is_short_and_every_link_it_gives_exists():
    assert len(README.splitlines()) <= 250
    links = re.findall(r"\]\(((?:docs|\.)[^)#]*)\)", README)
    assert links
    for link in links:
        assert (PROJECT_DIR / link).exists(), link


def test_everything_the_code_cites_lives_in_the_repository():
    outside = re.compile(r"\b(DESIGN|PRICES|SECURITY|TOOLING|STYLE)\.md\b")
    for folder in ("infra", "stacks", "components", "policy", "tests", "docs", ".github"):
        for path in (PROJECT_DIR / folder).rglob("*"):
            if path.suffix in (".py", ".md", ".yml", ".yaml") and path != Path(__file__):
                assert not outside.search(path.read_text()), path.relative_to(PROJECT_DIR)
