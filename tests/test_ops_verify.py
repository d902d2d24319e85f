"""`nowry-infra verify` against state seeded in moto's AWS server, and a recorded DocumentDB answer."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from typer.testing import CliRunner

from infra.aws_client import Aws
from infra.tool.cli import app
from infra.tool.ops.verify import verify

runner = CliRunner()


@pytest.fixture
def web():
    """A site and an API health endpoint on 127.0.0.1; ``status['code']`` sets the answer."""
    status = {"code": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status["code"])
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", status
    server.shutdown()
    server.server_close()


def seed(endpoint: str, *, running: bool, healthy: bool, with_index: bool, monkeypatch) -> dict[str, str]:
    """ECS, ELBv2, CloudFront, S3 and ElastiCache state in moto; returns stack outputs."""
    kw = {"region_name": "us-east-1", "endpoint_url": endpoint}
    monkeypatch.setenv("MOTO_ECS_SERVICE_RUNNING", "2" if running else "0")
    ec2, ecs, elb = boto3.client("ec2", **kw), boto3.client("ecs", **kw), boto3.client("elbv2", **kw)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="backend", Description="b", VpcId=vpc)["GroupId"]
    ecs.create_cluster(clusterName="nowry")
    ecs.register_task_definition(family="backend", requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                 cpu="256", memory="512",
                                 containerDefinitions=[{"name": "backend", "image": "x:1", "memory": 512}])  # fmt: skip
    network = {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}}
    ecs.create_service(cluster="nowry", serviceName="backend", taskDefinition="backend", desiredCount=2,
                       launchType="FARGATE", networkConfiguration=network)  # fmt: skip
    target_group = elb.create_target_group(Name="api", Protocol="HTTP", Port=8000, VpcId=vpc, TargetType="ip")
    arn = target_group["TargetGroups"][0]["TargetGroupArn"]
    if healthy:
        elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": "10.0.1.5"}, {"Id": "10.0.1.6"}])
    s3 = boto3.client("s3", **kw)
    s3.create_bucket(Bucket="site")
    if with_index:
        s3.put_object(Bucket="site", Key="index.html", Body=b"<html></html>")
    cloudfront = boto3.client("cloudfront", **kw)
    origin = {"Id": "site", "DomainName": "site.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}
    behaviour = {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https", "MinTTL": 0,
                 "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                 "TrustedSigners": {"Enabled": False, "Quantity": 0}}  # fmt: skip
    distribution = cloudfront.create_distribution(DistributionConfig={
        "CallerReference": "nowry", "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [origin]}, "DefaultCacheBehavior": behaviour,
    })["Distribution"]["Id"]  # fmt: skip
    boto3.client("elasticache", **kw).create_replication_group(
        ReplicationGroupId="cache", ReplicationGroupDescription="c", Engine="valkey",
        CacheNodeType="cache.t4g.micro", NumCacheClusters=1,
    )  # fmt: skip
    return {"clusterName": "nowry", "serviceName": "backend", "targetGroupArn": arn, "distributionId": distribution,
            "bucketName": "site", "cacheId": "cache", "region": "us-east-1"}  # fmt: skip


def run_verify(endpoint: str, outputs: dict[str, str], *extra: str):
    return runner.invoke(app, ["verify", "prod", "--endpoint-url", endpoint, "--timeout", "1", "--interval", "0.2",
                               *extra], input=json.dumps(outputs))  # fmt: skip


def test_a_healthy_stack_passes_every_check(aws_env, web, monkeypatch):
    url, _ = web
    outputs = seed(aws_env, running=True, healthy=True, with_index=True, monkeypatch=monkeypatch)
    outputs |= {"siteUrl": url, "apiHealthUrl": f"{url}/api/health"}
    result = run_verify(aws_env, outputs)
    assert result.exit_code == 0, result.output
    for check in ("ECS service steady", "ALB targets healthy", "CloudFront deployed", "site bucket holds index.html",
                  "ElastiCache available", "site answers", "API health answers"):  # fmt: skip
        assert check in result.stdout
    assert "FAILED" not in result.stdout
    assert "skipped" in result.stdout  # no DocumentDB output here: moto has no DocumentDB


def test_an_unhealthy_stack_fails_naming_what_is_wrong(aws_env, web, monkeypatch):
    url, status = web
    status["code"] = 503
    outputs = seed(aws_env, running=False, healthy=False, with_index=False, monkeypatch=monkeypatch)
    outputs |= {"siteUrl": url, "apiHealthUrl": f"{url}/api/health"}
    aws = Aws("us-east-1", endpoint_url=aws_env)
    results = {r.name: r for r in verify(aws, outputs, timeout=0.5, interval=0.1)}
    assert results["ECS service steady"].ok is False and "0/2 running" in results["ECS service steady"].detail
    assert results["ALB targets healthy"].ok is False and "0/0" in results["ALB targets healthy"].detail
    assert results["site bucket holds index.html"].ok is False
    assert results["API health answers"].detail == "HTTP 503"
    assert results["CloudFront deployed"].ok is True
    result = run_verify(aws_env, outputs)
    assert result.exit_code == 1 and "FAILED" in result.stdout and "Traceback" not in result.output


def test_verify_waits_until_the_deadline_then_reports(aws_env, monkeypatch):
    outputs = seed(aws_env, running=False, healthy=True, with_index=True, monkeypatch=monkeypatch)
    ticks = iter(range(100))
    rounds: list[int] = []
    results = verify(Aws("us-east-1", endpoint_url=aws_env), {k: outputs[k] for k in ("clusterName", "serviceName")},
                     timeout=3, interval=1, clock=lambda: float(next(ticks)), sleep=lambda _: None,
                     on_progress=lambda r: rounds.append(len(r)))  # fmt: skip
    assert len(rounds) >= 2
    assert next(r for r in results if r.name == "ECS service steady").ok is False


def test_documentdb_status_from_a_recorded_answer():
    """moto has no DocumentDB: this check runs against a recorded DescribeDBClusters answer."""
    aws = Aws("us-east-1")
    client = aws.client("docdb")
    recorded = {"DBClusters": [{"DBClusterIdentifier": "database-prod", "Status": "available", "Engine": "docdb"}]}
    with Stubber(client) as stub:
        stub.add_response("describe_db_clusters", recorded, {"DBClusterIdentifier": "database-prod"})
        results = {r.name: r for r in verify(aws, {"databaseClusterId": "database-prod"}, timeout=0)}
    assert results["DocumentDB available"].ok is True
    creating = {"DBClusters": [{"DBClusterIdentifier": "database-prod", "Status": "creating", "Engine": "docdb"}]}
    with Stubber(client) as stub:
        stub.add_response("describe_db_clusters", creating, {"DBClusterIdentifier": "database-prod"})
        results = {r.name: r for r in verify(aws, {"databaseClusterId": "database-prod"}, timeout=0)}
    assert results["DocumentDB available"].ok is False and "creating" in results["DocumentDB available"].detail


def test_bad_outputs_and_missing_region_are_usage_errors(aws_env, tmp_path):
    missing = runner.invoke(app, ["verify", "prod", "--outputs", str(tmp_path / "none.json")])
    assert missing.exit_code == 2 and "cannot read stack outputs" in missing.stderr
    garbage = runner.invoke(app, ["verify", "prod"], input="not json")
    assert garbage.exit_code == 2 and "Traceback" not in garbage.output
