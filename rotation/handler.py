"""The Lambda entry point: settings and client built once, then one rotation step per event."""

from __future__ import annotations

import sys
import types
from pathlib import Path


def _register_flat_package() -> None:
    """Make `rotation.<module>` importable when the package is deployed flat.

    The function can be packaged two ways, and every module imports its siblings the same way,
    absolutely, as `rotation.<module>`:

    - as a package: the archive holds `rotation/*.py`; handler `rotation.handler.lambda_handler`;
    - flat: the archive root holds the contents of `rotation/` (`handler.py`, `steps.py`, ...);
      handler `handler.lambda_handler`.

    Flat, this module is imported as the top-level `handler` and no `rotation` package exists,
    so this registers the folder that holds this file as that package before the first sibling
    import. As a package it does nothing. Relative imports would fail flat, and this keeps the
    choice of layout in one place instead of a try/except in every module.
    """
    if __package__:
        return
    package = types.ModuleType("rotation", "The rotation Lambda, deployed flat.")
    package.__path__ = [str(Path(__file__).resolve().parent)]
    sys.modules.setdefault("rotation", package)


_register_flat_package()

# The imports below need the package registered above.
import functools  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
from collections.abc import Callable, Mapping  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

import boto3  # noqa: E402

from rotation.postgres_alternating_users import PostgresAlternatingUsersStrategy  # noqa: E402
from rotation.postgres_single_user import PostgresSingleUserStrategy  # noqa: E402
from rotation.settings import PasswordPolicy, Settings, Strategy, load_settings  # noqa: E402
from rotation.steps import run_step  # noqa: E402
from rotation.token_secret import TokenStrategy  # noqa: E402

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from rotation.strategy import RotationStrategy

STRATEGIES: dict[Strategy, Callable[[PasswordPolicy], RotationStrategy]] = {
    Strategy.TOKEN: TokenStrategy,
    Strategy.POSTGRES_SINGLE_USER: PostgresSingleUserStrategy,
    Strategy.POSTGRES_ALTERNATING_USERS: PostgresAlternatingUsersStrategy,
}


@dataclass(frozen=True)
class Runtime:
    """What every invocation of one Lambda function shares."""

    settings: Settings
    client: BaseClient
    strategy: RotationStrategy


def build_runtime(environ: Mapping[str, str]) -> Runtime:
    """Validate the environment, then build the Secrets Manager client and the strategy."""
    settings = load_settings(environ)
    client = boto3.client("secretsmanager", endpoint_url=settings.secrets_manager_endpoint)
    strategy = STRATEGIES[settings.strategy](settings.password_policy)
    return Runtime(settings=settings, client=client, strategy=strategy)


def lambda_handler(event: Mapping[str, Any], context: object) -> None:
    """Run the rotation step that a Secrets Manager event names.

    The event holds SecretId, ClientRequestToken and Step (createSecret, setSecret, testSecret
    or finishSecret). The environment variables are described in `rotation.settings`.
    """
    runtime = _runtime()
    run_step(client=runtime.client, strategy=runtime.strategy, event=event)


@functools.cache
def _runtime() -> Runtime:
    # Built on the first invocation and kept for the warm ones. An invalid environment raises
    # again on every invocation, because functools.cache does not keep exceptions.
    _configure_logging()
    return build_runtime(os.environ)


def _configure_logging() -> None:
    # Lambda leaves the root logger at WARNING unless the function sets a log level
    # (AWS_LAMBDA_LOG_LEVEL); without one, the steps' INFO lines are wanted.
    package_logger = logging.getLogger("rotation")
    if "AWS_LAMBDA_LOG_LEVEL" not in os.environ and package_logger.level == logging.NOTSET:
        package_logger.setLevel(logging.INFO)
    # botocore logs each request's parameters, SecretString included, at DEBUG: keep it quieter
    # even when the function's log level is DEBUG.
    logging.getLogger("botocore").setLevel(logging.INFO)
