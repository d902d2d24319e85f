"""Checks of the Atlas settings, run when the stack's database is MongoDB Atlas."""

from __future__ import annotations

import ipaddress
import shlex

from infra.config.credentials import check_credentials
from infra.config.errors import CheckContext, ConfigIssue
from infra.config.model import StackConfig
from infra.phases import PHASE_SPECS

ATLAS_AWS_REGIONS = (
    "US_EAST_1", "US_EAST_2", "US_WEST_1", "US_WEST_2", "CA_CENTRAL_1", "SA_EAST_1",
    "EU_WEST_1", "EU_WEST_2", "EU_WEST_3", "EU_CENTRAL_1", "EU_CENTRAL_2", "EU_NORTH_1",
    "EU_SOUTH_1", "EU_SOUTH_2", "AP_EAST_1", "AP_SOUTH_1", "AP_SOUTH_2", "AP_SOUTHEAST_1",
    "AP_SOUTHEAST_2", "AP_SOUTHEAST_3", "AP_SOUTHEAST_4", "AP_NORTHEAST_1", "AP_NORTHEAST_2",
    "AP_NORTHEAST_3", "ME_SOUTH_1", "ME_CENTRAL_1", "AF_SOUTH_1", "IL_CENTRAL_1",
)  # fmt: skip
"""Atlas's names of the AWS regions it runs clusters in."""

MONGO_VERSIONS = ("7.0", "8.0")
CREDENTIALS = (
    ("mongodbatlas:publicKey", "MONGODB_ATLAS_PUBLIC_KEY", False),
    ("mongodbatlas:privateKey", "MONGODB_ATLAS_PRIVATE_KEY", True),
)
"""Provider config key, the environment variable the provider also reads, secret or not."""


def check(config: StackConfig, ctx: CheckContext) -> None:
    """Every problem of the Atlas settings (and the risks, as warnings); run when the stack's
    database is MongoDB Atlas."""
    atlas, stack, phase, prod, offline = config.atlas, ctx.stack, config.phase, config.production, ctx.offline
    issues, warnings = ctx.issues, ctx.warnings
    allowed_tiers = PHASE_SPECS[phase].atlas_tiers if phase in PHASE_SPECS else ()
    if atlas.tier is not None and atlas.tier not in allowed_tiers:
        issues.append(
            ConfigIssue(
                "nowry:atlas.tier",
                f"the {phase} phase does not run this tier",
                repr(atlas.tier),
                ", ".join(allowed_tiers),
            )
        )
    copy = atlas.backup_copy_region
    if copy is not None:
        if copy not in ATLAS_AWS_REGIONS:
            issues.append(ConfigIssue("nowry:atlas.backupCopyRegion", "is not an Atlas AWS region name", repr(copy),
                                      ", ".join(ATLAS_AWS_REGIONS)))  # fmt: skip
        elif copy == atlas.region:
            issues.append(ConfigIssue("nowry:atlas.backupCopyRegion", "is the cluster's own region", repr(copy),
                                      f"any Atlas region but {atlas.region}"))  # fmt: skip
        if config.atlas_tier not in ("M10", "M20"):
            problem = f"Atlas copies snapshots of dedicated clusters only; this one is {config.atlas_tier}"
            issues.append(ConfigIssue("nowry:atlas.backupCopyRegion", problem, repr(copy), "atlas.tier M10 or M20"))
    if atlas.org_id is None and offline:
        warnings.append(
            f"nowry:atlas.orgId is not set; the offline plan uses a placeholder. Before "
            f"deploying run: pulumi config set --path nowry:atlas.orgId '<org id>' --stack {shlex.quote(stack)}"
        )
    elif atlas.org_id is None:
        issues.append(
            ConfigIssue(
                "nowry:atlas.orgId",
                "is required for an Atlas database",
                None,
                "the 24-hex-digit id from Atlas > Organization Settings",
            )
        )
    if atlas.region not in ATLAS_AWS_REGIONS:
        issues.append(
            ConfigIssue(
                "nowry:atlas.region",
                "is not an Atlas AWS region",
                repr(atlas.region),
                ", ".join(ATLAS_AWS_REGIONS),
            )
        )
    if atlas.mongo_version not in MONGO_VERSIONS:
        issues.append(
            ConfigIssue(
                "nowry:atlas.mongoVersion",
                "is not offered",
                repr(atlas.mongo_version),
                ", ".join(MONGO_VERSIONS),
            )
        )
    for index, cidr in enumerate(atlas.ip_access_list):
        try:
            network = ipaddress.IPv4Network(cidr)
        except ValueError:
            issues.append(
                ConfigIssue(
                    f"nowry:atlas.ipAccessList[{index}]",
                    "is not an IPv4 CIDR block",
                    repr(cidr),
                    "e.g. 203.0.113.7/32",
                )
            )
            continue
        if network.prefixlen == 0:
            risk = (
                "nowry:atlas.ipAccessList allows 0.0.0.0/0: any address on the internet may "
                f"try to log in to the database (stack {stack})"
            )
            warnings.append(("DANGER: " if prod else "") + risk)
    alerts = config.alerts
    if alerts.slack_channel and not alerts.email:
        ctx.problem("nowry:alerts.slackChannel", "needs alerts.email: Atlas's alerts are made only with an address",
                    repr(alerts.slack_channel), "set alerts.email as well")  # fmt: skip
    elif not alerts.email:
        warnings.append(
            f"nowry:alerts.email is not set: Atlas warns nobody before {config.atlas_tier}'s storage or connections "
            f"run out; run: pulumi config set --path nowry:alerts.email '<address>' --stack {shlex.quote(stack)}"
        )
    check_credentials(CREDENTIALS, ctx)
