"""The neutral model the rules see (Resource, Violation, Rule) and adapters that build it."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .exceptions import PlanFormatError

# The engine's sentinels for values that are not known until deployment. They reach CrossGuard
# as these strings and appear verbatim in `pulumi preview --json`, so both adapters map them.
_UNKNOWN_SENTINELS = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
        "e48ece36-62e2-4504-bad9-02848725956a",  # archive
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
    }
)
_PLAN_SECRET = "[secret]"


class Opaque(enum.Enum):
    """A property value a rule cannot read: it is set, but its content is not visible."""

    UNKNOWN = "[unknown]"
    """Computed during deployment (a preview of a resource that depends on a new one)."""
    SECRET = "[secret]"
    """Hidden by the plan writer because Pulumi marks it secret."""

    def __repr__(self) -> str:
        return self.value


def is_opaque(value: object) -> bool:
    """True when a rule cannot inspect the value; rules never report on what they cannot read."""
    return isinstance(value, Opaque)


class Enforcement(enum.StrEnum):
    """What a violation does to `pulumi preview/up` and to `secretsctl check`."""

    MANDATORY = "mandatory"
    ADVISORY = "advisory"


class Kind(enum.StrEnum):
    """Whether a rule looks at one resource at a time or at the whole stack."""

    RESOURCE = "resource"
    STACK = "stack"


@dataclass(frozen=True)
class Resource:
    """One resource of a stack, as the rules see it, whatever it was read from."""

    type: str
    """The pulumi-aws type token, e.g. `aws:secretsmanager/secret:Secret`."""
    urn: str
    name: str
    props: Mapping[str, Any] = field(default_factory=dict)
    """Properties under the engine's camelCase names; unreadable values are `Opaque`."""
    protect: bool = False
    """The `protect` resource option."""
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """URNs each property depends on. Only CrossGuard's stack view has them; empty otherwise."""


@dataclass(frozen=True)
class Violation:
    """One broken rule on one resource, with the change that fixes it."""

    rule: str
    urn: str
    message: str
    fix: str
    mandatory: bool

    @property
    def enforcement(self) -> Enforcement:
        return Enforcement.MANDATORY if self.mandatory else Enforcement.ADVISORY


def violation_order(violation: Violation) -> tuple[bool, str, str, str]:
    """Mandatory first, then by resource, rule and message: the same input prints the same."""
    return (not violation.mandatory, violation.urn, violation.rule, violation.message)


ResourceCheck = Callable[[Resource], list[Violation]]
StackCheck = Callable[[Sequence[Resource]], list[Violation]]


@dataclass(frozen=True)
class Rule:
    """A guardrail: the control it implements and the plain function that checks it."""

    name: str
    control: str
    """The audit control(s) it implements, e.g. `CKV_AWS_149` or `SecretsManager.1, CKV_AWS_304`."""
    description: str
    enforcement: Enforcement
    kind: Kind
    check: Callable[..., list[Violation]]
    """`(Resource) -> list[Violation]`, or `(Sequence[Resource]) -> list[Violation]` for STACK."""

    @property
    def mandatory(self) -> bool:
        return self.enforcement is Enforcement.MANDATORY

    def violation(self, urn: str, *, message: str, fix: str) -> Violation:
        return Violation(
            rule=self.name, urn=urn, message=message, fix=fix, mandatory=self.mandatory
        )

    def run(self, resources: Sequence[Resource]) -> list[Violation]:
        if self.kind is Kind.STACK:
            return list(self.check(resources))
        return [found for resource in resources for found in self.check(resource)]


COMPUTED_OUTPUTS = ("arn", "id")
"""What the rules read of a plan's outputs: attributes AWS computes, which no input holds."""


# --- adapters -----------------------------------------------------------------------------


def from_plan(entry: Mapping[str, Any], *, where: str = "resource") -> Resource:
    """A resource entry of the plan JSON: its `inputs`, plus the computed `arn` and `id`.

    The rules judge what the program asks AWS for, so inputs decide; an output that merely
    echoes an input cannot stand in for a missing one. A known output that contradicts a known
    input means the plan was edited or is inconsistent: PlanFormatError.
    """
    if not isinstance(entry, Mapping):
        raise PlanFormatError(f"{where}: must be an object, got {type(entry).__name__}")
    type_token = entry.get("type")
    urn = entry.get("urn")
    if not isinstance(type_token, str) or not type_token:
        raise PlanFormatError(f'{where}: "type" must be a non-empty string, got {type_token!r}')
    if not isinstance(urn, str) or not urn:
        raise PlanFormatError(f'{where}: "urn" must be a non-empty string, got {urn!r}')
    inputs = _plan_mapping(entry, "inputs", where=where)
    outputs = _plan_mapping(entry, "outputs", where=where)
    for key in sorted(set(inputs) & set(outputs)):
        known = not _contains_opaque(inputs[key]) and not _contains_opaque(outputs[key])
        if known and inputs[key] != outputs[key]:
            raise PlanFormatError(
                f"{where} ({urn}): inputs and outputs disagree on {key!r}; "
                "the plan was edited or is inconsistent: plan again"
            )
    props = dict(inputs)
    props.update(
        {key: outputs[key] for key in COMPUTED_OUTPUTS if key in outputs and key not in inputs}
    )
    name = entry.get("name")
    return Resource(
        type=type_token,
        urn=urn,
        name=name if isinstance(name, str) and name else urn.rsplit("::", 1)[-1],
        props=props,
        protect=entry.get("protect") is True,
    )


