"""`nowry:observability`: APM and log shipping beside the Fargate backend (aws phase)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import (
    Field,
    model_validator,
)

from infra.config.model.base import Section, _refuse
from infra.config.model.images import _image_problems

Apm = Literal["none", "otel", "datadog", "newrelic"]
LogDestination = Literal["cloudwatch", "betterstack"]
DATADOG_SITES = ("datadoghq.com", "us3.datadoghq.com", "us5.datadoghq.com", "datadoghq.eu", "ap1.datadoghq.com",
                 "ap2.datadoghq.com", "ddog-gov.com")  # fmt: skip
"""Datadog's sites (docs.datadoghq.com/getting_started/site)."""
BETTER_STACK_HOST = re.compile(r"^(?:[a-z0-9-]+\.)+(?:betterstack\.com|betterstackdata\.com)$")
SERVICE_NAME = r"^[a-z][a-z0-9._-]{0,62}$"


@dataclass(frozen=True)
class PinnedImage:
    """A third-party image the stack runs by default, and the published release that says its tag exists."""

    reference: str
    release: str


PINNED_IMAGES: dict[str, PinnedImage] = {
    "collector_image": PinnedImage(
        "public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0",
        "aws-observability/aws-otel-collector release v0.49.0 (pull request #3220, 2026-07-10)",
    ),
    "datadog_image": PinnedImage(
        "public.ecr.aws/datadog/agent:7.77.2",
        "DataDog/datadog-agent 7.77.2 (changelog pull request #48719)",
    ),
    "log_router_image": PinnedImage(
        "public.ecr.aws/aws-observability/aws-for-fluent-bit:3.4.16",
        "aws/aws-for-fluent-bit release v3.4.16, the latest 3.x in September 2026 (aws/eks-charts#1372)",
    ),
}
"""The sidecar images' defaults: an essential container whose tag does not exist stops the whole task,
so each is a tag with a published release."""


class ServiceObservabilityConfig(Section):
    """`nowry:observability` — APM and log shipping beside the Fargate backend (aws phase)."""

    apm: Apm = Field(
        "none",
        description="none, otel (an AWS Distro for OpenTelemetry collector: traces to X-Ray, metrics to CloudWatch), "
        "datadog (the Datadog agent) or newrelic (the collector, exporting to New Relic); aws phase",
    )
    logs: LogDestination = Field(
        "cloudwatch",
        description="cloudwatch, or betterstack (Better Stack through a FireLens Fluent Bit router); aws phase",
    )
    service_name: str = Field(
        "nowry-backend", pattern=SERVICE_NAME, description="the service name traces and logs carry (lower case)"
    )
    datadog_site: str = Field("datadoghq.com", description="the Datadog site: " + ", ".join(DATADOG_SITES))
    new_relic_region: Literal["us", "eu"] = Field("us", description="the New Relic account's region: us or eu")
    better_stack_host: str = Field(
        "in.logs.betterstack.com",
        description="the Better Stack source's ingesting host (under betterstack.com or betterstackdata.com)",
    )
    collector_image: str = Field(
        PINNED_IMAGES["collector_image"].reference,
        description="the AWS Distro for OpenTelemetry collector image, pinned",
    )
    datadog_image: str = Field(PINNED_IMAGES["datadog_image"].reference, description="the Datadog agent image, pinned")
    log_router_image: str = Field(
        PINNED_IMAGES["log_router_image"].reference,
        description="the FireLens log router image (AWS for Fluent Bit), pinned",
    )

    @model_validator(mode="after")
    def _invariants(self) -> ServiceObservabilityConfig:
        problems = _image_problems(
            collectorImage=self.collector_image, datadogImage=self.datadog_image, logRouterImage=self.log_router_image
        )
        if self.datadog_site not in DATADOG_SITES:
            problems.append(("datadogSite", "is not a Datadog site", self.datadog_site, ", ".join(DATADOG_SITES)))
        if not BETTER_STACK_HOST.fullmatch(self.better_stack_host):
            allowed = "a host such as in.logs.betterstack.com or s1234.eu-nbg-2.betterstackdata.com"
            problems.append(
                ("betterStackHost", "is not a Better Stack ingesting host", self.better_stack_host, allowed)
            )
        _refuse("ServiceObservabilityConfig", problems)
        return self
