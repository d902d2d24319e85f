"""Every user mistake is exit 2 with one clear line naming the key, the value and what is
allowed — never a traceback, never a silently wrong plan."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from typer.testing import CliRunner

from infra.tool.cli import app
from tests.conftest import PROJECT_DIR

runner = CliRunner()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad-input")
    for name in ("Pulumi.yaml", "Pulumi.local.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "Pulumi.k8s.yaml"):
        shutil.copy(PROJECT_DIR / name, root / name)
    (root / "frontend" / "build").mkdir(parents=True)
    (root / "a-file.txt").write_text("not a folder")
    (root / "Pulumi.dup.yaml").write_text("config:\n  nowry:phase: local\n  nowry:phase: aws\n")
    (root / "Pulumi.listcfg.yaml").write_text("config:\n  - nowry:phase\n")
    (root / "Pulumi.scalar.yaml").write_text("just text\n")
    (root / "Pulumi.badsection.yaml").write_text("config:\n  nowry:phase: local\n  nowry:backend: [1, 2]\n")
    newline = {
        "nl-domain": ("aws", "frontend", "domain"),
        "nl-host": ("kubernetes", "kubernetes", "host"),
        "nl-image": ("local", "backend", "image"),
        "nl-namespace": ("kubernetes", "kubernetes", "namespace"),
    }
    base = {"local": "Pulumi.local.yaml", "aws": "Pulumi.prod.yaml", "kubernetes": "Pulumi.k8s.yaml"}
    for stack, (phase, section, key) in newline.items():
        config = yaml.safe_load((PROJECT_DIR / base[phase]).read_text())["config"]
        config[f"nowry:{section}"] = {**(config.get(f"nowry:{section}") or {}), key: "app.nowry.io\n"}
        (root / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}))
    (root / "outputs-empty.json").write_text(json.dumps({"unrelated": "x"}))
    (root / "outputs-list.json").write_text("[1, 2]")
    bad_project = root / "bad-project"
    bad_project.mkdir()
    (bad_project / "Pulumi.yaml").write_text("name: nowry\nconfig: [1, 2]\n")
    (bad_project / "Pulumi.x.yaml").write_text("config: {}\n")
    empty = root / "not-a-project"
    empty.mkdir()
    return root


def plan(stack: str, *sets: str) -> list[str]:
    return ["plan", stack, *[arg for s in sets for arg in ("--set", s)]]


CASES = [
    # numbers that are not finite, or absurd
    (plan("prod", "nowry:usage.egressGb=.inf"), 2, "nowry:usage.egressGb: expected a finite number"),
    (plan("prod", "nowry:usage.egressGb=nan"), 2, "nowry:usage.egressGb: expected a finite number"),
    (plan("prod", "nowry:usage.logGb=1e308"), 2, "nowry:usage.logGb: out of range"),
    (plan("prod", "nowry:usage.requestsMillions=-1"), 2, "nowry:usage.requestsMillions: out of range"),
    (plan("prod", "nowry:monthlyBudget=nan"), 2, "nowry:monthlyBudget: expected an amount in USD"),
    (plan("prod", "nowry:monthlyBudget=inf"), 2, "nowry:monthlyBudget: expected an amount in USD"),
    (plan("prod", "nowry:monthlyBudget=1e308"), 2, "nowry:monthlyBudget: expected an amount in USD"),
    (plan("prod", "nowry:monthlyBudget=lots"), 2, "nowry:monthlyBudget: expected an amount in USD"),
    (plan("prod", "nowry:aws.monitoring.latencyP95Seconds=.inf"), 2, "latencyP95Seconds: expected a finite number"),
    (plan("prod", "nowry:aws.monitoring.errorRatePercent=nan"), 2, "errorRatePercent: expected a finite number"),
    (plan("k8s", "nowry:kubernetes.runAsUser=99999999999"), 2, "nowry:kubernetes.runAsUser: out of range"),
    (plan("k8s", "nowry:kubernetes.replicas=1e3"), 2, "nowry:kubernetes.replicas"),
    (plan("prod", "nowry:backend.cpu=256.5"), 2, "nowry:backend.cpu: expected a whole number"),
    (plan("prod", "nowry:aws.logRetentionDays=42"), 2, "nowry:aws.logRetentionDays: is not a retention CloudWatch"),
    (plan("prod", "nowry:aws.siteNoncurrentDays=0"), 2, "nowry:aws.siteNoncurrentDays: out of range (given: 0)"),
    (plan("prod", "nowry:aws.dataKey=mine"), 2, "nowry:aws.dataKey: not one of the allowed values (given: 'mine')"),
    (plan("prod", "nowry:usage.cdnLogGb=nan"), 2, "nowry:usage.cdnLogGb: expected a finite number"),
    (plan("prod", "nowry:aws.dr.region=us-east-1"), 2, "nowry:aws.dr.region: is the stack's own region"),
    (plan("prod", "nowry:aws.dr.region=moon-1"), 2, "nowry:aws.dr.region: is not an AWS region (given: 'moon-1')"),
    (plan("prod", "nowry:aws.dr.backupEveryHours=3"), 2, "nowry:aws.dr.backupEveryHours"),
    (plan("prod", "nowry:database.restoreFromSnapshot=../etc"), 2, "restoreFromSnapshot: does not match"),
    (plan("dev", "nowry:database.restoreFromSnapshot=snap-1"), 2, "restores a DocumentDB snapshot; this stack runs"),
    # strings with a trailing newline, names Kubernetes refuses, CIDRs that are not
    (["plan", "nl-domain"], 2, "nowry:frontend.domain: is not a DNS name (given: 'app.nowry.io\\n')"),
    (["plan", "nl-host"], 2, "nowry:kubernetes.host: is not a DNS name (given: 'app.nowry.io\\n')"),
    (["plan", "nl-image"], 2, "nowry:backend.image: is not an image reference"),
    (plan("k8s", "nowry:kubernetes.ingressClass=Bad_Class"), 2, "nowry:kubernetes.ingressClass: does not match"),
    (plan("k8s", "nowry:kubernetes.tlsSecret=UPPER"), 2, "nowry:kubernetes.tlsSecret: does not match"),
    (plan("k8s", "nowry:kubernetes.ingressNamespace=a.b"), 2, "nowry:kubernetes.ingressNamespace: does not match"),
    (["plan", "nl-namespace"], 2, "nowry:kubernetes.namespace: does not match"),
    (plan("k8s", "nowry:kubernetes.apiCidrs=[x]"), 2, "'x' is not an IPv4 CIDR block"),
    (plan("k8s", "nowry:kubernetes.apiCidrs=[10.0.0.1/8]"), 2, "'10.0.0.1/8' is not an IPv4 CIDR block"),
    (plan("dev", "nowry:atlas.ipAccessList=[nonsense]"), 2, "nowry:atlas.ipAccessList[0]: is not an IPv4 CIDR"),
    (plan("prod", "nowry:aws.vpcCidr=10.0.0.0/33"), 2, "nowry:aws.vpcCidr"),
    # paths
    (plan("prod", "nowry:frontend.staticDir=/etc"), 2, "nowry:frontend.staticDir: leads outside the project folder"),
    (plan("prod", "nowry:frontend.staticDir=../.."), 2, "nowry:frontend.staticDir: leads outside the project folder"),
    (plan("prod", "nowry:frontend.staticDir=a-file.txt"), 2, "nowry:frontend.staticDir: is a file, not a folder"),
    (plan("local", "nowry:backend.image=null", "nowry:backend.context=/usr"), 2,
     "nowry:backend.context: leads outside the project folder"),
    (plan("local", "nowry:backend.image=null", "nowry:backend.context=a-file.txt"), 2,
     "nowry:backend.context: is a file, not a folder"),
    (plan("local", "nowry:backend.image=null", "nowry:backend.context=frontend", "nowry:backend.dockerfile=../../x"),
     2, "nowry:backend.dockerfile: leads outside the build context"),
    # --set and unknown keys
    (plan("local", "nowry:backend.image=null"), 2, "set exactly one of nowry:backend.image or nowry:backend.context"),
    (plan("local", "nowry:phase=null"), 2, "nowry:phase: is not set"),
    (plan("local", "nowry:phase=space"), 2, "nowry:phase: unknown phase"),
    (plan("local", "nowry:backnd.port=1"), 2, "nowry:backnd: unknown key — did you mean 'backend'?"),
    (plan("local", "nowry:backend.prot=1"), 2, "nowry:backend.prot: unknown key — did you mean 'port'?"),
    (plan("local", "novalue"), 2, "--set expects KEY=VALUE"),
    (plan("local", "nowry:backend.port=70000"), 2, "nowry:backend.port: out of range"),
    (plan("local", "nowry:protect=maybe"), 2, "nowry:protect: expected a boolean"),
    # paths no file system can hold: a config error naming the key, never an OSError
    (plan("prod", "nowry:frontend.staticDir=" + "a" * 300), 2,
     "nowry:frontend.staticDir: has a part longer than the 255 bytes a file or folder name may be"),
    (plan("local", "nowry:backend.image=null", "nowry:backend.context=" + "/".join(["b" * 200] * 25)), 2,
     "nowry:backend.context: is longer than the 4096 bytes a path may be"),
    # the connection budget: the backend at its most must fit 80% of what a database node accepts
    (plan("prod", "nowry:backend.maxCount=100"), 2,
     "nowry:backend.dbPool.maxSize: 100 backend processes (backend.maxCount) x (10 pooled + 2 monitoring) = 1200 "
     "connections to each database node, over 80% of the 1000 that a db.t4g.medium DocumentDB instance accepts (800)"),
    # DocumentDB runs in fewer regions than AWS has (developer guide, Quotas and limits, supported regions)
    (plan("prod", "aws:region=us-west-1"), 2,
     "aws:region: has no Amazon DocumentDB (instance-based clusters) (given: 'us-west-1'); allowed: us-east-1, "),
    (plan("prod", "nowry:aws.dr.region=us-west-1"), 2,
     "nowry:aws.dr.region: has no Amazon DocumentDB to restore the cluster in (given: 'us-west-1')"),
    (plan("prod", "nowry:backend.dbPool.minSize=20"), 2, "nowry:backend.dbPool.minSize: is above maxSize"),
    (plan("prod", "nowry:backend.dbPool.maxSize=0"), 2, "nowry:backend.dbPool.maxSize: out of range"),
    (plan("prod", 'nowry:policy={"accept": [{"rule": "ecs-no-public-ipp", "reason": "a typo in the id"}]}'), 2,
     "nowry:policy.accept[0].rule: no such policy rule — did you mean 'ecs-no-public-ip'? "
     "(given: 'ecs-no-public-ipp')"),
    # malformed files, stacks and projects
    (["plan", "dup"], 2, "key 'nowry:phase' appears twice in one mapping"),
    (["plan", "listcfg"], 2, "'config' must be a mapping of keys to values, not list"),
    (["plan", "scalar"], 2, "expected a YAML mapping at the top level"),
    (["plan", "badsection"], 2, "nowry:backend: expected a mapping of settings"),
    (["plan", "missing"], 2, "no stack file Pulumi.missing.yaml"),
    (["plan", "bad name"], 2, "stack name 'bad name' is not one Pulumi accepts"),
    (["plan", "x", "--project-dir", "{root}/bad-project"], 2, "'config' must be a mapping of keys to values"),
    (["plan", "local", "--project-dir", "{root}/not-a-project"], 2, "no Pulumi.yaml in"),
    (["stacks", "--project-dir", "{root}/not-a-project"], 2, "no Pulumi.yaml in"),
    (["migrate", "local", "--to", "moon"], 2, "--to: unknown phase 'moon'"),
    # outputs and verify
    (["diagram", "prod", "--out", "{root}/a-file.txt/x.dot"], 2, "is a file, not a folder"),
    (["diagram", "prod", "--out", "{root}/pic.jpg"], 2, "--out must end in .png, .svg, .dot"),
    (["render", "k8s", "--out", "{root}/a-file.txt"], 2, ""),
    (["verify", "prod", "--outputs", "{root}/nowhere.json"], 2, "--outputs: cannot read stack outputs"),
    (["verify", "prod", "--outputs", "{root}/outputs-list.json"], 2, "expected a JSON object of outputs"),
    (["verify", "prod", "--outputs", "{root}/outputs-empty.json", "--region", "us-east-1", "--timeout", "0"], 1,
     "no check could run"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "code", "line"), CASES, ids=[" ".join(c[0])[:60] for c in CASES])
def test_bad_input_is_a_clear_error(folder, args, code, line):
    argv = [a.replace("{root}", str(folder)) for a in args]
    if "--project-dir" not in argv and argv[0] in ("plan", "migrate", "diagram", "render", "stacks"):
        argv += ["--project-dir", str(folder)]
    result = runner.invoke(app, argv)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert line in result.stderr


def test_an_inherited_pulumi_config_is_ignored_and_said(folder, monkeypatch):
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"nowry:phase": "aws"}))
    result = runner.invoke(app, ["plan", "local", "--json", "--project-dir", str(folder)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["phase"] == "local"
    assert "PULUMI_CONFIG is set in the environment; the offline plan ignores it" in result.stderr


def test_set_null_unsets_a_key(folder):
    result = runner.invoke(
        app, ["plan", "local", "--json", "--set", "nowry:backend.env=null", "--project-dir", str(folder)]
    )
    assert result.exit_code == 0, result.output
    envs = next(r for r in json.loads(result.stdout)["resources"] if r["name"] == "backend-container")
    assert not any(str(e).startswith("LOG_LEVEL=") for e in envs["inputs"]["envs"])


def test_a_missing_static_dir_is_a_warning_offline_and_an_error_under_the_real_engine(folder, tmp_path):
    from infra.config import ConfigError, source
    from infra.config.loader import load_stack_config

    project = source.read_project(folder)
    raw = source.apply_overrides(source.from_stack_file(project, "prod"), ["nowry:frontend.staticDir=not-built"])
    loaded = load_stack_config(raw, project="nowry", stack="prod", project_dir=folder, offline=True)
    assert any("'not-built' does not exist yet" in w for w in loaded.warnings)
    with pytest.raises(ConfigError, match=r"nowry:frontend\.staticDir: does not exist"):
        load_stack_config(raw, project="nowry", stack="prod", project_dir=folder, offline=False)


@pytest.mark.parametrize("stack", ["local", "k8s"])
def test_a_credential_in_plain_env_is_caught_in_every_phase(folder, stack):
    result = runner.invoke(
        app, ["plan", stack, "--set", "nowry:backend.env.DB_PASSWORD=abc", "--project-dir", str(folder)]
    )
    assert result.exit_code == 1
    assert "DB_PASSWORD is plain environment; use secrets" in result.stdout
