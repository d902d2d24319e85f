"""EksCluster: an EKS control plane and a managed node group, from pulumi_aws resources."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws.policy_documents import assume_role_policy
from infra.naming import physical_name

CLUSTER_POLICIES = ("arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",)
NODE_POLICIES = (
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
)


CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
CONTROL_PLANE_LOGS = ("api", "audit", "authenticator", "controllerManager", "scheduler")
"""Every control-plane log type EKS offers (EKS API ``LogSetup``: the ``LogType`` enum); turning
one on or off is an update in place (terraform-provider-aws ``eks/cluster.go``: ``Logging`` in
``UpdateClusterConfig``)."""


NODE_METADATA_HOPS = 1
"""The instance metadata's response hop limit on the nodes: 1 keeps pods (one hop further, behind
the node's network namespace) from reaching IMDS and the node role's credentials, while aws-node
and kube-proxy, on the host network, still reach it (EKS Best Practices Guide, Security, "Restrict
access to the instance profile assigned to the worker node"; Checkov CKV_AWS_341). An add-on that
reads IMDS from a pod gets its credentials through EKS Pod Identity or IRSA instead."""


@dataclass(frozen=True, kw_only=True)
class EksClusterArgs:
    private_subnet_ids: Sequence[pulumi.Input[str]]
    public_subnet_ids: Sequence[pulumi.Input[str]]
    region: str
    version: str
    instance_type: str
    nodes: int
    max_nodes: int
    vpc_id: pulumi.Input[str]
    api_cidrs: Sequence[str]
    """Who may reach the API's public endpoint; empty: the public endpoint is off, and the API is
    reached only through its private endpoint, from inside the VPC."""
    admin_role_arns: Sequence[str] = ()
    """IAM roles given cluster-admin access entries (the deploy role, when it did not create the
    cluster: the creator is an admin by ``bootstrapClusterCreatorAdminPermissions``)."""
    log_retention_days: int
    kms_key_arn: pulumi.Input[str]
    """The stack's KMS key: envelope-encrypts the cluster's Kubernetes Secrets and encrypts the
    control plane's log group. Its policy must let ``cluster_role`` use it (``StackKey``)."""


class EksCluster(pulumi.ComponentResource):
    """A Kubernetes cluster on EKS (built from pulumi_aws, not the remote ``eks`` component).

    Builds: a cluster role and a node role (each trusting only its AWS service, with AWS's
    managed EKS policies), a log group for the control plane's logs (the stack's retention and
    key), the cluster (Kubernetes Secrets envelope-encrypted with the stack's customer-managed
    key, every control-plane log type on, access entries for authentication), a managed node
    group of Graviton nodes in the private subnets (they need the VPC's NAT for egress) launched
    from a template that requires IMDSv2, a security group whose members (the deploy's runner in
    the VPC) reach the private API on 443, cluster-admin access entries for ``admin_role_arns``,
    and a kubeconfig that authenticates with ``aws eks get-token``.
    Secure defaults: Secrets encrypted with the stack's key (adding the encryption to a running
    cluster is an update in place; it can never be removed: terraform-provider-aws
    ``internal/service/eks/cluster.go`` replaces the cluster if it is); all five control-plane
    logs (``CONTROL_PLANE_LOGS``); the API's private endpoint on and its public one off unless
    ``api_cidrs`` lists who may use it; nodes in private subnets, with IMDSv2 required and a
    hop limit of 1 (``NODE_METADATA_HOPS``); roles trust only eks.amazonaws.com /
    ec2.amazonaws.com.
    Cost: $0.10/hour for the control plane ($73/month); its logs at $0.50 per GB ingested plus
    $0.03 per GB-month kept (about $8.60/month at 10 GB a month kept a year; the audit log is most
    of it); plus the nodes: 2 x t4g.medium at $0.0336/hour is about $49.06/month on demand, and
    their 20 GB root volumes $3.20/month.
    """

    cluster: aws.eks.Cluster
    cluster_role: aws.iam.Role
    """The role the control plane runs as; the stack key's policy names it."""
    api_clients: aws.ec2.SecurityGroup
    """The group whose members reach the private API on 443 (the deploy's in-VPC runner)."""
    kubeconfig: pulumi.Output[str]

    def __init__(self, name: str, args: EksClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:aws:EksCluster", name, None, opts)
        self._name, self._args = name, args
        self._child = pulumi.ResourceOptions(parent=self)
        self.cluster_role = self._role(f"{name}-cluster-role", "eks.amazonaws.com", CLUSTER_POLICIES)
        cluster_name = physical_name("eks-cluster", name, pulumi.get_stack())
        api = self._api_security_groups()
        self.cluster = self._cluster(cluster_name, self._control_plane_logs(cluster_name), api)
        self._nodes(self._role(f"{name}-node-role", "ec2.amazonaws.com", NODE_POLICIES))
        self._admins()
        self.kubeconfig = pulumi.Output.all(
            self.cluster.name, self.cluster.endpoint, self.cluster.certificate_authority
        ).apply(lambda parts: _kubeconfig(parts[0], parts[1], (parts[2] or {}).get("data", ""), args.region))
        self.register_outputs({"clusterName": self.cluster.name})

    def _control_plane_logs(self, cluster_name: str) -> aws.cloudwatch.LogGroup:
        """The group EKS writes to (``/aws/eks/<cluster>/cluster``), made first with the stack's
        retention and key: left to EKS, it would never expire its logs."""
        return aws.cloudwatch.LogGroup(
            f"{self._name}-control-plane-logs",
            name=f"/aws/eks/{cluster_name}/cluster",
            retention_in_days=self._args.log_retention_days,
            kms_key_id=self._args.kms_key_arn,
            opts=self._child,
        )

    def _api_security_groups(self) -> aws.ec2.SecurityGroup:
        """Who reaches the private API from inside the VPC: anything in ``api_clients`` (the
        deploy's runner), on 443, through a group EKS adds to the control plane's network
        interfaces beside its own cluster security group (which admits only the cluster itself).
        Adding the group to a running cluster is an update in place (terraform-provider-aws
        ``eks/cluster.go``: ``vpc_config.0.security_group_ids`` in ``UpdateClusterConfig``)."""
        name, vpc_id, child = self._name, self._args.vpc_id, self._child
        api = aws.ec2.SecurityGroup(
            f"{name}-api", vpc_id=vpc_id, description="EKS control plane: the private API for its VPC clients",
            opts=child,
        )  # fmt: skip
        self.api_clients = aws.ec2.SecurityGroup(
            f"{name}-api-clients", vpc_id=vpc_id, description="Clients of the private Kubernetes API (deploy runner)",
            opts=child,
        )  # fmt: skip
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-api-from-clients", security_group_id=api.id, ip_protocol="tcp", from_port=443, to_port=443,
            referenced_security_group_id=self.api_clients.id, description="The Kubernetes API from its VPC clients",
            opts=child,
        )  # fmt: skip
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-api-clients-https-out", security_group_id=self.api_clients.id, ip_protocol="tcp",
            from_port=443, to_port=443, cidr_ipv4="0.0.0.0/0",
            description="HTTPS: the Kubernetes API, AWS APIs, GitHub and Pulumi Cloud (through the NAT)", opts=child,
        )  # fmt: skip
        return api

    def _admins(self) -> None:
        """Cluster-admin access entries for ``admin_role_arns`` (EKS access policy
        AmazonEKSClusterAdminPolicy, cluster scope), named after each role."""
        for arn in self._args.admin_role_arns:
            role = arn.rsplit("/", 1)[-1]
            entry = aws.eks.AccessEntry(
                f"{self._name}-admin-{role}", cluster_name=self.cluster.name, principal_arn=arn, type="STANDARD",
                opts=self._child,
            )  # fmt: skip
            aws.eks.AccessPolicyAssociation(
                f"{self._name}-admin-{role}-policy",
                cluster_name=self.cluster.name,
                principal_arn=entry.principal_arn,
                policy_arn=CLUSTER_ADMIN_POLICY,
                access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
                opts=self._child,
            )

    def _cluster(self, cluster_name: str, logs: aws.cloudwatch.LogGroup, api: aws.ec2.SecurityGroup) -> aws.eks.Cluster:
        args = self._args
        return aws.eks.Cluster(
            f"{self._name}-cluster",
            name=cluster_name,
            role_arn=self.cluster_role.arn,
            version=args.version,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=[*args.private_subnet_ids, *args.public_subnet_ids],
                security_group_ids=[api.id],
                **_endpoints(args.api_cidrs),
            ),
            access_config=aws.eks.ClusterAccessConfigArgs(
                authentication_mode="API", bootstrap_cluster_creator_admin_permissions=True
            ),
            encryption_config=aws.eks.ClusterEncryptionConfigArgs(
                resources=["secrets"],
                provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=args.kms_key_arn),
            ),
            enabled_cluster_log_types=list(CONTROL_PLANE_LOGS),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[logs]),
        )

    def _nodes(self, node_role: aws.iam.Role) -> aws.eks.NodeGroup:
        """Managed nodes in the private subnets, launched from a template that requires IMDSv2.

        The template sets only the metadata options: the subnets, instance types and instance
        profile stay the node group's, and with no security groups of its own EKS still attaches
        the cluster security group (Amazon EKS user guide, "Customize managed nodes with launch
        templates").
        """
        args = self._args
        template = aws.ec2.LaunchTemplate(
            f"{self._name}-node-template",
            description="Nowry EKS nodes: instance metadata through IMDSv2 only, one hop",
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=NODE_METADATA_HOPS
            ),
            opts=self._child,
        )
        return aws.eks.NodeGroup(
            f"{self._name}-nodes",
            cluster_name=self.cluster.name,
            node_role_arn=node_role.arn,
            subnet_ids=list(args.private_subnet_ids),
            instance_types=[args.instance_type],
            ami_type="AL2023_ARM_64_STANDARD" if "g." in args.instance_type else "AL2023_x86_64_STANDARD",
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(
                id=template.id, version=template.latest_version.apply(str)
            ),
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                desired_size=args.nodes, min_size=args.nodes, max_size=args.max_nodes
            ),
            opts=self._child,
        )

    def _role(self, name: str, service: str, policies: Sequence[str]) -> aws.iam.Role:
        role = aws.iam.Role(
            name, assume_role_policy=assume_role_policy(service), opts=pulumi.ResourceOptions(parent=self)
        )
        for index, policy in enumerate(policies):
            aws.iam.RolePolicyAttachment(
                f"{name}-policy-{index}", role=role.name, policy_arn=policy, opts=pulumi.ResourceOptions(parent=self)
            )
        return role


def _endpoints(api_cidrs: Sequence[str]) -> dict[str, Any]:
    """The API endpoint decision: the private endpoint always (nodes and in-VPC clients reach the
    API without leaving the VPC); the public one only when ``api_cidrs`` names who may use it.

    EKS answers an unset ``publicAccessCidrs`` with 0.0.0.0/0 (EKS API ``VpcConfigRequest``), so a
    public endpoint always gets its list. Turning it on or off, or changing the list, is an update
    in place (terraform-provider-aws ``internal/service/eks/cluster.go``: one ``UpdateClusterConfig``).
    """
    if not api_cidrs:
        return {"endpoint_private_access": True, "endpoint_public_access": False}
    return {"endpoint_private_access": True, "endpoint_public_access": True, "public_access_cidrs": list(api_cidrs)}


def _kubeconfig(name: str, endpoint: str, ca_data: str, region: str) -> str:
    user = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": "aws",
            "args": ["eks", "get-token", "--cluster-name", name, "--region", region],
        }
    }
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": name, "cluster": {"server": endpoint, "certificate-authority-data": ca_data}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
            "current-context": name,
            "users": [{"name": name, "user": user}],
        }
    )
