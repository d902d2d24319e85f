"""The data stores: ElastiCache, DocumentDB, AWS Backup and DMS, and the protection of every stateful resource."""

from __future__ import annotations

from collections.abc import Iterable

from infra.tool.resource_kinds import is_stateful_urn
from infra.tool.rules.model import Rule, StackRule, Subject
from infra.tool.rules.types import (
    BACKUP_PLAN,
    BACKUP_VAULT,
    DMS_ENDPOINT,
    DMS_INSTANCE,
    DOCDB_CLUSTER,
    DOCDB_PARAMETERS,
    REPLICATION_GROUP,
)


def _cache_encryption(s: Subject) -> Iterable[str]:
    if s.get("atRestEncryptionEnabled") is not True:
        yield "no encryption at rest"
    if s.get("transitEncryptionEnabled") is not True:
        yield "no encryption in transit"
    if "authToken" not in s.props and not s.get("userGroupIds"):
        yield "no AUTH token or user group"


def _cache_backups(s: Subject) -> Iterable[str]:
    if (s.get("snapshotRetentionLimit") or 0) < 1:
        yield "no automatic snapshots"
    if not s.get("finalSnapshotIdentifier"):
        yield "no final snapshot on delete"
    if (s.get("numCacheClusters") or 1) >= 2 and not (s.get("automaticFailoverEnabled") and s.get("multiAzEnabled")):
        yield "2+ nodes without automatic failover and Multi-AZ"


def _cache_maintenance(s: Subject) -> Iterable[str]:
    if s.get("autoMinorVersionUpgrade") is False:
        yield "automatic minor version upgrades are off"
    if not s.get("subnetGroupName") and "subnetGroupName" not in s.props:
        yield "no subnet group of its own"


def _docdb_encryption(s: Subject) -> Iterable[str]:
    if s.type == DOCDB_PARAMETERS:
        parameters = {p.get("name"): p.get("value") for p in s.get("parameters") or []}
        if parameters.get("tls") != "enabled":
            yield "parameter tls is not enabled"
        if parameters.get("audit_logs") != "enabled":
            yield "parameter audit_logs is not enabled"
        return
    if s.get("storageEncrypted") is not True:
        yield "storage is not encrypted"
    if "audit" not in (s.get("enabledCloudwatchLogsExports") or []):
        yield "audit logs are not exported"


def _docdb_backups(s: Subject) -> Iterable[str]:
    if (s.get("backupRetentionPeriod") or 1) < 7:
        yield f"backups kept {s.get('backupRetentionPeriod') or 1} days (fewer than 7)"
    if s.prod and s.get("deletionProtection") is not True:
        yield "deletion protection is off in prod"
    if s.get("skipFinalSnapshot") is not False or not s.get("finalSnapshotIdentifier"):
        yield "no final snapshot on delete"


def _docdb_azs(s: Subject) -> Iterable[str]:
    zones = s.get("availabilityZones")
    if isinstance(zones, list) and len(zones) < 3:
        yield "pins fewer than 3 availability zones: every update becomes a replacement"


def _protected(subjects: list[Subject]) -> Iterable[tuple[str, str]]:
    for s in subjects:
        if s.prod and not s.protect and is_stateful_urn(s.urn):
            yield (
                s.urn,
                "stateful resource is not protected in prod: a change could delete or replace it",
            )


def _cache_failover_in_prod(s: Subject) -> Iterable[str]:
    if s.prod and not (s.get("automaticFailoverEnabled") is True and (s.get("numCacheClusters") or 1) >= 2):
        yield "one cache node on a production stack: no automatic failover"


def _dms_endpoint_tls(s: Subject) -> Iterable[str]:
    mode = s.get("sslMode")
    if mode in (None, "none"):
        yield "the endpoint does not use TLS"
    elif s.get("endpointType") == "target" and (
        mode not in ("verify-ca", "verify-full") or not s.get("certificateArn")
    ):
        yield "the target is not verified against a CA (verify-full with the RDS CA certificate)"


def _dms_not_public(s: Subject) -> Iterable[str]:
    if s.get("publiclyAccessible") is not False:
        yield "the replication instance is publicly accessible"


