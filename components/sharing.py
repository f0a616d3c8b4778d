"""The own resource policies of the secrets a stack shares with other accounts."""

from __future__ import annotations

import pulumi

from components.account import AwsAccount
from design.iam import compact
from design.sharing import shared_secret_resource_policy
from design.stack_inputs import StackInputs


def shared_resource_policies(
    inputs: StackInputs, *, account: AwsAccount
) -> dict[str, pulumi.Output[str]]:
    """Catalog name -> its own resource policy, for each secret shared with another account in
    this environment (design/sharing.py); every other secret keeps the stack's one. Building it
    raises SharingError if a principal turns out to be of the provider's account: the
    same-account check `accountId` could not make before deploying."""
    environment = inputs.settings.environment

    def policy(principals: tuple[str, ...]) -> pulumi.Output[str]:
        return account.resolved().apply(
            lambda resolved: compact(shared_secret_resource_policy(resolved, principals))
        )

    return {
        name: policy(spec.shared_with_in(environment))
        for name, spec in inputs.secrets.items()
        if spec.shared_with_in(environment)
    }
