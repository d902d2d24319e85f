"""What Google Cloud (and MongoDB Atlas on Google Cloud) offers, as the gcp phase's checks read it."""

from __future__ import annotations

import re

PROJECT_ID = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
"""A Google Cloud project id: 6-30 characters, lower-case letters, digits and hyphens, starting with a
letter and not ending with a hyphen (cloud.google.com/resource-manager/docs/creating-managing-projects,
"Project ID requirements")."""
PROJECT_ID_RULE = "6-30 lower-case letters, digits or hyphens, starting with a letter, not ending with a hyphen"

ATLAS_GCP_REGIONS: dict[str, str] = {
    # Americas
    "us-central1": "CENTRAL_US",
    "us-east1": "EASTERN_US",
    "us-east4": "US_EAST_4",
    "us-east5": "US_EAST_5",
    "us-west1": "WESTERN_US",
    "us-west2": "US_WEST_2",
    "us-west3": "US_WEST_3",
    "us-west4": "US_WEST_4",
    "us-south1": "US_SOUTH_1",
    "northamerica-northeast1": "NORTH_AMERICA_NORTHEAST_1",
    "northamerica-northeast2": "NORTH_AMERICA_NORTHEAST_2",
    "southamerica-east1": "SOUTH_AMERICA_EAST_1",
    "southamerica-west1": "SOUTH_AMERICA_WEST_1",
    # Europe
    "europe-west1": "WESTERN_EUROPE",
    "europe-west2": "EUROPE_WEST_2",
    "europe-west3": "EUROPE_WEST_3",
    "europe-west4": "EUROPE_WEST_4",
    "europe-west6": "EUROPE_WEST_6",
    "europe-west8": "EUROPE_WEST_8",
    "europe-west9": "EUROPE_WEST_9",
    "europe-north1": "EUROPE_NORTH_1",
    "europe-central2": "EUROPE_CENTRAL_2",
    "europe-southwest1": "EUROPE_SOUTHWEST_1",
    # Asia Pacific
    "asia-east1": "EASTERN_ASIA_PACIFIC",
    "asia-east2": "ASIA_EAST_2",
    "asia-northeast1": "NORTHEASTERN_ASIA_PACIFIC",
    "asia-northeast2": "ASIA_NORTHEAST_2",
    "asia-northeast3": "ASIA_NORTHEAST_3",
    "asia-south1": "ASIA_SOUTH_1",
    "asia-south2": "ASIA_SOUTH_2",
    "asia-southeast1": "SOUTHEASTERN_ASIA_PACIFIC",
    "asia-southeast2": "ASIA_SOUTHEAST_2",
    "australia-southeast1": "AUSTRALIA_SOUTHEAST_1",
    "australia-southeast2": "AUSTRALIA_SOUTHEAST_2",
    # Middle East
    "me-west1": "MIDDLE_EAST_WEST_1",
    "me-central1": "MIDDLE_EAST_CENTRAL_1",
}
"""Google Cloud region -> the Atlas region name its API takes for a dedicated (M10+) cluster there
(mongodb.com/docs/atlas/reference/google-gcp, "Atlas supports the following Google Cloud regions ... The
Atlas API uses the corresponding Atlas Region": us-central1 is CENTRAL_US, us-east1 EASTERN_US, us-east4
US_EAST_4, us-east5 US_EAST_5, ...). A region missing here is one this table does not vouch for: the check
refuses it rather than guess a name."""

REGIONS: tuple[str, ...] = (
    *ATLAS_GCP_REGIONS,
    "northamerica-south1", "europe-west10", "europe-west12", "europe-north2", "me-central2", "africa-south1",
)  # fmt: skip
"""Google Cloud regions (cloud.google.com/about/locations; each runs Cloud Run, Memorystore and
Secret Manager). The gcp phase with Atlas also needs the region in ``ATLAS_GCP_REGIONS``."""


def atlas_region(gcp_region: str) -> str | None:
    """The Atlas region name of ``gcp_region`` (None: not one this table knows Atlas runs in)."""
    return ATLAS_GCP_REGIONS.get(gcp_region)


DIRECT_PULL_REGISTRIES = ("docker.pkg.dev", "docker.io", "index.docker.io", "registry-1.docker.io")
"""Where Cloud Run takes an image from directly: Artifact Registry, and Docker Hub ("You can directly use
container images stored in Artifact Registry, or Docker Hub", cloud.google.com/run/docs/deploying). Any
other registry (ghcr.io, where the product's images are) is reached through an Artifact Registry remote
repository ("You can use container images from other public or private registries (like ... GitHub
Container Registry), by setting up an Artifact Registry remote repository", same page)."""


def registry_of(image: str) -> str:
    """The registry host of an image reference (Docker Hub when it names none)."""
    first = image.split("/", 1)[0]
    return first if "/" in image and ("." in first or ":" in first or first == "localhost") else "docker.io"


def pulled_directly(image: str) -> bool:
    """Cloud Run can deploy ``image`` without a remote repository in between."""
    host = registry_of(image)
    return any(host == r or host.endswith(f"-{r}") or host.endswith(f".{r}") for r in DIRECT_PULL_REGISTRIES)
