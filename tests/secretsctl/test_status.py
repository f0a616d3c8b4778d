"""`secretsctl status` against moto's server: rotation and versions per secret, never a value."""

from __future__ import annotations

import json
import re

import pytest

FIRST = "SENTINEL-status-first-0b7d"
SECOND = "SENTINEL-status-second-e52a"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

pytestmark = pytest.mark.usefixtures("reads_no_value")


@pytest.fixture
def deployed(moto_stack) -> dict[str, str]:
    """Every secret of the dev stack in moto; api-token rotated once. Catalog name -> ARN."""
    login = {"engine": "postgres", "host": "db", "port": 5432, "username": "app", "dbname": "app"}
    arns = {
        "api-token": moto_stack.create("api-token", FIRST, rotation_enabled=True),
        "partner-key": moto_stack.create("partner-key", FIRST),
        "static-token": moto_stack.create("static-token", SECOND),
        "db": moto_stack.create("db", json.dumps({**login, "password": SECOND})),
    }
    moto_stack.rotate_token(arns["api-token"])
    return arns


def test_json_has_rotation_and_every_staged_version_of_each_secret(moto_stack, deployed, capsys):
    status, out, err = moto_stack.run(capsys, "status", "--format", "json")

    assert status == 0, err
    report = json.loads(out)
    assert (report["stack"], report["environment"], report["region"]) == ("dev", "dev", "us-east-1")
    rows = {row["secret"]: row for row in report["secrets"]}
    assert list(rows) == ["api-token", "partner-key", "static-token", "db"]
    token = rows["api-token"]
    assert token["secretName"] == moto_stack.full_name("api-token")
    assert token["rotationEnabled"] is True
    assert token["catalogRotation"] == "token, every 30 days"
    assert TIMESTAMP.match(token["lastRotated"])
    stages = moto_stack.service.stages(deployed["api-token"])
    assert {version["versionId"]: version["stages"] for version in token["versions"]} == stages
    assert [version["stages"] for version in token["versions"]] == [
        ["AWSCURRENT"],
        ["AWSPREVIOUS"],
    ]
    assert rows["db"]["catalogRotation"] == "postgres-single-user, rate(7 days)"
    assert rows["db"]["rotationEnabled"] is False
    assert rows["static-token"]["catalogRotation"] is None
    assert rows["static-token"]["lastRotated"] is None
    assert all(row["error"] is None for row in rows.values())


def test_table_has_a_line_per_secret_and_no_value(moto_stack, deployed, capsys):
    status, out, err = moto_stack.run(capsys, "status")

    assert status == 0, err
    lines = out.splitlines()
    assert lines[0] == "Stack dev (environment dev), region us-east-1"
    assert lines[2].split() == [
        "SECRET",
        "ROTATION",
        "CATALOG",
        "LAST",
        "ROTATED",
        "NEXT",
        "ROTATION",
        "VERSIONS",
    ]
    token = next(line for line in lines if line.startswith("api-token "))
    assert token.split()[1:5] == ["on", "token,", "every", "30"]
    assert re.search(r"[0-9a-f-]{8} AWSCURRENT; [0-9a-f-]{8} AWSPREVIOUS$", token)
    static = next(line for line in lines if line.startswith("static-token "))
    assert static.split()[1:3] == ["off", "-"]
    assert FIRST not in out + err and SECOND not in out + err


def test_reports_a_missing_secret_in_its_row_and_exits_1(moto_stack, capsys):
    moto_stack.create("api-token", FIRST, rotation_enabled=True)

    status, out, err = moto_stack.run(capsys, "status", "--format", "json")

    assert status == 1
    assert err == ""
    rows = {row["secret"]: row for row in json.loads(out)["secrets"]}
    assert rows["api-token"]["error"] is None
    assert rows["partner-key"]["error"].startswith(
        f"{moto_stack.full_name('partner-key')}: AWS error ResourceNotFoundException"
    )
    assert rows["partner-key"]["versions"] == []


def test_reads_metadata_only(moto_stack, deployed, capsys, reads_no_value):
    reads_no_value.clear()

    moto_stack.run(capsys, "status")

    assert {operation for operation, _ in reads_no_value} == {
        "DescribeSecret",
        "ListSecretVersionIds",
    }


def test_marks_a_secret_pending_deletion(moto_stack, deployed, capsys):
    # GIVEN api-token deleted with a recovery window: restorable, but unreadable meanwhile
    name = moto_stack.full_name("api-token")
    moto_stack.service.client.delete_secret(SecretId=name, RecoveryWindowInDays=7)

    # WHEN
    _, out, _ = moto_stack.run(capsys, "status", "--format", "json")
    status, table, err = moto_stack.run(capsys, "status")

    # THEN its row says so, with the time of the request and how to restore it
    assert status == 0, err
    rows = {row["secret"]: row for row in json.loads(out)["secrets"]}
    deletion = rows["api-token"]["pendingDeletion"]
    assert TIMESTAMP.match(deletion["requested"])
    assert deletion["restoreCommand"] == (
        f"aws secretsmanager restore-secret --secret-id {name} --region us-east-1 "
        f"--endpoint-url {moto_stack.endpoint_url}"
    )
    assert rows["static-token"]["pendingDeletion"] is None
    token = next(line for line in table.splitlines() if line.startswith("api-token "))
    assert f"PENDING DELETION (requested {deletion['requested']})" in token
    assert table.splitlines()[-1] == (
        f"api-token: pending deletion, requested {deletion['requested']}: unreadable until "
        f"restored: {deletion['restoreCommand']}"
    )


def test_an_html_error_page_stays_in_one_row(moto_stack, html_endpoint, capsys):
    status, out, err = moto_stack.run(capsys, "status", endpoint_url=html_endpoint)

    assert status == 1
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == 2 + 1 + 4  # title, blank, header, a row per secret
    assert lines[3].endswith(f"{moto_stack.full_name('api-token')}: AWS error 403: 403 Forbidden")
