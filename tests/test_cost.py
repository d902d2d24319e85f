"""Cost estimate, budget, phase advisor and migration plan."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from infra.phases import REGISTRY
from infra.phases import phase_for_users as phase_for
from infra.tool.cli import app
from infra.tool.cost.estimate import estimate
from infra.tool.cost.price_catalog import load_catalog
from infra.tool.engine.plan import Plan, PlannedResource
from infra.tool.engine.runner import plan_stack
from tests.conftest import PROJECT_DIR, SHIPPED_STACKS

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [*args, "--project-dir", str(PROJECT_DIR)])


@pytest.fixture(scope="module")
def prod_cost():
    return estimate(plan_stack(PROJECT_DIR, "prod"))


def test_every_catalog_price_has_value_unit_source_and_date():
    catalog = load_catalog()
    assert catalog.hours == 730
    for price in catalog.prices.values():
        assert price.value is not None and price.unit and price.source and price.as_of, price.key


def test_prod_costs_at_most_130_plus_15_for_dr_and_matches_a_bill_from_the_same_prices(prod_cost):
    hours = 730
    fargate = 2 * (0.25 * 0.03238 + 0.5 * 0.00356) * hours
    public_ips = 2 * 0.005 * hours  # two tasks, no NAT; the ALB is internal
    alb = 0.0225 * hours + 1 * 0.008 * hours
    valkey = 0.0128 * hours
    documentdb = 0.072 * hours + 10 * 0.10 + 10 * 0.20
    secrets = 4 * 0.40
    logs = 5 * 0.50 + 5 * 12 * 0.03  # ingested, and a year of it held (production retention: 365 days)
    key = 1.0 + 10 * 0.03  # the stack's KMS key and 100k requests
    request_logs = 1.5 * 12 * 0.023 + 0.5 * 0.25  # a year of access logs in S3; CloudFront's delivered
    waf = 5 + 2 * 1 + 5 * 0.60
    alarms = 11 * 0.10  # ten alarms, the 5xx-rate one reading two metrics
    recovery = 1.0 + 10 * 0.03 + 2 * 0.40 + 2 * (10 + 3 * 7 / (365 / 12)) * 0.021 + 3 * 0.02  # DR region
    bill = fargate + public_ips + alb + valkey + documentdb + secrets + logs + waf + alarms + key + request_logs
    dr_lines = sum(
        i.monthly for i in prod_cost.line_items if "DisasterRecovery" in i.urn or i.name == "recovery-dr-key"
    )
    dr_lines += 2 * 0.40  # the replicas of GROQ_API_KEY and SECRET_KEY, inside their secrets' lines
    assert dr_lines == pytest.approx(recovery, rel=0.01) and dr_lines <= 15  # disaster recovery: at most $15
    assert prod_cost.total - dr_lines <= 130  # the stack itself
    bill += recovery
    assert abs(prod_cost.total - bill) / bill < 0.10


def test_every_resource_in_every_shipped_stack_is_accounted_for():
    for stack in SHIPPED_STACKS:
        plan = plan_stack(PROJECT_DIR, stack)
        cost = estimate(plan)
        accounted = {i.urn for i in cost.line_items} | {n["urn"] for n in cost.not_priced}
        assert accounted == {r.urn for r in plan.resources if r.custom}, stack
        assert set(cost.free) <= {i.urn for i in cost.line_items if i.monthly == 0}
        assert cost.not_priced == [], stack


def test_an_unknown_type_is_listed_as_not_priced_never_zero():
    type_ = "aws:sagemaker/endpoint:Endpoint"
    strange = PlannedResource(
        f"urn:pulumi:x::nowry::{type_}::ml", type_, "ml", None, True, None, (), False, False, {}, {}
    )
    cost = estimate(Plan("nowry", "x", "aws", (strange,), {}))
    assert cost.line_items == []
    assert cost.not_priced == [{"urn": strange.urn, "type": strange.type, "reason": "no price for this type"}]


def test_nat_gateways_and_their_addresses_are_priced():
    single = estimate(plan_stack(PROJECT_DIR, "prod", ["nowry:aws.nat=single"]))
    names = {i.name: i.monthly for i in single.line_items}
    assert names["network-nat-0"] == pytest.approx(0.045 * 730 + 20 * 0.045)
    assert names["network-nat-eip-0"] == pytest.approx(0.005 * 730)


def test_usage_assumptions_come_from_config():
    busy = estimate(plan_stack(PROJECT_DIR, "prod", ["nowry:usage.egressGb=3048", "nowry:usage.requestsMillions=30"]))
    cdn = next(i for i in busy.line_items if i.name == "site-cdn")
    assert cdn.monthly == pytest.approx(2024 * 0.085 + 20 * 1.0)
    assert busy.assumptions["egress_gb"] == 3048


def test_managed_phases_price_plans_and_atlas_tiers():
    assert estimate(plan_stack(PROJECT_DIR, "dev")).total == pytest.approx(5.0)
    hybrid = estimate(plan_stack(PROJECT_DIR, "dev", ["nowry:phase=hybrid"]))
    assert {i.name: i.monthly for i in hybrid.line_items}["database-cluster"] == pytest.approx(0.08 * 730)
    paid = estimate(plan_stack(PROJECT_DIR, "dev", ["nowry:phase=all-paid"]))
    lines = {i.name: i.monthly for i in paid.line_items}
    assert lines["frontend-project"] == 20 and lines["backend-service"] == 20


def test_plan_json_gains_a_cost_key():
    cost = json.loads(invoke("plan", "prod", "--json").stdout)["cost"]
    assert cost["currency"] == "USD"
    assert cost["monthly_total"] <= 130 + 15
    assert {"urn", "type", "name", "monthly", "basis"} <= set(cost["line_items"][0])


def test_budget_warns_and_strict_fails():
    over = invoke("cost", "prod", "--set", "nowry:monthlyBudget=50")
    assert over.exit_code == 0 and "exceeds nowry:monthlyBudget" in over.stderr
    assert invoke("cost", "prod", "--set", "nowry:monthlyBudget=50", "--strict").exit_code == 1
    assert invoke("plan", "prod", "--set", "nowry:monthlyBudget=50", "--strict").exit_code == 1
    within = invoke("cost", "prod", "--set", "nowry:monthlyBudget=200", "--strict")
    assert within.exit_code == 0 and "exceeds" not in within.stderr


@pytest.mark.parametrize(("override", "key"), [("nowry:monthlyBudget=lots", "nowry:monthlyBudget"),
                                                ("nowry:usage.egressGb=-1", "nowry:usage.egressGb")])  # fmt: skip
def test_bad_cost_config_exits_2(override, key):
    result = invoke("cost", "prod", "--set", override)
    assert result.exit_code == 2 and key in result.stderr


def test_cost_json_lists_every_line():
    result = invoke("cost", "prod", "--json")
    payload = json.loads(result.stdout)
    assert payload["phase"] == "aws"
    lines = [*payload["line_items"], *payload["services"]]
    # each line is rounded to the cent, the total is not: they agree to half a cent a line
    assert abs(sum(i["monthly"] for i in lines) - payload["monthly_total"]) <= 0.005 * len(lines)


@pytest.mark.parametrize(
    ("users", "phase"),
    [(0, "free-tier"), (99, "free-tier"), (100, "hybrid"), (999, "hybrid"), (1000, "all-paid"), (9999, "all-paid"),
     (10000, "aws"), (49999, "aws"), (50000, "kubernetes"), (10**6, "kubernetes")],
)  # fmt: skip
def test_recommend_boundaries(users, phase):
    assert phase_for(users) == phase


def test_recommend_json_gives_the_phase_bills_and_steps():
    result = invoke("recommend", "--users", "1000", "--json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["phase"] == "all-paid"
    assert payload["monthly_by_phase"]["aws"] <= 130 + 15
    reached = [s["users"] for s in payload["next_steps"] if s["reached"]]
    assert reached == [100, 500, 1000]


def test_migrate_all_paid_to_aws_flags_atlas_and_upstash():
    result = invoke("migrate", "dev", "--to", "aws", "--set", "nowry:phase=all-paid", "--json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    lost = {c["type"] for c in payload["data_loss"]}
    assert "mongodbatlas:index/advancedCluster:AdvancedCluster" in lost
    assert "upstash:index/redisDatabase:RedisDatabase" in lost
    assert payload["summary"]["create"] > 0 and payload["summary"]["delete"] > 0
    steps = [step for section in payload["runbook"] for step in section["steps"]]
    assert [section["title"] for section in payload["runbook"]][-1] == "The cache"
    assert any("mongodump" in step for step in steps)
    assert any("tlsCAFile" in step for step in steps)
    accepted = invoke("migrate", "dev", "--to", "aws", "--set", "nowry:phase=all-paid", "--accept-data-loss")
    assert accepted.exit_code == 0


def test_migrate_free_tier_to_hybrid_upgrades_the_cluster_in_place():
    result = invoke("migrate", "dev", "--to", "hybrid", "--json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["data_loss"] == []
    updated = {c["urn"].rpartition("::")[2]: c for c in payload["changes"] if c["action"] == "update"}
    assert {c["action"] for c in payload["changes"]} == {"update"}
    assert set(updated) == {"database-cluster", "database-alerts-storage"}  # M10 alerts on its disk, not M0's size
    assert updated["database-alerts-storage"]["properties"] == ["metricThresholdConfig"]


def test_migrate_lists_changes_as_pulumi_preview_does_and_runbook_sections_as_headings():
    result = invoke("migrate", "dev", "--to", "aws", "--set", "nowry:phase=all-paid")
    lines = result.stdout.splitlines()
    assert "urn:pulumi" not in result.stdout
    group = lines.index("  nowry:managed:AtlasDatabase database")
    assert lines[group + 1] == (
        "    -  delete  mongodbatlas:index/advancedCluster:AdvancedCluster database-cluster (DATA)"
    )
    assert "    +  create  aws:ecs/service:Service backend-service" in lines
    assert lines.index("  nowry:aws:ContainerService backend") < lines.index("  nowry:managed:AtlasDatabase database")
    headings = [line for line in lines if line.startswith(("Online path", "Offline path", "The cache"))]
    assert [h.split(" (")[0] for h in headings] == ["Online path", "Offline path instead", "The cache"]
    cache = lines.index("The cache")
    assert lines[cache + 1].startswith("  1. Redis holds only cache data")


def test_migrate_to_an_unknown_phase_exits_2():
    result = invoke("migrate", "dev", "--to", "mainframe")
    assert result.exit_code == 2 and "mainframe" in result.stderr


def test_migrate_takes_settings_for_the_target_phase_only():
    plain = invoke("migrate", "prod", "--to", "hybrid")  # DocumentDB does not run there: its default engine, said
    assert "nowry:database.engine documentdb does not run in the hybrid phase" in plain.stderr
    assert "--target-set" in plain.stderr and plain.exit_code == 1
    missing = invoke("migrate", "prod", "--to", "hybrid", "--target-set", "nowry:atlas.tier=M0")
    assert missing.exit_code == 2 and "--target-set" in missing.stderr and "nowry:atlas.tier" in missing.stderr
    result = invoke("migrate", "prod", "--to", "hybrid", "--target-set", "nowry:database.engine=atlas", "--json")
    payload = json.loads(result.stdout)
    assert payload["from"] == "aws" and payload["to"] == "hybrid"
    assert any(c["type"] == "aws:docdb/cluster:Cluster" for c in payload["data_loss"])
    assert result.exit_code == 1


def _with_a_second_service(plan: Plan, cpu: str, memory: str) -> Plan:
    """The plan with a second ECS service running its own, larger task definition."""
    from dataclasses import replace

    task = next(r for r in plan.resources if r.type == "aws:ecs/taskDefinition:TaskDefinition")
    service = next(r for r in plan.resources if r.type == "aws:ecs/service:Service")
    big_task = replace(task, urn=task.urn + "-worker", name="worker-task",
                       inputs={**task.inputs, "cpu": cpu, "memory": memory})  # fmt: skip
    wiring = {**service.property_dependencies, "taskDefinition": (big_task.urn,)}
    worker = replace(service, urn=service.urn + "-worker", name="worker-service", property_dependencies=wiring)
    return replace(plan, resources=(*plan.resources, big_task, worker))


def test_each_service_is_priced_from_its_own_task_definition():
    plan = _with_a_second_service(plan_stack(PROJECT_DIR, "prod"), "1024", "2048")
    lines = {i.name: i for i in estimate(plan).line_items}
    assert "0.25 vCPU" in lines["backend-service"].basis and "0.5 GB" in lines["backend-service"].basis
    assert "1 vCPU" in lines["worker-service"].basis and "2 GB" in lines["worker-service"].basis
    public_ips = 2 * 0.005 * 730  # prod has no NAT: each task has a public IPv4
    assert lines["worker-service"].monthly == pytest.approx(2 * (1 * 0.03238 + 2 * 0.00356) * 730 + public_ips)


def test_the_apms_bill_is_one_line_of_the_stack_whatever_its_task_definitions():
    datadog = plan_stack(PROJECT_DIR, "prod", ["nowry:observability.apm=datadog"])
    once = estimate(datadog)
    twice = estimate(_with_a_second_service(datadog, "256", "512"))
    assert [(s.service, s.monthly) for s in once.services] == [("datadog", pytest.approx(2 * (2.0 + 1.2)))]
    assert [(s.service, s.monthly) for s in twice.services] == [(s.service, s.monthly) for s in once.services]
    assert all(i.monthly == 0 for i in once.line_items if i.type == "aws:ecs/taskDefinition:TaskDefinition")
    assert once.total == pytest.approx(sum(i.monthly for i in once.line_items) + 6.4)


def test_recommend_outside_a_project_prices_each_phase_from_the_registrys_own_samples(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["recommend", "--users", "50", "--json"])
    assert result.exit_code == 0, result.output
    bills = json.loads(result.stdout)["monthly_by_phase"]
    assert set(bills) == {s.label for p in REGISTRY for s in p.prices}
    assert all(isinstance(bill, float) for bill in bills.values())


def test_recommend_exits_2_naming_the_missing_pulumi_yaml(tmp_path, monkeypatch):
    from infra.tool.cost import phase_bills

    monkeypatch.setattr(phase_bills, "OWN_PROJECT", tmp_path / "installed")
    result = CliRunner().invoke(app, ["recommend", "--users", "50", "--project-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert f"no Pulumi.yaml in {tmp_path}" in result.stderr and "not available yet" not in result.output


def test_recommend_exits_2_naming_a_sample_the_project_cannot_plan(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: nowry\nruntime: python\nmain: infra/\n")
    result = CliRunner().invoke(app, ["recommend", "--users", "50", "--project-dir", str(tmp_path)])
    assert result.exit_code == 2 and "cannot price local (stack local" in result.stderr


def test_the_kubernetes_bill_is_never_a_bare_zero():
    result = invoke("recommend", "--users", "60000")
    row = next(line for line in result.stdout.splitlines() if line.lstrip().startswith("kubernetes <-"))
    assert "$0.00 + the existing" in row  # whose bill the rest is, said beside the figure
    payload = json.loads(invoke("recommend", "--users", "60000", "--json").stdout)
    assert payload["billed_apart"] == {"kubernetes": "the existing cluster's nodes and control plane: its owner's bill"}
    assert payload["monthly_by_phase"]["kubernetes (own EKS cluster)"] > 150


def test_an_eks_stack_prices_every_resource_its_nodes_too():
    plan = plan_stack(PROJECT_DIR, "k8s", ["nowry:kubernetes.cluster=eks", "nowry:aws.nat=single"])
    cost = estimate(plan)
    assert cost.not_priced == []
    nodes = next(i for i in cost.line_items if i.type == "aws:eks/nodeGroup:NodeGroup")
    assert nodes.monthly == pytest.approx(2 * 0.0336 * 730 + 2 * 20 * 0.08)
    assert nodes.basis == "2 x t4g.medium $0.0336/h x 730 h + 2 x 20 GB gp3 x $0.08/GB-month"
    control = next(i for i in cost.line_items if i.type == "aws:eks/cluster:Cluster")
    assert control.monthly == pytest.approx(73.0)
