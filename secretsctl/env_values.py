"""The values `secretsctl env` writes: each service's variables, read as ECS would resolve them."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from inputs.catalog import ServiceSpec, split_reference
from secretsctl.errors import EXIT_FAILED, CommandError
from secretsctl.operations import aws_errors, quiet_botocore

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from design.naming import StackNames

AWSCURRENT = "AWSCURRENT"
_NOT_A_NAME_CHARACTER = re.compile(r"[^A-Z0-9_]")
GO_SHORTEST_EXPONENT_LIMIT = 6
"""Go's %v writes a float in %e form from this decimal exponent on (strconv, shortest 'g')."""


@dataclass(frozen=True)
class Reference:
    """Where a variable's value comes from: a whole secret, or one JSON key of it."""

    secret: str
    json_key: str | None = None

    def __str__(self) -> str:
        return f"{self.secret}:{self.json_key}" if self.json_key else self.secret


@dataclass(frozen=True)
class Variable:
    name: str
    reference: Reference
    services: tuple[str, ...]
    """The services that receive it, in catalog order."""


def runtime_variable(secret: str) -> str:
    """The variable a runtime_read secret gets: `openai-api-key` -> `OPENAI_API_KEY`.

    Upper-cased, every character other than a letter, digit or `_` becomes `_`; a name that
    then starts with a digit gets a leading `_`, since a variable cannot start with one.
    """
    name = _NOT_A_NAME_CHARACTER.sub("_", secret.upper())
    return f"_{name}" if name[:1].isdigit() else name


def service_references(service: str, spec: ServiceSpec) -> tuple[dict[str, Reference], list[str]]:
    """A service's variables (its env entries, then its runtime_read secrets) and the problems.

    A runtime_read secret that an env entry already gives whole needs no variable of its own.
    """
    references = {
        variable: Reference(*split_reference(reference)) for variable, reference in spec.env.items()
    }
    given = {reference.secret for reference in references.values() if reference.json_key is None}
    derived: dict[str, str] = {}
    problems = []
    for secret in dict.fromkeys(spec.runtime_read):
        if secret in given:
            continue
        variable = runtime_variable(secret)
        if variable in derived:
            problems.append(
                f"services.{service}: runtime_read {derived[variable]} and {secret} would both "
                f"be {variable}; rename one of them"
            )
        elif variable in references:
            problems.append(
                f"services.{service}: runtime_read {secret} would be {variable}, which env sets "
                f"from {references[variable]}; rename the env variable or the secret"
            )
        else:
            derived[variable] = secret
            references[variable] = Reference(secret)
    return references, problems


def environment_variables(services: Mapping[str, ServiceSpec]) -> list[Variable]:
    """The union of the services' variables, by name; CommandError (exit 2) on any collision."""
    chosen: dict[str, tuple[Reference, list[str]]] = {}
    problems: list[str] = []
    for service, spec in services.items():
        references, service_problems = service_references(service, spec)
        problems += service_problems
        for variable, reference in references.items():
            first = chosen.setdefault(variable, (reference, []))
            if first[0] == reference:
                first[1].append(service)
            else:
                problems.append(
                    f"{variable}: service {first[1][0]} sets it from {first[0]}, service "
                    f"{service} from {reference}; write one service's file with --service"
                )
    if problems:
        raise CommandError.bad_input(problems)
    return [
        Variable(name=name, reference=reference, services=tuple(services_of))
        for name, (reference, services_of) in sorted(chosen.items())
    ]


def read_values(
    client: BaseClient, variables: Sequence[Variable], *, names: StackNames
) -> dict[str, str]:
    """Every variable's value from AWSCURRENT, one GetSecretValue per secret, all before any
    is used; CommandError (exit 1) naming the secret at the first that cannot be read."""
    documents = {
        secret: _secret_string(client, names.secret_full_name(secret))
        for secret in dict.fromkeys(variable.reference.secret for variable in variables)
    }
    return {
        variable.name: ecs_value(
            documents[variable.reference.secret],
            json_key=variable.reference.json_key,
            secret_name=names.secret_full_name(variable.reference.secret),
        )
        for variable in variables
    }


