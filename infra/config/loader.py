"""Validate raw config once, before any resource exists, and report every problem together."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from pydantic import TypeAdapter, ValidationError

from infra.config import atlas_checks, aws_checks, managed_checks
from infra.config.aws_checks import DEFAULT_REGION
from infra.config.credentials import config_set_command
from infra.config.errors import ConfigError, ConfigIssue
from infra.config.model import (
    ENV_NAME,
    HOSTNAME,
    IMAGE_REF,
    KNOWN_KEYS,
    PHASES,
    RESERVED_ENV,
    SECRETS,
    SECTIONS,
    AtlasConfig,
    AwsConfig,
    BackendConfig,
    CacheConfig,
    DatabaseConfig,
    FrontendConfig,
    KubernetesConfig,
    Phase,
    RailwayConfig,
    SecretValue,
    Section,
    StackConfig,
    VercelConfig,
    production_decision,
)
from infra.config.source import OFFLINE_SECRET_PREFIX, RawConfig
from infra.phases import spec


@dataclass
class LoadResult:
    config: StackConfig
    warnings: list[str] = field(default_factory=list)


def load_stack_config(raw: RawConfig, *, project: str, stack: str, project_dir: Path, offline: bool) -> LoadResult:
    """Turn raw config into a ``StackConfig``; raise ``ConfigError`` listing every problem.

    Offline (no passphrase, no decryption), a required secret that is not set becomes a
    placeholder and a warning; under the real Pulumi engine it is an error.
    """
    ns = raw.namespace(project)
    issues: list[ConfigIssue] = []
    warnings: list[str] = []

    for key in sorted(set(ns) - set(KNOWN_KEYS)):
        issues.append(_unknown_key(f"{project}:{key}", key, KNOWN_KEYS))

    phase = _phase(ns.get("phase"), issues)
    production, production_reason = production_decision(phase, _boolean("production", ns.get("production"), issues))
    protect = _boolean("protect", ns.get("protect"), issues)
    if protect is None and "protect" not in ns:
        protect = production
    budget = _budget(ns.get("monthlyBudget"), issues)
    sections = {name: _section(name, model, ns.get(name), issues) for name, model in SECTIONS.items()}
    secrets = _secrets(raw, ns, project, stack, phase, offline, issues, warnings)

    backend = cast(BackendConfig | None, sections["backend"])
    frontend = cast(FrontendConfig | None, sections["frontend"])
    database = cast(DatabaseConfig | None, sections["database"])
    cache = cast(CacheConfig | None, sections["cache"])
    aws = cast(AwsConfig | None, sections["aws"])
    region = raw.values.get("aws:region", DEFAULT_REGION)
    if backend is not None:
        _check_backend(backend, issues)
    for key, section in (("backend", backend), ("frontend", frontend)):
        context = getattr(section, "context", None)
        if context:
            _check_folder(f"nowry:{key}.context", context, project_dir, "a Docker build context", issues)
        dockerfile = getattr(section, "dockerfile", None)
        if context and dockerfile and (project_dir / context).is_dir():
            _check_inside(f"nowry:{key}.dockerfile", dockerfile, project_dir / context, "a Dockerfile", issues)
    if frontend is not None and frontend.static_dir:
        _check_static_dir(frontend.static_dir, project_dir, offline, issues, warnings)
    if frontend is not None:
        _check_frontend(frontend, phase, issues)
    if database is not None and phase is not None:
        _check_database(database, phase, issues)
    if cache is not None and phase is not None and not spec(phase).runs_cache and cache.enabled:
        issues.append(ConfigIssue("nowry:cache.enabled", "the local phase runs no cache", "true", "false"))

    atlas = cast(AtlasConfig | None, sections["atlas"])
    railway = cast(RailwayConfig | None, sections["railway"])
    vercel = cast(VercelConfig | None, sections["vercel"])
    uses_atlas = (
        phase is not None and database is not None and ((database.engine or spec(phase).default_engine) == "atlas")
    )
    if uses_atlas and atlas is not None:
        atlas_checks.check(
            atlas,
            raw,
            stack,
            phase=phase,
            prod=production,
            offline=offline,
            issues=issues,
            warnings=warnings,
        )

    if phase == "aws" and None not in (backend, frontend, database, cache, aws):
        assert backend and frontend and database and cache and aws
        aws_checks.check(region, backend, frontend, database, cache, aws, issues)

    kubernetes = cast(KubernetesConfig | None, sections["kubernetes"])
    if phase == "kubernetes" and kubernetes is not None:
        _check_kubernetes(kubernetes, issues)
        if kubernetes.cluster == "eks" and aws is not None and aws.nat == "none":
            issues.append(
                ConfigIssue(
                    "nowry:aws.nat",
                    "EKS nodes run in private subnets and need a NAT gateway",
                    "'none'",
                    "single or per-az",
                )
            )
        if kubernetes.cluster == "eks" and kubernetes.nodes > kubernetes.max_nodes:
            issues.append(
                ConfigIssue(
                    "nowry:kubernetes.nodes",
                    "is above maxNodes",
                    str(kubernetes.nodes),
                    f"at most {kubernetes.max_nodes}",
                )
            )
        if backend is not None and not backend.image:
            issues.append(
                ConfigIssue(
                    "nowry:backend.image",
                    "the kubernetes phase runs a published image",
                    None,
                    "an image reference pinned by tag or digest",
                )
            )
        if frontend is not None and not frontend.image:
            issues.append(
                ConfigIssue(
                    "nowry:frontend.image",
                    "the kubernetes phase runs an nginx image",
                    None,
                    "an unprivileged nginx image pinned by tag or digest",
                )
            )

    if phase is not None and spec(phase).managed and None not in (backend, vercel, railway):
        assert backend and vercel and railway
        managed_checks.check(phase, backend, railway, vercel, raw, stack, offline, issues, warnings)

    if issues or phase is None or protect is None:
        raise ConfigError(stack, issues)
    config = StackConfig(
        project=project,
        stack=stack,
        project_dir=project_dir,
        phase=phase,
        production=production,
        production_reason=production_reason,
        protect=protect,
        aws_region=region,
        monthly_budget=budget,
        secrets=secrets,
        **sections,  # type: ignore[arg-type]  # every section parsed: no issue was found
    )
    return LoadResult(config, warnings)


def _inside(path: str, root: Path) -> Path | None:
    """``path`` (relative to ``root``) resolved, or None when it leads outside ``root``."""
    resolved = (root / path).resolve()
    return resolved if resolved.is_relative_to(root.resolve()) else None


def _check_folder(key: str, path: str, project_dir: Path, what: str, issues: list[ConfigIssue]) -> None:
    resolved = _inside(path, project_dir)
    if resolved is None:
        issues.append(ConfigIssue(key, "leads outside the project folder", repr(path), f"{what} under {project_dir}"))
    elif not resolved.is_dir():
        problem = "is a file, not a folder" if resolved.exists() else "does not exist"
        issues.append(ConfigIssue(key, problem, repr(path), f"{what} under {project_dir}"))


def _check_inside(key: str, path: str, root: Path, what: str, issues: list[ConfigIssue]) -> None:
    resolved = _inside(path, root)
    if resolved is None or not resolved.is_file():
        problem = "leads outside the build context" if resolved is None else "is not a file"
        issues.append(ConfigIssue(key, problem, repr(path), f"{what} inside {root}"))


def _check_static_dir(
    path: str, project_dir: Path, offline: bool, issues: list[ConfigIssue], warnings: list[str]
) -> None:
    """The built site: a folder inside the project (every file in it is uploaded to the public
    bucket, so a system folder must never be). Not built yet is a warning offline, an error
    under the real engine (an empty site is never deployed silently)."""
    key, allowed = "nowry:frontend.staticDir", f"the built site's folder under {project_dir}"
    resolved = _inside(path, project_dir)
    if resolved is None:
        issues.append(ConfigIssue(key, "leads outside the project folder", repr(path), allowed))
    elif resolved.exists() and not resolved.is_dir():
        issues.append(ConfigIssue(key, "is a file, not a folder", repr(path), allowed))
    elif not resolved.exists():
        if offline:
            warnings.append(f"{key} {path!r} does not exist yet: build the site there (npm run build) before deploying")
        else:
            issues.append(ConfigIssue(key, "does not exist: build the site first (npm run build)", repr(path), allowed))


def _phase(value: str | None, issues: list[ConfigIssue]) -> Phase | None:
    allowed = ", ".join(PHASES)
    if value is None:
        issues.append(ConfigIssue("nowry:phase", "is not set", None, allowed))
        return None
    if value not in PHASES:
        hint = _suggest(value, PHASES)
        issues.append(ConfigIssue("nowry:phase", f"unknown phase{hint}", repr(value), allowed))
        return None
    return cast(Phase, value)


def _boolean(key: str, value: str | None, issues: list[ConfigIssue]) -> bool | None:
    """A true/false config value; None when unset (or not a boolean, which is an issue)."""
    if value is None:
        return None
    try:
        return TypeAdapter(bool).validate_python(value)
    except ValidationError:
        issues.append(ConfigIssue(f"nowry:{key}", "expected a boolean", repr(value), "true or false"))
        return None


def _quantity(text: str) -> float:
    """A Kubernetes CPU or memory quantity in base units (cores, bytes)."""
    units = {"m": 1e-3, "Ki": 1024, "Mi": 1024**2, "Gi": 1024**3}
    for suffix, factor in units.items():
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


def _check_kubernetes(k8s: KubernetesConfig, issues: list[ConfigIssue]) -> None:
    key = "nowry:kubernetes"
    for request, limit in (("cpu_request", "cpu_limit"), ("memory_request", "memory_limit")):
        if _quantity(getattr(k8s, limit)) < _quantity(getattr(k8s, request)):
            alias = KubernetesConfig.model_fields[limit].alias
            request_alias = KubernetesConfig.model_fields[request].alias
            issues.append(
                ConfigIssue(
                    f"{key}.{alias}",
                    f"is below {request_alias} ({getattr(k8s, request)})",
                    repr(getattr(k8s, limit)),
                    f"at least {getattr(k8s, request)}",
                )
            )
    if k8s.min_replicas > k8s.max_replicas:
        issues.append(
            ConfigIssue(
                f"{key}.minReplicas", "is above maxReplicas", str(k8s.min_replicas), f"at most {k8s.max_replicas}"
            )
        )
    elif not k8s.min_replicas <= k8s.replicas <= k8s.max_replicas:
        issues.append(
            ConfigIssue(
                f"{key}.replicas",
                "is outside minReplicas..maxReplicas",
                str(k8s.replicas),
                f"{k8s.min_replicas}..{k8s.max_replicas}",
            )
        )
    if k8s.namespace == "default" or k8s.namespace.startswith("kube-"):
        issues.append(
            ConfigIssue(
                f"{key}.namespace",
                "must be a namespace of its own",
                repr(k8s.namespace),
                "any DNS label but default and kube-*",
            )
        )
    if not HOSTNAME.fullmatch(k8s.host):
        issues.append(ConfigIssue(f"{key}.host", "is not a DNS name", repr(k8s.host), "e.g. app.nowry.io"))


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


def _section(name: str, model: type[Section], text: str | None, issues: list[ConfigIssue]) -> Section | None:
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
        return model.model_validate(data)
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
    phase: Phase | None,
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
        if value is None and secret.required:
            if offline:
                warnings.append(
                    f"{full_key} is not set; the offline plan uses a placeholder. Before deploying run: {fix}"
                )
                secrets[secret.key] = SecretValue(f"{OFFLINE_SECRET_PREFIX}{full_key}", placeholder=True)
            else:
                issues.append(ConfigIssue(full_key, "is required and not set", None, fix))
                secrets[secret.key] = None
            continue
        if value is None:
            secrets[secret.key] = None
            continue
        secrets[secret.key] = SecretValue(value, placeholder=value.startswith(OFFLINE_SECRET_PREFIX))
    return secrets


def _check_image(key: str, value: str | None, issues: list[ConfigIssue]) -> None:
    if value is None:
        return
    if not IMAGE_REF.fullmatch(value):
        issues.append(ConfigIssue(key, "is not an image reference", repr(value), "registry/name:tag"))
        return
    name, _, digest = value.partition("@")
    tag = name.rsplit("/", 1)[-1].partition(":")[2]
    if not digest and tag in ("", "latest"):
        issues.append(
            ConfigIssue(
                key,
                "must be pinned by a tag other than 'latest' or by a digest",
                repr(value),
                "name:1.4.2 or name@sha256:...",
            )
        )


def _one_source(key: str, given: dict[str, str | None], issues: list[ConfigIssue]) -> None:
    chosen = [name for name, value in given.items() if value]
    if len(chosen) != 1:
        names = " or ".join(f"{key}.{name}" for name in given)
        shown = ", ".join(chosen) if chosen else "none"
        issues.append(ConfigIssue(key, f"set exactly one of {names}", shown, "exactly one"))


def _check_backend(backend: BackendConfig, issues: list[ConfigIssue]) -> None:
    key = "nowry:backend"
    _one_source(key, {"image": backend.image, "context": backend.context}, issues)
    _check_image(f"{key}.image", backend.image, issues)
    if backend.min_count > backend.max_count:
        issues.append(
            ConfigIssue(
                f"{key}.minCount",
                "is above maxCount",
                str(backend.min_count),
                f"at most maxCount ({backend.max_count})",
            )
        )
    elif not backend.min_count <= backend.desired_count <= backend.max_count:
        issues.append(
            ConfigIssue(
                f"{key}.desiredCount",
                "is outside minCount..maxCount",
                str(backend.desired_count),
                f"{backend.min_count}..{backend.max_count}",
            )
        )
    for name in backend.env:
        if not ENV_NAME.fullmatch(name):
            issues.append(ConfigIssue(f"{key}.env.{name}", "is not a variable name", repr(name), "[A-Z_][A-Z0-9_]*"))
        elif name in RESERVED_ENV:
            issues.append(
                ConfigIssue(
                    f"{key}.env.{name}",
                    "is set by the stack itself, as a secret",
                    repr(name),
                    "any name but " + ", ".join(RESERVED_ENV),
                )
            )


def _check_frontend(frontend: FrontendConfig, phase: Phase | None, issues: list[ConfigIssue]) -> None:
    key = "nowry:frontend"
    if phase == "local":
        sources = {
            "image": frontend.image,
            "context": frontend.context,
            "staticDir": frontend.static_dir,
        }
        _one_source(key, sources, issues)
    _check_image(f"{key}.image", frontend.image, issues)
    if frontend.domain is not None and not HOSTNAME.fullmatch(frontend.domain):
        issues.append(ConfigIssue(f"{key}.domain", "is not a DNS name", repr(frontend.domain), "e.g. app.nowry.io"))


def _check_database(database: DatabaseConfig, phase: Phase, issues: list[ConfigIssue]) -> None:
    allowed = spec(phase).database_engines
    if database.engine is not None and database.engine not in allowed:
        issues.append(
            ConfigIssue(
                "nowry:database.engine",
                f"the {phase} phase cannot run this engine",
                repr(database.engine),
                ", ".join(allowed),
            )
        )
    _check_image("nowry:database.image", database.image, issues)


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
