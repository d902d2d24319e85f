"""`nowry:usage`: the traffic and storage assumptions behind the cost estimate."""

from __future__ import annotations

from pydantic import (
    Field,
)

from infra.config.model.base import Section

USAGE_MAX = 1_000_000
"""The largest usage figure the estimate takes (a million GB, requests, ... a month)."""


class UsageConfig(Section):
    """`nowry:usage` — traffic and storage assumptions behind the cost estimate."""

    egress_gb: float = Field(50, ge=0, le=USAGE_MAX, description="GB a month served to viewers")
    requests_millions: float = Field(5, ge=0, le=USAGE_MAX, description="million HTTPS requests a month")
    alb_lcu: float = Field(1, ge=0, le=USAGE_MAX, description="average ALB load balancer capacity units")
    nat_gb: float = Field(20, ge=0, le=USAGE_MAX, description="GB a month through NAT gateways (when there are any)")
    log_gb: float = Field(5, ge=0, le=USAGE_MAX, description="GB of backend logs ingested a month")
    other_log_gb: float = Field(0.2, ge=0, le=USAGE_MAX, description="GB a month into each other log group")
    control_plane_log_gb: float = Field(
        10,
        ge=0,
        le=USAGE_MAX,
        description="GB a month of an EKS cluster's control-plane logs (kubernetes.cluster eks; the audit log is "
        "most of it, and grows with how often controllers call the API): an assumption until measured, read the "
        "log group's IncomingBytes after a day",
    )
    api_requests_millions: float = Field(
        3,
        ge=0,
        le=USAGE_MAX,
        description="million API requests a month that reach the backend (Cloud Run, Cloud Armor)",
    )
    api_request_ms: float = Field(
        200, ge=1, le=3_600_000, description="milliseconds an API request keeps a Cloud Run instance busy, on average"
    )
    firestore_reads_millions: float = Field(
        6, ge=0, le=USAGE_MAX, description="million Firestore read units a month (database.engine firestore)"
    )
    firestore_writes_millions: float = Field(
        1, ge=0, le=USAGE_MAX, description="million Firestore write units a month (database.engine firestore)"
    )
    database_storage_gb: float = Field(
        10, ge=0, le=USAGE_MAX, description="GB stored in the database (DocumentDB, Firestore)"
    )
    database_io_millions: float = Field(10, ge=0, le=USAGE_MAX, description="million DocumentDB I/Os a month")
    site_storage_gb: float = Field(1, ge=0, le=USAGE_MAX, description="GB of site files and their old versions in S3")
    image_storage_gb: float = Field(1, ge=0, le=USAGE_MAX, description="GB of images in ECR")
    redis_commands_thousands: float = Field(
        300, ge=0, le=USAGE_MAX, description="thousand Redis commands a month (Upstash)"
    )
    secret_calls_ten_thousands: float = Field(
        1, ge=0, le=USAGE_MAX, description="ten-thousands of secret reads a month"
    )
    access_log_gb: float = Field(
        1, ge=0, le=USAGE_MAX, description="GB a month of ALB and S3 access logs written to the log bucket"
    )
    cdn_log_gb: float = Field(
        0.5, ge=0, le=USAGE_MAX, description="GB a month of CloudFront access logs delivered to the log bucket"
    )
    backup_change_gb: float = Field(
        3, ge=0, le=USAGE_MAX, description="GB of database changes a month that new recovery points copy across regions"
    )
    apm_traces_millions: float = Field(
        0.5, ge=0, le=USAGE_MAX, description="million traces a month the APM records (observability.apm)"
    )
    apm_gb: float = Field(2, ge=0, le=USAGE_MAX, description="GB of traces and metrics a month sent to the APM")
    kms_requests_ten_thousands: float = Field(
        10, ge=0, le=USAGE_MAX, description="ten-thousands of requests a month to the stack's KMS key"
    )
