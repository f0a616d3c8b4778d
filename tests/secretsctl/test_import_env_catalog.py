"""The catalog edit of `secretsctl import-env --apply`: entries appended, the rest untouched."""

from __future__ import annotations

import pytest
import yaml

from inputs.exceptions import InputError
from secretsctl.import_env_catalog import append_entries, write_catalog
from secretsctl.import_env_classify import CONFIG, EXTERNAL, GENERATE, Proposal
from secretsctl.import_env_dotenv import EnvVariable

CATALOG_TEXT = """\
# The inventory.
environments: [dev, prod]

secrets:
    admin-token:            # four-space indentation, kept
        description: Admin API token
        generate: {length: 64}

# Services use the secrets.
services:
    api:
        env: {ADMIN_TOKEN: admin-token}
"""


def new(name: str, kind: str, *, key: str = "") -> Proposal:
    return Proposal(
        variable=EnvVariable(name=name.upper().replace("-", "_"), value="SENTINEL", line=1),
        kind=kind,
        reason="",
        secret_name=name,
        config_key=key,
    )


def test_entries_are_appended_to_the_secrets_block_and_nothing_else_changes():
    proposals = [new("db-password", GENERATE), new("openai-key", CONFIG, key="openaiKey")]

    updated = append_entries(CATALOG_TEXT, proposals, source=".env", file="catalog.yaml")

    head, _, tail = CATALOG_TEXT.partition("\n# Services use the secrets.")
    assert updated.startswith(head)
    assert updated.endswith("\n# Services use the secrets." + tail)
    inserted = updated[len(head) : len(updated) - len(tail) - len("\n# Services use the secrets.")]
    assert inserted == (
        "\n"
        "    db-password:\n"
        '        description: "Imported from .env (DB_PASSWORD)"\n'
        "        generate: {length: 32}\n"
        "\n"
        "    openai-key:\n"
        '        description: "Imported from .env (OPENAI_KEY)"\n'
        "        config: openaiKey\n"
    )
    parsed = yaml.safe_load(updated)
    assert list(parsed["secrets"]) == ["admin-token", "db-password", "openai-key"]
    assert parsed["services"] == {"api": {"env": {"ADMIN_TOKEN": "admin-token"}}}
    assert "SENTINEL" not in updated


def test_entries_go_to_the_end_when_secrets_is_the_last_key():
    text = "environments: [dev]\nsecrets:\n  a:\n    description: x\n    external: true"

    updated = append_entries(text, [new("b", EXTERNAL)], source=".env", file="c.yaml")

    assert yaml.safe_load(updated)["secrets"]["b"] == {
        "description": "Imported from .env (B)",
        "external": True,
    }


def test_rejects_a_catalog_without_a_secrets_block():
    with pytest.raises(InputError, match=r"c.yaml: secrets: not found as a block mapping"):
        append_entries("secrets: {a: {}}\n", [new("b", EXTERNAL)], source=".env", file="c.yaml")


def test_rejects_writing_an_invalid_catalog_and_leaves_it_unchanged(tmp_path):
    path = tmp_path / "catalog.yaml"
    path.write_text("environments: [dev]\nsecrets:\n  a:\n    description: x\n")  # no source

    with pytest.raises(InputError) as raised:
        write_catalog(path, [new("b", EXTERNAL)], source=".env")

    assert raised.value.problems[-1] == "catalog.yaml: left unchanged"
    assert path.read_text() == "environments: [dev]\nsecrets:\n  a:\n    description: x\n"


def test_keeps_crlf_line_ends_and_only_adds_lines(tmp_path):
    # GIVEN a catalog written on Windows
    path = tmp_path / "catalog.yaml"
    original = (
        b"environments: [dev]\r\nsecrets:\r\n  a:\r\n    description: x\r\n    external: true\r\n"
    )
    path.write_bytes(original)

    # WHEN an entry is appended
    assert write_catalog(path, [new("b", EXTERNAL)], source=".env") == 1

    # THEN every line still ends in CRLF and the old lines are byte for byte as they were
    written = path.read_bytes()
    assert written.startswith(original)
    assert written[len(original) :] == (
        b'\r\n  b:\r\n    description: "Imported from .env (B)"\r\n    external: true\r\n'
    )


def test_writes_through_a_symlink_and_keeps_the_link(tmp_path):
    # GIVEN catalog.yaml is a link to a shared file
    shared = tmp_path / "shared"
    shared.mkdir()
    target = shared / "catalog.yaml"
    target.write_text(
        "environments: [dev]\nsecrets:\n  a:\n    description: x\n    external: true\n"
    )
    target.chmod(0o640)
    link = tmp_path / "catalog.yaml"
    link.symlink_to(target)

    # WHEN an entry is appended through the link
    write_catalog(link, [new("b", EXTERNAL)], source=".env")

    # THEN the link is still a link, and its target holds the new entry with its mode
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert yaml.safe_load(target.read_text())["secrets"]["b"]["external"] is True
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in shared.iterdir()) == ["catalog.yaml"]  # no temporary left


def test_a_proposal_with_a_problem_is_left_out(tmp_path):
    path = tmp_path / "catalog.yaml"
    path.write_text("environments: [dev]\nsecrets:\n  a:\n    description: x\n    external: true\n")
    too_long = Proposal(
        variable=EnvVariable(name="B", value="SENTINEL", line=1),
        kind=EXTERNAL,
        reason="",
        secret_name="b",
        problem="longer than Secrets Manager's 65,536 bytes",
    )

    assert write_catalog(path, [too_long, new("c", EXTERNAL)], source=".env") == 1

    assert list(yaml.safe_load(path.read_text())["secrets"]) == ["a", "c"]
