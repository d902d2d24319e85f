"""CacheInvalidation: a CloudFront invalidation made only when the uploaded site changes.

A Pulumi dynamic provider over boto3's ``create_invalidation``: the resource carries the
hash of the uploaded files, so an unchanged site costs no invalidation and a changed one
gets exactly one (CloudFront gives 1,000 paths a month free).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider, UpdateResult

from components.aws.site_files import SiteFile


def content_hash(files: Sequence[SiteFile]) -> str:
    """One hash over every file's key, bytes, content type and cache policy."""
    digest = hashlib.sha256()
    for item in files:
        digest.update(item.key.encode())
        digest.update(hashlib.sha256(item.path.read_bytes()).digest())
        digest.update(f"{item.content_type}|{item.cache_control}".encode())
    return digest.hexdigest()


def _invalidate(props: dict[str, Any]) -> str:
    from infra.aws_client import Aws, explained

    aws = Aws(props.get("region") or "us-east-1")  # AWS_ENDPOINT_URL, when set, reaches botocore itself
    paths = list(props.get("paths") or ["/*"])
    with explained(f"invalidating CloudFront distribution {props['distribution_id']}"):
        answer = aws.client("cloudfront").create_invalidation(
            DistributionId=props["distribution_id"],
            InvalidationBatch={
                "Paths": {"Quantity": len(paths), "Items": paths},
                "CallerReference": f"nowry-{props['content_hash'][:16]}-{int(time.time())}",
            },
        )
    return answer["Invalidation"]["Id"]


class InvalidationProvider(ResourceProvider):
    """Create and update invalidate the distribution; delete has nothing to undo."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        invalidation_id = _invalidate(props)
        return CreateResult(invalidation_id, {**props, "invalidation_id": invalidation_id})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = ["distribution_id"] if olds.get("distribution_id") != news.get("distribution_id") else []
        changed = (
            replaces or olds.get("content_hash") != news.get("content_hash") or olds.get("paths") != news.get("paths")
        )
        return DiffResult(changes=bool(changed), replaces=replaces)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult({**news, "invalidation_id": _invalidate(news)})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """An invalidation is a one-off request: there is nothing to delete."""


class CacheInvalidation(Resource, module="cloudfront", name="Invalidation"):
    """Invalidates ``paths`` of a distribution whenever ``content_hash`` changes."""

    invalidation_id: pulumi.Output[str]

    def __init__(self, name: str, *, distribution_id: pulumi.Input[str], content_hash: str,
                 paths: Sequence[str] = ("/*",), region: str = "us-east-1",
                 opts: pulumi.ResourceOptions | None = None) -> None:  # fmt: skip
        props = {"distribution_id": distribution_id, "content_hash": content_hash, "paths": list(paths),
                 "region": region, "invalidation_id": None}  # fmt: skip
        super().__init__(InvalidationProvider(), name, props, opts)
