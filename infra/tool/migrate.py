"""Phase migrations: what changes between a stack's plan now and in another phase, which data
stores that loses, and the runbook that moves the data first."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from infra.atlas_tiers import UPGRADE_RUN_INPUTS, UPGRADED_FROM
from infra.tool.engine.plan import Plan, PlannedResource
from infra.tool.resource_kinds import cascade, holds_data, is_stateful, kind, replaced_inputs

OFFLINE_MINUTES_PER_GB = 3.0
"""Downtime of the offline copy, per GB of data: mongodump from Atlas (~1 min/GB) and
mongorestore into DocumentDB over TLS from inside the VPC (~2 min/GB, indexes built after),
an estimate from the tools' throughput on small instances; measure with a rehearsal."""
CUTOVER_MINUTES = 10
"""Downtime of the online path: writes frozen, CDC latency drained to zero, MONGO_URI switched."""


def atlas_to_documentdb(stack: str, data_gb: float) -> list[str]:
    """The online path (DMS full load + CDC, downtime the cutover only) and, beside it, the
    offline one (mongodump/mongorestore with writes stopped, downtime growing with the data)."""
    offline = round(data_gb * OFFLINE_MINUTES_PER_GB)
    return [
        f"Online path (AWS DMS, full load then change data capture; downtime: the cutover only, about "
        f"{CUTOVER_MINUTES} minutes):",
        "Run the aws phase as a stack of its own beside the all-paid one (`pulumi stack init`, the config of "
        "the aws stack) so the app keeps serving from Atlas meanwhile; give it a NAT gateway (`nowry:aws.nat: "
        "single`) and add the NAT's public IP to the Atlas access list.",
        f"Set the source: `pulumi config set --secret --path 'nowry:database.migrationSource' "
        f"'mongodb://<user>:<password>@<host>:27017,.../nowry?tls=true&authSource=admin' --stack {stack}` "
        "(Atlas: Connect -> Drivers, the standard connection string; DMS cannot use mongodb+srv://). Fetch "
        "the RDS CA bundle into `nowry:database.migrationCaBundle`. If the account has never used DMS, create "
        "its `dms-vpc-role` and `dms-cloudwatch-logs-role` first (AWS DMS user guide, IAM roles for the CLI).",
        f"`pulumi up --stack {stack}`: DocumentDB, the app and the DMS task come up; the task starts the full "
        "load, then applies changes as they happen on Atlas.",
        f"Wait until `nowry-infra migration-status {stack}` says the full load is complete and CDC latency is "
        "near zero (it exits 0 then).",
        "Freeze writes: put the app on Atlas in maintenance (read-only) mode; wait for CDC latency to reach 0.",
        "Switch: point the frontend and DNS at this stack's CloudFront URL; its backend's MONGO_URI is DocumentDB "
        f"already. Then `nowry-infra verify {stack}`.",
        f"Unset the source: `pulumi config rm --path 'nowry:database.migrationSource' --stack {stack}` and "
        "`pulumi up`: the replication instance, endpoints, task, secret and alarms are removed (nothing of the "
        "data is).",
        "Rollback before the switch: stop here; Atlas still holds every write. After it: the all-paid stack "
        "still runs; point the frontend back and copy the writes made since with mongodump/mongorestore.",
        f"Offline path instead (writes stopped for the whole copy; downtime about {OFFLINE_MINUTES_PER_GB:g} "
        f"minutes per GB, ~{offline} minutes for {data_gb:g} GB):",
        "Before `pulumi up`: take an Atlas backup snapshot and note the cluster's connection string.",
        "Deploy the aws phase with the backend scaled to 0 (`--set nowry:backend.desiredCount=0`, minCount=0) so "
        "nothing writes to the new database yet.",
        "Download the Amazon RDS CA bundle (global-bundle.pem) on a host inside the VPC (or via SSM).",
        "mongodump --uri '<atlas uri>' --gzip --archive=nowry.archive",
        "mongorestore --uri 'mongodb://nowryadmin:<password>@<docdb endpoint>:27017/?tls=true&tlsCAFile="
        "global-bundle.pem&retryWrites=false' --gzip --archive=nowry.archive --nsInclude 'nowry.*'",
        "Compare document counts per collection; DocumentDB does not support every MongoDB feature (check "
        "$lookup/aggregation stages and indexes the app uses).",
        "Cutover: put the managed backend in maintenance mode, run a last incremental dump/restore of writes since "
        "the first dump, scale the Fargate service up, switch DNS or the frontend's API URL to CloudFront.",
        "Rollback: point the frontend back at the Railway backend; Atlas still holds the data as of the cutover. "
        "Keep the Atlas cluster (it is protected) until the new stack has run clean for a week.",
    ]


