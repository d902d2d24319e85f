"""Validate raw config once, before any resource exists, and report every problem together."""

from __future__ import annotations

import difflib
import importlib
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from infra.config.aws_checks import DEFAULT_REGION
from infra.config.credentials import config_set_command
from infra.config.errors import CheckContext, ConfigError, ConfigIssue
from infra.config.model import (
    KNOWN_KEYS,
    PHASES,
    SECRETS,
    SECTIONS,
    SecretValue,
    Section,
    StackConfig,
    parse_boolean,
    production_decision,
)
from infra.config.model.gcp import DEFAULT_REGION as GCP_DEFAULT_REGION
from infra.config.model.policy import RULE_IDS_CONTEXT
from infra.config.source import OFFLINE_SECRET_PREFIX, RawConfig
from infra.phases import spec

Check = Callable[[StackConfig, CheckContext], None]
"""A config check: reads the validated config, reports problems through the context."""


@dataclass
class LoadResult:
    config: StackConfig
    warnings: list[str] = field(default_factory=list)


def load_stack_config(
    raw: RawConfig,
    *,
    project: str,
    stack: str,
    project_dir: Path,
    offline: bool,
    rule_ids: Collection[str] | None = None,
) -> LoadResult:
    """Turn raw config into a ``StackConfig``; raise ``ConfigError`` listing every problem.

    First every key on its own (the model validates each section and its invariants), then,
    once they all parse (problems found so far are kept), the checks every phase runs, the
    Atlas checks when the database is Atlas, and the checks the phase registry names for the
    phase. ``rule_ids``, given by a caller that knows the policy rules, are the ids an accepted
    finding may name (``infra/config/model/policy.py``). Offline (no passphrase, no
    decryption), a required secret that is not set becomes a placeholder and a warning;
    under the real Pulumi engine it is an error.
    """
    ns = raw.namespace(project)
    ctx = CheckContext(raw, stack, project_dir, offline)
    for key in sorted(set(ns) - set(KNOWN_KEYS)):
        ctx.issues.append(_unknown_key(f"{project}:{key}", key, KNOWN_KEYS))
    phase = _phase(ns.get("phase"), ctx.issues)
    production, production_reason = production_decision(phase, _boolean("production", ns.get("production"), ctx.issues))
    protect = _boolean("protect", ns.get("protect"), ctx.issues)
    budget = _budget(ns.get("monthlyBudget"), ctx.issues)
    context = {RULE_IDS_CONTEXT: rule_ids} if rule_ids is not None else None
    sections = {name: _section(name, model, ns.get(name), ctx.issues, context) for name, model in SECTIONS.items()}
    secrets = _secrets(raw, ns, project, stack, phase, sections, offline, ctx.issues, ctx.warnings)
    if phase is None or None in sections.values():  # the checks below need a phase and every section
        raise ConfigError(stack, ctx.issues)
    config = StackConfig(
        project=project,
        stack=stack,
        project_dir=project_dir,
        phase=phase,
        production=production,
        production_reason=production_reason,
        protect=production if protect is None else protect,
        aws_region=raw.values.get("aws:region", DEFAULT_REGION),
        gcp_project=raw.values.get("gcp:project"),
        gcp_region=raw.values.get("gcp:region", GCP_DEFAULT_REGION),
        monthly_budget=budget,
        secrets=secrets,
        **sections,  # type: ignore[arg-type]  # every section parsed: no issue was found
    )
    for check in _checks(config):
        check(config, ctx)
    if ctx.issues:
        raise ConfigError(stack, ctx.issues)
    return LoadResult(config, ctx.warnings)


def _checks(config: StackConfig) -> list[Check]:
    """The checks this stack's config goes through, in order."""
    modules = [
        "infra.config.common_checks",
        "infra.config.migration_checks",
        "infra.config.observability_checks",
        "infra.config.connection_budget",
    ]
    if config.database_engine == "atlas":
        modules.append("infra.config.atlas_checks")
    modules += spec(config.phase).checks
    return [importlib.import_module(module).check for module in modules]


def _phase(value: str | None, issues: list[ConfigIssue]) -> str | None:
    allowed = ", ".join(PHASES)
    if value is None:
        issues.append(ConfigIssue("nowry:phase", "is not set", None, allowed))
        return None
    if value not in PHASES:
        hint = _suggest(value, PHASES)
        issues.append(ConfigIssue("nowry:phase", f"unknown phase{hint}", repr(value), allowed))
        return None
    return value


def _boolean(key: str, value: str | None, issues: list[ConfigIssue]) -> bool | None:
    """A true/false config value; None when unset (or not a boolean, which is an issue)."""
    if value is None:
        return None
    try:
        return parse_boolean(value)
    except ValueError:
        issues.append(ConfigIssue(f"nowry:{key}", "expected a boolean", repr(value), "true or false"))
        return None


def _budget(value: str | None, issues: list[ConfigIssue]) -> float | None:
    if value is None:
        return None
    try:
        budget = float(value)
    except ValueError:
        budget = -1.0
    if not 0 <= budget <= BUDGET_MAX:  # also refuses nan and inf
        issues.append(
            ConfigIssue(
                "nowry:monthlyBudget", "expected an amount in USD", repr(value), f"a number from 0 to {BUDGET_MAX:,}"
            )
        )
        return None
    return budget


