"""Checks of ``database.migrationSource``: the online move into DocumentDB with DMS.

The source URI holds a password, so no message here ever quotes it (``[hidden]``)."""

from __future__ import annotations

from infra.config.common_checks import inside
from infra.config.errors import CheckContext
from infra.config.model import StackConfig
from infra.config.mongo_uri import STANDARD_FORM, parse_mongo_uri
from infra.config.source import OFFLINE_SECRET_PREFIX

KEY = "nowry:database.migrationSource"
HIDDEN = "[hidden]"


def set_command(stack: str) -> str:
    return f"pulumi config set --secret --path '{KEY}' '{STANDARD_FORM}' --stack {stack}"


def check(config: StackConfig, ctx: CheckContext) -> None:
    source = config.database.migration_source
    if source is None:
        return
    if config.phase != "aws" or config.database_engine != "documentdb":
        ctx.problem(KEY, f"moves data into DocumentDB; this stack runs {config.database_engine} in the "
                    f"{config.phase} phase", HIDDEN, "the aws phase with database.engine: documentdb")  # fmt: skip
        return
    if "nowry:database" not in ctx.raw.secret_keys:
        ctx.problem(KEY, "is set as plain text; it holds a password and must be stored encrypted", HIDDEN,
                    f"an encrypted value: {set_command(ctx.stack)}")  # fmt: skip
        return
    text = source.get_secret_value()
    if not text.startswith(OFFLINE_SECRET_PREFIX):
        parsed = parse_mongo_uri(text)
        if isinstance(parsed, str):
            ctx.problem(KEY, parsed, HIDDEN, f"the standard form {STANDARD_FORM}")
    ctx.warnings.append(
        f"{KEY} is set: the stack runs a DMS replication (full load, then change data capture) into DocumentDB, "
        "billed by the hour; after the cutover, unset it and `pulumi up` removes all of it"
    )
    if config.aws.nat == "none":
        ctx.problem("nowry:aws.nat", "DMS runs in the private subnets and reaches the source over the internet "
                    "through a NAT gateway", "'none'", "single or per-az while the migration runs")  # fmt: skip
    _ca_bundle(config, ctx)


def _ca_bundle(config: StackConfig, ctx: CheckContext) -> None:
    """The RDS CA bundle DMS verifies DocumentDB with: a file in the project. Not there yet is a
    warning offline and an error under the real engine (DMS would refuse the endpoint)."""
    key, path = "nowry:database.migrationCaBundle", config.database.migration_ca_bundle
    fetch = f"curl -o {path} https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"
    resolved = inside(path, ctx.project_dir)
    if resolved is None:
        ctx.problem(key, "leads outside the project folder", repr(path), f"a file under {ctx.project_dir}")
    elif not resolved.is_file() and ctx.offline:
        ctx.warnings.append(f"{key} {path!r} does not exist yet: {fetch}")
    elif not resolved.is_file():
        ctx.problem(key, f"does not exist: {fetch}", repr(path), "the Amazon RDS CA bundle (PEM)")
