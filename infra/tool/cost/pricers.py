"""How each priced resource type is priced: one function per type, named in its row of the
kinds table (``infra/tool/resource_kinds.py``). Each returns (monthly USD, how it was reached), or
None when the catalog has no price for the resource's size or tier. A function finds the resources
its figure depends on through the plan's wiring (a service's task definition, a bucket's
lifecycle), never by naming their types: the kinds table is where types are named."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from infra.atlas_tiers import tier_of
from infra.config.model import StackConfig, UsageConfig
from infra.phases import spec
from infra.tool.cost.price_catalog import Catalog
from infra.tool.engine.plan import Plan, PlannedResource, owner

DEFAULT_USAGE = UsageConfig.model_validate({})


@dataclass(frozen=True)
class PriceContext:
    """What a pricing function may read: the whole plan, the stack's typed settings (None for a
    plan read back from its JSON, which carries none: the usage defaults then), the catalog."""

    plan: Plan
    settings: StackConfig | None
    catalog: Catalog

    @property
    def usage(self) -> UsageConfig:
        return self.settings.usage if self.settings is not None else DEFAULT_USAGE

    def hourly(self, rate: float) -> float:
        return rate * self.catalog.hours

    def wired(self, resource: PlannedResource, key: str) -> list[PlannedResource]:
        """The resources whose outputs feed ``resource``'s input ``key``."""
        return [self.plan.by_urn(urn) for urn in resource.property_dependencies.get(key, ())]

    def wired_to(self, resource: PlannedResource, key: str) -> list[PlannedResource]:
        """The resources whose input ``key`` takes an output of ``resource``."""
        return [r for r in self.plan.resources if resource.urn in r.property_dependencies.get(key, ())]


BACKEND_COMPONENT = "nowry:aws:ContainerService"
"""The component whose log group carries the API's logs (``usage.logGb``); every other log
group is priced at ``usage.otherLogGb``."""

EKS_COMPONENT = "nowry:aws:EksCluster"
"""The component whose log group carries an EKS control plane's logs (``usage.controlPlaneLogGb``)."""

LOG_BUCKET_COMPONENT = "nowry:aws:LogBucket"
DAYS_PER_MONTH = 365 / 12

Pricer = Callable[[PlannedResource, PriceContext], tuple[float, str] | None]


def fargate(service: PlannedResource, ctx: PriceContext) -> tuple[float, str] | None:
    """A service's tasks, sized by its own task definition (the one its ``taskDefinition`` names)."""
    tasks = ctx.wired(service, "taskDefinition")
    if len(tasks) != 1:
        return None
    task = tasks[0].inputs
    vcpu, gb = int(task["cpu"]) / 1024, int(task["memory"]) / 1024
    arch = "arm" if (task.get("runtimePlatform") or {}).get("cpuArchitecture") == "ARM64" else "x86"
    count = int(service.inputs.get("desiredCount", 1))
    cpu_rate, mem_rate = ctx.catalog.rate(f"fargate_{arch}_vcpu_hour"), ctx.catalog.rate(f"fargate_{arch}_gb_hour")
    monthly = ctx.hourly(count * (vcpu * cpu_rate + gb * mem_rate))
    basis = f"{count} {arch.upper()} tasks x ({vcpu:g} vCPU x ${cpu_rate}/h + {gb:g} GB x ${mem_rate}/h) x 730 h"
    if (service.inputs.get("networkConfiguration") or {}).get("assignPublicIp"):
        ip = ctx.hourly(count * ctx.catalog.rate("public_ipv4_hour"))
        monthly += ip
        basis += f" + {count} task public IPv4 x ${ctx.catalog.rate('public_ipv4_hour')}/h"
    return monthly, basis


