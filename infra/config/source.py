"""Raw config as the Pulumi engine hands it to a program: flat ``namespace:key`` strings.

The Pulumi CLI passes every config value to the program as a string (objects as JSON),
with a list of the keys that hold secrets. ``from_runtime`` reads that; ``from_stack_file``
builds the same thing from ``Pulumi.<stack>.yaml`` for the offline engine, so both paths
go through one loader.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from infra import PROJECT

_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_BASE_LOADER):  # type: ignore[misc, valid-type]
    """A safe loader that refuses a key given twice in one mapping, as the Pulumi CLI does
    (the last one silently winning would plan something the file does not say)."""


def _unique_mapping(loader: Any, node: Any, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice in one mapping", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)
_YAML_LOADER = _UniqueKeyLoader

OFFLINE_SECRET_PREFIX = "offline-secret-"
"""Stands in for an encrypted value the offline engine cannot decrypt (no passphrase)."""


class StackFileError(Exception):
    """A project or stack file is missing or unreadable: a usage error."""


@dataclass(frozen=True)
class RawConfig:
    """Flat config: ``{"nowry:phase": "aws", "nowry:backend": "{...json...}"}`` plus secret keys."""

    values: dict[str, str]
    secret_keys: frozenset[str] = field(default_factory=frozenset)

    def namespace(self, ns: str) -> dict[str, str]:
        prefix = f"{ns}:"
        return {k[len(prefix) :]: v for k, v in self.values.items() if k.startswith(prefix)}


def from_runtime() -> RawConfig:
    """The config of the running Pulumi program (set by the CLI, or by ``set_all_config``)."""
    from infra.sdk import program_config, secret_config_keys

    return RawConfig(program_config(), frozenset(secret_config_keys()))


@dataclass(frozen=True)
class Project:
    """What ``Pulumi.yaml`` says about the project."""

    name: str
    directory: Path
    config_defaults: dict[str, Any] = field(default_factory=dict)
    """Project-level config from ``Pulumi.yaml`` (values or ``{default: ...}``): what the
    Pulumi CLI applies to every stack that does not set the key itself."""

    def stack_file(self, stack: str) -> Path:
        return self.directory / f"Pulumi.{stack}.yaml"

    def stacks(self) -> list[str]:
        return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in self.directory.glob("Pulumi.*.yaml"))


def read_project(directory: Path) -> Project:
    path = directory / "Pulumi.yaml"
    if not path.is_file():
        raise StackFileError(f"no Pulumi.yaml in {directory}: pass --project-dir with the project's folder")
    data = _read_yaml(path)
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise StackFileError(f"{path}: 'name' is missing")
    defaults: dict[str, Any] = {}
    config = data.get("config") or {}
    if not isinstance(config, dict):
        raise StackFileError(f"{path}: 'config' must be a mapping of keys to values, not {type(config).__name__}")
    for raw_key, value in config.items():
        key = str(raw_key) if ":" in str(raw_key) else f"{name}:{raw_key}"
        if isinstance(value, dict) and ("default" in value or "type" in value):
            if "default" in value:
                defaults[key] = value["default"]
        else:
            defaults[key] = value
    return Project(name=name, directory=directory.resolve(), config_defaults=defaults)


def from_stack_file(project: Project, stack: str) -> RawConfig:
    """Read ``Pulumi.<stack>.yaml`` the way the Pulumi CLI passes it to a program."""
    from infra.naming import valid_stack_name

    if not valid_stack_name(stack):
        raise StackFileError(
            f"stack name {stack!r} is not one Pulumi accepts; allowed: 1-100 of letters, digits, '-', '_' and '.'"
        )
    path = project.stack_file(stack)
    if not path.is_file():
        known = ", ".join(project.stacks()) or "none"
        raise StackFileError(f"no stack file {path.name} in {project.directory} (stacks here: {known})")
    data = _read_yaml(path)
    config = data.get("config") or {}
    if not isinstance(config, dict):
        raise StackFileError(f"{path.name}: 'config' must be a mapping of keys to values, not {type(config).__name__}")
    values: dict[str, str] = {key: encode_value(value) for key, value in project.config_defaults.items()}
    secret_keys: set[str] = set()
    for raw_key, raw_value in config.items():
        key = str(raw_key) if ":" in str(raw_key) else f"{project.name}:{raw_key}"
        value, secret = _offline_value(key, raw_value)
        values[key] = encode_value(value)
        if secret:
            secret_keys.add(key)
    return RawConfig(values, frozenset(secret_keys))


def apply_overrides(raw: RawConfig, assignments: Iterable[str]) -> RawConfig:
    """Apply ``KEY=VALUE`` overrides. ``nowry:backend.cpu=512`` sets one field of an object,
    as ``pulumi config set --path`` does; a key without a namespace is under ``nowry:``."""
    values = dict(raw.values)
    for assignment in assignments:
        key, sep, text = assignment.partition("=")
        key = key.strip()
        if not sep or not key:
            raise StackFileError(f"--set expects KEY=VALUE, got {assignment!r}")
        if ":" not in key:
            key = f"{PROJECT}:{key}"
        top, _, path = key.partition(".")
        if not path:
            if _is_null(text):
                values.pop(top, None)  # KEY=null unsets the key, as `pulumi config rm` does
            else:
                values[top] = text
            continue
        current = _decode_object(values.get(top))
        if current is None:
            raise StackFileError(f"--set {key}: {top} does not hold an object")
        node = current
        parts = path.split(".")
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise StackFileError(f"--set {key}: {part} does not hold an object")
            node = child
        value = _parse_scalar(text)
        if _is_null(text):
            node.pop(parts[-1], None)  # KEY.path=null unsets that field
        else:
            node[parts[-1]] = value
        values[top] = json.dumps(current)
    return RawConfig(values, raw.secret_keys)


def encode_value(value: Any) -> str:
    """A config value as the CLI passes it: strings as is, everything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _offline_value(key: str, value: Any) -> tuple[Any, bool]:
    """Replace ``secure:`` values (unreadable without the stack's passphrase) by placeholders."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return f"{OFFLINE_SECRET_PREFIX}{key}", True
        secret = False
        out: dict[str, Any] = {}
        for k, v in value.items():
            out[str(k)], inner = _offline_value(f"{key}.{k}", v)
            secret = secret or inner
        return out, secret
    if isinstance(value, list):
        items = [_offline_value(f"{key}[{i}]", v) for i, v in enumerate(value)]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


def _decode_object(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _is_null(text: str) -> bool:
    """``null`` (or ``~``) in ``--set KEY=null`` means: unset the key."""
    return text.strip() in ("null", "~")


def _parse_scalar(text: str) -> Any:
    """``--set`` text as YAML reads a value (numbers, booleans, lists); text YAML would read as
    nothing (``#ops`` is a YAML comment) stays the text typed, never a silent null."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if value is None:
        return None if _is_null(text) else text
    if isinstance(value, (list, dict, str, int, float, bool)):
        return value
    return text


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(), Loader=_YAML_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise StackFileError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise StackFileError(f"{path}: expected a YAML mapping at the top level")
    return data
