"""Checks of the aws phase's config against what AWS offers (aws_offerings)."""

from __future__ import annotations

import ipaddress
import re

from infra.config.aws_offerings import (
    CACHE_FAMILIES,
    CACHE_SIZES,
    DOCUMENTDB_ENGINE_VERSIONS,
    DOCUMENTDB_INSTANCE_CLASSES,
    DOCUMENTDB_REGIONS,
    FARGATE_SIZES,
    REGIONS,
    fargate_pairs_text,
)
from infra.config.errors import CheckContext, ConfigIssue
from infra.config.model import (
    LOG_RETENTION_DAYS,
    AwsConfig,
    BackendConfig,
    CacheConfig,
    DatabaseConfig,
    FrontendConfig,
    StackConfig,
)

DEFAULT_REGION = "us-east-1"
DOCUMENTDB_PORTS = (1150, 65535)
"""The ports DocumentDB accepts (terraform-provider-aws docdb cluster.go: IntBetween(1150, 65535))."""
ACM_ARN = re.compile(r"^arn:aws:acm:(?P<region>[a-z0-9-]+):\d{12}:certificate/[0-9a-f-]{36}$")


def check(config: StackConfig, ctx: CheckContext) -> None:
    """Every problem of an aws-phase config, against what AWS offers."""
    region, backend, frontend, database, cache, aws = (
        config.aws_region,
        config.backend,
        config.frontend,
        config.database,
        config.cache,
        config.aws,
    )
    issues = ctx.issues
    documentdb = config.database_engine == "documentdb"
    if region not in REGIONS:
        issues.append(ConfigIssue("aws:region", "is not an AWS region", repr(region), ", ".join(REGIONS)))
    elif documentdb and region not in DOCUMENTDB_REGIONS:
        issues.append(ConfigIssue("aws:region", "has no Amazon DocumentDB (instance-based clusters)", repr(region),
                                  f"{', '.join(DOCUMENTDB_REGIONS)}; or nowry:database.engine: atlas"))  # fmt: skip
    _fargate(backend, issues)
    _frontend(frontend, issues)
    if documentdb:
        _documentdb(database, issues)
    if cache.enabled:
        _cache(cache, issues)
    _network(aws, region, issues)
    _disaster_recovery(config, issues)
    _writable_tmp(config, ctx.warnings)


TMP_VOLUME = re.compile(r"^\s*VOLUME\s+.*[\s\[\"']/tmp[\s\"',\]]", re.MULTILINE | re.IGNORECASE)


def _writable_tmp(config: StackConfig, warnings: list[str]) -> None:
    """Fargate creates the task's ``/tmp`` volume owned by root, mode 0755, unless the image
    declares the path as a ``VOLUME``, whose permissions it then copies (ECS developer guide, bind
    mounts; aws/containers-roadmap#938): the backend's non-root user can write there only then."""
    backend = config.backend
    if backend.context is None:
        return
    context = config.resolve_path(backend.context)
    dockerfile = context / (backend.dockerfile or "Dockerfile")
    if dockerfile.is_file() and not TMP_VOLUME.search(dockerfile.read_text(errors="replace") + "\n"):
        warnings.append(
            f"{dockerfile.name} in nowry:backend.context declares no VOLUME /tmp: on Fargate the task's /tmp is then "
            f"owned by root (0755) and user {backend.user} cannot write there; add `RUN chmod 1777 /tmp` and "
            "`VOLUME /tmp` to it (docs/deploying.md)"
        )


def _disaster_recovery(config: StackConfig, issues: list[ConfigIssue]) -> None:
    dr = config.aws.dr
    if dr.region is not None:
        if dr.region not in REGIONS:
            issues.append(
                ConfigIssue("nowry:aws.dr.region", "is not an AWS region", repr(dr.region), ", ".join(REGIONS))
            )
        elif dr.region == config.aws_region:
            issues.append(ConfigIssue("nowry:aws.dr.region", "is the stack's own region: a lost region takes both",
                                      repr(dr.region), f"any AWS region but {config.aws_region}"))  # fmt: skip
        elif config.database_engine == "documentdb" and dr.region not in DOCUMENTDB_REGIONS:
            issues.append(ConfigIssue("nowry:aws.dr.region", "has no Amazon DocumentDB to restore the cluster in",
                                      repr(dr.region), ", ".join(DOCUMENTDB_REGIONS)))  # fmt: skip
        if config.database_engine != "documentdb":
            issues.append(ConfigIssue("nowry:aws.dr.region", "backs up DocumentDB; this stack's database is "
                                      f"{config.database_engine} (Atlas keeps its own backups)", repr(dr.region),
                                      "database.engine: documentdb"))  # fmt: skip


def _fargate(backend: BackendConfig, issues: list[ConfigIssue]) -> None:
    memories = FARGATE_SIZES.get(backend.cpu)
    if memories is None:
        issues.append(
            ConfigIssue(
                "nowry:backend.cpu",
                "is not a Fargate CPU size",
                str(backend.cpu),
                ", ".join(map(str, FARGATE_SIZES)),
            )
        )
    elif backend.memory not in memories:
        issues.append(
            ConfigIssue(
                "nowry:backend.memory",
                f"Fargate does not offer this memory with cpu {backend.cpu}",
                str(backend.memory),
                fargate_pairs_text(),
            )
        )


