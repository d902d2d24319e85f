"""`nowry:alerts`: who the managed phases' alerts notify (Atlas's alert configurations)."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from infra.config.model.base import Section

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AlertsConfig(Section):
    """`nowry:alerts` — where the alerts before a limit go (managed phases and Atlas on aws)."""

    email: str | None = Field(
        None,
        description="the address every Atlas alert emails; unset: no Atlas alerts are made (an alert that "
        "names no target notifies nobody)",
    )
    slack_channel: str | None = Field(
        None,
        pattern=r"^#?[a-z0-9][a-z0-9._-]{0,79}$",
        description="a Slack channel Atlas also posts to, with the bot token in the secret alertsSlackToken",
    )

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not EMAIL.fullmatch(value):
            raise ValueError("is not an email address")
        return value
