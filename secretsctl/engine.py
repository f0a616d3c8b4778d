"""Runs the real Pulumi program in-process under the SDK's mock engine and records it."""

from __future__ import annotations

import concurrent.futures
import contextlib
import gc
import runpy
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import resource as sdk_resource
from pulumi.runtime import rpc, settings
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs
from pulumi.runtime.proto import resource_pb2, source_pb2
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from secretsctl.engine_registration import fast_registration

SECRET = "[secret]"
UNKNOWN = "[unknown]"
_SECRET_WIRE = {rpc._special_sig_key: rpc._special_secret_sig}


@dataclass
class RecordedResource:
    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    protect: bool
    ignore_changes: list[str]
    inputs: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)

    def as_plan(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "protect": self.protect,
            "ignoreChanges": self.ignore_changes,
            "inputs": self.inputs,
            "outputs": self.outputs,
        }


@dataclass
class ProgramRun:
    resources: list[RecordedResource]
    outputs: dict[str, Any]


def masked(value: Any) -> Any:
    """A wire value as plain data, every Pulumi secret replaced by `[secret]`."""
    return _plain(value, reveal=False)


def revealed(value: Any) -> Any:
    """A wire value as plain data with secrets unwrapped, for the mocks only."""
    return _plain(value, reveal=True)


def _plain(value: Any, *, reveal: bool) -> Any:
    if isinstance(value, dict):
        signature = value.get(rpc._special_sig_key)
        if signature == rpc._special_secret_sig:
            return _plain(value.get("value"), reveal=reveal) if reveal else SECRET
        if signature == rpc._special_output_value_sig:
            if value.get("secret") and not reveal:
                return SECRET
            return _plain(value.get("value", rpc.UNKNOWN), reveal=reveal)
        if signature == rpc._special_resource_sig:
            return value.get("id") or value.get("urn")
        return {key: _plain(item, reveal=reveal) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item, reveal=reveal) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value == rpc.UNKNOWN:
        return UNKNOWN
    return value


def _struct(value: dict[str, Any]) -> struct_pb2.Struct:
    """Plain data to the wire without an event loop (the monitor runs on executor threads)."""
    wire = struct_pb2.Struct()
    wire.update(value)
    return wire


class RecordingMonitor(MockMonitor):
    """The SDK's MockMonitor, plus what it leaves out for a plan.

    It records parent, protect and ignoreChanges, and treats `additionalSecretOutputs` and
    secret inputs as the engine does: those outputs reach the program as secrets and appear in
    the record as `[secret]`.
    """

    def __init__(self, mocks: pulumi.runtime.Mocks, *, stack_urn_type: str = "pulumi:pulumi:Stack"):
        super().__init__(mocks)
        self.records: dict[str, RecordedResource] = {}
        self._stack_urn_type = stack_urn_type

    def RegisterResource(self, request):
        urn, resource_id, wire_state = self.record(
            type=request.type,
            name=request.name,
            parent=request.parent,
            custom=bool(request.custom),
            protect=bool(request.protect),
            ignore_changes=list(request.ignoreChanges),
            secret_outputs=list(request.additionalSecretOutputs),
            import_id=request.importId,
            provider=request.provider,
            inputs=json_format.MessageToDict(request.object),
        )
        if request.type == self._stack_urn_type:
            return resource_pb2.RegisterResourceResponse(urn=urn)
        return resource_pb2.RegisterResourceResponse(
            urn=urn, id=resource_id, object=_struct(wire_state)
        )

    def record(
        self,
        *,
        type: str,
        name: str,
        parent: str,
        custom: bool,
        protect: bool,
        ignore_changes: list[str],
        secret_outputs: list[str],
        import_id: str,
        provider: str,
        inputs: dict[str, Any],
    ) -> tuple[str, str, dict[str, Any]]:
        """Records one registration and answers it: `(urn, id, wire state)`.

        Both paths call it: RegisterResource (the SDK's, a protobuf request) and
        engine_registration (the plan's, plain data).
        """
        urn = self.make_urn(parent, type, name)
        if type == self._stack_urn_type:
            return urn, "", {}
        secret_keys = {key for key, value in inputs.items() if masked(value) == SECRET}
        secret_keys |= set(secret_outputs)
        resource_args = MockResourceArgs(
            typ=type,
            name=name,
            inputs=revealed(inputs),
            provider=provider,
            resource_id=import_id,
            custom=custom,
        )
        resource_id, state = self.mocks.new_resource(resource_args)
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, resource_id, state)
        wire_state = {
            key: {**_SECRET_WIRE, "value": value} if key in secret_keys else value
            for key, value in state.items()
        }
        self.records[urn] = RecordedResource(
            urn=urn,
            type=type,
            name=name,
            parent=parent if parent and "::pulumi:pulumi:Stack::" not in parent else None,
            custom=custom,
            protect=protect,
            ignore_changes=ignore_changes,
            inputs=masked(inputs),
            outputs={
                key: SECRET if key in secret_keys else masked(value) for key, value in state.items()
            },
        )
        return urn, resource_id or "", wire_state

    def Invoke(self, request):
        args = MockCallArgs(
            token=request.tok,
            args=revealed(json_format.MessageToDict(request.args)),
            provider=request.provider,
        )
        return resource_pb2.ResourceInvokeResponse(**{"return": _struct(self.mocks.call(args))})

    def RegisterResourceOutputs(self, request):
        self.record_outputs(urn=request.urn, outputs=json_format.MessageToDict(request.outputs))
        return super().RegisterResourceOutputs(request)

    def record_outputs(self, *, urn: str, outputs: dict[str, Any]) -> None:
        """A component's `register_outputs`, as its record's outputs."""
        record = self.records.get(urn)
        if record is not None:
            record.outputs = masked(outputs)