def _frontend(frontend: FrontendConfig, issues: list[ConfigIssue]) -> None:
    if frontend.image or frontend.context:
        issues.append(
            ConfigIssue(
                "nowry:frontend",
                "the aws phase serves a built site from S3 + CloudFront, not an image",
                "image" if frontend.image else "context",
                "nowry:frontend.staticDir",
            )
        )
    if frontend.domain and not frontend.certificate_arn:
        issues.append(
            ConfigIssue(
                "nowry:frontend.certificateArn",
                f"is required with frontend.domain ({frontend.domain})",
                None,
                "an ACM certificate ARN in us-east-1 covering the domain",
            )
        )
    if frontend.certificate_arn:
        match = ACM_ARN.fullmatch(frontend.certificate_arn)
        if not match or match["region"] != "us-east-1":
            issues.append(
                ConfigIssue(
                    "nowry:frontend.certificateArn",
                    "must be an ACM certificate ARN in us-east-1 (CloudFront reads only there)",
                    repr(frontend.certificate_arn),
                    "arn:aws:acm:us-east-1:<account>:certificate/<id>",
                )
            )
        if not frontend.domain:
            issues.append(
                ConfigIssue(
                    "nowry:frontend.domain",
                    "is required with frontend.certificateArn",
                    None,
                    "the DNS name the certificate covers",
                )
            )


def _documentdb(database: DatabaseConfig, issues: list[ConfigIssue]) -> None:
    if database.instance_class not in DOCUMENTDB_INSTANCE_CLASSES:
        issues.append(
            ConfigIssue(
                "nowry:database.instanceClass",
                "is not a DocumentDB instance class",
                repr(database.instance_class),
                ", ".join(DOCUMENTDB_INSTANCE_CLASSES),
            )
        )
    if not DOCUMENTDB_PORTS[0] <= database.port <= DOCUMENTDB_PORTS[1]:
        # terraform-provider-aws internal/service/docdb/cluster.go: port ValidateFunc IntBetween(1150, 65535)
        issues.append(
            ConfigIssue(
                "nowry:database.port",
                "is a port DocumentDB refuses",
                str(database.port),
                f"{DOCUMENTDB_PORTS[0]}-{DOCUMENTDB_PORTS[1]} (DocumentDB's range)",
            )
        )
    if database.engine_version not in DOCUMENTDB_ENGINE_VERSIONS:
        issues.append(
            ConfigIssue(
                "nowry:database.engineVersion",
                "is not a DocumentDB engine version",
                repr(database.engine_version),
                ", ".join(DOCUMENTDB_ENGINE_VERSIONS),
            )
        )


def _cache(cache: CacheConfig, issues: list[ConfigIssue]) -> None:
    families = CACHE_FAMILIES[cache.engine]
    parts = cache.node_type.split(".")
    allowed = f"cache.<family>.<size> with family one of {', '.join(families)}"
    if len(parts) != 3 or parts[0] != "cache" or parts[2] not in CACHE_SIZES:
        issues.append(ConfigIssue("nowry:cache.nodeType", "is not a cache node type", repr(cache.node_type), allowed))
    elif parts[1] not in families:
        issues.append(
            ConfigIssue(
                "nowry:cache.nodeType",
                f"{cache.engine} does not run on {parts[1]} nodes",
                repr(cache.node_type),
                allowed,
            )
        )


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)


def _network(aws: AwsConfig, region: str, issues: list[ConfigIssue]) -> None:
    for index, email in enumerate(aws.monitoring.emails):
        if not EMAIL.fullmatch(email):
            issues.append(
                ConfigIssue(
                    f"nowry:aws.monitoring.emails[{index}]", "is not an email address", repr(email), "name@example.com"
                )
            )
    try:
        network = ipaddress.IPv4Network(aws.vpc_cidr)
        if not 16 <= network.prefixlen <= 22:
            raise ValueError(network.prefixlen)
    except ValueError:
        issues.append(
            ConfigIssue(
                "nowry:aws.vpcCidr",
                "is not an IPv4 CIDR block /16-/22",
                repr(aws.vpc_cidr),
                "e.g. 10.0.0.0/16",
            )
        )
    if aws.log_retention_days is not None and aws.log_retention_days not in LOG_RETENTION_DAYS:
        issues.append(
            ConfigIssue(
                "nowry:aws.logRetentionDays",
                "is not a retention CloudWatch Logs offers",
                str(aws.log_retention_days),
                ", ".join(map(str, LOG_RETENTION_DAYS)),
            )
        )
    if bool(aws.alb_certificate_arn) != bool(aws.alb_domain):
        missing = "albDomain" if aws.alb_certificate_arn else "albCertificateArn"
        issues.append(
            ConfigIssue(
                f"nowry:aws.{missing}",
                "albCertificateArn and albDomain go together (HTTPS to the ALB needs both)",
                None,
                "both set, or neither",
            )
        )
    if aws.alb_certificate_arn:
        match = ACM_ARN.fullmatch(aws.alb_certificate_arn)
        if not match or match["region"] != region:
            issues.append(
                ConfigIssue(
                    "nowry:aws.albCertificateArn",
                    f"must be an ACM certificate ARN in the stack's region ({region})",
                    repr(aws.alb_certificate_arn),
                    f"arn:aws:acm:{region}:<account>:certificate/<id>",
                )
            )