def _secret_string(client: BaseClient, secret_name: str) -> str:
    with aws_errors(secret_name), quiet_botocore():
        response = client.get_secret_value(SecretId=secret_name, VersionStage=AWSCURRENT)
    if "SecretString" not in response:
        raise CommandError(
            f"{secret_name}: has a binary value (SecretBinary), which ECS cannot inject as a "
            "variable; nothing was written",
            status=EXIT_FAILED,
        )
    return response["SecretString"]


# --- ECS's rendering of `valueFrom: ARN:json-key::` --------------------------------------


class _Number(str):
    """A JSON number's text, kept apart from strings while parsing."""


def ecs_value(secret_string: str, *, json_key: str | None, secret_name: str) -> str:
    """What ECS's container agent injects: the SecretString, or for a JSON key Go's
    `fmt.Sprintf("%v", value)` of the key's value after `json.Unmarshal` (a string as it is,
    `true`/`false`, a number as a float64: `5432`, `1.5`, `1e+06`). Null, objects and arrays
    come out as Go's `<nil>`, `map[...]` and `[...]`: refused. Never puts a value in a message.
    """
    if json_key is None:
        return secret_string
    where = f"{secret_name}: JSON key {json_key}"
    document = _json_object(secret_string, secret_name=secret_name)
    if json_key not in document:
        raise CommandError(
            f"{where}: not in AWSCURRENT, so ECS would fail to start the task; nothing was written",
            status=EXIT_FAILED,
        )
    value = document[json_key]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _Number):
        try:
            return go_number(value)
        except ValueError:
            pass  # out of float64's range: Go's decoder refuses it, and so ECS
        raise CommandError(
            f"{where}: a number beyond float64's range, which ECS cannot decode; "
            "nothing was written",
            status=EXIT_FAILED,
        )
    if isinstance(value, str):
        return value
    kind = "null" if value is None else "an object" if isinstance(value, dict) else "an array"
    raise CommandError(
        f"{where}: is {kind}, which ECS injects as Go's rendering of it, not as JSON; "
        "nothing was written",
        status=EXIT_FAILED,
    )


def _json_object(secret_string: str, *, secret_name: str) -> dict[str, Any]:
    problem = f"{secret_name}: AWSCURRENT is not a JSON object, so ECS cannot take a key of it"
    try:
        document = json.loads(
            secret_string, parse_int=_Number, parse_float=_Number, parse_constant=_no_constant
        )
    except ValueError:
        document = None  # the error's text may quote the value: raised below, without it
    if not isinstance(document, dict):
        raise CommandError(f"{problem}; nothing was written", status=EXIT_FAILED)
    return document


def _no_constant(name: str) -> None:
    raise ValueError("NaN and Infinity are not JSON")  # Go's decoder refuses them too


def go_number(text: str) -> str:
    """A JSON number as Go's %v writes the float64 it decodes to (shortest 'g' form);
    ValueError beyond float64's range."""
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("beyond float64's range")
    if number == 0:
        return "-0" if math.copysign(1, number) < 0 else "0"
    # repr is the shortest text that reads back as the same float64, as Go's shortest digits
    _sign, digit_tuple, exponent = Decimal(repr(abs(number))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    point = len(digits) + int(exponent)  # digits before the decimal point
    minus = "-" if number < 0 else ""
    if point - 1 < -4 or point - 1 >= GO_SHORTEST_EXPONENT_LIMIT:
        mantissa = digits[0] + (f".{digits[1:]}" if len(digits) > 1 else "")
        return f"{minus}{mantissa}e{'-' if point - 1 < 0 else '+'}{abs(point - 1):02d}"
    if point <= 0:
        return f"{minus}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{minus}{digits}{'0' * (point - len(digits))}"
    return f"{minus}{digits[:point]}.{digits[point:]}"
