"""`secretsctl env`: a service's values in a private .env file, for running it locally."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from inputs.catalog import ServiceSpec
from secretsctl.env_dotenv import check_output, render, write_private
from secretsctl.env_values import Variable, environment_variables, read_values
from secretsctl.errors import EXIT_BAD_INPUT, EXIT_OK, CommandError
from secretsctl.operations import add_operation, load_stack, secretsmanager_client
from secretsctl.stack_target import StackTarget

COMMAND = "env"
STANDARD_OUTPUT = "-"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = add_operation(
        subparsers,
        COMMAND,
        write_env,
        help="write a service's values (AWSCURRENT) to a private .env file, for local runs",
        description="The reverse of import-env. Reads, with GetSecretValue on AWSCURRENT, "
        "the values a service receives: each env entry (a whole secret, or one JSON key "
        "rendered as ECS does) and each runtime_read secret (as the secret's name upper-cased, "
        "other characters than letters and digits as _, unless an env entry gives it whole); "
        "without --service, those of every service of the environment. Then writes them, "
        "quoted for secretsctl's parser and docker compose's env_file, to a new file of mode "
        "0600 in one step, or to standard output when piped. Prints the variable names, never "
        "a value. Refuses the prod environment without --allow-environment prod. Exit status: "
        "0 written, 1 AWS failed or a value cannot be written, 2 bad input (nothing read).",
    )
    parser.add_argument("--service", help="one service (default: every service of the stack)")
    parser.add_argument(
        "--output",
        required=True,
        metavar="FILE",
        help="the file to write, e.g. .env; - for standard output (refused on a terminal)",
    )
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
    parser.add_argument(
        "--allow-environment",
        metavar="ENV",
        help="write the values of this production environment all the same (e.g. prod)",
    )


def write_env(args: argparse.Namespace) -> int:
    """Every check that needs no AWS first; then every value is read; then the file written."""
    target = load_stack(args)
    _refuse_production(target, allowed=args.allow_environment)
    output = None if args.output == STANDARD_OUTPUT else Path(args.output)
    if output is None and sys.stdout.isatty():
        raise CommandError(
            "--output -: standard output is a terminal, and values are never shown; pipe it "
            "or give --output FILE",
            status=EXIT_BAD_INPUT,
        )
    if output is not None:
        check_output(output, force=args.force)
    services = _services(target, args.service)
    variables = environment_variables(services)
    values = read_values(secretsmanager_client(target), variables, names=target.inputs.names)
    text = render(values, header=_header(target, services))
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_private(output, text, force=args.force)
    _report(variables, target=target, services=services, output=args.output)
    return EXIT_OK


def _refuse_production(target: StackTarget, *, allowed: str | None) -> None:
    """Production values stay in AWS unless the operator names the environment."""
    settings = target.inputs.settings
    if settings.is_production and allowed != settings.environment:
        raise CommandError(
            f"environment {settings.environment}: refusing to write production values to a "
            f"file; nothing was read (pass --allow-environment {settings.environment} if you "
            "must)",
            status=EXIT_BAD_INPUT,
        )


def _services(target: StackTarget, service: str | None) -> dict[str, ServiceSpec]:
    services = target.inputs.services
    if service is None:
        return services
    if service not in services:
        raise CommandError(
            f"{service}: not a service of stack {target.stack} (environment "
            f"{target.inputs.settings.environment}); its services: "
            f"{', '.join(services) or 'none'}",
            status=EXIT_BAD_INPUT,
        )
    return {service: services[service]}


def _header(target: StackTarget, services: dict[str, ServiceSpec]) -> str:
    return (
        f"secretsctl env --stack {target.stack}: {_of(services)}, AWSCURRENT of "
        f"{target.inputs.names.secret_path}*. Secret values: keep this file out of git."
    )


def _of(services: dict[str, ServiceSpec]) -> str:
    if not services:
        return "no service"
    return f"{'service' if len(services) == 1 else 'services'} {', '.join(services)}"


def _report(
    variables: list[Variable], *, target: StackTarget, services: dict[str, ServiceSpec], output: str
) -> None:
    """The names written and where each comes from; on stderr when the values went to stdout."""
    stream = sys.stderr if output == STANDARD_OUTPUT else sys.stdout
    where = "standard output" if output == STANDARD_OUTPUT else f"{output} (mode 0600)"
    count = f"{len(variables)} variable{'' if len(variables) == 1 else 's'}"
    print(f"{where}: {count} of {_of(services)}, stack {target.stack}:", file=stream)
    width = max((len(variable.name) for variable in variables), default=0)
    for variable in variables:
        receivers = f" ({', '.join(variable.services)})" if len(services) > 1 else ""
        print(f"  {variable.name:<{width}}  <- {variable.reference}{receivers}", file=stream)
