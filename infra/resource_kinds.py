"""What every reader needs to know about a resource type, in one table.

Per type token: whether it holds data or credentials (stateful: the policy's protection
rule, ``migrate``'s data-loss column), whether it costs nothing itself (the estimate's $0
lines), and the role it plays in the architecture picture. Which inputs force a replacement
is in ``infra/replacements.py`` (with each provider source); how a priced type is priced is
in ``infra/cost/estimate.py``. Roles of containers and pods come from the component they
belong to (the parent in their URN), never from their own names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    """How a resource appears in the picture: one node per role."""

    key: str
    label: str
    icon: str
    """``module:Class`` of the diagrams package."""
    boundary: str


@dataclass(frozen=True)
class ResourceKind:
    type: str
    stateful: bool = False
    """Holds data or credentials: deleting or replacing one loses something."""
    free: bool = False
    """Costs nothing itself (its traffic or storage is priced elsewhere)."""
    role: Role | None = None


EDGE, REGIONAL = "Edge (CloudFront)", "AWS regional services"
PRIVATE, PUBLIC = "VPC private subnets", "VPC public subnets"
_FREE = (
    "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/routeTable:RouteTable", "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/vpcEndpoint:VpcEndpoint", "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "aws:ec2/flowLog:FlowLog",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:ecs/cluster:Cluster", "aws:ecs/taskDefinition:TaskDefinition", "aws:lb/targetGroup:TargetGroup",
    "aws:lb/listener:Listener", "aws:ecr/lifecyclePolicy:LifecyclePolicy", "aws:elasticache/subnetGroup:SubnetGroup",
    "aws:docdb/subnetGroup:SubnetGroup", "aws:docdb/clusterParameterGroup:ClusterParameterGroup",
    "aws:secretsmanager/secretVersion:SecretVersion", "aws:appautoscaling/target:Target",
    "aws:appautoscaling/policy:Policy", "aws:cloudfront/originAccessControl:OriginAccessControl",
    "aws:sns/topicSubscription:TopicSubscription", "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
    "aws:cloudfront/vpcOrigin:VpcOrigin", "aws:cloudfront/function:Function",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketObjectv2:BucketObjectv2",
    "mongodbatlas:index/databaseUser:DatabaseUser", "mongodbatlas:index/projectIpAccessList:ProjectIpAccessList",
    "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable", "vercel:index/deployment:Deployment",
    "pulumi-python:dynamic/railway:Variables", "pulumi-python:dynamic/railway:Domain",
    "pulumi-python:dynamic/railway:Deployment", "pulumi-python:dynamic/cloudfront:Invalidation",
)  # fmt: skip

KINDS: dict[str, ResourceKind] = {
    kind.type: kind
    for kind in (
        *(ResourceKind(type_, free=True) for type_ in _FREE),
        ResourceKind("aws:s3/bucket:Bucket", stateful=True,
                     role=Role("site", "S3 site bucket", "diagrams.aws.storage:S3", REGIONAL)),
        ResourceKind("aws:ecr/repository:Repository", stateful=True,
                     role=Role("registry", "ECR", "diagrams.aws.compute:ECR", REGIONAL)),
        ResourceKind("aws:elasticache/replicationGroup:ReplicationGroup", stateful=True,
                     role=Role("cache", "ElastiCache", "diagrams.aws.database:ElastiCache", PRIVATE)),
        ResourceKind("aws:docdb/cluster:Cluster", stateful=True,
                     role=Role("db", "DocumentDB", "diagrams.aws.database:DocumentDB", PRIVATE)),
        ResourceKind("aws:docdb/clusterInstance:ClusterInstance", stateful=True),
        ResourceKind("aws:secretsmanager/secret:Secret", stateful=True,
                     role=Role("secrets", "Secrets Manager", "diagrams.aws.security:SecretsManager", REGIONAL)),
        ResourceKind("random:index/randomPassword:RandomPassword", stateful=True),
        ResourceKind("mongodbatlas:index/project:Project", stateful=True, free=True),
        ResourceKind("mongodbatlas:index/advancedCluster:AdvancedCluster", stateful=True,
                     role=Role("db", "MongoDB Atlas", "diagrams.onprem.database:Mongodb", "MongoDB Atlas")),
        ResourceKind("upstash:index/redisDatabase:RedisDatabase", stateful=True,
                     role=Role("cache", "Upstash Redis", "diagrams.onprem.inmemory:Redis", "Upstash")),
        ResourceKind("docker:index/volume:Volume", stateful=True),
        ResourceKind("pulumi-python:dynamic/railway:Project", stateful=True, free=True),
        ResourceKind("aws:wafv2/webAcl:WebAcl", role=Role("waf", "WAF", "diagrams.aws.security:WAF", EDGE)),
        ResourceKind("aws:cloudfront/distribution:Distribution",
                     role=Role("cdn", "CloudFront", "diagrams.aws.network:CloudFront", EDGE)),
        ResourceKind("aws:lb/loadBalancer:LoadBalancer", role=Role("alb", "ALB", "diagrams.aws.network:ALB", PRIVATE)),
        ResourceKind("aws:ecs/service:Service",
                     role=Role("api", "ECS Fargate API", "diagrams.aws.compute:Fargate", PRIVATE)),
        ResourceKind("aws:ec2/natGateway:NatGateway",
                     role=Role("nat", "NAT gateway", "diagrams.aws.network:NATGateway", PUBLIC)),
        ResourceKind("aws:cloudwatch/metricAlarm:MetricAlarm",
                     role=Role("alarms", "CloudWatch alarms", "diagrams.aws.management:Cloudwatch", REGIONAL)),
        ResourceKind("aws:sns/topic:Topic", free=True,
                     role=Role("alerts", "SNS alerts", "diagrams.aws.integration:SNS", REGIONAL)),
        ResourceKind("vercel:index/project:Project",
                     role=Role("web", "Vercel frontend", "diagrams.programming.framework:React", "Vercel")),
        ResourceKind("pulumi-python:dynamic/railway:Service",
                     role=Role("api", "Railway backend", "diagrams.programming.framework:Fastapi", "Railway")),
        ResourceKind("kubernetes:networking.k8s.io/v1:Ingress",
                     role=Role("ingress", "Ingress (TLS)", "diagrams.k8s.network:Ingress", "Kubernetes namespace")),
    )
}  # fmt: skip
"""Every resource type a reader needs a fact about; a type not listed has none of them."""

COMPONENT_ROLES: dict[tuple[str, str | None], Role] = {
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
    ("nowry:kubernetes:Workload", "frontend"): Role(
        "web", "frontend pods (nginx)", "diagrams.k8s.compute:Deployment", "Kubernetes namespace"
    ),
}
"""Roles of the generic resources (containers, deployments) by the component that owns them:
its type, and its name where one component type serves several roles (None: any name)."""
ROLE_CARRIERS = ("docker:index/container:Container", "kubernetes:apps/v1:Deployment")
"""The resource of such a component that is drawn for it (its image, volume or Service is not)."""

STATEFUL_COMPONENTS = ("nowry:docker:MongoDatabase",)
"""Components whose every resource holds data (the local database's container and volume)."""

STATEFUL_TYPES: tuple[str, ...] = tuple(t for t, k in KINDS.items() if k.stateful)
FREE_TYPES: frozenset[str] = frozenset(t for t, k in KINDS.items() if k.free)


def kind(type_: str) -> ResourceKind:
    return KINDS.get(type_) or ResourceKind(type_)


def owner(parent_urn: str | None) -> tuple[str, str] | None:
    """(component type, component name) of the component a resource belongs to."""
    if not parent_urn:
        return None
    qualified, _, name = parent_urn.rpartition("::")
    return qualified.rsplit("::", 1)[-1].rsplit("$", 1)[-1], name


def component_role(type_: str, parent_urn: str | None) -> Role | None:
    """The role of the drawn resource of a component listed in ``COMPONENT_ROLES``."""
    found = owner(parent_urn)
    if found is None or type_ not in ROLE_CARRIERS:
        return None
    component, name = found
    return COMPONENT_ROLES.get((component, name)) or COMPONENT_ROLES.get((component, None))


def is_stateful(type_: str, parent_urn: str | None = None) -> bool:
    """Holds data or credentials: by its type, or by the component it belongs to."""
    found = owner(parent_urn)
    return kind(type_).stateful or (found is not None and found[0] in STATEFUL_COMPONENTS)
