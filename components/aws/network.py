"""Network: the VPC the aws phase runs in."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws.policy_documents import assume_role_policy, policy_document, statement


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    cidr: str
    availability_zones: int
    nat: str
    """``none`` | ``single`` | ``per-az``: NAT gateways giving private subnets internet egress."""
    flow_logs: bool
    """Log rejected traffic to CloudWatch Logs."""
    log_retention_days: int
    region: str
    kms_key_arn: pulumi.Input[str] | None
    """The stack's KMS key (None: AWS's own keys, ``aws.encryptionKey: aws-owned``)."""


class Network(pulumi.ComponentResource):
    """A VPC over 2 (or 3) availability zones.

    Builds: the VPC, a public and a private subnet per AZ, an internet gateway, route
    tables, NAT gateways by strategy (``none`` by default), a free S3 gateway endpoint on
    every route table, the default security group stripped of all rules, and flow logs of
    rejected traffic.
    Secure defaults: no subnet maps public IPs on launch; the default security group is
    closed; flow logs on (EC2.2, EC2.6, EC2.15).
    Cost: the VPC, subnets, gateway endpoint and IGW are free; each NAT gateway is ~$32.85
    a month plus $0.045/GB (hence ``none``: tasks then get a public IP at ~$3.65/month
    each); flow logs of rejected traffic cost cents.
    """

    vpc: aws.ec2.Vpc
    public_subnet_ids: list[pulumi.Output[str]]
    private_subnet_ids: list[pulumi.Output[str]]
    nat_public_ips: list[pulumi.Output[str]]
    """The NAT gateways' addresses: the backend's source IPs when there is a NAT."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:aws:Network", name, None, opts)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": f"{name}-vpc"},
            opts=self._child,
        )
        self._close_default_security_group()
        zones = aws.get_availability_zones_output(state="available").names
        public_cidrs, private_cidrs = self._subnet_cidrs()
        self.public_subnet_ids = []
        self.private_subnet_ids = []
        self.nat_public_ips = []
        public_subnets = []
        for index in range(args.availability_zones):
            zone = zones[index]
            public = self._subnet(f"{name}-public-{index}", public_cidrs[index], zone)
            private = self._subnet(f"{name}-private-{index}", private_cidrs[index], zone)
            public_subnets.append(public)
            self.public_subnet_ids.append(public.id)
            self.private_subnet_ids.append(private.id)
        route_table_ids = self._routes(public_subnets)
        aws.ec2.VpcEndpoint(
            f"{name}-s3-endpoint",
            vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{args.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=route_table_ids,
            opts=self._child,
        )
        if args.flow_logs:
            self._flow_logs()
        self.register_outputs(
            {
                "vpcId": self.vpc.id,
                "publicSubnetIds": self.public_subnet_ids,
                "privateSubnetIds": self.private_subnet_ids,
            }
        )

    @property
    def has_nat(self) -> bool:
        return self._args.nat != "none"

    def _subnet_cidrs(self) -> tuple[list[str], list[str]]:
        network = ipaddress.IPv4Network(self._args.cidr)
        blocks = [str(block) for block in network.subnets(new_prefix=network.prefixlen + 4)]
        return blocks[:3], blocks[8:11]

    def _subnet(self, name: str, cidr: str, zone: pulumi.Input[str]) -> aws.ec2.Subnet:
        return aws.ec2.Subnet(
            name,
            vpc_id=self.vpc.id,
            cidr_block=cidr,
            availability_zone=zone,
            map_public_ip_on_launch=False,
            tags={"Name": name},
            opts=self._child,
        )

    def _close_default_security_group(self) -> None:
        aws.ec2.DefaultSecurityGroup(
            f"{self._name}-default-sg-closed",
            vpc_id=self.vpc.id,
            ingress=[],
            egress=[],
            tags={"Name": f"{self._name}-default-closed"},
            opts=self._child,
        )

    def _routes(self, public_subnets: list[aws.ec2.Subnet]) -> list[pulumi.Output[str]]:
        name = self._name
        gateway = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=self.vpc.id, opts=self._child)
        public_table = aws.ec2.RouteTable(
            f"{name}-public-rt",
            vpc_id=self.vpc.id,
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=gateway.id)],
            opts=self._child,
        )
        for index, subnet in enumerate(public_subnets):
            aws.ec2.RouteTableAssociation(
                f"{name}-public-rta-{index}",
                subnet_id=subnet.id,
                route_table_id=public_table.id,
                opts=self._child,
            )
        nat_ids = self._nat_gateways(public_subnets)
        tables = [public_table.id]
        for index, subnet_id in enumerate(self.private_subnet_ids):
            routes = []
            if nat_ids:
                nat_id = nat_ids[min(index, len(nat_ids) - 1)]
                routes.append(aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat_id))
            table = aws.ec2.RouteTable(
                f"{name}-private-rt-{index}", vpc_id=self.vpc.id, routes=routes, opts=self._child
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-rta-{index}",
                subnet_id=subnet_id,
                route_table_id=table.id,
                opts=self._child,
            )
            tables.append(table.id)
        return tables

    def _nat_gateways(self, public_subnets: list[aws.ec2.Subnet]) -> list[pulumi.Output[str]]:
        strategy = self._args.nat
        count = {"none": 0, "single": 1, "per-az": len(public_subnets)}[strategy]
        nat_ids = []
        for index in range(count):
            address = aws.ec2.Eip(f"{self._name}-nat-eip-{index}", domain="vpc", opts=self._child)
            self.nat_public_ips.append(address.public_ip)
            nat = aws.ec2.NatGateway(
                f"{self._name}-nat-{index}",
                allocation_id=address.id,
                subnet_id=public_subnets[index].id,
                opts=self._child,
            )
            nat_ids.append(nat.id)
        return nat_ids

    def _flow_logs(self) -> None:
        name = self._name
        group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            retention_in_days=self._args.log_retention_days,
            kms_key_id=self._args.kms_key_arn,
            opts=self._child,
        )
        role = aws.iam.Role(
            f"{name}-flow-logs-role",
            assume_role_policy=assume_role_policy("vpc-flow-logs.amazonaws.com"),
            opts=self._child,
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs-write",
            role=role.id,
            policy=policy_document(
                statement(
                    ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    [group.arn, pulumi.Output.concat(group.arn, ":*")],
                )
            ),
            opts=self._child,
        )
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=self.vpc.id,
            traffic_type="REJECT",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            opts=self._child,
        )
