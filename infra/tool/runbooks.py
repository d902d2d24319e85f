"""The runbooks of a move between phases: sections with a heading each (the online path, the offline
one, the cache, an Atlas tier change) and numbered steps under it. ``migrate`` chooses which apply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    """A part of a runbook: its heading and the steps under it, in order."""

    title: str
    steps: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "steps": list(self.steps)}


def generic(source: str, target: str) -> Section:
    """Any other move of the data between two engines."""
    return Section(f"Move the data from {source} to {target}", (
        f"Move the data from {source} to {target} with mongodump/mongorestore before the cutover.",
    ))  # fmt: skip


OFFLINE_MINUTES_PER_GB = 3.0
"""Downtime of the offline copy, per GB of data: mongodump from Atlas (~1 min/GB) and
mongorestore into DocumentDB over TLS from inside the VPC (~2 min/GB, indexes built after),
an estimate from the tools' throughput on small instances; measure with a rehearsal."""
CUTOVER_MINUTES = 10
"""Downtime of the online path: writes frozen, CDC latency drained to zero, MONGO_URI switched."""


def atlas_to_documentdb(stack: str, data_gb: float) -> list[Section]:
    """The online path (DMS full load + CDC, downtime the cutover only) and, beside it, the
    offline one (mongodump/mongorestore with writes stopped, downtime growing with the data)."""
    offline = round(data_gb * OFFLINE_MINUTES_PER_GB)
    online = Section(
        f"Online path (AWS DMS, full load then change data capture; downtime: the cutover only, about "
        f"{CUTOVER_MINUTES} minutes)",
        (
            "Run the aws phase as a stack of its own beside the all-paid one (`pulumi stack init`, the config of "
            "the aws stack) so the app keeps serving from Atlas meanwhile; give it a NAT gateway (`nowry:aws.nat: "
            "single`) and add the NAT's public IP to the Atlas access list.",
            f"Set the source: `pulumi config set --secret --path 'nowry:database.migrationSource' "
            f"'mongodb://<user>:<password>@<host>:27017,.../nowry?tls=true&authSource=admin' --stack {stack}` "
            "(Atlas: Connect -> Drivers, the standard connection string; DMS cannot use mongodb+srv://). Fetch "
            "the RDS CA bundle into `nowry:database.migrationCaBundle`. If the account has never used DMS, create "
            "its `dms-vpc-role` and `dms-cloudwatch-logs-role` first (AWS DMS user guide, IAM roles for the CLI).",
            f"`pulumi up --stack {stack}`: DocumentDB, the app and the DMS task come up; the task starts the full "
            "load, then applies changes as they happen on Atlas.",
            f"Wait until `nowry-infra migration-status {stack}` says the full load is complete and CDC latency is "
            "near zero (it exits 0 then).",
            "Freeze writes: put the app on Atlas in maintenance (read-only) mode; wait for CDC latency to reach 0.",
            "Switch: point the frontend and DNS at this stack's CloudFront URL; its backend's MONGO_URI is DocumentDB "
            f"already. Then `nowry-infra verify {stack}`.",
            f"Unset the source: `pulumi config rm --path 'nowry:database.migrationSource' --stack {stack}` and "
            "`pulumi up`: the replication instance, endpoints, task, secret and alarms are removed (nothing of the "
            "data is).",
            "Rollback before the switch: stop here; Atlas still holds every write. After it: the all-paid stack "
            "still runs; point the frontend back and copy the writes made since with mongodump/mongorestore.",
        ),
    )
    offline_path = Section(
        f"Offline path instead (writes stopped for the whole copy; downtime about {OFFLINE_MINUTES_PER_GB:g} "
        f"minutes per GB, ~{offline} minutes for {data_gb:g} GB)",
        (
            "Before `pulumi up`: take an Atlas backup snapshot and note the cluster's connection string.",
            "Deploy the aws phase with the backend scaled to 0 (`--set nowry:backend.desiredCount=0`, minCount=0) so "
            "nothing writes to the new database yet.",
            "Download the Amazon RDS CA bundle (global-bundle.pem) on a host inside the VPC (or via SSM).",
            "mongodump --uri '<atlas uri>' --gzip --archive=nowry.archive",
            "mongorestore --uri 'mongodb://nowryadmin:<password>@<docdb endpoint>:27017/?tls=true&tlsCAFile="
            "global-bundle.pem&retryWrites=false' --gzip --archive=nowry.archive --nsInclude 'nowry.*'",
            "Compare document counts per collection; DocumentDB does not support every MongoDB feature (check "
            "$lookup/aggregation stages and indexes the app uses).",
            "Cutover: put the managed backend in maintenance mode, run a last incremental dump/restore of writes since "
            "the first dump, scale the Fargate service up, switch DNS or the frontend's API URL to CloudFront.",
            "Rollback: point the frontend back at the Railway backend; Atlas still holds the data as of the cutover. "
            "Keep the Atlas cluster (it is protected) until the new stack has run clean for a week.",
        ),
    )
    return [online, offline_path]


