"""A stack's disaster-recovery posture: how much data a lost region costs (RPO), how long the way
back takes (RTO), and the runbook, from the stack's plan and its restore stack's plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from infra.tool.deploy_path import critical_path
from infra.tool.engine.plan import Plan, PlannedResource

COPY_MINUTES = 15
"""A recovery point reaches the DR region after its backup job and the copy job that follows it:
about a quarter of an hour for a small cluster (an estimate; the jobs' durations are in AWS Backup)."""
RESTORE_MINUTES_PER_GB = 0.5
"""Restoring a DocumentDB cluster from a snapshot adds time that grows with the data (an estimate)."""
OPERATOR_STEPS_MINUTES = {"find the recovery point": 2, "init the DR stack and set its config": 5,
                          "switch DNS to the DR stack": 5, "verify": 3}  # fmt: skip
"""What a person does around the ``pulumi up``, in minutes."""
GOAL_MINUTES = 60


@dataclass(frozen=True)
class Posture:
    rpo_minutes: int
    rto_minutes: int
    steps: list[str]
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"rpo_minutes": self.rpo_minutes, "rto_minutes": self.rto_minutes, "steps": self.steps,
                "notes": self.notes}  # fmt: skip


GLOBAL_CLUSTER_CLASS = "db.r6g.large"
"""The smallest class a DocumentDB global cluster runs on (db.r5/db.r6g only)."""


def global_cluster_extra(instance_class: str, instances: int) -> float:
    """What a global cluster adds a month: the primary's instances moved to ``GLOBAL_CLUSTER_CLASS``
    and one instance of it in the secondary region."""
    from infra.tool.cost.price_catalog import load_catalog

    catalog = load_catalog()
    rates = catalog["documentdb_instance_hour"]
    target, current = rates.of(GLOBAL_CLUSTER_CLASS) or 0.0, rates.of(instance_class) or 0.0
    return catalog.hours * (max(0.0, target - current) * instances + target)


DR_VAULT_TYPE = "aws:backup/vault:Vault"


def dr_vault(plan: Plan) -> PlannedResource:
    """The backup vault in the DR region: the one made through a provider of another region."""
    return next(r for r in plan.of_type(DR_VAULT_TYPE) if r.inputs.get("region"))


def posture(stack: Plan, restore_stack: Plan) -> Posture:
    """The posture of ``stack`` (with ``aws.dr`` set), restored as ``restore_stack``."""
    config = stack.config
    if config is None or config.aws.dr.region is None:
        raise ValueError(f"stack {stack.stack} has no disaster recovery settings")
    dr = config.aws.dr
    vault = dr_vault(stack)
    rpo = dr.backup_every_hours * 60 + COPY_MINUTES
    path = critical_path(restore_stack)
    restore = config.usage.database_storage_gb * RESTORE_MINUTES_PER_GB
    rto = round(sum(OPERATOR_STEPS_MINUTES.values()) + path.minutes + restore)
    name, region = restore_stack.stack, dr.region
    steps = [
        f"Find the latest recovery point in the DR vault: `nowry-infra dr {stack.stack} --latest` (or `aws backup "
        f"list-recovery-points-by-backup-vault --backup-vault-name {vault.inputs['name']} --region {region}`).",
        f"Init the DR stack: `pulumi stack init {name}` (its settings are in Pulumi.{name}.yaml); set its secrets "
        f"from their replicas in {region} (`aws secretsmanager get-secret-value --region {region} --secret-id "
        f"<name>`, then `pulumi config set --secret ... --stack {name}`).",
        f"`pulumi config set --path nowry:database.restoreFromSnapshot <recovery point ARN> --stack {name}`.",
        f"`pulumi up --stack {name}`: about {path.minutes:g} minutes along {' -> '.join(path.chain)}, plus "
        f"~{restore:g} minutes restoring {config.usage.database_storage_gb:g} GB.",
        f"Rebuild the site into the DR stack's bucket: run the deploy workflow for {name} (the site bucket is "
        "not replicated: CI builds it from the repository in minutes).",
        f"Switch: point the app's DNS name at the DR stack's CloudFront distribution (`pulumi stack output "
        f"siteUrl --stack {name}`).",
        f"`pulumi stack output --json --show-secrets --stack {name} | nowry-infra verify {name}`.",
    ]
    notes = [
        f"RPO = a recovery point every {dr.backup_every_hours} h + ~{COPY_MINUTES} minutes to copy it to {region}.",
        f"RTO = {sum(OPERATOR_STEPS_MINUTES.values())} minutes of operator steps + the restore stack's critical path "
        f"({path.minutes:g} minutes) + the restore ({restore:g} minutes).",
    ]
    if rpo > GOAL_MINUTES:
        extra = global_cluster_extra(config.database.instance_class, config.database.instances)
        notes.append(
            f"The RPO misses the {GOAL_MINUTES}-minute goal: AWS Backup schedules a rule at most hourly and runs one "
            "backup or copy job per resource at a time (AWS Backup quotas), so recovery points cannot come closer "
            "than an hour, and the copy follows each. A DocumentDB global cluster (a secondary cluster in the DR "
            "region, replication lag under a second) would meet it, but it runs only db.r5/db.r6g instances in "
            f"both regions (DocumentDB developer guide, global clusters): about ${extra:,.0f}/month more here."
        )
    if rto > GOAL_MINUTES:
        notes.append(f"The RTO misses the {GOAL_MINUTES}-minute goal.")
    return Posture(rpo, rto, steps, notes)
