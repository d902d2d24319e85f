"""Wall time of a whole `nowry-infra plan STACK --json` process for each shipped stack,
beside the floor: a process that only imports pulumi and the provider modules that stack
uses. Targets: ratio <= 1.3 and every stack under 2.5 s.

Run: python benchmarks/plan_speed.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.3
TARGET_SECONDS = 2.5


# Measure as an installed tool runs: with bytecode caches (uv sync and pip write them for
# site-packages; the project's own modules get theirs on the warm-up run).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(command: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=PROJECT_DIR, env=ENV)
    return time.perf_counter() - start, done


def cpu_seconds(command: list[str]) -> float:
    """User + system CPU time of one run: steadier than wall time on a shared machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run(command)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def interleaved(plan: list[str], floor: list[str], runs: int) -> tuple[float, float, float, float]:
    """Median wall and CPU times of ``plan`` and ``floor``, run alternately so that machine
    noise (two shared cores) hits both alike."""
    plan_wall, floor_wall, plan_cpu, floor_cpu = [], [], [], []
    for _ in range(runs):
        plan_wall.append(run(plan)[0])
        floor_wall.append(run(floor)[0])
        plan_cpu.append(cpu_seconds(plan))
        floor_cpu.append(cpu_seconds(floor))
    medians = [statistics.median(v) for v in (plan_wall, floor_wall, plan_cpu, floor_cpu)]
    return medians[0], medians[1], medians[2], medians[3]


def provider_classes(plan: dict) -> list[str]:
    """`aws:ecs/service:Service` -> pulumi_aws.ecs.Service; `docker:index/x:X` ->
    pulumi_docker.X. Provider SDKs load submodules lazily, on first attribute access, so
    the floor touches each class the stack registers."""
    classes = set()
    for item in plan["resources"]:
        if not item["custom"]:
            continue
        package, module, kind = item["type"].split(":")
        if package == "pulumi":
            continue
        base = f"pulumi_{package.replace('-', '_')}"
        if package == "kubernetes":  # apps/v1 -> apps.v1, networking.k8s.io/v1 -> networking.v1
            group, _, version = module.partition("/")
            classes.add(f"{base}.{group.split('.')[0]}.{version}.{kind}")
            continue
        if package == "pulumi-python":  # the project's own dynamic providers
            continue
        submodule = module.split("/")[0]
        classes.add(f"{base}.{kind}" if submodule == "index" else f"{base}.{submodule}.{kind}")
    return sorted(classes)


def floor_program(classes: list[str]) -> str:
    modules = sorted({"pulumi", *(name.rsplit(".", 1)[0].split(".")[0] for name in classes)})
    lines = [f"import {module}" for module in modules]
    lines += [f"{name}" for name in classes]
    return "\n".join(lines)


def stacks() -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in PROJECT_DIR.glob("Pulumi.*.yaml"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9, help="runs per measurement (median kept)")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "infra.tool.cli", "plan"]
    print(f"{'stack':<10} {'plan s':>8} {'floor s':>8} {'ratio':>6}  verdict (wall time; CPU seconds beside)")
    worst = 0.0
    for stack in stacks():
        _, done = run([*cli, stack, "--json"])  # warm-up: also writes bytecode caches
        if done.returncode != 0:
            reason = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"
            print(f"{stack:<10} {'-':>8} {'-':>8} {'-':>6}  not planned: {reason}")
            continue
        imports = floor_program(provider_classes(json.loads(done.stdout)))
        plan_time, floor_time, plan_cpu, floor_cpu = interleaved(
            [*cli, stack, "--json"], [sys.executable, "-c", imports], args.runs
        )
        ratio = plan_time / floor_time
        worst = max(worst, ratio)
        ok = ratio <= TARGET_RATIO and plan_time <= TARGET_SECONDS
        verdict = "ok" if ok else "MISS"
        cpu = f"cpu {plan_cpu:.3f}/{floor_cpu:.3f} = {plan_cpu / floor_cpu:.2f}"
        print(f"{stack:<10} {plan_time:>8.3f} {floor_time:>8.3f} {ratio:>6.2f}  {verdict:<5} {cpu}")
    print(f"targets: ratio <= {TARGET_RATIO}, plan <= {TARGET_SECONDS} s; worst ratio {worst:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
