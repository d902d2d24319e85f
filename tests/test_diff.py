"""`nowry-infra diff`: what a change does to each stack — resources, bill, policy and data.

Most tests compare against a base plan file made from the shipped stacks (`plan --json`) and
plan the head with `--set`; one builds a git repository to compare with a real ref."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from infra.tool import change_sources
from infra.tool.change_render import COMMENT_LIMIT, markdown, money, signed
from infra.tool.change_report import ChangeReport, compare
from infra.tool.change_sources import Checkout, Sides, StackSides, from_plan
from infra.tool.cli import app
from tests.conftest import LOCAL_CONFIG, PROJECT_DIR, SHIPPED_STACKS, plan_stack, write_project

runner = CliRunner()
CPU_RAISE = ("--set", "nowry:backend.cpu=512", "--set", "nowry:backend.memory=1024")
CANARIES = ("offline-secret", "offline-random", "mongodb://", "rediss://")


def invoke(*args: str, project_dir: Path = PROJECT_DIR):
    return runner.invoke(app, ["diff", *args, "--project-dir", str(project_dir)])


def plan_file(directory: Path, stack: str, *overrides: str, project_dir: Path = PROJECT_DIR) -> Path:
    """What `nowry-infra plan STACK --json` prints, in a file."""
    args = ["plan", stack, "--json", "--project-dir", str(project_dir)]
    for override in overrides:
        args += ["--set", override]
    result = runner.invoke(app, args)
    assert result.exit_code in (0, 1), result.output
    path = directory / f"{stack}-{len(overrides)}.json"
    path.write_text(result.stdout)
    return path


@pytest.fixture(scope="module")
def prod_plan(tmp_path_factory) -> Path:
    return plan_file(tmp_path_factory.mktemp("base"), "prod")


def test_raising_the_backend_cpu_updates_the_task_definition_and_the_fargate_line(prod_plan):
    report = json.loads(invoke("prod", "--base-plan", str(prod_plan), *CPU_RAISE, "--json").stdout)
    (stack,) = report["stacks"]
    assert [(c["action"], c["name"]) for c in stack["changes"]] == [("update", "backend-task")]
    assert stack["changes"][0]["inputs"] == [
        {"name": "cpu", "before": "256", "after": "512"},
        {"name": "memory", "before": "512", "after": "1024"},
    ]
    bill = stack["cost"]
    assert bill["before"] == json.loads(prod_plan.read_text())["cost"]["monthly_total"]
    (fargate,) = bill["lines"]
    assert (fargate["name"], fargate["type"]) == ("backend-service", "aws:ecs/service:Service")
    assert fargate["after"] > fargate["before"] and "0.5 vCPU" in fargate["basis"]
    assert bill["after"] == pytest.approx(bill["before"] + fargate["delta"], abs=0.011)
    assert report["exit_code"] == 0 and stack["fails"] is False

    result = invoke("prod", "--base-plan", str(prod_plan), *CPU_RAISE)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    totals = f"{money(bill['before'])} → {money(bill['after'])} ({signed(bill['delta'])})"
    counts = "0 to create, 1 to update, 0 to replace, 0 to delete"
    assert lines[2] == f"prod: {counts} · {totals} · policy: no new findings · data: safe"
    update = next(line for line in lines if "backend-task" in line)
    assert "update" in update and "aws:ecs/taskDefinition:TaskDefinition" in update
    assert "cpu: 256 → 512" in update and "memory: 512 → 1024" in update
    line = next(line for line in lines if "backend-service" in line)
    assert money(fargate["before"]) in line and money(fargate["after"]) in line and signed(fargate["delta"]) in line
    assert f"monthly bill: {totals}" in result.stdout


def test_changing_the_database_port_replaces_the_documentdb_cluster_and_exits_1(prod_plan):
    result = invoke("prod", "--base-plan", str(prod_plan), "--set", "nowry:database.port=27018")
    assert result.exit_code == 1, result.output
    cluster = next(line for line in result.stdout.splitlines() if "replace  database-cluster" in line)
    assert "aws:docdb/cluster:Cluster" in cluster and "port forces it" in cluster
    assert "internal/service/docdb/cluster.go" in cluster, "the forcing rule's provider source"
    assert "data: LOSES DATA (database-cluster replaced, database-instance-0 replaced)" in result.stdout
    assert "database-cluster (aws:docdb/cluster:Cluster) is replaced (port forces it)" in result.stdout
    assert "it is protected, so `pulumi up` refuses" in result.stdout

    report = json.loads(invoke("prod", "--base-plan", str(prod_plan), "--set", "nowry:database.port=27018",
                               "--json").stdout)  # fmt: skip
    lost = {c["name"]: c for c in report["stacks"][0]["data_loss"]}
    assert set(lost) == {"database-cluster", "database-instance-0"}
    assert lost["database-cluster"]["forced_by"][0]["input"] == "port"
    assert lost["database-instance-0"]["forced_by"][0]["source"] == "takes its value from a replaced resource"


def test_findings_that_appear_fail_and_findings_that_clear_or_get_accepted_do_not(prod_plan, tmp_path):
    appear = invoke("prod", "--base-plan", str(prod_plan), "--set", "nowry:policy.accept=[]", "--json")
    assert appear.exit_code == 1
    policy = json.loads(appear.stdout)["stacks"][0]["policy"]
    assert {"cloudfront-tls12", "ecs-no-public-ip", "secrets-rotation"} <= {f["rule"] for f in policy["appeared"]}
    assert policy["cleared"] == [] and policy["newly_accepted"] == []

    unaccepted = plan_file(tmp_path, "prod", "nowry:policy.accept=[]")
    clear = invoke("prod", "--base-plan", str(unaccepted))
    assert clear.exit_code == 0, clear.output
    accepted = len(json.loads(prod_plan.read_text())["policy"]["accepted"])
    assert f"policy: {accepted} newly accepted" in clear.stdout
    assert "accepted cloudfront-tls12 on site-cdn" in clear.stdout and "No custom domain yet" in clear.stdout

    base = plan_file(tmp_path, "prod", "nowry:aws.flowLogs=false")
    cleared = json.loads(invoke("prod", "--base-plan", str(base), "--json").stdout)["stacks"][0]["policy"]
    assert [f["rule"] for f in cleared["cleared"]] == ["vpc-flow-logs"]


def test_going_over_the_budget_is_a_new_finding(prod_plan):
    result = invoke("prod", "--base-plan", str(prod_plan), "--set", "nowry:monthlyBudget=100", "--format", "markdown")
    assert result.exit_code == 1
    total = money(json.loads(prod_plan.read_text())["cost"]["monthly_total"])
    finding = f"| appears | `monthly-budget` | `prod` | the bill, {total}/month, exceeds nowry:monthlyBudget $100.00 |"
    assert finding in result.stdout
    assert "Budget (nowry:monthlyBudget): $100.00/month." in result.stdout


def test_a_service_the_settings_buy_is_a_line_of_the_bill(prod_plan):
    result = invoke("prod", "--base-plan", str(prod_plan), "--set", "nowry:observability.apm=datadog", "--json")
    lines = {line["name"]: line for line in json.loads(result.stdout)["stacks"][0]["cost"]["lines"]}
    assert lines["datadog"]["type"] == "service" and lines["datadog"]["before"] is None
    assert lines["datadog"]["after"] > 0 and "Datadog" in lines["datadog"]["basis"]


def test_markdown_puts_one_summary_line_per_stack_first_then_folded_details(prod_plan):
    result = invoke("prod", "--base-plan", str(prod_plan), *CPU_RAISE, "--format", "markdown")
    text = result.stdout
    assert text.index("- :white_check_mark: prod: 0 to create, 1 to update") < text.index("<details>")
    assert "<summary><b>prod</b> (aws): 0 to create, 1 to update, 0 to replace, 0 to delete" in text
    assert (
        "| update | `backend-task` | `aws:ecs/taskDefinition:TaskDefinition` | cpu: 256 → 512; memory: 512 → 1024 |"
        in (text)
    )
    assert re.search(
        r"^\| `backend-service` \| `aws:ecs/service:Service` \| \$[\d.]+ \| \$[\d.]+ \| \+\$[\d.]+ \|$", text, re.M
    )
    assert text.count("<details>") == text.count("</details>") == 1


def _report(heads: dict[str, list[str]], created: bool = False) -> ChangeReport:
    """Every shipped stack against itself, but for the overrides in ``heads`` (or created from nothing)."""
    stacks = []
    for stack in SHIPPED_STACKS:
        base = None if created else from_plan(plan_stack(PROJECT_DIR, stack))
        stacks.append(StackSides(stack, base, from_plan(plan_stack(PROJECT_DIR, stack, heads.get(stack, [])))))
    return compare(Sides({"ref": "main", "commit": "0" * 40}, stacks))


def test_the_markdown_for_every_shipped_stack_fits_one_comment_and_is_cut_safely_when_it_would_not():
    realistic = markdown(_report({"prod": ["nowry:backend.cpu=512", "nowry:backend.memory=1024"]}))
    assert len(realistic) < COMMENT_LIMIT / 20
    assert [line.split(":")[2].strip() for line in realistic.splitlines() if line.startswith("- :")] == SHIPPED_STACKS
    everything = _report({}, created=True)
    whole = markdown(everything)
    assert len(whole) <= COMMENT_LIMIT
    assert all(f"- :white_check_mark: {stack}: new stack" in whole for stack in SHIPPED_STACKS)
    cut = markdown(everything, limit=6000)
    assert len(cut) <= 6000
    assert "left out to fit one comment" in cut or "cut here to fit one comment" in cut
    assert cut.count("<details>") == cut.count("</details>")
    tiny = markdown(everything, limit=700)
    assert len(tiny) <= 700 and "cut here to fit one comment" in tiny


def test_a_moved_resource_is_the_same_one_when_its_aliases_name_the_old_urn(prod_plan, tmp_path):
    payload = json.loads(prod_plan.read_text())
    moved = next(r for r in payload["resources"] if r["name"] == "backend-task")
    old_urn = moved["urn"]
    moved["urn"] = old_urn.replace("nowry:aws:ContainerService$", "nowry:aws:Backend$")
    moved["inputs"]["cpu"] = "512"
    for line in payload["cost"]["line_items"]:
        line["urn"] = moved["urn"] if line["urn"] == old_urn else line["urn"]
    head = tmp_path / "head.json"
    head.write_text(json.dumps(payload))
    without = json.loads(invoke("prod", "--base-plan", str(prod_plan), "--head-plan", str(head), "--json").stdout)
    stack = without["stacks"][0]
    assert sorted(c["action"] for c in stack["changes"]) == ["create", "delete"]
    assert any("backend-task" in note and "names no `aliases`" in note for note in stack["notes"])

    moved["aliases"] = [old_urn]
    head.write_text(json.dumps(payload))
    result = invoke("prod", "--base-plan", str(prod_plan), "--head-plan", str(head))
    assert result.exit_code == 0, result.output
    assert "update  backend-task" in result.stdout and "moved here by its aliases; cpu: 256 → 512" in result.stdout
    assert "moves from nowry:aws:ContainerService to nowry:aws:Backend: its `aliases` name the old URN" in (
        result.stdout
    )
    assert "monthly bill" not in result.stdout, "the bill line follows the resource"


def test_no_secret_in_any_diff_output(tmp_path):
    project = write_project(tmp_path, "test", {**LOCAL_CONFIG, "nowry:groqApiKey": {"secure": "AAABAOpaque"}})
    base = plan_file(tmp_path, "test", project_dir=project)
    for fmt in ("table", "markdown", "json"):
        result = invoke("test", "--base-plan", str(base), "--set", "nowry:backend.port=9000", "--format", fmt,
                        project_dir=project)  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "backend-container" in result.stdout  # its ports and its environment, secrets among it
        for canary in CANARIES:
            assert canary not in result.output, (fmt, canary)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["prod"], "give the base: --base REF"),
        (["prod", "--base", "main", "--base-plan", "x.json"], "give the base"),
        (["--base", "main"], "give one STACK, or --all"),
        (["prod", "--all", "--base", "main"], "give one STACK, or --all"),
        (["--all", "--base-plan", "x.json"], "--all compares every stack at --base REF"),
        (["prod", "--base", "no-such-ref-anywhere"], "--base no-such-ref-anywhere: no such commit"),
        (["prod", "--base", "--output=x"], "not a git ref"),
        (["prod", "--base-plan", "missing.json"], "--base-plan missing.json: cannot read it"),
    ],
)
def test_bad_options_exit_2_naming_them(args, message):
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not JSON"),
        ("[]", "not a JSON object"),
        ('{"project": "nowry", "stack": "prod", "phase": "aws"}', "no 'resources' list"),
        ('{"project": "nowry", "stack": "prod", "phase": "aws", "resources": [{"urn": 1}]}', "no 'policy'"),
        (
            '{"project": "nowry", "stack": "prod", "phase": "aws", "resources": [], "policy": {"violations": [], '
            '"accepted": []}, "cost": {"monthly_total": 1, "line_items": [{"urn": "u"}]}}',
            "each line's 'urn' and",
        ),
    ],
)
def test_a_file_that_is_not_a_plan_exits_2_naming_it(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = invoke("prod", "--base-plan", str(path))
    assert result.exit_code == 2
    assert f"--base-plan {path}" in result.stderr and message in result.stderr


def test_a_plan_of_another_stack_and_a_base_outside_git_exit_2(prod_plan, tmp_path, project):
    other = invoke("dev", "--base-plan", str(prod_plan))
    assert other.exit_code == 2 and "a plan of stack prod, not dev" in other.stderr
    outside = invoke("test", "--base", "main", project_dir=project())
    assert outside.exit_code == 2 and "is not in a git repository" in outside.stderr
    bad = invoke("prod", "--base-plan", str(prod_plan), "--set", "nowry:backend.cpu=lots")
    assert bad.exit_code == 2 and "nowry:backend.cpu" in bad.stderr
    (tmp_path / "Pulumi.yaml").write_text("runtime: python\n")
    unnamed = invoke("--all", "--base", "main", project_dir=tmp_path)
    assert unnamed.exit_code == 2 and "the head:" in unnamed.stderr and "'name' is missing" in unnamed.stderr


def test_a_base_whose_program_cannot_run_here_is_planned_with_this_code_and_says_so(tmp_path):
    base = Checkout("old", "0" * 40, tmp_path, PROJECT_DIR)  # no pyproject.toml: no command to run
    payload, failure = change_sources.run_base_plan(base, "local")
    assert payload is None and "names no nowry-infra command" in failure
    sides = change_sources.StackSides("local", None, None)
    assert sides.base is None
    with change_sources.ThreadPoolExecutor(1) as pool:
        side, notes = change_sources._base_side(base, "local", pool.submit(lambda: (payload, failure)))
    assert side.plan.stack == "local" and "planned with this checkout's code" in notes[0]


# --- one real git ref ---------------------------------------------------------------------------


def _git(repo: Path, *args: str) -> str:
    config = ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
    return subprocess.run(["git", *config, *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def test_every_stack_against_a_git_ref_planned_by_the_refs_own_code(tmp_path):
    """main: the program with one resource input changed, a local stack and an `old` one. The
    working tree: today's program, `old` removed and a new `dev` stack."""
    repo = tmp_path / "repo"
    for folder in ("infra", "stacks", "components"):
        shutil.copytree(PROJECT_DIR / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT_DIR / "pyproject.toml", repo)
    write_project(repo, "local", LOCAL_CONFIG)
    (repo / "Pulumi.old.yaml").write_text(yaml.safe_dump({"config": {**LOCAL_CONFIG, "nowry:database": {
        "name": "old"}}}))  # fmt: skip
    database = repo / "components" / "docker" / "mongo_database.py"
    today = database.read_text()
    database.write_text(today.replace("keep_locally=True", "keep_locally=False"))
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    database.write_text(today)
    (repo / "Pulumi.old.yaml").unlink()
    shutil.copy(PROJECT_DIR / "Pulumi.dev.yaml", repo)

    result = invoke("--all", "--base", "main", "--format", "markdown", project_dir=repo)
    assert result.exit_code == 1, result.output  # removing `old` loses its database
    text = result.stdout
    summaries = [line for line in text.splitlines() if line.startswith("- :")]
    assert [line.split(":")[2].strip() for line in summaries] == ["dev", "local", "old"]
    assert "dev: new stack (free-tier)" in summaries[0]
    assert "local: 0 to create, 1 to update, 0 to replace, 0 to delete" in summaries[1]
    assert "| update | `database-image` | `docker:index/remoteImage:RemoteImage` | keepLocally: false → true |" in text
    assert "old: stack removed" in summaries[2] and "LOSES DATA" in summaries[2]
    assert "planned with this checkout's code" not in text
    assert _git(repo, "worktree", "list").count("\n") == 1, "the base's worktree is removed"
