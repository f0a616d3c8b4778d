"""The permissions boundary every role of the stack's workloads carries."""

from __future__ import annotations

from design.arns import Account, log_group_arn
from design.iam import ROTATION_ACTIONS, document, kms_via_secrets_manager
from design.naming import StackNames
from design.rotation import generate_passwords, rotation_in_vpc


def workload_boundary(account: Account, *, names: StackNames, key_arn: str) -> dict:
    """The most any role the stack creates may ever do, whatever its own policies say.

    ci-deploy may only create roles that carry this boundary, so it cannot mint a role more
    powerful than the workloads need.
    """
    return document(
        [
            {
                "Sid": "StackSecrets",
                "Effect": "Allow",
                "Action": list(ROTATION_ACTIONS),
                "Resource": account.arn("secretsmanager", f"secret:{names.secret_path}*"),
            },
            generate_passwords(),
            kms_via_secrets_manager(
                key_arn,
                account.region,
                actions=("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"),
            ),
            {
                "Sid": "PullImages",
                "Effect": "Allow",
                "Action": [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:GetAuthorizationToken",
                    "ecr:GetDownloadUrlForLayer",
                ],
                "Resource": "*",
            },
            {
                "Sid": "WriteLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [
                    log_group_arn(account, names.service_log_group_pattern),
                    log_group_arn(account, names.lambda_log_group_pattern),
                ],
            },
            rotation_in_vpc(),
        ]
    )
