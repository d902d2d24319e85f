"""UpstashRedis: a serverless Redis database for the all-paid phase."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import upstash_pulumi as upstash


@dataclass(frozen=True, kw_only=True)
class UpstashRedisArgs:
    database_name: str
    primary_region: str
    eviction: bool
    protect: bool


class UpstashRedis(pulumi.ComponentResource):
    """The app's cache on Upstash.

    Builds: a global ``RedisDatabase`` with its primary in ``primary_region`` and the
    ``rediss://`` URL the backend reads as ``REDIS_URL`` (a secret).
    Secure defaults: TLS on; the password never leaves Pulumi secrets; protected when the
    stack protects data.
    Cost: free up to 256 MB and 500K commands a month; then $0.20 per 100K commands and
    $0.25 per GB-month beyond 1 GB.
    """

    database: upstash.RedisDatabase
    url: pulumi.Output[str]

    def __init__(self, name: str, args: UpstashRedisArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:managed:UpstashRedis", name, None, opts)
        self.database = upstash.RedisDatabase(
            f"{name}-redis",
            database_name=args.database_name,
            region="global",
            primary_region=args.primary_region,
            tls=True,
            eviction=args.eviction,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.url = pulumi.Output.secret(
            pulumi.Output.concat(
                "rediss://default:",
                self.database.password,
                "@",
                self.database.endpoint,
                ":",
                self.database.port.apply(str),
            )
        )
        self.register_outputs({"url": self.url})