BUDGET_MAX = 10_000_000
"""The largest monthly budget taken, in USD."""


def _section(
    name: str, model: type[Section], text: str | None, issues: list[ConfigIssue], context: dict[str, Any] | None
) -> Section | None:
    key = f"nowry:{name}"
    data: Any = {}
    if text is not None:
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = text
    if not isinstance(data, dict):
        fields = ", ".join(_aliases(model))
        issues.append(ConfigIssue(key, "expected a mapping of settings", repr(data), fields))
        return None
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        for error in exc.errors():
            issues.append(_pydantic_issue(key, model, error))
        return None


def _pydantic_issue(key: str, model: type[Section], error: Any) -> ConfigIssue:
    loc = [str(part) for part in error["loc"] if not isinstance(part, int)]
    path = key + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"])
    given = _show(error.get("input"))
    kind = error["type"]
    if kind == "extra_forbidden":
        return _unknown_key(path, loc[-1], _aliases(_owner(model, loc[:-1])))
    allowed = _describe(model, loc)
    problems = {
        "int_parsing": "expected a whole number",
        "int_type": "expected a whole number",
        "int_from_float": "expected a whole number",
        "bool_parsing": "expected true or false",
        "bool_type": "expected true or false",
        "string_type": "expected text",
        "dict_type": "expected a mapping",
        "literal_error": "not one of the allowed values",
        "missing": "is required",
        "string_too_short": "is too short",
        "list_type": "expected a list",
        "finite_number": "expected a finite number",
        "float_parsing": "expected a number",
        "string_too_long": "is too long",
    }
    ctx = error.get("ctx") or {}
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        problem = "out of range"
    elif kind == "string_pattern_mismatch":
        problem = f"does not match {ctx.get('pattern')}"
    elif kind == "invariant":
        return ConfigIssue(path, str(error["msg"]), given, str(ctx.get("allowed") or allowed or ""))
    elif kind == "value_error":
        problem = str(error["msg"]).removeprefix("Value error, ")
    else:
        problem = problems.get(kind, str(error["msg"]))
    return ConfigIssue(path, problem, given, allowed)


def _owner(model: type[Section], loc: list[str]) -> type[Section]:
    """The model that holds the field at ``loc`` (nested sections)."""
    for part in loc:
        for name, info in model.model_fields.items():
            if part in (name, info.alias):
                annotation = info.annotation
                if isinstance(annotation, type) and issubclass(annotation, Section):
                    model = annotation
    return model


def _describe(model: type[Section], loc: list[str]) -> str | None:
    if not loc:
        return None
    owner = _owner(model, loc[:-1])
    for name, info in owner.model_fields.items():
        if loc[-1] in (name, info.alias):
            return info.description
    return None


def _aliases(model: type[Section]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _secrets(
    raw: RawConfig,
    ns: dict[str, str],
    project: str,
    stack: str,
    phase: str | None,
    sections: dict[str, Any],
    offline: bool,
    issues: list[ConfigIssue],
    warnings: list[str],
) -> dict[str, SecretValue | None]:
    secrets: dict[str, SecretValue | None] = {}
    for secret in SECRETS:
        if secret.phases is not None and phase not in secret.phases:
            secrets[secret.key] = None
            continue
        full_key = f"{project}:{secret.key}"
        fix = config_set_command(f"nowry:{secret.key}", stack, secret=True, example=secret.example)
        value = ns.get(secret.key)
        if value is not None and full_key not in raw.secret_keys:
            issues.append(
                ConfigIssue(
                    full_key,
                    "is set as plain text; a secret must be stored encrypted",
                    "[hidden]",
                    f"an encrypted value: {fix}",
                )
            )
            secrets[secret.key] = None
            continue
        if value == "":
            issues.append(ConfigIssue(full_key, "is empty", "''", f"a value: {fix}"))
            secrets[secret.key] = None
            continue
        if value is None and secret.needed(sections):
            if offline:
                warnings.append(
                    f"{full_key} is not set; the offline plan uses a placeholder. Before deploying run: {fix}"
                )
                secrets[secret.key] = SecretValue(f"{OFFLINE_SECRET_PREFIX}{full_key}", placeholder=True)
            else:
                why = "is required and not set"
                if not secret.required and secret.condition:
                    why = f"is required with {secret.condition}, and not set"
                issues.append(ConfigIssue(full_key, why, None, fix))
                secrets[secret.key] = None
            continue
        if value is None:
            secrets[secret.key] = None
            continue
        secrets[secret.key] = SecretValue(value, placeholder=value.startswith(OFFLINE_SECRET_PREFIX))
    return secrets


def _unknown_key(path: str, key: str, known: Any) -> ConfigIssue:
    return ConfigIssue(path, f"unknown key{_suggest(key, list(known))}", None, ", ".join(known))


def _suggest(value: str, choices: Any) -> str:
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.5)
    if not close:
        lowered = {c.lower(): c for c in choices}
        if value.lower() in lowered:
            close = [lowered[value.lower()]]
    return f" — did you mean '{close[0]}'?" if close else ""


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