def run_program(
    *,
    program: Path,
    project: str,
    stack: str,
    config: dict[str, str],
    secret_keys: list[str],
    mocks: pulumi.runtime.Mocks,
    sdk_registration: bool = False,
) -> ProgramRun:
    """Runs `program` (a Pulumi `__main__.py`) to completion with `preview=False`.

    `config` uses full keys (`app-secrets:prefix`) with the string values the engine would
    pass; `secret_keys` are those that are Pulumi secrets. Resources are registered through
    secretsctl/engine_registration.py; `sdk_registration=True` takes the SDK's own path
    instead (about twice as slow; the reference the tests compare plans with).
    """
    monitor = RecordingMonitor(mocks)
    # A fresh root stack per run: set_mocks reuses an existing one, with the last run's exports.
    settings.set_root_resource(None)
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False, monitor=monitor)
    pulumi.runtime.set_all_config(config, secret_keys)
    project_dir = str(program.parent)
    if project_dir not in sys.path:
        sys.path.insert(0, project_dir)
    registration = (
        contextlib.nullcontext() if sdk_registration else fast_registration(monitor.record)
    )
    with _without_source_positions(), _monitor_calls_inline(), registration:
        _sync_await(run_pulumi_func(lambda: runpy.run_path(str(program), run_name="__main__")))
        outputs = _sync_await(_stack_outputs())
    # Arrival order follows the order Outputs resolve in: sort for stable plans.
    resources = sorted(monitor.records.values(), key=lambda record: record.urn)
    return ProgramRun(resources=resources, outputs=outputs)


class _InlineExecutor(concurrent.futures.ThreadPoolExecutor):
    """Runs each call at once on the calling thread and hands back a finished future.

    The SDK sends every engine call to the loop's default executor because a real engine
    answers over gRPC; the recording monitor answers in microseconds, so the thread hand-off
    (a lock, a condition and a context switch per call) costs more than the call itself.
    """

    def submit(self, fn, /, *args, **kwargs):
        future: concurrent.futures.Future = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Python's cycle collector is off for the block, and back on (if it was) afterwards.

    A plan creates a few hundred thousand short-lived objects (Outputs, futures, callbacks) and
    keeps its records alive to the end, so the collector's full passes re-scan a growing heap:
    at 1,000 secrets they were a quarter of the plan. The cycles left behind (Outputs and their
    callbacks) are a few tens of megabytes, collected once the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def _monitor_calls_inline() -> Iterator[None]:
    """The event loop's default executor is an _InlineExecutor for the run, then restored."""
    loop = _ensure_event_loop()
    original = loop._default_executor
    loop.set_default_executor(_InlineExecutor(max_workers=1))
    try:
        yield
    finally:
        loop._default_executor = original


@contextlib.contextmanager
def _without_source_positions() -> Iterator[None]:
    """Skips the stack walk the SDK does per resource to tell the engine where it was declared.

    A plan never shows source positions, and the walk is about a tenth of a large plan's time.
    If the SDK renames its private hook, plans are just slower.
    """
    original = getattr(sdk_resource, "_get_stack_trace", None)
    if original is None:
        yield
        return
    sdk_resource._get_stack_trace = source_pb2.StackTrace
    try:
        yield
    finally:
        sdk_resource._get_stack_trace = original


async def _stack_outputs() -> dict[str, Any]:
    root = pulumi.runtime.get_root_resource()
    exported = getattr(root, "outputs", {}) or {}
    resolved = {}
    for name, value in exported.items():
        output = pulumi.Output.from_input(value)
        is_secret = await output.is_secret()
        resolved[name] = SECRET if is_secret else await output.future()
    return resolved
