"""How aws_model decides what a role's trust policy or a function's policy lets a caller do.

A trust policy is the role's resource-based policy. IAM writes it without `Resource`, the role
being implied; the evaluator wants every resource policy statement to name its resource, so
`assume` adds the role's ARN to each statement. A Lambda permission (AddPermission) is stored
by Lambda as one statement of the function's policy, in the shape its documentation shows:
`lambda_permission_policy` writes it, and `invoke` decides a call against it.
"""

from __future__ import annotations

from aws_model.iam_eval import Decision, Request, evaluate

ROLE_ARN = "arn:aws:iam::123456789012:role/app-secrets/acme-dev/acme-dev-api-task"
ACCOUNT_ID = "123456789012"
OTHER_ACCOUNT_ID = "999988887777"


def source(account_id: str | None, arn: str | None) -> dict[str, str | None]:
    """The context a service sends on someone's behalf: `aws:SourceAccount`, `aws:SourceArn`."""
    return {"aws:SourceAccount": account_id, "aws:SourceArn": arn}


def assume(trust: dict, principal: str, *, role_arn: str = ROLE_ARN, **context) -> Decision:
    """sts:AssumeRole of `role_arn` by `principal`, with `context` (None values are missing)."""
    policy = {
        **trust,
        "Statement": [{**statement, "Resource": role_arn} for statement in trust["Statement"]],
    }
    request = Request(
        principal_arn=principal, action="sts:AssumeRole", resource_arn=role_arn, context=context
    )
    return evaluate(request, identity_policies=[], resource_policy=policy)


def lambda_permission_policy(
    function_arn: str, *, principal: str, source_account: str, source_arn: str
) -> dict:
    """The function policy Lambda writes for AddPermission with SourceAccount and SourceArn."""
    statement = {
        "Sid": "permission",
        "Effect": "Allow",
        "Principal": {"Service": principal},
        "Action": "lambda:InvokeFunction",
        "Resource": function_arn,
        "Condition": {
            "StringEquals": {"AWS:SourceAccount": source_account},
            "ArnLike": {"AWS:SourceArn": source_arn},
        },
    }
    return {"Version": "2012-10-17", "Statement": [statement]}


def invoke(policy: dict, principal: str, *, function_arn: str, **context) -> Decision:
    """lambda:InvokeFunction by a service, decided by the function's policy alone."""
    request = Request(
        principal_arn=principal,
        action="lambda:InvokeFunction",
        resource_arn=function_arn,
        context=context,
    )
    return evaluate(request, identity_policies=[], resource_policy=policy)
