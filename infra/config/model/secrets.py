"""The secret config keys: how the app receives each and what happens when one is unset."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic.alias_generators import to_camel

from infra.phases import phases_where


@dataclass(frozen=True)
class SecretSpec:
    """A secret config key: how the app receives it and what happens when it is unset."""

    key: str
    env: str | None
    """The backend's environment variable, or None for a credential only the stack uses."""
    required: bool
    example: str
    phases: tuple[str, ...] | None = None
    """The phases that use it; None for every phase."""
    optional_generated: bool = True
    """An optional secret left unset is generated (True) or simply not passed on (False)."""
    description: str = ""
    needed_when: tuple[str, str, str] | None = None
    """(section, field, value): the secret is required when that setting has that value."""

    def needed(self, sections: dict[str, object]) -> bool:
        """Whether this stack must set it: always when required, else when its setting is chosen."""
        if self.required:
            return True
        if self.needed_when is None:
            return False
        section, name, value = self.needed_when
        chosen = getattr(sections.get(section), name, None)
        return chosen is not None if value == ANY_VALUE else chosen == value

    @property
    def condition(self) -> str | None:
        """The setting that makes it required, as a stack file writes it (``observability.apm: datadog``)."""
        if self.needed_when is None:
            return None
        section, name, value = self.needed_when
        return f"{section}.{to_camel(name)} set" if value == ANY_VALUE else f"{section}.{to_camel(name)}: {value}"


ANY_VALUE = "*"
"""In ``needed_when``: the secret is needed whenever the setting is set, whatever its value."""

SECRETS: tuple[SecretSpec, ...] = (
    SecretSpec("groqApiKey", "GROQ_API_KEY", required=True, example="gsk_...", description="the Groq API key"),
    SecretSpec(
        "secretKey",
        "SECRET_KEY",
        required=False,
        example="<64 random characters>",
        description="the app's signing key; generated (64 characters) when unset",
    ),
    SecretSpec(
        "sentryDsn",
        "SENTRY_DSN",
        required=False,
        example="https://<key>@o0.ingest.sentry.io/0",
        optional_generated=False,
        description="Sentry DSN passed to the backend as SENTRY_DSN when set",
    ),
    SecretSpec(
        "mongoUri",
        "MONGO_URI",
        required=True,
        example="mongodb+srv://user:password@host/nowry",
        phases=phases_where("needs_external_database"),
        description="the external database's connection string (Atlas or DocumentDB)",
    ),
    SecretSpec(
        "redisUrl",
        "REDIS_URL",
        required=False,
        example="rediss://:token@host:6379/0",
        phases=phases_where("needs_external_database"),
        optional_generated=False,
        description="an external Redis URL passed as REDIS_URL",
    ),
    SecretSpec(
        "railwayToken",
        None,
        required=True,
        example="<Railway API token>",
        phases=phases_where("managed"),
        description="a Railway API token (the Railway provider's only credential)",
    ),
    *(
        SecretSpec(
            key,
            None,
            required=False,
            example=example,
            phases=("aws",),
            optional_generated=False,
            needed_when=("observability", setting, value),
            description=f"{what} (observability.{setting}: {value}); read by a sidecar, never the backend",
        )
        for key, example, setting, value, what in (
            ("datadogApiKey", "<Datadog API key>", "apm", "datadog", "the Datadog agent's API key"),
            (
                "newRelicLicenseKey",
                "<New Relic ingest license key>",
                "apm",
                "newrelic",
                "the New Relic license key the collector exports with",
            ),
            (
                "betterStackSourceToken",
                "<Better Stack source token>",
                "logs",
                "betterstack",
                "the Better Stack source token the log router ships with",
            ),
        )
    ),
    SecretSpec(
        "alertsSlackToken",
        None,
        required=False,
        example="xoxb-...",
        optional_generated=False,
        needed_when=("alerts", "slack_channel", ANY_VALUE),
        description="the Slack bot token Atlas posts alerts to alerts.slackChannel with (alerts.slackChannel set)",
    ),
)
"""Secret config keys. A required one must be set; an optional one is generated when unset."""


class SecretValue:
    """A secret from config. Its text is reachable only through ``reveal()``."""

    __slots__ = ("_value", "placeholder")

    def __init__(self, value: str, *, placeholder: bool = False) -> None:
        self._value = value
        self.placeholder = placeholder
        """True when the value stands in for a secret the offline engine cannot read."""

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "SecretValue([secret])"
