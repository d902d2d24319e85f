"""Physical names every real service accepts, for any stack name Pulumi accepts.

One table of each service's naming rule (characters, case, length, first character, no
double hyphens, ...) and one function that joins a name's parts and makes it valid. A name
that is already valid is returned as it is, so the shipped stacks keep their names and
nothing is replaced. A name that has to change (upper case, ``_`` or ``.``, too long) is
lower-cased and mapped as the rule needs and ends in a short hash of the name it came from,
so two stacks whose names differ only by case or punctuation never collide, and the same
stack always gets the same names.

Auto-named resources keep Pulumi's auto-naming; only names the program sets go through here.
Which input of which resource type follows which rule is a column of the kinds table
(``infra/tool/resource_kinds.py``), where the tool checks every planned name.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

STACK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
"""Pulumi's rule for stack names: letters, digits, ``-``, ``_`` and ``.``, at most 100."""

HASH_LENGTH = 8


@dataclass(frozen=True)
class NameRule:
    """What one service accepts as a name."""

    service: str
    max_length: int
    allowed: str
    """A regex character class body: the characters allowed anywhere in the name."""
    source: str
    """Where the rule comes from (provider source or the service's documentation)."""
    lower: bool = False
    """Upper-case letters are refused."""
    start_letter: bool = False
    no_double_hyphen: bool = False
    no_edge_hyphen: bool = False
    """No hyphen at the start or the end."""
    start_alnum: bool = False
    forbidden: str | None = None
    """A regex the name must not match anywhere (e.g. ``---``)."""

    def problems(self, name: str) -> list[str]:
        """What is wrong with ``name`` under this rule (empty when it is valid)."""
        found = []
        if not 1 <= len(name) <= self.max_length:
            found.append(f"length {len(name)} is outside 1..{self.max_length}")
        if not re.fullmatch(f"[{self.allowed}]*", name):
            found.append(f"characters outside [{self.allowed}]")
        if self.lower and name != name.lower():
            found.append("upper-case letters")
        if self.start_letter and not re.match(r"[a-zA-Z]", name):
            found.append("does not start with a letter")
        if self.start_alnum and not re.match(r"[a-zA-Z0-9]", name):
            found.append("does not start with a letter or digit")
        if self.no_double_hyphen and "--" in name:
            found.append("two hyphens in a row")
        if self.no_edge_hyphen and (name.startswith("-") or name.endswith("-")):
            found.append("starts or ends with a hyphen")
        if self.forbidden and re.search(self.forbidden, name):
            found.append(f"contains {self.forbidden!r}")
        return found


_AWS = "terraform-provider-aws"

