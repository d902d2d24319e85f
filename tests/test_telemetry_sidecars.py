"""APM and log shipping beside the Fargate backend (`nowry:observability`): what each choice puts
into the backend's task, what the policy says of it, what it costs, and what is refused."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from infra.config.aws_offerings import fargate_size
from infra.tool import rules as r
from infra.tool.cli import app
from infra.tool.cost.estimate import estimate
from infra.tool.engine.plan import Plan
from infra.tool.engine.runner import plan_stack
from infra.tool.rules.check import check_plan, evaluate
from infra.tool.rules.model import Subject
from tests.conftest import PROJECT_DIR, plan_json_text

TASK = "aws:ecs/taskDefinition:TaskDefinition"
SECRET_VALUE = "dd-api-key-never-shown-0123456789"


def planned(*settings: str) -> Plan:
    return plan_stack(PROJECT_DIR, "prod", list(settings))


def containers(plan: Plan) -> dict[str, dict]:
    task = plan.one(TASK, "backend-task")
    return {c["name"]: c for c in json.loads(task.inputs["containerDefinitions"])}


def env(container: dict) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container.get("environment") or []}


@pytest.fixture(scope="module")
def otel() -> Plan:
    return planned("nowry:observability.apm=otel")


@pytest.fixture(scope="module")
def datadog() -> Plan:
    return planned("nowry:observability.apm=datadog")


@pytest.fixture(scope="module")
def newrelic() -> Plan:
    return planned("nowry:observability.apm=newrelic")


@pytest.fixture(scope="module")
def betterstack() -> Plan:
    return planned("nowry:observability.logs=betterstack")


def test_by_default_the_backend_runs_alone_and_logs_to_cloudwatch():
    plan = planned()
    assert list(containers(plan)) == ["backend"]
    assert containers(plan)["backend"]["logConfiguration"]["logDriver"] == "awslogs"
    assert plan.one(TASK, "backend-task").inputs["cpu"] == "256"


def test_otel_adds_the_collector_sending_traces_to_xray_and_metrics_to_cloudwatch(otel):
    found = containers(otel)
    collector = found["otel-collector"]
    assert collector["image"] == "public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0"
    config = json.loads(env(collector)["AOT_CONFIG_CONTENT"])
    assert set(config["exporters"]) == {"awsxray", "awsemf"}
    assert config["receivers"]["otlp"]["protocols"]["http"]["endpoint"] == "127.0.0.1:4318"
    backend = env(found["backend"])
    assert backend["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://127.0.0.1:4318"
    assert backend["OTEL_SERVICE_NAME"] == "nowry-backend"
    assert "deployment.environment=prod" in backend["OTEL_RESOURCE_ATTRIBUTES"]


def test_otel_task_role_may_write_exactly_traces_and_its_metrics_log_group(otel):
    policy = json.loads(otel.one("aws:iam/rolePolicy:RolePolicy", "backend-task-policy").inputs["policy"])
    actions = {a for s in policy["Statement"] for a in s["Action"]}
    assert {"xray:PutTraceSegments", "logs:PutLogEvents"} <= actions
    assert not any(a.endswith("*") for a in actions)
    logs = next(s for s in policy["Statement"] if "logs:PutLogEvents" in s["Action"])
    assert logs["Resource"] != ["*"]
    assert otel.one("aws:cloudwatch/logGroup:LogGroup", "apm-metrics").inputs["retentionInDays"] == 365


def test_the_app_alone_keeps_an_empty_task_role():
    assert not [p for p in planned().of_type("aws:iam/rolePolicy:RolePolicy") if p.name == "backend-task-policy"]


def test_datadog_runs_the_agent_non_root_on_a_read_only_root_with_its_key_as_a_secret(datadog):
    found = containers(datadog)
    agent = found["datadog-agent"]
    assert agent["user"] == "100" and agent["readonlyRootFilesystem"] is True
    assert [s["name"] for s in agent["secrets"]] == ["DD_API_KEY"]
    assert "DD_API_KEY" not in env(agent)
    assert env(agent)["DD_APM_ENABLED"] == "true" and env(agent)["ECS_FARGATE"] == "true"
    assert {m["containerPath"] for m in agent["mountPoints"]} >= {"/etc/datadog-agent", "/opt/datadog-agent/run"}
    assert agent["dependsOn"] == [{"containerName": "datadog-volumes", "condition": "SUCCESS"}]
    backend = env(found["backend"])
    assert {backend[k] for k in ("DD_ENV", "DD_SERVICE")} == {"prod", "nowry-backend"} and backend["DD_VERSION"]
    assert "DD_API_KEY" not in {s["name"] for s in found["backend"]["secrets"]}


def test_the_backend_never_receives_a_sidecars_credential(datadog, newrelic, betterstack):
    for plan in (datadog, newrelic, betterstack):
        backend = containers(plan)["backend"]
        names = {s["name"] for s in backend["secrets"]}
        assert not names & {"DD_API_KEY", "NEW_RELIC_LICENSE_KEY", "BETTER_STACK_AUTH_HEADER"}


def test_the_execution_role_reads_the_sidecars_secrets(datadog):
    policy = json.loads(datadog.one("aws:iam/rolePolicy:RolePolicy", "backend-execution-policy").inputs["policy"])
    reads = next(s for s in policy["Statement"] if s["Action"] == ["secretsmanager:GetSecretValue"])
    assert len(reads["Resource"]) == len(containers(datadog)["backend"]["secrets"]) + 1


def test_newrelic_exports_through_the_collector_with_the_license_from_secrets(newrelic):
    collector = containers(newrelic)["otel-collector"]
    config = json.loads(env(collector)["AOT_CONFIG_CONTENT"])
    exporter = config["exporters"]["otlp_http"]
    assert exporter["endpoint"] == "https://otlp.nr-data.net"
    assert exporter["headers"]["api-key"] == "${env:NEW_RELIC_LICENSE_KEY}"
    assert [s["name"] for s in collector["secrets"]] == ["NEW_RELIC_LICENSE_KEY"]
    eu = containers(planned("nowry:observability.apm=newrelic", "nowry:observability.newRelicRegion=eu"))
    assert json.loads(env(eu["otel-collector"])["AOT_CONFIG_CONTENT"])["exporters"]["otlp_http"]["endpoint"] == (
        "https://otlp.eu01.nr-data.net"
    )


def test_betterstack_routes_the_backends_logs_through_firelens_the_token_in_secret_options(betterstack):
    found = containers(betterstack)
    logging = found["backend"]["logConfiguration"]
    assert logging["logDriver"] == "awsfirelens"
    assert logging["options"]["Host"] == "in.logs.betterstack.com" and logging["options"]["tls"] == "On"
    assert [o["name"] for o in logging["secretOptions"]] == ["Header"]
    router = found["log-router"]
    assert router["firelensConfiguration"]["type"] == "fluentbit" and router["essential"] is True
    assert router["logConfiguration"]["logDriver"] == "awslogs"  # the router's own logs stay in CloudWatch


def test_sidecars_grow_the_task_to_a_fargate_size_that_holds_them(otel, datadog, betterstack):
    for plan in (otel, datadog, betterstack):
        task = plan.one(TASK, "backend-task").inputs
        reserved = sum(c.get("cpu", 0) for c in containers(plan).values() if c["name"] != "backend")
        assert int(task["cpu"]) >= 256 + reserved
    assert fargate_size(256 + 128, 512 + 256) == (512, 1024)
    assert fargate_size(256, 512) == (256, 512)
    assert fargate_size(20_000, 1) == (16384, 122880)


@pytest.mark.parametrize("plan_name", ["otel", "datadog", "newrelic", "betterstack"])
def test_each_choice_plans_clean_under_the_policy(plan_name, request):
    plan = request.getfixturevalue(plan_name)
    report = check_plan(plan)
    assert report.violations == [], [v.message for v in report.violations]


def test_each_choice_is_priced_with_its_source(otel, datadog, newrelic, betterstack):
    def line(plan: Plan) -> str:
        (service,) = estimate(plan).services  # one stack-level line, whatever the task definitions
        return service.basis

    assert line(otel).startswith("X-Ray: 0.5M traces, 0.1M traces free, $5.0 per M traces")
    assert line(datadog) == "Datadog: 2 Fargate tasks x (APM $2.0 + infrastructure $1.2)"
    assert "100 GB free (the free tier covers it)" in line(newrelic)
    assert "not priced (no sourced rate)" in line(betterstack)
    base = {i.name: i.monthly for i in estimate(planned()).line_items}
    shipped = {i.name: i.monthly for i in estimate(betterstack).line_items}
    assert shipped["backend-logs"] < base["backend-logs"]  # the API's logs no longer land in CloudWatch


@pytest.mark.parametrize(
    ("key", "setting"),
    [
        ("datadogApiKey", "nowry:observability.apm=datadog"),
        ("newRelicLicenseKey", "nowry:observability.apm=newrelic"),
        ("betterStackSourceToken", "nowry:observability.logs=betterstack"),
    ],
)
def test_a_sidecar_credential_is_refused_in_plain_text(tmp_path, key, setting):
    stack = (PROJECT_DIR / "Pulumi.prod.yaml").read_text()
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())
    (project / "Pulumi.plain.yaml").write_text(
        stack.replace("config:\n", f"config:\n  nowry:{key}: {SECRET_VALUE}\n", 1)
    )
    result = CliRunner().invoke(app, ["plan", "plain", "--project-dir", str(project), "--set", setting])
    assert result.exit_code == 2
    assert f"nowry:{key}" in result.output and "plain text" in result.output
    assert SECRET_VALUE not in result.output


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        (["nowry:observability.apm=datadog"], "nowry:datadogApiKey"),
        (["nowry:observability.apm=newrelic"], "nowry:newRelicLicenseKey"),
        (["nowry:observability.logs=betterstack"], "nowry:betterStackSourceToken"),
    ],
)
def test_the_chosen_services_key_is_required(settings, key):
    result = CliRunner().invoke(app, ["plan", "prod", *(a for s in settings for a in ("--set", s))])
    assert result.exit_code == 0
    assert f"{key} is not set" in result.output  # offline: a placeholder and a warning; deploying: an error


def test_secrets_stay_out_of_the_plan(datadog, betterstack):
    for plan in (datadog, betterstack):
        text = plan_json_text(plan)
        assert "Authorization Bearer offline" not in text
        assert "offline-secret-nowry:datadogApiKey" not in text


@pytest.mark.parametrize(
    ("setting", "key", "allowed"),
    [
        ("nowry:observability.apm=zipkin", "nowry:observability.apm", "datadog"),
        ("nowry:observability.logs=papertrail", "nowry:observability.logs", "betterstack"),
        ("nowry:observability.datadogSite=datadog.com", "nowry:observability.datadogSite", "datadoghq.eu"),
        ("nowry:observability.betterStackHost=logs.example.com", "nowry:observability.betterStackHost",
         "in.logs.betterstack.com"),
        ("nowry:observability.collectorImage=public.ecr.aws/aws-observability/aws-otel-collector:latest",
         "nowry:observability.collectorImage", "name:1.4.2"),
        ("nowry:observability.newRelicRegion=asia", "nowry:observability.newRelicRegion", "eu"),
    ],
)  # fmt: skip
def test_bad_observability_settings_are_refused_naming_key_value_and_choices(setting, key, allowed):
    result = CliRunner().invoke(app, ["plan", "prod", "--set", setting])
    assert result.exit_code == 2
    assert key in result.output and allowed in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("stack", ["dev", "k8s", "local"])
def test_apm_and_log_shipping_are_refused_outside_the_aws_phase(stack):
    result = CliRunner().invoke(app, ["plan", stack, "--set", "nowry:observability.apm=otel"])
    assert result.exit_code == 2
    assert "nowry:observability.apm" in result.output and "the aws phase" in result.output


def test_a_variable_the_apm_sets_cannot_be_set_again_in_backend_env():
    result = CliRunner().invoke(
        app, ["plan", "prod", "--set", "nowry:observability.apm=otel", "--set", "nowry:backend.env.OTEL_SERVICE_NAME=x"]
    )
    assert result.exit_code == 2 and "nowry:backend.env.OTEL_SERVICE_NAME" in result.output


def task(*items: dict) -> Subject:
    props = {"containerDefinitions": json.dumps(list(items)), "executionRoleArn": "e", "taskRoleArn": "t"}
    return Subject(TASK, "t", f"urn:pulumi:prod::nowry::{TASK}::t", props, False, {}, True)


HARDENED = {"user": "100", "privileged": False, "readonlyRootFilesystem": True,
            "logConfiguration": {"logDriver": "awslogs"}}  # fmt: skip


def hardening(*items: dict) -> list[str]:
    return [v.message for v in evaluate([task(*items)]).violations if v.rule == "ecs-container-hardening"]


def test_a_root_sidecar_is_reported_unless_it_is_a_firelens_router_or_a_one_shot_step():
    root_agent = {**HARDENED, "name": "agent", "user": "0"}
    assert hardening({**HARDENED, "name": "backend"}, root_agent)
    router = {**root_agent, "name": "router", "firelensConfiguration": {"type": "fluentbit"}}
    assert not hardening({**HARDENED, "name": "backend"}, router)
    step = {**root_agent, "name": "prepare", "essential": False}
    waiting = {**HARDENED, "name": "agent2", "dependsOn": [{"containerName": "prepare", "condition": "SUCCESS"}]}
    assert not hardening(waiting, step)
    assert hardening(waiting, {**step, "secrets": [{"name": "K", "valueFrom": "arn"}]})  # not a bare step any more
    assert hardening({**HARDENED, "name": "agent3"}, step)  # nobody waits for it: it is a long-running root container


def test_a_writable_root_on_a_sidecar_is_reported():
    assert hardening({**HARDENED, "name": "backend"}, {**HARDENED, "name": "agent", "readonlyRootFilesystem": False})


def test_firelens_logging_passes_only_with_a_router_that_logs_to_cloudwatch():
    backend = {**HARDENED, "name": "backend", "logConfiguration": {"logDriver": "awsfirelens", "options": {}}}
    router = {**HARDENED, "name": "router", "user": "0", "firelensConfiguration": {"type": "fluentbit"}}

    def awslogs(*items: dict) -> list[str]:
        return [v.message for v in evaluate([task(*items)]).violations if v.rule == "ecs-awslogs"]

    assert awslogs(backend)
    assert awslogs(backend, {**router, "logConfiguration": {"logDriver": "awsfirelens"}})
    assert not awslogs(backend, router)


def test_a_credential_in_a_log_option_is_reported():
    def leaks(options: dict) -> list[str]:
        logging = {"logDriver": "awsfirelens", "options": options}
        found = evaluate([task({**HARDENED, "name": "backend", "logConfiguration": logging})]).violations
        return [v.message for v in found if v.rule == "ecs-secrets-not-environment"]

    assert leaks({"Name": "http", "Header": "Authorization Bearer abc"})
    assert leaks({"Name": "datadog", "apikey": "abc"})
    assert not leaks({"Name": "http", "Host": "in.logs.betterstack.com", "Json_date_key": "dt"})


def test_xray_writes_are_the_only_new_star_resource_actions():
    assert {a for a in r.STAR_RESOURCE_ACTIONS if not a.startswith("xray:")} == {"ecr:GetAuthorizationToken"}


def test_the_observability_guide_states_the_shipped_versions_and_prices():
    from infra.config.model import ServiceObservabilityConfig
    from infra.tool.cost.price_catalog import load_catalog

    guide = (PROJECT_DIR / "docs" / "observability.md").read_text()
    defaults = ServiceObservabilityConfig.model_validate({})
    assert defaults.collector_image.rpartition(":")[2] in guide
    catalog = load_catalog()
    assert f"${catalog.rate('xray_million_traces'):g} per million traces" in guide
    assert f"${catalog.rate('datadog_apm_fargate_task_month'):g} per APM Fargate task" in guide
    assert f"${catalog.rate('datadog_infra_fargate_task_month'):.2f} per infrastructure Fargate task" in guide
    assert f"up to {catalog.rate('newrelic_free_gb'):g} GB a month" in guide
    fargate = {
        name: next(i.monthly for i in estimate(plan).line_items if i.name == "backend-service")
        for name, plan in (("alone", planned()), ("otel", planned("nowry:observability.apm=otel")))
    }
    assert f"${fargate['otel'] - fargate['alone']:.2f} a month more for two tasks" in guide


CHOICES = [[], ["nowry:observability.apm=otel"], ["nowry:observability.apm=datadog"],
           ["nowry:observability.apm=newrelic"], ["nowry:observability.logs=betterstack"]]  # fmt: skip


@pytest.mark.parametrize("settings", CHOICES)
def test_the_task_definition_is_one_ecs_accepts(settings):
    """Against ECS's own request shape (botocore's RegisterTaskDefinition model) and the task
    definition rules ECS states beside it: a dependency on SUCCESS only on a non-essential
    container, the containers' CPU and memory inside the task's, awsfirelens only with a router."""
    import botocore.session
    from botocore.validate import ParamValidator

    task = planned(*settings).one(TASK, "backend-task").inputs
    role = "arn:aws:iam::123456789012:role/"
    definitions = json.loads(task["containerDefinitions"])
    params = {
        "family": task["family"], "containerDefinitions": definitions, "cpu": task["cpu"], "memory": task["memory"],
        "networkMode": task["networkMode"], "requiresCompatibilities": task["requiresCompatibilities"],
        "executionRoleArn": f"{role}execution", "taskRoleArn": f"{role}task",
        "volumes": [{"name": v["name"]} for v in task["volumes"]], "runtimePlatform": task["runtimePlatform"],
    }  # fmt: skip
    shape = botocore.session.get_session().get_service_model("ecs").operation_model("RegisterTaskDefinition")
    report = ParamValidator().validate(params, shape.input_shape)
    assert not report.has_errors(), report.generate_report()
    by_name = {c["name"]: c for c in definitions}
    for container in definitions:
        for dependency in container.get("dependsOn") or []:
            if dependency["condition"] in ("SUCCESS", "COMPLETE"):
                assert by_name[dependency["containerName"]].get("essential") is False
        for mount in container.get("mountPoints") or []:
            assert mount["sourceVolume"] in {v["name"] for v in task["volumes"]}
    assert sum(c.get("cpu", 0) for c in definitions) <= int(task["cpu"])
    assert sum(c.get("memoryReservation", 0) for c in definitions) <= int(task["memory"])
    assert any(c.get("essential", True) for c in definitions)
    uses_firelens = any((c.get("logConfiguration") or {}).get("logDriver") == "awsfirelens" for c in definitions)
    assert uses_firelens == any("firelensConfiguration" in c for c in definitions)


def test_each_sidecar_image_default_is_a_tag_with_a_published_release():
    from infra.config.model import ServiceObservabilityConfig
    from infra.config.model.observability import PINNED_IMAGES

    defaults = ServiceObservabilityConfig.model_validate({})
    for field, pinned in PINNED_IMAGES.items():
        assert getattr(defaults, field) == pinned.reference
        tag = pinned.reference.rsplit(":", 1)[1]
        assert tag.lstrip("v") in pinned.release, (field, tag, pinned.release)
    assert PINNED_IMAGES["log_router_image"].reference.endswith(":3.4.16")  # 3.4.17 has no published release
