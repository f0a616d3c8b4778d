"""The monthly estimate: $0.40 per secret and per replica, $0.05 per 10,000 API calls."""

from __future__ import annotations

import pytest

from secretsctl.cost import (
    DEFAULT_API_CALLS_PER_SECRET,
    monthly_estimate,
    plan_estimate,
    render_estimate,
)


def by_item(estimate: dict) -> dict[str, dict]:
    return {line["item"]: line for line in estimate["lines"]}


def test_secrets_replicas_and_calls_are_priced_separately():
    estimate = monthly_estimate(secrets=10, replicas=3, api_calls_per_secret=2_000)

    lines = by_item(estimate)
    assert lines["secrets"] == {
        "item": "secrets",
        "quantity": 10,
        "unitUsd": 0.4,
        "monthlyUsd": 4.0,
    }
    assert lines["replicas"]["monthlyUsd"] == 1.2
    assert lines["API calls"]["quantity"] == 20_000
    assert lines["API calls"]["monthlyUsd"] == 0.1
    assert estimate["monthlyUsd"] == 5.3
    assert estimate["currency"] == "USD"


def test_default_assumes_ten_thousand_calls_per_secret():
    estimate = monthly_estimate(secrets=4, replicas=0)

    assert DEFAULT_API_CALLS_PER_SECRET == 10_000
    assert by_item(estimate)["API calls"]["monthlyUsd"] == 0.2
    assert estimate["monthlyUsd"] == 1.8
    assert "10,000 API calls per secret per month" in estimate["assumption"]


def test_a_thousand_secrets():
    estimate = monthly_estimate(secrets=1_000, replicas=0, api_calls_per_secret=10_000)

    assert estimate["monthlyUsd"] == 450.0


def test_api_calls_are_prorated_and_rounded_to_the_cent():
    estimate = monthly_estimate(secrets=1, replicas=0, api_calls_per_secret=1_500)

    assert by_item(estimate)["API calls"]["monthlyUsd"] == 0.01  # $0.0075, rounded half up
    assert estimate["monthlyUsd"] == 0.41


def test_rejects_negative_counts():
    with pytest.raises(ValueError, match="cannot be negative"):
        monthly_estimate(secrets=-1, replicas=0)


def test_plan_estimate_counts_secrets_and_their_replicas():
    resources = [
        {"type": "aws:secretsmanager/secret:Secret", "inputs": {"replicas": [{"region": "a"}]}},
        {"type": "aws:secretsmanager/secret:Secret", "inputs": {}},
        {"type": "aws:secretsmanager/secretVersion:SecretVersion", "inputs": {}},
        {"type": "aws:kms/key:Key", "inputs": {}},
    ]

    estimate = plan_estimate(resources, api_calls_per_secret=0)

    assert by_item(estimate)["secrets"]["quantity"] == 2
    assert by_item(estimate)["replicas"]["quantity"] == 1
    assert estimate["monthlyUsd"] == 1.2


def test_rendered_estimate_shows_the_total_and_the_assumption():
    text = "\n".join(render_estimate(monthly_estimate(secrets=4, replicas=1)))

    assert "Monthly estimate: $2.20" in text
    assert "x $0.05 per 10,000" in text
    assert "Assumes 10,000 API calls per secret per month" in text
    assert "Not included: KMS keys" in text
