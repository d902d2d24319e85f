"""The change report for people (a table), for a pull request (markdown) and for machines (JSON).

The markdown is one pull-request comment a reviewer reads in a minute: one summary line per
stack first, then each stack that changes folded in a ``<details>`` block. It is kept under
``COMMENT_LIMIT`` characters: long tables are shortened, saying how many rows were left out.
Everything printed comes from the plans' masked inputs: secrets show as ``[secret]``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from infra.tool.change_report import ChangeReport, Finding, InputChange, ResourceChange, StackDiff

COMMENT_LIMIT = 60_000
"""Characters the markdown may take: a GitHub comment holds 65,536, and the workflow that posts
it adds a marker and a footer."""
ROW_LIMITS = (None, 100, 30, 10, 3, 0)
"""Rows per table, tried in turn until the markdown fits."""
NAMED_LOSSES = 4
"""Data stores named in a summary line; the details list every one."""
SHORT_VALUE = 40
"""Longest input value shown beside its name (a container definition is only named)."""
_MARKDOWN_SPECIAL = re.compile(r"([\\*_\[\]#])")


def money(value: float) -> str:
    return f"${value:,.2f}"


def amount(value: float | None) -> str:
    """A bill line's figure; a line that is not on that side's bill is a dash."""
    return "—" if value is None else money(value)


def signed(value: float) -> str:
    return f"+{money(value)}" if value >= 0 else f"-{money(-value)}"


def bill_text(diff: StackDiff) -> str:
    bill = diff.bill
    if bill.before == bill.after:
        return f"{money(bill.after)}/month"
    return f"{money(bill.before)} → {money(bill.after)} ({signed(bill.delta)})"


def counts_text(diff: StackDiff) -> str:
    counts = diff.counts
    if diff.status == "created":
        return f"new stack ({diff.head_phase}): {counts['create']} to create"
    if diff.status == "deleted":
        return f"stack removed: {counts['delete']} to delete"
    if not diff.changes:
        return "no resource changes"
    return ", ".join(f"{n} to {action}" for action, n in counts.items())


def policy_text(diff: StackDiff) -> str:
    parts = []
    if diff.appeared:
        parts.append(f"{len(diff.appeared)} new finding{'s' if len(diff.appeared) != 1 else ''}")
    if diff.cleared:
        parts.append(f"{len(diff.cleared)} cleared")
    if diff.accepted:
        parts.append(f"{len(diff.accepted)} newly accepted")
    return "policy: " + (", ".join(parts) or "no new findings")


def data_text(diff: StackDiff) -> str:
    lost = diff.data_loss
    if not lost:
        return "data: safe"
    named = [f"{c.name} {c.action}d" for c in lost[:NAMED_LOSSES]]
    more = f" and {len(lost) - NAMED_LOSSES} more" if len(lost) > NAMED_LOSSES else ""
    return f"data: LOSES DATA ({', '.join(named)}{more})"


def summary(diff: StackDiff) -> str:
    """One line: what the stack's resources, bill, policy and data do."""
    return " · ".join((f"{diff.stack}: {counts_text(diff)}", bill_text(diff), policy_text(diff), data_text(diff)))


def _shown(value: Any) -> str | None:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    if value is None:
        text = "(none)"
    return text if len(text) <= SHORT_VALUE and "\n" not in text else None


def input_text(change: InputChange) -> str:
    before, after = _shown(change.before), _shown(change.after)
    return change.name if before is None or after is None else f"{change.name}: {before} → {after}"


def what(change: ResourceChange) -> str:
    """Why the resource changes: the inputs that change, or the ones that force its replacement."""
    moved = ["moved here by its aliases"] if change.moved_from else []
    if change.action == "update":
        return "; ".join([*moved, *(input_text(i) for i in change.inputs)])
    if change.action == "replace":
        return "; ".join([*moved, *(f"{f.input} forces it ({f.source})" for f in change.forced_by)])
    return "stateful" if change.stateful else ""


def loss_text(change: ResourceChange) -> str:
    why = f" ({', '.join(f.input for f in change.forced_by)} forces it)" if change.forced_by else ""
    text = f"{change.name} ({change.type}) is {change.action}d{why}: what it holds (data or a credential) is lost"
    if change.protected:
        text += "; it is protected, so `pulumi up` refuses until the protection is lifted"
    return text


def finding_message(finding: Finding) -> str:
    return f"{finding.message} (accepted: {finding.reason})" if finding.reason else finding.message


def finding_text(finding: Finding) -> str:
    where = f" on {finding.name}" if finding.urn else ""
    return f"{finding.rule}{where} ({finding.severity}, {finding.enforcement}): {finding_message(finding)}"


def _findings(diff: StackDiff) -> list[tuple[str, Finding]]:
    return [
        *(("appears", f) for f in diff.appeared),
        *(("clears", f) for f in diff.cleared),
        *(("accepted", f) for f in diff.accepted),
    ]


def base_label(report: ChangeReport) -> str:
    if "file" in report.base:
        return f"the plan file {report.base['file']}"
    return f"{report.base.get('ref')} ({report.base.get('commit', '')[:12]})"


# --- the table ----------------------------------------------------------------------------------


def _columns(rows: list[tuple[str, ...]], indent: str) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))] if rows else []
    return [indent + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]


