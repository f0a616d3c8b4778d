"""Account and the ARNs built from it: partition, region and account id in their places."""

from __future__ import annotations

from design.arns import Account, log_group_arn, secrets_manager_service

ACCOUNT = Account(partition="aws", region="eu-west-1", account_id="123456789012")
GOV_CLOUD = Account(partition="aws-us-gov", region="us-gov-west-1", account_id="210987654321")


def test_regional_arns_carry_partition_region_and_account():
    assert ACCOUNT.arn("secretsmanager", "secret:acme/dev/x") == (
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/dev/x"
    )
    assert (
        GOV_CLOUD.arn("kms", "key/1111") == "arn:aws-us-gov:kms:us-gov-west-1:210987654321:key/1111"
    )


def test_iam_arns_are_global_and_carry_no_region():
    assert ACCOUNT.arn("iam", "role/app-secrets/acme-dev/acme-dev-api-exec") == (
        "arn:aws:iam::123456789012:role/app-secrets/acme-dev/acme-dev-api-exec"
    )


def test_aws_managed_policies_belong_to_aws_in_the_same_partition():
    assert GOV_CLOUD.aws_managed_policy("service-role/AmazonECSTaskExecutionRolePolicy") == (
        "arn:aws-us-gov:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    )


def test_root_is_the_account_principal():
    assert ACCOUNT.root == "arn:aws:iam::123456789012:root"
    assert GOV_CLOUD.root == "arn:aws-us-gov:iam::210987654321:root"


def test_service_principal_host_names_the_region():
    assert ACCOUNT.service_principal_host("logs") == "logs.eu-west-1.amazonaws.com"


def test_log_group_arn_covers_the_group_and_its_streams():
    assert log_group_arn(ACCOUNT, "/aws/lambda/acme-dev-rot-*") == (
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/acme-dev-rot-*:*"
    )


def test_secrets_manager_service_is_the_regional_endpoint():
    assert secrets_manager_service("eu-west-1") == "secretsmanager.eu-west-1.amazonaws.com"
