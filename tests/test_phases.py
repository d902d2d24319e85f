"""The phase registry: one entry per phase, read by config, builders, cost and advisor."""

from __future__ import annotations

import importlib

import pytest

from infra.config.model import PHASES, production_decision
from infra.phases import PHASE_NAMES, REGISTRY, phase_for_users, phases_where, spec
from infra.tool.cost.advisor import ORIGINAL_ESTIMATES
from stacks import builder_for
from tests.conftest import SHIPPED_STACKS


def test_the_config_takes_exactly_the_registrys_phases():
    assert PHASES == PHASE_NAMES == ("local", "free-tier", "hybrid", "all-paid", "aws", "gcp", "kubernetes")


@pytest.mark.parametrize("phase", PHASE_NAMES)
def test_every_phase_has_a_builder_defaults_and_a_price_sample(phase):
    entry = spec(phase)
    assert callable(builder_for(phase)) and importlib.import_module(entry.builder).build is builder_for(phase)
    assert entry.database_engines and entry.prices
    assert all(sample.stack in SHIPPED_STACKS for sample in entry.prices)
    assert (entry.default_atlas_tier is not None) == ("atlas" in entry.database_engines)


def test_the_decision_matrix_comes_from_the_registry():
    assert [phase_for_users(n) for n in (0, 99, 100, 999, 1_000, 9_999, 10_000, 49_999, 50_000)] == [
        "free-tier", "free-tier", "hybrid", "hybrid", "all-paid", "all-paid", "aws", "aws", "kubernetes",
    ]  # fmt: skip


def test_gcp_is_the_other_road_at_the_same_users_as_aws():
    """The decision matrix names aws; gcp serves the same users on another cloud, and recommend prices both."""
    from infra.phases import alternatives

    assert alternatives("aws") == ("gcp",) and alternatives("gcp") == ()
    assert spec("gcp").users_below == spec("aws").users_below and spec("gcp").alternative_to == "aws"
    assert spec("gcp").extra == "gcp" and spec("aws").extra is None
    assert phase_for_users(20_000) == "aws"


def test_phase_facts_read_from_the_registry():
    assert phases_where("managed") == ("free-tier", "hybrid", "all-paid")
    assert phases_where("needs_external_database") == ("kubernetes",)
    assert [p.name for p in REGISTRY if p.account_plan == "pro"] == ["all-paid"]
    assert {p.name for p in REGISTRY if p.holds_data_of_record} == {"free-tier", "hybrid", "all-paid", "aws", "gcp"}
    assert all(production_decision(p.name, None)[0] is (p.holds_data_of_record or bool(p.production_because))
               for p in REGISTRY)  # fmt: skip
    assert [p.name for p in REGISTRY if p.production_because] == ["kubernetes"]
    assert ORIGINAL_ESTIMATES["hybrid (Atlas Flex)"] == "~$15" and ORIGINAL_ESTIMATES["aws"] == "$150-300"
