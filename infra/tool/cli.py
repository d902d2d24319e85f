"""The ``nowry-infra`` command: see what a stack will build, before any cloud account is touched.

Exit codes: 0 ok, 1 findings, 2 usage or config error.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

# The CLI uses no pydantic plugins; skipping their entry-point scan saves ~20 ms a run.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import typer

from infra.config import ConfigError, StackFileError
from infra.tool.change_command import diff as diff_command
from infra.tool.ops.advise.command import advise as advise_command
from infra.tool.options import (
    DEFAULT_RETRY,
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    EndpointOption,
    JsonOption,
    ProjectDirOption,
    RetryOption,
    SetOption,
    StackArgument,
    StrictOption,
    fail,
    warn,
)

app = typer.Typer(
    name="nowry-infra",
    help="Plan, price, check and draw Nowry's Pulumi stacks offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Plan, price, check and draw Nowry's Pulumi stacks offline."""


def _plan(project_dir: Path, stack: str, overrides: list[str] | None) -> Any:
    """Plan a stack offline; a usage or config error ends the command with exit 2."""
    from infra.tool.engine.runner import plan_stack
    from infra.tool.rules import RULE_IDS
    from stacks import ProviderNotInstalled

    try:
        return plan_stack(project_dir, stack, overrides or [], rule_ids=RULE_IDS)
    except (ConfigError, StackFileError, ProviderNotInstalled) as exc:
        _fail(str(exc))


def _budget_findings(estimate: Any, strict: bool) -> bool:
    """Warn when the estimate exceeds the budget; True when that should fail the command."""
    if not estimate.over_budget:
        return False
    _warn(f"estimated ${estimate.total:,.2f}/month exceeds nowry:monthlyBudget ${estimate.budget:,.2f}")
    return strict


