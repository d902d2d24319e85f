"""Checks every phase runs after the config model has validated each section: paths inside
the project, the database engine the phase can run, and what the phase's registry entry
says about caches."""

from __future__ import annotations

from pathlib import Path

from infra.config.errors import CheckContext
from infra.config.model import StackConfig, one_source
from infra.phases import spec


def check(config: StackConfig, ctx: CheckContext) -> None:
    source = one_source("nowry:backend", {"image": config.backend.image, "context": config.backend.context})
    if source:
        ctx.problem("nowry:backend", source[1], str(source[2]), source[3])
    for key, section in (("backend", config.backend), ("frontend", config.frontend)):
        if section.context:
            _folder(ctx, f"nowry:{key}.context", section.context, "a Docker build context")
        dockerfile = getattr(section, "dockerfile", None)  # only the backend names one
        if section.context and dockerfile and (ctx.project_dir / section.context).is_dir():
            _file_inside(ctx, f"nowry:{key}.dockerfile", dockerfile, ctx.project_dir / section.context)
    if config.frontend.static_dir:
        _static_dir(ctx, config.frontend.static_dir)
    phase = spec(config.phase)
    if config.database.engine is not None and config.database.engine not in phase.database_engines:
        ctx.problem("nowry:database.engine", f"the {phase.name} phase cannot run this engine",
                    repr(config.database.engine), ", ".join(phase.database_engines))  # fmt: skip
    snapshot = config.database.restore_from_snapshot
    if snapshot and (config.phase != "aws" or config.database_engine != "documentdb"):
        ctx.problem("nowry:database.restoreFromSnapshot", f"restores a DocumentDB snapshot; this stack runs "
                    f"{config.database_engine} in the {config.phase} phase", repr(snapshot),
                    "the aws phase with database.engine: documentdb")  # fmt: skip
    if config.cache.enabled and not phase.runs_cache:
        ctx.problem("nowry:cache.enabled", f"the {phase.name} phase runs no cache", "true", "false")


def inside(path: str, root: Path) -> Path | None:
    """``path`` (relative to ``root``) resolved, or None when it leads outside ``root``."""
    resolved = (root / path).resolve()
    return resolved if resolved.is_relative_to(root.resolve()) else None


def _folder(ctx: CheckContext, key: str, path: str, what: str) -> None:
    resolved = inside(path, ctx.project_dir)
    allowed = f"{what} under {ctx.project_dir}"
    if resolved is None:
        ctx.problem(key, "leads outside the project folder", repr(path), allowed)
    elif not resolved.is_dir():
        ctx.problem(key, "is a file, not a folder" if resolved.exists() else "does not exist", repr(path), allowed)


def _file_inside(ctx: CheckContext, key: str, path: str, root: Path) -> None:
    resolved = inside(path, root)
    if resolved is None or not resolved.is_file():
        problem = "leads outside the build context" if resolved is None else "is not a file"
        ctx.problem(key, problem, repr(path), f"a Dockerfile inside {root}")


def _static_dir(ctx: CheckContext, path: str) -> None:
    """The built site: a folder inside the project (every file in it is uploaded to the public
    bucket, so a system folder must never be). Not built yet is a warning offline, an error
    under the real engine (an empty site is never deployed silently)."""
    key, allowed = "nowry:frontend.staticDir", f"the built site's folder under {ctx.project_dir}"
    resolved = inside(path, ctx.project_dir)
    if resolved is None:
        ctx.problem(key, "leads outside the project folder", repr(path), allowed)
    elif resolved.exists() and not resolved.is_dir():
        ctx.problem(key, "is a file, not a folder", repr(path), allowed)
    elif not resolved.exists() and ctx.offline:
        ctx.warnings.append(f"{key} {path!r} does not exist yet: build the site there (npm run build) before deploying")
    elif not resolved.exists():
        ctx.problem(key, "does not exist: build the site first (npm run build)", repr(path), allowed)
