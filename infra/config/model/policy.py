"""`nowry:policy`: the findings a stack accepts on purpose.

The policy rules live above the config, in the tool: the model cannot list their ids, so whoever
validates a stack with the rules at hand gives their ids as the validation context
(``{RULE_IDS_CONTEXT: ids}``: the ``nowry-infra`` commands and the policy pack, through
``infra/tool/rules/acceptance.py``), and an unknown id is then reported beside every other problem of
the config. ``pulumi up`` without the pack validates no ids: an acceptance means nothing without it.
"""

from __future__ import annotations

import difflib

from pydantic import Field, ValidationInfo, field_validator

from infra.config.model.base import Section

RULE_IDS_CONTEXT = "policy_rule_ids"
"""The validation-context key under which a caller gives the policy rules' ids."""


class AcceptedFinding(Section):
    """One policy finding the stack accepts on purpose."""

    rule: str = Field(description="a policy rule id (nowry-infra rules lists them)")
    reason: str = Field(min_length=10, description="why the finding is accepted, in words (10+ characters)")
    resource: str | None = Field(None, description="the logical resource name it applies to; every resource when unset")

    @field_validator("rule")
    @classmethod
    def _known_rule(cls, rule: str, info: ValidationInfo) -> str:
        known = (info.context or {}).get(RULE_IDS_CONTEXT)
        if known is not None and rule not in known:
            close = difflib.get_close_matches(rule, sorted(known), n=1)
            hint = f" — did you mean '{close[0]}'?" if close else ""
            raise ValueError(f"no such policy rule{hint}")
        return rule


class PolicyConfig(Section):
    """`nowry:policy` — accepted policy findings."""

    accept: list[AcceptedFinding] = Field(
        default_factory=list, description="findings accepted on purpose, each with a reason"
    )
