"""How the gcp phase's priced resource types are priced (``infra/tool/cost/pricers.py`` explains the
contract); each is named in its type's row of ``infra/tool/resource_kinds_gcp.py``. Prices are
us-central1 (Tier 1) list prices from the catalog's ``gcp_`` entries."""

from __future__ import annotations

from infra.tool.cost.pricers import PriceContext
from infra.tool.engine.plan import PlannedResource

SECONDS_PER_MONTH = 730 * 3600


def _usd(rate: float) -> str:
    """A per-second rate as a reader writes it ($0.000024, not $2.4e-05)."""
    return f"${rate:.10f}".rstrip("0")


GIB_PER_MIB = 1 / 1024


def _memory_gib(limits: dict) -> float:
    text = str(limits.get("memory", "512Mi"))
    number = float(text.rstrip("MiG"))
    return number * (1 if text.endswith("Gi") else GIB_PER_MIB)


def cloud_run(service: PlannedResource, ctx: PriceContext) -> tuple[float, str] | None:
    """Request-based billing (``cpuIdle``): the time instances serve requests (``usage.apiRequestsMillions``
    x ``usage.apiRequestMs``, an upper bound: concurrent requests share an instance) at the active rates
    beyond the free tier, the requests beyond the free 2 million, and the minimum instances' remaining
    time at the idle rate. Instance-based: the minimum instances for the whole month at the instance rates
    (bursts above the minimum not counted)."""
    template = service.inputs.get("template") or {}
    containers = template.get("containers") or [{}]
    resources = containers[0].get("resources") or {}
    limits = resources.get("limits") or {}
    vcpu, gib = float(limits.get("cpu", 1)), _memory_gib(limits)
    minimum = int((template.get("scaling") or {}).get("minInstanceCount", 0))
    c, u = ctx.catalog, ctx.usage
    if resources.get("cpuIdle") is False:
        cpu, mem = c.rate("gcp_run_instance_vcpu_second"), c.rate("gcp_run_instance_gib_second")
        monthly = minimum * SECONDS_PER_MONTH * (vcpu * cpu + gib * mem)
        basis = f"instance-based: {minimum} always-on instance(s) x ({vcpu:g} vCPU x {_usd(cpu)}/s + {gib:g} GiB x "
        return monthly, basis + f"{_usd(mem)}/s) x {SECONDS_PER_MONTH:,} s (bursts above the minimum not counted)"
    busy = u.api_requests_millions * 1e6 * u.api_request_ms / 1000
    cpu_s = max(0.0, busy * vcpu - c.rate("gcp_run_free_vcpu_seconds"))
    mem_s = max(0.0, busy * gib - c.rate("gcp_run_free_gib_seconds"))
    requests = max(0.0, u.api_requests_millions - c.rate("gcp_run_free_million_requests"))
    idle = max(0.0, minimum * SECONDS_PER_MONTH - busy)
    idle_rate = vcpu * c.rate("gcp_run_idle_vcpu_second") + gib * c.rate("gcp_run_idle_gib_second")
    monthly = (cpu_s * c.rate("gcp_run_vcpu_second") + mem_s * c.rate("gcp_run_gib_second")
               + requests * c.rate("gcp_run_million_requests") + idle * idle_rate)  # fmt: skip
    basis = (f"request-based: {u.api_requests_millions:g}M requests x {u.api_request_ms:g} ms busy = {busy:,.0f} s; "
             f"{cpu_s:,.0f} vCPU-s x {_usd(c.rate('gcp_run_vcpu_second'))} + {mem_s:,.0f} GiB-s x "
             f"{_usd(c.rate('gcp_run_gib_second'))} beyond the free tier + {requests:g}M requests x "
             f"${c.rate('gcp_run_million_requests')}/M + {minimum} minimum instance(s) idle {idle:,.0f} s x "
             f"{_usd(idle_rate)}/s")  # fmt: skip
    return monthly, basis


