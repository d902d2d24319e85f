"""Where a stack's config meets the policy rules: the findings it accepts must name real rules.

The config model cannot import the rules (they live above it, in the tool): the ``nowry-infra``
commands give ``RULE_IDS`` to the program's config validation (every problem reported together,
exit 2, before anything is registered), and the policy pack validates the stack's
``nowry:policy`` with the same ids here.
"""

from __future__ import annotations

from pydantic import ValidationError

from infra.config.errors import ConfigIssue
from infra.config.model import PolicyConfig
from infra.config.model.policy import RULE_IDS_CONTEXT
from infra.tool.rules import RULE_IDS


def validated(data: object) -> tuple[PolicyConfig | None, list[ConfigIssue]]:
    """``nowry:policy`` validated with the rules' ids: the model, or the problems found."""
    try:
        return PolicyConfig.model_validate(data, context={RULE_IDS_CONTEXT: RULE_IDS}), []
    except ValidationError as exc:
        issues = []
        for error in exc.errors():
            key = "nowry:policy" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
            problem = str(error["msg"]).removeprefix("Value error, ")
            allowed = "a policy rule id (nowry-infra rules lists them)" if error["loc"][-1] == "rule" else None
            issues.append(ConfigIssue(key, problem, repr(error.get("input")), allowed))
        return None, issues