RUNBOOKS: dict[tuple[str, str], list[str]] = {
    ("atlas", "atlas"): [
        "The cluster keeps its logical name and URN: Pulumi changes the tier in place and Atlas moves the data "
        "itself; no data migration is needed. Between dedicated tiers (M10 -> M20) Atlas rolls the change node "
        "by node with one election; from M0 or Flex it migrates the data to new hosts, which takes minutes to "
        "hours with the size of the data, and the connection string's host changes.",
    ],
    ("mongo", "atlas"): [
        "mongodump --uri 'mongodb://nowry:<password>@localhost:27017/?authSource=admin' --gzip --archive=local.archive",
        "mongorestore --uri '<atlas mongodb+srv uri>' --gzip --archive=local.archive --nsInclude 'nowry.*'",
        "Check counts per collection, then deploy the backend with the Atlas MONGO_URI.",
    ],
    ("documentdb", "atlas"): [
        "mongodump from DocumentDB over TLS with the RDS CA bundle; mongorestore into Atlas; verify counts.",
        "Cutover with the backend scaled to 0, then switch MONGO_URI; keep DocumentDB (deletion protection on) "
        "until the new database has run clean.",
    ],
}
CACHE_NOTE = (
    "Redis holds only cache data: no migration. The new cache starts empty; expect a warm-up period of cache "
    "misses. Rollback: point REDIS_URL back at the old cache."
)


@dataclass(frozen=True)
class Change:
    action: str
    """create | update | replace | delete"""
    urn: str
    type: str
    stateful: bool
    properties: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "urn": self.urn, "type": self.type, "stateful": self.stateful,
                "properties": list(self.properties)}  # fmt: skip


@dataclass(frozen=True)
class Migration:
    source: str
    target: str
    changes: list[Change]
    runbook: list[str] = field(default_factory=list)
    blocked: str | None = None
    """Why the move cannot be applied at all (Atlas never moves a cluster down a tier)."""

    @property
    def data_loss(self) -> list[Change]:
        return [c for c in self.changes if c.stateful and c.action in ("delete", "replace")]

    def to_json(self) -> dict[str, Any]:
        counts = {a: sum(1 for c in self.changes if c.action == a) for a in ("create", "update", "replace", "delete")}
        return {
            "from": self.source,
            "to": self.target,
            "summary": counts,
            "changes": [c.to_json() for c in self.changes],
            "data_loss": [c.to_json() for c in self.data_loss],
            "runbook": self.runbook,
        }


def _stateful(resource: PlannedResource) -> bool:
    return holds_data(resource.type, resource.parent, resource.inputs)


def diff(current: Plan, target: Plan) -> list[Change]:
    before = {r.urn: r for r in current.resources if r.custom}
    after = {r.urn: r for r in target.resources if r.custom}
    changes: dict[str, Change] = {}
    for urn in sorted(after.keys() - before.keys()):
        changes[urn] = Change("create", urn, after[urn].type, _stateful(after[urn]))
    for urn in sorted(before.keys() - after.keys()):
        changes[urn] = Change("delete", urn, before[urn].type, _stateful(before[urn]))
    both = sorted(before.keys() & after.keys())
    replaced: set[str] = set()
    for urn in both:
        old, new = before[urn], after[urn]
        changed = tuple(
            sorted(k for k in old.inputs.keys() | new.inputs.keys() if old.inputs.get(k) != new.inputs.get(k))
        )
        forcing = replaced_inputs(new.type, old.inputs, new.inputs)
        if forcing:
            replaced.add(urn)
            changes[urn] = Change("replace", urn, new.type, _stateful(new), forcing)
        elif changed:
            changes[urn] = Change("update", urn, new.type, _stateful(new), changed)
    dependencies = {urn: (after[urn].type, dict(after[urn].property_dependencies)) for urn in both}
    for urn, carried in cascade(replaced, dependencies).items():
        reasons = tuple(f"{key} (from a replaced resource)" for key in carried)
        changes[urn] = Change("replace", urn, after[urn].type, _stateful(after[urn]), reasons)
    return [changes[urn] for urn in sorted(changes, key=lambda u: (_ORDER[changes[u].action], u))]


