"""Drift between a deployed stack and its program, from ``pulumi preview --refresh --json``.

The scheduled drift workflow runs ``pulumi preview --refresh --expect-no-changes --json``
for each deployed stack. After the refresh, the state holds what really exists, so every
step of the preview that is not ``same`` is drift: a resource changed outside Pulumi (an
update back to the program), deleted outside Pulumi (a create) or replaced. This module turns
that JSON into the body of the one issue the workflow opens or updates per stack.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ISSUE_TITLE = "Drift detected in stack {stack}"
"""One issue per stack: the workflow finds it by this title and updates it."""


@dataclass(frozen=True)
class Drifted:
    urn: str
    op: str
    properties: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]

    @property
    def type(self) -> str:
        return self.urn.rsplit("::", 2)[-2].rsplit("$", 1)[-1]


def drifted(preview: dict[str, Any]) -> list[Drifted]:
    """Every step of the preview that would change something, in the preview's order."""
    found = []
    for step in preview.get("steps") or []:
        op = step.get("op", "same")
        if op in ("same", "read"):
            continue
        properties = step.get("diffs") or sorted((step.get("detailedDiff") or {}).keys())
        found.append(Drifted(step.get("urn", "?"), op, tuple(properties)))
    return found


def report(stack: str, preview: dict[str, Any]) -> str:
    """The issue body: which resources drifted and how, or that none did."""
    found = drifted(preview)
    if not found:
        return f"No drift in stack `{stack}`."
    lines = [
        f"`pulumi preview --refresh` of stack `{stack}` found {len(found)} resource(s) that differ from the program:",
        "",
        "| resource | type | would | properties |",
        "|---|---|---|---|",
    ]
    for item in found:
        props = ", ".join(f"`{p}`" for p in item.properties) or "—"
        lines.append(f"| `{item.name}` | `{item.type}` | {item.op} | {props} |")
    lines += [
        "",
        "Either bring the change into the program (and the stack file) through a pull request, or run "
        f"`pulumi up --stack {stack}` to put the resources back as the program says.",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """``python -m infra.tool.ops.drift STACK PREVIEW.json``: print the report; exit 1 on drift."""
    if len(argv) != 2:
        print("usage: python -m infra.tool.ops.drift STACK PREVIEW.json", file=sys.stderr)
        return 2
    stack, path = argv
    try:
        preview = json.loads(Path(path).read_text() or "{}")
    except (OSError, json.JSONDecodeError) as exc:
        print(f"error: cannot read the preview JSON {path}: {exc}", file=sys.stderr)
        return 2
    print(report(stack, preview))
    return 1 if drifted(preview) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
