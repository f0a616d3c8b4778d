"""Which catalog entry each .env variable becomes, and why: the words and vendor key formats."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from inputs.catalog import Catalog
from secretsctl.import_env_dotenv import EnvVariable

GENERATE, CONFIG, EXTERNAL = "generate", "config", "external"

SECRET_WORDS = frozenset(
    {
        "APIKEY",
        "AUTH",
        "CERT",
        "CREDENTIAL",
        "CREDENTIALS",
        "DSN",
        "KEY",
        "PASS",
        "PASSPHRASE",
        "PASSWD",
        "PASSWORD",
        "PRIVATE",
        "PWD",
        "SALT",
        "SECRET",
        "SIGNATURE",
        "TOKEN",
    }
)
"""A variable whose name holds one of these words (split at `_`) looks like a secret."""
PUBLIC_WORDS = frozenset({"PUBLIC", "PUBLISHABLE"})
"""...unless it also holds one of these: public keys are configuration, not secrets."""
REGENERABLE_WORDS = frozenset(
    {"KEY", "PASS", "PASSPHRASE", "PASSWD", "PASSWORD", "PWD", "SALT", "SECRET", "TOKEN"}
)
"""Values the application itself owns (passwords, signing keys, tokens it issues)."""
EMBEDDED_WORDS = frozenset({"CERT", "DSN", "URI", "URL"})
"""Values that hold another system's credentials or key material: neither drawn nor vendor."""
VENDORS = {
    "ADYEN": "Adyen",
    "ALGOLIA": "Algolia",
    "ANTHROPIC": "Anthropic",
    "AUTH0": "Auth0",
    "AWS": "AWS",
    "AZURE": "Azure",
    "BRAINTREE": "Braintree",
    "CLOUDFLARE": "Cloudflare",
    "COHERE": "Cohere",
    "DATADOG": "Datadog",
    "DD": "Datadog",
    "DISCORD": "Discord",
    "DOCKERHUB": "Docker Hub",
    "FIREBASE": "Firebase",
    "GCP": "Google Cloud",
    "GEMINI": "Google",
    "GITHUB": "GitHub",
    "GITLAB": "GitLab",
    "GOOGLE": "Google",
    "HUBSPOT": "HubSpot",
    "HUGGINGFACE": "Hugging Face",
    "INTERCOM": "Intercom",
    "MAILCHIMP": "Mailchimp",
    "MAILGUN": "Mailgun",
    "MAPBOX": "Mapbox",
    "MISTRAL": "Mistral",
    "NEWRELIC": "New Relic",
    "NPM": "npm",
    "OKTA": "Okta",
    "OPENAI": "OpenAI",
    "PAGERDUTY": "PagerDuty",
    "PAYPAL": "PayPal",
    "PLAID": "Plaid",
    "POSTMARK": "Postmark",
    "PUSHER": "Pusher",
    "SEGMENT": "Segment",
    "SENDGRID": "SendGrid",
    "SENTRY": "Sentry",
    "SHOPIFY": "Shopify",
    "SLACK": "Slack",
    "STRIPE": "Stripe",
    "SUPABASE": "Supabase",
    "TWILIO": "Twilio",
    "VERCEL": "Vercel",
    "ZENDESK": "Zendesk",
}
"""Name words of third-party services whose keys the vendor issues."""
VALUE_PREFIXES = (
    ("sk_live_", "Stripe"),
    ("sk_test_", "Stripe"),
    ("rk_live_", "Stripe"),
    ("rk_test_", "Stripe"),
    ("whsec_", "Stripe"),
    ("sk-ant-", "Anthropic"),
    ("sk-", "OpenAI"),
    ("ghp_", "GitHub"),
    ("gho_", "GitHub"),
    ("ghs_", "GitHub"),
    ("ghu_", "GitHub"),
    ("github_pat_", "GitHub"),
    ("glpat-", "GitLab"),
    ("xoxb-", "Slack"),
    ("xoxp-", "Slack"),
    ("xapp-", "Slack"),
    ("AKIA", "AWS"),
    ("ASIA", "AWS"),
    ("SG.", "SendGrid"),
    ("AIza", "Google"),
    ("hf_", "Hugging Face"),
    ("npm_", "npm"),
    ("shpat_", "Shopify"),
)
"""Value prefixes that vendors put on the keys they issue (longest first where they overlap)."""
_URL_WITH_PASSWORD = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/@\s:]*:[^/@\s]+@")


