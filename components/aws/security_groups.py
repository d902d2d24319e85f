"""AppSecurityGroups: the whole traffic chain CloudFront -> ALB -> tasks -> data, in one place."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing"


@dataclass(frozen=True)
class AppSecurityGroupsArgs:
    vpc_id: pulumi.Input[str]
    listener_port: int
    """Port the ALB listens on for CloudFront (80, or 443 with a certificate)."""
    app_port: int
    """Port the backend container listens on."""
    database_port: int | None = 27017
    """MongoDB port when the database runs in the VPC (DocumentDB); None for Atlas."""
    cache_port: int | None = None
    """Redis port when the cache is on."""


class AppSecurityGroups(pulumi.ComponentResource):
    """Security groups for the ALB, the backend tasks, the database and the cache.

    Builds: one group per tier and one described rule per allowed flow, as separate
    ``aws.vpc`` rule resources (no inline rules, so groups can reference each other):
    CloudFront's origin-facing prefix list -> ALB:listener; ALB -> tasks:app port;
    tasks -> database:27017 and cache:6379; tasks -> HTTPS anywhere (Groq API, image
    registry, Secrets Manager, CloudWatch Logs).
    Secure defaults: nothing reaches the database or the cache but the backend's group;
    nothing reaches the tasks but the ALB; every rule described (EC2.18, EC2.19).
    Cost: free.
    """

    alb: aws.ec2.SecurityGroup
    backend: aws.ec2.SecurityGroup
    database: aws.ec2.SecurityGroup | None
    cache: aws.ec2.SecurityGroup | None

    def __init__(self, name: str, args: AppSecurityGroupsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:aws:AppSecurityGroups", name, None, opts)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        self.alb = self._group("alb", "Internal ALB: reached only from CloudFront")
        self.backend = self._group("backend", "Backend tasks: reached only from the ALB")
        self.database = None
        self.cache = None
        cloudfront = aws.ec2.get_managed_prefix_list_output(name=CLOUDFRONT_ORIGIN_FACING)
        self._ingress(
            "alb-from-cloudfront",
            self.alb,
            args.listener_port,
            "CloudFront origin-facing servers to the ALB listener",
            prefix_list_id=cloudfront.id,
        )
        self._egress("alb-to-backend", self.alb, args.app_port, "ALB to backend tasks", self.backend)
        self._ingress("backend-from-alb", self.backend, args.app_port, "ALB to backend tasks", source=self.alb)
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-backend-https-out",
            security_group_id=self.backend.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4="0.0.0.0/0",
            description="Backend to HTTPS APIs: Groq, image registry, Secrets Manager, logs",
            opts=self._child,
        )
        if args.database_port is not None:
            self.database = self._group("database", "MongoDB: reached only from backend tasks")
            self._link("database", self.database, args.database_port, "MongoDB")
        if args.cache_port is not None:
            self.cache = self._group("cache", "Redis: reached only from backend tasks")
            self._link("cache", self.cache, args.cache_port, "Redis")
        self.register_outputs({"albSecurityGroupId": self.alb.id, "backendSecurityGroupId": self.backend.id})

    def _group(self, tier: str, description: str) -> aws.ec2.SecurityGroup:
        return aws.ec2.SecurityGroup(
            f"{self._name}-{tier}",
            vpc_id=self._args.vpc_id,
            description=description,
            tags={"Name": f"{self._name}-{tier}"},
            opts=self._child,
        )

    def _link(self, tier: str, group: aws.ec2.SecurityGroup, port: int, what: str) -> None:
        self._egress(f"backend-to-{tier}", self.backend, port, f"Backend tasks to {what}", group)
        self._ingress(f"{tier}-from-backend", group, port, f"Backend tasks to {what}", source=self.backend)

    def _ingress(
        self,
        rule: str,
        group: aws.ec2.SecurityGroup,
        port: int,
        description: str,
        *,
        source: aws.ec2.SecurityGroup | None = None,
        prefix_list_id: pulumi.Input[str] | None = None,
    ) -> None:
        aws.vpc.SecurityGroupIngressRule(
            f"{self._name}-{rule}",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            referenced_security_group_id=source.id if source else None,
            prefix_list_id=prefix_list_id,
            description=description,
            opts=self._child,
        )

    def _egress(
        self,
        rule: str,
        group: aws.ec2.SecurityGroup,
        port: int,
        description: str,
        target: aws.ec2.SecurityGroup,
    ) -> None:
        aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-{rule}",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            referenced_security_group_id=target.id,
            description=description,
            opts=self._child,
        )