def alb(alb: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    hour, lcu = ctx.catalog.rate("alb_hour"), ctx.catalog.rate("alb_lcu_hour")
    monthly = ctx.hourly(hour + ctx.usage.alb_lcu * lcu)
    basis = f"${hour}/h + {ctx.usage.alb_lcu:g} LCU x ${lcu}/h, 730 h"
    if not alb.inputs.get("internal"):
        zones = len(alb.inputs.get("subnets") or [])
        monthly += ctx.hourly(zones * ctx.catalog.rate("public_ipv4_hour"))
        basis += f" + {zones} public IPv4 (one per AZ)"
    return monthly, basis


def nat(_: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    hour, gb = ctx.catalog.rate("nat_gateway_hour"), ctx.catalog.rate("nat_gateway_gb")
    return ctx.hourly(hour) + ctx.usage.nat_gb * gb, f"${hour}/h x 730 h + {ctx.usage.nat_gb:g} GB x ${gb}"


def eip(_: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    rate = ctx.catalog.rate("public_ipv4_hour")
    return ctx.hourly(rate), f"public IPv4 ${rate}/h x 730 h"


def cache(group: PlannedResource, ctx: PriceContext) -> tuple[float, str] | None:
    engine, node = group.inputs.get("engine", "redis"), group.inputs.get("nodeType", "")
    rate = ctx.catalog[f"elasticache_{'valkey' if engine == 'valkey' else 'redis'}_hour"].of(node)
    if rate is None:
        return None
    nodes = int(group.inputs.get("numCacheClusters", 1))
    return ctx.hourly(nodes * rate), f"{nodes} x {engine} {node} ${rate}/h x 730 h"


def docdb_instance(instance: PlannedResource, ctx: PriceContext) -> tuple[float, str] | None:
    rate = ctx.catalog["documentdb_instance_hour"].of(instance.inputs.get("instanceClass", ""))
    if rate is None:
        return None
    return ctx.hourly(rate), f"{instance.inputs['instanceClass']} ${rate}/h x 730 h"


def docdb_cluster(_: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    storage, io = ctx.catalog.rate("documentdb_storage_gb_month"), ctx.catalog.rate("documentdb_io_million")
    u = ctx.usage
    return (u.database_storage_gb * storage + u.database_io_millions * io,
            f"{u.database_storage_gb:g} GB x ${storage} + {u.database_io_millions:g}M I/O x ${io}")  # fmt: skip


def cloudfront(_: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    c, u = ctx.catalog, ctx.usage
    gb = max(0.0, u.egress_gb - c.rate("cloudfront_free_gb"))
    requests = max(0.0, u.requests_millions - c.rate("cloudfront_free_million_requests"))
    monthly = gb * c.rate("cloudfront_gb") + requests * c.rate("cloudfront_million_requests")
    free_gb, free_requests = c.rate("cloudfront_free_gb"), c.rate("cloudfront_free_million_requests")
    basis = f"{u.egress_gb:g} GB and {u.requests_millions:g}M requests; the first {free_gb:g} GB and "
    return monthly, basis + f"{free_requests:g}M are free"


def per_gb(key: str, usage_field: str) -> Pricer:
    def price(_: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
        amount, rate = getattr(ctx.usage, usage_field), ctx.catalog.rate(key)
        return amount * rate, f"{amount:g} GB x ${rate}/GB-month"

    return price


def months_held(retention_days: object) -> float:
    """Months of logs held at steady state for a retention in days (unset: one month)."""
    return float(retention_days) / DAYS_PER_MONTH if isinstance(retention_days, int | float) else 1.0


def log_group(group: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    """Ingestion and storage at the group's retention: the backend's by ``usage.logGb``, an EKS
    control plane's by ``usage.controlPlaneLogGb`` (EKS bills them as CloudWatch Logs ingestion
    and storage: Amazon EKS user guide, "Send control plane logs to CloudWatch Logs"), any
    other by ``usage.otherLogGb``."""
    component = owner(group.parent)
    made_by = component[0] if component is not None else None
    prefix = ""
    if made_by == BACKEND_COMPONENT and not _logs_leave_aws(ctx):
        gb = ctx.usage.log_gb
    elif made_by == EKS_COMPONENT:
        gb, prefix = ctx.usage.control_plane_log_gb, "EKS control plane (usage.controlPlaneLogGb): "
    else:
        gb = ctx.usage.other_log_gb
    ingest, store = ctx.catalog.rate("logs_ingest_gb"), ctx.catalog.rate("logs_storage_gb_month")
    days = group.inputs.get("retentionInDays")
    held = gb * months_held(days)
    basis = f"{prefix}{gb:g} GB ingested x ${ingest} + {held:.3g} GB held ({days} days) x ${store}/GB-month"
    return gb * ingest + held * store, basis


def _logs_leave_aws(ctx: PriceContext) -> bool:
    """The backend's logs go through FireLens to another service (``observability.logs``): its log
    group holds only the sidecars' own logs."""
    return ctx.settings is not None and ctx.settings.observability.logs != "cloudwatch"


def bucket(resource: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    """The site bucket by ``usage.siteStorageGb``; the log bucket by the logs it holds until its
    lifecycle expires them (uncompressed: an upper bound)."""
    rate = ctx.catalog.rate("s3_gb_month")
    component = owner(resource.parent)
    if component is None or component[0] != LOG_BUCKET_COMPONENT:
        gb = ctx.usage.site_storage_gb
        return gb * rate, f"{gb:g} GB x ${rate}/GB-month"
    monthly_gb = ctx.usage.access_log_gb + ctx.usage.cdn_log_gb
    days = _expiry_days(resource, ctx)
    held = monthly_gb * months_held(days)
    return held * rate, f"{monthly_gb:g} GB of logs a month, {held:.3g} GB held ({days} days) x ${rate}/GB-month"


def _expiry_days(resource: PlannedResource, ctx: PriceContext) -> int | None:
    """Days after which the bucket's lifecycle expires objects, from the lifecycle wired to it."""
    for configuration in ctx.wired_to(resource, "bucket"):
        for rule in configuration.inputs.get("rules") or []:
            days = (rule.get("expiration") or {}).get("days")
            if isinstance(days, int):
                return days
    return None


def backup_vault(vault: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    """Recovery points held: the data once plus the changes kept for the retention; the DR
    vault (a ``region`` of its own) also pays for copying the changes across regions."""
    u, rate = ctx.usage, ctx.catalog.rate("backup_gb_month")
    days = _retention_days(vault, ctx)
    held = u.database_storage_gb + u.backup_change_gb * months_held(days)
    monthly, basis = held * rate, f"{held:.3g} GB of recovery points x ${rate}/GB-month"
    if vault.inputs.get("region"):
        copy = ctx.catalog.rate("inter_region_gb")
        monthly += u.backup_change_gb * copy
        basis += f" + {u.backup_change_gb:g} GB copied across regions x ${copy}/GB"
    return monthly, basis


def _retention_days(vault: PlannedResource, ctx: PriceContext) -> int | None:
    """Days a recovery point stays in ``vault``: the rule of the backup plan that writes to it, or
    the copy action of a rule that copies to it."""
    for plan in ctx.wired_to(vault, "rules"):
        for rule in plan.inputs.get("rules") or []:
            copies = rule.get("copyActions") or []
            lifecycles = [c.get("lifecycle") or {} for c in copies] if vault.inputs.get("region") else []
            for lifecycle in [*lifecycles, rule.get("lifecycle") or {}]:
                if isinstance(lifecycle.get("deleteAfter"), int):
                    return lifecycle["deleteAfter"]
    return None


def kms_key(_: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    month, rate = ctx.catalog.rate("kms_key_month"), ctx.catalog.rate("kms_10k_requests")
    requests = ctx.usage.kms_requests_ten_thousands
    return month + requests * rate, f"${month}/key-month + {requests:g}0k requests x ${rate}/10k"


def dms_instance(instance: PlannedResource, ctx: PriceContext) -> tuple[float, str] | None:
    rate = ctx.catalog["dms_instance_hour"].of(str(instance.inputs.get("replicationInstanceClass", "")))
    if rate is None:
        return None
    return ctx.hourly(rate), f"{instance.inputs['replicationInstanceClass']} ${rate}/h while it exists (x 730 h)"


def helm_release(release: PlannedResource, _: PriceContext) -> tuple[float, str]:
    """A chart's pods run on the cluster's nodes: $0 itself, with what it asks of them."""
    requests: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            found = value.get("requests")
            if isinstance(found, dict):
                requests.append(", ".join(f"{k} {v}" for k, v in sorted(found.items())))
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(release.inputs.get("values") or {})
    chart = release.inputs.get("chart", release.name)
    asked = "; ".join(requests) or "no requests set"
    return 0.0, f"{chart} on the cluster's nodes (billed with them): requests {asked}"


def cdn_log_delivery(_: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    gb, rate = ctx.usage.cdn_log_gb, ctx.catalog.rate("vended_logs_s3_gb")
    return gb * rate, f"{gb:g} GB of CloudFront logs delivered to S3 x ${rate}/GB"


def secret(resource: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    month, calls = ctx.catalog.rate("secret_month"), ctx.catalog.rate("secret_10k_calls")
    reads = ctx.usage.secret_calls_ten_thousands
    replicas = len(resource.inputs.get("replicas") or [])
    basis = f"${month}/secret-month + {reads:g}0k reads x ${calls}/10k"
    if replicas:
        basis += f" + {replicas} replica(s) x ${month}/month (billed as secrets)"
    return month * (1 + replicas) + reads * calls, basis


def waf(acl: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    c = ctx.catalog
    rules = len(acl.inputs.get("rules") or [])
    monthly = c.rate("waf_acl_month") + rules * c.rate("waf_rule_month")
    monthly += ctx.usage.requests_millions * c.rate("waf_million_requests")
    return monthly, f"${c.rate('waf_acl_month')} ACL + {rules} rules x ${c.rate('waf_rule_month')} + " \
                    f"{ctx.usage.requests_millions:g}M requests x ${c.rate('waf_million_requests')}"  # fmt: skip


def atlas(cluster: PlannedResource, ctx: PriceContext) -> tuple[float, str] | None:
    """A cluster by its tier, at the rate of the cloud it runs on (Google Cloud: ``atlas_gcp_cluster_hour``)."""
    tier = tier_of(cluster.inputs) or ""
    specs = cluster.inputs.get("replicationSpecs") or [{}]
    provider = ((specs[0].get("regionConfigs") or [{}])[0]).get("providerName")
    gcp = provider == "GCP"
    rate = ctx.catalog["atlas_gcp_cluster_hour" if gcp else "atlas_cluster_hour"].of(tier)
    if rate is None:
        return None
    return ctx.hourly(rate), f"Atlas {tier}{' on Google Cloud' if gcp else ''} ${rate}/h x 730 h"


def plan_price(service: Literal["vercel", "railway"]) -> Pricer:
    """Vercel and Railway bill an account plan; the stack's setting, else the phase's plan (all-paid: Pro)."""

    def price(_: PlannedResource, ctx: PriceContext) -> tuple[float, str] | None:
        settings = ctx.settings
        chosen = None
        if settings is not None:
            chosen = settings.vercel.plan if service == "vercel" else settings.railway.plan
        plan = chosen or spec(ctx.plan.phase).account_plan or "hobby"
        rate = ctx.catalog[f"{service}_plan_month"].of(plan)
        return (rate, f"{service.title()} {plan} plan") if rate is not None else None

    return price


def upstash(_: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    free, rate = ctx.catalog.rate("upstash_free_commands_k"), ctx.catalog.rate("upstash_100k_commands")
    extra = max(0.0, ctx.usage.redis_commands_thousands - free)
    return extra / 100 * rate, f"{ctx.usage.redis_commands_thousands:g}K commands, the first {free:g}K free"


def alarm(alarm: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    metrics = sum(1 for q in alarm.inputs.get("metricQueries") or [] if q.get("metric")) or 1
    rate = ctx.catalog.rate("cloudwatch_alarm_month")
    return metrics * rate, f"{metrics} metric(s) x ${rate}/alarm-month"


def dashboard(board: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    dashboards = len(ctx.plan.of_type(board.type))
    rate = ctx.catalog.rate("cloudwatch_dashboard_month")
    return (rate, f"${rate}/dashboard-month") if dashboards > 3 else (0.0, "one of the 3 free dashboards")


def eks(_: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    rate = ctx.catalog.rate("eks_cluster_hour")
    return ctx.hourly(rate), f"control plane ${rate}/h x 730 h"


NODE_DISK_GB = 20
"""An EKS node's root volume when nothing sets its size: the node group's default (disk_size 20 GiB,
EKS API CreateNodegroup diskSize)."""


def eks_nodes(group: PlannedResource, ctx: PriceContext) -> tuple[float, str] | None:
    """A managed node group's instances at their desired count, and their root volumes."""
    types = group.inputs.get("instanceTypes") or []
    rate = ctx.catalog["ec2_instance_hour"].of(str(types[0])) if types else None
    if rate is None:
        return None
    count = int((group.inputs.get("scalingConfig") or {}).get("desiredSize", 1))
    disk = int(group.inputs.get("diskSize") or NODE_DISK_GB)
    gb_rate = ctx.catalog.rate("ebs_gp3_gb_month")
    monthly = ctx.hourly(count * rate) + count * disk * gb_rate
    return monthly, f"{count} x {types[0]} ${rate}/h x 730 h + {count} x {disk} GB gp3 x ${gb_rate}/GB-month"


def route53_zone(_: PlannedResource, ctx: PriceContext) -> tuple[float, str]:
    return ctx.catalog.rate("route53_zone_month"), "hosted zone"
