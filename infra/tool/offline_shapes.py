"""The shape of the placeholder attributes a provider would compute, per resource type.

Offline, every registration gets values derived from its type and logical name, so that inputs
built from them (a task definition's container JSON, a bucket policy) stay readable in the
plan. Each function here is named in its type's row of ``infra/tool/resource_kinds.py``; the engine
(``infra/tool/engine/placeholders.py``) applies it on top of the package's defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ACCOUNT = "000000000000"
"""The offline AWS account id: all zeros, never a real account."""
OFFLINE = "offline"


@dataclass(frozen=True)
class Registration:
    """What a placeholder may be derived from: the logical name, the inputs and the region."""

    name: str
    inputs: dict[str, Any]
    region: str

    @property
    def physical_name(self) -> str:
        return str(self.inputs.get("name") or f"{self.name}-{OFFLINE}")


Shape = Callable[[Registration], dict[str, Any]]


def s3_bucket(r: Registration) -> dict[str, Any]:
    bucket = r.inputs.get("bucket") or f"{r.name}-{OFFLINE}"
    return {
        "bucket": bucket,
        "arn": f"arn:aws:s3:::{bucket}",
        "bucketRegionalDomainName": f"{bucket}.s3.{r.region}.amazonaws.com",
    }


def cloudfront_distribution(r: Registration) -> dict[str, Any]:
    return {
        "domainName": f"{r.name}-{OFFLINE}.cloudfront.net",
        "arn": f"arn:aws:cloudfront::{ACCOUNT}:distribution/{r.name.upper()}-OFFLINE",
        "hostedZoneId": "Z2FDTNDATAQYW2",
    }


def load_balancer(r: Registration) -> dict[str, Any]:
    return {
        "dnsName": f"internal-{r.name}-{OFFLINE}.{r.region}.elb.amazonaws.com",
        "arnSuffix": f"app/{r.name}/{OFFLINE}",
    }


def target_group(r: Registration) -> dict[str, Any]:
    return {"arnSuffix": f"targetgroup/{r.name}/{OFFLINE}"}


def ecr_repository(r: Registration) -> dict[str, Any]:
    return {"repositoryUrl": f"{ACCOUNT}.dkr.ecr.{r.region}.amazonaws.com/{r.physical_name}"}


def replication_group(r: Registration) -> dict[str, Any]:
    return {"primaryEndpointAddress": f"master.{r.name}.{OFFLINE}.cache.amazonaws.com"}


def docdb_cluster(r: Registration) -> dict[str, Any]:
    return {
        "endpoint": f"{r.name}.cluster-{OFFLINE}.{r.region}.docdb.amazonaws.com",
        "readerEndpoint": f"{r.name}.cluster-ro-{OFFLINE}.{r.region}.docdb.amazonaws.com",
        "clusterIdentifier": r.inputs.get("clusterIdentifier") or f"{r.name}-{OFFLINE}",
    }


def secret(r: Registration) -> dict[str, Any]:
    return {"arn": f"arn:aws:secretsmanager:{r.region}:{ACCOUNT}:secret:{r.name}-{OFFLINE}"}


def log_group(r: Registration) -> dict[str, Any]:
    return {"arn": f"arn:aws:logs:{r.region}:{ACCOUNT}:log-group:{r.physical_name}"}


def iam_role(r: Registration) -> dict[str, Any]:
    return {"arn": f"arn:aws:iam::{ACCOUNT}:role/{r.physical_name}"}


def remote_image(r: Registration) -> dict[str, Any]:
    return {"imageId": f"{r.inputs.get('name', r.name)}@sha256:{OFFLINE}"}


def docker_image(r: Registration) -> dict[str, Any]:
    return {"repoDigest": f"{r.inputs.get('imageName', r.name)}@sha256:{OFFLINE}"}


def railway_project(r: Registration) -> dict[str, Any]:
    return {"environment_id": f"{r.name}-{OFFLINE}-environment"}


def railway_domain(r: Registration) -> dict[str, Any]:
    return {"domain": f"{r.name}-{OFFLINE}.up.railway.app"}


def _dms_arn(r: Registration, kind: str) -> str:
    return f"arn:aws:dms:{r.region}:{ACCOUNT}:{kind}:{r.name.upper()}-OFFLINE"


def dms_replication_instance(r: Registration) -> dict[str, Any]:
    return {"replicationInstanceArn": _dms_arn(r, "rep")}


def dms_endpoint(r: Registration) -> dict[str, Any]:
    return {"endpointArn": _dms_arn(r, "endpoint")}


def dms_replication_task(r: Registration) -> dict[str, Any]:
    return {"replicationTaskArn": _dms_arn(r, "task")}


def dms_certificate(r: Registration) -> dict[str, Any]:
    return {"certificateArn": _dms_arn(r, "cert")}


def launch_template(_: Registration) -> dict[str, Any]:
    """A new template's first version is 1; the node group launches from it."""
    return {"latestVersion": 1, "defaultVersion": 1}


