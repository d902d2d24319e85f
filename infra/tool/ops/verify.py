"""Post-deploy checks of a live aws-phase stack (a gcp-phase one: ``verify_gcp.py``), from its outputs, each
retried until a deadline."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from infra.aws_client import Aws, AwsError, explained

Probe = Callable[[], tuple[bool, str]]


class PlatformError(Exception):
    """A call to a platform other than AWS failed for a reason the user can act on (the message says which)."""


@dataclass
class CheckResult:
    name: str
    ok: bool | None
    """True passed, False failed, None skipped (the stack has no such output)."""
    detail: str


def _ecs(aws: Aws, cluster: str, service: str) -> tuple[bool, str]:
    found = aws.client("ecs").describe_services(cluster=cluster, services=[service])["services"]
    if not found:
        return False, f"service {service} not found in {cluster}"
    s = found[0]
    primary = next((d for d in s.get("deployments", []) if d.get("status") == "PRIMARY"), {})
    rollout = primary.get("rolloutState", "COMPLETED")
    steady = s["desiredCount"] > 0 and s["runningCount"] == s["desiredCount"] and rollout == "COMPLETED"
    return steady, f"{s['runningCount']}/{s['desiredCount']} running, primary deployment {rollout}"


def _targets(aws: Aws, target_group_arn: str) -> tuple[bool, str]:
    health = aws.client("elbv2").describe_target_health(TargetGroupArn=target_group_arn)["TargetHealthDescriptions"]
    states = [t["TargetHealth"]["State"] for t in health]
    healthy = sum(1 for s in states if s == "healthy")
    return bool(states) and healthy == len(states), f"{healthy}/{len(states)} targets healthy" + (
        f" ({', '.join(sorted(set(states) - {'healthy'}))})" if healthy != len(states) else ""
    )


def _distribution(aws: Aws, distribution_id: str) -> tuple[bool, str]:
    status = aws.client("cloudfront").get_distribution(Id=distribution_id)["Distribution"]["Status"]
    return status == "Deployed", f"status {status}"


def _site_object(aws: Aws, bucket: str) -> tuple[bool, str]:
    from botocore.exceptions import ClientError

    try:
        aws.client("s3").head_object(Bucket=bucket, Key="index.html")
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return False, f"s3://{bucket}/index.html is missing"
        raise
    return True, f"s3://{bucket}/index.html present"


def _cache(aws: Aws, group_id: str) -> tuple[bool, str]:
    groups = aws.client("elasticache").describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"]
    status = groups[0]["Status"] if groups else "missing"
    return status == "available", f"status {status}"


def _database(aws: Aws, cluster_id: str) -> tuple[bool, str]:
    clusters = aws.client("docdb").describe_db_clusters(DBClusterIdentifier=cluster_id)["DBClusters"]
    status = clusters[0]["Status"] if clusters else "missing"
    return status == "available", f"status {status}"


def _http(url: str, timeout: float) -> tuple[bool, str]:
    request = urllib.request.Request(url, headers={"User-Agent": "nowry-infra verify"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return 200 <= response.status < 400, f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return False, f"HTTP {exc.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        return False, f"unreachable: {getattr(exc, 'reason', exc)}"


def probes(aws: Aws, outputs: Mapping[str, Any], http_timeout: float = 10.0) -> list[tuple[str, list[str], Probe]]:
    """(check name, outputs it needs, probe) for every check of an aws-phase stack."""
    o = outputs
    return [
        ("ECS service steady", ["clusterName", "serviceName"], lambda: _ecs(aws, o["clusterName"], o["serviceName"])),
        ("ALB targets healthy", ["targetGroupArn"], lambda: _targets(aws, o["targetGroupArn"])),
        ("CloudFront deployed", ["distributionId"], lambda: _distribution(aws, o["distributionId"])),
        ("site bucket holds index.html", ["bucketName"], lambda: _site_object(aws, o["bucketName"])),
        ("ElastiCache available", ["cacheId"], lambda: _cache(aws, o["cacheId"])),
        ("DocumentDB available", ["databaseClusterId"], lambda: _database(aws, o["databaseClusterId"])),
        ("site answers", ["siteUrl"], lambda: _http(o["siteUrl"], http_timeout)),
        ("API health answers", ["apiHealthUrl"], lambda: _http(o["apiHealthUrl"], http_timeout)),
    ]


def verify(
    aws: Aws | None,
    outputs: Mapping[str, Any],
    *,
    timeout: float = 300.0,
    interval: float = 5.0,
    on_progress: Callable[[list[CheckResult]], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    checks: list[tuple[str, list[str], Probe]] | None = None,
) -> list[CheckResult]:
    """Run every check (an aws stack's, or the ``checks`` given: a gcp stack's) until all pass or
    ``timeout`` seconds pass; return the last results."""
    deadline = clock() + timeout
    results: dict[str, CheckResult] = {}
    pending: list[tuple[str, Probe]] = []
    if checks is None:
        assert aws is not None, "an aws stack's checks need an AWS client"
        checks = probes(aws, outputs)
    for name, needs, probe in checks:
        missing = [key for key in needs if not outputs.get(key)]
        if missing:
            results[name] = CheckResult(name, None, f"skipped: no output {', '.join(missing)}")
        else:
            results[name] = CheckResult(name, False, "waiting")
            pending.append((name, probe))
    while True:
        still: list[tuple[str, Probe]] = []
        for name, probe in pending:
            try:
                with explained(name):
                    ok, detail = probe()
            except (AwsError, PlatformError) as exc:
                ok, detail = False, str(exc)
            results[name] = CheckResult(name, ok, detail)
            if not ok:
                still.append((name, probe))
        pending = still
        if on_progress:
            on_progress(list(results.values()))
        if not pending or clock() >= deadline:
            return list(results.values())
        sleep(min(interval, max(0.0, deadline - clock())))
