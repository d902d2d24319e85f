"""Checks of the kubernetes phase: published images, and what an EKS cluster needs."""

from __future__ import annotations

from infra.config.errors import CheckContext
from infra.config.model import StackConfig


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
