"""The offline engine: a faithful, safe, repeatable record of what a program registers."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_docker as docker
import pulumi_random as random
import pytest

from infra.config import ConfigError
from infra.config.source import Project, RawConfig
from infra.tool.engine.runner import plan_stack, run_offline
from tests.conftest import plan_json_text


class Box(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("test:index:Box", name, None)
        self.image = docker.RemoteImage(f"{name}-image", name="nginx:1.27", opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


def sample_program(**_: object) -> None:
    box = Box("box")
    password = random.RandomPassword("pw", length=16, opts=pulumi.ResourceOptions(protect=True))
    volume = docker.Volume("data", name="data", opts=pulumi.ResourceOptions(retain_on_delete=True))
    docker.Container(
        "app",
        image=box.image.repo_digest,  # not computed offline: unknown
        name="app",
        envs=["PLAIN=1", pulumi.Output.secret(pulumi.Output.concat("PW=", password.result))],
        volumes=[docker.ContainerVolumeArgs(volume_name=volume.name, container_path="/d")],
        opts=pulumi.ResourceOptions(depends_on=[box]),
    )
    pulumi.export("password", password.result)
    pulumi.export("volume", volume.name)
    pulumi.export("digest", box.image.repo_digest)


@pytest.fixture(scope="module")
def sample():
    return run_offline(Project("nowry", Path(".")), "unit", RawConfig({}), sample_program)


def test_parents_are_recorded_and_resolve(sample):
    urns = {r.urn for r in sample.resources}
    image = sample.one("docker:index/remoteImage:RemoteImage")
    box = sample.one("test:index:Box")
    assert image.parent == box.urn
    assert box.parent is None
    assert not box.custom and image.custom
    assert all(r.parent is None or r.parent in urns for r in sample.resources)


def test_urns_match_the_real_engines_form(sample):
    assert sample.one("test:index:Box").urn == "urn:pulumi:unit::nowry::test:index:Box::box"
    image = sample.one("docker:index/remoteImage:RemoteImage")
    assert image.urn == "urn:pulumi:unit::nowry::test:index:Box$docker:index/remoteImage:RemoteImage::box-image"


def test_dependencies_are_sorted_and_resolve(sample):
    app = sample.one("docker:index/container:Container")
    assert list(app.dependencies) == sorted(app.dependencies)
    names = {sample.by_urn(urn).name for urn in app.dependencies}
    # depends_on a component means depending on its children, as under the real engine
    assert {"box-image", "pw", "data"} <= names


def test_protect_and_retain_on_delete_flags(sample):
    assert sample.one("random:index/randomPassword:RandomPassword").protect is True
    assert sample.one("docker:index/volume:Volume").retain_on_delete is True
    assert sample.one("docker:index/container:Container").protect is False


def test_secrets_are_masked_everywhere(sample):
    app = sample.one("docker:index/container:Container")
    assert app.inputs["envs"] == ["PLAIN=1", "[secret]"]
    assert sample.outputs["password"] == "[secret]"
    assert "offline-random-pw" not in plan_json_text(sample)
    assert app.revealed_inputs["envs"][1] == "PW=offline-random-pw"


def test_unknowns_are_marked(sample):
    assert sample.one("docker:index/container:Container").inputs["image"] == "[unknown]"
    assert sample.outputs["digest"] == "[unknown]"
    assert sample.outputs["volume"] == "data"


def test_numbers_are_ints_when_integral(sample):
    assert sample.one("random:index/randomPassword:RandomPassword").inputs["length"] == 16


def test_placeholder_ids_are_deterministic_and_recognisable():
    def program(**_: object) -> None:
        net = docker.Network("net", name="n")
        pulumi.export("id", net.id)

    first = run_offline(Project("nowry", Path(".")), "a", RawConfig({}), program)
    second = run_offline(Project("nowry", Path(".")), "a", RawConfig({}), program)
    assert first.outputs["id"] == second.outputs["id"] == "net-offline-id"


def test_plans_in_one_process_do_not_leak(sample, project):
    directory = project()
    first = plan_stack(directory, "test")
    second = plan_stack(directory, "test", ["nowry:backend.port=9000"])
    third = plan_stack(directory, "test")
    assert first.to_json() == third.to_json()
    assert len(first.resources) == len(second.resources)
    assert all(r.name != "box" for r in first.resources)
    assert second.outputs["backendUrl"] == "http://localhost:9000"
    assert first.outputs["backendUrl"] == "http://localhost:8000"


def test_a_failed_plan_registers_nothing_and_leaves_no_state(project):
    directory = project(**{"nowry:phase": "nope"})
    with pytest.raises(ConfigError):
        plan_stack(directory, "test")
    good = project()
    assert plan_stack(good, "test").phase == "local"


def test_program_errors_surface():
    def broken(**_: object) -> None:
        docker.Network("net", name="n")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        run_offline(Project("nowry", Path(".")), "x", RawConfig({}), broken)


def test_under_the_real_engine_config_errors_end_the_run_cleanly_before_any_resource(project):
    """``pulumi up`` runs ``program.main``: a missing secret is an error, not a placeholder,
    raised as ``RunError`` (Pulumi prints it without a traceback) before any registration."""
    from infra import program
    from infra.config import source

    directory = project()
    loaded = source.read_project(directory)
    raw = source.from_stack_file(loaded, "test")
    registered: list[str] = []

    def real_entry(**_: object) -> None:
        try:
            program.main()
        finally:
            monitor = pulumi.runtime.settings.SETTINGS.monitor  # pyright: ignore[reportAttributeAccessIssue]
            registered.extend(r.urn for r in monitor.registrations)

    with pytest.raises(pulumi.RunError) as caught:
        run_offline(loaded, "test", raw, real_entry)
    assert "nowry:groqApiKey: is required and not set" in str(caught.value)
    assert "pulumi config set --secret nowry:groqApiKey" in str(caught.value)
    assert registered == []
