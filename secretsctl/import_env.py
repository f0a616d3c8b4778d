"""`secretsctl import-env`: migrate a .env file into catalog entries, never echoing a value."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from botocore.exceptions import BotoCoreError, ClientError

from inputs.catalog import YAML_LOADER, Catalog, parse_catalog_partially
from inputs.exceptions import InputError
from secretsctl.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, report_problems
from secretsctl.stack_target import StackTarget, add_stack_arguments, target_from_args

GENERATE, CONFIG, EXTERNAL = "generate", "config", "external"
GENERATED_LENGTH = 32
SECRET_STRING_LIMIT = 65_536
"""Secrets Manager's largest SecretString, in bytes."""

_ASSIGNMENT = re.compile(r"^(?:export\s+)?(?P<name>[^=\s]*)\s*=\s*(?P<rest>.*)$", re.DOTALL)
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

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
class EnvVariable:
    name: str
    value: str
    """Never printed, logged or put into an exception."""
    line: int


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


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import-env",
        help="propose catalog entries for a .env file (dry run), or write them with --apply",
        description="Reads a .env file (KEY=VALUE lines, quotes, comments, `export `) and "
        "proposes a catalog entry per secret-looking variable, guessing its kind: generate "
        "(a value the application owns), config (a third-party key) or external. It prints "
        "the `pulumi config set --secret` commands without any value. --apply appends the new "
        "entries to the catalog and puts the values of external secrets with PutSecretValue. "
        "No value is ever printed. Exit status: 0 done, 1 a value could not be put, 2 bad input.",
    )
    parser.add_argument("file", metavar="FILE", type=Path, help="the .env file")
    add_stack_arguments(parser)
    parser.add_argument(
        "--apply", action="store_true", help="write the catalog and put external values"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        variables = parse_env_file(args.file)
        target = target_from_args(args)
    except InputError as exc:
        report_problems("import-env", exc.problems)
        return EXIT_BAD_INPUT
    proposals = propose(variables, target.inputs.catalog)
    sys.stdout.write(render(proposals, target=target, file=args.file.name, apply=args.apply))
    if not args.apply:
        return EXIT_OK
    try:
        written = write_catalog(target.catalog_path, proposals, source=args.file.name)
    except InputError as exc:
        report_problems("import-env", exc.problems)
        return EXIT_BAD_INPUT
    print(f"\n{target.catalog_path.name}: {written} entr{'y' if written == 1 else 'ies'} added.")
    return put_external_values(proposals, target=target)


# --- the .env file ------------------------------------------------------------------------


def parse_env_file(path: Path) -> list[EnvVariable]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError([f"{path}: file not found"]) from exc
    except UnicodeDecodeError as exc:
        raise InputError([f"{path}: not UTF-8 text (byte {exc.start})"]) from exc
    except OSError as exc:
        raise InputError([f"{path}: cannot read: {exc.strerror}"]) from exc
    return parse_env(text, file=path.name)


def parse_env(text: str, *, file: str) -> list[EnvVariable]:
    """KEY=VALUE per line; raises InputError naming `file:line` for each malformed one.

    Accepted: blank lines, `# comments`, an `export ` prefix, unquoted values (a ` #` starts
    a comment), 'single-quoted' (literal) and "double-quoted" values (\\n, \\t, \\", \\\\
    escapes). Messages never quote the line: it may hold a value.
    """
    variables: list[EnvVariable] = []
    first_line: dict[str, int] = {}
    problems = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{file}:{number}"
        match = _ASSIGNMENT.match(line)
        if match is None:
            problems.append(f"{where}: not KEY=VALUE; allowed: KEY=VALUE, export KEY=VALUE, # ...")
            continue
        name = match["name"]
        if not _VARIABLE.fullmatch(name):
            problems.append(
                f"{where}: bad variable name: letters, digits and _, not starting with a digit"
            )
            continue
        try:
            value = _value(match["rest"])
        except ValueError as exc:
            problems.append(f"{where}: {name}: {exc}")
            continue
        if name in first_line:
            problems.append(f"{where}: {name} is set again (first on line {first_line[name]})")
            continue
        first_line[name] = number
        variables.append(EnvVariable(name=name, value=value, line=number))
    if problems:
        raise InputError(problems)
    return variables


def _value(rest: str) -> str:
    if rest[:1] in ("'", '"'):
        quote = rest[0]
        value, end = _quoted(rest, quote)
        trailing = rest[end:].strip()
        if trailing and not trailing.startswith("#"):
            raise ValueError(f"text after the closing {quote}; only a # comment may follow")
        return value
    return re.split(r"\s+#", rest, maxsplit=1)[0].strip()


def _quoted(rest: str, quote: str) -> tuple[str, int]:
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    out, index = [], 1
    while index < len(rest):
        char = rest[index]
        if char == quote:
            return "".join(out), index + 1
        if quote == '"' and char == "\\" and index + 1 < len(rest):
            following = rest[index + 1]
            out.append(escapes.get(following, "\\" + following))
            index += 2
            continue
        out.append(char)
        index += 1
    raise ValueError(f"no closing {quote} on this line (values cannot span lines)")


# --- proposals ----------------------------------------------------------------------------


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


def entry_lines(proposal: Proposal, *, source: str, indent: str = "  ") -> list[str]:
    """The catalog entry as YAML lines, at the indentation of the catalog's entries."""
    description = json.dumps(f"Imported from {source} ({proposal.variable.name})")
    body = {
        GENERATE: f"generate: {{length: {GENERATED_LENGTH}}}",
        CONFIG: f"config: {proposal.config_key}",
        EXTERNAL: "external: true",
    }[str(proposal.kind)]
    return [
        f"{indent}{proposal.secret_name}:",
        f"{indent * 2}description: {description}",
        f"{indent * 2}{body}",
    ]


def render(proposals: Sequence[Proposal], *, target: StackTarget, file: str, apply: bool) -> str:
    settings = target.inputs.settings
    catalog = target.catalog_path.name
    new = [proposal for proposal in proposals if proposal.is_new]
    mode = "applying" if apply else "dry run; --apply writes the entries and puts the values"
    lines = [f"{file} -> {catalog}, stack {target.stack} ({target.inputs.names.secret_path}*): {mode}", ""]
    if new:
        lines.append(f"New entries under secrets: in {catalog}:")
        for proposal in new:
            lines.append(
                f"  # {proposal.variable.name} (line {proposal.variable.line}): "
                f"{proposal.kind}, {proposal.reason}"
            )
            lines += [f"+ {line}" for line in entry_lines(proposal, source=file)]
    else:
        lines.append(f"No new entries for {catalog}.")
    for proposal in proposals:
        if proposal.kind is not None and proposal.declared_as is not None:
            lines.append(
                f"  {proposal.variable.name}: {proposal.secret_name} is already in {catalog} "
                f"({proposal.declared_as}); left as is"
            )
    skipped = [proposal for proposal in proposals if proposal.kind is None]
    if skipped:
        lines += ["", "Skipped (keep them as plain configuration, e.g. a task's environment):"]
        lines += [f"  {p.variable.name} (line {p.variable.line}): {p.reason}" for p in skipped]
    lines += _next_steps(proposals, target=target)
    return "\n".join(lines) + "\n"


def _next_steps(proposals: Sequence[Proposal], *, target: StackTarget) -> list[str]:
    settings = target.inputs.settings
    configs = [p for p in proposals if p.kind == CONFIG and p.declared_as in (None, CONFIG)]
    generated = [p for p in proposals if p.is_new and p.kind == GENERATE]
    external = [p for p in proposals if p.puts_value]
    lines = []
    if configs:
        lines += [
            "",
            "Set each config value (pulumi prompts for it and hides it; or pipe it from a file "
            "holding only the value, without a trailing newline, as shown):",
        ]
        for proposal in configs:
            key = proposal.config_key or (
                target.inputs.catalog.secrets[proposal.secret_name].config
            )
            command = f"pulumi config set --secret {key} --stack {target.stack}"
            lines.append(f"  {command}    # {proposal.variable.name}")
            lines.append(f"  {command} < {proposal.secret_name}.value")
    if generated:
        lines += [
            "",
            "Generated values are drawn by pulumi up; the .env values are not imported. Update "
            "what uses the old value (e.g. ALTER ROLE ... PASSWORD), or change the entry to "
            "external: true to keep it:",
        ]
        lines += [f"  {p.secret_name} ({p.variable.name})" for p in generated]
    if external:
        lines += ["", "External values, put with PutSecretValue by --apply once the secret exists:"]
        lines += [
            f"  {p.variable.name} -> {target.inputs.names.secret_full_name(p.secret_name)}"
            for p in external
        ]
    lines += [
        "",
        f"Then: pulumi up --stack {target.stack}, and reference the secrets from a service's env "
        "or runtime_read. Every other stack of the catalog needs its own values too.",
    ]
    return lines


# --- --apply ------------------------------------------------------------------------------


def write_catalog(path: Path, proposals: Sequence[Proposal], *, source: str) -> int:
    """Appends the new entries to the catalog's `secrets:` block; the rest stays as it was.

    The result is validated before the file is replaced; nothing is written when it is invalid.
    """
    new = [proposal for proposal in proposals if proposal.is_new]
    if not new:
        return 0
    text = path.read_text(encoding="utf-8")
    updated = append_entries(text, new, source=source, file=path.name)
    _, problems = parse_catalog_partially(yaml.load(updated, Loader=YAML_LOADER), file=path.name)
    if problems:
        raise InputError([*problems, f"{path.name}: left unchanged"])
    _replace(path, updated)
    return len(new)


def append_entries(text: str, proposals: Sequence[Proposal], *, source: str, file: str) -> str:
    lines = text.splitlines(keepends=True)
    start = next(
        (index for index, line in enumerate(lines) if re.match(r"^secrets:\s*(#.*)?$", line)),
        None,
    )
    if start is None:
        raise InputError(
            [f"{file}: secrets: not found as a block mapping (`secrets:` on its own line)"]
        )
    end = next(
        (index for index in range(start + 1, len(lines)) if re.match(r"^[^\s#]", lines[index])),
        len(lines),
    )
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1  # comments and blank lines before the next key stay with that key
    indent = _entry_indent(lines[start + 1 : end])
    block = []
    for proposal in proposals:
        block.append("\n")
        block += [line + "\n" for line in entry_lines(proposal, source=source, indent=indent)]
    if end > 0 and not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    return "".join(lines[:end] + block + lines[end:])


def _entry_indent(block: Sequence[str]) -> str:
    for line in block:
        if line.strip() and not line.lstrip().startswith("#"):
            return line[: len(line) - len(line.lstrip(" "))] or "  "
    return "  "


def _replace(path: Path, text: str) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def put_external_values(proposals: Sequence[Proposal], *, target: StackTarget) -> int:
    """PutSecretValue for each external secret that exists and has no value yet."""
    external = [proposal for proposal in proposals if proposal.puts_value]
    if not external:
        return EXIT_OK
    client = target.client("secretsmanager")
    failed = 0
    print("\nExternal values:")
    for proposal in external:
        secret_id = target.inputs.names.secret_full_name(proposal.secret_name)
        try:
            outcome = _put_value(client, secret_id, proposal.variable, stack=target.stack)
        except ClientError as exc:
            failed += 1
            code = exc.response.get("Error", {}).get("Code", "error")
            outcome = f"not put: {code}"
        except BotoCoreError as exc:
            print(f"secretsctl import-env: cannot reach AWS: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"  {proposal.variable.name} -> {secret_id}: {outcome}")
    return EXIT_FAILED if failed else EXIT_OK


def _put_value(client: Any, secret_id: str, variable: EnvVariable, *, stack: str) -> str:
    if len(variable.value.encode()) > SECRET_STRING_LIMIT:
        return f"not put: longer than Secrets Manager's {SECRET_STRING_LIMIT:,} bytes"
    try:
        described = client.describe_secret(SecretId=secret_id)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
        return f"not deployed yet: run pulumi up --stack {stack}, then import-env --apply again"
    if described.get("DeletedDate"):
        return f"scheduled for deletion: aws secretsmanager restore-secret --secret-id {secret_id}"
    stages = described.get("VersionIdsToStages") or {}
    if any("AWSCURRENT" in labels for labels in stages.values()):
        return "already has a value; left unchanged"
    with _quiet_request_logging():
        version = client.put_secret_value(SecretId=described["ARN"], SecretString=variable.value)
    return f"value put (version {version['VersionId']})"


@contextlib.contextmanager
def _quiet_request_logging() -> Iterator[None]:
    """botocore logs request bodies at DEBUG: not while a value is in one."""
    logger = logging.getLogger("botocore")
    level = logger.level
    logger.setLevel(max(level, logging.INFO))
    try:
        yield
    finally:
        logger.setLevel(level)
