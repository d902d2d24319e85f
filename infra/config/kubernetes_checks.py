"""Checks of the kubernetes phase: published images, and what an EKS cluster needs."""

from __future__ import annotations

import ipaddress

from infra.config.errors import CheckContext
from infra.config.model import StackConfig

OPEN_ENDPOINT_RULE = "eks-endpoint-cidrs-limited"
"""The policy rule (infra/tool/rules/kubernetes_cluster.py) a production stack must accept, with
its reason, to open the EKS API's public endpoint to every address."""
CLUSTER_RESOURCE = "eks-cluster"
"""The cluster's logical name, which an acceptance may name."""


def check(config: StackConfig, ctx: CheckContext) -> None:
    if config.kubernetes.cluster == "eks" and config.aws.nat == "none":
        ctx.problem("nowry:aws.nat", "EKS nodes run in private subnets and need a NAT gateway", "'none'",
                    "single or per-az")  # fmt: skip
    if not config.backend.image:
        ctx.problem("nowry:backend.image", "the kubernetes phase runs a published image", None,
                    "an image reference pinned by tag or digest")  # fmt: skip
    if not config.frontend.image:
        ctx.problem("nowry:frontend.image", "the kubernetes phase runs an nginx image", None,
                    "an unprivileged nginx image pinned by tag or digest")  # fmt: skip
    _open_endpoint(config, ctx)


def _open_endpoint(config: StackConfig, ctx: CheckContext) -> None:
    """A production cluster's public endpoint is open to every address only as an accepted finding."""
    kube = config.kubernetes
    everyone = [block for block in kube.api_cidrs if ipaddress.IPv4Network(block).prefixlen == 0]
    if kube.cluster != "eks" or not everyone or not config.production:
        return
    if any(a.rule == OPEN_ENDPOINT_RULE and a.resource in (None, CLUSTER_RESOURCE) for a in config.policy.accept):
        return
    ctx.problem(
        "nowry:kubernetes.apiCidrs",
        "opens the EKS API's public endpoint to every address on a production stack",
        repr(kube.api_cidrs),
        "the blocks of the people and runners that need it, [] for the private endpoint only, "
        f"or the finding {OPEN_ENDPOINT_RULE} accepted in nowry:policy.accept with its reason",
    )
