"""Checks of the local phase: where each container comes from."""

from __future__ import annotations

from infra.config.errors import CheckContext
from infra.config.model import StackConfig, one_source


def check(config: StackConfig, ctx: CheckContext) -> None:
    sources = {
        "nowry:frontend": {
            "image": config.frontend.image,
            "context": config.frontend.context,
            "staticDir": config.frontend.static_dir,
        },
    }
    for key, given in sources.items():
        problem = one_source(key, given)
        if problem:
            ctx.problem(key, problem[1], str(problem[2]), problem[3])
