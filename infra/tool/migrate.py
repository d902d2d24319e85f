"""Phase migrations: what changes between a stack's plan now and in another phase, which data
stores that loses, and the runbook (``infra/tool/runbooks.py``) that moves the data first."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from infra.atlas_tiers import UPGRADE_RUN_INPUTS, UPGRADED_FROM
from infra.tool.engine.plan import Plan, PlannedResource
from infra.tool.resource_kinds import cascade, holds_data, is_stateful, kind, replaced_inputs
from infra.tool.runbooks import CACHE, RUNBOOKS, Section, atlas_cloud_move, atlas_to_documentdb, generic


@dataclass(frozen=True)
class Change:
    action: str
    """create | update | replace | delete"""
    urn: str
    type: str
    stateful: bool
    properties: tuple[str, ...] = ()
    parent: str | None = field(default=None, compare=False)
    """The URN of the component it belongs to (None: the stack's own)."""

    @property
    def name(self) -> str:
        """The resource's logical name (the URN's last part)."""
        return self.urn.rpartition("::")[2]

    @property
    def component(self) -> str | None:
        """``type name`` of the component it belongs to, as ``pulumi preview`` groups it."""
        if self.parent is None:
            return None
        qualified, _, name = self.parent.rpartition("::")
        return f"{qualified.rpartition('::')[2].rpartition('$')[2]} {name}"

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "urn": self.urn, "type": self.type, "stateful": self.stateful,
                "properties": list(self.properties)}  # fmt: skip


@dataclass(frozen=True)
class Migration:
    source: str
    target: str
    changes: list[Change]
    runbook: list[Section] = field(default_factory=list)
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
            "runbook": [section.to_json() for section in self.runbook],
        }


def _stateful(resource: PlannedResource) -> bool:
    return holds_data(resource.type, resource.parent, resource.inputs)


def diff(current: Plan, target: Plan) -> list[Change]:
    before = {r.urn: r for r in current.resources if r.custom}
    after = {r.urn: r for r in target.resources if r.custom}
    changes: dict[str, Change] = {}
    for urn in sorted(after.keys() - before.keys()):
        changes[urn] = Change("create", urn, after[urn].type, _stateful(after[urn]), parent=after[urn].parent)
    for urn in sorted(before.keys() - after.keys()):
        changes[urn] = Change("delete", urn, before[urn].type, _stateful(before[urn]), parent=before[urn].parent)
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
            changes[urn] = Change("replace", urn, new.type, _stateful(new), forcing, new.parent)
        elif changed:
            changes[urn] = Change("update", urn, new.type, _stateful(new), changed, new.parent)
    dependencies = {urn: (after[urn].type, dict(after[urn].property_dependencies)) for urn in both}
    for urn, carried in cascade(replaced, dependencies).items():
        reasons = tuple(f"{key} (from a replaced resource)" for key in carried)
        changes[urn] = Change("replace", urn, after[urn].type, _stateful(after[urn]), reasons, after[urn].parent)
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


def runbook(current: Plan, target: Plan) -> list[Section]:
    sections: list[Section] = []
    source_db, target_db = _database_kind(current), _database_kind(target)
    if (source_db, target_db) == ("atlas", "documentdb"):
        data_gb = target.config.usage.database_storage_gb if target.config is not None else 10.0
        sections += atlas_to_documentdb(target.stack, data_gb)
    elif source_db and target_db and (source_db != target_db or (source_db, target_db) in RUNBOOKS):
        moved = atlas_cloud_change(current, target)
        if moved is not None:
            sections.append(atlas_cloud_move(*moved))
        sections.append(RUNBOOKS.get((source_db, target_db)) or generic(source_db, target_db))
    old_caches = {r.type for r in current.resources if kind(r.type).cache}
    new_caches = {r.type for r in target.resources if kind(r.type).cache}
    if old_caches != new_caches:
        sections.append(CACHE)
    return sections


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


def _where(cluster: PlannedResource) -> tuple[str, str]:
    """(provider, region) of an Atlas cluster's first region config."""
    specs = cluster.inputs.get("replicationSpecs") or [{}]
    region = (specs[0].get("regionConfigs") or [{}])[0]
    return str(region.get("backingProviderName") or region.get("providerName")), str(region.get("regionName"))


def atlas_cloud_change(current: Plan, target: Plan) -> tuple[tuple[str, str], tuple[str, str]] | None:
    """The Atlas cluster's (provider, region) before and after, when it moves to another cloud (same URN)."""
    before = {r.urn: r for r in current.resources if kind(r.type).database == "atlas"}
    for resource in target.resources:
        if resource.urn in before:
            old, new = _where(before[resource.urn]), _where(resource)
            if old[0] != new[0]:
                return old, new
    return None


def target_engine(current: Plan, phase: str) -> str | None:
    """The target phase's default engine when the stack's chosen one does not run there (DocumentDB on gcp),
    else None: the move plans the target phase's own database."""
    from infra.phases import spec

    engine = current.config.database.engine if current.config is not None else None
    engines = spec(phase).database_engines
    return engines[0] if engine is not None and engine not in engines else None


def _atlas_steps(current: Plan, target: Plan) -> tuple[list[Section], str | None]:
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
    return [Section(f"Upgrade the Atlas cluster {old_tier} -> {new_tier}", (
        f"Run `pulumi up` twice. The first upgrades the cluster {old_tier} -> {new_tier} (with its backups and "
        f"process arguments) and applies nothing else to it: the provider holds back other changes in a run "
        f"that upgrades from {old_tier}. The second applies the rest: {', '.join(later)}. Until then the "
        "cluster runs without them (for example without termination protection or point-in-time restore).",
    ))], None  # fmt: skip


def plan_migration(current: Plan, target: Plan) -> Migration:
    steps, blocked = _atlas_steps(current, target)
    return Migration(current.phase, target.phase, diff(current, target), [*steps, *runbook(current, target)], blocked)