RULES: dict[str, NameRule] = {
    "docdb-cluster": NameRule(
        "DocumentDB cluster identifier", 63, "a-z0-9-", f"{_AWS} internal/service/docdb/validate.go validIdentifier",
        lower=True, start_letter=True, no_double_hyphen=True, no_edge_hyphen=True,
    ),
    "docdb-snapshot": NameRule(
        "DocumentDB final snapshot identifier", 255, "a-zA-Z0-9-",
        f"{_AWS} internal/service/docdb/validate.go validFinalSnapshotIdentifier",
        start_letter=True, no_double_hyphen=True, no_edge_hyphen=True,
    ),
    "elasticache-snapshot": NameRule(
        "ElastiCache final snapshot name", 255, "a-zA-Z0-9-",
        "ElastiCache API CreateSnapshot SnapshotName (letters, digits, hyphens; starts with a letter)",
        start_letter=True, no_double_hyphen=True, no_edge_hyphen=True,
    ),
    "log-group": NameRule(
        "CloudWatch Logs log group", 512, r"\.\-_/#A-Za-z0-9",
        f"{_AWS} internal/service/logs/validate.go validLogGroupName",
    ),
    "dms-identifier": NameRule(
        "DMS identifier (replication instance, task, endpoint, certificate, subnet group)", 63, "a-z0-9-",
        f"{_AWS} internal/service/dms/validate.go validReplicationInstanceID (the strictest of DMS's identifiers)",
        lower=True, start_letter=True, no_double_hyphen=True, no_edge_hyphen=True,
    ),
    "backup-vault": NameRule(
        "AWS Backup vault name", 50, "a-zA-Z0-9_-",
        f"{_AWS} internal/service/backup/vault.go name: ^[0-9A-Za-z_-]{{2,50}}$",
    ),
    "backup-plan": NameRule(
        "AWS Backup plan name", 50, r"a-zA-Z0-9_.-",
        f"{_AWS} internal/service/backup/plan.go name: ^[0-9A-Za-z_.-]{{1,50}}$",
    ),
    "kms-alias": NameRule(
        "KMS alias name (after alias/)", 250, r"a-zA-Z0-9/_-",
        f"{_AWS} internal/service/kms/validate.go validNameForResource: ^(alias/)[a-zA-Z0-9/_-]+$",
        forbidden=r"^aws/",
    ),
    "log-resource-policy": NameRule(
        "CloudWatch Logs resource policy name", 255, r"a-zA-Z0-9_./#-",
        "CloudWatch Logs API PutResourcePolicy policyName",
    ),
    "alb": NameRule(
        "load balancer name", 32, "a-zA-Z0-9-", f"{_AWS} internal/service/elbv2/validate.go validName",
        no_edge_hyphen=True, forbidden=r"^internal-",
    ),
    "cloudfront-oac": NameRule(
        "CloudFront origin access control name", 64, r"a-zA-Z0-9_.-",
        f"{_AWS} internal/service/cloudfront/origin_access_control.go (StringLenBetween(1, 64))",
    ),
    "cloudfront-vpc-origin": NameRule(
        "CloudFront VPC origin name", 64, r"a-zA-Z0-9_-", "CloudFront API CreateVpcOrigin VpcOriginEndpointConfig.Name"
    ),
    "cloudfront-headers-policy": NameRule(
        "CloudFront response headers policy name", 128, r"a-zA-Z0-9_-",
        "CloudFront API CreateResponseHeadersPolicy Name",
    ),
    "cloudfront-function": NameRule(
        "CloudFront function name", 64, r"a-zA-Z0-9_-", f"{_AWS} internal/service/cloudfront/function.go validation"
    ),
    "ecs-family": NameRule(
        "ECS task definition family", 255, r"a-zA-Z0-9_-", "ECS API RegisterTaskDefinition family"
    ),
    "dashboard": NameRule(
        "CloudWatch dashboard name", 255, r"a-zA-Z0-9_-", "CloudWatch API PutDashboard DashboardName"
    ),
    "eks-cluster": NameRule(
        "EKS cluster name", 100, r"a-zA-Z0-9_-", f"{_AWS} internal/service/eks/validate.go validClusterName",
        start_alnum=True,
    ),
    "secret-prefix": NameRule(
        "Secrets Manager name prefix", 256, r"a-zA-Z0-9/_+=.@-", "Secrets Manager API CreateSecret Name"
    ),
    "atlas-project": NameRule(
        "Atlas project name", 64, r"a-zA-Z0-9 _-", "MongoDB Atlas Admin API createProject name (1-64 characters)"
    ),
    "atlas-cluster": NameRule(
        "Atlas cluster name", 64, "a-zA-Z0-9-",
        "MongoDB Atlas: cluster names hold only ASCII letters, numbers and hyphens, up to 64 characters",
        start_alnum=True, no_edge_hyphen=True,
    ),
    "vercel-project": NameRule(
        "Vercel project name", 100, r"a-z0-9._-",
        "pulumiverse-vercel / Vercel API: lower-case letters, digits, '.', '_' and '-', no '---', up to 100",
        lower=True, forbidden="---",
    ),
    "upstash-database": NameRule(
        "Upstash database name", 64, r"a-zA-Z0-9_-", "Upstash console: letters, digits, '-' and '_'"
    ),
    "docker-object": NameRule(
        "Docker container, network or volume name", 128, r"a-zA-Z0-9_.-",
        "Docker engine: [a-zA-Z0-9][a-zA-Z0-9_.-]+", start_alnum=True,
    ),
    "docker-image": NameRule(
        "Docker image repository name", 128, r"a-z0-9._-", "Docker reference grammar: repository names are lower-case",
        lower=True, start_alnum=True,
    ),
    # Google Cloud (pulumi-gcp bridges terraform-provider-google-beta, generated by magic-modules)
    "gcp-service-account": NameRule(
        "Google service account id", 30, "a-z0-9-",
        "magic-modules resource_google_service_account.go: ValidateRFC1035Name(6, 30), [a-z]([-a-z0-9]{4,28}[a-z0-9])",
        lower=True, start_letter=True, no_edge_hyphen=True,
    ),
    "gcp-secret": NameRule(
        "Secret Manager secret id", 255, "A-Za-z0-9_-",
        "secretmanager v1 discovery, secrets.create secretId: letters, numerals, hyphens and underscores, up to 255",
    ),
    "gcp-label": NameRule(
        "Google Cloud label value", 63, "a-z0-9_-",
        "cloud.google.com/resource-manager/docs/labels-overview: lower-case letters, digits, '_' and '-', up to 63",
        lower=True,
    ),
    "gcs-bucket": NameRule(
        "Cloud Storage bucket name", 63, "a-z0-9_.-",
        "cloud.google.com/storage/docs/buckets#naming: 3-63 lower-case letters, digits, '-', '_' and '.', starting "
        "and ending with a letter or digit, not starting with 'goog' nor containing 'google'",
        lower=True, start_alnum=True, no_edge_hyphen=True, forbidden=r"^goog|google",
    ),
    "artifact-repository": NameRule(
        "Artifact Registry repository id", 63, "a-z0-9-",
        "Artifact Registry: lower-case letters, digits and hyphens, starting with a letter, up to 63 (the API "
        "refuses others; its discovery document states no pattern)",
        lower=True, start_letter=True, no_edge_hyphen=True,
    ),
    "memorystore-redis": NameRule(
        "Memorystore for Redis instance name", 40, "a-z0-9-",
        "magic-modules mmv1/products/redis/Instance.yaml name: ^[a-z][a-z0-9-]{0,39}[a-z0-9]$ (the 40 here keeps "
        "it clear of the hash's room)", lower=True, start_letter=True, no_edge_hyphen=True,
    ),
    "firestore-database": NameRule(
        "Firestore database id", 63, "a-z0-9-",
        "magic-modules mmv1/products/firestore/Database.yaml: 4-63 of [a-z0-9-], first a letter, last a letter "
        "or digit", lower=True, start_letter=True, no_edge_hyphen=True,
    ),
}  # fmt: skip