def table(report: ChangeReport) -> str:
    lines = [f"Offline plan diff against {base_label(report)}"]
    for diff in report.stacks:
        lines += ["", summary(diff)]
        if diff.changes:
            lines.append("  resources:")
            lines += _columns([(c.action, c.name, c.type, what(c)) for c in diff.changes], "    ")
        if diff.bill.lines:
            lines.append(f"  monthly bill: {bill_text(diff)}")
            rows = [(b.name, b.type, amount(b.before), "→", amount(b.after), signed(b.delta))
                    for b in diff.bill.lines]  # fmt: skip
            lines += _columns(rows, "    ")
        if diff.bill.budget is not None:
            lines.append(f"  budget: {money(diff.bill.budget)}/month")
        if diff.bill.not_priced:
            lines.append(f"  not priced (left out of the totals): {', '.join(diff.bill.not_priced)}")
        if _findings(diff):
            lines.append("  policy:")
            lines += [f"    {verb} {finding_text(f)}" for verb, f in _findings(diff)]
        if diff.data_loss:
            lines.append("  data loss:")
            lines += [f"    {loss_text(c)}" for c in diff.data_loss]
        lines += [f"  note: {note}" for note in diff.notes]
    return "\n".join(lines) + "\n"


# --- the markdown -------------------------------------------------------------------------------


def _text(text: str, cell: bool = False) -> str:
    """Plain text as markdown: nothing in it becomes markup or HTML (it may come from a pull request)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return text.replace("|", "\\|") if cell else text


def _code(text: str, cell: bool = False) -> str:
    text = text.replace("`", "'").replace("\n", " ")
    return f"`{text.replace('|', chr(92) + '|') if cell else text}`"


def _rows(header: str, rows: list[str], limit: int | None) -> list[str]:
    shown = rows if limit is None else rows[:limit]
    lines = [header, "|" + "---|" * header.count("|", 1), *shown] if shown else []
    if len(shown) < len(rows):
        lines.append(f"\n… and {len(rows) - len(shown)} more, left out to fit one comment (`--json` lists all)")
    return lines


def _stack_markdown(diff: StackDiff, limit: int | None) -> list[str]:
    phase = diff.head_phase or diff.base_phase or ""
    title = f"<b>{_text(diff.stack)}</b> ({_text(phase)}): {_text(counts_text(diff))} · {_text(bill_text(diff))}"
    lines = ["<details>", f"<summary>{title}</summary>", ""]
    for note in diff.notes:
        lines += [f"> {_text(note)}", ""]
    if diff.data_loss:
        lines += ["**Data loss**", "", *(f"- {_text(loss_text(c))}" for c in diff.data_loss), ""]
    rows = [f"| {c.action} | {_code(c.name, True)} | {_code(c.type, True)} | {_text(what(c), True)} |"
            for c in diff.changes]  # fmt: skip
    if rows:
        lines += ["**Resources**", "", *_rows("| change | resource | type | why |", rows, limit), ""]
    if diff.bill.lines or diff.bill.budget is not None or diff.bill.not_priced:
        lines += [f"**Monthly bill**: {_text(bill_text(diff))}", ""]
        rows = [f"| {_code(b.name, True)} | {_code(b.type, True)} | {amount(b.before)} | {amount(b.after)} "
                f"| {signed(b.delta)} |" for b in diff.bill.lines]  # fmt: skip
        if rows:
            lines += [*_rows("| line | type | before | after | change |", rows, limit), ""]
        if diff.bill.budget is not None:
            lines += [f"Budget (nowry:monthlyBudget): {money(diff.bill.budget)}/month.", ""]
        if diff.bill.not_priced:
            lines += [f"Not priced, left out of the totals: {_text(', '.join(diff.bill.not_priced))}.", ""]
    findings = [
        f"| {verb} | {_code(f.rule, True)} | {_code(f.name, True)} | {_text(finding_message(f), True)} |"
        for verb, f in _findings(diff)
    ]
    if findings:
        lines += ["**Policy**", "", *_rows("| finding | rule | resource | message |", findings, limit), ""]
    return [*lines, "</details>", ""]


def _markdown(report: ChangeReport, limit: int | None) -> str:
    changing = [d for d in report.stacks if d.status != "unchanged"]
    failing = [d.stack for d in report.stacks if d.fails]
    verdict = f"Changes in {len(changing)} of {len(report.stacks)} stack{'s' if len(report.stacks) != 1 else ''}"
    if failing:
        verdict += f"; **{_text(', '.join(failing))}: data loss or new findings**"
    lines = [f"#### Offline plan diff against {_text(base_label(report))}", "", verdict + ".", ""]
    for diff in report.stacks:
        mark = ":x:" if diff.fails else ":white_check_mark:"
        lines.append(f"- {mark} {_text(summary(diff))}")
    lines.append("")
    for diff in changing:
        lines += _stack_markdown(diff, limit)
    return "\n".join(lines)


def markdown(report: ChangeReport, limit: int = COMMENT_LIMIT) -> str:
    """The report as one comment of at most ``limit`` characters."""
    for rows in ROW_LIMITS:
        text = _markdown(report, rows)
        if len(text) <= limit:
            return text
    note = "\n\n… cut here to fit one comment: `nowry-infra diff --json` gives the whole report.\n"
    closing = "\n\n</details>"
    kept = text[: max(0, limit - len(note) - len(closing))]
    kept = kept[: kept.rfind("\n")] if "\n" in kept else kept
    if kept.count("<details>") > kept.count("</details>"):
        kept += closing
    return kept + note


def as_json(report: ChangeReport) -> str:
    return json.dumps(report.to_json(), indent=2) + "\n"


FORMATS = {"table": table, "markdown": markdown, "json": as_json}
"""``--format`` -> the function that renders the report."""
