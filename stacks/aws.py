"""The ``aws`` phase (10K+ users): S3 + CloudFront, ECS Fargate behind an internal ALB,
ElastiCache (Valkey) and DocumentDB (or Atlas M20), all behind one CloudFront URL.

Traffic: viewer -> CloudFront (WAF) -> S3 for the site, -> VPC origin -> internal ALB ->
Fargate tasks for ``/api/*``; tasks -> DocumentDB and the cache inside the VPC.
Cost of the shipped prod stack at default usage: under $130/month, every line from the price
catalog (``nowry-infra cost prod``; docs/costs.md).
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws.app_secrets import AppSecrets, AppSecretsArgs
from components.aws.cache import Cache, CacheArgs
from components.aws.container_service import ContainerService, ContainerServiceArgs, Placement, Scaling, TaskSpec
from components.aws.data_migration import DataMigration, DataMigrationArgs
from components.aws.disaster_recovery import DisasterRecovery, DisasterRecoveryArgs, dr_key
from components.aws.document_database import DocumentDatabase, DocumentDatabaseArgs
from components.aws.image_repository import ImageRepository, ImageRepositoryArgs, ecr_repository_arn
from components.aws.load_balancer import LoadBalancer, LoadBalancerArgs
from components.aws.log_bucket import LogBucket, LogBucketArgs
from components.aws.monitoring import Monitoring, MonitoringArgs, Watched
from components.aws.network import Network
from components.aws.security_groups import AppSecurityGroups, AppSecurityGroupsArgs
from components.aws.stack_key import StackKey
from components.aws.static_site import ApiOrigin, StaticSite, StaticSiteArgs
from components.aws.telemetry import SECRET_VARIABLES, TaskSidecars, Telemetry, TelemetryArgs, better_stack_header
from components.aws.waf import Waf, WafArgs
from infra.config.model import SECRETS, StackConfig, image_tag_and_digest
from infra.config.mongo_uri import MongoSource, offline_source, parse_mongo_uri
from stacks.common import app_secrets, aws_network, stack_key


def build(config: StackConfig) -> dict[str, Any]:
    """Network and firewall, the data stores and secrets, the API behind the ALB, the edge,
    and the alarms; returns the stack outputs."""
    key, account_id = stack_key(config)
    data_key = key.key.arn if config.aws.data_key == "stack" else None
    logs = LogBucket(
        "logs",
        LogBucketArgs(
            region=config.aws_region,
            account_id=account_id,
            retention_days=config.log_retention_days,
            protect=config.protect,
        ),
    )
    network = aws_network(config, key.key.arn)
    firewall = _firewall(config, network)
    mongo_uri, documentdb = _database(config, network, firewall, key, data_key)
    recovery_key = (
        dr_key("recovery", config.aws.dr.region, account_id, config.protect) if config.aws.dr.region else None
    )
    cache = _cache(config, network, firewall, data_key)
    config_secrets = {**app_secrets(config), **_telemetry_secrets(config)}
    secret_values: dict[str, pulumi.Input[str]] = {**config_secrets, "MONGO_URI": mongo_uri}
    if cache is not None:
        secret_values["REDIS_URL"] = cache.url
    secrets = AppSecrets(
        "secrets",
        AppSecretsArgs(
            values=secret_values,
            recovery_window_days=config.aws.secret_recovery_days,
            protect=config.protect,
            name_prefix=f"{config.project}/{config.stack}",
            kms_key_arn=key.key.arn,
            replica_region=config.aws.dr.region,
            replicated=frozenset(config_secrets),
            replica_key_arn=recovery_key.arn if recovery_key else None,
        ),
    )
    images = _images(config, data_key)
    if documentdb is not None and recovery_key is not None:
        _disaster_recovery(config, account_id, key, recovery_key, documentdb, images)
    balancer = _load_balancer(config, network, firewall, logs)
    service = _service(config, network, firewall, images, balancer, secrets, key.key.arn)
    waf = _waf(config, key.edge_key_arn, account_id)
    monitoring = None
    if config.aws.monitoring.enabled:
        settings = config.aws.monitoring
        monitoring = Monitoring(
            "monitoring",
            MonitoringArgs(
                region=config.aws_region,
                emails=list(dict.fromkeys([*settings.emails, *filter(None, [config.alerts.email])])),
                watched=Watched(
                    load_balancer=balancer.metric_dimensions,
                    target=balancer.target_dimensions,
                    service=service.metric_dimensions,
                    database=documentdb.metric_dimensions if documentdb else None,
                    database_instances=documentdb.instance_dimensions if documentdb else [],
                    cache=cache.metric_dimensions if cache else None,
                    waf=waf.metric_dimensions if waf else None,
                ),
                error_rate_percent=settings.error_rate_percent,
                latency_p95_seconds=settings.latency_p95_seconds,
                blocked_requests=settings.blocked_requests,
                max_tasks=config.backend.max_count,
                storage_growth_gb_per_day=settings.storage_growth_gb_per_day,
                kms_key_arn=key.key.arn,
            ),
        )
    migration = None
    if documentdb is not None and config.database.migration_source is not None:
        migration = _migration(config, network, firewall, documentdb, key, monitoring)
    site = _site(config, balancer, waf, logs)
    health_path = config.backend.health_path
    return {
        "siteUrl": site.url,
        "apiUrl": site.url.apply(lambda url: f"{url}/api"),
        "clusterName": service.cluster.name,
        "serviceName": service.service.name,
        "bucketName": site.bucket.bucket,
        "distributionId": site.distribution.id,
        "targetGroupArn": balancer.target_group.arn,
        "apiHealthUrl": site.url.apply(lambda url: f"{url}/api{health_path}"),
        "region": config.aws_region,
        **({"databaseClusterId": documentdb.cluster.cluster_identifier} if documentdb else {}),
        **({"databaseInstanceIds": [i.identifier for i in documentdb.instances]} if documentdb else {}),
        **({"cacheId": cache.replication_group.id} if cache else {}),
        **({"repositoryUrl": images.repository.repository_url} if images else {}),
        **(
            {
                "migrationTaskArn": migration.task.replication_task_arn,
                "migrationInstanceId": migration.instance.replication_instance_id,
            }
            if migration
            else {}
        ),
    }


def _firewall(config: StackConfig, network: Network) -> AppSecurityGroups:
    """CloudFront -> ALB -> tasks -> database/cache, each hop one security-group rule."""
    return AppSecurityGroups(
        "firewall",
        AppSecurityGroupsArgs(
            vpc_id=network.vpc.id,
            listener_port=443 if config.aws.alb_certificate_arn is not None else 80,
            app_port=config.backend.port,
            database_port=config.database.port if config.database_engine == "documentdb" else None,
            cache_port=6379 if config.cache.enabled else None,
        ),
    )


def _cache(
    config: StackConfig, network: Network, firewall: AppSecurityGroups, data_key: pulumi.Input[str] | None
) -> Cache | None:
    if not config.cache.enabled:
        return None
    assert firewall.cache is not None
    settings = config.cache
    return Cache(
        "cache",
        CacheArgs(
            subnet_ids=network.private_subnet_ids,
            security_group_id=firewall.cache.id,
            engine=settings.engine,
            node_type=settings.node_type,
            nodes=settings.nodes,
            snapshot_retention_days=settings.snapshot_retention_days,
            protect=config.protect,
            kms_key_arn=data_key,
        ),
    )


def _images(config: StackConfig, data_key: pulumi.Input[str] | None) -> ImageRepository | None:
    """The ECR repository and the image built into it, when the stack builds the image; an
    image published elsewhere (``backend.image``) needs no repository of the stack's."""
    backend = config.backend
    if backend.context is None:
        return None
    return ImageRepository(
        "backend-images",
        ImageRepositoryArgs(
            context=str(config.resolve_path(backend.context)),
            dockerfile=backend.dockerfile,
            platform=f"linux/{'arm64' if backend.architecture == 'arm64' else 'amd64'}",
            protect=config.protect,
            kms_key_arn=data_key,
        ),
    )


