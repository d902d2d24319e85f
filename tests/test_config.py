"""Config validation: each rule refuses a bad value (naming key, value, what is allowed)
and accepts a good one, before any resource is registered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.config import ConfigError, RawConfig, load_stack_config
from infra.config.source import (
    OFFLINE_SECRET_PREFIX,
    Project,
    StackFileError,
    apply_overrides,
    from_stack_file,
)

BASE = {
    "nowry:phase": "local",
    "nowry:backend": json.dumps({"image": "ghcr.io/nowry/nowry-backend:1.0.0"}),
    "nowry:frontend": json.dumps({"image": "ghcr.io/nowry/nowry-frontend:1.0.0"}),
}


def load(values: dict[str, str], secret_keys=(), *, stack: str = "dev", offline: bool = True):
    raw = RawConfig({**BASE, **values}, frozenset(secret_keys))
    return load_stack_config(raw, project="nowry", stack=stack, project_dir=Path("."), offline=offline)


def problems(values: dict[str, str], secret_keys=(), **kwargs) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        load(values, secret_keys, **kwargs)
    return {issue.key: issue.render() for issue in caught.value.issues}


def section(**fields) -> str:
    return json.dumps(fields)


def test_a_minimal_local_config_loads_with_defaults():
    config = load({}).config
    assert config.phase == "local"
    assert config.backend.port == 8000
    assert config.database.image == "mongo:7.0"
    assert config.protect is False
    assert config.database_engine == "mongo"


def test_unknown_phase_is_refused_with_the_allowed_phases():
    found = problems({"nowry:phase": "serverless"})
    assert "'serverless'" in found["nowry:phase"]
    assert "local, free-tier, hybrid, all-paid, aws, gcp, kubernetes" in found["nowry:phase"]


def test_missing_phase_is_refused():
    values = dict(BASE)
    del values["nowry:phase"]
    raw = RawConfig(values)
    with pytest.raises(ConfigError) as caught:
        load_stack_config(raw, project="nowry", stack="dev", project_dir=Path("."), offline=True)
    assert "nowry:phase: is not set" in str(caught.value)


@pytest.mark.parametrize("phase", ["local", "aws", "free-tier"])
def test_every_known_phase_is_accepted(phase):
    engine = {"local": "mongo", "aws": "documentdb", "free-tier": "atlas"}[phase]
    site = {"nowry:frontend": section(staticDir="frontend/build")}
    assert load({"nowry:phase": phase, **site}).config.database_engine == engine


def test_cpu_must_be_a_whole_number():
    found = problems({"nowry:backend": section(image="ghcr.io/a/b:1", cpu="lots")})
    assert "'lots'" in found["nowry:backend.cpu"]
    assert "whole number" in found["nowry:backend.cpu"]
    assert load({"nowry:backend": section(image="ghcr.io/a/b:1", cpu=512)}).config.backend.cpu == 512


def test_port_out_of_range_is_refused():
    found = problems({"nowry:backend": section(image="ghcr.io/a/b:1", port=70000)})
    assert "out of range" in found["nowry:backend.port"]
    assert "1-65535" in found["nowry:backend.port"]


def test_misspelt_top_level_key_suggests_the_known_one():
    found = problems({"nowry:bakend": section(image="x:1")})
    assert "did you mean 'backend'" in found["nowry:bakend"]


def test_misspelt_nested_key_suggests_the_known_one():
    found = problems({"nowry:backend": section(image="ghcr.io/a/b:1", desiredCont=2)})
    assert "did you mean 'desiredCount'" in found["nowry:backend.desiredCont"]


def test_keys_of_other_namespaces_pass_through():
    assert load({"aws:region": "eu-west-1", "docker:host": "unix:///x"}).config.phase == "local"


def test_plaintext_secret_is_refused_with_the_fix_and_without_the_value():
    found = problems({"nowry:groqApiKey": "gsk_live_very_secret"})
    message = found["nowry:groqApiKey"]
    assert "plain text" in message
    assert "pulumi config set --secret nowry:groqApiKey" in message
    assert "gsk_live_very_secret" not in message


def test_secret_given_encrypted_is_accepted_and_masked_in_repr():
    result = load({"nowry:groqApiKey": "gsk_live"}, secret_keys=["nowry:groqApiKey"])
    secret = result.config.secrets["groqApiKey"]
    assert secret is not None and secret.reveal() == "gsk_live"
    assert "gsk_live" not in repr(result.config.secrets)
    assert result.warnings == []


def test_missing_required_secret_offline_is_a_placeholder_and_a_warning():
    result = load({})
    secret = result.config.secrets["groqApiKey"]
    assert secret is not None and secret.placeholder
    assert any("pulumi config set --secret nowry:groqApiKey" in w for w in result.warnings)


def test_missing_required_secret_under_the_real_engine_is_an_error():
    found = problems({}, offline=False)
    assert "required" in found["nowry:groqApiKey"]
    assert "pulumi config set --secret nowry:groqApiKey" in found["nowry:groqApiKey"]


def test_optional_secret_left_unset_is_generated_later():
    assert load({}).config.secrets["secretKey"] is None


def test_protection_is_decided_by_config_never_by_the_stack_name():
    # local holds no data of record: not production, whatever the stack is called
    assert load({}, stack="prod").config.protect is False
    # a production stack named anything gets protection from its phase or its stack file
    aws_like = {"nowry:production": "true"}
    assert load(aws_like, stack="production-eu").config.protect is True
    assert load(aws_like, stack="production-eu").config.production_reason.startswith("nowry:production is true")
    assert load({"nowry:production": "true", "nowry:protect": "false"}, stack="x").config.protect is False


def test_phases_that_hold_data_of_record_default_to_production():
    from infra.config.model import production_decision

    for phase in ("free-tier", "hybrid", "all-paid", "aws"):
        assert production_decision(phase, None)[0] is True
        assert production_decision(phase, False) == (False, "nowry:production is false in the stack file")
    assert production_decision("local", None)[0] is False


def test_the_kubernetes_phase_is_production_unless_its_stack_file_says_otherwise():
    """It holds no data of record, but serves the most users: the plan says so, every time."""
    from infra.config.model import production_decision

    assert production_decision("kubernetes", None) == (
        True,
        "the kubernetes phase serves the most users (50K+), and what it keeps is theirs to lose: the app's "
        "generated signing key (SECRET_KEY) and, on EKS, the KMS key without which the cluster's Secrets cannot "
        "be read (set nowry:production: false for a scratch stack)",
    )
    assert production_decision("kubernetes", False) == (False, "nowry:production is false in the stack file")


def test_production_must_be_a_boolean():
    assert "true or false" in problems({"nowry:production": "maybe"})["nowry:production"]


def test_protect_must_be_a_boolean():
    assert "true or false" in problems({"nowry:protect": "maybe"})["nowry:protect"]


def test_backend_needs_exactly_one_image_source():
    assert "exactly one" in problems({"nowry:backend": section()})["nowry:backend"]
    both = section(image="ghcr.io/a/b:1", context="./backend")
    assert "image, context" in problems({"nowry:backend": both})["nowry:backend"]
    assert load({"nowry:backend": section(context="./tests")}).config.backend.context == "./tests"


def test_image_must_be_pinned():
    found = problems({"nowry:backend": section(image="ghcr.io/a/b:latest")})
    assert "pinned" in found["nowry:backend.image"]
    found = problems({"nowry:backend": section(image="ghcr.io/a/b")})
    assert "pinned" in found["nowry:backend.image"]
    digest = "ghcr.io/a/b@sha256:" + "a" * 64
    assert load({"nowry:backend": section(image=digest)}).config.backend.image == digest


def test_image_reference_must_be_well_formed():
    found = problems({"nowry:frontend": section(image="Not An Image")})
    assert "image reference" in found["nowry:frontend.image"]


def test_desired_count_must_sit_between_min_and_max():
    found = problems({"nowry:backend": section(image="a/b:1", minCount=2, maxCount=4, desiredCount=5)})
    assert "2..4" in found["nowry:backend.desiredCount"]
    ok = load({"nowry:backend": section(image="a/b:1", minCount=2, maxCount=4, desiredCount=3)})
    assert ok.config.backend.desired_count == 3


def test_min_count_above_max_count_is_refused():
    found = problems({"nowry:backend": section(image="a/b:1", minCount=5, maxCount=2, desiredCount=3)})
    assert "maxCount" in found["nowry:backend.minCount"]


def test_env_may_not_override_the_stacks_secrets_or_use_bad_names():
    found = problems({"nowry:backend": section(image="a/b:1", env={"MONGO_URI": "x", "bad-name": "y"})})
    assert "set by the stack" in found["nowry:backend.env.MONGO_URI"]
    assert "variable name" in found["nowry:backend.env.bad-name"]
    assert load({"nowry:backend": section(image="a/b:1", env={"LOG_LEVEL": "info"})}).config.backend.env


def test_frontend_domain_must_be_a_dns_name():
    found = problems({"nowry:frontend": section(image="a/b:1", domain="not a domain")})
    assert "DNS name" in found["nowry:frontend.domain"]
    ok = load({"nowry:frontend": section(image="a/b:1", domain="app.nowry.io")})
    assert ok.config.frontend.domain == "app.nowry.io"


def test_database_engine_must_suit_the_phase():
    found = problems({"nowry:database": section(engine="documentdb")})
    assert "mongo" in found["nowry:database.engine"]
    site = section(staticDir="site")
    aws = {
        "nowry:phase": "aws",
        "nowry:frontend": site,
        "nowry:database": section(engine="documentdb"),
    }
    assert load(aws).config.database_engine == "documentdb"


def test_local_phase_has_no_cache():
    assert "no cache" in problems({"nowry:cache": section(enabled=True)})["nowry:cache.enabled"]
    assert load({"nowry:cache": section(enabled=False)}).config.cache.enabled is False


def test_section_must_be_a_mapping():
    assert "mapping" in problems({"nowry:backend": "ghcr.io/a/b:1"})["nowry:backend"]


def test_every_problem_is_reported_together():
    found = problems(
        {
            "nowry:phase": "nope",
            "nowry:backend": section(image="a/b:1", cpu="lots", port=0),
            "nowry:groqApiKey": "plain",
            "nowry:cahce": "{}",
        }
    )
    assert {
        "nowry:phase",
        "nowry:backend.cpu",
        "nowry:backend.port",
        "nowry:groqApiKey",
        "nowry:cahce",
    } <= set(found)


def test_stack_file_secure_values_become_opaque_secrets(tmp_path):
    (tmp_path / "Pulumi.s.yaml").write_text(
        "config:\n  nowry:phase: local\n  nowry:groqApiKey:\n    secure: v1:abcdef\n  nowry:protect: true\n"
    )
    raw = from_stack_file(Project("nowry", tmp_path), "s")
    assert raw.values["nowry:groqApiKey"].startswith(OFFLINE_SECRET_PREFIX)
    assert "v1:abcdef" not in json.dumps(raw.values)
    assert raw.secret_keys == {"nowry:groqApiKey"}
    assert raw.values["nowry:protect"] == "true"


def test_overrides_set_top_level_and_nested_values():
    raw = apply_overrides(RawConfig(dict(BASE)), ["phase=aws", "nowry:backend.cpu=512", "nowry:cache.enabled=true"])
    assert raw.values["nowry:phase"] == "aws"
    assert json.loads(raw.values["nowry:backend"])["cpu"] == 512
    assert json.loads(raw.values["nowry:cache"]) == {"enabled": True}


def test_an_override_yaml_reads_as_nothing_keeps_its_text_and_null_still_unsets():
    raw = apply_overrides(RawConfig(dict(BASE)), ["nowry:alerts.slackChannel=#ops", "nowry:backend.env=~"])
    assert json.loads(raw.values["nowry:alerts"]) == {"slackChannel": "#ops"}  # YAML reads "#ops" as a comment
    assert "env" not in json.loads(raw.values["nowry:backend"])


def test_override_without_equals_is_a_usage_error():
    with pytest.raises(StackFileError, match="KEY=VALUE"):
        apply_overrides(RawConfig(dict(BASE)), ["nowry:phase"])


def test_project_level_config_defaults_apply_unless_the_stack_sets_the_key(tmp_path):
    from infra.config.source import read_project

    (tmp_path / "Pulumi.yaml").write_text(
        "name: nowry\nruntime: python\nconfig:\n  aws:region: eu-west-1\n"
        "  nowry:protect:\n    type: boolean\n    default: true\n  nowry:phase:\n    type: string\n"
    )
    (tmp_path / "Pulumi.s.yaml").write_text("config:\n  nowry:phase: local\n  aws:region: us-east-2\n")
    raw = from_stack_file(read_project(tmp_path), "s")
    assert raw.values["nowry:protect"] == "true"
    assert raw.values["aws:region"] == "us-east-2"
    assert raw.values["nowry:phase"] == "local"
