"""How long a pull request waits for its checks: each job of `.github/workflows/pull-request.yml`
that runs on every pull request, run here as the workflow runs it, one job at a time.

Each job starts from a fresh clone of the committed branch, merged into the base the way GitHub
makes a pull request's merge commit (so `HEAD^1` is the base), and runs its `run:` steps
verbatim with bash (`-eo pipefail`, as GitHub's runner does) and uv's cache as it is here (warm,
as setup-uv's `enable-cache` restores it). Steps that need root (apt-get) are skipped and listed.
The jobs run in parallel on GitHub, so the feedback time is the longest job; the aim is 90 s.

Run: python benchmarks/pr_feedback.py [--base main] [--jobs checks,tests[1],...]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
WORKFLOW = PROJECT_DIR / ".github" / "workflows" / "pull-request.yml"
AIM_SECONDS = 90.0
SHELL = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]
GIT_USER = ["-c", "user.name=benchmark", "-c", "user.email=benchmark@example.com", "-c", "commit.gpgsign=false"]
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")
ENV = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV", "PULUMI_CONFIG"))}
ENV["PATH"] = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if ".venv" not in Path(p).parts)
"""The runner's environment: none of this machine's uv settings or virtual environment."""


def jobs_on_every_pull_request() -> dict[str, dict]:
    """The jobs with no `if` (the preview runs only for the repository's own branches, with
    secrets), each with the workflow's `env` under its own; a job with a matrix is one job per
    combination (``tests[1]``, ``tests[2]``), as GitHub runs it."""
    workflow = yaml.safe_load(WORKFLOW.read_text())
    shared = workflow.get("env") or {}
    found: dict[str, dict] = {}
    for name, job in workflow["jobs"].items():
        if "if" in job or "needs" in job:
            continue
        for combination in matrix_combinations(job.get("strategy", {}).get("matrix") or {}):
            label = f"{name}[{','.join(str(v) for v in combination.values())}]" if combination else name
            found[label] = {**job, "env": {**shared, **(job.get("env") or {})}, "matrix": combination}
    return found


def matrix_combinations(matrix: dict) -> list[dict[str, object]]:
    """Every combination of a matrix's lists (the shapes this workflow uses: no include/exclude)."""
    combinations: list[dict[str, object]] = [{}]
    for key, values in matrix.items():
        if key in ("include", "exclude"):
            raise SystemExit(f"matrix {key} is not modelled here: extend {Path(__file__).name}")
        combinations = [{**c, key: v} for c in combinations for v in values]
    return combinations


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *GIT_USER, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def checkout(base: str, into: Path) -> None:
    """What actions/checkout gives a pull_request run: the branch merged into the base, detached."""
    head = git("rev-parse", "HEAD", cwd=PROJECT_DIR).strip()
    base_commit = git("rev-parse", "--verify", f"{base}^{{commit}}", cwd=PROJECT_DIR).strip()
    git("clone", "--quiet", "--no-checkout", str(PROJECT_DIR), str(into), cwd=PROJECT_DIR)
    git("checkout", "--quiet", "--detach", base_commit, cwd=into)
    git("merge", "--quiet", "--no-ff", "--no-edit", head, cwd=into)


def evaluate(text: str, context: dict[str, str]) -> str:
    return EXPRESSION.sub(lambda m: context.get(m.group(1), ""), str(text))


def outputs(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines() if path.exists() else []:
        name, sep, value = line.partition("=")
        if sep:
            found[name] = value
    return found


def cpu_seconds() -> float:
    """User + system time of every finished child process (and theirs): what a job costs, whatever
    else the machine is doing."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_job(name: str, job: dict, base: str, work: Path) -> tuple[float, float, list[str], str | None]:
    """(wall seconds, CPU seconds, skipped steps, the failing step or None); each step's time is printed."""
    folder = re.sub(r"\W", "-", name)
    clone, temp = work / folder, work / f"{folder}-runner-temp"
    temp.mkdir()
    started, cpu_started = time.perf_counter(), cpu_seconds()
    checkout(base, clone)
    print(f"  {time.perf_counter() - started:6.1f} s  checkout (clone, merge into {base})", flush=True)
    context = {"runner.temp": str(temp), "github.event.pull_request.number": "1", "!cancelled()": "true"}
    context.update({f"matrix.{key}": str(value) for key, value in job["matrix"].items()})
    skipped, failed = [], None
    for index, step in enumerate(job["steps"]):
        script = step.get("run")
        label = step.get("name") or script or step.get("uses", "")
        if script is None:
            continue  # actions: the checkout above, setup-uv (uv is here), upload-artifact
        if script.lstrip().startswith("sudo "):
            skipped.append(label)
            continue
        output = temp / f"output-{index}"
        env = {**ENV, "CI": "true", "RUNNER_TEMP": str(temp), "GITHUB_OUTPUT": str(output),
               "GITHUB_STEP_SUMMARY": str(temp / "summary.md")}  # fmt: skip
        env.update({key: evaluate(value, context) for key, value in {**job["env"], **(step.get("env") or {})}.items()})
        step_started = time.perf_counter()
        done = subprocess.run([*SHELL, script], cwd=clone, env=env, capture_output=True, text=True, check=False)
        print(f"  {time.perf_counter() - step_started:6.1f} s  {label.splitlines()[0]}", flush=True)
        if "id" in step:
            context.update({f"steps.{step['id']}.outputs.{k}": v for k, v in outputs(output).items()})
        if done.returncode != 0 and failed is None:
            said = [line.strip() for line in (done.stdout + done.stderr).splitlines() if line.strip()]
            failed = f"{label} (exit {done.returncode}): {' / '.join(said[-3:])}"
            if step.get("id") != "diff" or done.returncode != 1:  # a diff with findings goes on to upload
                break
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    shutil.rmtree(clone, ignore_errors=True)
    return seconds, cpu, skipped, failed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Time each pull-request job's commands; print the longest.")
    parser.add_argument("--base", default="main", help="The branch the pull request goes into (default: main).")
    parser.add_argument("--jobs", help="Comma-separated job ids (default: every job that runs on every PR).")
    args = parser.parse_args(argv)
    jobs = jobs_on_every_pull_request()
    chosen = args.jobs.split(",") if args.jobs else list(jobs)
    unknown = [j for j in chosen if j not in jobs]
    if unknown:
        print(f"unknown job(s) {', '.join(unknown)}; jobs: {', '.join(jobs)}", file=sys.stderr)
        return 2
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="pr-feedback-") as work:
        for name in chosen:
            print(f"{name}:", flush=True)
            seconds, cpu, skipped, failed = run_job(name, jobs[name], args.base, Path(work))
            times[name] = seconds
            note = f"  (skipped: {'; '.join(skipped)})" if skipped else ""
            status = f"FAILED at {failed}" if failed else "ok"
            print(f"{name}: {seconds:.1f} s ({cpu:.1f} s of CPU), {status}{note}", flush=True)
    longest = max(times, key=lambda n: times[n])
    verdict = "within" if times[longest] <= AIM_SECONDS else "over"
    print(f"longest: {longest}, {times[longest]:.1f} s ({verdict} the {AIM_SECONDS:.0f} s aim); "
          f"all jobs one after another: {sum(times.values()):.1f} s; load average here: "
          f"{', '.join(f'{n:.1f}' for n in os.getloadavg())} on {os.cpu_count()} cores")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
