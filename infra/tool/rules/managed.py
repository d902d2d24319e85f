"""The managed phases: Atlas's access list, backups and TLS, and Redis over TLS."""

from __future__ import annotations

from collections.abc import Iterable

from infra.tool.rules.model import Rule, Subject
from infra.tool.rules.types import ATLAS_ACCESS, ATLAS_CLUSTER, UPSTASH


def _atlas_not_open_in_prod(s: Subject) -> Iterable[str]:
    if s.prod and s.get("cidrBlock") == "0.0.0.0/0":
        yield "the Atlas access list admits 0.0.0.0/0 in prod"


def _atlas_backups(s: Subject) -> Iterable[str]:
    region = s.get("replicationSpecs", 0, "regionConfigs", 0) or {}
    # M0 (TENANT) has no cloud backups to turn on; Flex backs up always and refuses the setting.
    if s.prod and region.get("providerName") not in ("TENANT", "FLEX") and s.get("backupEnabled") is not True:
        yield "cloud backups are off in prod"
    if (s.get("advancedConfiguration") or {}).get("minimumEnabledTlsProtocol") not in (
        None,
        "TLS1_2",
        "TLS1_3",
    ):
        yield "accepts TLS below 1.2"


def _redis_tls(s: Subject) -> Iterable[str]:
    if s.get("tls") is not True:
        yield "Redis without TLS"


RULES: tuple[Rule, ...] = (
    Rule("atlas-access-list-not-open-in-prod", "Prod's Atlas access list does not admit 0.0.0.0/0",
         "managed phases", (ATLAS_ACCESS,), _atlas_not_open_in_prod, severity="critical"),
    Rule("atlas-backups-tls", "Dedicated Atlas clusters back up in prod and require TLS 1.2+", "managed phases",
         (ATLAS_CLUSTER,), _atlas_backups),
    Rule("redis-tls", "Redis is reached over TLS", "managed phases", (UPSTASH,), _redis_tls),
)  # fmt: skip
