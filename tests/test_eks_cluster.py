"""The kubernetes phase's own EKS cluster (`nowry:kubernetes.cluster: eks`): the API endpoint
decision, Secrets encrypted with the stack's key, every control-plane log, IMDSv2 nodes."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from infra.tool.cli import app
from infra.tool.engine.runner import plan_stack
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
