"""The permissions boundary every role of the stack's workloads carries."""

from __future__ import annotations

from collections.abc import Sequence

from design.arns import Account, log_group_arn
from design.iam import ROTATION_ACTIONS, document, kms_via_secrets_manager
from design.naming import StackNames
from design.replicas import replica_boundary_statements
from design.restarts import ServiceRestart, boundary_statements
from design.rotation import RotationNetwork, generate_passwords, rotation_in_vpc
from design.rotation_rds import external_statements

ECR_PULL_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
)


def workload_boundary(
    account: Account,
    *,
    names: StackNames,
    key_arn: str,
    ecr_repository_arns: Sequence[str] = (),
    network: RotationNetwork | None = None,
    external_master_arns: Sequence[str] = (),
    rds_arns: Sequence[str] = (),
    restart_cluster: str | None = None,
    restarts: Sequence[ServiceRestart] = (),
    replica_regions: Sequence[str] = (),
    replica_key_arn: str | None = None,
) -> dict:
    """The most any role the stack creates may ever do, whatever its own policies say.

    ci-deploy may only create roles that carry this boundary, so it cannot mint a role more
    powerful than the workloads need. Images are pulled from exactly `ecr_repository_arns` (the
    catalog's private ECR images); `ecr:GetAuthorizationToken` supports no resource, so it is
    the one ECR action on `*`, and only when there is a private repository to pull from. The
    network-interface actions appear only with a rotation `network`, scoped to its subnets.
    Read on master secrets outside the stack's path (RDS's own) and RDS's two Describe calls
    appear only for the exact ARNs the catalog names (`external_master_arns`, `rds_arns`).
    With `restarts` (in `restart_cluster`), UpdateService on exactly those ECS services, never
    with a task definition, and StartExecution on the stack's restart state machine.
    With `replica_regions`, read on the stack's path in exactly those regions, and decrypt with
    the replica key (`replica_key_arn`, in each region) through Secrets Manager there.
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
            *_image_pulls(ecr_repository_arns),
            {
                "Sid": "WriteLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [
                    log_group_arn(account, names.service_log_group_pattern),
                    log_group_arn(account, names.lambda_log_group_pattern),
                ],
            },
            *(rotation_in_vpc(account, network) if network else []),
            *external_statements(external_master_arns, rds_arns),
            *(
                boundary_statements(account, names, cluster_name=restart_cluster, restarts=restarts)
                if restart_cluster and restarts
                else []
            ),
            *(
                replica_boundary_statements(
                    account, names=names, key_arn=replica_key_arn, regions=replica_regions
                )
                if replica_key_arn
                else []
            ),
        ]
    )


def _image_pulls(repository_arns: Sequence[str]) -> list[dict]:
    if not repository_arns:
        return []
    return [
        {
            "Sid": "PullImages",
            "Effect": "Allow",
            "Action": list(ECR_PULL_ACTIONS),
            "Resource": list(repository_arns),
        },
        {
            "Sid": "EcrAuthorization",
            "Effect": "Allow",
            "Action": "ecr:GetAuthorizationToken",
            "Resource": "*",
        },
    ]
