"""The ``aws`` phase (10K+ users): S3 + CloudFront, ECS Fargate behind an internal ALB,
ElastiCache (Valkey) and DocumentDB (or Atlas M20), all behind one CloudFront URL.

Traffic: viewer -> CloudFront (WAF) -> S3 for the site, -> VPC origin -> internal ALB ->
Fargate tasks for ``/api/*``; tasks -> DocumentDB and the cache inside the VPC.
Cost of the shipped prod stack at default usage: ~$125/month, every line from the price
catalog (``nowry-infra cost prod``; docs/costs.md).
"""

from __future__ import annotations

from typing import Any

import pulumi

from components.aws.app_secrets import AppSecrets, AppSecretsArgs
from components.aws.cache import Cache, CacheArgs
from components.aws.container_service import ContainerService, ContainerServiceArgs, Placement, Scaling, TaskSpec
from components.aws.document_database import DocumentDatabase, DocumentDatabaseArgs
from components.aws.image_repository import ImageRepository, ImageRepositoryArgs
from components.aws.load_balancer import LoadBalancer, LoadBalancerArgs
from components.aws.monitoring import Monitoring, MonitoringArgs, Watched
from components.aws.network import Network
from components.aws.security_groups import AppSecurityGroups, AppSecurityGroupsArgs
from components.aws.static_site import ApiOrigin, StaticSite, StaticSiteArgs
from components.aws.waf import Waf, WafArgs
from infra.config.model import StackConfig
from stacks.common import app_secrets, aws_network


def build(config: StackConfig) -> dict[str, Any]:
    aws_cfg, backend_cfg = config.aws, config.backend
    prefix = f"{config.project}/{config.stack}"
    network = aws_network(config)
    in_vpc_database = config.database_engine == "documentdb"
    https_to_alb = aws_cfg.alb_certificate_arn is not None
    firewall = AppSecurityGroups(
        "firewall",
        AppSecurityGroupsArgs(
            vpc_id=network.vpc.id,
            listener_port=443 if https_to_alb else 80,
            app_port=backend_cfg.port,
            database_port=config.database.port if in_vpc_database else None,
            cache_port=6379 if config.cache.enabled else None,
        ),
    )
    secret_values: dict[str, pulumi.Input[str]] = dict(app_secrets(config))
    secret_values["MONGO_URI"], documentdb = _database(config, network, firewall)
    data_outputs: dict[str, Any] = {}
    if documentdb is not None:
        data_outputs["databaseClusterId"] = documentdb.cluster.cluster_identifier
    cache: Cache | None = None
    if config.cache.enabled:
        assert firewall.cache is not None
        cache = Cache(
            "cache",
            CacheArgs(
                subnet_ids=network.private_subnet_ids,
                security_group_id=firewall.cache.id,
                engine=config.cache.engine,
                node_type=config.cache.node_type,
                nodes=config.cache.nodes,
                snapshot_retention_days=config.cache.snapshot_retention_days,
                protect=config.protect,
            ),
        )
        secret_values["REDIS_URL"] = cache.url
        data_outputs["cacheId"] = cache.replication_group.id
    secrets = AppSecrets(
        "secrets",
        AppSecretsArgs(
            values=secret_values,
            recovery_window_days=aws_cfg.secret_recovery_days,
            protect=config.protect,
            name_prefix=prefix,
        ),
    )
    images = ImageRepository(
        "backend-images",
        ImageRepositoryArgs(
            image=backend_cfg.image,
            context=str(config.resolve_path(backend_cfg.context)) if backend_cfg.context else None,
            dockerfile=backend_cfg.dockerfile,
            platform=f"linux/{'arm64' if backend_cfg.architecture == 'arm64' else 'amd64'}",
            protect=config.protect,
        ),
    )
    balancer = LoadBalancer(
        "api",
        LoadBalancerArgs(
            vpc_id=network.vpc.id,
            subnet_ids=network.private_subnet_ids,
            security_group_id=firewall.alb.id,
            app_port=backend_cfg.port,
            health_path=backend_cfg.health_path,
            certificate_arn=aws_cfg.alb_certificate_arn,
            deletion_protection=config.protect,
        ),
    )
    service = ContainerService(
        "backend",
        ContainerServiceArgs(
            task=TaskSpec(
                image=images.image_ref,
                port=backend_cfg.port,
                cpu=backend_cfg.cpu,
                memory=backend_cfg.memory,
                architecture=backend_cfg.architecture,
                user=backend_cfg.user,
                env={"PORT": str(backend_cfg.port), **backend_cfg.env},
            ),
            placement=Placement(
                subnet_ids=network.private_subnet_ids if network.has_nat else network.public_subnet_ids,
                security_group_id=firewall.backend.id,
                assign_public_ip=not network.has_nat,
            ),
            scaling=Scaling(
                desired=backend_cfg.desired_count,
                minimum=backend_cfg.min_count,
                maximum=backend_cfg.max_count,
                cpu_target=backend_cfg.cpu_target,
                requests_per_target=backend_cfg.requests_per_target,
            ),
            load_balancer=balancer,
            secret_arns=secrets.arns,
            repository_arn=images.repository.arn,
            region=config.aws_region,
            log_retention_days=aws_cfg.log_retention_days,
        ),
        opts=pulumi.ResourceOptions(depends_on=[balancer]),
    )
    waf = (
        Waf(
            "waf",
            WafArgs(
                rate_limit=aws_cfg.waf.rate_limit,
                window_seconds=aws_cfg.waf.window_seconds,
                client_ip=aws_cfg.waf.client_ip,
            ),
        )
        if aws_cfg.waf.enabled
        else None
    )
    if aws_cfg.monitoring.enabled:
        monitoring = aws_cfg.monitoring
        Monitoring(
            "monitoring",
            MonitoringArgs(
                region=config.aws_region,
                emails=monitoring.emails,
                watched=Watched(balancer, service, documentdb, cache, waf),
                error_rate_percent=monitoring.error_rate_percent,
                latency_p95_seconds=monitoring.latency_p95_seconds,
                blocked_requests=monitoring.blocked_requests,
            ),
        )
    frontend = config.frontend
    site = StaticSite(
        "site",
        StaticSiteArgs(
            static_dir=config.resolve_path(frontend.static_dir) if frontend.static_dir else None,
            api=ApiOrigin(
                domain_name=aws_cfg.alb_domain or balancer.alb.dns_name,
                vpc_origin_id=balancer.vpc_origin.id,
            ),
            domain=frontend.domain,
            certificate_arn=frontend.certificate_arn,
            web_acl_arn=waf.web_acl.arn if waf else None,
            protect=config.protect,
        ),
    )
    return {
        "siteUrl": site.url,
        "apiUrl": site.url.apply(lambda url: f"{url}/api"),
        "clusterName": service.cluster.name,
        "serviceName": service.service.name,
        "bucketName": site.bucket.bucket,
        "distributionId": site.distribution.id,
        "repositoryUrl": images.repository.repository_url,
        "targetGroupArn": balancer.target_group.arn,
        "apiHealthUrl": site.url.apply(lambda url: f"{url}/api{backend_cfg.health_path}"),
        "region": config.aws_region,
        **data_outputs,
    }


def _database(
    config: StackConfig, network: Network, firewall: AppSecurityGroups
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
            log_retention_days=config.aws.log_retention_days,
        ),
    )
    return documentdb.uri, documentdb
