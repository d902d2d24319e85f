"""The two sides ``nowry-infra diff`` compares: each stack's plan at the base and at the head.

The head is the working tree, planned in this process (or a ``plan --json`` file). The base is
a ``plan --json`` file, or a git ref of the same repository checked out into a temporary
worktree (``git worktree add --detach``, removed afterwards whatever happens) and planned by
the base's own program: ``nowry-infra plan STACK --json`` run from that worktree in a
subprocess, with the worktree first on the import path. What a pull request changes is what
its program plans against what the base's program plans; planning both with the head's code
would hide every change made to the program itself. A base whose program cannot run in this
environment (a dependency it needs is not installed here) is planned with this checkout's
code instead, and the report says so.

Each side holds what ``plan --json`` prints: the resources, the policy report and the bill.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.config import ConfigError, StackFileError
from infra.config import source as config_source
from infra.tool.engine import runner
from infra.tool.engine.plan import Plan, PlannedResource

BASE_PLAN_TIMEOUT = 600
"""Seconds one base plan may take (a plan takes a few)."""
_ENTRY_POINT = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


class SourceError(Exception):
    """A side cannot be read or planned: a usage error (exit 2) naming the file, ref or stack."""


@dataclass(frozen=True)
class Side:
    """One stack on one side, as ``nowry-infra plan STACK --json`` gives it."""

    plan: Plan
    policy: dict[str, Any]
    """The ``policy`` object: ``violations`` (unaccepted) and ``accepted`` (with reasons)."""
    cost: dict[str, Any]
    """The ``cost`` object: ``monthly_total``, ``line_items``, ``budget``, ``over_budget``..."""
    production: dict[str, Any] | None = None
    input_sources: bool = True
    """Whether each input's source resources are known (in-process plans): what carries a
    replacement from one resource to the next. A plan file does not record them."""


@dataclass(frozen=True)
class StackSides:
    stack: str
    base: Side | None
    """None: the stack does not exist at the base (a new stack)."""
    head: Side | None
    """None: the stack no longer exists at the head."""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sides:
    base: dict[str, str]
    """Where the base came from: ``{"ref", "commit"}`` or ``{"file"}``."""
    stacks: list[StackSides]
    warnings: list[str] = field(default_factory=list)


def from_plan(plan: Plan) -> Side:
    """A side planned in this process: its policy report and bill computed here."""
    from infra.tool.cost.estimate import estimate
    from infra.tool.rules.check import check_plan

    config = plan.config
    production = None
    if config is not None:
        production = {"production": config.production, "protect": config.protect, "reason": config.production_reason}
    return Side(plan, check_plan(plan).to_json(), estimate(plan).to_json(), production)


def _fail(origin: str, what: str) -> SourceError:
    return SourceError(f"{origin}: not the output of `nowry-infra plan STACK --json` ({what})")


def _resource(item: Any, origin: str, index: int) -> PlannedResource:
    if not isinstance(item, dict):
        raise _fail(origin, f"resources[{index}] is not an object")
    for key, kind in (("urn", str), ("type", str), ("name", str), ("custom", bool), ("inputs", dict)):
        if not isinstance(item.get(key), kind):
            raise _fail(origin, f"resources[{index}] has no {kind.__name__} {key!r}")
    parent, aliases = item.get("parent"), item.get("aliases", [])
    if parent is not None and not isinstance(parent, str):
        raise _fail(origin, f"resources[{index}].parent is not a URN")
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise _fail(origin, f"resources[{index}].aliases is not a list of URNs")
    return PlannedResource(
        urn=item["urn"],
        type=item["type"],
        name=item["name"],
        parent=parent,
        custom=item["custom"],
        provider=item.get("provider"),
        dependencies=tuple(str(d) for d in item.get("dependencies") or ()),
        protect=bool(item.get("protect", False)),
        retain_on_delete=bool(item.get("retain_on_delete", False)),
        inputs=item["inputs"],
        revealed_inputs=item["inputs"],
        aliases=tuple(aliases),
    )


def from_payload(payload: Any, origin: str) -> Side:
    """A side from ``plan --json`` output, checked: a file that is not one names what is missing."""
    if not isinstance(payload, dict):
        raise _fail(origin, "not a JSON object")
    for key in ("project", "stack", "phase"):
        if not isinstance(payload.get(key), str):
            raise _fail(origin, f"no {key!r}")
    if not isinstance(payload.get("resources"), list):
        raise _fail(origin, "no 'resources' list")
    policy, cost = payload.get("policy"), payload.get("cost")
    if not isinstance(policy, dict) or not all(isinstance(policy.get(k), list) for k in ("violations", "accepted")):
        raise _fail(origin, "no 'policy' with 'violations' and 'accepted'")
    if not isinstance(cost, dict) or not isinstance(cost.get("monthly_total"), (int, float)):
        raise _fail(origin, "no 'cost' with 'monthly_total'")
    lines = cost.get("line_items")
    if not isinstance(lines, list) or not all(
        isinstance(i, dict) and isinstance(i.get("urn"), str) and isinstance(i.get("monthly"), (int, float))
        for i in lines
    ):
        raise _fail(origin, "no 'cost.line_items' with each line's 'urn' and 'monthly'")
    resources = tuple(_resource(item, origin, i) for i, item in enumerate(payload["resources"]))
    outputs = payload["outputs"] if isinstance(payload.get("outputs"), dict) else {}
    plan = Plan(payload["project"], payload["stack"], payload["phase"], resources, outputs)
    production = payload.get("production") if isinstance(payload.get("production"), dict) else None
    return Side(plan, policy, cost, production, input_sources=False)


def read_plan_file(path: Path, option: str) -> Side:
    try:
        text = path.read_text()
    except OSError as exc:
        raise SourceError(f"{option} {path}: cannot read it ({exc.strerror or exc})") from None
    try:
        payload = json.loads(text)
    except ValueError as exc:
        raise SourceError(f"{option} {path}: not JSON ({exc})") from None
    return from_payload(payload, f"{option} {path}")


def plan_here(project_dir: Path, stack: str, overrides: Sequence[str] = ()) -> Side:
    """Plan ``stack`` in this process with this checkout's code; a config error is a SourceError."""
    from infra.tool.rules import RULE_IDS
    from stacks import ProviderNotInstalled

    try:
        return from_plan(runner.plan_stack(project_dir, stack, list(overrides), rule_ids=RULE_IDS))
    except (ConfigError, StackFileError) as exc:
        raise SourceError(str(exc)) from None
    except ProviderNotInstalled as exc:  # its message names the phase, not the stack
        raise SourceError(f"{stack}: {exc}") from None


