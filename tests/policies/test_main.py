"""Tests for policies/__main__.py: the pack as the Pulumi CLI runs it, over gRPC."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

PACK_DIR = Path(__file__).resolve().parents[2] / "policies"
SECRET = "aws:secretsmanager/secret:Secret"
STARTUP_SECONDS = 60


@pytest.fixture(scope="module")
def analyzer() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    """The pack served the way `pulumi preview --policy-pack policies` starts it."""
    # `python -m pulumi.policy <engine> <pack dir>` runs the pack with runpy.run_path(<pack
    # dir>), from inside the pack directory and with nothing else of the project on sys.path:
    # the pack itself makes the `policies` package and aws_model/ beside it importable.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:0", str(PACK_DIR)],
        cwd=PACK_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], STARTUP_SECONDS)
        port = process.stdout.readline().strip() if ready else ""  # type: ignore[union-attr]
        if not port.isdigit():
            process.kill()
            pytest.fail(f"the pack did not start: {port!r} {process.communicate()[1][-2000:]}")
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        process.kill()
        process.wait()


def _struct(values: dict[str, object]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(values)
    return struct


def test_pack_describes_every_rule(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    from policies import RULES

    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)

    assert info.name == "app-secrets-guardrails"
    assert [policy.name for policy in info.policies] == [rule.name for rule in RULES]
    levels = {policy.name: policy.enforcementLevel for policy in info.policies}
    assert levels["secret-rotation-recommended"] == analyzer_pb2.ADVISORY
    assert levels["secret-encrypted-with-cmk"] == analyzer_pb2.MANDATORY


def test_pack_rejects_a_secret_with_the_aws_managed_key(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    request = analyzer_pb2.AnalyzeRequest(
        type=SECRET,
        urn=f"urn:pulumi:dev::app-secrets::{SECRET}::admin-token",
        name="admin-token",
        properties=_struct(
            {
                "kmsKeyId": "alias/aws/secretsmanager",
                "tags": {"Project": "acme", "Environment": "prod", "ManagedBy": "pulumi"},
            }
        ),
        options=analyzer_pb2.AnalyzerResourceOptions(protect=True),
    )

    response = analyzer.Analyze(request, timeout=30)

    assert [d.policyName for d in response.diagnostics] == ["secret-encrypted-with-cmk"]
    [diagnostic] = response.diagnostics
    assert diagnostic.enforcementLevel == analyzer_pb2.MANDATORY
    assert "Fix: Set kmsKeyId" in diagnostic.message
