"""`nowry-infra bootstrap` against moto's AWS server over real HTTP."""

from __future__ import annotations

import json

import boto3
import pytest
from typer.testing import CliRunner

from infra.aws_client import Aws, AwsError
from infra.tool.cli import app
from infra.tool.ops.bootstrap import StateBackend
from tests.aws_emulator import FaultyProxy

runner = CliRunner()


def s3(endpoint: str):
    return boto3.client("s3", region_name="us-east-1", endpoint_url=endpoint)


def bootstrap(endpoint: str, *extra: str):
    return runner.invoke(app, ["bootstrap", "--region", "us-east-1", "--endpoint-url", endpoint, *extra])


def test_bootstrap_creates_a_hardened_bucket_and_a_rotating_key(aws_env):
    result = bootstrap(aws_env, "--bucket", "nowry-state-test")
    assert result.exit_code == 0, result.output
    assert "created s3://nowry-state-test" in result.stdout
    assert "pulumi login s3://nowry-state-test" in result.stdout
    assert "--secrets-provider 'awskms://alias/nowry-pulumi-secrets?region=us-east-1'" in result.stdout
    client = s3(aws_env)
    assert client.get_bucket_versioning(Bucket="nowry-state-test")["Status"] == "Enabled"
    rule = client.get_bucket_encryption(Bucket="nowry-state-test")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    block = client.get_public_access_block(Bucket="nowry-state-test")["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    policy = json.loads(client.get_bucket_policy(Bucket="nowry-state-test")["Policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    rules = client.get_bucket_lifecycle_configuration(Bucket="nowry-state-test")["Rules"]
    assert rules[0]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 90
    kms = boto3.client("kms", region_name="us-east-1", endpoint_url=aws_env)
    key = kms.describe_key(KeyId="alias/nowry-pulumi-secrets")["KeyMetadata"]
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True


def test_a_second_run_changes_nothing_and_says_so(aws_env):
    assert bootstrap(aws_env, "--bucket", "nowry-state-test").exit_code == 0
    again = bootstrap(aws_env, "--bucket", "nowry-state-test")
    assert again.exit_code == 0
    assert "no changes" in again.stdout and "changed:" not in again.stdout


def test_default_bucket_name_uses_the_account_and_region(aws_env):
    result = bootstrap(aws_env)
    assert result.exit_code == 0
    assert "s3://nowry-pulumi-state-123456789012-us-east-1" in result.stdout


def test_a_weaker_existing_bucket_is_reported_precisely_and_fixed_only_with_fix(aws_env):
    client = s3(aws_env)
    client.create_bucket(Bucket="legacy-state")
    report = bootstrap(aws_env, "--bucket", "legacy-state")
    assert report.exit_code == 1
    for expected in ("public access block: expected all four flags on",
                     "versioning: expected Enabled, found never enabled",
                     "encryption: expected aws:kms", "bucket policy: expected deny requests without TLS",
                     "lifecycle: expected expire old versions after 90 days"):  # fmt: skip
        assert expected in report.stderr
    assert client.get_bucket_versioning(Bucket="legacy-state").get("Status") is None
    fixed = bootstrap(aws_env, "--bucket", "legacy-state", "--fix")
    assert fixed.exit_code == 0
    assert client.get_bucket_versioning(Bucket="legacy-state")["Status"] == "Enabled"
    assert "no changes" in bootstrap(aws_env, "--bucket", "legacy-state").stdout


def test_throttling_and_503s_are_retried(aws_env):
    proxy = FaultyProxy(aws_env, fail_first=1, status=503)
    with proxy.running() as endpoint:
        result = bootstrap(endpoint, "--bucket", "through-proxy")
    assert result.exit_code == 0, result.output
    assert proxy.failed == 1 and proxy.forwarded > 0
    throttled = FaultyProxy(aws_env, fail_first=1, status=400)
    with throttled.running() as endpoint:
        assert bootstrap(endpoint, "--bucket", "through-proxy", "--retry-mode", "adaptive").exit_code == 0
    assert throttled.failed == 1


def test_a_service_that_keeps_failing_is_a_clear_error(aws_env, monkeypatch):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")  # botocore's own setting, honoured: keeps the test short
    proxy = FaultyProxy(aws_env, always=True)
    with proxy.running() as endpoint:
        aws = Aws("us-east-1", endpoint_url=endpoint, max_attempts=3, timeout=2)
        with pytest.raises(AwsError, match="setting up the KMS key alias/nowry-pulumi-secrets"):
            StateBackend(aws, bucket="never").run()
        result = bootstrap(endpoint, "--bucket", "never")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert proxy.failed >= 3


def test_no_credentials_is_one_line(monkeypatch, moto_endpoint, tmp_path):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = bootstrap(moto_endpoint, "--bucket", "x")
    assert result.exit_code == 2
    assert "no AWS credentials found" in result.stderr
    assert "Traceback" not in result.output


def test_a_wrong_region_and_access_denied_are_one_line(aws_env, monkeypatch):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")  # each retry of a refused connection waits up to 2^n s
    unreachable = runner.invoke(app, ["bootstrap", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9",
                                      "--bucket", "x"])  # fmt: skip
    assert unreachable.exit_code == 2
    assert "cannot reach" in unreachable.stderr and "region" in unreachable.stderr
    from botocore.exceptions import ClientError

    from infra.aws_client import explained

    denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, "CreateBucket")
    with (
        pytest.raises(AwsError, match=r"^creating the bucket: access denied \(not allowed\)$"),
        explained("creating the bucket"),
    ):
        raise denied


@pytest.mark.parametrize("command", ["bootstrap", "verify prod", "migration-status prod", "dr prod", "advise prod"])
def test_an_unknown_retry_mode_is_refused_by_every_command_that_takes_one(command):
    result = runner.invoke(app, [*command.split(), "--retry-mode", "eager"])
    said = " ".join(result.stderr.replace("│", " ").split())  # the usage error's box, unwrapped
    assert result.exit_code == 2
    assert "Invalid value for '--retry-mode'" in said and "'eager' is not one of 'standard', 'adaptive'" in said


def test_the_standard_aws_endpoint_variable_is_honoured(aws_env, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_env)
    result = runner.invoke(app, ["bootstrap", "--region", "us-east-1", "--bucket", "by-env-endpoint"])
    assert result.exit_code == 0, result.output
    assert s3(aws_env).get_bucket_versioning(Bucket="by-env-endpoint")["Status"] == "Enabled"