# --- the base from a git ref --------------------------------------------------------------------


@dataclass(frozen=True)
class Checkout:
    ref: str
    commit: str
    root: Path
    """The temporary worktree."""
    project_dir: Path
    """The project folder inside it (where ``--project-dir`` is in this checkout)."""


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=300)
    except FileNotFoundError:
        raise SourceError("--base needs git, which is not installed") from None


@contextmanager
def checkout(project_dir: Path, ref: str) -> Iterator[Checkout]:
    """Check ``ref`` out into a temporary worktree for as long as the block runs."""
    if not ref or ref.startswith("-"):
        raise SourceError(f"--base {ref!r}: not a git ref")
    if not project_dir.is_dir():
        raise SourceError(f"--project-dir {project_dir}: no such folder")
    found = _git(["rev-parse", "--show-toplevel"], project_dir)
    if found.returncode != 0:
        raise SourceError(f"--base {ref}: {project_dir} is not in a git repository")
    top = Path(found.stdout.strip()).resolve()
    resolved = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top)
    if resolved.returncode != 0:
        raise SourceError(f"--base {ref}: no such commit, branch or tag in {top}")
    commit = resolved.stdout.strip()
    relative = project_dir.resolve().relative_to(top)
    temporary = Path(tempfile.mkdtemp(prefix="nowry-diff-"))
    root = temporary / "base"
    try:
        added = _git(["worktree", "add", "--detach", "--quiet", str(root), commit], top)
        if added.returncode != 0:
            raise SourceError(f"--base {ref}: git could not check it out ({added.stderr.strip()})")
        yield Checkout(ref, commit, root, root / relative)
    finally:
        removed = _git(["worktree", "remove", "--force", str(root)], top)
        shutil.rmtree(temporary, ignore_errors=True)
        if removed.returncode != 0:
            _git(["worktree", "prune"], top)


def entry_point(root: Path) -> str | None:
    """``module:function`` of the ``nowry-infra`` command in ``root``'s pyproject.toml."""
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text()).get("project", {})
    except (OSError, ValueError):
        return None
    entry = project.get("scripts", {}).get("nowry-infra")
    return entry if isinstance(entry, str) and _ENTRY_POINT.match(entry) else None


def run_base_plan(base: Checkout, stack: str) -> tuple[dict[str, Any] | None, str]:
    """``nowry-infra plan STACK --json`` by the base's own program: (its JSON, "") or (None, why not)."""
    entry = entry_point(base.root)
    if entry is None:
        return None, "its pyproject.toml names no nowry-infra command"
    module, function = entry.split(":")
    code = f"import sys; sys.argv[0] = 'nowry-infra'; from {module} import {function}; {function}()"
    env = {k: v for k, v in os.environ.items() if k not in runner.INHERITED_CONFIG}
    env["PYTHONPATH"] = os.pathsep.join([str(base.root), *filter(None, [os.environ.get("PYTHONPATH")])])
    command = [sys.executable, "-c", code, "plan", stack, "--json", "--project-dir", str(base.project_dir)]
    try:
        done = subprocess.run(command, cwd=base.root, env=env, capture_output=True, text=True, check=False,
                              timeout=BASE_PLAN_TIMEOUT)  # fmt: skip
    except subprocess.TimeoutExpired:
        return None, f"its plan took more than {BASE_PLAN_TIMEOUT} s"
    if done.returncode in (0, 1):  # 1: the plan has findings, and is printed all the same
        try:
            return json.loads(done.stdout), ""
        except ValueError:
            pass
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    return None, f"exit {done.returncode}: {lines[-1].strip() if lines else 'no message'}"


