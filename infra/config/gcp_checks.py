"""Checks of the gcp phase's config against what Google Cloud (and Atlas on Google Cloud) offers."""

from __future__ import annotations

import ipaddress
import shlex

from infra.config.errors import CheckContext
from infra.config.gcp_offerings import PROJECT_ID, PROJECT_ID_RULE, REGIONS, atlas_region
from infra.config.model import StackConfig

OFFLINE_PROJECT = "offline-project"
"""Stands in for ``gcp:project`` in an offline plan when it is not set (a warning says so)."""


def check(config: StackConfig, ctx: CheckContext) -> None:
    """Every problem of a gcp-phase config: the provider's project and region, the Atlas region the
    cluster follows, the Cloud Run subnet; and the settings the phase ignores, as warnings."""
    project, region = config.gcp_project, config.gcp_region
    if project is None:
        fix = f"pulumi config set gcp:project '<project id>' --stack {shlex.quote(ctx.stack)}"
        if ctx.offline:
            ctx.warnings.append(f"gcp:project is not set; the offline plan uses {OFFLINE_PROJECT!r}. Before deploying "
                                f"run: {fix}")  # fmt: skip
        else:
            ctx.problem("gcp:project", "is required in the gcp phase", None, fix)
    elif not PROJECT_ID.fullmatch(project):
        ctx.problem("gcp:project", "is not a Google Cloud project id", repr(project), PROJECT_ID_RULE)
    if region not in REGIONS:
        ctx.problem("gcp:region", "is not a Google Cloud region", repr(region), ", ".join(REGIONS))
    elif config.database_engine == "atlas" and atlas_region(region) is None:
        ctx.problem("gcp:region", "is not a region Atlas runs dedicated clusters in on Google Cloud", repr(region),
                    "a region of mongodb.com/docs/atlas/reference/google-gcp, e.g. us-central1")  # fmt: skip
    _subnet(config, ctx)
    _ignored(config, ctx)


def _subnet(config: StackConfig, ctx: CheckContext) -> None:
    """Direct VPC egress takes addresses for Cloud Run in blocks of 16 ("Cloud Run reserves IP addresses in
    blocks of 16 (28 subnet mask) at a time", cloud.google.com/run/docs/configuring/vpc-direct-vpc): twice the
    most instances, so that a new revision can start beside the old one."""
    text, settings = config.gcp.subnet_cidr, config.gcp
    try:
        subnet = ipaddress.IPv4Network(text)
    except ValueError:
        ctx.problem("nowry:gcp.subnetCidr", "is not an IPv4 CIDR block", repr(text), "e.g. 10.8.0.0/24")
        return
    if not 16 <= subnet.prefixlen <= 26 or not subnet.is_private:
        ctx.problem("nowry:gcp.subnetCidr", "is not a private range /16 to /26", repr(text), "e.g. 10.8.0.0/24")
        return
    needed = 2 * settings.max_instances
    if subnet.num_addresses - 4 < needed:  # Google keeps four addresses of every subnet
        ctx.problem("nowry:gcp.subnetCidr", f"holds {subnet.num_addresses - 4} usable addresses; Cloud Run needs "
                    f"2 x maxInstances = {needed}", repr(text), "a larger range, or fewer maxInstances")  # fmt: skip


def _ignored(config: StackConfig, ctx: CheckContext) -> None:
    """Settings of other phases that a gcp stack carries (a stack moved from all-paid or aws) mean
    nothing here: said once, never silently."""
    atlas = config.atlas
    if config.database_engine == "atlas" and "region" in atlas.model_fields_set:
        follows = atlas_region(config.gcp_region) or "?"
        ctx.warnings.append(f"nowry:atlas.region {atlas.region!r} is an Atlas AWS region: the gcp phase places the "
                            f"cluster in gcp:region's Atlas region ({follows})")  # fmt: skip
    if config.database_engine == "atlas" and atlas.backup_copy_region:
        ctx.problem("nowry:atlas.backupCopyRegion", "names an Atlas AWS region; the gcp phase's cluster copies no "
                    "snapshots to another cloud", repr(atlas.backup_copy_region), "unset")  # fmt: skip
    if config.cache.enabled and "nodeType" in _set_aliases(config.cache):
        ctx.warnings.append("nowry:cache.nodeType is an ElastiCache node type: the gcp phase runs Memorystore for "
                            f"Redis sized by nowry:gcp.cacheMemoryGb ({config.gcp.cache_memory_gb} GB)")  # fmt: skip


def _set_aliases(section: object) -> set[str]:
    fields = getattr(section, "model_fields_set", set())
    model = type(section).model_fields  # type: ignore[attr-defined]
    return {model[name].alias or name for name in fields if name in model}
