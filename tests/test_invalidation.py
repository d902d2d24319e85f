"""The site's cache invalidation: a dynamic provider over boto3, against moto's CloudFront."""

from __future__ import annotations

import boto3

from components.aws.cache_invalidation import InvalidationProvider, content_hash
from components.aws.site_files import site_files
from infra.tool.engine.runner import plan_stack


def distribution(endpoint: str) -> str:
    client = boto3.client("cloudfront", region_name="us-east-1", endpoint_url=endpoint)
    origin = {"Id": "site", "DomainName": "site.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}
    behaviour = {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https", "MinTTL": 0,
                 "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                 "TrustedSigners": {"Enabled": False, "Quantity": 0}}  # fmt: skip
    config = {"CallerReference": "inv", "Comment": "", "Enabled": True, "DefaultCacheBehavior": behaviour,
              "Origins": {"Quantity": 1, "Items": [origin]}}  # fmt: skip
    return client.create_distribution(DistributionConfig=config)["Distribution"]["Id"]


def invalidations(endpoint: str, distribution_id: str) -> int:
    client = boto3.client("cloudfront", region_name="us-east-1", endpoint_url=endpoint)
    return client.list_invalidations(DistributionId=distribution_id)["InvalidationList"].get("Quantity", 0)


def test_invalidates_on_create_and_only_when_content_changes(aws_env, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_env)  # the provider's state holds no endpoint: botocore reads it
    dist = distribution(aws_env)
    props = {"distribution_id": dist, "content_hash": "aaa", "paths": ["/*"], "region": "us-east-1"}
    provider = InvalidationProvider()
    created = provider.create(props)
    assert created.outs and created.outs["invalidation_id"]
    assert invalidations(aws_env, dist) == 1
    assert provider.diff(created.id, created.outs, props).changes is False
    changed = {**props, "content_hash": "bbb"}
    diff = provider.diff(created.id, created.outs, changed)
    assert diff.changes is True and diff.replaces == []
    provider.update(created.id, created.outs, changed)
    assert invalidations(aws_env, dist) == 2
    assert provider.diff(created.id, created.outs, {**props, "distribution_id": "OTHER"}).replaces == [
        "distribution_id"
    ]
    provider.delete(created.id, created.outs)
    assert invalidations(aws_env, dist) == 2


def test_content_hash_follows_the_files(tmp_path):
    (tmp_path / "index.html").write_text("<html>1</html>")
    first = content_hash(site_files(tmp_path))
    assert content_hash(site_files(tmp_path)) == first
    (tmp_path / "index.html").write_text("<html>2</html>")
    assert content_hash(site_files(tmp_path)) != first


def test_the_site_invalidates_after_its_uploads(project, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html></html>")
    config = {
        "nowry:phase": "aws",
        "nowry:backend": {"image": "ghcr.io/a/b:1"},
        "nowry:frontend": {"staticDir": "site"},
    }
    plan = plan_stack(project(config), "test")
    invalidation = plan.one("pulumi-python:dynamic/cloudfront:Invalidation")
    upload = plan.one("aws:s3/bucketObjectv2:BucketObjectv2")
    assert upload.urn in invalidation.dependencies
    assert invalidation.inputs["content_hash"] == content_hash(site_files(site))
    assert invalidation.inputs["paths"] == ["/*"]
    assert "endpoint_url" not in invalidation.inputs, "no test-only setting is kept in the stack's state"
