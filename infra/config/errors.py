"""Config problems, collected and reported together."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


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


@dataclass
class CheckContext:
    """What every config check gets besides the config: the raw config (provider keys live
    there), the stack, the project folder, whether the plan is offline, and where problems
    (``issues``) and risks (``warnings``) go."""

    raw: Any
    stack: str
    project_dir: Path
    offline: bool
    issues: list[ConfigIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def problem(self, key: str, problem: str, given: str | None = None, allowed: str | None = None) -> None:
        self.issues.append(ConfigIssue(key, problem, given, allowed))


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
