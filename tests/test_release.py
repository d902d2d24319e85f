"""`nowry-infra release`: a new backend image, pinned by digest, written into the stack file."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from infra.tool.cli import app
from infra.tool.release import ReleaseError, bump_backend_image, check_image
from tests.conftest import PROJECT_DIR

runner = CliRunner()
DIGEST = "sha256:" + "0123456789abcdef" * 4
IMAGE = f"ghcr.io/nowry/nowry-backend@{DIGEST}"


@pytest.fixture
def project(tmp_path):
    for name in ("Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.dev.yaml"):
        shutil.copy(PROJECT_DIR / name, tmp_path / name)
    (tmp_path / "frontend" / "build").mkdir(parents=True)
    return tmp_path


@pytest.mark.parametrize(
    "image",
    ["ghcr.io/nowry/nowry-backend:1.0.1", "ghcr.io/nowry/nowry-backend@sha256:abc", f"{IMAGE}\n", "UPPER@" + DIGEST],
)
def test_an_image_not_pinned_by_digest_is_refused(image):
    with pytest.raises(ReleaseError, match="pinned by digest"):
        check_image(image)


def test_a_digest_with_or_without_tag_is_accepted():
    check_image(IMAGE)
    check_image(f"ghcr.io/nowry/nowry-backend:1.0.1@{DIGEST}")


def test_the_bump_changes_one_line_and_keeps_comments(project):
    before = (project / "Pulumi.prod.yaml").read_text()
    bump = bump_backend_image(project / "Pulumi.prod.yaml", IMAGE)
    assert bump.old == "ghcr.io/nowry/nowry-backend:1.0.0"
    changed = [(a, b) for a, b in zip(before.splitlines(), bump.text.splitlines(), strict=True) if a != b]
    assert changed == [("    image: ghcr.io/nowry/nowry-backend:1.0.0", f"    image: {IMAGE}")]


def test_release_writes_the_stack_file_after_planning(project):
    result = runner.invoke(app, ["release", "dev", "--backend-image", IMAGE, "--project-dir", str(project)])
    assert result.exit_code == 0, result.output
    assert f"image: {IMAGE}" in (project / "Pulumi.dev.yaml").read_text()


def test_dry_run_writes_nothing(project):
    before = (project / "Pulumi.prod.yaml").read_text()
    result = runner.invoke(
        app, ["release", "prod", "--backend-image", IMAGE, "--dry-run", "--project-dir", str(project)]
    )
    assert result.exit_code == 0, result.output
    assert "would set" in result.output and (project / "Pulumi.prod.yaml").read_text() == before


def test_a_tag_only_image_or_a_missing_stack_is_exit_2_and_nothing_written(project):
    before = (project / "Pulumi.prod.yaml").read_text()
    tagged = runner.invoke(app, ["release", "prod", "--backend-image", "x/y:2", "--project-dir", str(project)])
    assert tagged.exit_code == 2 and "pinned by digest" in tagged.stderr
    missing = runner.invoke(app, ["release", "nope", "--backend-image", IMAGE, "--project-dir", str(project)])
    assert missing.exit_code == 2 and "no stack file" in missing.stderr
    assert (project / "Pulumi.prod.yaml").read_text() == before


def test_a_stack_that_builds_its_backend_cannot_take_an_image(project):
    (project / "Pulumi.ctx.yaml").write_text("config:\n  nowry:phase: local\n  nowry:backend:\n    context: app\n")
    result = runner.invoke(app, ["release", "ctx", "--backend-image", IMAGE, "--project-dir", str(project)])
    assert result.exit_code == 2 and "has no image" in result.stderr
