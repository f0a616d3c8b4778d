"""docs/consumers.md's Python reader, taken from the page as written, through real rotations."""

from __future__ import annotations

import json
import re
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from aws_secretsmanager_caching.cache import items

from rotation.postgres_alternating_users import PostgresAlternatingUsersStrategy
from rotation.postgres_single_user import PostgresSingleUserStrategy
from rotation.secrets_manager import AWSCURRENT
from rotation.settings import POSTGRES_EXCLUDE_CHARACTERS_DEFAULT, PasswordPolicy
from rotation.token_secret import TokenStrategy
from tests.conftest import PROJECT_DIR
from tests.rotation.postgres_server import PostgresServer
from tests.rotation.rotation_service import RotationService

CONSUMERS_DOC = PROJECT_DIR / "docs" / "consumers.md"
SECTION = "## Reading at runtime"
REFRESH_SECONDS = 300
"""The snippet's secret_refresh_interval; the library refreshes after half of it at the earliest."""
OLD_TOKEN = "old-token-value-0123456789"
POSTGRES_POLICY = PasswordPolicy(
    password_length=32,
    exclude_characters=POSTGRES_EXCLUDE_CHARACTERS_DEFAULT,
    exclude_punctuation=False,
)
TOKEN_POLICY = PasswordPolicy(password_length=32, exclude_characters="", exclude_punctuation=False)


