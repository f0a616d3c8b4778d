"""`secretsctl diff --format markdown`: a plan diff as a pull request's run summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

COLLAPSE_AFTER = 10
"""Rows a table shows open; a longer one is folded into <details>, its count in the summary."""
INPUT_NAMES_SHOWN = 6
"""Changed input names listed per resource before `+N more`."""
MARKDOWN_PUNCTUATION = set("\\`*_[]<>|#~&!")
"""Characters escaped in plain text, so a name or message cannot become markup or a link."""
UNKNOWN_DEPLOYER = "unknown (the plan does not say)"
SECRETSMANAGER = "secretsmanager:"


def render_markdown(changes: Mapping[str, Any], *, title: str) -> str:
    """A heading, a one-line summary, then findings, administrator changes, access, resources.

    Mandatory findings and administrator changes come first: they block or delay the merge.
    """
    lines = [f"### {_plain(title)}", ""]
    summary = changes["summary"]
    if not any(summary.values()):
        return "\n".join([*lines, "No changes.", ""])
    unknown = sum(entry["deployer"] is None for entry in changes["administrator"])
    lines += [summary_line(summary, unknown_deployers=unknown), ""]
    for section in (_findings, _administrator, _access, _resources):
        lines += section(changes)
    return "\n".join(lines)


def summary_line(summary: Mapping[str, int], *, unknown_deployers: int = 0) -> str:
    """N added, M changed, K removed; access +a/-b; findings +c/-d; administrator changes."""
    administrator = summary["administrator"]
    unknown = f" ({unknown_deployers} of unknown deployer)" if unknown_deployers else ""
    return (
        f"**{summary['added']} added, {summary['changed']} changed, {summary['removed']} "
        f"removed** · access +{summary['accessGained']}/-{summary['accessLost']} · findings "
        f"+{summary['findingsNew']}/-{summary['findingsFixed']} · "
        + (
            f"**{administrator} for an administrator**{unknown}"
            if administrator
            else "no administrator change"
        )
    )


def _findings(changes: Mapping[str, Any]) -> list[str]:
    rows = [
        [
            state,
            _enforcement(finding),
            _code(finding["rule"]),
            _code(_short(finding["urn"])),
            _finding_text(finding),
        ]
        for state in ("new", "fixed")
        for finding in changes["findings"][state]
    ]
    header = ["", "Enforcement", "Rule", "Resource", "Message"]
    return _section("Guardrail findings", header, rows, noun="finding changes")


def _enforcement(finding: Mapping[str, Any]) -> str:
    level = _plain(finding["enforcement"])
    return f"**{level}**" if finding["enforcement"] == "mandatory" else level


def _finding_text(finding: Mapping[str, Any]) -> str:
    fix = finding.get("fix")
    return _plain(f"{finding['message']} Fix: {fix}" if fix else finding["message"])


def _administrator(changes: Mapping[str, Any]) -> list[str]:
    rows = [
        [entry["change"], _code(entry["name"]), _code(entry["type"]), _deployer(entry["deployer"])]
        for entry in changes["administrator"]
    ]
    lines = _section(
        "Needs an administrator's `pulumi up`",
        ["Change", "Resource", "Type", "Deployer"],
        rows,
        noun="administrator changes",
    )
    if lines:
        lines[2:2] = [
            "CI deploys only resources whose deployer is `ci`: after the merge an administrator "
            "runs `pulumi up` for these (see docs/ci.md).",
            "",
        ]
    return lines


def _deployer(deployer: str | None) -> str:
    return UNKNOWN_DEPLOYER if deployer is None else _plain(deployer)


def _access(changes: Mapping[str, Any]) -> list[str]:
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for state in ("gained", "lost"):
        for grant in changes["access"][state]:
            key = (state, grant["role"], grant["secret"])
            grouped.setdefault(key, []).append(grant["action"].removeprefix(SECRETSMANAGER))
    rows = [
        [state, _code(_role_name(role)), _code(secret), ", ".join(map(_code, actions))]
        for (state, role, secret), actions in grouped.items()
    ]
    return _section("Access", ["", "Role", "Secret", "Actions"], rows, noun="access changes")


def _role_name(role_arn: str) -> str:
    """The role's name: its ARN's account and path add nothing within one stack."""
    return role_arn.rsplit("/", 1)[-1]


def _resources(changes: Mapping[str, Any]) -> list[str]:
    resources = changes["resources"]
    rows = [
        [change, _code(resource["name"]), _code(resource["type"]), _what_changed(resource)]
        for change in ("added", "changed", "removed")
        for resource in resources[change]
    ]
    header = ["", "Resource", "Type", "What changes"]
    return _section("Resources", header, rows, noun="resource changes")


def _what_changed(resource: Mapping[str, Any]) -> str:
    """Input names and option changes; for an added or removed resource, nothing more."""
    parts = []
    names = resource.get("inputs") or []
    if names:
        shown = ", ".join(_code(name) for name in names[:INPUT_NAMES_SHOWN])
        more = len(names) - INPUT_NAMES_SHOWN
        parts.append(f"inputs {shown}" + (f" +{more} more" if more > 0 else ""))
    for option, values in (resource.get("options") or {}).items():
        parts.append(
            f"{option} {_option_value(option, values['base'])} → "
            f"{_option_value(option, values['head'])}"
        )
    return "; ".join(parts)


def _option_value(option: str, value: Any) -> str:
    if option == "deployer":
        return "unknown" if value is None else _plain(str(value))
    if option == "parent":
        return "none" if value is None else _code(_short(str(value)))
    if isinstance(value, list):
        return "[" + ", ".join(_code(str(item)) for item in value) + "]"
    return _code(str(value).lower() if isinstance(value, bool) else str(value))


def _short(urn: str) -> str:
    """A URN's logical name: unique enough in one stack, and it fits a table cell."""
    return urn.rsplit("::", 1)[-1]


def _section(
    heading: str, header: Sequence[str], rows: Sequence[Sequence[str]], *, noun: str
) -> list[str]:
    """A heading and a table; folded into <details> beyond COLLAPSE_AFTER rows; none if empty."""
    if not rows:
        return []
    table = [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(row) + " |" for row in rows),
    ]
    if len(rows) > COLLAPSE_AFTER:
        table = [f"<details><summary>{len(rows)} {noun}</summary>", "", *table, "", "</details>"]
    return [f"#### {heading}", "", *table, ""]


def _code(text: str) -> str:
    """Inline code that stays one table cell: no backtick inside, pipes escaped as GFM wants."""
    return "`" + _one_line(text).replace("`", "'").replace("|", "\\|") + "`"


def _plain(text: str) -> str:
    return "".join(
        "\\" + char if char in MARKDOWN_PUNCTUATION else char for char in _one_line(text)
    )


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
