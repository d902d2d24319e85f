"""`nowry:aws`: the aws phase's network, logs, keys, WAF, alarms and disaster recovery."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
)

from infra.config.model.base import Section

NatStrategy = Literal["none", "single", "per-az"]
ClientIp = Literal["viewer", "forwarded"]
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827)
"""The retention periods CloudWatch Logs accepts."""
PRODUCTION_LOG_RETENTION_DAYS = 365
"""A year of logs on production stacks: Security Hub's CloudWatch.16 and Checkov's CKV_AWS_338."""
LOG_RETENTION_DAYS_DEFAULT = 30
DataKey = Literal["stack", "aws-owned"]


class WafConfig(Section):
    """`nowry:aws.waf` — the web ACL on the CloudFront distribution."""

    enabled: bool = Field(True, description="true or false")
    rate_limit: int = Field(100, ge=10, le=2_000_000_000, description="requests per client IP per evaluation window")
    window_seconds: Literal[60, 120, 300, 600] = Field(
        60, description="evaluation window in seconds: 60, 120, 300 or 600"
    )
    client_ip: ClientIp = Field(
        "viewer",
        description="viewer (the address CloudFront sees) or forwarded (X-Forwarded-For)",
    )


class MonitoringConfig(Section):
    """`nowry:aws.monitoring` — alarms, dashboard and alert emails."""

    enabled: bool = Field(True, description="true or false")
    emails: list[str] = Field(default_factory=list, description="addresses the alert topic emails")
    error_rate_percent: float = Field(5, gt=0, le=100, description="API 5xx percentage that alarms")
    latency_p95_seconds: float = Field(1.0, gt=0, le=60, description="API p95 latency in seconds that alarms, up to 60")
    blocked_requests: int = Field(
        500, ge=1, le=2_000_000_000, description="WAF blocked requests in 5 minutes that alarm"
    )
    storage_growth_gb_per_day: float = Field(
        1, gt=0, le=100_000, description="GB a day DocumentDB's storage may grow before it alarms"
    )


BackupIntervalHours = Literal[1, 2, 4, 6, 12, 24]


class DisasterRecoveryConfig(Section):
    """`nowry:aws.dr` — recovery points, images and secrets in a second region."""

    region: str | None = Field(
        None, description="the AWS region to recover in (another than the stack's); unset: no disaster recovery"
    )
    backup_every_hours: BackupIntervalHours = Field(
        1, description="hours between DocumentDB recovery points: 1, 2, 4, 6, 12 or 24 (AWS Backup's shortest is 1)"
    )
    retention_days: int = Field(7, ge=1, le=35, description="days every recovery point is kept, in both regions, 1-35")


class AwsConfig(Section):
    """`nowry:aws` — settings of the aws phase."""

    vpc_cidr: str = Field("10.0.0.0/16", description="an IPv4 CIDR block /16 to /22 for the VPC")
    availability_zones: int = Field(2, ge=2, le=3, description="availability zones, 2 or 3")
    nat: NatStrategy = Field("none", description="NAT gateways: none (tasks get public IPs), single or per-az")
    flow_logs: bool = Field(True, description="VPC flow logs of rejected traffic: true or false")
    log_retention_days: int | None = Field(
        None,
        description=f"days CloudWatch Logs and the log bucket keep logs: {PRODUCTION_LOG_RETENTION_DAYS} on production "
        f"stacks, {LOG_RETENTION_DAYS_DEFAULT} otherwise; one of " + ", ".join(map(str, LOG_RETENTION_DAYS)),
    )
    site_noncurrent_days: int = Field(
        30, ge=1, le=3650, description="days an old version of a site file is kept (the rollback window), 1-3650"
    )
    data_key: DataKey = Field(
        "stack",
        description="the key of the stores whose key cannot change in place (DocumentDB, the cache, ECR): stack "
        "(the stack's KMS key, which always encrypts logs, secrets and alerts) or aws-owned (AWS's keys, for a "
        "stack whose stores were created before the stack had a key: changing it replaces them)",
    )
    secret_recovery_days: int = Field(30, ge=7, le=30, description="Secrets Manager recovery window, 7-30 days")
    alb_certificate_arn: str | None = Field(
        None, description="regional ACM certificate ARN for HTTPS from CloudFront to the ALB"
    )
    alb_domain: str | None = Field(None, description="DNS name on that certificate that resolves to the ALB")
    waf: WafConfig = Field(default_factory=lambda: WafConfig.model_validate({}), description="web ACL settings")
    monitoring: MonitoringConfig = Field(
        default_factory=lambda: MonitoringConfig.model_validate({}), description="alarms and alerts"
    )
    dr: DisasterRecoveryConfig = Field(
        default_factory=lambda: DisasterRecoveryConfig.model_validate({}), description="disaster recovery"
    )