def python_blocks() -> list[str]:
    """The ```python blocks of the section, in page order."""
    text = CONSUMERS_DOC.read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```python\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)


class Clock(datetime):
    """The library's clock (`datetime.now`), moved forward by the test."""

    offset = timedelta(0)

    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        return datetime.now(tz) + cls.offset


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> type[Clock]:
    monkeypatch.setattr(Clock, "offset", timedelta(0))
    monkeypatch.setattr(items, "datetime", Clock)
    return Clock


@pytest.fixture
def reader(monkeypatch: pytest.MonkeyPatch, moto_endpoint: str, clock) -> dict[str, Any]:
    """The page's two blocks run in one namespace, its boto3 client pointed at moto.

    refresh_secret_now's 2.5-5 s jitter is taken out so the tests do not wait for it.
    """
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", moto_endpoint)
    monkeypatch.setattr(items.SecretCacheObject, "FORCE_REFRESH_JITTER_SLEEP", 0)
    namespace: dict[str, Any] = {"__name__": "consumers_doc"}
    for block in python_blocks():
        exec(compile(block, str(CONSUMERS_DOC), "exec"), namespace)
    return namespace


def never(_error: Exception) -> bool:
    return False


def test_the_page_has_the_reader_and_the_postgres_blocks():
    reader_block, postgres_block = python_blocks()

    assert f"SecretCacheConfig(secret_refresh_interval={REFRESH_SECONDS})" in reader_block
    assert "def with_secret(secret_id, use, is_auth_failure):" in reader_block
    assert "def connect_previous(secret_id):" in postgres_block


def test_a_cached_token_is_the_old_one_until_the_refresh_interval_has_passed(
    rotation_service: RotationService, reader: dict[str, Any], clock: type[Clock]
) -> None:
    # GIVEN a token the reader has read once
    secret_arn = rotation_service.create_secret(OLD_TOKEN)
    with_secret = reader["with_secret"]
    assert with_secret(secret_arn, str, never) == OLD_TOKEN

    # WHEN it rotates
    rotation_service.rotate(TokenStrategy(TOKEN_POLICY), secret_arn)
    new_token = rotation_service.value(secret_arn, AWSCURRENT)

    # THEN the reader has the old token before the refresh interval, the new one after it
    clock.offset = timedelta(seconds=REFRESH_SECONDS // 2 - 1)
    assert with_secret(secret_arn, str, never) == OLD_TOKEN
    clock.offset = timedelta(seconds=REFRESH_SECONDS + 1)
    assert with_secret(secret_arn, str, never) == new_token != OLD_TOKEN


def test_a_refused_token_is_read_again_at_once(
    rotation_service: RotationService, reader: dict[str, Any]
) -> None:
    # GIVEN a checker that accepts AWSCURRENT only, and a reader that has the token cached
    secret_arn = rotation_service.create_secret(OLD_TOKEN)

    def present(token: str) -> str:
        if token != rotation_service.value(secret_arn, AWSCURRENT):
            raise PermissionError("token refused")
        return token

    def refused(error: Exception) -> bool:
        return isinstance(error, PermissionError)

    assert reader["with_secret"](secret_arn, present, refused) == OLD_TOKEN
    rotation_service.rotate(TokenStrategy(TOKEN_POLICY), secret_arn)
    assert reader["cache"].get_secret_string(secret_arn) == OLD_TOKEN

    # WHEN the old token is refused, THEN the reader refreshes and presents the new one
    new_token = reader["with_secret"](secret_arn, present, refused)

    assert new_token == rotation_service.value(secret_arn, AWSCURRENT) != OLD_TOKEN


def login_user(
    with_secret: Callable[..., Any], secret_arn: str, reader: dict[str, Any]
) -> tuple[str, str]:
    """Log in through the page's reader: (the user it logged in as, the password it used)."""
    connection = with_secret(secret_arn, reader["connect"], reader["is_bad_password"])
    try:
        user = connection.run("SELECT current_user")[0][0]
    finally:
        connection.close()
    return user, json.loads(reader["cache"].get_secret_string(secret_arn))["password"]


@pytest.mark.postgres
def test_a_single_user_login_refreshes_after_its_password_stopped_working(
    postgres_server: PostgresServer, rotation_service: RotationService, reader: dict[str, Any]
) -> None:
    # GIVEN a single-user login the reader has used once
    role = f"reader_{uuid.uuid4().hex[:8]}"
    password = secrets.token_urlsafe(24)
    postgres_server.create_login_role(role, password)
    old_value = postgres_server.secret_value(username=role, password=password)
    secret_arn = rotation_service.create_secret(old_value)
    assert login_user(reader["with_secret"], secret_arn, reader) == (role, password)

    # WHEN it rotates: the cached password no longer logs in, and the page says why
    rotation_service.rotate(PostgresSingleUserStrategy(POSTGRES_POLICY), secret_arn)
    with pytest.raises(Exception) as refused:
        reader["connect"](reader["cache"].get_secret_string(secret_arn))
    assert reader["is_bad_password"](refused.value)

    # THEN with_secret refreshes once and logs in with the new password
    user, used = login_user(reader["with_secret"], secret_arn, reader)
    current = json.loads(rotation_service.value(secret_arn, AWSCURRENT))["password"]
    assert (user, used) == (role, current)
    assert current != password


@pytest.mark.postgres
def test_alternating_users_keep_the_cached_login_for_one_rotation_and_fall_back_to_previous(
    postgres_server: PostgresServer, rotation_service: RotationService, reader: dict[str, Any]
) -> None:
    # GIVEN an alternating-users login the reader has used once
    master_arn = rotation_service.create_secret(
        postgres_server.secret_value(
            username=postgres_server.superuser, password=postgres_server.superuser_password
        ),
        rotation_enabled=False,
    )
    role = f"reader_{uuid.uuid4().hex[:8]}"
    password = secrets.token_urlsafe(24)
    postgres_server.create_login_role(role, password)
    secret_arn = rotation_service.create_secret(
        postgres_server.secret_value(username=role, password=password, masterarn=master_arn)
    )
    strategy = PostgresAlternatingUsersStrategy(POSTGRES_POLICY)
    with_secret = reader["with_secret"]
    assert login_user(with_secret, secret_arn, reader) == (role, password)

    # WHEN it rotates once, THEN the cached login still works: no refresh needed
    rotation_service.rotate(strategy, secret_arn)
    assert login_user(with_secret, secret_arn, reader) == (role, password)

    # WHEN it rotates again, THEN that login has stopped, and with_secret refreshes to AWSCURRENT
    rotation_service.rotate(strategy, secret_arn)
    user, used = login_user(with_secret, secret_arn, reader)
    assert user == role
    assert used == json.loads(rotation_service.value(secret_arn, AWSCURRENT))["password"]
    assert used != password

    # AND AWSPREVIOUS, the clone, logs in until the next rotation
    connection = reader["connect_previous"](secret_arn)
    try:
        assert connection.run("SELECT current_user") == [[f"{role}_clone"]]
    finally:
        connection.close()
