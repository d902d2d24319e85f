"""Typed stack config: raw values in, a validated ``StackConfig`` (or every problem) out."""

from infra.config.errors import ConfigError, ConfigIssue
from infra.config.loader import LoadResult, load_stack_config
from infra.config.model import PHASES, SecretValue, StackConfig
from infra.config.source import RawConfig, StackFileError

__all__ = [
    "PHASES",
    "ConfigError",
    "ConfigIssue",
    "LoadResult",
    "RawConfig",
    "SecretValue",
    "StackConfig",
    "StackFileError",
    "load_stack_config",
]