_ORDER = {"create": 0, "delete": 1, "update": 2, "replace": 2}


def _database_kind(plan: Plan) -> str | None:
    """The engine of the plan's database: the first resource that holds a database's data (an app
    container is not one; the local database's container is)."""
    for resource in plan.resources:
        engine = kind(resource.type).database
        if engine and is_stateful(resource.type, resource.parent):
            return engine
    return None


def runbook(current: Plan, target: Plan) -> list[str]:
    steps: list[str] = []
    source_db, target_db = _database_kind(current), _database_kind(target)
    if (source_db, target_db) == ("atlas", "documentdb"):
        data_gb = target.config.usage.database_storage_gb if target.config is not None else 10.0
        steps += atlas_to_documentdb(target.stack, data_gb)
    elif source_db and target_db and (source_db != target_db or (source_db, target_db) in RUNBOOKS):
        steps += RUNBOOKS.get((source_db, target_db), [f"Move the data from {source_db} to {target_db} "
                                                       "with mongodump/mongorestore before the cutover."])  # fmt: skip
    old_caches = {r.type for r in current.resources if kind(r.type).cache}
    new_caches = {r.type for r in target.resources if kind(r.type).cache}
    if old_caches != new_caches:
        steps.append(CACHE_NOTE)
    return steps


def atlas_tier_change(current: Plan, target: Plan) -> tuple[PlannedResource, PlannedResource] | None:
    """The Atlas cluster before and after, when both plans hold it (same URN)."""
    from infra.atlas_tiers import tier_of

    before = {r.urn: r for r in current.resources if kind(r.type).database == "atlas"}
    for resource in target.resources:
        if resource.urn in before:
            old = before[resource.urn]
            if tier_of(old.inputs) != tier_of(resource.inputs):
                return old, resource
    return None


def _atlas_steps(current: Plan, target: Plan) -> tuple[list[str], str | None]:
    """Runbook steps for an Atlas tier change, and the reason it cannot happen (a downgrade)."""
    from infra.atlas_tiers import ATLAS_TIER_ORDER, tier_of

    change = atlas_tier_change(current, target)
    if change is None:
        return [], None
    old, new = change
    old_tier, new_tier = tier_of(old.inputs) or "?", tier_of(new.inputs) or "?"
    known = old_tier in ATLAS_TIER_ORDER and new_tier in ATLAS_TIER_ORDER
    if known and ATLAS_TIER_ORDER.index(new_tier) < ATLAS_TIER_ORDER.index(old_tier):
        return [], (
            f"Atlas cannot move a cluster down from {old_tier} to {new_tier} (tiers only go up: "
            f"{' -> '.join(ATLAS_TIER_ORDER)}); the update would fail at apply. To go down, create a new "
            "cluster in another stack and move the data with mongodump/mongorestore."
        )
    if old_tier not in UPGRADED_FROM:
        return [], None
    later = sorted(
        k for k in old.inputs.keys() | new.inputs.keys()
        if k not in UPGRADE_RUN_INPUTS and old.inputs.get(k) != new.inputs.get(k)
    )  # fmt: skip
    if not later:
        return [], None
    return [
        f"Run `pulumi up` twice. The first upgrades the cluster {old_tier} -> {new_tier} (with its backups and "
        f"process arguments) and applies nothing else to it: the provider holds back other changes in a run "
        f"that upgrades from {old_tier}. The second applies the rest: {', '.join(later)}. Until then the "
        "cluster runs without them (for example without termination protection or point-in-time restore).",
    ], None


def plan_migration(current: Plan, target: Plan) -> Migration:
    steps, blocked = _atlas_steps(current, target)
    return Migration(current.phase, target.phase, diff(current, target), [*steps, *runbook(current, target)], blocked)