RUNBOOKS: dict[tuple[str, str], Section] = {
    ("atlas", "atlas"): Section("The Atlas cluster", (
        "The cluster keeps its logical name and URN: Pulumi changes the tier in place and Atlas moves the data "
        "itself; no data migration is needed. Between dedicated tiers (M10 -> M20) Atlas rolls the change node "
        "by node with one election; from M0 or Flex it migrates the data to new hosts, which takes minutes to "
        "hours with the size of the data, and the connection string's host changes.",
    )),
    ("mongo", "atlas"): Section("Move the data from the local MongoDB to Atlas", (
        "mongodump --uri 'mongodb://nowry:<password>@localhost:27017/?authSource=admin' --gzip --archive=local.archive",
        "mongorestore --uri '<atlas mongodb+srv uri>' --gzip --archive=local.archive --nsInclude 'nowry.*'",
        "Check counts per collection, then deploy the backend with the Atlas MONGO_URI.",
    )),
    ("documentdb", "atlas"): Section("Move the data from DocumentDB to Atlas", (
        "mongodump from DocumentDB over TLS with the RDS CA bundle; mongorestore into Atlas; verify counts.",
        "Cutover with the backend scaled to 0, then switch MONGO_URI; keep DocumentDB (deletion protection on) "
        "until the new database has run clean.",
    )),
}  # fmt: skip


def atlas_cloud_move(old: tuple[str, str], new: tuple[str, str]) -> Section:
    """The Atlas cluster moving to another cloud, (provider, region) before and after: an update in place."""
    clouds = {"AWS": "AWS", "GCP": "Google Cloud", "AZURE": "Azure"}
    before, after = clouds.get(old[0], old[0]), clouds.get(new[0], new[0])
    return Section(f"Move the Atlas cluster from {before} ({old[1]}) to {after} ({new[1]})", (
        "The cluster keeps its logical name, its Atlas name and its URN: `pulumi up` changes its provider and region "
        "in place (the Atlas provider replaces a cluster only for another project or name: "
        "terraform-provider-mongodbatlas advancedcluster, RequiresReplace on project_id and name), and Atlas moves "
        "the data to nodes on the other cloud itself, a rolling change with elections, not a copy by hand: no data "
        "is lost. Atlas does this for dedicated clusters (M10 and up); a Free or Flex cluster goes to M10 first.",
        "Before the move: take an on-demand snapshot (Atlas: Backup > Take Snapshot Now), and add the new "
        "platform's egress address to the Atlas access list (this stack adds its own: on gcp, Cloud NAT's "
        "address); keep the old addresses until the old backend is gone.",
        "During the move (minutes to hours with the size of the data) the driver rides through the elections; "
        "the backend's MONGO_URI is read from the cluster's connection string on the same `pulumi up`. Whether "
        "the string itself changes when a dedicated cluster moves to another cloud: Atlas's FAQ \"Do I have to "
        "update my connection string when migrating to a different cloud provider from a dedicated cluster to "
        "another?\" (mongodb.com/docs/atlas/reference/faq/connection-changes).",
        "Rollback: plan the old phase again and `pulumi up`: Atlas moves the cluster back the same way.",
    ))  # fmt: skip


CACHE = Section("The cache", (
    "Redis holds only cache data: no migration. The new cache starts empty; expect a warm-up period of cache "
    "misses. Rollback: point REDIS_URL back at the old cache.",
))  # fmt: skip
