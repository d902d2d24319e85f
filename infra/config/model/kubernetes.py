"""`nowry:kubernetes`: the kubernetes phase's cluster, workloads and monitoring stack."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import (
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)

from infra.config.model.base import (
    DNS_LABEL,
    DNS_SUBDOMAIN,
    HOSTNAME,
    INT32_MAX,
    PathText,
    Problem,
    Section,
    _refuse,
    quantity,
)


def _number_as_text(value: object) -> object:
    """YAML reads ``cpuLimit: 1`` as a number; a Kubernetes quantity is text."""
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


Quantity = Annotated[str, BeforeValidator(_number_as_text)]
CPU_QUANTITY = r"^([0-9]+m|[0-9]+(\.[0-9]+)?)$"
MEMORY_QUANTITY = r"^[0-9]+(Ki|Mi|Gi)$"


IAM_ROLE_ARN = re.compile(r"arn:aws(-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")
"""An IAM role's ARN (role names: letters, digits and +=,.@_-, with an optional path)."""

EKS_PUBLIC_CIDRS_MAX = 40
"""EKS's quota "Public endpoint access CIDR ranges per cluster": 40, not adjustable (Amazon EKS
endpoints and quotas, https://docs.aws.amazon.com/general/latest/gr/eks.html#limits_eks)."""

RENAMED_KEYS: dict[str, tuple[str, str]] = {
    "apiAllowedCidrs": (
        "apiCidrs",
        "its default is no public endpoint now ([]), where apiAllowedCidrs defaulted to 0.0.0.0/0; "
        "list the blocks that must reach the public endpoint, or none",
    ),
}
"""Keys of ``nowry:kubernetes`` that were renamed: old key -> (new key, what changed)."""


class ObservabilityConfig(Section):
    """`nowry:kubernetes.observability` — Prometheus, Alertmanager, Grafana, Loki and Alloy in the cluster."""

    enabled: bool = Field(False, description="install the monitoring stack with Helm: true or false")
    namespace: str = Field("monitoring", pattern=DNS_LABEL, description="its namespace (a DNS label)")
    prometheus_stack_version: str = Field(
        "87.5.1", pattern=r"^\d+\.\d+\.\d+$", description="the kube-prometheus-stack chart version (pinned)"
    )
    loki_version: str = Field("6.42.0", pattern=r"^\d+\.\d+\.\d+$", description="the loki chart version (pinned)")
    alloy_version: str = Field("1.5.3", pattern=r"^\d+\.\d+\.\d+$", description="the alloy chart version (pinned)")
    prometheus_retention_days: int = Field(15, ge=1, le=365, description="days Prometheus keeps metrics, 1-365")
    prometheus_storage_gi: int = Field(20, ge=1, le=10_000, description="Prometheus volume in GiB")
    loki_storage_gi: int = Field(20, ge=1, le=10_000, description="Loki volume in GiB")
    grafana_storage_gi: int = Field(5, ge=1, le=1_000, description="Grafana volume in GiB")
    prometheus_cpu: Quantity = Field(
        "500m",
        pattern=CPU_QUANTITY,
        description="Prometheus CPU request (no CPU limit: a throttled scraper loses samples)",
    )
    prometheus_memory: Quantity = Field("2Gi", pattern=MEMORY_QUANTITY, description="Prometheus memory request = limit")
    loki_cpu: Quantity = Field("250m", pattern=CPU_QUANTITY, description="Loki CPU request (no CPU limit)")
    loki_memory: Quantity = Field("512Mi", pattern=MEMORY_QUANTITY, description="Loki memory request = limit")


