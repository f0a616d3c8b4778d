"""Checks of a rotation's master secret and RDS databases, environment by environment."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from inputs.catalog import Catalog, SecretSpec, is_arn

Problems = list[tuple[str, str]]
"""(catalog path, message) pairs, as in inputs/catalog_checks.py."""

_REGION = r"(?P<region>[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2})"
_ACCOUNT = r"(?P<account>\d{12})"
_PARTITION = r"(?P<partition>aws(?:-cn|-us-gov|-iso(?:-[a-z])?)?)"
SECRET_ARN = re.compile(
    rf"^arn:{_PARTITION}:secretsmanager:{_REGION}:{_ACCOUNT}:secret:"
    r"(?P<name>[A-Za-z0-9/_+=.@!-]{1,512})-[A-Za-z0-9]{6}$"
)
"""A secret's full ARN: the name, then the 6 characters Secrets Manager adds, which IAM
matches too (a name alone, or `*` for the suffix, would not be that one secret)."""
RDS_ARN = re.compile(
    rf"^arn:{_PARTITION}:rds:{_REGION}:{_ACCOUNT}:(?P<kind>db|cluster):"
    r"(?P<name>[a-z][a-z0-9-]{0,62})$"
)
"""A DB instance's (`db`) or DB cluster's ARN; RDS stores identifiers in lower case."""
RDS_MANAGED_PREFIXES = {"rds!db-": "db", "rds!cluster-": "cluster"}
"""The names RDS gives the master secrets it manages, and what each belongs to."""
ALTERNATING_USERS = "postgres-alternating-users"

MSG_SECRET_ARN = (
    "must be a catalog secret name or a secret's full ARN "
    "(arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX, ending in the 6 characters "
    "Secrets Manager adds), got {value!r}"
)
MSG_RDS_ARN = (
    "must be the ARN of an RDS DB instance (arn:aws:rds:REGION:ACCOUNT:db:NAME) or DB cluster "
    "(arn:aws:rds:REGION:ACCOUNT:cluster:NAME), NAME in lower case, got {value!r}"
)
MSG_WILDCARD = "must name exactly one {what}, without wildcards, got {value!r}"
MSG_NEEDS_RDS = (
    "the master of {environment!r} is a secret RDS manages for a DB {kind}: list that {kind}'s "
    "ARN (arn:aws:rds:REGION:ACCOUNT:{arn_kind}:NAME) under rds.{environment}, so that the "
    "rotation may describe it"
)
MSG_MIXED_PLACES = (
    "the master and the RDS databases of {environment!r} must be in one partition, account and "
    "region (the stack's); got {places}"
)


def master_problems(
    path: str, spec: SecretSpec, *, catalog: Catalog, declared: set[str]
) -> Problems:
    """A rotation's `master`, in every environment the secret exists in, and its `rds`.

    `path` is the rotation block's; `declared` holds every secret name the file declares.
    """
    rotation = spec.rotation
    if rotation is None:
        return []
    problems: Problems = []
    if rotation.strategy != ALTERNATING_USERS:
        if rotation.master is not None:
            problems.append((f"{path}.master", f"only {ALTERNATING_USERS} takes a master secret"))
        if rotation.rds is not None:
            problems.append((f"{path}.rds", f"only {ALTERNATING_USERS} describes RDS databases"))
        return problems
    if rotation.master is None:
        return [(f"{path}.master", f"is required for {ALTERNATING_USERS}")]
    environments = _environments_of(spec, catalog=catalog)
    if isinstance(rotation.master, str):
        problems += _name_problems(
            f"{path}.master", rotation.master, environments, catalog=catalog, declared=declared
        )
    else:
        problems += _per_environment_problems(
            f"{path}.master", rotation.master, environments, catalog=catalog, what="master"
        )
        for environment, reference in rotation.master.items():
            if environment in environments:
                problems += _reference_problems(
                    f"{path}.master.{environment}",
                    reference,
                    environment,
                    catalog=catalog,
                    declared=declared,
                )
    return problems + _rds_problems(path, spec, environments, catalog=catalog)


def _environments_of(spec: SecretSpec, *, catalog: Catalog) -> list[str]:
    return [environment for environment in catalog.environments if spec.exists_in(environment)]


def _per_environment_problems(
    path: str,
    entries: Mapping[str, object],
    environments: list[str],
    *,
    catalog: Catalog,
    what: str,
) -> Problems:
    """Keys are environments the secret exists in; for the master, every one of them."""
    problems: Problems = []
    known = set(catalog.environments)
    for environment in entries:
        if environment not in known:
            allowed = ", ".join(sorted(known))
            problems.append((path, f"unknown environment {environment!r}; known: {allowed}"))
        elif environment not in environments:
            problems.append(
                (
                    path,
                    f"the secret does not exist in environment {environment!r} "
                    f"(only_in: {', '.join(environments)}); remove the {what} of {environment!r}",
                )
            )
    if what == "master" and known:
        problems += [
            (path, f"has no master for environment {environment!r}, where the secret exists")
            for environment in environments
            if environment not in entries
        ]
    return problems


def _name_problems(
    path: str, name: str, environments: Iterable[str], *, catalog: Catalog, declared: set[str]
) -> Problems:
    """A catalog secret name: declared, and existing wherever it is the master."""
    if name not in declared:
        return [(path, f"unknown secret {name!r}")]
    master = catalog.secrets.get(name)
    if master is None:  # declared, but invalid: reported already
        return []
    return [
        (
            path,
            f"secret {name!r} does not exist in environment {environment!r}; "
            "add it to the master's only_in",
        )
        for environment in environments
        if not master.exists_in(environment)
    ]


def _reference_problems(
    path: str, reference: str, environment: str, *, catalog: Catalog, declared: set[str]
) -> Problems:
    if not is_arn(reference):
        return _name_problems(path, reference, [environment], catalog=catalog, declared=declared)
    if "*" in reference or "?" in reference:
        return [(path, MSG_WILDCARD.format(what="secret", value=reference))]
    if not SECRET_ARN.fullmatch(reference):
        return [(path, MSG_SECRET_ARN.format(value=reference))]
    return []


def _rds_problems(
    path: str, spec: SecretSpec, environments: list[str], *, catalog: Catalog
) -> Problems:
    rotation = spec.rotation
    assert rotation is not None
    rds = rotation.rds or {}
    problems = _per_environment_problems(
        f"{path}.rds", rds, environments, catalog=catalog, what="rds list"
    )
    for environment, arns in rds.items():
        if environment not in environments:
            continue
        if not arns:
            problems.append((f"{path}.rds.{environment}", "must list at least one ARN"))
        for index, arn in enumerate(arns):
            where = f"{path}.rds.{environment}.{index}"
            if "*" in arn or "?" in arn:
                problems.append((where, MSG_WILDCARD.format(what="database", value=arn)))
            elif not RDS_ARN.fullmatch(arn):
                problems.append((where, MSG_RDS_ARN.format(value=arn)))
    for environment in environments:
        master = rotation.master_in(environment) or ""
        found = SECRET_ARN.fullmatch(master) if is_arn(master) else None
        databases = [match for arn in rds.get(environment, []) if (match := RDS_ARN.fullmatch(arn))]
        where = f"{path}.rds.{environment}"
        problems += _managed_master_problems(where, found, databases, environment=environment)
        problems += _place_problems(where, [*filter(None, [found]), *databases], environment)
    return problems


def _managed_master_problems(
    path: str, master: re.Match[str] | None, databases: list[re.Match[str]], *, environment: str
) -> Problems:
    """RDS's own master secret needs its instance or cluster listed, to be described."""
    if master is None:
        return []
    for prefix, arn_kind in RDS_MANAGED_PREFIXES.items():
        if master["name"].startswith(prefix) and not any(
            database["kind"] == arn_kind for database in databases
        ):
            kind = "instance" if arn_kind == "db" else "cluster"
            message = MSG_NEEDS_RDS.format(environment=environment, kind=kind, arn_kind=arn_kind)
            return [(path, message)]
    return []


def _place_problems(path: str, arns: list[re.Match[str]], environment: str) -> Problems:
    """One environment's ARNs name one partition, account and region: the stack's."""
    places = sorted({f"{arn['partition']}/{arn['account']}/{arn['region']}" for arn in arns})
    if len(places) < 2:
        return []
    return [(path, MSG_MIXED_PLACES.format(environment=environment, places=", ".join(places)))]
