"""The kubernetes phase's own EKS cluster (`nowry:kubernetes.cluster: eks`): the API endpoint
decision, Secrets encrypted with the stack's key, every control-plane log, IMDSv2 nodes."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from infra.tool.cli import app
from infra.tool.engine.runner import plan_stack
from infra.tool.offline_shapes import ACCOUNT
from tests.conftest import PROJECT_DIR

EKS = ("nowry:kubernetes.cluster=eks", "nowry:aws.nat=single")
CLUSTER = "aws:eks/cluster:Cluster"
runner = CliRunner()


def eks_plan(*overrides: str):
    return plan_stack(PROJECT_DIR, "k8s", [*EKS, *overrides])


def refused(*overrides: str) -> str:
    """The config problem lines of a plan of the EKS variant that must exit 2."""
    args = ["plan", "k8s", "--project-dir", str(PROJECT_DIR)]
    for override in (*EKS, *overrides):
        args += ["--set", override]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.stderr


# --- the API endpoint ---------------------------------------------------------------------------


def test_the_api_is_private_by_default():
    vpc = eks_plan().one(CLUSTER).inputs["vpcConfig"]
    assert vpc["endpointPrivateAccess"] is True and vpc["endpointPublicAccess"] is False
    assert "publicAccessCidrs" not in vpc  # EKS would answer an unset list with 0.0.0.0/0


def test_listed_blocks_open_the_public_endpoint_to_them_only():
    vpc = eks_plan("nowry:kubernetes.apiCidrs=[203.0.113.7/32, 198.51.100.0/24]").one(CLUSTER).inputs["vpcConfig"]
    assert vpc["endpointPrivateAccess"] is True and vpc["endpointPublicAccess"] is True
    assert vpc["publicAccessCidrs"] == ["203.0.113.7/32", "198.51.100.0/24"]


@pytest.mark.parametrize(
    ("override", "line"),
    [
        (
            "nowry:kubernetes.apiAllowedCidrs=[203.0.113.7/32]",
            "nowry:kubernetes.apiAllowedCidrs: was renamed to nowry:kubernetes.apiCidrs: its default is no public "
            "endpoint now ([]), where apiAllowedCidrs defaulted to 0.0.0.0/0; list the blocks that must reach the "
            "public endpoint, or none (given: ['203.0.113.7/32']); allowed: nowry:kubernetes.apiCidrs",
        ),
        (
            "nowry:kubernetes.apiCidrs=[2001:db8::/32]",
            "nowry:kubernetes.apiCidrs: '2001:db8::/32' is not an IPv4 CIDR block such as 203.0.113.0/24 "
            "(given: ['2001:db8::/32'])",
        ),
        (
            "nowry:kubernetes.apiCidrs=[203.0.113.7]",
            "nowry:kubernetes.apiCidrs: '203.0.113.7' is not an IPv4 CIDR block such as 203.0.113.0/24",
        ),
        (
            "nowry:kubernetes.apiCidrs=[" + ", ".join(f"203.0.113.{i}/32" for i in range(41)) + "]",
            "nowry:kubernetes.apiCidrs: List should have at most 40 items after validation, not 41",
        ),
        (
            "nowry:kubernetes.apiCidrs=[0.0.0.0/0]",
            "nowry:kubernetes.apiCidrs: opens the EKS API's public endpoint to every address on a production "
            "stack (given: ['0.0.0.0/0']); allowed: the blocks of the people and runners that need it, [] for the "
            "private endpoint only, or the finding eks-endpoint-cidrs-limited accepted in nowry:policy.accept "
            "with its reason",
        ),
    ],
    ids=["renamed-key", "ipv6", "no-prefix", "over-quota", "open-in-production"],
)
def test_bad_endpoint_settings_exit_2_with_the_key_the_value_and_what_is_allowed(override, line):
    assert line in refused("nowry:production=true", override)


# --- Kubernetes Secrets, envelope-encrypted with the stack's key ------------------------------------


@pytest.fixture(scope="module")
def eks():
    return eks_plan()


def statements(key) -> dict[str, dict]:
    return {s["Sid"]: s for s in json.loads(key.inputs["policy"])["Statement"]}


def test_secrets_are_encrypted_with_the_stacks_own_key(eks):
    key = eks.one("aws:kms/key:Key", "stack-key")
    config = eks.one(CLUSTER).inputs["encryptionConfig"]
    assert config == {
        "resources": ["secrets"],
        "provider": {"keyArn": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/stack-key-offline"},
    }
    assert key.urn in eks.one(CLUSTER).property_dependencies["encryptionConfig"]
    assert key.inputs["enableKeyRotation"] is True


def test_the_key_lets_exactly_the_cluster_role_use_it_for_secrets(eks):
    """The cluster role encrypts, decrypts, describes and lists grants (EKS_SECRETS); nothing else
    gains use of the key, and the creator's CreateGrant comes from the administration statement,
    which has no kms:GrantIsForAWSResource (Amazon EKS user guide: not supported for CreateCluster)."""
    key, role = eks.one("aws:kms/key:Key", "stack-key"), eks.one("aws:iam/role:Role", "eks-cluster-role")
    found = statements(key)
    assert found["EksClusterRoleEncryptsKubernetesSecrets"] == {
        "Sid": "EksClusterRoleEncryptsKubernetesSecrets",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/eks-cluster-role-offline"},
        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:ListGrants"],
        "Resource": "*",
    }
    assert role.urn in key.dependencies  # the role exists before the key policy names it
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "eks.amazonaws.com"}]
    administration = found["AccountAdministersTheKey"]
    assert {"kms:Create*", "kms:Describe*"} <= set(administration["Action"]) and "Condition" not in administration
    shipped = statements(plan_stack(PROJECT_DIR, "prod").one("aws:kms/key:Key", "stack-key"))
    assert set(found) - set(shipped) == {"EksClusterRoleEncryptsKubernetesSecrets"}
    assert all(found[sid] == shipped[sid] for sid in shipped)


def test_the_key_policy_names_the_cluster_role_only_when_asked():
    from components.aws.stack_key import key_policy

    plain = json.loads(key_policy("us-east-1", "123456789012"))["Statement"]
    role = "arn:aws:iam::123456789012:role/eks"
    with_eks = json.loads(key_policy("us-east-1", "123456789012", role))["Statement"]
    assert with_eks[:-1] == plain
    assert with_eks[-1]["Principal"] == {"AWS": role} and "kms:CreateGrant" not in with_eks[-1]["Action"]


# --- every control-plane log, kept and priced -----------------------------------------------------


def test_every_control_plane_log_type_is_on_and_kept_a_year_in_production():
    plan = eks_plan("nowry:production=true")
    cluster = plan.one(CLUSTER)
    assert cluster.inputs["enabledClusterLogTypes"] == [
        "api",
        "audit",
        "authenticator",
        "controllerManager",
        "scheduler",
    ]
    logs = plan.one("aws:cloudwatch/logGroup:LogGroup", "eks-control-plane-logs")
    assert logs.inputs["name"] == f"/aws/eks/{cluster.inputs['name']}/cluster"  # where EKS writes them
    assert logs.inputs["retentionInDays"] == 365
    assert logs.urn in cluster.dependencies  # made, with its retention and key, before EKS writes to it


def test_the_bill_prices_the_control_plane_logs_at_the_retention_kept():
    """10 GB a month (usage.controlPlaneLogGb) x $0.50 ingested, plus 10 GB x 12 months held x $0.03."""
    from infra.tool.cost.estimate import estimate

    production = {i.name: i for i in estimate(eks_plan("nowry:production=true")).line_items}
    line = production["eks-control-plane-logs"]
    assert line.monthly == pytest.approx(10 * 0.50 + 120 * 0.03)  # $8.60
    assert line.basis == (
        "EKS control plane (usage.controlPlaneLogGb): 10 GB ingested x $0.5 + 120 GB held (365 days) x $0.03/GB-month"
    )
    measured = {
        i.name: i for i in estimate(eks_plan("nowry:production=true", "nowry:usage.controlPlaneLogGb=40")).line_items
    }
    assert measured["eks-control-plane-logs"].monthly == pytest.approx(40 * 0.50 + 480 * 0.03)
    scratch = {i.name: i for i in estimate(eks_plan("nowry:production=false")).line_items}
    assert scratch["eks-control-plane-logs"].monthly == pytest.approx(10 * 0.50 + 10 * 30 / (365 / 12) * 0.03)
    assert scratch["network-flow-logs"].basis.startswith("0.2 GB ingested")  # other groups: usage.otherLogGb


# --- nodes: IMDSv2 only, one hop, private subnets ----------------------------------------------------


def test_nodes_launch_from_a_template_that_requires_imdsv2_with_one_hop(eks):
    template = eks.one("aws:ec2/launchTemplate:LaunchTemplate", "eks-node-template")
    assert template.inputs["metadataOptions"] == {
        "httpEndpoint": "enabled",
        "httpTokens": "required",
        "httpPutResponseHopLimit": 1,
    }
    # only the metadata options: no subnet, instance profile, instance type or security group of its own
    assert set(template.inputs) == {"description", "metadataOptions"}
    nodes = eks.one("aws:eks/nodeGroup:NodeGroup")
    assert nodes.inputs["launchTemplate"] == {"id": "eks-node-template-offline-id", "version": "1"}
    assert template.urn in nodes.property_dependencies["launchTemplate"]
    assert "remoteAccess" not in nodes.inputs and "diskSize" not in nodes.inputs  # both conflict with a template


def test_nodes_run_in_the_private_subnets_only(eks):
    nodes = eks.one("aws:eks/nodeGroup:NodeGroup")
    sources = {eks.by_urn(urn).name for urn in nodes.property_dependencies["subnetIds"]}
    assert sources == {"network-private-0", "network-private-1"}


# --- production by default -------------------------------------------------------------------------


def test_the_shipped_k8s_stack_states_production_and_protects_what_it_keeps():
    k8s = plan_stack(PROJECT_DIR, "k8s")
    assert k8s.config is not None
    assert (k8s.config.production, k8s.config.production_reason) == (True, "nowry:production is true in the stack file")
    assert k8s.one("random:index/randomPassword:RandomPassword").protect is True


def test_an_eks_stack_that_does_not_say_is_production_and_keeps_its_key():
    plan = eks_plan("nowry:production=null")
    assert plan.config is not None and plan.config.production is True
    assert plan.config.production_reason.startswith("the kubernetes phase serves the most users (50K+)")
    assert plan.one("aws:kms/key:Key", "stack-key").protect is True
    assert plan.one("aws:cloudwatch/logGroup:LogGroup", "eks-control-plane-logs").inputs["retentionInDays"] == 365


# --- what the deploy's runner in the VPC needs ---------------------------------------------------------


def test_only_the_api_clients_group_reaches_the_private_api_on_443(eks):
    cluster = eks.one(CLUSTER)
    api, clients = (
        eks.one("aws:ec2/securityGroup:SecurityGroup", "eks-api"),
        eks.one("aws:ec2/securityGroup:SecurityGroup", "eks-api-clients"),
    )
    assert cluster.inputs["vpcConfig"]["securityGroupIds"] == ["eks-api-offline-id"]
    assert api.urn in cluster.property_dependencies["vpcConfig"]
    ingress = [
        r for r in eks.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") if r.name.startswith("eks-")
    ]
    assert [(r.name, r.inputs["fromPort"], r.inputs["toPort"]) for r in ingress] == [("eks-api-from-clients", 443, 443)]
    assert ingress[0].property_dependencies["securityGroupId"] == (api.urn,)
    assert ingress[0].property_dependencies["referencedSecurityGroupId"] == (clients.urn,)
    assert "cidrIpv4" not in ingress[0].inputs
    outputs = eks.outputs
    assert outputs["apiClientSecurityGroupId"] == "eks-api-clients-offline-id"
    assert outputs["privateSubnetIds"] == ["network-private-0-offline-id", "network-private-1-offline-id"]
    assert outputs["clusterName"] == cluster.inputs["name"] and outputs["vpcId"] == "network-vpc-offline-id"


def test_listed_roles_get_cluster_admin_access_entries():
    deploy = "arn:aws:iam::123456789012:role/github/nowry-deploy"
    plan = eks_plan(f"nowry:kubernetes.adminRoleArns=[{deploy}]")
    entry = plan.one("aws:eks/accessEntry:AccessEntry", "eks-admin-nowry-deploy")
    assert entry.inputs == {"clusterName": "eks-k8s", "principalArn": deploy, "type": "STANDARD"}
    association = plan.one("aws:eks/accessPolicyAssociation:AccessPolicyAssociation").inputs
    assert association["policyArn"] == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
    assert association["accessScope"] == {"type": "cluster"}
    assert not eks_plan().of_type("aws:eks/accessEntry:AccessEntry")


@pytest.mark.parametrize(
    ("override", "line"),
    [
        (
            "nowry:kubernetes.adminRoleArns=[github-deploy]",
            "nowry:kubernetes.adminRoleArns: 'github-deploy' is not an IAM role ARN such as "
            "arn:aws:iam::123456789012:role/deploy (given: ['github-deploy'])",
        ),
        (
            "nowry:kubernetes.adminRoleArns=[arn:aws:iam::123456789012:user/alice]",
            "nowry:kubernetes.adminRoleArns: 'arn:aws:iam::123456789012:user/alice' is not an IAM role ARN",
        ),
        (
            "nowry:kubernetes.adminRoleArns=[arn:aws:iam::123456789012:role/a/deploy, "
            "arn:aws:iam::123456789012:role/b/deploy]",
            "nowry:kubernetes.adminRoleArns: two roles share a name; give each role once",
        ),
    ],
    ids=["not-an-arn", "a-user", "same-name"],
)
def test_bad_admin_roles_exit_2(override, line):
    assert line in refused(override)
