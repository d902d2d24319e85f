"""The ``gcp`` phase (10K+ users, the other road beside aws): the site in Cloud Storage behind Cloud
CDN and the API on Cloud Run, both behind one global external Application Load Balancer with Cloud
Armor on the API; Memorystore for Redis through Direct VPC egress; MongoDB Atlas on Google Cloud (or
Firestore with MongoDB compatibility); credentials in Secret Manager; Cloud Monitoring alerts.

Traffic: viewer -> load balancer -> Cloud CDN -> bucket for the site, -> Cloud Armor -> serverless NEG
-> Cloud Run for ``/api/*``; Cloud Run -> the VPC -> Memorystore, and -> Cloud NAT's fixed address ->
Atlas. Every line of the bill comes from the price catalog (``nowry-infra cost gcp``; docs/costs.md).
The provider is the optional ``gcp`` extra: this module imports only the pulumi-gcp submodules its
components use.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_gcp.serviceaccount as serviceaccount

from components.gcp.app_secrets import AppSecrets, AppSecretsArgs
from components.gcp.armor import Armor, ArmorArgs
from components.gcp.cache import Cache, CacheArgs
from components.gcp.cloud_run_service import CloudRunService, CloudRunServiceArgs, Sizing
from components.gcp.image_registry import ImageRegistry, ImageRegistryArgs
from components.gcp.load_balancer import LoadBalancer, LoadBalancerArgs
from components.gcp.monitoring import Monitoring, MonitoringArgs
from components.gcp.network import Network, NetworkArgs
from components.gcp.site_bucket import SiteBucket, SiteBucketArgs
from infra.config.gcp_checks import OFFLINE_PROJECT
from infra.config.gcp_offerings import atlas_region, pulled_directly
from infra.config.model import StackConfig
from infra.naming import physical_name
from stacks.common import app_secrets

SITE_LOG_DAYS = 90
"""Days the site bucket's usage logs are kept."""


def build(config: StackConfig) -> dict[str, Any]:
    """The network, the backend's identity and secrets, the data stores, the service, the edge and the
    alerts; returns the stack outputs."""
    project = config.gcp_project or OFFLINE_PROJECT
    region = config.gcp_region
    atlas = config.database_engine == "atlas"
    network = Network(
        "network",
        NetworkArgs(region=region, subnet_cidr=config.gcp.subnet_cidr, nat=atlas, flow_logs=config.gcp.flow_logs),
    )
    account = serviceaccount.Account(
        "backend-identity",
        account_id=physical_name("gcp-service-account", "nowry", config.stack, "api"),
        display_name=f"Nowry backend ({config.stack})",
        description="Runs the Nowry API on Cloud Run; reads its own secrets and nothing else",
    )
    reader = account.email.apply(lambda email: f"serviceAccount:{email}")
    mongo_uri = _database(config, project, reader, network)
    cache = _cache(config, network)
    values: dict[str, pulumi.Input[str]] = {**app_secrets(config), "MONGO_URI": mongo_uri}
    if cache is not None:
        values["REDIS_URL"] = cache.url
        values["redis-ca"] = cache.ca_certificate
    secrets = AppSecrets(
        "secrets",
        AppSecretsArgs(values=values, reader=reader, id_prefix=f"nowry-{config.stack}", protect=config.protect),
    )
    image = _image(config, project)
    service = _service(config, image, account, secrets, network, cache)
    armor = Armor("armor", ArmorArgs(rate_limit=config.gcp.rate_limit, window_seconds=config.gcp.window_seconds))
    site = SiteBucket(
        "site",
        SiteBucketArgs(
            region=region,
            project=project,
            static_dir=config.resolve_path(config.frontend.static_dir) if config.frontend.static_dir else None,
            noncurrent_days=config.gcp.site_noncurrent_days,
            log_days=SITE_LOG_DAYS,
            protect=config.protect,
        ),
    )
    domain = config.frontend.domain
    edge = LoadBalancer(
        "edge",
        LoadBalancerArgs(
            bucket_name=site.bucket.name,
            endpoint_group_id=service.endpoint_group.id,
            security_policy_id=armor.policy.id,
            domain=domain,
        ),
    )
    host = pulumi.Output.from_input(domain) if domain else edge.address.address
    scheme = "https" if domain else "http"
    site_url = host.apply(lambda h: f"{scheme}://{h}")
    health = config.backend.health_path
    if config.gcp.monitoring.enabled:
        _monitoring(config, service, cache, host, domain is not None)
    return {
        "siteUrl": site_url,
        "apiUrl": site_url.apply(lambda url: f"{url}/api"),
        "apiHealthUrl": site_url.apply(lambda url: f"{url}/api{health}"),
        "gcpProject": project,
        "region": region,
        "serviceName": service.service.name,
        "bucketName": site.bucket.name,
        "loadBalancerIp": edge.address.address,
        "forwardingRule": (edge.https_rule or edge.http_rule).name,
        "backendService": edge.api_backend.name,
        **({"egressIp": network.nat_address.address} if network.nat_address else {}),
        **({"cacheInstance": cache.instance.name} if cache else {}),
    }