@app.command()
def plan(
    stack: StackArgument,
    as_json: JsonOption = False,
    overrides: SetOption = None,
    project_dir: ProjectDirOption = Path("."),
    strict: StrictOption = False,
) -> None:
    """Show every resource the stack would create, its policy findings and its monthly cost."""
    from infra.tool.cost.estimate import estimate as estimate_cost
    from infra.tool.rules.check import check_plan

    result = _plan(project_dir, stack, overrides)
    report = check_plan(result)
    cost = estimate_cost(result)
    if as_json:
        payload = result.to_json()
        payload["policy"] = report.to_json()
        payload["cost"] = cost.to_json()
        payload["production"] = {
            "production": result.config.production,
            "protect": result.config.protect,
            "reason": result.config.production_reason,
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        from infra.tool.render import print_plan, print_policy

        print_plan(result)
        print_policy(report)
        typer.echo(f"cost: ~${cost.total:,.2f}/month (nowry-infra cost {stack} for the lines)")
    for warning in result.warnings:
        _warn(warning)
    over = _budget_findings(cost, strict)
    raise typer.Exit(EXIT_FINDINGS if report.mandatory or over else EXIT_OK)


@app.command()
def cost(
    stack: StackArgument,
    as_json: JsonOption = False,
    overrides: SetOption = None,
    project_dir: ProjectDirOption = Path("."),
    strict: StrictOption = False,
) -> None:
    """Estimate the stack's monthly bill, line by line, from the price catalog and its usage."""
    from infra.tool.cost.estimate import estimate as estimate_cost

    result = _plan(project_dir, stack, overrides)
    estimate = estimate_cost(result)
    if as_json:
        sys.stdout.write(json.dumps({"stack": stack, "phase": result.phase, **estimate.to_json()}, indent=2) + "\n")
    else:
        from infra.tool.render import print_cost

        print_cost(result, estimate)
    raise typer.Exit(EXIT_FINDINGS if _budget_findings(estimate, strict) else EXIT_OK)


@app.command()
def recommend(
    users: Annotated[int, typer.Option("--users", min=0, help="Users the product serves (or expects).")],
    as_json: JsonOption = False,
    project_dir: ProjectDirOption = Path("."),
) -> None:
    """The phase for N users, each phase's estimated bill and the next steps to watch."""
    from infra.phases import alternatives
    from infra.tool.cost.advisor import BILLED_APART, ORIGINAL_ESTIMATES, next_steps, phase_for
    from infra.tool.cost.phase_bills import PhaseBillsError, phase_bills

    phase = phase_for(users)
    try:
        bills = phase_bills(project_dir)
    except PhaseBillsError as exc:
        _fail(str(exc))
    steps = next_steps(users)
    side_by_side = {name: bills.get(name) for name in (phase, *alternatives(phase))}
    if as_json:
        payload = {
            "users": users,
            "phase": phase,
            "alternatives": list(alternatives(phase)),
            "side_by_side": side_by_side,
            "monthly_by_phase": bills,
            "billed_apart": BILLED_APART,
            "original_estimates": ORIGINAL_ESTIMATES,
            "next_steps": [{"users": s.users, "action": s.action, "reached": s.reached} for s in steps],
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    from infra.tool.render import print_recommendation

    print_recommendation(users, phase, bills, steps, side_by_side)


@app.command()
def migrate(
    stack: StackArgument,
    to: Annotated[str, typer.Option("--to", help="The phase to move the stack to.")],
    as_json: JsonOption = False,
    overrides: SetOption = None,
    project_dir: ProjectDirOption = Path("."),
    accept_data_loss: Annotated[
        bool, typer.Option("--accept-data-loss", help="Exit 0 even when a data store would be lost.")
    ] = False,
    target_overrides: Annotated[
        list[str] | None,
        typer.Option("--target-set", metavar="KEY=VALUE", help="Config for the target phase only (repeatable)."),
    ] = None,
) -> None:
    """What moving STACK to another phase creates, updates, replaces and deletes, and the runbook."""
    from infra.phases import PHASE_NAMES
    from infra.tool.migrate import plan_migration, target_engine
    from stacks import ProviderNotInstalled

    if to not in PHASE_NAMES:
        _fail(f"--to: unknown phase {to!r}; allowed: {', '.join(PHASE_NAMES)}")
    current = _plan(project_dir, stack, overrides)
    from infra.tool.engine.runner import plan_stack

    chosen = [*(target_overrides or [])]
    engine = target_engine(current, to)
    if engine is not None and not any(o.startswith("nowry:database.engine=") for o in chosen):
        given = current.config.database.engine
        _warn(f"nowry:database.engine {given} does not run in the {to} phase: the move is planned with its "
              f"default, {engine} (--target-set nowry:database.engine=... chooses another)")  # fmt: skip
        chosen.insert(0, f"nowry:database.engine={engine}")
    try:
        target = plan_stack(project_dir, stack, [*(overrides or []), f"nowry:phase={to}", *chosen])
    except ProviderNotInstalled as exc:
        _fail(str(exc))
    except (ConfigError, StackFileError) as exc:
        _fail(f"the stack's config does not fit phase {to} yet; give the missing settings with --target-set:\n{exc}")
    migration = plan_migration(current, target)
    if migration.blocked:
        _fail(f"--to {to}: {migration.blocked}")
    if as_json:
        sys.stdout.write(json.dumps({"stack": stack, **migration.to_json()}, indent=2) + "\n")
    else:
        from infra.tool.render import print_migration

        print_migration(stack, migration)
    raise typer.Exit(EXIT_FINDINGS if migration.data_loss and not accept_data_loss else EXIT_OK)


@app.command()
def bootstrap(
    region: Annotated[str, typer.Option("--region", help="AWS region of the state bucket and key.")],
    bucket: Annotated[
        str | None, typer.Option("--bucket", help="Bucket name (default: nowry-pulumi-state-<account>-<region>).")
    ] = None,
    kms_alias: Annotated[
        str, typer.Option("--kms-alias", help="Alias of the secrets key.")
    ] = "alias/nowry-pulumi-secrets",
    fix: Annotated[
        bool, typer.Option("--fix", help="Fix an existing bucket or key that is weaker than it should be.")
    ] = False,
    retry_mode: RetryOption = DEFAULT_RETRY,
    endpoint_url: EndpointOption = None,
) -> None:
    """Create (idempotently) the S3 bucket for Pulumi state and the KMS key for its secrets."""
    from infra.aws_client import Aws, AwsError
    from infra.tool.ops.bootstrap import StateBackend

    try:
        aws = Aws(region, endpoint_url=endpoint_url, retry_mode=retry_mode.value)
        result = StateBackend(aws, bucket=bucket, alias=kms_alias).run(fix=fix)
    except (AwsError, ValueError) as exc:
        _fail(str(exc))
    for change in result.changes:
        typer.echo(f"changed: {change}")
    if not result.changes:
        typer.echo(f"no changes: s3://{result.bucket} and {result.alias} are already set up")
    unfixed = [] if fix else result.drift
    for drift in unfixed:
        typer.echo(f"weaker than expected: {drift.render()} (run again with --fix)", err=True)
    typer.echo("next:")
    typer.echo(f"  {result.login_line}")
    typer.echo(f"  {result.stack_init_line}")
    raise typer.Exit(EXIT_FINDINGS if unfixed else EXIT_OK)


@app.command()
def verify(
    stack: StackArgument,
    outputs: Annotated[
        str, typer.Option("--outputs", help="File with `pulumi stack output --json --show-secrets`, or - for stdin.")
    ] = "-",
    timeout: Annotated[float, typer.Option("--timeout", min=0, help="Seconds to wait for every check to pass.")] = 300,
    interval: Annotated[float, typer.Option("--interval", min=0, help="Seconds between rounds of checks.")] = 5,
    region: Annotated[str | None, typer.Option("--region", help="AWS region (default: the stack's output).")] = None,
    retry_mode: RetryOption = DEFAULT_RETRY,
    endpoint_url: EndpointOption = None,
) -> None:
    """Check a deployed stack: aws (ECS, ALB targets, CloudFront, data stores) or gcp (Cloud Run, the load
    balancer, Cloud Armor; a token in GOOGLE_OAUTH_ACCESS_TOKEN), then the site and API through its edge."""
    from infra.tool.ops.verify import verify as run_checks
    from infra.tool.ops.verify_gcp import Gcp, GcpError, is_gcp
    from infra.tool.ops.verify_gcp import probes as gcp_probes

    values = _stack_outputs(outputs)
    aws, checks = None, None
    if is_gcp(values):
        try:
            checks = gcp_probes(Gcp(endpoint=endpoint_url), values)
        except GcpError as exc:
            _fail(str(exc))
    else:
        from infra.aws_client import Aws

        try:
            aws = Aws(_region(region, values), endpoint_url=endpoint_url, retry_mode=retry_mode.value)
        except ValueError as exc:
            _fail(str(exc))
    from infra.tool.render import VerifyProgress

    with VerifyProgress(stack) as progress:
        results = run_checks(aws, values, timeout=timeout, interval=interval, on_progress=progress.update,
                             checks=checks)  # fmt: skip
    from infra.tool.render import print_checks

    print_checks(results)
    failed = [r for r in results if r.ok is False]
    if all(r.ok is None for r in results):
        typer.echo(
            "error: no check could run: the outputs hold none of the keys verify reads "
            "(pass `pulumi stack output --json --show-secrets` of an aws- or gcp-phase stack)",
            err=True,
        )
        raise typer.Exit(EXIT_FINDINGS)
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


@app.command("migration-status")
def migration_status(
    stack: StackArgument,
    outputs: Annotated[
        str, typer.Option("--outputs", help="File with `pulumi stack output --json`, or - for stdin.")
    ] = "-",
    max_latency: Annotated[
        float, typer.Option("--max-latency", min=0, help="CDC latency in seconds that still allows the cutover.")
    ] = 60,
    region: Annotated[str | None, typer.Option("--region", help="AWS region (default: the stack's output).")] = None,
    as_json: JsonOption = False,
    retry_mode: RetryOption = DEFAULT_RETRY,
    endpoint_url: EndpointOption = None,
) -> None:
    """Whether the DMS migration into DocumentDB may be cut over: exit 0 when it may, 1 while it may not."""
    from infra.aws_client import Aws, AwsError
    from infra.tool.ops.migration_status import migration_status as read_status

    values = _stack_outputs(outputs)
    task_arn, instance_id = values.get("migrationTaskArn"), values.get("migrationInstanceId")
    if not task_arn or not instance_id:
        _fail(f"stack {stack} runs no data migration: its outputs have no migrationTaskArn "
              "(set nowry:database.migrationSource and `pulumi up` first)")  # fmt: skip
    chosen_region = _region(region, values)
    try:
        status = read_status(Aws(chosen_region, endpoint_url=endpoint_url, retry_mode=retry_mode.value), task_arn,
                             instance_id, max_latency=max_latency)  # fmt: skip
    except (AwsError, ValueError) as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(status.to_json(), indent=2))
    else:
        load = f"{status.full_load_percent}%" if status.full_load_percent is not None else "?"
        latency = ", ".join(f"{side.lower()} {'?' if v is None else f'{v:g} s'}"
                            for side, v in status.latency_seconds.items())  # fmt: skip
        typer.echo(f"{stack}: task {status.status}, full load {load}, CDC latency {latency}")
        if status.ready:
            typer.echo("ready to cut over: freeze writes, wait for CDC latency 0, switch (see `nowry-infra migrate`)")
        for reason in status.waiting_for:
            typer.echo(f"  waiting: {reason}")
    raise typer.Exit(EXIT_OK if status.ready else EXIT_FINDINGS)


@app.command()
def dr(
    stack: StackArgument,
    as_json: JsonOption = False,
    overrides: SetOption = None,
    project_dir: ProjectDirOption = Path("."),
    restore_stack: Annotated[
        str | None, typer.Option("--restore-stack", help="The stack that restores it (default: STACK-dr).")
    ] = None,
    latest: Annotated[
        bool, typer.Option("--latest", help="Find the newest recovery point in the DR vault (calls AWS).")
    ] = False,
    retry_mode: RetryOption = DEFAULT_RETRY,
    endpoint_url: EndpointOption = None,
) -> None:
    """STACK's disaster-recovery posture: RPO and RTO in minutes, and the numbered runbook."""
    from infra.tool.dr import dr_vault, posture

    plan = _plan(project_dir, stack, overrides)
    settings = plan.config.aws.dr if plan.config is not None else None
    if plan.phase != "aws" or settings is None or settings.region is None:
        _fail(f"stack {stack} has no disaster recovery: set nowry:aws.dr.region (the aws phase, with DocumentDB)")
    if latest:
        from infra.aws_client import Aws, AwsError
        from infra.tool.ops.recovery_points import latest_recovery_point

        vault = dr_vault(plan)
        try:
            point = latest_recovery_point(Aws(settings.region, endpoint_url=endpoint_url, retry_mode=retry_mode.value),
                                          vault.inputs["name"])  # fmt: skip
        except AwsError as exc:
            _fail(str(exc))
        typer.echo(f"{point['RecoveryPointArn']} ({point['CreationDate']})")
        typer.echo(f"pulumi config set --path nowry:database.restoreFromSnapshot {point['RecoveryPointArn']} "
                   f"--stack {restore_stack or stack + '-dr'}")  # fmt: skip
        raise typer.Exit(EXIT_OK)
    restore = _plan(project_dir, restore_stack or f"{stack}-dr", None)
    result = posture(plan, restore)
    if as_json:
        typer.echo(json.dumps(result.to_json(), indent=2))
    else:
        typer.echo(f"{stack}: RPO {result.rpo_minutes} minutes, RTO {result.rto_minutes} minutes "
                   f"(restored as {restore.stack} in {settings.region})")  # fmt: skip
        for index, step in enumerate(result.steps, 1):
            typer.echo(f"  {index}. {step}")
        for note in result.notes:
            typer.echo(f"  note: {note}")
    raise typer.Exit(EXIT_OK)


@app.command()
def diagram(
    stack: StackArgument,
    out: Annotated[Path, typer.Option("--out", help="Picture to write: .png, .svg or .dot.")],
    overrides: SetOption = None,
    project_dir: ProjectDirOption = Path("."),
) -> None:
    """Draw the stack's architecture from its plan: icons, network boundaries and regions, traffic, data and the keys
    that encrypt it."""
    from infra.tool.drawing import FORMATS, GraphvizMissing, RenderFailed, check_graphviz, draw
    from infra.tool.output_files import OutputPathError, check_file_target

    fmt = out.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        _fail(f"--out must end in {', '.join('.' + f for f in FORMATS)}, not {out.suffix or 'nothing'}")
    try:
        check_file_target("--out", out)
        check_graphviz(fmt)
    except (OutputPathError, GraphvizMissing) as exc:
        _fail(str(exc))
    result = _plan(project_dir, stack, overrides)
    try:
        written = draw(result, out)
    except OSError as exc:
        _fail(f"--out: cannot write {out} ({exc.strerror or exc})")
    except RenderFailed as exc:
        _fail(str(exc))
    typer.echo(f"wrote {written}")


@app.command()
def render(
    stack: StackArgument,
    out: Annotated[Path, typer.Option("--out", help="Folder to write the manifests into.")],
    overrides: SetOption = None,
    project_dir: ProjectDirOption = Path("."),
) -> None:
    """Write the Kubernetes manifests the stack would apply, one YAML file per resource."""
    from infra.tool.output_files import OutputPathError, check_folder_target
    from infra.tool.render_manifests import RELEASE_FILE_PREFIX, write

    try:
        check_folder_target("--out", out)
    except OutputPathError as exc:
        _fail(str(exc))
    result = _plan(project_dir, stack, overrides)
    try:
        written = write(result, out)
    except OSError as exc:
        _fail(f"--out: cannot write into {out} ({exc.strerror or exc})")
    if not written:
        _fail(f"stack {stack} (phase {result.phase}) has no Kubernetes resources to render")
    helm = sum(1 for path in written if path.name.startswith(RELEASE_FILE_PREFIX))
    extra = f" and {helm} Helm release inputs" if helm else ""
    typer.echo(f"wrote {len(written) - helm} manifests{extra} to {out}")
    for warning in result.warnings:
        _warn(warning)


@app.command()
def release(
    stack: StackArgument,
    backend_image: Annotated[
        str, typer.Option("--backend-image", help="The new backend image, pinned by digest (name@sha256:...).")
    ],
    project_dir: ProjectDirOption = Path("."),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and show the change; write nothing.")] = False,
) -> None:
    """Set the stack's backend image (pinned by digest) in its stack file, after planning it."""
    from infra.config import source
    from infra.tool.output_files import write_file
    from infra.tool.release import ReleaseError, bump_backend_image
    from infra.tool.rules.check import check_plan

    try:
        project = source.read_project(project_dir)
        bump = bump_backend_image(project.stack_file(stack), backend_image)
    except (ReleaseError, StackFileError) as exc:
        _fail(str(exc))
    report = check_plan(_plan(project_dir, stack, [f"nowry:backend.image={backend_image}"]))
    if report.mandatory:
        for violation in report.mandatory:
            _warn(f"{violation.rule}: {violation.message} ({violation.urn})")
        typer.echo(f"not released: {len(report.mandatory)} mandatory policy violation(s)", err=True)
        raise typer.Exit(EXIT_FINDINGS)
    if not dry_run:
        write_file(bump.path, bump.text.encode())
    verb = "would set" if dry_run else "set"
    typer.echo(f"{verb} nowry:backend.image in {bump.path.name}: {bump.old} -> {bump.new}")


app.command("advise")(advise_command)
app.command("diff")(diff_command)


@app.command()
def rules(as_json: JsonOption = False) -> None:
    """List every policy rule: id, severity, enforcement, the control it implements."""
    from infra.tool.rules import RULES, STACK_RULES

    rows = [
        {
            "id": rule.id,
            "severity": rule.severity,
            "enforcement": rule.enforcement,
            "reference": rule.reference,
            "description": rule.description,
            "scope": "resource" if rule in RULES else "stack",
        }
        for rule in (*RULES, *STACK_RULES)
    ]
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    from infra.tool.render import print_rules

    print_rules(rows)


@app.command()
def stacks(project_dir: ProjectDirOption = Path(".")) -> None:
    """List the stacks in the project folder and the phase each one runs."""
    from infra.config import source

    try:
        project = source.read_project(project_dir)
        rows = [
            (name, source.from_stack_file(project, name).namespace(project.name).get("phase", "?"))
            for name in project.stacks()
        ]
    except StackFileError as exc:
        _fail(str(exc))
    for name, phase in rows:
        typer.echo(f"{name}\t{phase}")


def _stack_outputs(outputs: str) -> dict[str, Any]:
    """The JSON object of ``pulumi stack output --json`` from a file, or stdin for ``-``."""
    try:
        text = sys.stdin.read() if outputs == "-" else Path(outputs).read_text()
        values = json.loads(text)
        if not isinstance(values, dict):
            raise ValueError("expected a JSON object of outputs")
    except (OSError, ValueError) as exc:
        _fail(f"--outputs: cannot read stack outputs ({exc})")
    return values


def _region(given: str | None, outputs: dict[str, Any]) -> str:
    region = given or outputs.get("region") or os.environ.get("AWS_REGION")
    if not region:
        _fail("no region: pass --region (the stack outputs have none)")
    return str(region)


_fail, _warn = fail, warn


def main() -> None:
    """Console entry point. Exits without interpreter teardown, which after loading Pulumi's
    gRPC runtime costs more than the plan itself; output is flushed first."""
    from infra.tool.engine.collector import tune_for_planning

    tune_for_planning()
    code: int | str | None = 0
    try:
        app()
    except SystemExit as exc:
        code = exc.code
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else (0 if code is None else EXIT_USAGE))


if __name__ == "__main__":
    main()
