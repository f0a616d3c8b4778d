"""What `secretsctl import-env` reads in a name or a value: secret words and vendor key formats."""

from __future__ import annotations

import math
import re
from collections import Counter

SECRET_WORDS = frozenset(
    {
        "AUTH",
        "BEARER",
        "CERT",
        "CREDENTIAL",
        "CREDENTIALS",
        "DSN",
        "HMAC",
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
        "SIGNING",
        "TOKEN",
    }
)
"""A name holding one of these words (or a joined or plural form: DBPASSWORD, SECRETS) looks
like a secret."""
WEAK_WORDS = frozenset({"COOKIE", "JWT", "SESSION"})
"""...and one holding these, when its value looks random: SESSION_STORE=redis is a setting."""
PUBLIC_WORDS = frozenset({"PUBLIC", "PUBLISHABLE"})
"""...unless it also holds one of these: public keys are configuration, not secrets."""
SETTING_WORDS = frozenset(
    {
        "AGE",
        "ALG",
        "ALGORITHM",
        "ALIAS",
        "ARN",
        "AUDIENCE",
        "COUNT",
        "DOMAIN",
        "DURATION",
        "ENABLED",
        "EXPIRATION",
        "EXPIRES",
        "EXPIRY",
        "HEADER",
        "ID",
        "INTERVAL",
        "ISSUER",
        "LENGTH",
        "LIFETIME",
        "MAX",
        "MIN",
        "MODE",
        "NAME",
        "PATH",
        "PREFIX",
        "REGION",
        "SAMESITE",
        "SECONDS",
        "SECURE",
        "SIZE",
        "STORE",
        "TIMEOUT",
        "TTL",
        "TYPE",
        "VERSION",
    }
)
"""...or ends in one of these: PASSWORD_MIN_LENGTH, TOKEN_TTL and KMS_KEY_ID describe a secret."""
PARTY_WORDS = frozenset(
    {"CLIENT", "EXTERNAL", "PARTNER", "PARTY", "PROVIDER", "SUPPLIER", "THIRD", "UPSTREAM"}
    | {"VENDOR"}
)
"""Another party issued it: kept as is (external), never drawn anew."""
ISSUED_WORDS = frozenset({"ACCESS", "BEARER", "LICENSE", "PRIVATE", "REFRESH"})
"""Access and refresh tokens, bearer tokens, licence keys and private keys are issued or
registered elsewhere: kept as is."""
APP_OWNED_WORDS = frozenset({"ADMIN", "APP", "INBOUND", "INTERNAL", "MASTER", "ROOT", "SELF"})
"""An API key or token with one of these is the application's own: drawn anew."""
REGENERABLE_WORDS = frozenset(
    {"HMAC", "KEY", "PASS", "PASSPHRASE", "PASSWD", "PASSWORD", "PWD", "SALT", "SECRET"}
    | {"SIGNING", "TOKEN"}
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
VENDOR_FORMATS = tuple(
    (re.compile(pattern), vendor)
    for pattern, vendor in (
        (r"(sk|rk)_(live|test)_[A-Za-z0-9]{24,}", "Stripe"),
        (r"whsec_[A-Za-z0-9]{32,}", "Stripe"),
        (r"sk-ant-[A-Za-z0-9_-]{32,}", "Anthropic"),
        (r"sk-[A-Za-z0-9_-]{20,}", "OpenAI"),  # sk-..., sk-proj-..., sk-svcacct-...
        (r"gh[pousr]_[A-Za-z0-9]{36,}", "GitHub"),
        (r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59,}", "GitHub"),
        (r"glpat-[A-Za-z0-9_.-]{20,}", "GitLab"),
        (r"xox[abeoprs]-[A-Za-z0-9-]{20,}", "Slack"),
        (r"xapp-[A-Za-z0-9-]{20,}", "Slack"),
        (r"(AKIA|ASIA)[A-Z0-9]{16}", "AWS"),
        (r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}", "SendGrid"),
        (r"AIza[A-Za-z0-9_-]{35}", "Google"),
        (r"hf_[A-Za-z0-9]{30,}", "Hugging Face"),
        (r"npm_[A-Za-z0-9]{36}", "npm"),
        (r"shp(at|ca|pa|ss)_[a-fA-F0-9]{32}", "Shopify"),
    )
)
"""Vendors' documented key formats, matched against the whole value (Anthropic before OpenAI).

A prefix alone is not enough: LOCALE=sk-SK is no OpenAI key, MARKET=ASIA_PACIFIC no AWS key."""
_VOCABULARY = frozenset(
    SECRET_WORDS
    | WEAK_WORDS
    | PUBLIC_WORDS
    | PARTY_WORDS
    | ISSUED_WORDS
    | APP_OWNED_WORDS
    | EMBEDDED_WORDS
    | set(VENDORS)
    | {"API", "DB", "ENCRYPTION", "OAUTH", "SERVICE", "USER", "WEBHOOK", "CSRF", "REDIS"}
)
"""The words a joined name is split into: SECRETKEY is SECRET and KEY."""
_SUFFIXES = sorted(_VOCABULARY, key=len, reverse=True)
_LONG_SUFFIXES = frozenset({"CREDENTIAL", "PASSPHRASE", "PASSWD", "PASSWORD", "SECRET", "TOKEN"})
"""Secret words that end no English word: MYSQLPASSWORD is a password, whatever MYSQL is.
Shorter ones must follow a known word: ACCESSKEY is a key, MONKEY and BYPASS are not."""
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_RANDOM_RUN = re.compile(r"[A-Za-z0-9+/]{16,}")
_RANDOM_ALPHABET = re.compile(r"[A-Za-z0-9+/=_.~-]+")


def name_words(name: str) -> frozenset[str]:
    """The words of a variable name, split at `_` and joined forms taken apart; plurals singular."""
    return frozenset(part for word in name.upper().split("_") if word for part in _split(word))


def _split(word: str) -> tuple[str, ...]:
    for candidate in (word, word[:-1] if word.endswith("S") else ""):
        parts = _compound(candidate) if candidate else None
        if parts:
            return parts
    return (word,)


def _compound(word: str) -> tuple[str, ...] | None:
    """`word` as known words, the last one a suffix; None when it is not made of them."""
    if word in _VOCABULARY:
        return (word,)
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) and word.endswith(suffix):
            head = _split(word[: -len(suffix)])
            if all(part in _VOCABULARY for part in head) or suffix in _LONG_SUFFIXES:
                return (*head, suffix)
    return None


def vendor_of_value(value: str) -> str | None:
    """The vendor whose key format the whole value has; None for any other value."""
    return next((vendor for pattern, vendor in VENDOR_FORMATS if pattern.fullmatch(value)), None)


def is_jwt(value: str) -> bool:
    """Three base64url parts, the first a JSON header (`eyJ` is `{"`): a signed token."""
    return bool(_JWT.fullmatch(value))


def looks_random(value: str) -> bool:
    """Random-looking: 16+ letters and digits in a run, both kinds, and high entropy."""
    run = _RANDOM_RUN.search(value)
    if not (run and _RANDOM_ALPHABET.fullmatch(value)):
        return False
    text = run.group()
    if text.isdigit() or text.isalpha():
        return False
    counts = Counter(text)
    entropy = -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())
    return entropy >= 3.0
