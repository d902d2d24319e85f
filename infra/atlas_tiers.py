"""Atlas tiers, a value several floors share: the config model validates them, the Atlas component
builds them, the cost estimate and ``migrate`` read them back from a planned cluster. A leaf: it
imports nothing of the project."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, get_args

AtlasTier = Literal["M0", "FLEX", "M10", "M20"]
ATLAS_TIER_ORDER: tuple[str, ...] = get_args(AtlasTier)
"""Atlas tiers from smallest to largest. Atlas upgrades a cluster in place up this list
(M0 -> FLEX -> M10 -> M20) and never down it."""

SHARED_TIERS = ("M0",)
"""Tiers on shared infrastructure (provider TENANT): Atlas refuses the MongoDB version
(``TENANT_ATTRIBUTE_READ_ONLY``: "mongoDBMajorVersion is read-only for tenant clusters",
terraform-provider-mongodbatlas#2800), process arguments, backups and termination protection."""
FLEX = "FLEX"
"""Atlas Flex (it replaced M2/M5): provider FLEX on AWS, no instance size, backups always on;
only tags and termination protection can be changed (provider model_flex.go isValidUpdateOfFlex)."""


def tier_of(inputs: Mapping[str, Any]) -> str | None:
    """The tier an ``AdvancedCluster``'s inputs ask for (M0, FLEX, M10, ...)."""
    region = ((inputs.get("replicationSpecs") or [{}])[0].get("regionConfigs") or [{}])[0]
    if region.get("providerName") == FLEX:
        return FLEX
    return (region.get("electableSpecs") or {}).get("instanceSize")
