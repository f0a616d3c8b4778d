"""The plan's registration path declares exactly what the SDK's own path declares."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
import yaml

import secretsctl.engine as engine
import secretsctl.plan as plan_module
from bench.catalogs import generated_catalog, write_stack
from secretsctl.engine import run_program
from secretsctl.engine_registration import _deserialized, fast_registration, struct_to_dict
from secretsctl.mocks import PlanMocks
from secretsctl.plan import build_plan

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
READER = "arn:aws:iam::444455556666:role/billing-reader"
POSTGRES = {
    "description": "A database login: its SecretVersion ignores the rotated fields",
    "fields": {
        "engine": {"value": "postgres"},
        "host": {"value": "db.internal"},
        "port": {"value": 5432},
        "username": {"value": "app"},
        "password": {"generate": {"length": 32}},
        "dbname": {"value": "app"},
    },
    "rotation": {"schedule": "rate(7 days)", "strategy": "postgres-single-user"},
}


def both_paths(monkeypatch, **arguments) -> tuple[dict, dict]:
    """The same plan built through engine_registration and through the SDK's own path."""
    fast = build_plan(**arguments)
    monkeypatch.setattr(
        plan_module, "run_program", functools.partial(run_program, sdk_registration=True)
    )
    reference = build_plan(**arguments)
    monkeypatch.undo()
    return fast, reference


def assert_identical(fast: dict, reference: dict) -> None:
    assert [r["urn"] for r in fast["resources"]] == [r["urn"] for r in reference["resources"]]
    for ours, theirs in zip(fast["resources"], reference["resources"], strict=True):
        assert ours == theirs, ours["urn"]
    assert json.dumps(fast, sort_keys=True) == json.dumps(reference, sort_keys=True)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_committed_stacks_plan_the_same_on_both_paths(monkeypatch, stack):
    fast, reference = both_paths(monkeypatch, stack=stack, placeholders=True)

    assert len(fast["resources"]) > 60
    assert_identical(fast, reference)


def test_a_generated_stack_with_rotation_replicas_and_sharing_plans_the_same(monkeypatch, tmp_path):
    # GIVEN every kind of secret, rotations, replicas in two regions and a shared secret
    catalog = generated_catalog(secrets=40, services=5, widest_service=12, rotate_every=2)
    catalog["secrets"]["svc-secret-0000"]["share_with"] = {"dev": [READER]}
    catalog["secrets"]["db"] = POSTGRES
    catalog_path, stack_path = write_stack(tmp_path, catalog)
    stack_file = yaml.safe_load(stack_path.read_text(encoding="utf-8"))
    stack_file["config"]["app-secrets:replicaRegions"] = ["us-west-2", "ap-southeast-2"]
    stack_path.write_text(yaml.safe_dump(stack_file), encoding="utf-8")

    # WHEN it is planned on both paths
    fast, reference = both_paths(
        monkeypatch,
        stack="dev",
        catalog_path=catalog_path,
        stack_path=stack_path,
        placeholders=True,
    )

    # THEN every resource, output, grant and finding is the same
    types = {resource["type"] for resource in fast["resources"]}
    assert {
        "aws:kms/replicaKey:ReplicaKey",
        "aws:secretsmanager/secretRotation:SecretRotation",
    } <= types
    assert any(entry.get("external") for entry in fast["access"])
    assert any(resource["ignoreChanges"] for resource in fast["resources"])
    assert_identical(fast, reference)


def test_secret_inputs_and_additional_secret_outputs_stay_secret(tmp_path):
    # GIVEN a program whose input is a secret and whose output is declared secret
    program = tmp_path / "__main__.py"
    program.write_text(
        "import pulumi, pulumi_aws as aws\n"
        "value = aws.secretsmanager.SecretVersion('v', secret_id='s',"
        " secret_string=pulumi.Output.secret('sentinel-input-3f9a'))\n"
        "secret = aws.secretsmanager.Secret('s', name='n',"
        " opts=pulumi.ResourceOptions(additional_secret_outputs=['arn']))\n"
        "pulumi.export('arn', secret.arn)\n"
        "pulumi.export('plainName', secret.name)\n",
        encoding="utf-8",
    )

    # WHEN it runs on the plan's path
    run = run_program(
        program=program,
        project="app-secrets",
        stack="dev",
        config={"aws:region": "eu-west-1"},
        secret_keys=[],
        mocks=PlanMocks(account_id="123456789012", region="eu-west-1"),
    )

    # THEN the sentinel appears nowhere, and the secret output reaches the program as a secret
    recorded = {resource.name: resource for resource in run.resources}
    assert recorded["v"].inputs["secretString"] == "[secret]"
    assert recorded["s"].outputs["arn"] == "[secret]"
    assert "sentinel-input-3f9a" not in repr(run)
    assert run.outputs == {"arn": "[secret]", "plainName": "n"}


