"""Physical names every real service accepts, for any stack name Pulumi accepts."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from infra.naming import RULES, STACK_NAME, physical_name, valid_stack_name
from infra.tool.cli import app
from infra.tool.engine.runner import plan_stack
from infra.tool.resource_kinds import name_problems as plan_name_problems
from tests.conftest import PROJECT_DIR, SHIPPED_STACKS, shipped_plan

stack_names = st.from_regex(STACK_NAME, fullmatch=True)
purposes = st.sampled_from(["database", "cache", "site-cdn", "backend", "api-alb", "final", "nowry", "db", "x"])


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(sorted(RULES)), project=st.sampled_from(["nowry", "Nowry_App"]), stack=stack_names,
       purpose=purposes)  # fmt: skip
def test_every_generated_name_satisfies_its_services_rule(kind, project, stack, purpose):
    name = physical_name(kind, purpose, project, stack)
    assert RULES[kind].problems(name) == []
    assert physical_name(kind, purpose, project, stack) == name  # the same stack always gets the same name


@settings(max_examples=200, deadline=None)
@given(kind=st.sampled_from(sorted(RULES)), stack=stack_names)
def test_a_name_that_is_already_valid_is_kept_and_a_changed_one_carries_a_hash(kind, stack):
    joined = f"nowry-{stack}"
    name = physical_name(kind, "nowry", stack)
    if not RULES[kind].problems(joined):
        assert name == joined
    else:
        assert name != joined and len(name.rsplit("-", 1)[-1]) == 8


def test_names_that_differ_only_by_case_or_punctuation_do_not_collide():
    names = {physical_name("docdb-cluster", "database", s) for s in ("prod-stack", "Prod-Stack", "prod_stack")}
    assert len(names) == 3


@pytest.mark.parametrize(
    ("kind", "bad"),
    [("docdb-cluster", "database-Prod_Stack"), ("docdb-cluster", "d" * 64), ("vercel-project", "nowry-Dev"),
     ("alb", "internal-api"), ("cloudfront-oac", "o" * 65), ("atlas-cluster", "nowry.prod-db"),
     ("docdb-cluster", "db--x"), ("docdb-cluster", "9db")],
)  # fmt: skip
def test_the_rules_refuse_what_the_services_refuse(kind, bad):
    assert RULES[kind].problems(bad)


@pytest.mark.parametrize(("kind", "good"), [("docdb-cluster", "database-prod"), ("vercel-project", "nowry-dev")])
def test_the_rules_accept_what_the_services_accept(kind, good):
    assert RULES[kind].problems(good) == []


def test_shipped_stacks_plan_only_valid_names():
    for stack in SHIPPED_STACKS:
        plan = shipped_plan(stack)
        assert plan_name_problems([(r.type, r.name, r.inputs) for r in plan.resources]) == [], stack


HOSTILE = ["Prod_Stack.EU", "Very_Long.Stack-" + "N" * 78]
PHASES = [("local", []), ("dev", []), ("dev", ["nowry:phase=hybrid"]), ("dev", ["nowry:phase=all-paid"]),
          ("prod", []), ("k8s", []), ("k8s", ["nowry:kubernetes.cluster=eks", "nowry:aws.nat=single"])]  # fmt: skip


@pytest.fixture(scope="module")
def hostile_project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    shutil.copy(PROJECT_DIR / "Pulumi.yaml", folder / "Pulumi.yaml")
    (folder / "frontend" / "build").mkdir(parents=True)
    for stack in HOSTILE:
        for shipped in ("local", "dev", "prod", "k8s"):
            shutil.copy(PROJECT_DIR / f"Pulumi.{shipped}.yaml", folder / f"Pulumi.{stack}-{shipped}.yaml")
    return folder


@pytest.mark.parametrize("stack", HOSTILE)
@pytest.mark.parametrize(("shipped", "overrides"), PHASES)
def test_hostile_stack_names_plan_only_names_the_services_accept(hostile_project, stack, shipped, overrides):
    plan = plan_stack(hostile_project, f"{stack}-{shipped}", overrides)
    named = [(r.type, r.name, r.inputs) for r in plan.resources]
    assert plan_name_problems(named) == []
    assert len(f"{stack}-{shipped}") > 12  # the names were built from a hostile stack name


@pytest.mark.parametrize("stack", ["bad name", "a/b", "x" * 101, "", "ünï"])
def test_stack_names_pulumi_refuses_are_exit_2_before_planning(stack):
    assert not valid_stack_name(stack)
    result = CliRunner().invoke(app, ["plan", stack, "--project-dir", str(PROJECT_DIR)])
    assert result.exit_code == 2
    assert "is not one Pulumi accepts" in result.stderr


def test_config_set_hints_quote_the_stack_name(hostile_project):
    result = CliRunner().invoke(app, ["plan", "Prod_Stack.EU-prod", "--project-dir", str(hostile_project)])
    assert "--stack Prod_Stack.EU-prod" in result.stderr  # safe characters need no quotes
    from infra.config.credentials import config_set_command

    assert config_set_command("nowry:x", "a b;rm", secret=True).endswith("--stack 'a b;rm'")