def _database(config: StackConfig, project: str, reader: pulumi.Output[str], network: Network) -> pulumi.Output[str]:
    """Atlas on Google Cloud in the stack's region, admitting Cloud NAT's address; or Firestore."""
    if config.database_engine == "firestore":
        from components.gcp.firestore_database import FirestoreDatabase, FirestoreDatabaseArgs

        firestore = FirestoreDatabase(
            "database",
            FirestoreDatabaseArgs(project=project, region=config.gcp_region, reader=reader, protect=config.protect),
        )
        return firestore.uri
    from stacks.atlas import atlas_database

    assert network.nat_address is not None, "Atlas gets Cloud NAT's address"
    egress = network.nat_address.address.apply(lambda address: f"{address}/32")
    region = atlas_region(config.gcp_region)
    assert region is not None, "validated: gcp:region is a region Atlas runs in"
    return atlas_database(config, tier=config.atlas_tier, extra_access=[egress], provider="GCP", region=region).uri


def _cache(config: StackConfig, network: Network) -> Cache | None:
    if not config.cache.enabled:
        return None
    settings = config.gcp
    return Cache(
        "cache",
        CacheArgs(
            region=config.gcp_region,
            network_id=network.network.id,
            memory_gb=settings.cache_memory_gb,
            tier=settings.cache_tier,
            protect=config.protect,
        ),
    )


def _image(config: StackConfig, project: str) -> pulumi.Input[str]:
    """The image Cloud Run deploys: straight from Artifact Registry or Docker Hub, through a remote
    repository from any other registry (ghcr.io), or built into a repository of the stack's."""
    backend = config.backend
    if backend.image is not None and pulled_directly(backend.image):
        return backend.image
    registry = ImageRegistry(
        "backend-images",
        ImageRegistryArgs(
            region=config.gcp_region,
            project=project,
            image=backend.image,
            context=str(config.resolve_path(backend.context)) if backend.context else None,
            dockerfile=backend.dockerfile,
            protect=config.protect,
        ),
    )
    return registry.image_ref


def _service(
    config: StackConfig,
    image: pulumi.Input[str],
    account: serviceaccount.Account,
    secrets: AppSecrets,
    network: Network,
    cache: Cache | None,
) -> CloudRunService:
    settings, backend = config.gcp, config.backend
    refs = {name: (secrets.ids[name], secrets.versions[name]) for name in secrets.ids}
    files = {Cache.CA_PATH: refs.pop("redis-ca")} if cache is not None else {}
    return CloudRunService(
        "backend",
        CloudRunServiceArgs(
            region=config.gcp_region,
            image=image,
            port=backend.port,
            health_path=backend.health_path,
            sizing=Sizing(
                cpu=str(settings.cpu),
                memory=settings.memory,
                min_instances=settings.min_instances,
                max_instances=settings.max_instances,
                concurrency=settings.concurrency,
                request_billing=settings.billing == "request",
            ),
            service_account=account.email,
            env=dict(backend.env),
            secret_env=refs,
            secret_files=files,
            network_id=network.network.id,
            subnet_id=network.subnet.id,
            all_traffic_through_vpc=network.nat_address is not None,
        ),
        opts=pulumi.ResourceOptions(depends_on=[secrets]),
    )


def _monitoring(
    config: StackConfig, service: CloudRunService, cache: Cache | None, host: pulumi.Output[str], https: bool
) -> Monitoring:
    settings = config.gcp.monitoring
    return Monitoring(
        "monitoring",
        MonitoringArgs(
            service_name=service.service.name,
            cache_instance=cache.instance.id if cache else None,
            max_instances=config.gcp.max_instances,
            emails=list(dict.fromkeys([*settings.emails, *filter(None, [config.alerts.email])])),
            error_rate_percent=settings.error_rate_percent,
            latency_p95_seconds=settings.latency_p95_seconds,
            cache_memory_percent=settings.cache_memory_percent,
            uptime_host=host,
            uptime_path=f"/api{config.backend.health_path}",
            https=https,
        ),
    )