def _load_balancer(config: StackConfig, network: Network, firewall: AppSecurityGroups, logs: LogBucket) -> LoadBalancer:
    return LoadBalancer(
        "api",
        LoadBalancerArgs(
            vpc_id=network.vpc.id,
            subnet_ids=network.private_subnet_ids,
            security_group_id=firewall.alb.id,
            app_port=config.backend.port,
            health_path=config.backend.health_path,
            certificate_arn=config.aws.alb_certificate_arn,
            deletion_protection=config.protect,
            access_logs=logs,
        ),
    )


def _service(
    config: StackConfig,
    network: Network,
    firewall: AppSecurityGroups,
    images: ImageRepository | None,
    balancer: LoadBalancer,
    secrets: AppSecrets,
    key_arn: pulumi.Input[str],
) -> ContainerService:
    backend = config.backend
    telemetry = _telemetry(config, secrets, key_arn, images)
    if images is not None:
        image, repository_arn = images.image_ref, images.repository.arn
    else:
        assert backend.image is not None, "validated: exactly one of backend.image and backend.context"
        image, repository_arn = backend.image, ecr_repository_arn(backend.image)
    return ContainerService(
        "backend",
        ContainerServiceArgs(
            task=TaskSpec(
                image=image,
                port=backend.port,
                cpu=backend.cpu,
                memory=backend.memory,
                architecture=backend.architecture,
                user=backend.user,
                env={"PORT": str(backend.port), **backend.env},
            ),
            placement=Placement(
                subnet_ids=network.private_subnet_ids if network.has_nat else network.public_subnet_ids,
                security_group_id=firewall.backend.id,
                assign_public_ip=not network.has_nat,
            ),
            scaling=Scaling(
                desired=backend.desired_count,
                minimum=backend.min_count,
                maximum=backend.max_count,
                cpu_target=backend.cpu_target,
                requests_per_target=backend.requests_per_target,
            ),
            load_balancer=balancer,
            secret_arns={k: v for k, v in secrets.arns.items() if k not in SECRET_VARIABLES.values()},
            repository_arn=repository_arn,
            region=config.aws_region,
            log_retention_days=config.log_retention_days,
            kms_key_arn=key_arn,
            sidecars=telemetry,
        ),
        opts=pulumi.ResourceOptions(depends_on=[balancer]),
    )