def valid_stack_name(stack: str) -> bool:
    return STACK_NAME.fullmatch(stack) is not None


def physical_name(kind: str, *parts: str) -> str:
    """``parts`` joined with ``-`` as a name the ``kind`` service accepts (see the module)."""
    rule = RULES[kind]
    joined = "-".join(part for part in parts if part)
    if not rule.problems(joined):
        return joined
    digest = hashlib.sha256(joined.encode()).hexdigest()[:HASH_LENGTH]
    mapped = joined.lower() if rule.lower or "A-Z" not in rule.allowed else joined
    mapped = re.sub(r"-{2,}", "-", re.sub(f"[^{rule.allowed}]", "-", mapped)).strip("-")
    starts_badly = (rule.start_letter and not re.match(r"[a-zA-Z]", mapped)) or (
        rule.start_alnum and not re.match(r"[a-zA-Z0-9]", mapped)
    )
    if starts_badly or (rule.forbidden and re.search(rule.forbidden, mapped)):
        mapped = "n" + mapped  # a leading letter also breaks a forbidden prefix such as "internal-"
    head = mapped[: rule.max_length - HASH_LENGTH - 1].rstrip("-")
    name = f"{head}-{digest}"
    problems = rule.problems(name)
    if problems:  # a rule this function does not know how to meet: a bug, never a silent bad name
        raise ValueError(f"cannot make a valid {rule.service} from {joined!r}: {'; '.join(problems)}")
    return name
