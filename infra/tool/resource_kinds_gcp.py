"""The kinds table's rows for the gcp phase's resource types (pulumi-gcp), merged into ``KINDS`` by
``infra/tool/resource_kinds.py``: every fact of a type in its row, as for the AWS types."""

from __future__ import annotations

from infra.tool import offline_shapes as shape
from infra.tool import replacements_gcp as forcing
from infra.tool.cost import pricers_gcp as price
from infra.tool.kind_model import ResourceKind, Role

GCP_EDGE = "Google Cloud edge (global load balancer)"
GCP_REGIONAL = "Google Cloud regional services"
"""Drawn with the stack's region appended (``infra/tool/diagram.py``), as AWS's regional box is."""
GCP_PRIVATE = "VPC private services (peered)"
GCP_EGRESS = "VPC egress"

_FREE = (
    "gcp:compute/network:Network",
    "gcp:compute/router:Router",
    "gcp:compute/sSLPolicy:SSLPolicy",
    "gcp:compute/managedSslCertificate:ManagedSslCertificate",
    "gcp:compute/targetHttpsProxy:TargetHttpsProxy",
    "gcp:compute/targetHttpProxy:TargetHttpProxy",
    "gcp:compute/uRLMap:URLMap",
    "gcp:secretmanager/secretIamMember:SecretIamMember",
    "gcp:storage/bucketIAMMember:BucketIAMMember",
    "gcp:storage/bucketObject:BucketObject",
    "gcp:projects/iAMMember:IAMMember",
    "gcp:monitoring/notificationChannel:NotificationChannel",
)
"""Types that cost nothing themselves: the VPC and router, Google-managed certificates, proxies and URL
maps (the forwarding rules and data processing are the load balancer's price), IAM bindings,
uploaded objects (priced as the bucket's storage), notification channels. The global address a
forwarding rule holds and uptime checks (a million executions a month free) have rows of their own
below, free as well."""

GCP_KINDS: tuple[ResourceKind, ...] = (
    *(ResourceKind(type_, free=True) for type_ in _FREE),
    # Data and credentials
    ResourceKind("gcp:storage/bucket:Bucket", stateful=True, priced_by=price.bucket,
                 role=Role("site", "Cloud Storage site bucket", "diagrams.gcp.storage:GCS", GCP_REGIONAL),
                 replaced_on=forcing.BUCKET, placeholder=shape.gcp_bucket, names=(("name", "gcs-bucket"),)),
    ResourceKind("gcp:secretmanager/secret:Secret", stateful=True, free=True,
                 role=Role("secrets", "Secret Manager", "diagrams.gcp.security:SecretManager", GCP_REGIONAL),
                 replaced_on=forcing.SECRET, placeholder=shape.gcp_secret, names=(("secretId", "gcp-secret"),)),
    ResourceKind("gcp:secretmanager/secretVersion:SecretVersion", stateful=True, priced_by=price.secret_version,
                 replaced_on=forcing.SECRET_VERSION, placeholder=shape.gcp_secret_version, bridge="secret"),
    ResourceKind("gcp:redis/instance:Instance", stateful=True, priced_by=price.redis, cache=True,
                 role=Role("cache", "Memorystore for Redis", "diagrams.gcp.database:Memorystore", GCP_PRIVATE),
                 replaced_on=forcing.REDIS, placeholder=shape.gcp_redis, create_minutes=10,
                 names=(("name", "memorystore-redis"),)),
    ResourceKind("gcp:artifactregistry/repository:Repository", stateful=True, priced_by=price.repository,
                 role=Role("registry", "Artifact Registry", "diagrams.gcp.devtools:GCR", GCP_REGIONAL),
                 replaced_on=forcing.REPOSITORY, names=(("repositoryId", "artifact-repository"),)),
    ResourceKind("gcp:firestore/database:Database", stateful=True, priced_by=price.firestore, database="firestore",
                 role=Role("db", "Firestore (MongoDB compatible)", "diagrams.gcp.database:Firestore", GCP_REGIONAL),
                 replaced_on=forcing.FIRESTORE, placeholder=shape.gcp_firestore, create_minutes=3,
                 names=(("name", "firestore-database"),)),
    # Traffic and compute
    ResourceKind("gcp:cloudrunv2/service:Service", priced_by=price.cloud_run,
                 role=Role("api", "Cloud Run API", "diagrams.gcp.compute:Run", GCP_REGIONAL),
                 replaced_on=forcing.CLOUD_RUN, placeholder=shape.gcp_cloud_run, create_minutes=2),
    ResourceKind("gcp:serviceaccount/account:Account", free=True, replaced_on=forcing.SERVICE_ACCOUNT,
                 placeholder=shape.gcp_service_account, names=(("accountId", "gcp-service-account"),)),
    ResourceKind("gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup", free=True,
                 replaced_on=forcing.NEG),
    ResourceKind("gcp:compute/backendService:BackendService", priced_by=price.backend_service,
                 replaced_on=forcing.NAMED),
    ResourceKind("gcp:compute/backendBucket:BackendBucket", priced_by=price.cdn, replaced_on=forcing.NAMED,
                 role=Role("cdn", "Cloud CDN (backend bucket)", "diagrams.gcp.network:CDN", GCP_EDGE)),
    ResourceKind("gcp:compute/securityPolicy:SecurityPolicy", priced_by=price.armor,
                 role=Role("armor", "Cloud Armor", "diagrams.gcp.network:Armor", GCP_EDGE),
                 replaced_on=forcing.SECURITY_POLICY),
    ResourceKind("gcp:compute/globalForwardingRule:GlobalForwardingRule", priced_by=price.forwarding_rule,
                 role=Role("glb", "Application Load Balancer", "diagrams.gcp.network:LoadBalancing", GCP_EDGE,
                           counted=False),
                 replaced_on=forcing.FORWARDING_RULE, create_minutes=1),
    ResourceKind("gcp:compute/subnetwork:Subnetwork", priced_by=price.subnet, replaced_on=forcing.SUBNETWORK,
                 junction=("api", "nat")),
    ResourceKind("gcp:compute/globalAddress:GlobalAddress", free=True, replaced_on=forcing.GLOBAL_ADDRESS,
                 placeholder=shape.gcp_global_address),
    ResourceKind("gcp:compute/address:Address", priced_by=price.address, replaced_on=forcing.ADDRESS,
                 placeholder=shape.gcp_address),
    ResourceKind("gcp:compute/routerNat:RouterNat", priced_by=price.nat, replaced_on=forcing.ROUTER_NAT,
                 role=Role("nat", "Cloud NAT (fixed egress IP)", "diagrams.gcp.network:NAT", GCP_EGRESS)),
    # Operations
    ResourceKind("gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig", free=True, replaced_on=forcing.UPTIME_CHECK,
                 placeholder=shape.gcp_uptime_check),
    ResourceKind("gcp:monitoring/alertPolicy:AlertPolicy", priced_by=price.alert_policy,
                 role=Role("alarms", "Cloud Monitoring alerts", "diagrams.gcp.operations:Monitoring", GCP_REGIONAL)),
)  # fmt: skip
"""Every gcp-phase type a reader needs a fact about."""

GCP_COMPONENT_ROLES: dict[tuple[str, str | None], Role] = {
    ("nowry:gcp:LogBucket", None): Role("logs", "Cloud Storage log bucket", "diagrams.gcp.storage:GCS", GCP_REGIONAL),
}
"""The log bucket is a bucket like the site's: its component says which it is."""
GCP_ROLE_CARRIERS = ("gcp:storage/bucket:Bucket",)