def _telemetry_secrets(config: StackConfig) -> dict[str, pulumi.Output[str]]:
    """The credentials of the chosen APM and log destination (the secret keys whose setting is
    chosen), stored beside the app's secrets (and replicated with them) but read only by the
    sidecars, never by the backend."""
    found: dict[str, pulumi.Output[str]] = {}
    for spec in SECRETS:
        value = config.secrets.get(spec.key)
        if spec.needed_when is None or value is None or not spec.needed(vars(config)):
            continue
        choice = spec.needed_when[2]
        text = value.reveal()
        found[SECRET_VARIABLES[choice]] = (
            better_stack_header(text) if choice == "betterstack" else pulumi.Output.secret(text)
        )
    return found


def service_version(config: StackConfig, images: ImageRepository | None) -> str:
    """The version traces carry: the image's tag (or the start of its digest), or the tag the stack
    builds its image under."""
    if images is not None:
        return images.tag
    assert config.backend.image is not None, "validated: exactly one of backend.image and backend.context"
    tag, digest = image_tag_and_digest(config.backend.image)
    return digest.removeprefix("sha256:")[:12] if digest else tag


def _telemetry(
    config: StackConfig, secrets: AppSecrets, key_arn: pulumi.Input[str], images: ImageRepository | None
) -> TaskSidecars:
    """The sidecars ``nowry:observability`` chooses (none by default)."""
    settings = config.observability
    if settings.apm == "none" and settings.logs == "cloudwatch":
        return TaskSidecars()
    telemetry = Telemetry(
        "telemetry",
        TelemetryArgs(
            apm=settings.apm,
            logs=settings.logs,
            service_name=settings.service_name,
            environment=config.stack,
            version=service_version(config, images),
            region=config.aws_region,
            collector_image=settings.collector_image,
            datadog_image=settings.datadog_image,
            log_router_image=settings.log_router_image,
            datadog_site=settings.datadog_site,
            new_relic_region=settings.new_relic_region,
            better_stack_host=settings.better_stack_host,
            secret_arns=secrets.arns,
            log_retention_days=config.log_retention_days,
            kms_key_arn=key_arn,
        ),
    )
    return telemetry.sidecars


def _disaster_recovery(
    config: StackConfig,
    account_id: pulumi.Input[str],
    key: StackKey,
    recovery_key: aws.kms.Key,
    documentdb: DocumentDatabase,
    images: ImageRepository | None,
) -> DisasterRecovery:
    """Recovery points copied to ``aws.dr.region``, images replicated there (secrets: ``AppSecrets``)."""
    settings = config.aws.dr
    assert settings.region is not None
    return DisasterRecovery(
        "recovery",
        DisasterRecoveryArgs(
            region=config.aws_region,
            dr_region=settings.region,
            account_id=account_id,
            key_arn=key.key.arn,
            dr_key=recovery_key,
            database_arn=documentdb.cluster.arn,
            every_hours=settings.backup_every_hours,
            retention_days=settings.retention_days,
            image_repository_name=images.repository.name if images else None,
            protect=config.protect,
        ),
    )


