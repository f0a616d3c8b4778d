"""The monthly cost estimate of a plan: Secrets Manager's prices applied to what it declares."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

SECRET_TYPE = "aws:secretsmanager/secret:Secret"
SECRET_MONTHLY_USD = Decimal("0.40")
"""AWS Secrets Manager: per secret per month, prorated by the hour."""
REPLICA_MONTHLY_USD = Decimal("0.40")
"""A replica secret in another region is billed as a secret."""
API_CALLS_PRICE_USD = Decimal("0.05")
API_CALLS_PER_PRICE = 10_000
"""$0.05 per 10,000 API calls."""
DEFAULT_API_CALLS_PER_SECRET = 10_000
"""The assumption when nothing better is known: about one read every 4.5 minutes per secret,
e.g. a service that reads at start-up and caches for five minutes."""
NOT_INCLUDED = (
    "KMS keys ($1 per key per month), SNS deliveries, EventBridge and CloudTrail's S3 storage"
)
_CENT = Decimal("0.01")


def monthly_estimate(
    *, secrets: int, replicas: int, api_calls_per_secret: int = DEFAULT_API_CALLS_PER_SECRET
) -> dict[str, Any]:
    """The estimate as JSON-ready data, in US dollars rounded to the cent."""
    if min(secrets, replicas, api_calls_per_secret) < 0:
        raise ValueError("counts cannot be negative")
    api_calls = secrets * api_calls_per_secret
    lines = [
        _line(
            "secrets", secrets, unit_usd=SECRET_MONTHLY_USD, monthly=secrets * SECRET_MONTHLY_USD
        ),
        _line(
            "replicas",
            replicas,
            unit_usd=REPLICA_MONTHLY_USD,
            monthly=replicas * REPLICA_MONTHLY_USD,
        ),
        _line(
            "API calls",
            api_calls,
            unit_usd=API_CALLS_PRICE_USD / API_CALLS_PER_PRICE,
            monthly=api_calls * API_CALLS_PRICE_USD / API_CALLS_PER_PRICE,
        ),
    ]
    total = sum((Decimal(str(line["monthlyUsd"])) for line in lines), Decimal(0))
    return {
        "currency": "USD",
        "monthlyUsd": float(total),
        "lines": lines,
        "assumption": (
            f"{api_calls_per_secret:,} API calls per secret per month "
            "(change with --api-calls-per-secret)"
        ),
        "notIncluded": NOT_INCLUDED,
    }


def _line(item: str, quantity: int, *, unit_usd: Decimal, monthly: Decimal) -> dict[str, Any]:
    return {
        "item": item,
        "quantity": quantity,
        "unitUsd": float(unit_usd),
        "monthlyUsd": float(monthly.quantize(_CENT, rounding=ROUND_HALF_UP)),
    }


def plan_estimate(
    resources: Iterable[Mapping[str, Any]],
    *,
    api_calls_per_secret: int = DEFAULT_API_CALLS_PER_SECRET,
) -> dict[str, Any]:
    """The estimate of a plan's resources: its secrets and each secret's `replicas`."""
    secrets = [resource for resource in resources if resource["type"] == SECRET_TYPE]
    replicas = sum(len(secret["inputs"].get("replicas") or []) for secret in secrets)
    return monthly_estimate(
        secrets=len(secrets), replicas=replicas, api_calls_per_secret=api_calls_per_secret
    )


def render_estimate(estimate: Mapping[str, Any]) -> list[str]:
    """Table lines: one per priced item, the total, and what the estimate assumes."""
    lines = [f"Monthly estimate: ${estimate['monthlyUsd']:,.2f}"]
    for line in estimate["lines"]:
        unit = (
            f"${API_CALLS_PRICE_USD} per {API_CALLS_PER_PRICE:,}"
            if line["item"] == "API calls"
            else f"${line['unitUsd']:.2f} each"
        )
        quantity, monthly = f"{line['quantity']:>12,}", f"${line['monthlyUsd']:,.2f}"
        lines.append(f"  {line['item']:<10} {quantity}  x {unit:<18} = {monthly}")
    lines.append(f"  Assumes {estimate['assumption']}.")
    lines.append(f"  Not included: {estimate['notIncluded']}.")
    return lines