def resources_from_plan(plan: Mapping[str, Any]) -> list[Resource]:
    """Every resource of a plan written by `secretsctl plan`."""
    if not isinstance(plan, Mapping):
        raise PlanFormatError(f"the plan must be a JSON object, got {type(plan).__name__}")
    entries = plan.get("resources")
    if not isinstance(entries, list):
        raise PlanFormatError(f'"resources" must be a list, got {type(entries).__name__}')
    return [from_plan(entry, where=f"resources[{index}]") for index, entry in enumerate(entries)]


def _contains_opaque(value: object) -> bool:
    """Whether an unknown or secret value sits anywhere inside `value`.

    Plain scalars and dicts are recognised before the `Mapping` check, the one slow check.
    """
    if isinstance(value, (str, bool, int, float)) or value is None:
        return False
    if is_opaque(value):
        return True
    if isinstance(value, (dict, Mapping)):
        return any(_contains_opaque(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(_contains_opaque(item) for item in value)
    return False


def from_validation_args(args: Any) -> Resource:
    """CrossGuard's `ResourceValidationArgs` (inputs of one resource, during preview or up)."""
    return _from_crossguard(args, property_dependencies={})


def from_policy_resource(resource: Any) -> Resource:
    """CrossGuard's `PolicyResource` (one resource of `StackValidationArgs.resources`)."""
    dependencies = getattr(resource, "property_dependencies", None) or {}
    return _from_crossguard(
        resource,
        property_dependencies={
            str(prop): tuple(dependency.urn for dependency in depends_on)
            for prop, depends_on in dependencies.items()
        },
    )


def _from_crossguard(
    source: Any, *, property_dependencies: Mapping[str, tuple[str, ...]]
) -> Resource:
    return Resource(
        type=source.resource_type,
        urn=source.urn,
        name=source.name,
        props=_neutral(source.props),
        protect=_protect(source),
        property_dependencies=property_dependencies,
    )


def _plan_mapping(entry: Mapping[str, Any], key: str, *, where: str) -> Mapping[str, Any]:
    value = entry.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise PlanFormatError(f'{where}: "{key}" must be an object, got {type(value).__name__}')
    return _neutral(value)


def _protect(source: Any) -> bool:
    opts = getattr(source, "opts", None)
    return bool(getattr(opts, "protect", False))


_JSON_TYPES = frozenset({str, bool, int, float, type(None), dict, list})


def _neutral(value: Any) -> Any:
    """Plain dicts and lists, with unknowns and hidden secrets turned into `Opaque`.

    CrossGuard wraps properties in proxies that raise on unknown values; reading through
    `__target` keeps an unknown from aborting a whole rule during preview. A plan holds about
    50,000 plain JSON values: those skip the proxy and reach their branch before the `Mapping`
    and `Sequence` checks, the slow ones.
    """
    if type(value) not in _JSON_TYPES:
        value = _unwrap_proxy(value)
    if isinstance(value, str):
        if value in _UNKNOWN_SENTINELS:
            return Opaque.UNKNOWN
        return Opaque.SECRET if value == _PLAN_SECRET else value
    if isinstance(value, (bool, int)) or value is None:
        return value
    if isinstance(value, float):
        # protobuf Structs carry every number as a float: 30 arrives as 30.0
        return int(value) if value.is_integer() else value
    if isinstance(value, (dict, Mapping)):
        return {str(key): _neutral(item) for key, item in value.items()}
    if isinstance(value, (list, Sequence)) and not isinstance(value, (bytes, bytearray)):
        return [_neutral(item) for item in value]
    return value


def _unwrap_proxy(value: Any) -> Any:
    if isinstance(value, str | bytes | bytearray | dict | list | tuple):
        return value
    if not isinstance(value, Mapping | Sequence):
        return value
    try:
        return value["__target"]
    except (KeyError, TypeError, IndexError):
        return value
