"""Which input changes make a provider replace a resource (create the new one, delete the old).

Each entry cites the provider source it comes from (file @ the commit read, and the schema
attribute or diff function). pulumi-aws, pulumi-random, pulumi-mongodbatlas and pulumi-docker
bridge these Terraform providers, so the bridged resources replace on exactly these inputs.

Each tuple here is named in its type's row of the kinds table (``infra/tool/resource_kinds.py``),
which also follows replacements through the inputs that carry them (``cascade``).
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


def removed(old: Any, new: Any) -> bool:
    """Only taking the setting away forces a new resource; adding or changing it is an update."""
    return bool(old) and not new


@dataclass(frozen=True)
class NestedChange:
    """A change of one attribute inside a block input forces a new resource; the block's other
    attributes update in place. ``default``: the provider's value when the attribute is unset."""

    attribute: str
    default: Any = None

    def __call__(self, old: Any, new: Any) -> bool:
        def value(block: Any) -> Any:
            return (block or {}).get(self.attribute, self.default) if isinstance(block, dict | None) else block

        return value(old) != value(new)


def launch_template_swapped(old: Any, new: Any) -> bool:
    """A node group's ``launchTemplate``: another template (its id or name), or one where there was
    none, forces a new node group; a new ``version`` of the same template rolls the nodes in place."""

    def template(block: Any) -> tuple[Any, Any]:
        return ((block or {}).get("id"), (block or {}).get("name")) if isinstance(block, dict | None) else (block, None)

    return template(old) != template(new)


def engine_downgrade(old: Any, new: Any) -> bool:
    """``customizeDiffEngineForceNewOnDowngrade``: valkey -> redis forces a new replication
    group; redis -> valkey is an in-place upgrade."""
    return str(old).lower() == "valkey" and str(new).lower() == "redis"


@dataclass(frozen=True)
class ForcesReplacement:
    """An input whose change makes the provider replace its resource, with the source saying so."""

    input: str
    source: str
    when: Callable[[Any, Any], bool] | None = None
    """None: any change forces replacement; else only changes for which it returns True."""

    def forces(self, old: Any, new: Any) -> bool:
        return old != new and (self.when is None or self.when(old, new))


def _force_new(source_file: str, *pairs: tuple[str, str], how: str = "ForceNew") -> tuple[ForcesReplacement, ...]:
    """One rule per (input, schema attribute) of a provider schema file."""
    return tuple(ForcesReplacement(key, f"{source_file} schema {attr}: {how}") for key, attr in pairs)


_DOCDB = f"{AWS} internal/service/docdb/cluster.go"
_CACHE = f"{AWS} internal/service/elasticache/replication_group.go"