def test_a_failing_resource_fails_the_run(tmp_path):
    program = tmp_path / "__main__.py"
    program.write_text(
        "import pulumi_aws as aws\naws.secretsmanager.Secret('s', name='n')\n", encoding="utf-8"
    )

    class Broken(PlanMocks):
        def new_resource(self, args):
            raise RuntimeError("the mock refused s")

    with pytest.raises(Exception, match="the mock refused s"):
        run_program(
            program=program,
            project="app-secrets",
            stack="dev",
            config={"aws:region": "eu-west-1"},
            secret_keys=[],
            mocks=Broken(account_id="123456789012", region="eu-west-1"),
        )


def test_options_it_does_not_model_take_the_sdks_path(monkeypatch, tmp_path):
    # GIVEN a resource with a transform (only the SDK's path and a real engine run those)
    program = tmp_path / "__main__.py"
    program.write_text(
        "import pulumi, pulumi_aws as aws\n"
        "aws.secretsmanager.Secret('plain', name='p')\n"
        "aws.secretsmanager.Secret('transformed', name='t',"
        " opts=pulumi.ResourceOptions(transforms=[lambda args: None]))\n",
        encoding="utf-8",
    )
    taken = []
    original = fast_registration

    def spying(record):
        def counting(**arguments):
            taken.append(arguments["name"])
            return record(**arguments)

        return original(counting)

    # WHEN it runs
    monkeypatch.setattr(engine, "fast_registration", spying)
    run = run_program(
        program=program,
        project="app-secrets",
        stack="dev",
        config={"aws:region": "eu-west-1"},
        secret_keys=[],
        mocks=PlanMocks(account_id="123456789012", region="eu-west-1"),
    )

    # THEN the plain one went the plan's way, the transformed one the SDK's, and both are planned
    assert taken == ["plain"]
    assert sorted(resource.name for resource in run.resources) == ["plain", "transformed"]


def test_struct_to_dict_reads_structs_as_json_format_does():
    from google.protobuf import json_format, struct_pb2

    value = {"a": "x", "n": 3, "f": 1.5, "t": True, "none": None, "l": [1, "y", {"b": []}]}
    struct = struct_pb2.Struct()
    struct.update(value)

    assert struct_to_dict(struct) == json_format.MessageToDict(struct)


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        7,
        1.5,
        True,
        None,
        [1, "a", None, {"b": 2}],
        {"n": 3, "dropped": None, "nested": {"l": [True, 2.5]}},
        {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": 5},
        [
            "x",
            {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "s"},
        ],
        {
            "k": {
                "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                "value": [1],
            }
        },
        "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        {"unknown": "04da6b54-80e4-46f7-96ec-b56ff0331ba9", "kept": "v"},
        {"4dabf18193072939515e22adb298388d": "c44067f5952c0a294b673a41bacd8c17", "text": "asset"},
    ],
)
def test_state_is_read_as_a_trip_through_a_struct_reads_it(value):
    from google.protobuf import struct_pb2
    from pulumi.runtime import rpc

    struct = struct_pb2.Struct()
    struct.update({"key": value})
    through_struct = rpc.deserialize_property(struct["key"])

    assert _typed(_deserialized(value)) == _typed(through_struct)


def _typed(value):
    """`value` with every leaf's type beside it: 7 and 7.0 differ, assets compare by content."""
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    if hasattr(value, "__dict__"):
        return (type(value).__name__, _typed(dict(vars(value))))
    return (type(value).__name__, value)


def test_the_scalar_shortcut_finds_the_sdks_protobuf_flag_where_the_sdk_puts_it():
    import inspect

    from pulumi.runtime import rpc

    from secretsctl.engine_registration import _PROTOBUF_ARGUMENT

    after_value = list(inspect.signature(rpc.serialize_property).parameters)[1:]
    assert after_value[_PROTOBUF_ARGUMENT] == "return_protobuf_value"
