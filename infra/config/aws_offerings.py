"""What AWS offers, for validating the aws phase's config before anything is registered."""

from __future__ import annotations

REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ca-west-1",
    "sa-east-1", "mx-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1",
    "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "af-south-1", "me-south-1",
    "me-central-1", "il-central-1", "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
    "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
)  # fmt: skip
"""Commercial AWS regions."""

DOCUMENTDB_REGIONS = (
    "us-east-1", "us-east-2", "us-west-2", "ca-central-1", "sa-east-1", "mx-central-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "eu-south-1", "eu-south-2",
    "af-south-1", "me-central-1", "il-central-1", "ap-east-1", "ap-south-1", "ap-south-2",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
    "ap-southeast-3", "ap-southeast-5", "ap-southeast-7",
)  # fmt: skip
"""The commercial regions with DocumentDB instance-based clusters (Amazon DocumentDB developer guide,
Quotas and limits, supported regions: limits.html#limits-region_availability)."""


def _steps(start: int, stop: int, step: int) -> tuple[int, ...]:
    return tuple(range(start, stop + 1, step))


FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: _steps(1024, 4096, 1024),
    1024: _steps(2048, 8192, 1024),
    2048: _steps(4096, 16384, 1024),
    4096: _steps(8192, 30720, 1024),
    8192: _steps(16384, 61440, 4096),
    16384: _steps(32768, 122880, 8192),
}
"""Fargate's CPU units -> the memory sizes (MiB) it offers with them."""


def fargate_pairs_text() -> str:
    parts = []
    for cpu, memories in FARGATE_SIZES.items():
        low, high = memories[0], memories[-1]
        step = memories[1] - memories[0]
        shown = ", ".join(map(str, memories)) if len(memories) <= 3 else f"{low}-{high} in steps of {step}"
        parts.append(f"cpu {cpu}: memory {shown}")
    return "; ".join(parts)


DOCUMENTDB_INSTANCE_CLASSES = (
    "db.t3.medium", "db.t4g.medium",
    "db.r5.large", "db.r5.xlarge", "db.r5.2xlarge", "db.r5.4xlarge", "db.r5.12xlarge",
    "db.r5.24xlarge",
    "db.r6g.large", "db.r6g.xlarge", "db.r6g.2xlarge", "db.r6g.4xlarge", "db.r6g.8xlarge",
    "db.r6g.12xlarge", "db.r6g.16xlarge",
    "db.r8g.large", "db.r8g.xlarge", "db.r8g.2xlarge", "db.r8g.4xlarge", "db.r8g.8xlarge",
    "db.r8g.12xlarge", "db.r8g.16xlarge",
)  # fmt: skip
"""DocumentDB instance-based cluster classes."""

DOCUMENTDB_ENGINE_VERSIONS = ("4.0.0", "5.0.0")

CACHE_FAMILIES: dict[str, tuple[str, ...]] = {
    "valkey": ("t3", "t4g", "m5", "m6g", "m7g", "r5", "r6g", "r6gd", "r7g", "c7gn"),
    "redis": (
        "t2",
        "t3",
        "t4g",
        "m4",
        "m5",
        "m6g",
        "m7g",
        "r4",
        "r5",
        "r6g",
        "r6gd",
        "r7g",
        "c7gn",
    ),
}
"""ElastiCache node families each engine runs on (Valkey has no previous-generation nodes)."""

CACHE_SIZES = ("micro", "small", "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge",
               "12xlarge", "16xlarge", "24xlarge")  # fmt: skip

CACHE_ENGINE_VERSIONS = {"valkey": "8.0", "redis": "7.1"}


ELB_LOG_ACCOUNTS: dict[str, str] = {
    "us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980",
    "us-west-2": "797873946194", "af-south-1": "098369216593", "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580", "ap-south-1": "718504428378", "ap-northeast-3": "383597477331",
    "ap-northeast-2": "600734575887", "ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864", "ca-central-1": "985666609251", "eu-central-1": "054676820928",
    "eu-west-1": "156460612806", "eu-west-2": "652711504416", "eu-south-1": "635631232127",
    "eu-west-3": "009996457667", "eu-north-1": "897822967062", "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
}  # fmt: skip
"""The Elastic Load Balancing account that writes ALB access logs, per region that existed before
August 2022 (AWS, "Enable access logs for your Application Load Balancer"; the same table as
terraform-provider-aws internal/service/elb/service_account_data_source.go). Newer regions use the
``logdelivery.elasticloadbalancing.amazonaws.com`` service principal instead."""


def fargate_size(cpu: int, memory: int) -> tuple[int, int]:
    """The smallest Fargate task size holding ``cpu`` units and ``memory`` MiB (the backend and its
    sidecars); the largest size when nothing holds them."""
    for units, memories in FARGATE_SIZES.items():
        fits = [m for m in memories if m >= memory]
        if units >= cpu and fits:
            return units, fits[0]
    units = max(FARGATE_SIZES)
    return units, FARGATE_SIZES[units][-1]
