"""Sharing a secret with another account: its resource policy and the stack key's grant."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from design.arns import Account, secrets_manager_service
from design.exceptions import SharingError
from design.iam import deny_outside_account, document, secret_resource_policy
from design.key_policy import key_policy
from inputs.sharing_checks import principal_account

if TYPE_CHECKING:
    from design.stack_inputs import StackInputs

SHARED_READ = ("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue")
"""What a principal of another account may do to a secret shared with it."""
SECRET_ARN_CONTEXT = "kms:EncryptionContext:SecretARN"
"""Secrets Manager encrypts each version's data key under the context `SecretARN` = the secret's
ARN (AWS: Secrets Manager user guide, "Secret encryption and decryption")."""


def shared_secret_arn_pattern(account: Account, full_name: str) -> str:
    """The secret's ARN before it exists: the name, then the 6 characters Secrets Manager adds.

    `??????` matches exactly six characters, so no other secret name matches (a name that
    merely starts with this one is longer), and the key policy needs no ARN the key must
    exist before (the secret is encrypted with the key, so its ARN cannot be in the key's policy).
    """
    return account.arn("secretsmanager", f"secret:{full_name}-??????")


def shared_secret_resource_policy(account: Account, principals: Sequence[str]) -> dict:
    """The stack's policy, with `principals` (of other accounts) allowed to read the secret.

    DenyOutsideAccount exempts exactly the shared role ARNs (`aws:PrincipalArn`), and the
    accounts shared as a whole (`arn:...:root`, by `aws:PrincipalAccount`): anyone else of
    those accounts is still denied. With no principals it is the stack's policy unchanged.
    """
    if not principals:
        return secret_resource_policy(account)
    _check_other_accounts(account, principals)
    roles = sorted(arn for arn in principals if not arn.endswith(":root"))
    accounts = sorted({principal_account(arn) for arn in principals if arn.endswith(":root")})
    outside: dict[str, str | list[str]] = {
        "aws:PrincipalAccount": [account.account_id, *accounts] if accounts else account.account_id
    }
    if roles:
        outside["aws:PrincipalArn"] = roles
    return document(
        [
            deny_outside_account(outside),
            {
                "Sid": "SharedRead",
                "Effect": "Allow",
                "Principal": {"AWS": sorted(principals)},
                "Action": list(SHARED_READ),
                "Resource": "*",
            },
        ]
    )


def shared_decrypt_statements(account: Account, shares: Mapping[str, Sequence[str]]) -> list[dict]:
    """One key-policy statement per shared secret (full name -> principals): kms:Decrypt, only
    through Secrets Manager, only for that secret's values (its `SecretARN` context)."""
    statements = []
    for index, full_name in enumerate(sorted(shares)):
        principals = sorted(shares[full_name])
        if not principals:
            continue
        _check_other_accounts(account, principals)
        statements.append(
            {
                "Sid": f"SharedSecret{index}DecryptThroughSecretsManager",
                "Effect": "Allow",
                "Principal": {"AWS": principals},
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"kms:ViaService": secrets_manager_service(account.region)},
                    "StringLike": {
                        SECRET_ARN_CONTEXT: shared_secret_arn_pattern(account, full_name)
                    },
                },
            }
        )
    return statements


def shared_key_policy(account: Account, shares: Mapping[str, Sequence[str]]) -> dict:
    """The stack key's policy and the shared secrets' grants; without shares, key_policy's."""
    policy = key_policy(account)
    policy["Statement"] += shared_decrypt_statements(account, shares)
    return policy


def _check_other_accounts(account: Account, principals: Sequence[str]) -> None:
    """The deploy-time half of the same-account check: the provider's account is known here."""
    own = [arn for arn in principals if principal_account(arn) == account.account_id]
    if own:
        raise SharingError(
            [
                f"share_with: {arn!r} is in the stack's own account {account.account_id}: "
                "grant its principals through services: (env or runtime_read) instead"
                for arn in own
            ]
        )


def shared_secrets(inputs: StackInputs) -> dict[str, tuple[str, ...]]:
    """Full secret name -> the principals of other accounts it is shared with, in this stack."""
    environment = inputs.settings.environment
    return {
        inputs.names.secret_full_name(name): spec.shared_with_in(environment)
        for name, spec in inputs.secrets.items()
        if spec.shared_with_in(environment)
    }
