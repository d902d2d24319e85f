"""LoadBalancer: an internal ALB that only CloudFront can reach, through a VPC origin."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws.log_bucket import ALB_PREFIX, LogBucket
from infra.naming import physical_name

TLS13_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"


@dataclass(frozen=True, kw_only=True)
class LoadBalancerArgs:
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets in 2+ AZs."""
    security_group_id: pulumi.Input[str]
    app_port: int
    health_path: str
    certificate_arn: str | None
    """Regional ACM certificate: HTTPS listener (TLS 1.3 policy) plus an HTTP redirect."""
    deletion_protection: bool
    access_logs: LogBucket
    """Where the ALB writes its access logs (under ``alb/``)."""


class LoadBalancer(pulumi.ComponentResource):
    """The API's Application Load Balancer.

    Builds: an *internal* ALB in the private subnets, an IP target group with a health
    check on ``health_path``, an HTTP listener (or HTTPS with a TLS 1.3 policy and an HTTP
    -> HTTPS redirect when a certificate is given) and the CloudFront ``VpcOrigin`` that
    connects the distribution to it.

    Why a VPC origin rather than a public ALB limited to CloudFront's prefix list: the
    prefix list admits *every* CloudFront distribution, including someone else's, so a
    public ALB needs a shared-secret header on top; an internal ALB has no public address
    at all, so CloudFront (through this VPC origin) is the only way in, and it saves the
    ALB's public IPv4 addresses (~$3.65/month each, one per AZ). Its security group still
    admits only CloudFront's origin-facing prefix list.
    Secure defaults: invalid header fields dropped, desync mitigation ``defensive``,
    deletion protection when the stack protects data, subnets in 2+ AZs, access logs to the
    stack's log bucket (ELB.4, ELB.5, ELB.6, ELB.12, ELB.13).
    Cost: ~$16.43/month per ALB plus $0.008 per LCU-hour (~$6 at low traffic).
    """

    alb: aws.lb.LoadBalancer
    target_group: aws.lb.TargetGroup
    vpc_origin: aws.cloudfront.VpcOrigin

    def __init__(self, name: str, args: LoadBalancerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:aws:LoadBalancer", name, None, opts)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        self.alb = aws.lb.LoadBalancer(
            f"{name}-alb",
            internal=True,
            load_balancer_type="application",
            subnets=list(args.subnet_ids),
            security_groups=[args.security_group_id],
            drop_invalid_header_fields=True,
            desync_mitigation_mode="defensive",
            enable_deletion_protection=args.deletion_protection,
            idle_timeout=60,
            access_logs=aws.lb.LoadBalancerAccessLogsArgs(
                bucket=args.access_logs.bucket.bucket, prefix=ALB_PREFIX, enabled=True
            ),
            # ELB checks it may write to the bucket when access logs are turned on.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[args.access_logs.policy]),
        )
        self.target_group = aws.lb.TargetGroup(
            f"{name}-tg",
            port=args.app_port,
            protocol="HTTP",
            target_type="ip",
            vpc_id=args.vpc_id,
            deregistration_delay=30,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True,
                path=args.health_path,
                protocol="HTTP",
                matcher="200",
                interval=15,
                timeout=5,
                healthy_threshold=2,
                unhealthy_threshold=3,
            ),
            opts=self._child,
        )
        self.listener = self._listeners()
        self.vpc_origin = aws.cloudfront.VpcOrigin(
            f"{name}-vpc-origin",
            vpc_origin_endpoint_config=aws.cloudfront.VpcOriginVpcOriginEndpointConfigArgs(
                name=physical_name("cloudfront-vpc-origin", name, pulumi.get_stack()),
                arn=self.alb.arn,
                http_port=80,
                https_port=443,
                origin_protocol_policy="https-only" if args.certificate_arn else "http-only",
                origin_ssl_protocols=aws.cloudfront.VpcOriginVpcOriginEndpointConfigOriginSslProtocolsArgs(
                    items=["TLSv1.2"], quantity=1
                ),
            ),
            opts=self._child,
        )
        self.metric_dimensions: dict[str, pulumi.Input[str]] = {"LoadBalancer": self.alb.arn_suffix}
        """The ALB's CloudWatch dimensions (AWS/ApplicationELB: ``app/<name>/<id>``, the ARN's suffix)."""
        self.target_dimensions: dict[str, pulumi.Input[str]] = {
            **self.metric_dimensions,
            "TargetGroup": self.target_group.arn_suffix,
        }
        """The backend target group's dimensions (``targetgroup/<name>/<id>``, with its load balancer)."""
        self.register_outputs({"dnsName": self.alb.dns_name, "vpcOriginId": self.vpc_origin.id})

    def _listeners(self) -> aws.lb.Listener:
        forward = aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=self.target_group.arn)
        if not self._args.certificate_arn:
            return aws.lb.Listener(
                f"{self._name}-http",
                load_balancer_arn=self.alb.arn,
                port=80,
                protocol="HTTP",
                default_actions=[forward],
                opts=self._child,
            )
        https = aws.lb.Listener(
            f"{self._name}-https",
            load_balancer_arn=self.alb.arn,
            port=443,
            protocol="HTTPS",
            ssl_policy=TLS13_POLICY,
            certificate_arn=self._args.certificate_arn,
            default_actions=[forward],
            opts=self._child,
        )
        aws.lb.Listener(
            f"{self._name}-http-redirect",
            load_balancer_arn=self.alb.arn,
            port=80,
            protocol="HTTP",
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="redirect",
                    redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                        protocol="HTTPS", port="443", status_code="HTTP_301"
                    ),
                )
            ],
            opts=self._child,
        )
        return https
