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


UPGRADED_FROM = ("M0", "FLEX")
"""From these tiers the provider applies only the upgrade in the run that upgrades
(terraform-provider-mongodbatlas docs/resources/advanced_cluster.md: "When upgrading from the
tenant [or a flex cluster], *only* the upgrade changes will be applied ... run a secondary
apply after the upgrade succeeds"). In its source (internal/service/advancedcluster,
resource.go Update), upgradeTenant / upgradeFlexToDedicated take the place of the cluster
patch; their requests carry the tier, the region and backups (resource_upgrade.go), and the
process arguments are applied after the switch in the same run."""
UPGRADE_RUN_INPUTS = ("replicationSpecs", "backupEnabled", "advancedConfiguration")
"""An ``AdvancedCluster``'s inputs that land in the upgrading run itself (the tier, backups and the
process arguments); every other changed input (termination protection, the MongoDB version,
point-in-time restore, ...) waits for a second ``pulumi up``, which ``nowry-infra migrate`` says."""


def tier_of(inputs: Mapping[str, Any]) -> str | None:
    """The tier an ``AdvancedCluster``'s inputs ask for (M0, FLEX, M10, ...)."""
    region = ((inputs.get("replicationSpecs") or [{}])[0].get("regionConfigs") or [{}])[0]
    if region.get("providerName") == FLEX:
        return FLEX
    return (region.get("electableSpecs") or {}).get("instanceSize")
