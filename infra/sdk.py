"""The one place that touches the Pulumi SDK's private internals.

The offline engine runs a program under the SDK's mock monitor, which needs a few things the
SDK does not export: running a program function to completion outside the CLI, resetting the
root stack between plans, the config keys a program marked secret, and the signature keys of
the wire format. They are all here, behind small functions, and ``pyproject.toml`` holds
``pulumi`` to the versions the tests run against (its floor, proven by ``.ci/lowest-versions``,
and the locked version), so an SDK release that moves them fails in CI before it lands.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from pulumi.runtime import config as _config
from pulumi.runtime import resource as _resource
from pulumi.runtime import rpc as _rpc
from pulumi.runtime import settings as _settings
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.stack import run_pulumi_func as _run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

SIGNATURE_KEY: str = _rpc._special_sig_key
SECRET_SIGNATURE: str = _rpc._special_secret_sig
RESOURCE_SIGNATURE: str = _rpc._special_resource_sig
ASSET_SIGNATURE: str = _rpc._special_asset_sig
ARCHIVE_SIGNATURE: str = _rpc._special_archive_sig
OUTPUT_SIGNATURE: str = _rpc._special_output_value_sig
"""The wire format's tags for secrets, resource references, assets, archives and outputs."""
UNKNOWN_SENTINEL: str = _rpc.UNKNOWN
"""The string that stands for an unknown value on the wire."""


def run_program(program: Callable[[], Any]) -> None:
    """Run ``program`` as the Pulumi engine would, waiting for every registration it starts
    (errors from the program and from ``apply`` are raised here).

    Offline, registrations carry no stack trace: the SDK walks and encodes the Python stack of
    every resource for the engine's source positions (a fifth of a plan's time), and the mock
    monitor has no use for it."""
    collect = _resource._get_stack_trace
    _resource._get_stack_trace = _no_stack_trace
    try:
        _sync_await(_run_pulumi_func(program))
    finally:
        _resource._get_stack_trace = collect


def _no_stack_trace() -> source_pb2.StackTrace:
    return source_pb2.StackTrace()


def wait(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine to completion on the SDK's event loop."""
    return _sync_await(coroutine)


def reset_root() -> None:
    """Forget the root stack resource, so the next program starts a new stack."""
    _settings.set_root_resource(None)  # type: ignore[arg-type]


def clear_pending_outputs() -> None:
    """Drop output tasks a previous program left behind in the SDK's settings."""
    _settings.SETTINGS.outputs.clear()  # pyright: ignore[reportAttributeAccessIssue]


def root_outputs() -> dict[str, Any]:
    """The stack outputs the program exported (``pulumi.export``)."""
    root = _settings.get_root_resource()
    return dict(getattr(root, "outputs", {}) or {})


def program_config() -> dict[str, str]:
    """The program's flat config: the CLI's environment, then what ``set_all_config`` set."""
    return {**_config.get_config_env(), **_config.CONFIG.get()}


def secret_config_keys() -> set[str]:
    """Config keys marked secret: from the CLI's environment and from ``set_all_config``."""
    return set(_config.get_config_secret_keys_env()) | set(_config._SECRET_KEYS.get())
