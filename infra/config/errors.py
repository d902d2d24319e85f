"""Config problems, collected and reported together."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConfigIssue:
    """One problem with one config key: the key, what was given and what is allowed."""

    key: str
    problem: str
    given: str | None = None
    allowed: str | None = None

    def render(self) -> str:
        text = f"{self.key}: {self.problem}"
        if self.given is not None:
            text += f" (given: {self.given})"
        if self.allowed:
            text += f"; allowed: {self.allowed}"
        return text


class ConfigError(Exception):
    """The stack's config is invalid; every problem found is in ``issues``."""

    def __init__(self, stack: str, issues: list[ConfigIssue]) -> None:
        self.stack = stack
        self.issues = issues
        super().__init__(self.render())

    def render(self) -> str:
        count = len(self.issues)
        noun = "problem" if count == 1 else "problems"
        lines = [f"stack '{self.stack}' has {count} config {noun}:"]
        lines += [f"  - {issue.render()}" for issue in self.issues]
        return "\n".join(lines)