def _migration(
    config: StackConfig,
    network: Network,
    firewall: AppSecurityGroups,
    documentdb: DocumentDatabase,
    key: StackKey,
    monitoring: Monitoring | None,
) -> DataMigration:
    """DMS copying the source (``database.migrationSource``) into DocumentDB: full load, then CDC."""
    assert config.database.migration_source is not None and firewall.database is not None
    uri = config.database.migration_source.get_secret_value()
    parsed = parse_mongo_uri(uri)
    source = parsed if isinstance(parsed, MongoSource) else offline_source(uri)
    bundle = config.resolve_path(config.database.migration_ca_bundle)
    return DataMigration(
        "migration",
        DataMigrationArgs(
            source=source,
            database=documentdb,
            database_name=config.database.name,
            database_port=config.database.port,
            database_security_group_id=firewall.database.id,
            vpc_id=network.vpc.id,
            subnet_ids=network.private_subnet_ids,
            region=config.aws_region,
            kms_key_arn=key.key.arn,
            ca_bundle_pem=bundle.read_text() if bundle.is_file() else None,
            log_retention_days=config.log_retention_days,
            alarm_topic_arn=monitoring.topic.arn if monitoring else None,
        ),
    )


def _waf(config: StackConfig, log_key_arn: pulumi.Input[str], account_id: pulumi.Input[str]) -> Waf | None:
    settings = config.aws.waf
    if not settings.enabled:
        return None
    return Waf(
        "waf",
        WafArgs(
            rate_limit=settings.rate_limit,
            window_seconds=settings.window_seconds,
            client_ip=settings.client_ip,
            log_retention_days=config.log_retention_days,
            log_key_arn=log_key_arn,
            account_id=account_id,
        ),
    )


def _site(config: StackConfig, balancer: LoadBalancer, waf: Waf | None, logs: LogBucket) -> StaticSite:
    frontend = config.frontend
    return StaticSite(
        "site",
        StaticSiteArgs(
            static_dir=config.resolve_path(frontend.static_dir) if frontend.static_dir else None,
            api=ApiOrigin(
                domain_name=config.aws.alb_domain or balancer.alb.dns_name,
                vpc_origin_id=balancer.vpc_origin.id,
            ),
            domain=frontend.domain,
            certificate_arn=frontend.certificate_arn,
            web_acl_arn=waf.web_acl.arn if waf else None,
            protect=config.protect,
            noncurrent_version_days=config.aws.site_noncurrent_days,
            logs=logs,
        ),
    )


def _database(
    config: StackConfig,
    network: Network,
    firewall: AppSecurityGroups,
    key: StackKey,
    data_key: pulumi.Input[str] | None,
) -> tuple[pulumi.Output[str], DocumentDatabase | None]:
    """The app's database and its connection string: Atlas, or DocumentDB in the VPC."""
    database = config.database
    if config.database_engine == "atlas":
        from stacks.atlas import atlas_database

        nat_cidrs = [ip.apply(lambda address: f"{address}/32") for ip in network.nat_public_ips]
        if not nat_cidrs and not config.atlas.ip_access_list:
            pulumi.log.warn(
                "database.engine is atlas with aws.nat none: the backend's tasks connect from "
                "changing public IPs that no Atlas access list can name. Set aws.nat to single "
                "(its address is allowed automatically) or list addresses in atlas.ipAccessList."
            )
        return atlas_database(config, tier=config.atlas_tier, extra_access=nat_cidrs).uri, None
    assert firewall.database is not None
    documentdb = DocumentDatabase(
        "database",
        DocumentDatabaseArgs(
            subnet_ids=network.private_subnet_ids,
            security_group_id=firewall.database.id,
            database=database.name,
            instance_class=database.instance_class,
            instances=database.instances,
            engine_version=database.engine_version,
            backup_retention_days=database.backup_retention_days,
            tls_ca_file=database.tls_ca_file,
            port=database.port,
            protect=config.protect,
            log_retention_days=config.log_retention_days,
            storage_key_arn=data_key,
            log_key_arn=key.key.arn,
            restore_from_snapshot=database.restore_from_snapshot,
            pool_options=config.backend.db_pool.uri_options,
        ),
    )
    return documentdb.uri, documentdb