@dataclass(frozen=True)
class Proposal:
    variable: EnvVariable
    kind: str | None
    """generate, config or external; None when skipped."""
    reason: str
    secret_name: str = ""
    config_key: str = ""
    declared_as: str | None = None
    """The source of the catalog's existing entry of that name, if any."""

    @property
    def is_new(self) -> bool:
        return self.kind is not None and self.declared_as is None

    @property
    def puts_value(self) -> bool:
        """Only external secrets take the .env value in AWS; the others get theirs elsewhere."""
        return self.kind is not None and (self.declared_as or self.kind) == EXTERNAL


def catalog_name(variable: str) -> str:
    """`OPENAI_API_KEY` -> `openai-api-key`."""
    return variable.strip("_").lower().replace("_", "-")


def config_key(variable: str) -> str:
    """`OPENAI_API_KEY` -> `openaiApiKey`, the stack config key of a `config:` secret."""
    words = [word for word in variable.lower().split("_") if word]
    return words[0] + "".join(word.capitalize() for word in words[1:])


def classify(variable: EnvVariable) -> tuple[str | None, str]:
    """The kind of secret a variable holds, and why; (None, why) when it is not a secret.

    1. Empty, or no secret word in the name (and no vendor's key format): skipped.
    2. A vendor's key format in the value, or a vendor's name in the name: config - the
       vendor issued it, so it is kept (encrypted) in the stack config.
    3. Key material or another system's credentials (a URL with a password, a DSN, a PEM
       block, several lines): external - put by hand, never regenerated.
    4. A password, secret, key, token or salt the application owns: generate - drawn anew
       by `pulumi up`.
    5. Anything else that looks secret: external.
    """
    words = set(variable.name.upper().split("_"))
    value = variable.value
    if not value:
        return None, "empty value"
    vendor_by_value = next(
        (vendor for prefix, vendor in VALUE_PREFIXES if value.startswith(prefix)), None
    )
    embedded = bool(_URL_WITH_PASSWORD.match(value)) or "-----BEGIN" in value or "\n" in value
    secret_word = bool(words & SECRET_WORDS) and not words & PUBLIC_WORDS
    if not (vendor_by_value or secret_word or embedded):
        if words & PUBLIC_WORDS:
            return None, "a public or publishable key, not a secret"
        return None, "not secret-looking (no PASSWORD, SECRET, TOKEN, KEY, ... in the name)"
    if vendor_by_value:
        return CONFIG, f"third-party: the value has the form of a {vendor_by_value} key"
    vendor = next((VENDORS[word] for word in sorted(words) if word in VENDORS), None)
    if vendor:
        return CONFIG, f"third-party: a {vendor} credential"
    if embedded or words & EMBEDDED_WORDS:
        return EXTERNAL, "holds another system's credentials or key material"
    if words & REGENERABLE_WORDS:
        return GENERATE, "a value the application owns: pulumi up draws a new one"
    return EXTERNAL, "a secret neither drawn here nor issued by a known vendor"


def propose(variables: Sequence[EnvVariable], catalog: Catalog) -> list[Proposal]:
    """One proposal per variable: an entry to add, one the catalog has, or a skip and why."""
    proposals = []
    named: dict[str, EnvVariable] = {}
    for variable in variables:
        kind, reason = classify(variable)
        name = catalog_name(variable.name)
        if kind is not None and name in named:
            first = named[name]
            kind, reason = None, f"same catalog name {name} as {first.name} (line {first.line})"
        if kind is None:
            proposals.append(Proposal(variable=variable, kind=None, reason=reason))
            continue
        named[name] = variable
        existing = catalog.secrets.get(name)
        proposals.append(
            Proposal(
                variable=variable,
                kind=kind,
                reason=reason,
                secret_name=name,
                config_key=config_key(variable.name) if kind == CONFIG else "",
                declared_as=existing.source if existing is not None else None,
            )
        )
    return proposals
