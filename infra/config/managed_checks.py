"""Checks of the managed phases' config (Railway, Vercel, Upstash)."""

from __future__ import annotations

from infra.config.credentials import check_credentials
from infra.config.errors import CheckContext, ConfigIssue
from infra.config.model import StackConfig
from infra.phases import spec

PROVIDER_CREDENTIALS = {
    "vercel": (("vercel:apiToken", "VERCEL_API_TOKEN", True),),
    "upstash": (
        ("upstash:email", "UPSTASH_EMAIL", False),
        ("upstash:apiKey", "UPSTASH_API_KEY", True),
    ),
}
"""Provider config keys each managed service needs, the environment variable its provider
also reads, and whether the key is a secret."""


def check(config: StackConfig, ctx: CheckContext) -> None:
    """Every problem of a managed phase's config (Railway, Vercel, Upstash)."""
    phase, backend, railway, vercel = config.phase, config.backend, config.railway, config.vercel
    issues, warnings = ctx.issues, ctx.warnings
    if backend.context:
        issues.append(
            ConfigIssue(
                "nowry:backend.context",
                f"the {phase} phase deploys a published image on Railway; it builds nothing",
                repr(backend.context),
                "nowry:backend.image (push the image to a registry first)",
            )
        )
    expected = spec(phase).account_plan or "hobby"
    for name, settings in (("railway", railway), ("vercel", vercel)):
        if settings.plan is not None and settings.plan != expected:
            warnings.append(
                f"nowry:{name}.plan is {settings.plan} but the {phase} phase is priced for "
                f"{expected}: the plan is an account setting on {name.title()}, not a resource"
            )
    if vercel.git_repository is None:
        warnings.append(
            "nowry:vercel.gitRepository is not set: the Vercel project is created without a git "
            "connection, so this stack deploys nothing to Vercel (deploy with the Vercel CLI), and "
            "frontendUrl assumes https://<project>.vercel.app, which Vercel changes when that name is taken"
        )
    limit = railway.usage_limit
    if limit is not None and limit.hard is not None:
        warnings.append(
            f"nowry:railway.usageLimit.hard is ${limit.hard}: at that much usage in a month Railway sleeps every "
            "service of the workspace, and they stay down until someone raises the limit"
        )
    services = ["vercel"] + (["upstash"] if spec(phase).always_cache else [])
    for service in services:
        check_credentials(PROVIDER_CREDENTIALS[service], ctx)
