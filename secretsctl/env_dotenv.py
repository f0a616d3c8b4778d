"""The .env file `secretsctl env` writes: quoted for two readers, private, written atomically."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from secretsctl.errors import EXIT_BAD_INPUT, EXIT_FAILED, CommandError

PRIVATE_MODE = 0o600
OTHER_LINE_BREAKS = frozenset("\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
"""Characters Python's str.splitlines() breaks lines at, besides \\n and \\r: the project's
parser (import_env_dotenv.py) would split a value at them, docker compose would not."""
_DOUBLE_QUOTED_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


class UnrepresentableValue(ValueError):
    """A value no quoting reads back the same; the message says why, never the value."""


def quoted(value: str) -> str:
    """The value quoted so that secretsctl's parser and docker compose's env_file both read it
    back exactly; UnrepresentableValue when no quoting does.

    Single quotes are literal in both, unless the value holds a `'` or a line break, or ends in
    a backslash (compose would read `\\'` as an escaped quote). Otherwise double quotes, with
    `\\\\`, `\\"`, `\\n`, `\\r` escaped, which both unescape alike, as long as there is no `$`:
    compose expands `$` inside double quotes, and secretsctl's parser does not read `\\$`.
    """
    _check_characters(value)
    if not any(char in value for char in "'\n\r") and not value.endswith("\\"):
        return f"'{value}'"
    if "$" in value:
        raise UnrepresentableValue(
            "holds a $ together with a ', a line break or a trailing backslash: no quoting "
            "reads back the same in docker compose (which expands $ inside double quotes) and "
            "in secretsctl's parser"
        )
    return f'"{value.translate(_DOUBLE_QUOTED_ESCAPES)}"'


def _check_characters(value: str) -> None:
    if "\x00" in value:
        raise UnrepresentableValue("holds a NUL character, which no environment variable can")
    if any(char in OTHER_LINE_BREAKS for char in value):
        raise UnrepresentableValue(
            "holds a line break other than \\n and \\r (a vertical tab, form feed, U+2028, "
            "...), which the two readers split differently"
        )
    if any("\ud800" <= char <= "\udfff" for char in value):
        # Tested, not caught: a UnicodeEncodeError would carry the whole value in its args.
        raise UnrepresentableValue("is not valid Unicode text (a lone surrogate)")


def render(values: Mapping[str, str], *, header: str) -> str:
    """`# header`, then `NAME=quoted value` per variable in the order given; a value that cannot
    be written raises CommandError (exit 1) naming its variable."""
    lines = [f"# {header}"]
    for name, value in values.items():
        try:
            lines.append(f"{name}={quoted(value)}")
        except UnrepresentableValue as exc:
            raise CommandError(
                f"{name}: its value {exc}; nothing was written", status=EXIT_FAILED
            ) from None
    return "\n".join(lines) + "\n"


def check_output(path: Path, *, force: bool) -> None:
    """Before anything is read: a file that can be created here; CommandError (exit 2) if not."""
    directory = path.parent
    if path.is_dir():
        raise CommandError(f"{path}: is a directory; give a file name", status=EXIT_BAD_INPUT)
    if not directory.is_dir():
        raise CommandError(f"{path}: directory {directory} does not exist", status=EXIT_BAD_INPUT)
    if not os.access(directory, os.W_OK | os.X_OK):
        raise CommandError(f"{path}: cannot write in {directory}", status=EXIT_BAD_INPUT)
    if os.path.lexists(path) and not force:
        raise CommandError(
            f"{path}: already exists; pass --force to replace it", status=EXIT_BAD_INPUT
        )


def write_private(path: Path, text: str, *, force: bool) -> None:
    """The file holds `text` with mode 0600, or is left as it was.

    The text goes to a new temporary file beside it (created 0600, O_EXCL), then takes the
    file's name in one step: os.replace with --force; without, a hard link, which fails if
    the name was taken meanwhile, so that nothing is ever overwritten by accident.
    """
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as file:
            os.fchmod(file.fileno(), PRIVATE_MODE)  # mkstemp's 0600, whatever the platform
            file.write(text.encode("utf-8"))
            file.flush()
            os.fsync(file.fileno())
        _take_name(Path(temporary), path, force=force)
    except OSError as exc:
        raise CommandError(
            f"{path}: cannot write: {exc.strerror}; nothing was written", status=EXIT_FAILED
        ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _take_name(temporary: Path, path: Path, *, force: bool) -> None:
    if force:
        os.replace(temporary, path)
        return
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise CommandError(
            f"{path}: already exists; pass --force to replace it", status=EXIT_BAD_INPUT
        ) from None
    except OSError:
        # A file system without hard links: the check of check_output, then a rename.
        if os.path.lexists(path):
            raise CommandError(
                f"{path}: already exists; pass --force to replace it", status=EXIT_BAD_INPUT
            ) from None
        os.replace(temporary, path)