# Google Cloud (pulumi-gcp): addresses from TEST-NET-3 (RFC 5737), never a real one.
GCP_PROJECT = "offline-project"
"""The offline project id when a registration names none (``gcp:project`` unset)."""


def _gcp_project(r: Registration) -> str:
    return str(r.inputs.get("project") or GCP_PROJECT)


def gcp_global_address(r: Registration) -> dict[str, Any]:
    return {"address": "203.0.113.10", "selfLink": _compute_link(r, "global/addresses")}


def gcp_address(r: Registration) -> dict[str, Any]:
    return {"address": "203.0.113.20", "selfLink": _compute_link(r, f"regions/{r.region}/addresses")}


def _compute_link(r: Registration, collection: str) -> str:
    return f"https://www.googleapis.com/compute/v1/projects/{_gcp_project(r)}/{collection}/{r.physical_name}"


def gcp_bucket(r: Registration) -> dict[str, Any]:
    return {"url": f"gs://{r.physical_name}", "selfLink": f"https://www.googleapis.com/storage/v1/b/{r.physical_name}"}


def gcp_secret(r: Registration) -> dict[str, Any]:
    return {"name": f"projects/{_gcp_project(r)}/secrets/{r.inputs.get('secretId', r.name)}"}


def gcp_secret_version(_: Registration) -> dict[str, Any]:
    """A new secret's first version is 1."""
    return {"version": "1"}


def gcp_service_account(r: Registration) -> dict[str, Any]:
    email = f"{r.inputs.get('accountId', r.name)}@{_gcp_project(r)}.iam.gserviceaccount.com"
    return {"email": email, "member": f"serviceAccount:{email}"}


def gcp_cloud_run(r: Registration) -> dict[str, Any]:
    return {"uri": f"https://{r.physical_name}-{OFFLINE}-uc.a.run.app", "latestReadyRevision": f"{r.name}-00001"}


def gcp_redis(r: Registration) -> dict[str, Any]:
    """Memorystore's TLS port is 6378; the AUTH string is a secret output (the SDK marks it so)."""
    return {
        "host": "10.0.0.3",
        "port": 6378 if r.inputs.get("transitEncryptionMode") == "SERVER_AUTHENTICATION" else 6379,
        "authString": f"{OFFLINE}-secret-redis-auth",
        "serverCaCerts": [{"cert": f"-----BEGIN CERTIFICATE-----\n{OFFLINE}\n-----END CERTIFICATE-----\n"}],
        "currentLocationId": f"{r.region}-a",
    }


def gcp_firestore(r: Registration) -> dict[str, Any]:
    return {"uid": f"{r.name}-{OFFLINE}-uid"}


def gcp_uptime_check(r: Registration) -> dict[str, Any]:
    return {"uptimeCheckId": f"{r.name}-{OFFLINE}"}
