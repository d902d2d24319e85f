"""Network: the VPC the gcp phase's backend egresses through, and the fixed address Atlas admits."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp.compute as compute


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    region: str
    subnet_cidr: str
    """The range Cloud Run's Direct VPC egress takes addresses from."""
    nat: bool
    """A Cloud NAT gateway with a reserved address: the backend's one public egress IP (what an Atlas
    access list can name); without it the backend reaches the internet from Google's changing addresses."""
    flow_logs: bool


class Network(pulumi.ComponentResource):
    """A custom-mode VPC for the backend's Direct VPC egress.

    Builds: a VPC with no automatic subnets, one regional subnet for Cloud Run (Private Google Access
    on, so Google APIs stay on Google's network; sampled flow logs), and with ``nat`` a Cloud Router,
    a reserved external address and a Cloud NAT gateway that uses only that address, for that subnet.
    Secure defaults: no default network and no firewall rule admitting anything (a custom VPC denies
    all ingress); NAT logs errors only.
    Cost: the VPC, subnet and router are free; Cloud NAT $0.0014/hour per instance using it plus
    $0.045 per GB processed, and its address $0.005/hour (~$3.65/month).
    """

    network: compute.Network
    subnet: compute.Subnetwork
    nat_address: compute.Address | None

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:gcp:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.network = compute.Network(
            f"{name}-vpc",
            auto_create_subnetworks=False,
            routing_mode="REGIONAL",
            description="Nowry backend egress (Direct VPC egress from Cloud Run)",
            opts=child,
        )
        self.subnet = compute.Subnetwork(
            f"{name}-run",
            network=self.network.id,
            region=args.region,
            ip_cidr_range=args.subnet_cidr,
            private_ip_google_access=True,
            log_config=compute.SubnetworkLogConfigArgs(
                aggregation_interval="INTERVAL_10_MIN", flow_sampling=0.5, metadata="INCLUDE_ALL_METADATA"
            )
            if args.flow_logs
            else None,
            description="Cloud Run Direct VPC egress",
            opts=child,
        )
        self.nat_address = self._nat(name, args, child) if args.nat else None
        self.register_outputs({"network": self.network.id, "subnet": self.subnet.id})

    def _nat(self, name: str, args: NetworkArgs, child: pulumi.ResourceOptions) -> compute.Address:
        address = compute.Address(
            f"{name}-nat-ip",
            region=args.region,
            address_type="EXTERNAL",
            network_tier="PREMIUM",
            description="The backend's egress address (the Atlas access list names it)",
            opts=child,
        )
        router = compute.Router(f"{name}-router", network=self.network.id, region=args.region, opts=child)
        compute.RouterNat(
            f"{name}-nat",
            router=router.name,
            region=args.region,
            nat_ip_allocate_option="MANUAL_ONLY",
            nat_ips=[address.self_link],
            source_subnetwork_ip_ranges_to_nat="LIST_OF_SUBNETWORKS",
            subnetworks=[
                compute.RouterNatSubnetworkArgs(name=self.subnet.id, source_ip_ranges_to_nats=["ALL_IP_RANGES"])
            ],
            log_config=compute.RouterNatLogConfigArgs(enable=True, filter="ERRORS_ONLY"),
            opts=child,
        )
        return address
