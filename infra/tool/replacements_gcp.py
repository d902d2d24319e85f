"""Which input changes make pulumi-gcp replace a resource, from the provider's source.

pulumi-gcp bridges terraform-provider-google-beta, which magic-modules generates: a field marked
``immutable: true`` in ``mmv1/products/<product>/<Resource>.yaml`` (or every field of a resource marked
immutable, except those with an ``update_url``) is ForceNew, so Pulumi replaces the resource; the
handwritten resources say ``ForceNew: true`` in ``mmv1/third_party/terraform/services/...``. Read at
GoogleCloudPlatform/magic-modules@d5778440 (2026-08-21). Each tuple is named in its type's row of the
kinds table (``infra/tool/resource_kinds_gcp.py``).
"""

from __future__ import annotations

from infra.tool.replacements import ForcesReplacement

MM = "terraform-provider-google-beta (generated from GoogleCloudPlatform/magic-modules@d5778440)"


def _immutable(source: str, *inputs: str, how: str = "immutable: true") -> tuple[ForcesReplacement, ...]:
    return tuple(ForcesReplacement(key, f"{MM} {source}: {key} {how}") for key in inputs)


BUCKET = _immutable(
    "mmv1/third_party/terraform/services/storage/resource_storage_bucket.go.tmpl",
    "name",
    "location",
    "project",
    "enableObjectRetention",
    "hierarchicalNamespace",
    how="ForceNew",
)
SECRET = _immutable("mmv1/products/secretmanager/Secret.yaml", "secretId", "replication", "project", "tags")
SECRET_VERSION = _immutable("mmv1/products/secretmanager/SecretVersion.yaml", "secret", "secretData")
REDIS = _immutable(
    "mmv1/products/redis/Instance.yaml",
    "name",
    "region",
    "tier",
    "authorizedNetwork",
    "connectMode",
    "reservedIpRange",
    "locationId",
    "alternativeLocationId",
    "transitEncryptionMode",
    "customerManagedKey",
)
REPOSITORY = _immutable(
    "mmv1/products/artifactregistry/Repository.yaml",
    "repositoryId",
    "location",
    "format",
    "mode",
    "kmsKeyName",
    "remoteRepositoryConfig",
)
CLOUD_RUN = _immutable("mmv1/products/cloudrunv2/Service.yaml", "name", "location")
FIRESTORE = _immutable(
    "mmv1/products/firestore/Database.yaml",
    "name",
    "locationId",
    "databaseEdition",
    "mongodbCompatibleDataAccessMode",
    "cmekConfig",
)
SERVICE_ACCOUNT = _immutable(
    "mmv1/third_party/terraform/services/resourcemanager/resource_google_service_account.go",
    "accountId",
    "project",
    how="ForceNew",
)
NETWORK = _immutable("mmv1/products/compute/Network.yaml", "name", "autoCreateSubnetworks", "description")
SUBNETWORK = _immutable("mmv1/products/compute/Subnetwork.yaml", "name", "network", "region", "description")
ADDRESS = _immutable(
    "mmv1/products/compute/Address.yaml (resource immutable)",
    "name",
    "region",
    "address",
    "addressType",
    "networkTier",
    "description",
    "purpose",
)
GLOBAL_ADDRESS = _immutable(
    "mmv1/products/compute/GlobalAddress.yaml (resource immutable)",
    "name",
    "address",
    "ipVersion",
    "addressType",
    "purpose",
    "description",
)
FORWARDING_RULE = _immutable(
    "mmv1/products/compute/GlobalForwardingRule.yaml (resource immutable; target has an update_url)",
    "name",
    "ipAddress",
    "ipProtocol",
    "portRange",
    "description",
)
NEG = _immutable(
    "mmv1/products/compute/RegionNetworkEndpointGroup.yaml (resource immutable)",
    "name",
    "region",
    "networkEndpointType",
    "cloudRun",
)
CERTIFICATE = _immutable(
    "mmv1/products/compute/ManagedSslCertificate.yaml (resource immutable)",
    "name",
    "managed",
    "type",
)
SECURITY_POLICY = _immutable(
    "mmv1/third_party/terraform/services/compute/resource_compute_security_policy.go.tmpl",
    "name",
    "type",
    how="ForceNew",
)
NAMED = _immutable("mmv1/products/compute (BackendBucket, BackendService, URLMap, SSLPolicy, proxies)", "name")
ROUTER = _immutable("mmv1/products/compute/Router.yaml", "name", "region", "network")
ROUTER_NAT = _immutable("mmv1/products/compute/RouterNat.yaml", "name", "router", "region")
UPTIME_CHECK = _immutable(
    "mmv1/products/monitoring/UptimeCheckConfig.yaml",
    "checkerType",
    "monitoredResource",
    "resourceGroup",
)
