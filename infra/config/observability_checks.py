"""Checks of ``nowry:observability``: APM and log shipping run beside the Fargate backend.

The other phases have their own answers: the kubernetes phase installs Prometheus, Grafana and
Loki (``kubernetes.observability``); the managed phases send errors to Sentry (``sentryDsn``)
and have no log drain this project can create — a Vercel log drain's endpoint must answer
Vercel's own verification request (pulumiverse-vercel ``LogDrain.endpoint``) and Better Stack
documents only its Vercel integration, installed in Vercel (betterstack.com/docs/logs/vercel);
Railway's public API has no log drain at all (its GraphQL schema has no such mutation).
docs/observability.md says what to do there instead.
"""

from __future__ import annotations

from infra.config.errors import CheckContext
from infra.config.model import StackConfig

ELSEWHERE = {
    "kubernetes": "kubernetes.observability.enabled: true (Prometheus, Grafana, Loki in the cluster)",
    "local": "none here: the local phase runs on your machine",
}
MANAGED = (
    "Sentry for errors (sentryDsn); Better Stack's Vercel integration, installed in Vercel (docs/observability.md)"
)
STACK_SET_PREFIXES = {"otel": ("OTEL_",), "newrelic": ("OTEL_",), "datadog": ("DD_",)}
"""Variables the stack sets on the backend for each APM choice: backend.env may not set them too."""


def check(config: StackConfig, ctx: CheckContext) -> None:
    settings = config.observability
    chosen = {"apm": settings.apm != "none", "logs": settings.logs != "cloudwatch"}
    if config.phase != "aws":
        instead = ELSEWHERE.get(config.phase, MANAGED)
        for key, value in (("apm", settings.apm), ("logs", settings.logs)):
            if chosen[key]:
                ctx.problem(f"nowry:observability.{key}", f"runs beside the Fargate backend; this stack is in the "
                            f"{config.phase} phase", repr(value), f"the aws phase; here: {instead}")  # fmt: skip
        return
    for name in sorted(config.backend.env):
        if name.startswith(STACK_SET_PREFIXES.get(settings.apm, ())):
            ctx.problem(f"nowry:backend.env.{name}", f"is set by the stack itself with observability.apm: "
                        f"{settings.apm}", repr(name), "any name the APM choice does not set")  # fmt: skip
