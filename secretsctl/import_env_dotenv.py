"""The .env file of `secretsctl import-env`: KEY=VALUE lines, never quoted back in a message."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from inputs.exceptions import InputError

_ASSIGNMENT = re.compile(r"^(?:export\s+)?(?P<name>[^=\s]*)\s*=\s*(?P<rest>.*)$", re.DOTALL)
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
BOM = "\ufeff"
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass(frozen=True)
class EnvVariable:
    name: str
    value: str
    """Never printed, logged or put into an exception."""
    line: int


def parse_env_file(path: Path) -> list[EnvVariable]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError([f"{path}: file not found"]) from exc
    except UnicodeDecodeError as exc:
        raise InputError([f"{path}: not UTF-8 text (byte {exc.start})"]) from exc
    except OSError as exc:
        raise InputError([f"{path}: cannot read: {exc.strerror}"]) from exc
    return parse_env(text, file=path.name)


def parse_env(text: str, *, file: str) -> list[EnvVariable]:
    """KEY=VALUE per line; raises InputError naming `file:line` for each malformed one.

    Accepted: blank lines, `# comments`, an `export ` prefix, unquoted values (a ` #` starts
    a comment), 'single-quoted' (literal) and "double-quoted" values (\\n, \\t, \\", \\\\
    escapes). A UTF-8 byte order mark (Notepad writes one) is dropped. Messages never quote
    the line: it may hold a value.
    """
    text = text.removeprefix(BOM)
    variables: list[EnvVariable] = []
    first_line: dict[str, int] = {}
    problems = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{file}:{number}"
        try:
            name, value = _assignment(line)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if name in first_line:
            problems.append(f"{where}: {name} is set again (first on line {first_line[name]})")
            continue
        first_line[name] = number
        variables.append(EnvVariable(name=name, value=value, line=number))
    if problems:
        raise InputError(problems)
    return variables


def _assignment(line: str) -> tuple[str, str]:
    """The name and value of one `KEY=VALUE` line; ValueError says what is wrong, not the value."""
    match = _ASSIGNMENT.match(line)
    if match is None:
        raise ValueError("not KEY=VALUE; allowed: KEY=VALUE, export KEY=VALUE, # ...")
    name = match["name"]
    if not _VARIABLE.fullmatch(name):
        raise ValueError("bad variable name: letters, digits and _, not starting with a digit")
    try:
        return name, _value(match["rest"])
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from exc


def _value(rest: str) -> str:
    if rest[:1] in ("'", '"'):
        quote = rest[0]
        value, end = _quoted(rest, quote)
        trailing = rest[end:].strip()
        if trailing and not trailing.startswith("#"):
            raise ValueError(f"text after the closing {quote}; only a # comment may follow")
        return value
    return re.split(r"\s+#", rest, maxsplit=1)[0].strip()


def _quoted(rest: str, quote: str) -> tuple[str, int]:
    """The value between the quotes and the index after the closing one."""
    out, index = [], 1
    while index < len(rest):
        char = rest[index]
        if char == quote:
            return "".join(out), index + 1
        if quote == '"' and char == "\\" and index + 1 < len(rest):
            following = rest[index + 1]
            out.append(_ESCAPES.get(following, "\\" + following))
            index += 2
            continue
        out.append(char)
        index += 1
    raise ValueError(f"no closing {quote} on this line (values cannot span lines)")
