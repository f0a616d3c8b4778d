"""Rules for IAM identity policies: no wildcard actions, secrets and KMS keys scoped to ARNs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aws_model.iam_actions import SECRET_RESOURCE_ACTIONS, STAR_RESOURCE_ACTIONS

from .exceptions import PolicyDocumentError
from .model import Enforcement, Kind, Resource, Rule, Violation
from .policy_documents import Statement, applies_to_every, granted, parse

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"
USER_POLICY = "aws:iam/userPolicy:UserPolicy"
GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
_INLINE_POLICY_TYPES = (ROLE_POLICY, USER_POLICY, GROUP_POLICY)

SECRET_READ_ACTIONS = (
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
    "secretsmanager:ListSecretVersionIds",
    "secretsmanager:GetResourcePolicy",
)
"""Reading a secret's value or metadata. On Resource "*" they are CKV_AWS_288's exfiltration."""

SECRET_WRITE_ACTIONS = tuple(
    action for action in SECRET_RESOURCE_ACTIONS if action not in SECRET_READ_ACTIONS
)
"""The other actions that accept a secret ARN as resource (CKV_AWS_355's restrictable actions)."""

SECRET_STAR_ONLY_ACTIONS = STAR_RESOURCE_ACTIONS
"""Actions AWS only authorises on Resource "*"; allowed there. BatchGetSecretValue still needs
GetSecretValue on each secret it returns, which the scoped-reads rule does check."""

KMS_DECRYPT_ACTIONS = ("kms:Decrypt", "kms:ReEncryptFrom")
"""The actions Security Hub KMS.1/KMS.2 block on all keys."""

# ARNs in two accounts and regions: a resource element that matches both is not scoped to
# this stack's secrets or key ("*", "arn:aws:secretsmanager:*:*:secret:*", ...).
_ANY_SECRET = (
    "arn:aws:secretsmanager:us-east-1:111111111111:secret:probe-AbCdEf",
    "arn:aws:secretsmanager:eu-west-1:222222222222:secret:team/other-123456",
)
_ANY_KMS_KEY = (
    "arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555",
    "arn:aws:kms:eu-west-1:222222222222:key/mrk-0123456789abcdef0123456789abcdef",
)


@dataclass(frozen=True)
class IdentityDocument:
    """One identity-based policy document held by a resource."""

    where: str
    """Where it is on the resource: `policy` or `inlinePolicies[0] (read-secrets)`."""
    managed: bool
    """A customer managed policy (aws:iam/policy:Policy) rather than an inline one."""
    document: Any


def identity_documents(resource: Resource) -> list[IdentityDocument]:
    """The identity policies a resource declares (trust policies are in policies.trust)."""
    if resource.type == POLICY or resource.type in _INLINE_POLICY_TYPES:
        return [
            IdentityDocument(
                where="policy",
                managed=resource.type == POLICY,
                document=resource.props.get("policy"),
            )
        ]
    if resource.type != ROLE:
        return []
    inline = resource.props.get("inlinePolicies")
    documents = []
    for index, entry in enumerate(inline if isinstance(inline, list) else []):
        if not isinstance(entry, Mapping):
            continue
        name = entry.get("name")
        where = f"inlinePolicies[{index}]" + (f" ({name})" if isinstance(name, str) else "")
        documents.append(IdentityDocument(where=where, managed=False, document=entry.get("policy")))
    return documents


StatementCheck = Callable[[IdentityDocument, Statement], list[str]]


def check_identity_statements(
    resource: Resource, rule: Rule, *, check: StatementCheck, fix: str, report_malformed: bool
) -> list[Violation]:
    found = []
    for document in identity_documents(resource):
        try:
            statements = parse(document.document)
        except PolicyDocumentError as exc:
            if report_malformed:
                found.append(
                    rule.violation(
                        resource.urn,
                        message=f"{document.where} cannot be checked: {exc}.",
                        fix="Build the document with json.dumps() of the IAM policy grammar.",
                    )
                )
            continue
        for statement in statements or []:
            for problem in check(document, statement):
                message = f"{document.where} {statement.label} {problem}."
                found.append(rule.violation(resource.urn, message=message, fix=fix))
    return found


def _wildcard_problems(_document: IdentityDocument, statement: Statement) -> list[str]:
    if not statement.allows:
        return []
    if statement.not_actions is not None:
        return [
            f"allows NotAction {list(statement.not_actions)}, i.e. every other action of "
            "every service"
        ]
    return [
        f"allows {action!r}, i.e. every action of {_service_of(action)}"
        for action in statement.actions
        if _is_service_wildcard(action)
    ]


def _service_of(action: str) -> str:
    service, separator, _ = action.partition(":")
    return service if separator and "*" not in service else "every service"


def _is_service_wildcard(action: str) -> bool:
    service, separator, name = action.partition(":")
    if not separator:
        return "*" in action
    return "*" in service or name == "*"


def iam_no_wildcard_actions(resource: Resource) -> list[Violation]:
    return check_identity_statements(
        resource,
        IAM_NO_WILDCARD_ACTIONS,
        check=_wildcard_problems,
        fix="List the exact actions (e.g. secretsmanager:GetSecretValue) in Action; "
        "do not use '*', 'service:*' or NotAction in an Allow.",
        report_malformed=True,
    )


IAM_NO_WILDCARD_ACTIONS = Rule(
    name="iam-no-wildcard-actions",
    control="IAM.1, IAM.21",
    description=(
        "IAM.1 / IAM.21: no identity policy Allow grants '*', '*:*', any 'service:*', or uses "
        "NotAction (which grants every action not listed)."
    ),
    enforcement=Enforcement.MANDATORY,
    kind=Kind.RESOURCE,
    check=iam_no_wildcard_actions,
)


def _unscoped_secret_problems(_document: IdentityDocument, statement: Statement) -> list[str]:
    actions = granted(statement, SECRET_READ_ACTIONS + SECRET_WRITE_ACTIONS)
    scope = applies_to_every(statement, _ANY_SECRET) if actions else None
    if scope is None:
        return []
    reads_values = "secretsmanager:GetSecretValue" in actions
    return [
        f"allows {', '.join(actions)} on every secret via Resource {scope!r}"
        + (": it can read the value of any secret" if reads_values else "")
    ]


def iam_secrets_scoped_to_arns(resource: Resource) -> list[Violation]:
    return check_identity_statements(
        resource,
        IAM_SECRETS_SCOPED_TO_ARNS,
        check=_unscoped_secret_problems,
        fix="Set Resource to the secret ARNs (or one ARN prefix such as "
        "arn:aws:secretsmanager:<region>:<account>:secret:<project>/<env>/*); only "
        "GetRandomPassword, ListSecrets and BatchGetSecretValue may use '*'.",
        report_malformed=False,
    )


IAM_SECRETS_SCOPED_TO_ARNS = Rule(
    name="iam-secrets-scoped-to-arns",
    control="CKV_AWS_355, CKV_AWS_288",
    description=(
        "CKV_AWS_355 / CKV_AWS_288: no identity policy Allow grants a Secrets Manager action "
        "that accepts a secret ARN - above all the reads GetSecretValue, DescribeSecret, "
        "ListSecretVersionIds, GetResourcePolicy - on Resource '*', an any-account ARN pattern "
        "or NotResource. GetRandomPassword, ListSecrets and BatchGetSecretValue only accept '*'."
    ),
    enforcement=Enforcement.MANDATORY,
    kind=Kind.RESOURCE,
    check=iam_secrets_scoped_to_arns,
)


def _decrypt_all_keys_problems(document: IdentityDocument, statement: Statement) -> list[str]:
    actions = granted(statement, KMS_DECRYPT_ACTIONS)
    scope = applies_to_every(statement, _ANY_KMS_KEY) if actions else None
    if scope is None:
        return []
    control = "KMS.1" if document.managed else "KMS.2"
    conditioned = " (conditions such as kms:ViaService do not narrow the keys)"
    return [
        f"allows {', '.join(actions)} on every KMS key via Resource {scope!r}"
        f"{conditioned if statement.condition else ''} [{control}]"
    ]


def iam_no_kms_decrypt_on_all_keys(resource: Resource) -> list[Violation]:
    return check_identity_statements(
        resource,
        IAM_NO_KMS_DECRYPT_ON_ALL_KEYS,
        check=_decrypt_all_keys_problems,
        fix="Set Resource to the ARN of the stack's KMS key (keep kms:ViaService as an extra "
        "condition if wanted).",
        report_malformed=False,
    )


IAM_NO_KMS_DECRYPT_ON_ALL_KEYS = Rule(
    name="iam-no-kms-decrypt-on-all-keys",
    control="KMS.1, KMS.2",
    description=(
        "KMS.1 (customer managed policies) / KMS.2 (inline policies): no Allow grants "
        "kms:Decrypt or kms:ReEncryptFrom (directly, via kms:* / '*' or NotAction) on every "
        "key. Like AWS Config's rules behind these controls, conditions are not considered."
    ),
    enforcement=Enforcement.MANDATORY,
    kind=Kind.RESOURCE,
    check=iam_no_kms_decrypt_on_all_keys,
)
