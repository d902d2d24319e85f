"""The GitHub pipeline: what the workflow linters, GitHub's schema and a reviewer check."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from infra.config import source
from infra.phases import spec
from infra.tool.change_render import COMMENT_LIMIT
from infra.tool.ops.drift import drifted, main, report
from tests.conftest import PROJECT_DIR, SHIPPED_STACKS

GITHUB = PROJECT_DIR / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40} # v\d+(\.\d+)*$")


def workflow(name: str) -> dict:
    data = yaml.safe_load((GITHUB / "workflows" / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def steps(job: dict) -> list[dict]:
    return job["steps"]


def uses_lines() -> list[tuple[str, str]]:
    found = []
    for path in WORKFLOWS:
        for line in path.read_text().splitlines():
            match = re.match(r"^\s*(?:- )?uses: (.+)$", line)
            if match:
                found.append((path.name, match.group(1).strip()))
    return found


def test_workflows_match_githubs_schema():
    assert WORKFLOWS
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("command", [["actionlint"], ["zizmor", "--offline", "--quiet", str(GITHUB)]])
def test_workflow_linters_report_nothing(command):
    tool = shutil.which(command[0], path=str(Path(sys.executable).parent))
    assert tool, f"{command[0]} is a test dependency (pyproject.toml)"
    done = subprocess.run([tool, *command[1:]], capture_output=True, text=True, check=False, cwd=PROJECT_DIR)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_action_is_pinned_to_a_commit_with_its_version():
    used = uses_lines()
    assert used
    for name, ref in used:
        assert PINNED.match(ref), f"{name}: {ref} is not pinned to a commit SHA with '# vX' after it"


def test_checkouts_keep_no_token_and_every_job_states_its_permissions():
    for path in WORKFLOWS:
        data = workflow(path.name)
        assert data["permissions"] == {}, f"{path.name}: nothing by default"
        for job_name, job in data["jobs"].items():
            assert "permissions" in job, f"{path.name}:{job_name} states its permissions"
            for step in steps(job):
                if str(step.get("uses", "")).startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False
        for line in path.read_text().splitlines():
            if re.match(r"^\s+[a-z-]+: (read|write)\s*$", line):
                raise AssertionError(f"{path.name}: permission without a comment saying why: {line.strip()}")


NO_LOCKED_INSTALL = {
    ("pull-request.yml", "lowest-versions"),  # installs the floors of pyproject.toml on purpose
    ("pr-comment.yml", "comment"),  # installs nothing: runs no project code
}


def test_every_install_is_the_locked_one_and_the_cli_version_is_pinned():
    locked = tomllib.loads((PROJECT_DIR / "uv.lock").read_text())
    sdk = next(p["version"] for p in locked["package"] if p["name"] == "pulumi")
    assert (PROJECT_DIR / ".pulumi-version").read_text().strip() == sdk
    for path in WORKFLOWS:
        text = path.read_text()
        assert "pip install" not in text and "setup-python" not in text, path.name
        for job_name, job in workflow(path.name)["jobs"].items():
            runs = [s.get("run", "") for s in steps(job)]
            installs = any(r.startswith("uv sync --locked") for r in runs)
            assert installs != ((path.name, job_name) in NO_LOCKED_INSTALL), f"{path.name}:{job_name}"
            for step in steps(job):
                if str(step.get("uses", "")).startswith("pulumi/actions@"):
                    assert step["with"]["pulumi-version-file"] == ".pulumi-version"
    assert "uv sync --locked" in (PROJECT_DIR / ".ci" / "run").read_text()
    assert "uv lock --check" in (PROJECT_DIR / ".ci" / "checks").read_text()


def stacks_a_job_plans(data: dict, job: dict) -> set[str]:
    """Every shipped stack for a job that loops over the stack files or diffs ``--all``; else
    the stacks its matrix, its Pulumi steps or its dispatch inputs name."""
    runs = "\n".join(str(s.get("run", "")) for s in steps(job))
    if "Pulumi.*.yaml" in runs or "--all" in runs:
        return set(SHIPPED_STACKS)
    named = {m["stack"] for m in job.get("strategy", {}).get("matrix", {}).get("include", []) if "stack" in m}
    named |= {s["with"]["stack-name"] for s in steps(job) if "stack-name" in s.get("with", {})}
    dispatch = (data["on"] or {}).get("workflow_dispatch") or {}
    named |= set(((dispatch.get("inputs") or {}).get("stack") or {}).get("options", []))
    return {name for name in named if not name.startswith("${{")}


def extras_installed(job: dict) -> set[str]:
    install = next((str(s["run"]) for s in steps(job) if str(s.get("run", "")).startswith("uv sync --locked")), "")
    return set(re.findall(r"--extra (\S+)", install))


def extras_needed(stacks: set[str]) -> set[str]:
    project = source.read_project(PROJECT_DIR)
    phases = {source.from_stack_file(project, name).namespace(project.name)["phase"] for name in stacks}
    return {extra for extra in (spec(phase).extra for phase in phases) if extra}


def test_every_job_installs_the_extras_of_the_stacks_it_plans():
    checked = {}
    for path in WORKFLOWS:
        data = workflow(path.name)
        for name, job in data["jobs"].items():
            if (path.name, name) in NO_LOCKED_INSTALL:
                continue
            planned = stacks_a_job_plans(data, job)
            missing = extras_needed(planned) - extras_installed(job)
            assert not missing, (
                f"{path.name}:{name} plans {sorted(planned)} without `uv sync --locked --extra {missing}`"
            )
            checked[(path.name, name)] = planned
    # The jobs that plan every shipped stack (the gcp stack among them) are found as such.
    assert checked[("pull-request.yml", "plans")] == checked[("pull-request.yml", "diff")] == set(SHIPPED_STACKS)
    assert extras_needed(set(SHIPPED_STACKS)) == {"gcp"}
    assert checked[("release.yml", "bump")] == {"dev", "prod"}


def test_pull_requests_check_in_parallel_then_preview_with_the_policy_pack_skipping_forks():
    pr = workflow("pull-request.yml")
    assert "pull_request" in pr["on"]
    jobs = pr["jobs"]
    commands = {
        "checks": ".ci/checks",
        "tests": "pytest",
        "lowest-versions": ".ci/lowest-versions",
        "plans": "nowry-infra plan",
        "diff": "nowry-infra diff --all --base 'HEAD^1' --format markdown",
    }
    for name, command in commands.items():
        job = jobs[name]
        assert "needs" not in job, f"{name} runs in parallel"
        assert set(job["permissions"]) == {"contents"} and job["permissions"]["contents"] == "read"
        assert command in "\n".join(s.get("run", "") for s in steps(job)), name
        uv = next(s for s in steps(job) if str(s.get("uses", "")).startswith("astral-sh/setup-uv@"))
        assert uv["with"]["enable-cache"] is True, name
    for name in ("tests", "lowest-versions"):  # the suite on two runners, each half once
        assert jobs[name]["strategy"]["matrix"]["shard"] == [1, 2], name
        assert '--shard "$SHARD/2"' in "\n".join(s.get("run", "") for s in steps(jobs[name])), name
    checkout = next(s for s in steps(jobs["diff"]) if str(s.get("uses", "")).startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 2, "the merge commit's first parent is there for the base worktree"
    upload = next(s for s in steps(jobs["diff"]) if str(s.get("uses", "")).startswith("actions/upload-artifact@"))
    assert upload["with"]["name"] == "pr-diff"
    preview = jobs["preview"]
    assert set(preview["needs"]) == {"checks", "tests", "lowest-versions", "plans"}
    assert preview["environment"] == "preview"
    assert "github.event.pull_request.head.repo.full_name == github.repository" in preview["if"]
    assert preview["permissions"]["id-token"] == "write"
    assert [m["stack"] for m in preview["strategy"]["matrix"]["include"]] == ["dev", "prod"]
    pulumi = next(s for s in steps(preview) if str(s.get("uses", "")).startswith("pulumi/actions@"))
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["policyPacks"] == "policy"
    assert pulumi["with"]["comment-on-pr"] is True


# zizmor accepts any workflow_run workflow once dangerous-triggers is ignored (it reports neither
# a checkout of the fork's head nor setup-uv's cache there), so the safe shape is pinned here.
def test_the_comment_workflow_reads_the_artifact_as_data_and_runs_nothing_of_the_pull_request():
    comment = workflow("pr-comment.yml")
    assert set(comment["on"]) == {"workflow_run"}
    assert comment["on"]["workflow_run"]["workflows"] == [workflow("pull-request.yml")["name"]]
    assert set(comment["jobs"]) == {"comment"}
    job = comment["jobs"]["comment"]
    assert "github.event.workflow_run.event == 'pull_request'" in job["if"]
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    used = [str(s["uses"]).split("@")[0] for s in steps(job) if "uses" in s]
    assert used == ["actions/download-artifact"], "no checkout, no setup-uv (cache), no other action"
    download = steps(job)[0]
    assert download["with"]["run-id"] == "${{ github.event.workflow_run.id }}"
    run = "\n".join(s.get("run", "") for s in steps(job))
    assert "${{" not in run, "event data reaches the script through env only"
    assert "^[1-9][0-9]{0,9}$" in run and '"$pr_sha" != "$HEAD_SHA"' in run
    assert "uv " not in run and "source " not in run and "eval " not in run and "bash " not in run
    limit = re.search(r"^\s*limit=(\d+)$", run, re.MULTILINE)
    assert limit and int(limit.group(1)) >= COMMENT_LIMIT, "the diff's markdown is never cut by the workflow"


def test_the_diff_job_keeps_a_report_with_findings_and_says_when_there_is_none():
    job = workflow("pull-request.yml")["jobs"]["diff"]
    run = next(s for s in steps(job) if s.get("id") == "diff")["run"]
    assert "|| status=$?" in run and 'exit "$status"' in run and '"$GITHUB_OUTPUT"' in run
    gather = next(s for s in steps(job) if str(s.get("name", "")).startswith("Gather"))
    assert gather["if"] == "${{ !cancelled() }}"
    assert gather["env"]["DIFF_STATUS"] == "${{ steps.diff.outputs.status }}"
    assert "did not finish" in gather["run"]


def test_pulumi_token_comes_from_oidc_and_aws_only_where_the_stack_uses_aws():
    for path in WORKFLOWS:
        text = path.read_text()
        assert "PULUMI_ACCESS_TOKEN" not in text and "aws-access-key-id" not in text, path.name
        for job_name, job in workflow(path.name)["jobs"].items():
            used = [str(s.get("uses", "")) for s in steps(job)]
            if any(u.startswith("pulumi/actions@") for u in used):
                assert any(u.startswith("pulumi/auth-actions@") for u in used), f"{path.name}:{job_name}"
            aws = [s for s in steps(job) if str(s.get("uses", "")).startswith("aws-actions/")]
            if job_name == "dev":
                assert not aws, "the dev stack (free tier) uses no AWS account"
            for step in aws:
                assert job_name == "prod" or step.get("if") == "matrix.aws", f"{path.name}:{job_name}"


def test_deploys_go_dev_then_prod_behind_reviewers_never_overlapping():
    deploy = workflow("deploy.yml")
    assert deploy["on"]["push"]["branches"] == ["main"]
    dev, prod = deploy["jobs"]["dev"], deploy["jobs"]["prod"]
    assert prod["needs"] == "dev"
    assert (dev["environment"], prod["environment"]) == ("dev", "prod")
    for job, stack in ((dev, "dev"), (prod, "prod")):
        assert job["concurrency"]["group"] == f"pulumi-up-{stack}"
        assert job["concurrency"]["cancel-in-progress"] is False
        up = next(s for s in steps(job) if str(s.get("uses", "")).startswith("pulumi/actions@"))
        assert up["with"]["command"] == "up" and up["with"]["stack-name"] == stack
        assert up["with"]["policyPacks"] == "policy"


def test_drift_runs_daily_with_refresh_and_expects_no_changes():
    drift = workflow("drift.yml")
    assert drift["on"]["schedule"] and "workflow_dispatch" in drift["on"]
    job = drift["jobs"]["drift"]
    assert job["permissions"]["issues"] == "write"
    run = "\n".join(s.get("run", "") for s in steps(job))
    assert "pulumi preview" in run and "--refresh" in run and "--expect-no-changes" in run
    assert "python -m infra.tool.ops.drift" in run and "gh issue edit" in run and "gh issue create" in run


def test_advise_runs_weekly_on_each_deployed_stack_and_opens_one_issue_per_stack_on_exit_1():
    advise = workflow("advise.yml")
    assert advise["on"]["schedule"] and "workflow_dispatch" in advise["on"]
    job = advise["jobs"]["advise"]
    assert advise["permissions"] == {} and job["permissions"]["issues"] == "write"
    assert job["permissions"]["id-token"] == "write" and job["permissions"]["contents"] == "read"
    assert [m["stack"] for m in job["strategy"]["matrix"]["include"]] == ["dev", "prod"]
    assert job["concurrency"]["group"] == "advise-${{ matrix.stack }}"
    run = "\n".join(s.get("run", "") for s in steps(job))
    assert 'pulumi stack output --json --stack "$STACK" > outputs.json' in run
    assert 'nowry-infra advise "$STACK" --outputs outputs.json' in run
    issue = next(s for s in steps(job) if "gh issue create" in s.get("run", ""))
    assert issue["if"] == "steps.advise.outputs.status == '1'"
    assert "gh issue edit" in issue["run"] and 'title="A limit is near in stack $STACK"' in issue["run"]
    assert "${{" not in run, "values reach scripts through env, never through template expansion"


def test_release_takes_an_image_through_the_cli_and_a_pull_request():
    release = workflow("release.yml")
    assert set(release["on"]) == {"workflow_dispatch", "repository_dispatch"}
    run = "\n".join(s.get("run", "") for s in steps(release["jobs"]["bump"]))
    assert 'nowry-infra release "$STACK" --backend-image "$IMAGE"' in run
    assert "gh pr create" in run
    assert "${{" not in run, "inputs reach scripts through env, never through template expansion"


def test_dependabot_updates_the_lock_and_the_actions_in_groups():
    config = yaml.safe_load((GITHUB / "dependabot.yml").read_text())
    ecosystems = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(ecosystems) == {"uv", "github-actions"}
    assert all(u["groups"] for u in ecosystems.values())


PREVIEW = {
    "steps": [
        {"op": "same", "urn": "urn:pulumi:prod::nowry::aws:s3/bucket:Bucket::site"},
        {
            "op": "update",
            "urn": "urn:pulumi:prod::nowry::nowry:aws:Cache$aws:elasticache/replicationGroup:ReplicationGroup::cache",
            "diffs": ["snapshotRetentionLimit"],
        },
        {"op": "create", "urn": "urn:pulumi:prod::nowry::aws:sns/topic:Topic::alerts"},
    ],
    "changeSummary": {"same": 1, "update": 1, "create": 1},
}


def test_drift_report_names_each_drifted_resource_and_property():
    found = drifted(PREVIEW)
    assert [(d.name, d.op) for d in found] == [("cache", "update"), ("alerts", "create")]
    assert found[0].type == "aws:elasticache/replicationGroup:ReplicationGroup"
    body = report("prod", PREVIEW)
    assert "`cache`" in body and "`snapshotRetentionLimit`" in body and "`alerts`" in body
    assert "`site`" not in body


def test_drift_command_exits_1_on_drift_0_without_and_2_on_bad_input(tmp_path, capsys):
    with_drift, without, broken = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    with_drift.write_text(__import__("json").dumps(PREVIEW))
    without.write_text('{"steps": [{"op": "same", "urn": "urn:pulumi:dev::nowry::x:y:Z::a"}]}')
    broken.write_text("{not json")
    assert main(["prod", str(with_drift)]) == 1
    assert main(["dev", str(without)]) == 0
    assert "No drift in stack `dev`" in capsys.readouterr().out
    assert main(["dev", str(broken)]) == 2
    assert main(["dev", str(tmp_path / "missing.json")]) == 2
