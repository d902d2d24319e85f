"""The local phase: the first docker-compose file, as Pulumi resources."""

from __future__ import annotations

import pytest

from infra.tool.engine.runner import plan_stack

CONTAINER = "docker:index/container:Container"


def env_of(resource) -> dict[str, str]:
    return dict(item.split("=", 1) for item in resource.revealed_inputs["envs"])


def test_local_builds_network_database_backend_and_frontend(local_plan):
    counts = local_plan.type_counts()
    assert counts["docker:index/network:Network"] == 1
    assert counts["docker:index/volume:Volume"] == 1
    assert counts[CONTAINER] == 3
    components = {r.type for r in local_plan.resources if not r.custom}
    assert {"nowry:docker:MongoDatabase", "nowry:docker:AppContainer"} <= components


def test_mongo_runs_pinned_7_0_with_a_named_volume_and_generated_password(local_plan):
    image = local_plan.one("docker:index/remoteImage:RemoteImage", "database-image")
    assert image.inputs["name"] == "mongo:7.0"
    mongo = local_plan.one(CONTAINER, "database-container")
    volume = local_plan.one("docker:index/volume:Volume")
    assert mongo.inputs["volumes"] == [{"volumeName": volume.inputs["name"], "containerPath": "/data/db"}]
    password = local_plan.one("random:index/randomPassword:RandomPassword", "database-root-password")
    assert password.urn in mongo.dependencies
    assert "[secret]" in mongo.inputs["envs"]
    assert env_of(mongo)["MONGO_INITDB_ROOT_PASSWORD"] == "offline-random-database-root-password"


def test_backend_mongo_uri_points_at_the_mongo_container_on_the_shared_network(local_plan):
    backend = local_plan.one(CONTAINER, "backend-container")
    mongo = local_plan.one(CONTAINER, "database-container")
    network = local_plan.one("docker:index/network:Network")
    uri = env_of(backend)["MONGO_URI"]
    mongo_alias = mongo.inputs["networksAdvanced"][0]["aliases"][0]
    assert uri.startswith(f"mongodb://nowry:offline-random-database-root-password@{mongo_alias}:27017/nowry")
    assert backend.inputs["networksAdvanced"][0]["name"] == network.inputs["name"]
    assert mongo.inputs["networksAdvanced"][0]["name"] == network.inputs["name"]
    assert network.urn in backend.dependencies and mongo.urn in backend.dependencies


def test_backend_gets_its_credentials_as_secrets(local_plan):
    backend = local_plan.one(CONTAINER, "backend-container")
    env = env_of(backend)
    assert set(env) >= {"MONGO_URI", "GROQ_API_KEY", "SECRET_KEY"}
    shown = backend.inputs["envs"]
    assert shown.count("[secret]") == 3
    assert not any(item.startswith(("MONGO_URI=", "GROQ_API_KEY=", "SECRET_KEY=")) for item in shown)
    generated = local_plan.one("random:index/randomPassword:RandomPassword", "secret-key-generated")
    assert generated.urn in backend.dependencies


def test_ports_health_checks_and_restart_policies(local_plan):
    backend = local_plan.one(CONTAINER, "backend-container")
    frontend = local_plan.one(CONTAINER, "frontend-container")
    assert backend.inputs["ports"] == [{"internal": 8000, "external": 8000, "ip": "127.0.0.1"}]
    assert frontend.inputs["ports"] == [{"internal": 80, "external": 3000, "ip": "127.0.0.1"}]
    for name in ("backend-container", "frontend-container", "database-container"):
        container = local_plan.one(CONTAINER, name)
        assert container.inputs["restart"] == "unless-stopped"
        assert container.inputs["healthcheck"]["tests"][0] == "CMD"
        assert "no-new-privileges:true" in container.inputs["securityOpts"]
    assert "http://127.0.0.1:8000/health" in " ".join(backend.inputs["healthcheck"]["tests"])
    assert backend.inputs["readOnly"] is True and "/tmp" in backend.inputs["tmpfs"]


def test_outputs(local_plan):
    assert local_plan.outputs["frontendUrl"] == "http://localhost:3000"
    assert local_plan.outputs["apiHealthUrl"] == "http://localhost:8000/health"
    assert local_plan.outputs["mongoUri"] == "[secret]"


def test_backend_built_from_a_context(project, tmp_path):
    (tmp_path / "backend").mkdir()
    (tmp_path / "backend" / "Dockerfile.prod").write_text("FROM python:3.12-slim\n")
    directory = project(**{"nowry:backend": {"context": "backend", "dockerfile": "Dockerfile.prod"}})
    plan = plan_stack(directory, "test")
    image = plan.one("docker:index/image:Image")
    assert image.inputs["build"]["context"] == str(tmp_path / "backend")
    assert image.inputs["build"]["dockerfile"] == "Dockerfile.prod"
    assert image.inputs["skipPush"] is True
    backend = plan.one(CONTAINER, "backend-container")
    assert backend.inputs["image"] == image.inputs["imageName"]


def test_static_frontend_is_served_by_pinned_nginx(project, tmp_path):
    directory = project(**{"nowry:frontend": {"staticDir": "site"}})
    plan = plan_stack(directory, "test")
    pulled = plan.one("docker:index/remoteImage:RemoteImage", "frontend-image-pull")
    assert pulled.inputs["name"] == "nginx:1.27-alpine"
    frontend = plan.one(CONTAINER, "frontend-container")
    assert frontend.inputs["volumes"] == [
        {
            "hostPath": str(tmp_path / "site"),
            "containerPath": "/usr/share/nginx/html",
            "readOnly": True,
        }
    ]


def test_protect_flag_reaches_the_stateful_resources(project):
    plan = plan_stack(project(**{"nowry:protect": True}), "test")
    assert plan.one("docker:index/volume:Volume").protect
    assert plan.one("random:index/randomPassword:RandomPassword", "database-root-password").protect
    assert plan.one("random:index/randomPassword:RandomPassword", "secret-key-generated").protect
    assert not plan.one(CONTAINER, "backend-container").protect
    unprotected = plan_stack(project(), "test")
    assert not unprotected.one("docker:index/volume:Volume").protect


def test_given_secret_key_is_used_instead_of_a_generated_one(project, tmp_path):
    directory = project()
    stack_file = tmp_path / "Pulumi.test.yaml"
    stack_file.write_text(stack_file.read_text() + "  nowry:secretKey:\n    secure: v1:xyz\n")
    plan = plan_stack(directory, "test")
    assert not [r for r in plan.resources if r.name == "secret-key-generated"]
    assert env_of(plan.one(CONTAINER, "backend-container"))["SECRET_KEY"].startswith("offline-secret-")


def test_a_build_context_that_does_not_exist_is_a_config_error(project):
    from infra.config import ConfigError

    with pytest.raises(ConfigError, match=r"nowry:backend.context: does not exist \(given: 'nowhere'\)"):
        plan_stack(project(**{"nowry:backend": {"context": "nowhere"}}), "test")