class KubernetesConfig(Section):
    """`nowry:kubernetes` — the kubernetes phase's cluster and workloads."""

    context: str | None = Field(None, description="kubeconfig context of an existing cluster (default: current)")
    kubeconfig: PathText | None = Field(None, description="path of the kubeconfig file (default: ~/.kube/config)")
    namespace: str = Field(
        "nowry",
        pattern=DNS_LABEL,
        description="a namespace of its own (a DNS label; not default or kube-*)",
    )
    host: str = Field("nowry.example.com", description="the DNS name the Ingress serves")
    ingress_class: str = Field(
        "nginx",
        pattern=DNS_SUBDOMAIN,
        max_length=253,
        description="the IngressClass of the cluster's ingress controller (a DNS-1123 subdomain)",
    )
    ingress_namespace: str = Field(
        "ingress-nginx", pattern=DNS_LABEL, description="the namespace the ingress controller runs in (a DNS label)"
    )
    tls_secret: str = Field(
        "nowry-tls",
        pattern=DNS_SUBDOMAIN,
        max_length=253,
        description="Secret holding the Ingress TLS certificate (a DNS-1123 subdomain; cert-manager or yours)",
    )
    replicas: int = Field(3, ge=1, le=100, description="backend replicas, 1-100")
    min_replicas: int = Field(3, ge=1, le=100, description="HPA minimum, 1-100")
    max_replicas: int = Field(10, ge=1, le=100, description="HPA maximum, 1-100")
    cpu_target_percent: int = Field(70, ge=10, le=95, description="HPA target CPU utilisation %")
    cpu_request: Quantity = Field("250m", pattern=CPU_QUANTITY, description="CPU request such as 250m")
    cpu_limit: Quantity = Field("500m", pattern=CPU_QUANTITY, description="CPU limit such as 500m")
    memory_request: Quantity = Field("256Mi", pattern=MEMORY_QUANTITY, description="memory request such as 256Mi")
    memory_limit: Quantity = Field("512Mi", pattern=MEMORY_QUANTITY, description="memory limit such as 512Mi")
    frontend_replicas: int = Field(2, ge=1, le=50, description="frontend replicas, 1-50")
    run_as_user: int = Field(10001, ge=10000, le=INT32_MAX, description="UID the containers run as, 10000-2147483647")
    prometheus_operator: bool = Field(
        False, description="the cluster runs the Prometheus operator: add a ServiceMonitor"
    )
    observability: ObservabilityConfig = Field(
        default_factory=lambda: ObservabilityConfig.model_validate({}), description="the monitoring stack"
    )
    cluster: Literal["existing", "eks"] = Field(
        "existing", description="existing (kubeconfig/context) or eks (built here, in the aws settings' VPC)"
    )
    eks_version: str = Field("1.33", pattern=r"^1\.[0-9]{2}$", description="EKS Kubernetes version such as 1.33")
    node_instance_type: str = Field("t4g.medium", description="EC2 instance type of the EKS nodes")
    nodes: int = Field(2, ge=1, le=50, description="EKS nodes (the node group's minimum and desired size)")
    max_nodes: int = Field(4, ge=1, le=100, description="EKS node group maximum")
    api_cidrs: list[str] = Field(
        default_factory=list,
        max_length=EKS_PUBLIC_CIDRS_MAX,
        description="with cluster eks: the IPv4 CIDR blocks that may reach the API's public endpoint, at most "
        f"{EKS_PUBLIC_CIDRS_MAX}; [] (the default) turns the public endpoint off, and the API is then reached "
        "only through its private endpoint, from inside the VPC (docs/deploying.md); 0.0.0.0/0 on a production "
        "stack only with the eks-endpoint-cidrs-limited finding accepted in nowry:policy.accept. Formerly "
        "apiAllowedCidrs (default 0.0.0.0/0), which a stack file may no longer set",
    )

    admin_role_arns: list[str] = Field(
        default_factory=list,
        description="with cluster eks: IAM role ARNs given cluster-admin access entries, such as the deploy role when "
        "it did not create the cluster (the cluster's creator is an admin already)",
    )

    @model_validator(mode="after")
    def _invariants(self) -> KubernetesConfig:
        problems: list[Problem] = []
        for request, limit in (("cpu_request", "cpu_limit"), ("memory_request", "memory_limit")):
            if quantity(getattr(self, limit)) < quantity(getattr(self, request)):
                fields = type(self).model_fields
                alias, request_alias = fields[limit].alias or limit, fields[request].alias or request
                given = getattr(self, limit)
                problems.append((alias, f"is below {request_alias} ({getattr(self, request)})", given,
                                 f"at least {getattr(self, request)}"))  # fmt: skip
        if self.min_replicas > self.max_replicas:
            problems.append(("minReplicas", "is above maxReplicas", self.min_replicas, f"at most {self.max_replicas}"))
        elif not self.min_replicas <= self.replicas <= self.max_replicas:
            allowed = f"{self.min_replicas}..{self.max_replicas}"
            problems.append(("replicas", "is outside minReplicas..maxReplicas", self.replicas, allowed))
        if self.namespace == "default" or self.namespace.startswith("kube-"):
            allowed = "any DNS label but default and kube-*"
            problems.append(("namespace", "must be a namespace of its own", self.namespace, allowed))
        if not HOSTNAME.fullmatch(self.host):
            problems.append(("host", "is not a DNS name", self.host, "e.g. app.nowry.io"))
        if self.nodes > self.max_nodes:
            problems.append(("nodes", "is above maxNodes", self.nodes, f"at most {self.max_nodes}"))
        _refuse("KubernetesConfig", problems)
        return self

    @model_validator(mode="before")
    @classmethod
    def _renamed_keys(cls, data: object) -> object:
        """A key renamed on purpose is refused with the new name, never silently dropped."""
        if isinstance(data, dict):
            problems: list[Problem] = [
                (old, f"was renamed to nowry:kubernetes.{new}: {why}", data[old], f"nowry:kubernetes.{new}")
                for old, (new, why) in RENAMED_KEYS.items()
                if old in data
            ]
            _refuse("KubernetesConfig", problems)
        return data

    @field_validator("admin_role_arns")
    @classmethod
    def _role_arns(cls, arns: list[str]) -> list[str]:
        for arn in arns:
            if not IAM_ROLE_ARN.fullmatch(arn):
                raise ValueError(f"{arn!r} is not an IAM role ARN such as arn:aws:iam::123456789012:role/deploy")
        if len({arn.rsplit("/", 1)[-1] for arn in arns}) < len(arns):
            raise ValueError("two roles share a name; give each role once")
        return arns

    @field_validator("api_cidrs")
    @classmethod
    def _cidrs(cls, blocks: list[str]) -> list[str]:
        """IPv4 networks in CIDR notation, prefix length included (the provider parses each with Go's
        ``net.ParseCIDR``: verify.ValidCIDRNetworkAddress in terraform-provider-aws eks/cluster.go)."""
        for block in blocks:
            try:
                ipaddress.IPv4Network(block, strict=True)
                if "/" not in block:
                    raise ValueError(block)
            except ValueError:
                raise ValueError(f"{block!r} is not an IPv4 CIDR block such as 203.0.113.0/24") from None
        return blocks
