"""Exceptions raised at the edge, before any resource is declared."""

from __future__ import annotations


class InputError(Exception):
    """The catalog or the stack config is invalid; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
