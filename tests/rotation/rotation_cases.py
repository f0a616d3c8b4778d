"""One rotated secret per strategy, and the health checks the fault tests assert after each fault."""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass

from botocore.exceptions import ClientError

from rotation.postgres_alternating_users import PostgresAlternatingUsersStrategy
from rotation.postgres_single_user import PostgresSingleUserStrategy
from rotation.secrets_manager import AWSCURRENT, AWSPENDING, AWSPREVIOUS
from rotation.settings import POSTGRES_EXCLUDE_CHARACTERS_DEFAULT, PasswordPolicy
from rotation.token_secret import TokenStrategy
from tests.rotation.postgres_server import PostgresServer
from tests.rotation.rotation_service import RotationService

TOKEN = "token"
SINGLE_USER = "postgres-single-user"
ALTERNATING_USERS = "postgres-alternating-users"
STRATEGY_NAMES = (TOKEN, SINGLE_USER, ALTERNATING_USERS)
POSTGRES_STRATEGY_NAMES = (SINGLE_USER, ALTERNATING_USERS)

TOKEN_POLICY = PasswordPolicy(password_length=32, exclude_characters="", exclude_punctuation=False)
POSTGRES_POLICY = PasswordPolicy(
    password_length=32,
    exclude_characters=POSTGRES_EXCLUDE_CHARACTERS_DEFAULT,
    exclude_punctuation=False,
)
STRATEGIES = {
    TOKEN: TokenStrategy(TOKEN_POLICY),
    SINGLE_USER: PostgresSingleUserStrategy(POSTGRES_POLICY),
    ALTERNATING_USERS: PostgresAlternatingUsersStrategy(POSTGRES_POLICY),
}


@dataclass
class RotationCase:
    """A rotation-enabled secret of one strategy, with what "still works" means for it.

    For `token`, a label works when it has a non-empty value; for PostgreSQL, when the login it
    holds is accepted by the server.
    """

    strategy_name: str
    service: RotationService
    secret_arn: str
    server: PostgresServer | None = None
    master_arn: str | None = None

    @property
    def strategy(self):
        return STRATEGIES[self.strategy_name]

    def value(self, stage: str) -> str | None:
        try:
            return self.service.value(self.secret_arn, stage)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ResourceNotFoundException":
                return None
            raise

    def login(self, stage: str) -> tuple[str, str] | None:
        value = self.value(stage)
        if value is None:
            return None
        document = json.loads(value)
        return document["username"], document["password"]

    def works(self, stage: str) -> bool:
        value = self.value(stage)
        if value is None:
            return False
        if self.server is None:
            return bool(value)
        username, password = self.login(stage)
        return self.server.can_login(username, password)

    def labelled_values(self) -> set[str]:
        return {
            value for stage in (AWSCURRENT, AWSPREVIOUS) if (value := self.value(stage)) is not None
        }

    def assert_healthy(self) -> None:
        """AWSCURRENT works, nothing is left both pending and current, and for alternating
        users AWSPREVIOUS (once there is one) still works too."""
        assert self.works(AWSCURRENT), f"{self.strategy_name}: AWSCURRENT does not work"
        if self.strategy_name == ALTERNATING_USERS and self.value(AWSPREVIOUS) is not None:
            assert self.works(AWSPREVIOUS), f"{self.strategy_name}: AWSPREVIOUS does not work"
        for stages in self.service.stages(self.secret_arn).values():
            assert not {AWSCURRENT, AWSPENDING} <= set(stages)

    def assert_no_value_lost(self) -> None:
        """Mid-rotation: the password the database holds is in a labelled version.

        AWSCURRENT works, or, for a single-user rotation between setSecret and finishSecret (the
        window in which the old password no longer works, by design), AWSPENDING does.
        """
        if self.works(AWSCURRENT):
            return
        assert self.strategy_name == SINGLE_USER, f"{self.strategy_name}: AWSCURRENT does not work"
        assert self.works(AWSPENDING), "single user: neither AWSCURRENT nor AWSPENDING works"

    def rotate_cleanly(self) -> str:
        """Cancel whatever is pending, rotate once in order and check the result: the fault left
        nothing that blocks the next rotation."""
        self.service.cancel_pending(self.secret_arn)
        token = self.service.rotate(self.strategy, self.secret_arn)
        assert self.service.stages(self.secret_arn)[token] == [AWSCURRENT]
        self.assert_healthy()
        return token

    def invoke(self, token: str, step: str) -> None:
        self.service.invoke(self.strategy, secret_arn=self.secret_arn, token=token, step=step)


def token_case(service: RotationService) -> RotationCase:
    secret_arn = service.create_secret(f"first-token-{secrets.token_urlsafe(16)}")
    return RotationCase(TOKEN, service, secret_arn)


def master_secret(server: PostgresServer, service: RotationService) -> str:
    """A secret holding the server's superuser login, not rotated."""
    return service.create_secret(
        server.secret_value(username=server.superuser, password=server.superuser_password),
        rotation_enabled=False,
    )


def postgres_case(
    strategy_name: str,
    server: PostgresServer,
    service: RotationService,
    *,
    role: str | None = None,
    password: str | None = None,
) -> RotationCase:
    """A new login role on `server` and a rotation-enabled secret of `strategy_name` for it."""
    role = role or f"fault_{uuid.uuid4().hex[:8]}"
    password = password or secrets.token_urlsafe(24)
    server.create_login_role(role, password)
    extra: dict[str, str] = {}
    master_arn = None
    if strategy_name == ALTERNATING_USERS:
        master_arn = master_secret(server, service)
        extra["masterarn"] = master_arn
    secret_arn = service.create_secret(
        server.secret_value(username=role, password=password, **extra)
    )
    return RotationCase(strategy_name, service, secret_arn, server=server, master_arn=master_arn)
