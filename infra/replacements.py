"""Which input changes make a provider replace a resource (create the new one, delete the old).

Each entry cites the provider source it comes from (file @ the commit read, and the schema
attribute or diff function). pulumi-aws, pulumi-random, pulumi-mongodbatlas and pulumi-docker
bridge these Terraform providers, so the bridged resources replace on exactly these inputs.

Replacements also cascade: a resource whose forcing input takes its value from a replaced
resource (a subnet group's name, a project's id, a cluster's id) is replaced too, even when the
planned value looks the same (a placeholder before the real one exists).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

AWS = "terraform-provider-aws@010e0435"
ATLAS = "terraform-provider-mongodbatlas"
RANDOM = "terraform-provider-random"
DOCKER = "terraform-provider-docker (kreuzwerker)"
VERCEL = "vercel/terraform-provider-vercel@139b5981"


def _version(text: Any) -> tuple[int, ...]:
    parts = []
    for part in str(text).split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def version_downgrade(old: Any, new: Any) -> bool:
    """``engineVersionForceNewOnDowngrade``: only a lower version forces a new resource."""
    return old is not None and new is not None and _version(new) < _version(old)


def engine_downgrade(old: Any, new: Any) -> bool:
    """``customizeDiffEngineForceNewOnDowngrade``: valkey -> redis forces a new replication
    group; redis -> valkey is an in-place upgrade."""
    return str(old).lower() == "valkey" and str(new).lower() == "redis"


@dataclass(frozen=True)
class ForcesReplacement:
    type: str
    input: str
    source: str
    when: Callable[[Any, Any], bool] | None = None
    """None: any change forces replacement; else only changes for which it returns True."""

    def forces(self, old: Any, new: Any) -> bool:
        return old != new and (self.when is None or self.when(old, new))


DOCDB_CLUSTER = "aws:docdb/cluster:Cluster"
DOCDB_INSTANCE = "aws:docdb/clusterInstance:ClusterInstance"
DOCDB_SUBNETS = "aws:docdb/subnetGroup:SubnetGroup"
CACHE = "aws:elasticache/replicationGroup:ReplicationGroup"
CACHE_SUBNETS = "aws:elasticache/subnetGroup:SubnetGroup"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"

_DOCDB = f"{AWS} internal/service/docdb/cluster.go"
_DOCDB_INSTANCE = f"{AWS} internal/service/docdb/cluster_instance.go"
_CACHE = f"{AWS} internal/service/elasticache/replication_group.go"
_RANDOM = f"{RANDOM} internal/provider/resource_password.go (every attribute RequiresReplace)"

RULES: tuple[ForcesReplacement, ...] = (
    *(ForcesReplacement(DOCDB_CLUSTER, key, f"{_DOCDB} schema {attr}: ForceNew") for key, attr in (
        ("clusterIdentifier", "cluster_identifier"), ("engine", "engine"), ("storageEncrypted", "storage_encrypted"),
        ("kmsKeyId", "kms_key_id"), ("port", "port"), ("masterUsername", "master_username"),
        ("dbSubnetGroupName", "db_subnet_group_name"), ("snapshotIdentifier", "snapshot_identifier"),
        ("availabilityZones", "availability_zones"))),
    *(ForcesReplacement(DOCDB_INSTANCE, key, f"{_DOCDB_INSTANCE} schema {attr}: ForceNew") for key, attr in (
        ("clusterIdentifier", "cluster_identifier"), ("identifier", "identifier"), ("engine", "engine"))),
    ForcesReplacement(DOCDB_SUBNETS, "name", f"{AWS} internal/service/docdb/subnet_group.go schema name: ForceNew"),
    *(ForcesReplacement(CACHE, key, f"{_CACHE} schema {attr}: ForceNew") for key, attr in (
        ("replicationGroupId", "replication_group_id"), ("port", "port"),
        ("atRestEncryptionEnabled", "at_rest_encryption_enabled"), ("kmsKeyId", "kms_key_id"),
        ("subnetGroupName", "subnet_group_name"), ("dataTieringEnabled", "data_tiering_enabled"),
        ("networkType", "network_type"), ("snapshotName", "snapshot_name"))),
    ForcesReplacement(CACHE, "engine", f"{_CACHE} customizeDiffEngineForceNewOnDowngrade", engine_downgrade),
    ForcesReplacement(CACHE, "engineVersion", f"{_CACHE} customizeDiffEngineVersionForceNewOnDowngrade",
                      version_downgrade),
    ForcesReplacement(CACHE_SUBNETS, "name",
                      f"{AWS} internal/service/elasticache/subnet_group.go schema name: ForceNew"),
    ForcesReplacement("aws:s3/bucket:Bucket", "bucket", f"{AWS} internal/service/s3/bucket.go schema bucket: ForceNew"),
    ForcesReplacement("aws:s3/bucket:Bucket", "bucketPrefix",
                      f"{AWS} internal/service/s3/bucket.go schema bucket_prefix: ForceNew"),
    ForcesReplacement("aws:ecr/repository:Repository", "name",
                      f"{AWS} internal/service/ecr/repository.go schema name: ForceNew"),
    ForcesReplacement("aws:ecr/repository:Repository", "encryptionConfigurations",
                      f"{AWS} internal/service/ecr/repository.go schema encryption_configuration: ForceNew"),
    ForcesReplacement("aws:secretsmanager/secret:Secret", "name",
                      f"{AWS} internal/service/secretsmanager/secret.go schema name: ForceNew"),
    ForcesReplacement("aws:secretsmanager/secret:Secret", "namePrefix",
                      f"{AWS} internal/service/secretsmanager/secret.go schema name_prefix: ForceNew"),
    ForcesReplacement("aws:cloudwatch/logGroup:LogGroup", "name",
                      f"{AWS} internal/service/logs/group.go schema name: ForceNew"),
    ForcesReplacement("aws:kms/key:Key", "customerMasterKeySpec",
                      f"{AWS} internal/service/kms/key.go schema customer_master_key_spec: ForceNew"),
    *(ForcesReplacement(RANDOM_PASSWORD, key, _RANDOM) for key in (
        "length", "special", "upper", "lower", "numeric", "minLower", "minUpper", "minNumeric", "minSpecial",
        "overrideSpecial", "keepers")),
    ForcesReplacement("mongodbatlas:index/project:Project", "orgId",
                      f"{ATLAS} internal/service/project/resource_project_schema.go org_id: RequiresReplace"),
    *(ForcesReplacement("mongodbatlas:index/advancedCluster:AdvancedCluster", key,
                        f"{ATLAS} internal/service/advancedcluster schema {attr}: RequiresReplace")
      for key, attr in (("projectId", "project_id"), ("name", "name"))),
    ForcesReplacement("upstash:index/redisDatabase:RedisDatabase", "databaseName",
                      "upstash/terraform-provider-upstash redis_database database_name: ForceNew"),
    ForcesReplacement("upstash:index/redisDatabase:RedisDatabase", "region",
                      "upstash/terraform-provider-upstash redis_database region: ForceNew"),
    *(ForcesReplacement("vercel:index/deployment:Deployment", key,
                        f"{VERCEL} vercel/resource_deployment.go schema {attr}: RequiresReplace")
      for key, attr in (("environment", "environment"), ("ref", "ref"), ("production", "production"),
                        ("projectId", "project_id"))),
    ForcesReplacement("docker:index/volume:Volume", "name", f"{DOCKER} resource_docker_volume.go name: ForceNew"),
    ForcesReplacement("docker:index/volume:Volume", "driver", f"{DOCKER} resource_docker_volume.go driver: ForceNew"),
)  # fmt: skip
"""Every input the project sets whose change replaces its resource, with the source."""


def forcing(type_: str) -> dict[str, ForcesReplacement]:
    """The rules of one resource type, by input name."""
    return {rule.input: rule for rule in RULES if rule.type == type_}


def replaced_inputs(type_: str, old: dict[str, Any], new: dict[str, Any]) -> tuple[str, ...]:
    """The inputs whose change (old -> new) makes the provider replace a ``type_`` resource."""
    rules = forcing(type_)
    return tuple(sorted(k for k, rule in rules.items() if rule.forces(old.get(k), new.get(k))))


def cascade(
    replaced: set[str], dependencies: dict[str, tuple[str, dict[str, tuple[str, ...]]]]
) -> dict[str, tuple[str, ...]]:
    """Resources replaced because a forcing input comes from a replaced resource.

    ``dependencies`` maps each URN present before and after to (its type, input name -> the
    URNs that input's value came from). Returns URN -> the inputs that carry the replacement,
    repeated until nothing more is replaced."""
    found: dict[str, tuple[str, ...]] = {}
    changed = True
    while changed:
        changed = False
        for urn, (type_, sources) in dependencies.items():
            if urn in replaced or urn in found:
                continue
            rules = forcing(type_)
            carried = tuple(sorted(k for k, urns in sources.items() if k in rules and set(urns) & replaced))
            if carried:
                found[urn] = carried
                replaced.add(urn)
                changed = True
    return found