DOCDB_CLUSTER = _force_new(
    _DOCDB,
    ("clusterIdentifier", "cluster_identifier"),
    ("engine", "engine"),
    ("storageEncrypted", "storage_encrypted"),
    ("kmsKeyId", "kms_key_id"),
    ("port", "port"),
    ("masterUsername", "master_username"),
    ("dbSubnetGroupName", "db_subnet_group_name"),
    ("snapshotIdentifier", "snapshot_identifier"),
    ("availabilityZones", "availability_zones"),
)
DOCDB_INSTANCE = _force_new(
    f"{AWS} internal/service/docdb/cluster_instance.go",
    ("clusterIdentifier", "cluster_identifier"),
    ("identifier", "identifier"),
    ("engine", "engine"),
)
DOCDB_SUBNET_GROUP = _force_new(f"{AWS} internal/service/docdb/subnet_group.go", ("name", "name"))
REPLICATION_GROUP = (
    *_force_new(
        _CACHE,
        ("replicationGroupId", "replication_group_id"),
        ("port", "port"),
        ("atRestEncryptionEnabled", "at_rest_encryption_enabled"),
        ("kmsKeyId", "kms_key_id"),
        ("subnetGroupName", "subnet_group_name"),
        ("dataTieringEnabled", "data_tiering_enabled"),
        ("networkType", "network_type"),
        ("snapshotName", "snapshot_name"),
    ),
    ForcesReplacement("engine", f"{_CACHE} customizeDiffEngineForceNewOnDowngrade", engine_downgrade),
    ForcesReplacement("engineVersion", f"{_CACHE} customizeDiffEngineVersionForceNewOnDowngrade", version_downgrade),
)
CACHE_SUBNET_GROUP = _force_new(f"{AWS} internal/service/elasticache/subnet_group.go", ("name", "name"))
S3_BUCKET = _force_new(f"{AWS} internal/service/s3/bucket.go", ("bucket", "bucket"), ("bucketPrefix", "bucket_prefix"))
ECR_REPOSITORY = _force_new(
    f"{AWS} internal/service/ecr/repository.go",
    ("name", "name"),
    ("encryptionConfigurations", "encryption_configuration"),
)
SECRET = _force_new(f"{AWS} internal/service/secretsmanager/secret.go", ("name", "name"), ("namePrefix", "name_prefix"))
LOG_GROUP = _force_new(f"{AWS} internal/service/logs/group.go", ("name", "name"))
KMS_KEY = _force_new(f"{AWS} internal/service/kms/key.go", ("customerMasterKeySpec", "customer_master_key_spec"))
BACKUP_VAULT = _force_new(f"{AWS} internal/service/backup/vault.go", ("name", "name"), ("kmsKeyArn", "kms_key_arn"))
KMS_REPLICA_KEY = _force_new(f"{AWS} internal/service/kms/replica_key.go", ("primaryKeyArn", "primary_key_arn"))
RANDOM_PASSWORD = tuple(
    ForcesReplacement(key, f"{RANDOM} internal/provider/resource_password.go (every attribute RequiresReplace)")
    for key in (
        "length",
        "special",
        "upper",
        "lower",
        "numeric",
        "minLower",
        "minUpper",
        "minNumeric",
        "minSpecial",
        "overrideSpecial",
        "keepers",
    )
)
ATLAS_PROJECT = _force_new(
    f"{ATLAS} internal/service/project/resource_project_schema.go", ("orgId", "org_id"), how="RequiresReplace"
)
ATLAS_CLUSTER = _force_new(
    f"{ATLAS} internal/service/advancedcluster", ("projectId", "project_id"), ("name", "name"), how="RequiresReplace"
)
UPSTASH_REDIS = _force_new(
    "upstash/terraform-provider-upstash redis_database", ("databaseName", "database_name"), ("region", "region")
)
VERCEL_DEPLOYMENT = _force_new(
    f"{VERCEL} vercel/resource_deployment.go",
    ("environment", "environment"),
    ("ref", "ref"),
    ("production", "production"),
    ("projectId", "project_id"),
    how="RequiresReplace",
)
DOCKER_VOLUME = _force_new(f"{DOCKER} resource_docker_volume.go", ("name", "name"), ("driver", "driver"))

_EKS_CLUSTER = "terraform-provider-aws@00555dc5 internal/service/eks/cluster.go"
EKS_CLUSTER = (
    *_force_new(
        _EKS_CLUSTER,
        ("name", "name"),
        ("roleArn", "role_arn"),
        ("bootstrapSelfManagedAddons", "bootstrap_self_managed_addons"),
        ("remoteNetworkConfig", "remote_network_config"),
    ),
    ForcesReplacement(
        "encryptionConfig",
        f"{_EKS_CLUSTER} CustomizeDiff ForceNewIfChange(encryption_config): only when removed "
        '("You cannot disable envelope encryption after enabling it"); adding it calls AssociateEncryptionConfig',
        removed,
    ),
    ForcesReplacement(
        "accessConfig",
        f"{_EKS_CLUSTER} schema access_config.bootstrap_cluster_creator_admin_permissions: ForceNew (default true)",
        NestedChange("bootstrapClusterCreatorAdminPermissions", True),
    ),
    ForcesReplacement(
        "kubernetesNetworkConfig",
        f"{_EKS_CLUSTER} schema kubernetes_network_config.ip_family: ForceNew",
        NestedChange("ipFamily"),
    ),
    ForcesReplacement(
        "kubernetesNetworkConfig",
        f"{_EKS_CLUSTER} schema kubernetes_network_config.service_ipv4_cidr: ForceNew",
        NestedChange("serviceIpv4Cidr"),
    ),
)
"""The control plane's endpoints, subnets, log types and version update in place (one
``UpdateClusterConfig`` or ``UpdateClusterVersion`` each)."""

_NODE_GROUP = "terraform-provider-aws@012e0a32 internal/service/eks/node_group.go"
EKS_NODE_GROUP = (
    *_force_new(
        _NODE_GROUP,
        ("amiType", "ami_type"),
        ("capacityType", "capacity_type"),
        ("clusterName", "cluster_name"),
        ("diskSize", "disk_size"),
        ("instanceTypes", "instance_types"),
        ("nodeGroupName", "node_group_name"),
        ("nodeGroupNamePrefix", "node_group_name_prefix"),
        ("nodeRoleArn", "node_role_arn"),
        ("remoteAccess", "remote_access"),
        ("subnetIds", "subnet_ids"),
    ),
    ForcesReplacement(
        "launchTemplate",
        f"{_NODE_GROUP} schema launch_template.id, launch_template.name: ForceNew (version: UpdateNodegroupVersion)",
        launch_template_swapped,
    ),
)
"""Scaling, labels, taints and the launch template's version update in place."""