def forwarding_rule(_: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    rate = ctx.catalog.rate("gcp_forwarding_rule_hour")
    return ctx.hourly(rate), f"${rate}/h x 730 h (one of the first five rules)"


def backend_service(_: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    """The load balancer's data processing, by the API's and the site's traffic (``usage.egressGb``)."""
    gb, rate = ctx.usage.egress_gb, ctx.catalog.rate("gcp_lb_data_gb")
    return gb * rate, f"{gb:g} GB processed by the load balancer x ${rate}/GB"


def cdn(_: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    c, u = ctx.catalog, ctx.usage
    egress, lookups = u.egress_gb * c.rate("gcp_cdn_gb"), u.requests_millions * 100 * c.rate("gcp_cdn_10k_lookups")
    basis = f"{u.egress_gb:g} GB from cache x ${c.rate('gcp_cdn_gb')} + {u.requests_millions:g}M lookups x "
    return egress + lookups, basis + f"${c.rate('gcp_cdn_10k_lookups')}/10k"


def armor(policy: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    """Cloud Armor Standard: the policy, its rules (the default rule included) and the requests it
    evaluates (the API's: it sits on the API's backend service alone)."""
    c, u = ctx.catalog, ctx.usage
    rules = len(policy.inputs.get("rules") or [])
    monthly = c.rate("gcp_armor_policy_month") + rules * c.rate("gcp_armor_rule_month")
    monthly += u.api_requests_millions * c.rate("gcp_armor_million_requests")
    basis = f"${c.rate('gcp_armor_policy_month')} policy + {rules} rules x ${c.rate('gcp_armor_rule_month')} + "
    return monthly, basis + f"{u.api_requests_millions:g}M requests x ${c.rate('gcp_armor_million_requests')}/M"


def redis(instance: PlannedResource, ctx: PriceContext) -> tuple[float, str] | None:
    tier = str(instance.inputs.get("tier", "BASIC"))
    rate = ctx.catalog["gcp_redis_gb_hour"].of(tier)
    if rate is None:
        return None
    gb = float(instance.inputs.get("memorySizeGb", 1))
    return ctx.hourly(gb * rate), f"{tier} {gb:g} GB x ${rate}/GB-h x 730 h"


def bucket(resource: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    """The site bucket by ``usage.siteStorageGb``; a log bucket by ``usage.accessLogGb`` a month."""
    rate = ctx.catalog.rate("gcp_storage_gb_month")
    logs = resource.inputs.get("publicAccessPrevention") == "enforced" and not resource.inputs.get("website")
    gb = ctx.usage.access_log_gb if logs else ctx.usage.site_storage_gb
    return gb * rate, f"{gb:g} GB x ${rate}/GB-month"


def repository(_: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    c, gb = ctx.catalog, ctx.usage.image_storage_gb
    beyond = max(0.0, gb - c.rate("gcp_artifact_free_gb"))
    return beyond * c.rate("gcp_artifact_gb_month"), (
        f"{gb:g} GB of images, the first {c.rate('gcp_artifact_free_gb'):g} GB free, x "
        f"${c.rate('gcp_artifact_gb_month')}/GB-month"
    )


def secret_version(_: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    """One active version: the billing account's free six versions are not counted here (a stack rarely
    has the account to itself)."""
    month, reads = ctx.catalog.rate("gcp_secret_version_month"), ctx.catalog.rate("gcp_secret_10k_access")
    calls = ctx.usage.secret_calls_ten_thousands
    return month + calls * reads / 5, f"${month}/version-month + a fifth of {calls:g}0k reads x ${reads}/10k"


def nat(_: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    c, gb = ctx.catalog, ctx.usage.nat_gb
    hour, per_gb = c.rate("gcp_nat_instance_hour"), c.rate("gcp_nat_gb")
    return ctx.hourly(hour) + gb * per_gb, (f"${hour}/h for the instance using it x 730 h + {gb:g} GB x ${per_gb}/GB "
                                            "(more instances: $0.0014/h each)")  # fmt: skip


def address(_: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    rate = ctx.catalog.rate("gcp_ip_hour")
    return ctx.hourly(rate), f"external IPv4 in use ${rate}/h x 730 h"


def subnet(resource: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    """Flow logs, when on: vended network logs by ``usage.otherLogGb`` a month."""
    if not resource.inputs.get("logConfig"):
        return 0.0, "no flow logs"
    gb, rate = ctx.usage.other_log_gb, ctx.catalog.rate("gcp_vended_logs_gb")
    return gb * rate, f"{gb:g} GB of flow logs x ${rate}/GB"


def firestore(_: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    c, u = ctx.catalog, ctx.usage
    days = 30.4
    reads = max(0.0, u.firestore_reads_millions - c.rate("gcp_firestore_free_reads_day") * days / 1e6)
    writes = max(0.0, u.firestore_writes_millions - c.rate("gcp_firestore_free_writes_day") * days / 1e6)
    stored = max(0.0, u.database_storage_gb - c.rate("gcp_firestore_free_gib"))
    monthly = (reads * c.rate("gcp_firestore_million_reads") + writes * c.rate("gcp_firestore_million_writes")
               + ctx.hourly(stored * c.rate("gcp_firestore_gib_hour")))  # fmt: skip
    return monthly, (f"{reads:.3g}M reads x ${c.rate('gcp_firestore_million_reads')} + {writes:.3g}M writes x "
                     f"${c.rate('gcp_firestore_million_writes')} + {stored:g} GiB x "
                     f"${c.rate('gcp_firestore_gib_hour')}/GiB-h, beyond the free tier")  # fmt: skip


def alert_policy(policy: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    conditions = len(policy.inputs.get("conditions") or []) or 1
    rate = ctx.catalog.rate("gcp_alert_condition_month")
    return conditions * rate, f"{conditions} condition(s) x ${rate}/condition-month"