def _dms_source_secret(s: Subject) -> Iterable[str]:
    if s.get("endpointType") == "source" and s.get("engineName") == "mongodb":
        if "password" in s.props and s.props.get("password") is not None:
            yield "the source password is an endpoint input; keep it in Secrets Manager"
        if not s.get("secretsManagerArn"):
            yield "the source credentials do not come from Secrets Manager"


def _backup_vault_encrypted(s: Subject) -> Iterable[str]:
    if not s.props.get("kmsKeyArn"):
        yield "the vault's recovery points are not encrypted with a customer-managed key"


def _backup_plan_copies(s: Subject) -> Iterable[str]:
    for rule in s.get("rules") or []:
        name = rule.get("ruleName", "?")
        if not (rule.get("lifecycle") or {}).get("deleteAfter"):
            yield f"rule {name} keeps recovery points forever (no retention)"
        copies = rule.get("copyActions") or []
        if not copies:
            yield f"rule {name} copies no recovery point to another region"
        for copy in copies:
            if not (copy.get("lifecycle") or {}).get("deleteAfter"):
                yield f"rule {name} keeps its copies forever (no retention)"


RULES: tuple[Rule, ...] = (
    Rule("elasticache-encryption-auth", "Encrypted at rest and in transit, with an AUTH token",
         "FSBP ElastiCache.4, .5, .6; CKV_AWS_29, CKV_AWS_30, CKV_AWS_31", (REPLICATION_GROUP,), _cache_encryption),
    Rule("elasticache-backups-failover", "Snapshots kept, a final snapshot, failover with 2+ nodes",
         "FSBP ElastiCache.1, .3; CKV2_AWS_50", (REPLICATION_GROUP,), _cache_backups),
    Rule("elasticache-maintenance", "Automatic minor upgrades; its own subnet group",
         "FSBP ElastiCache.2, .7; CKV_AWS_322, CKV_AWS_323", (REPLICATION_GROUP,), _cache_maintenance,
         severity="low"),
    Rule("docdb-encryption-tls-audit", "Storage encrypted; tls and audit_logs enabled; audit logs exported",
         "FSBP DocumentDB.1, .6, .4; CKV_AWS_74, CKV_AWS_90, CKV_AWS_104, CKV_AWS_85",
         (DOCDB_CLUSTER, DOCDB_PARAMETERS), _docdb_encryption),
    Rule("docdb-backups-deletion-protection", "Backups 7+ days, deletion protection in prod, a final snapshot",
         "FSBP DocumentDB.2, .5; CKV_AWS_360", (DOCDB_CLUSTER,), _docdb_backups),
    Rule("docdb-no-pinned-azs", "Availability zones not pinned below 3", "pulumi/pulumi-aws#1507",
         (DOCDB_CLUSTER,), _docdb_azs, severity="medium"),
    Rule("dms-endpoints-tls", "DMS endpoints use TLS; the DocumentDB target is verified against the RDS CA",
         "FSBP DMS.9 area; project", (DMS_ENDPOINT,), _dms_endpoint_tls),
    Rule("dms-not-public", "The DMS replication instance is not publicly accessible", "FSBP DMS.1; CKV_AWS_89",
         (DMS_INSTANCE,), _dms_not_public, severity="critical"),
    Rule("dms-source-secret", "The migration source's credentials come from Secrets Manager, never endpoint inputs",
         "FSBP DMS.10 area; project", (DMS_ENDPOINT,), _dms_source_secret, severity="critical"),
    Rule("backup-vault-encrypted", "Backup vaults encrypt recovery points with a customer-managed key",
         "FSBP Backup.1; CKV_AWS_166", (BACKUP_VAULT,), _backup_vault_encrypted),
    Rule("backup-plan-copies-and-retains", "Backup rules keep points for a set time and copy them to another region",
         "FSBP Backup area; disaster recovery", (BACKUP_PLAN,), _backup_plan_copies),
    Rule("cache-failover-in-prod", "Production caches run two nodes with automatic failover",
         "FSBP ElastiCache.3; CKV_AWS_191 area", (REPLICATION_GROUP,), _cache_failover_in_prod, severity="low"),
)  # fmt: skip

STACK_RULES: tuple[StackRule, ...] = (
    StackRule("data-protected-in-prod", "Stateful resources are protected in prod", "data safety", _protected,
              severity="critical"),
)  # fmt: skip
