"""Each phase's estimated monthly bill, planned from the phase registry's own price samples."""

from __future__ import annotations

from pathlib import Path

from infra.config import ConfigError
from infra.config.source import StackFileError
from infra.phases import REGISTRY
from infra.tool.cost.estimate import estimate
from infra.tool.engine.runner import plan_stack
from stacks import ProviderNotInstalled

PROJECT_FILE = "Pulumi.yaml"
OWN_PROJECT = Path(__file__).resolve().parents[3]
"""The folder the ``infra`` package sits in: in a checkout of this project, the registry's samples
(the shipped stack files ``dev``, ``prod`` and ``k8s``) are there."""


class PhaseBillsError(Exception):
    """A phase could not be priced; the message names the sample, the folder and why."""


def samples_dir(project_dir: Path) -> Path:
    """The folder to plan the samples in: ``project_dir`` when it is a Pulumi project, else this
    project's own checkout; ``PhaseBillsError`` naming the missing ``Pulumi.yaml`` when neither is."""
    for folder in (project_dir, OWN_PROJECT):
        if (folder / PROJECT_FILE).is_file():
            return folder
    raise PhaseBillsError(
        f"no {PROJECT_FILE} in {project_dir.resolve()}: each phase is priced by planning the phase registry's "
        f"samples (stacks {', '.join(sorted({s.stack for p in REGISTRY for s in p.prices}))}) in the project; "
        "run it in the project's folder or pass --project-dir"
    )


def phase_bills(project_dir: Path) -> dict[str, float | None]:
    """Phase (or variant) -> estimated USD a month, planned from the registry's price samples;
    ``PhaseBillsError`` when a sample cannot be planned there; None for a sample whose provider's
    optional extra is not installed (a gcp sample without ``--extra gcp``: ``not_priced`` says so)."""
    folder = samples_dir(project_dir)
    bills: dict[str, float | None] = {}
    for phase in REGISTRY:
        for sample in phase.prices:
            try:
                bills[sample.label] = round(estimate(plan_stack(folder, sample.stack, sample.overrides)).total, 2)
            except ProviderNotInstalled:
                bills[sample.label] = None
            except (ConfigError, StackFileError) as exc:
                sets = "".join(f" --set {o}" for o in sample.overrides)
                raise PhaseBillsError(
                    f"cannot price {sample.label} (stack {sample.stack}{sets} in {folder}): {exc}"
                ) from None
    return bills


def not_priced(label: str) -> str:
    """Why a sample's bill is None here: its phase's provider comes from an extra not installed."""
    phase = next(p for p in REGISTRY if any(s.label == label for s in p.prices))
    return f"not priced here: needs `uv sync --locked --extra {phase.extra}`"
