"""Provider credentials (config keys a provider reads, or their environment variables)."""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterable

from infra.config.errors import CheckContext, ConfigIssue

Credential = tuple[str, str, bool]
"""(provider config key, environment variable the provider also reads, whether it is secret)."""


def config_set_command(key: str, stack: str, *, secret: bool, example: str = "<value>") -> str:
    """The ``pulumi config set`` line that sets ``key`` (encrypted when ``secret``)."""
    secret_flag = "--secret " if secret else ""
    return f"pulumi config set {secret_flag}{key} '{example}' --stack {shlex.quote(stack)}"


def check_credentials(credentials: Iterable[Credential], ctx: CheckContext) -> None:
    """A secret given in plain text or an empty value is an error; a missing one is a warning
    offline and an error under the real engine, each naming the line that fixes it."""
    raw, stack, offline, issues, warnings = ctx.raw, ctx.stack, ctx.offline, ctx.issues, ctx.warnings
    for key, env, secret in credentials:
        fix = config_set_command(key, stack, secret=secret)
        if key in raw.values:
            if secret and key not in raw.secret_keys:
                issues.append(ConfigIssue(key, "is set as plain text; it must be stored encrypted", "[hidden]", fix))
            elif not raw.values[key]:
                issues.append(ConfigIssue(key, "is empty", "''", fix))
            continue
        if os.environ.get(env):
            continue
        if offline:
            warnings.append(f"{key} is not set; before deploying run: {fix} (or export {env})")
        else:
            issues.append(ConfigIssue(key, "is required and not set", None, f"{fix} (or export {env})"))
