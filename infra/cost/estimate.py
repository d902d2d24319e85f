"""Monthly cost of a plan: one line per priced resource, from the catalog and the stack's usage.

A resource type with no price is listed as not priced, never counted as zero in silence;
types that cost nothing (VPCs, security groups, IAM roles, ...) are listed at $0 as free.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from infra.config.model import UsageConfig
from infra.cost.catalog import Catalog, load_catalog
from infra.engine.plan import Plan, PlannedResource
from infra.phases import spec
from infra.resource_kinds import FREE_TYPES

FREE_PREFIXES = ("random:", "docker:", "pulumi:providers:")

FREE_BASIS = "no charge for this resource type"


@dataclass(frozen=True)
class LineItem:
    urn: str
    type: str
    name: str
    monthly: float
    basis: str
    """How the figure was reached, with the quantities and unit prices."""

    def to_json(self) -> dict[str, Any]:
        return {"urn": self.urn, "type": self.type, "name": self.name, "monthly": round(self.monthly, 2),
                "basis": self.basis}  # fmt: skip


@dataclass(frozen=True)
class CostEstimate:
    line_items: list[LineItem]
    not_priced: list[dict[str, str]] = field(default_factory=list)
    budget: float | None = None
    assumptions: dict[str, float] = field(default_factory=dict)

    @property
    def free(self) -> list[str]:
        """URNs of the resources whose type costs nothing (their line is $0)."""
        return [item.urn for item in self.line_items if item.basis == FREE_BASIS]

    @property
    def total(self) -> float:
        return sum(item.monthly for item in self.line_items)

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and self.total > self.budget

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": "USD",
            "monthly_total": round(self.total, 2),
            "line_items": [item.to_json() for item in self.line_items],
            "not_priced": self.not_priced,
            "free_resources": len(self.free),
            "budget": self.budget,
            "over_budget": self.over_budget,
            "assumptions": self.assumptions,
        }


@dataclass(frozen=True)
class _Context:
    plan: Plan
    usage: UsageConfig
    catalog: Catalog

    def hourly(self, rate: float) -> float:
        return rate * self.catalog.hours


Pricer = Callable[[PlannedResource, _Context], tuple[float, str] | None]


def _fargate(service: PlannedResource, ctx: _Context) -> tuple[float, str] | None:
    tasks = [r for r in ctx.plan.of_type("aws:ecs/taskDefinition:TaskDefinition")]
    if not tasks:
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


def _alb(alb: PlannedResource, ctx: _Context) -> tuple[float, str]:
    hour, lcu = ctx.catalog.rate("alb_hour"), ctx.catalog.rate("alb_lcu_hour")
    monthly = ctx.hourly(hour + ctx.usage.alb_lcu * lcu)
    basis = f"${hour}/h + {ctx.usage.alb_lcu:g} LCU x ${lcu}/h, 730 h"
    if not alb.inputs.get("internal"):
        zones = len(alb.inputs.get("subnets") or [])
        monthly += ctx.hourly(zones * ctx.catalog.rate("public_ipv4_hour"))
        basis += f" + {zones} public IPv4 (one per AZ)"
    return monthly, basis


def _nat(_: PlannedResource, ctx: _Context) -> tuple[float, str]:
    hour, gb = ctx.catalog.rate("nat_gateway_hour"), ctx.catalog.rate("nat_gateway_gb")
    return ctx.hourly(hour) + ctx.usage.nat_gb * gb, f"${hour}/h x 730 h + {ctx.usage.nat_gb:g} GB x ${gb}"


def _eip(_: PlannedResource, ctx: _Context) -> tuple[float, str]:
    rate = ctx.catalog.rate("public_ipv4_hour")
    return ctx.hourly(rate), f"public IPv4 ${rate}/h x 730 h"


def _cache(group: PlannedResource, ctx: _Context) -> tuple[float, str] | None:
    engine, node = group.inputs.get("engine", "redis"), group.inputs.get("nodeType", "")
    rate = ctx.catalog[f"elasticache_{'valkey' if engine == 'valkey' else 'redis'}_hour"].of(node)
    if rate is None:
        return None
    nodes = int(group.inputs.get("numCacheClusters", 1))
    return ctx.hourly(nodes * rate), f"{nodes} x {engine} {node} ${rate}/h x 730 h"


def _docdb_instance(instance: PlannedResource, ctx: _Context) -> tuple[float, str] | None:
    rate = ctx.catalog["documentdb_instance_hour"].of(instance.inputs.get("instanceClass", ""))
    if rate is None:
        return None
    return ctx.hourly(rate), f"{instance.inputs['instanceClass']} ${rate}/h x 730 h"


def _docdb_cluster(_: PlannedResource, ctx: _Context) -> tuple[float, str]:
    storage, io = ctx.catalog.rate("documentdb_storage_gb_month"), ctx.catalog.rate("documentdb_io_million")
    u = ctx.usage
    return (u.database_storage_gb * storage + u.database_io_millions * io,
            f"{u.database_storage_gb:g} GB x ${storage} + {u.database_io_millions:g}M I/O x ${io}")  # fmt: skip


def _cloudfront(_: PlannedResource, ctx: _Context) -> tuple[float, str]:
    c, u = ctx.catalog, ctx.usage
    gb = max(0.0, u.egress_gb - c.rate("cloudfront_free_gb"))
    requests = max(0.0, u.requests_millions - c.rate("cloudfront_free_million_requests"))
    monthly = gb * c.rate("cloudfront_gb") + requests * c.rate("cloudfront_million_requests")
    free_gb, free_requests = c.rate("cloudfront_free_gb"), c.rate("cloudfront_free_million_requests")
    basis = f"{u.egress_gb:g} GB and {u.requests_millions:g}M requests; the first {free_gb:g} GB and "
    return monthly, basis + f"{free_requests:g}M are free"


def _per_gb(key: str, usage_field: str) -> Pricer:
    def price(_: PlannedResource, ctx: _Context) -> tuple[float, str]:
        amount, rate = getattr(ctx.usage, usage_field), ctx.catalog.rate(key)
        return amount * rate, f"{amount:g} GB x ${rate}/GB-month"

    return price


def _log_group(group: PlannedResource, ctx: _Context) -> tuple[float, str]:
    gb = ctx.usage.log_gb if group.name.startswith("backend") else ctx.usage.other_log_gb
    ingest, store = ctx.catalog.rate("logs_ingest_gb"), ctx.catalog.rate("logs_storage_gb_month")
    return gb * (ingest + store), f"{gb:g} GB ingested x ${ingest} + stored x ${store}"


def _secret(_: PlannedResource, ctx: _Context) -> tuple[float, str]:
    month, calls = ctx.catalog.rate("secret_month"), ctx.catalog.rate("secret_10k_calls")
    reads = ctx.usage.secret_calls_ten_thousands
    return month + reads * calls, f"${month}/secret-month + {reads:g}0k reads x ${calls}/10k"


def _waf(acl: PlannedResource, ctx: _Context) -> tuple[float, str]:
    c = ctx.catalog
    rules = len(acl.inputs.get("rules") or [])
    monthly = c.rate("waf_acl_month") + rules * c.rate("waf_rule_month")
    monthly += ctx.usage.requests_millions * c.rate("waf_million_requests")
    return monthly, f"${c.rate('waf_acl_month')} ACL + {rules} rules x ${c.rate('waf_rule_month')} + " \
                    f"{ctx.usage.requests_millions:g}M requests x ${c.rate('waf_million_requests')}"  # fmt: skip


def _atlas(cluster: PlannedResource, ctx: _Context) -> tuple[float, str] | None:
    from components.managed.atlas import tier_of

    tier = tier_of(cluster.inputs) or ""
    rate = ctx.catalog["atlas_cluster_hour"].of(tier)
    if rate is None:
        return None
    return ctx.hourly(rate), f"Atlas {tier} ${rate}/h x 730 h"


def _plan_price(service: str) -> Pricer:
    """Vercel and Railway bill an account plan; the phase decides which (all-paid: Pro)."""

    def price(_: PlannedResource, ctx: _Context) -> tuple[float, str] | None:
        config = ctx.plan.config
        chosen = getattr(getattr(config, service, None), "plan", None) if config is not None else None
        plan = chosen or spec(ctx.plan.phase).account_plan or "hobby"
        rate = ctx.catalog[f"{service}_plan_month"].of(plan)
        return (rate, f"{service.title()} {plan} plan") if rate is not None else None

    return price


def _upstash(_: PlannedResource, ctx: _Context) -> tuple[float, str]:
    free, rate = ctx.catalog.rate("upstash_free_commands_k"), ctx.catalog.rate("upstash_100k_commands")
    extra = max(0.0, ctx.usage.redis_commands_thousands - free)
    return extra / 100 * rate, f"{ctx.usage.redis_commands_thousands:g}K commands, the first {free:g}K free"


def _alarm(alarm: PlannedResource, ctx: _Context) -> tuple[float, str]:
    metrics = sum(1 for q in alarm.inputs.get("metricQueries") or [] if q.get("metric")) or 1
    rate = ctx.catalog.rate("cloudwatch_alarm_month")
    return metrics * rate, f"{metrics} metric(s) x ${rate}/alarm-month"


def _dashboard(_: PlannedResource, ctx: _Context) -> tuple[float, str]:
    dashboards = len(ctx.plan.of_type("aws:cloudwatch/dashboard:Dashboard"))
    rate = ctx.catalog.rate("cloudwatch_dashboard_month")
    return (rate, f"${rate}/dashboard-month") if dashboards > 3 else (0.0, "one of the 3 free dashboards")


def _eks(_: PlannedResource, ctx: _Context) -> tuple[float, str]:
    rate = ctx.catalog.rate("eks_cluster_hour")
    return ctx.hourly(rate), f"control plane ${rate}/h x 730 h"


PRICERS: dict[str, Pricer] = {
    "aws:ecs/service:Service": _fargate,
    "aws:lb/loadBalancer:LoadBalancer": _alb,
    "aws:ec2/natGateway:NatGateway": _nat,
    "aws:ec2/eip:Eip": _eip,
    "aws:elasticache/replicationGroup:ReplicationGroup": _cache,
    "aws:docdb/clusterInstance:ClusterInstance": _docdb_instance,
    "aws:docdb/cluster:Cluster": _docdb_cluster,
    "aws:cloudfront/distribution:Distribution": _cloudfront,
    "aws:s3/bucket:Bucket": _per_gb("s3_gb_month", "site_storage_gb"),
    "aws:ecr/repository:Repository": _per_gb("ecr_gb_month", "image_storage_gb"),
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:wafv2/webAcl:WebAcl": _waf,
    "aws:route53/zone:Zone": lambda _, ctx: (ctx.catalog.rate("route53_zone_month"), "hosted zone"),
    "aws:eks/cluster:Cluster": _eks,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _alarm,
    "aws:cloudwatch/dashboard:Dashboard": _dashboard,
    "mongodbatlas:index/advancedCluster:AdvancedCluster": _atlas,
    "vercel:index/project:Project": _plan_price("vercel"),
    "pulumi-python:dynamic/railway:Service": _plan_price("railway"),
    "upstash:index/redisDatabase:RedisDatabase": _upstash,
}


def estimate(plan: Plan, catalog: Catalog | None = None) -> CostEstimate:
    """The plan's monthly cost, line by line."""
    config = plan.config
    usage = getattr(config, "usage", None) or UsageConfig.model_validate({})
    ctx = _Context(plan, usage, catalog or load_catalog())
    items, not_priced = [], []
    for resource in plan.resources:
        if not resource.custom:
            continue
        pricer = PRICERS.get(resource.type)
        priced = pricer(resource, ctx) if pricer else None
        if priced is not None:
            monthly, basis = priced
            items.append(LineItem(resource.urn, resource.type, resource.name, monthly, basis))
        elif (
            resource.type in FREE_TYPES
            or resource.type.startswith(FREE_PREFIXES)
            or resource.type.startswith("kubernetes:")
        ):
            items.append(LineItem(resource.urn, resource.type, resource.name, 0.0, FREE_BASIS))
        else:
            why = "no price for this type" if pricer is None else "no catalog price for its size or tier"
            not_priced.append({"urn": resource.urn, "type": resource.type, "reason": why})
    return CostEstimate(items, not_priced, getattr(config, "monthly_budget", None), json.loads(usage.model_dump_json()))
