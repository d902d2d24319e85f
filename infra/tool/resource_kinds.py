"""What every reader needs to know about a resource type, in one table.

Per type token, one row: whether it holds data or credentials (stateful: the policy's
protection rule, ``migrate``'s data-loss column), how it is priced (a function of
``infra/tool/cost/pricers.py``) or that it costs nothing itself, which input changes make its
provider replace it (the cited rules of ``infra/tool/replacements.py``), which naming rule of
``infra/naming.py`` each physical name it is given follows, the role it plays in the
architecture picture (``infra/tool/diagram.py``: its node, and whether it carries another drawn
resource's wiring or joins two of them), and the shape of the attributes the offline engine
computes for it (``infra/tool/offline_shapes.py``). Adding a resource type is one row. Roles of
generic resources (containers, pods, a bucket) come from the component they belong to (the parent
in their URN), never from their own names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from infra.naming import RULES as NAME_RULES
from infra.tool import offline_shapes as shape
from infra.tool import replacements as forcing
from infra.tool.cost import pricers as price
from infra.tool.engine.plan import owner
from infra.tool.kind_model import ResourceKind, Role
from infra.tool.resource_kinds_gcp import GCP_COMPONENT_ROLES, GCP_KINDS, GCP_ROLE_CARRIERS


def _audit_history(inputs: Mapping[str, Any]) -> bool:
    """A log group named ``.../audit`` holds audit history (DocumentDB's audit log): losing it loses
    evidence."""
    return str(inputs.get("name", "")).endswith("/audit")


EDGE, REGIONAL = "Edge (CloudFront)", "AWS regional services"
PRIVATE, PUBLIC = "VPC private subnets", "VPC public subnets"
_FREE = (
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/flowLog:FlowLog",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:ecs/cluster:Cluster",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "aws:docdb/clusterParameterGroup:ClusterParameterGroup",
    "aws:appautoscaling/target:Target",
    "aws:appautoscaling/policy:Policy",
    "aws:sns/topicSubscription:TopicSubscription",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketObjectv2:BucketObjectv2",
    "mongodbatlas:index/databaseUser:DatabaseUser",
    "mongodbatlas:index/projectIpAccessList:ProjectIpAccessList",
    "mongodbatlas:index/alertConfiguration:AlertConfiguration",
    "pulumi-python:dynamic/railway:Deployment",
    "pulumi-python:dynamic/railway:UsageLimit",
    "pulumi-python:dynamic/cloudfront:Invalidation",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:cloudwatch/logDeliverySource:LogDeliverySource",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    "aws:dms/replicationSubnetGroup:ReplicationSubnetGroup",
    "aws:backup/selection:Selection",
    "aws:ecr/replicationConfiguration:ReplicationConfiguration",
    "aws:kms/alias:Alias",
    "aws:eks/accessEntry:AccessEntry",
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
)
"""Types with no fact but that they cost nothing themselves."""
FREE_PACKAGES = ("random:", "docker:", "kubernetes:", "pulumi:providers:")
"""Packages none of whose types is billed itself (a Docker container, a Kubernetes object)."""

KINDS: dict[str, ResourceKind] = {
    kind.type: kind
    for kind in (
        *(ResourceKind(type_, free=True) for type_ in _FREE),
        # Storage and data
        ResourceKind("aws:s3/bucket:Bucket", stateful=True, priced_by=price.bucket,
                     role=Role("site", "S3 site bucket", "diagrams.aws.storage:S3", REGIONAL),
                     replaced_on=forcing.S3_BUCKET, placeholder=shape.s3_bucket, id_attribute="bucket"),
        ResourceKind("aws:ecr/repository:Repository", stateful=True,
                     priced_by=price.per_gb("ecr_gb_month", "image_storage_gb"),
                     role=Role("registry", "ECR", "diagrams.aws.compute:ECR", REGIONAL),
                     replaced_on=forcing.ECR_REPOSITORY, placeholder=shape.ecr_repository),
        ResourceKind("aws:elasticache/replicationGroup:ReplicationGroup", stateful=True, priced_by=price.cache,
                     role=Role("cache", "ElastiCache", "diagrams.aws.database:ElastiCache", PRIVATE),
                     replaced_on=forcing.REPLICATION_GROUP, placeholder=shape.replication_group, create_minutes=12,
                     names=(("finalSnapshotIdentifier", "elasticache-snapshot"),),
                     cache=True),
        ResourceKind("aws:elasticache/subnetGroup:SubnetGroup", free=True, replaced_on=forcing.CACHE_SUBNET_GROUP),
        ResourceKind("aws:docdb/cluster:Cluster", stateful=True, priced_by=price.docdb_cluster,
                     role=Role("db", "DocumentDB", "diagrams.aws.database:DocumentDB", PRIVATE),
                     replaced_on=forcing.DOCDB_CLUSTER, placeholder=shape.docdb_cluster, create_minutes=10,
                     names=(("clusterIdentifier", "docdb-cluster"), ("finalSnapshotIdentifier", "docdb-snapshot")),
                     database="documentdb"),
        ResourceKind("aws:docdb/clusterInstance:ClusterInstance", stateful=True, priced_by=price.docdb_instance,
                     replaced_on=forcing.DOCDB_INSTANCE, create_minutes=12),
        ResourceKind("aws:docdb/subnetGroup:SubnetGroup", free=True, replaced_on=forcing.DOCDB_SUBNET_GROUP),
        ResourceKind("aws:secretsmanager/secret:Secret", stateful=True, priced_by=price.secret,
                     role=Role("secrets", "Secrets Manager", "diagrams.aws.security:SecretsManager", REGIONAL),
                     replaced_on=forcing.SECRET, placeholder=shape.secret, names=(("namePrefix", "secret-prefix"),)),
        ResourceKind("aws:secretsmanager/secretVersion:SecretVersion", free=True, bridge="secretId"),
        ResourceKind("aws:backup/vault:Vault", stateful=True, priced_by=price.backup_vault,
                     replaced_on=forcing.BACKUP_VAULT,
                     role=Role("backup", "AWS Backup vault", "diagrams.aws.storage:Backup", REGIONAL,
                               follows_region=True)),
        ResourceKind("aws:backup/plan:Plan", free=True, junction=("backup", "backup")),
        ResourceKind("aws:kms/key:Key", stateful=True, priced_by=price.kms_key, replaced_on=forcing.KMS_KEY,
                     role=Role("key", "KMS key", "diagrams.aws.security:KMS", REGIONAL, follows_region=True)),
        ResourceKind("aws:kms/replicaKey:ReplicaKey", stateful=True, priced_by=price.kms_key,
                     replaced_on=forcing.KMS_REPLICA_KEY,
                     role=Role("key", "KMS key (replica)", "diagrams.aws.security:KMS", REGIONAL, follows_region=True)),
        ResourceKind("aws:s3/bucketLogging:BucketLogging", free=True, junction=("site", "logs")),
        ResourceKind("random:index/randomPassword:RandomPassword", stateful=True, free=True,
                     replaced_on=forcing.RANDOM_PASSWORD),
        ResourceKind("mongodbatlas:index/project:Project", stateful=True, free=True, replaced_on=forcing.ATLAS_PROJECT,
                     names=(("name", "atlas-project"),)),
        ResourceKind("mongodbatlas:index/advancedCluster:AdvancedCluster", stateful=True, priced_by=price.atlas,
                     role=Role("db", "MongoDB Atlas", "diagrams.onprem.database:Mongodb", "MongoDB Atlas"),
                     replaced_on=forcing.ATLAS_CLUSTER, names=(("name", "atlas-cluster"),),
                     database="atlas"),
        ResourceKind("upstash:index/redisDatabase:RedisDatabase", stateful=True, priced_by=price.upstash,
                     role=Role("cache", "Upstash Redis", "diagrams.onprem.inmemory:Redis", "Upstash"),
                     replaced_on=forcing.UPSTASH_REDIS, names=(("databaseName", "upstash-database"),),
                     cache=True),
        ResourceKind("docker:index/volume:Volume", stateful=True, free=True, replaced_on=forcing.DOCKER_VOLUME,
                     names=(("name", "docker-object"),)),
        ResourceKind("pulumi-python:dynamic/railway:Project", stateful=True, free=True,
                     placeholder=shape.railway_project),
        # Traffic and compute
        ResourceKind("aws:wafv2/webAcl:WebAcl", priced_by=price.waf,
                     role=Role("waf", "WAF", "diagrams.aws.security:WAF", EDGE)),
        ResourceKind("aws:cloudfront/distribution:Distribution", priced_by=price.cloudfront,
                     role=Role("cdn", "CloudFront", "diagrams.aws.network:CloudFront", EDGE),
                     placeholder=shape.cloudfront_distribution, create_minutes=6),
        ResourceKind("aws:lb/loadBalancer:LoadBalancer", priced_by=price.alb,
                     role=Role("alb", "ALB", "diagrams.aws.network:ALB", PRIVATE), placeholder=shape.load_balancer,
                     create_minutes=3, names=(("name", "alb"),)),
        ResourceKind("aws:lb/listener:Listener", free=True, bridge="loadBalancerArn"),
        ResourceKind("aws:cloudfront/vpcOrigin:VpcOrigin", free=True, create_minutes=10),
        ResourceKind("aws:lb/targetGroup:TargetGroup", free=True, placeholder=shape.target_group,
                     junction=("alb", "api")),
        ResourceKind("aws:cloudfront/originAccessControl:OriginAccessControl", free=True,
                     names=(("name", "cloudfront-oac"),)),
        ResourceKind("aws:cloudfront/function:Function", free=True, names=(("name", "cloudfront-function"),)),
        ResourceKind("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", free=True,
                     names=(("name", "cloudfront-headers-policy"),)),
        ResourceKind("aws:ecs/taskDefinition:TaskDefinition", free=True,
                     names=(("family", "ecs-family"),)),
        ResourceKind("aws:ecs/service:Service", priced_by=price.fargate,
                     role=Role("api", "ECS Fargate API", "diagrams.aws.compute:Fargate", PRIVATE,
                               boundary_when=("networkConfiguration.assignPublicIp", PUBLIC)),
                     create_minutes=5),
        ResourceKind("aws:ec2/natGateway:NatGateway", priced_by=price.nat,
                     role=Role("nat", "NAT gateway", "diagrams.aws.network:NATGateway", PUBLIC), create_minutes=2),
        ResourceKind("aws:ec2/eip:Eip", priced_by=price.eip),
        ResourceKind("aws:iam/role:Role", free=True, placeholder=shape.iam_role),
        ResourceKind("aws:route53/zone:Zone", priced_by=price.route53_zone),
        ResourceKind("aws:eks/cluster:Cluster", priced_by=price.eks, replaced_on=forcing.EKS_CLUSTER,
                     create_minutes=12, names=(("name", "eks-cluster"),)),
        ResourceKind("aws:eks/nodeGroup:NodeGroup", priced_by=price.eks_nodes, replaced_on=forcing.EKS_NODE_GROUP),
        ResourceKind("aws:ec2/launchTemplate:LaunchTemplate", free=True, placeholder=shape.launch_template),
        # Operations
        ResourceKind("aws:cloudwatch/logGroup:LogGroup", priced_by=price.log_group, replaced_on=forcing.LOG_GROUP,
                     placeholder=shape.log_group, names=(("name", "log-group"),),
                     holds_data_when=_audit_history),
        ResourceKind("aws:cloudwatch/metricAlarm:MetricAlarm", priced_by=price.alarm,
                     role=Role("alarms", "CloudWatch alarms", "diagrams.aws.management:Cloudwatch", REGIONAL)),
        ResourceKind("aws:cloudwatch/dashboard:Dashboard", priced_by=price.dashboard,
                     names=(("dashboardName", "dashboard"),)),
        ResourceKind("aws:dms/replicationInstance:ReplicationInstance", priced_by=price.dms_instance,
                     role=Role("dms", "DMS (migrating)", "diagrams.aws.migration:DMS", PRIVATE),
                     placeholder=shape.dms_replication_instance, create_minutes=10),
        ResourceKind("aws:dms/endpoint:Endpoint", free=True, placeholder=shape.dms_endpoint),
        ResourceKind("aws:dms/replicationTask:ReplicationTask", free=True, placeholder=shape.dms_replication_task),
        ResourceKind("aws:dms/certificate:Certificate", free=True, placeholder=shape.dms_certificate),
        ResourceKind("aws:cloudwatch/logDelivery:LogDelivery", priced_by=price.cdn_log_delivery,
                     junction=("cdn", "logs")),
        ResourceKind("aws:sns/topic:Topic", free=True,
                     role=Role("alerts", "SNS alerts", "diagrams.aws.integration:SNS", REGIONAL)),
        # Managed platforms
        ResourceKind("vercel:index/project:Project", priced_by=price.plan_price("vercel"),
                     role=Role("web", "Vercel frontend", "diagrams.programming.framework:React", "Vercel"),
                     names=(("name", "vercel-project"),)),
        ResourceKind("vercel:index/deployment:Deployment", free=True, replaced_on=forcing.VERCEL_DEPLOYMENT),
        ResourceKind("vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable", free=True,
                     bridge="projectId"),
        ResourceKind("pulumi-python:dynamic/railway:Service", priced_by=price.plan_price("railway"),
                     role=Role("api", "Railway backend", "diagrams.programming.framework:Fastapi", "Railway")),
        ResourceKind("pulumi-python:dynamic/railway:Variables", free=True, bridge="service_id"),
        ResourceKind("pulumi-python:dynamic/railway:Domain", free=True, placeholder=shape.railway_domain),
        # Docker and Kubernetes (their packages are free)
        ResourceKind("docker:index/remoteImage:RemoteImage", free=True, placeholder=shape.remote_image),
        ResourceKind("docker:index/container:Container", free=True, names=(("name", "docker-object"),),
                     database="mongo"),
        ResourceKind("docker:index/network:Network", free=True, names=(("name", "docker-object"),)),
        ResourceKind("docker:index/image:Image", free=True, placeholder=shape.docker_image),
        ResourceKind("kubernetes:helm.sh/v3:Release", priced_by=price.helm_release),
        ResourceKind("kubernetes:networking.k8s.io/v1:Ingress", free=True,
                     role=Role("ingress", "Ingress (TLS)", "diagrams.k8s.network:Ingress", "Kubernetes namespace")),
        *GCP_KINDS,
    )
}  # fmt: skip
"""Every resource type a reader needs a fact about; a type not listed has none of them (unless
its package is free: ``FREE_PACKAGES``)."""

COMPONENT_ROLES: dict[tuple[str, str | None], Role] = {
    ("nowry:aws:LogBucket", None): Role("logs", "S3 log bucket", "diagrams.aws.storage:S3", REGIONAL),
    ("nowry:docker:AppContainer", "frontend"): Role(
        "web", "frontend (nginx)", "diagrams.onprem.network:Nginx", "Docker network"
    ),
    ("nowry:docker:AppContainer", "backend"): Role(
        "api", "backend (FastAPI)", "diagrams.programming.framework:Fastapi", "Docker network"
    ),
    ("nowry:docker:MongoDatabase", None): Role(
        "db", "MongoDB 7.0", "diagrams.onprem.database:Mongodb", "Docker network"
    ),
    ("nowry:kubernetes:Workload", "backend"): Role(
        "api", "backend pods", "diagrams.k8s.compute:Deployment", "Kubernetes namespace"
    ),
    ("nowry:kubernetes:Observability", None): Role(
        "monitoring",
        "monitoring (Helm)",
        "diagrams.onprem.monitoring:Prometheus",
        "Kubernetes namespace",
    ),
    ("nowry:kubernetes:Workload", "frontend"): Role(
        "web", "frontend pods (nginx)", "diagrams.k8s.compute:Deployment", "Kubernetes namespace"
    ),
    **GCP_COMPONENT_ROLES,
}
"""Roles of the generic resources (containers, deployments, a bucket) by the component that owns
them: its type, and its name where one component type serves several roles (None: any name). The
component's role comes before the type's own (the log bucket is drawn as logs, not as a site)."""
ROLE_CARRIERS = (
    "docker:index/container:Container",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:helm.sh/v3:Release",
    "aws:s3/bucket:Bucket",
    *GCP_ROLE_CARRIERS,
)
"""The resource of such a component that is drawn for it (its image, volume or Service is not)."""

STATEFUL_COMPONENTS = ("nowry:docker:MongoDatabase",)
"""Components whose every resource holds data (the local database's container and volume)."""
TRANSIENT_COMPONENTS = ("nowry:aws:DataMigration",)
"""Components that hold only copies, for a while: the data migration's copy of the source's
credentials goes when the migration is done, and losing it loses nothing."""

STATEFUL_TYPES: tuple[str, ...] = tuple(t for t, k in KINDS.items() if k.stateful)


def kind(type_: str) -> ResourceKind:
    """The row of a type; an unlisted type has no facts, except being free in a free package."""
    return KINDS.get(type_) or ResourceKind(type_, free=type_.startswith(FREE_PACKAGES))


def component_role(type_: str, parent_urn: str | None) -> Role | None:
    """The role of the drawn resource of a component listed in ``COMPONENT_ROLES``."""
    found = owner(parent_urn)
    if found is None or type_ not in ROLE_CARRIERS:
        return None
    component, name = found
    return COMPONENT_ROLES.get((component, name)) or COMPONENT_ROLES.get((component, None))


def role(type_: str, parent_urn: str | None) -> Role | None:
    """The role a resource plays in the picture: its component's (``COMPONENT_ROLES``), else its type's."""
    return component_role(type_, parent_urn) or kind(type_).role


def is_stateful(type_: str, parent_urn: str | None = None) -> bool:
    """Holds data or credentials: by its type, or by the component it belongs to."""
    found = owner(parent_urn)
    return _stateful(type_, [found[0]] if found is not None else [])


def is_stateful_urn(urn: str) -> bool:
    """``is_stateful`` from a resource's URN alone: its type and its parents' types are in it."""
    chain = urn.split("::")[2].split("$") if urn.count("::") >= 3 else []
    return bool(chain) and _stateful(chain[-1], chain[:-1])


def holds_data(type_: str, parent_urn: str | None, inputs: Mapping[str, Any]) -> bool:
    """Losing this resource loses data: it is stateful, or its inputs say it holds data."""
    when = kind(type_).holds_data_when
    return is_stateful(type_, parent_urn) or (when is not None and when(inputs))


def _stateful(type_: str, components: list[str]) -> bool:
    """A transient component's resources hold only copies; a stateful component's all hold data."""
    if any(c in TRANSIENT_COMPONENTS for c in components):
        return False
    return kind(type_).stateful or any(c in STATEFUL_COMPONENTS for c in components)


def name_problems(resources: Iterable[tuple[str, str, Mapping[str, Any]]]) -> list[str]:
    """For (type, logical name, inputs) of planned resources: every physical name the program set
    that its service would refuse, as ``logical name: input 'value': problems``."""
    found = []
    for type_, logical, inputs in resources:
        for key, rule in kind(type_).names:
            value = inputs.get(key)
            if not isinstance(value, str) or value.startswith("["):
                continue  # unset, or unknown/secret until deployment
            checked = value.rstrip("-") if rule == "secret-prefix" else value  # a prefix ends in "-" on purpose
            problems = NAME_RULES[rule].problems(checked)
            if problems:
                found.append(f"{logical}: {key} {value!r}: {'; '.join(problems)}")
    return found


def replaced_inputs(type_: str, old: dict[str, Any], new: dict[str, Any]) -> tuple[str, ...]:
    """The inputs whose change (old -> new) makes the provider replace a ``type_`` resource."""
    return kind(type_).replaced_inputs(old, new)


def cascade(
    replaced: set[str], dependencies: dict[str, tuple[str, dict[str, tuple[str, ...]]]]
) -> dict[str, tuple[str, ...]]:
    """Resources replaced because a forcing input takes its value from a replaced resource (a
    subnet group's name, a project's id), even when the planned value looks the same.

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
            forcing_inputs = {r.input for r in kind(type_).replaced_on}
            carried = tuple(sorted(k for k, urns in sources.items() if k in forcing_inputs and set(urns) & replaced))
            if carried:
                found[urn] = carried
                replaced.add(urn)
                changed = True
    return found