def _stacks(project_dir: Path, where: str) -> list[str]:
    if not (project_dir / "Pulumi.yaml").is_file():
        return []
    try:
        return config_source.read_project(project_dir).stacks()
    except StackFileError as exc:
        raise SourceError(f"{where}: {exc}") from None


def _base_side(base: Checkout, stack: str, job: Future[tuple[dict[str, Any] | None, str]]) -> tuple[Side, list[str]]:
    payload, failure = job.result()
    if payload is not None:
        try:
            return from_payload(payload, f"the plan of {stack} at {base.ref}"), []
        except SourceError as exc:  # a base older than this plan JSON
            failure = str(exc)
    try:
        side = plan_here(base.project_dir, stack)
    except SourceError as exc:
        raise SourceError(f"{stack} at {base.ref} does not plan: its own program failed ({failure}), and with "
                          f"this checkout's code: {exc}") from None  # fmt: skip
    return side, [f"the base was planned with this checkout's code: its own program did not run here ({failure})"]


def _head_side(project_dir: Path, stack: str, overrides: Sequence[str], head_plan: Path | None) -> Side:
    if head_plan is None:
        return plan_here(project_dir, stack, overrides)
    head = read_plan_file(head_plan, "--head-plan")
    if head.plan.stack != stack:
        raise SourceError(f"--head-plan {head_plan}: a plan of stack {head.plan.stack}, not {stack}")
    return head


def collect_from_ref(
    project_dir: Path, ref: str, stack: str | None, overrides: Sequence[str] = (), head_plan: Path | None = None
) -> Sides:
    """Every stack (``stack`` None) or one, at ``ref`` and in the working tree. The base's plans
    run in subprocesses, side by side, while the head's are made here."""
    head_stacks = _stacks(project_dir, "the head")
    with checkout(project_dir, ref) as base:
        base_stacks = _stacks(base.project_dir, f"the base ({ref})")
        names = sorted({*head_stacks, *base_stacks}) if stack is None else [stack]
        if stack is not None and stack not in head_stacks and stack not in base_stacks and head_plan is None:
            known = ", ".join(sorted({*head_stacks, *base_stacks})) or "none"
            raise SourceError(f"no stack {stack} at the head or at {ref} (stacks: {known})")
        pool = ThreadPoolExecutor(max_workers=max(1, min(len(names), os.cpu_count() or 1)))
        try:
            jobs = {name: pool.submit(run_base_plan, base, name) for name in names if name in base_stacks}
            heads = {
                name: _head_side(project_dir, name, overrides, head_plan)
                for name in names
                if name in head_stacks or head_plan is not None
            }
            found = []
            for name in names:
                side, notes = _base_side(base, name, jobs[name]) if name in jobs else (None, [])
                found.append(StackSides(name, side, heads.get(name), tuple(notes)))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    warnings = [f"{s.stack}: {w}" for s in found if s.head is not None for w in s.head.plan.warnings]
    return Sides({"ref": ref, "commit": base.commit}, found, warnings)


def collect_from_files(project_dir: Path, stack: str, base_plan: Path, head_plan: Path | None,
                       overrides: Sequence[str] = ()) -> Sides:  # fmt: skip
    """One stack: the base from a plan file, the head from another or planned here."""
    base = read_plan_file(base_plan, "--base-plan")
    if base.plan.stack != stack:
        raise SourceError(f"--base-plan {base_plan}: a plan of stack {base.plan.stack}, not {stack}")
    head = _head_side(project_dir, stack, overrides, head_plan)
    warnings = [f"{stack}: {w}" for w in head.plan.warnings]
    if head.plan.project != base.plan.project:
        raise SourceError(f"--base-plan {base_plan}: a plan of project {base.plan.project}, not {head.plan.project}")
    return Sides({"file": str(base_plan)}, [StackSides(stack, base, head)], warnings)


def collect(
    project_dir: Path,
    stack: str | None,
    all_stacks: bool,
    base_ref: str | None,
    base_plan: Path | None,
    head_plan: Path | None,
    overrides: Sequence[str] = (),
) -> Sides:
    """Both sides of what ``nowry-infra diff`` was asked to compare; a contradiction in the
    options is a SourceError naming them."""
    if (base_ref is None) == (base_plan is None):
        raise SourceError("give the base: --base REF (a git branch, tag or commit) or --base-plan FILE")
    if all_stacks == (stack is not None):
        raise SourceError("give one STACK, or --all for every stack")
    if all_stacks and (base_plan or head_plan or overrides):
        raise SourceError("--all compares every stack at --base REF: --base-plan, --head-plan and --set take one STACK")
    if head_plan is not None and overrides:
        raise SourceError("--set changes the head's plan, which --head-plan gives as a file: use one of them")
    if base_ref is not None:
        return collect_from_ref(project_dir, base_ref, stack, overrides, head_plan)
    assert base_plan is not None and stack is not None
    return collect_from_files(project_dir, stack, base_plan, head_plan, overrides)
