"""What a stack's settings buy outside its own resources: the SaaS that the backend's sidecars
send data to (``nowry:observability``), priced once per stack from the typed settings and the
usage, never hung on a resource (a second task definition must not bill them twice). The
sidecars' own CPU and memory are in the task's size, priced with the service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infra.config.model import StackConfig
from infra.tool.cost.price_catalog import Catalog


@dataclass(frozen=True)
class ServiceLine:
    """One service the stack pays for by usage or per task, outside its resources."""

    service: str
    monthly: float
    basis: str

    def to_json(self) -> dict[str, Any]:
        return {"service": self.service, "monthly": round(self.monthly, 2), "basis": self.basis}


def service_lines(settings: StackConfig | None, catalog: Catalog) -> list[ServiceLine]:
    """The APM and the log service the stack's observability settings choose (aws phase)."""
    if settings is None or settings.phase != "aws":
        return []
    chosen, usage = settings.observability, settings.usage
    tasks = settings.backend.desired_count
    lines: list[ServiceLine] = []
    if chosen.apm == "datadog":
        apm, infra = catalog.rate("datadog_apm_fargate_task_month"), catalog.rate("datadog_infra_fargate_task_month")
        basis = f"Datadog: {tasks} Fargate tasks x (APM ${apm} + infrastructure ${infra})"
        lines.append(ServiceLine("datadog", tasks * (apm + infra), basis))
    elif chosen.apm == "otel":
        free, rate = catalog.rate("xray_free_million_traces"), catalog.rate("xray_million_traces")
        lines.append(_beyond_free("x-ray", "X-Ray", usage.apm_traces_millions, free, rate, "M traces"))
    elif chosen.apm == "newrelic":
        free, rate = catalog.rate("newrelic_free_gb"), catalog.rate("newrelic_gb")
        line = _beyond_free("new-relic", "New Relic", usage.apm_gb, free, rate, " GB")
        lines.append(ServiceLine(line.service, line.monthly, line.basis + " (users billed apart)"))
    if chosen.logs == "betterstack":
        free, gb = catalog.rate("betterstack_free_logs_gb"), usage.log_gb
        beyond = f"; {gb - free:g} GB beyond it not priced (no sourced rate)" if gb > free else " (covers it)"
        lines.append(ServiceLine("better-stack", 0.0, f"Better Stack: {gb:g} GB of logs, {free:g} GB free{beyond}"))
    return lines


def _beyond_free(service: str, label: str, used: float, free: float, rate: float, unit: str) -> ServiceLine:
    """A usage-billed service with a free allowance: what is billed beyond it, and says so."""
    covered = " (the free tier covers it)" if used <= free else ""
    basis = f"{label}: {used:g}{unit}, {free:g}{unit} free{covered}, ${rate} per {unit.strip()}"
    return ServiceLine(service, max(0.0, used - free) * rate, basis)
