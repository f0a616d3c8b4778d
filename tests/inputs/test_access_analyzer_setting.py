"""Stack settings: `accessAnalyzerArn`, an existing analyzer instead of the stack's own."""

from __future__ import annotations

import pytest

from inputs.exceptions import InputError
from inputs.stack_settings import parse_settings

ANALYZER = "arn:aws:access-analyzer:eu-west-1:123456789012:analyzer/organization-analyzer"


def parse(**values):
    return parse_settings({"prefix": "acme", **values}, stack="dev", file="Pulumi.dev.yaml")


def test_the_stack_creates_its_own_analyzer_by_default():
    assert parse().access_analyzer_arn is None


@pytest.mark.parametrize(
    "arn",
    [
        ANALYZER,
        "arn:aws-us-gov:access-analyzer:us-gov-west-1:123456789012:analyzer/a.b_c-1",
        "arn:aws-cn:access-analyzer:cn-north-1:123456789012:analyzer/ConsoleAnalyzer-123",
    ],
)
def test_accepts_an_analyzer_arn(arn):
    assert parse(accessAnalyzerArn=arn).access_analyzer_arn == arn


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::123456789012:role/analyzer",
        "arn:aws:access-analyzer:eu-west-1:12345678901:analyzer/short-account",
        "arn:aws:access-analyzer:*:123456789012:analyzer/any-region",
        "arn:aws:access-analyzer:eu-west-1:123456789012:analyzer/",
        "arn:aws:access-analyzer:eu-west-1:123456789012:analyzer/1starts-with-a-digit",
        "arn:aws:access-analyzer:eu-west-1:123456789012:archive-rule/x",
    ],
)
def test_rejects_what_is_not_an_analyzer_arn(arn):
    with pytest.raises(InputError) as caught:
        parse(accessAnalyzerArn=arn)

    assert caught.value.problems == [
        "Pulumi.dev.yaml: app-secrets:accessAnalyzerArn: must be the ARN of an IAM Access "
        "Analyzer analyzer, arn:aws:access-analyzer:REGION:ACCOUNT:analyzer/NAME, "
        f"got {arn!r}"
    ]
