"""Resource registration for the offline plan: the SDK's own steps, minus the engine round trip.

The SDK's `register_resource` is written for an engine across gRPC: it hands every call to a
thread, builds a protobuf request the monitor decodes again, computes each URN through a chain
of Outputs, and gives each output property four futures and a task. Under the recording monitor
that plumbing was about two thirds of a 4,000-resource plan. `fast_registration()` swaps in a
version that keeps the SDK's steps that decide what a resource is (`prepare_resource` for inputs,
parent, provider and dependencies; `resolve_outputs` for the program's view of the result) and
answers in the same task; a plain scalar input is serialised without the SDK's type checks, and
the monitor's answer is read without a protobuf Struct. Options the recording monitor does not
model (transforms, hooks, state migrations, remote components, package references) take the
SDK's path unchanged.

tests/secretsctl/test_engine_registration.py proves both paths give the same plan.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from google.protobuf import struct_pb2
from pulumi import _types, log
from pulumi import resource as sdk_resource_module
from pulumi.output import Output, _OutputData
from pulumi.runtime import resource as sdk_resource
from pulumi.runtime import rpc, settings

Resolver = Callable[..., None]


@contextlib.contextmanager
def fast_registration(record: Callable[..., tuple[str, str, dict[str, Any]]]) -> Iterator[None]:
    """Resources and component outputs are registered through `record` for the block.

    `record(type=, name=, parent=, custom=, protect=, ignore_changes=, secret_outputs=,
    import_id=, provider=, inputs=)` gets the wire inputs as a dict and returns
    `(urn, id, wire_state)`; RecordingMonitor.record is the one the plan uses.
    """
    original = sdk_resource_module.register_resource
    original_outputs = sdk_resource_module.register_resource_outputs
    original_serialize = rpc.serialize_property

    def register(
        res, ty, name, custom, remote, new_dependency, props, opts, typ=None, package_ref=None
    ):
        if remote or package_ref is not None or _needs_engine(opts):
            original(res, ty, name, custom, remote, new_dependency, props, opts, typ, package_ref)
            return
        _register(
            res, ty=ty, name=name, custom=custom, props=props, opts=opts, typ=typ, record=record
        )

    async def serialize_property(value, *args, **kwargs):
        """rpc.serialize_property, answering a plain scalar at once: the SDK returns it
        unchanged after a dozen type checks, for three in four of a plan's property values."""
        protobuf = args[_PROTOBUF_ARGUMENT] if len(args) > _PROTOBUF_ARGUMENT else False
        if type(value) in _SCALARS and not (protobuf or kwargs.get("return_protobuf_value")):
            return value
        return await original_serialize(value, *args, **kwargs)

    sdk_resource_module.register_resource = register
    sdk_resource_module.register_resource_outputs = _register_outputs
    rpc.serialize_property = serialize_property
    try:
        yield
    finally:
        sdk_resource_module.register_resource = original
        sdk_resource_module.register_resource_outputs = original_outputs
        rpc.serialize_property = original_serialize


def _needs_engine(opts) -> bool:
    """Options only the SDK's own path (and a real engine) implements."""
    return opts is not None and bool(
        opts.transforms
        or _has_hooks(opts.hooks)
        or opts.state_migrations
        or opts.replace_with
        or opts.replacement_trigger is not None
    )


def _has_hooks(binding) -> bool:
    """The SDK gives every resource a ResourceHookBinding; it matters when a hook is in it."""
    if binding is None:
        return False
    return any(value for value in vars(binding).values())


def _register(res, *, ty, name, custom, props, opts, typ, record) -> None:
    """The SDK's register_resource with the monitor called in place (see the module docstring)."""
    from pulumi.resource import ResourceOptions

    opts = opts if opts is not None else ResourceOptions()
    resolve_urn, res.__dict__["urn"] = _resource_output(res)
    resolve_id = None
    if custom:
        resolve_id, res.__dict__["id"] = _resource_output(res)
    resolvers = _transfer_properties(res, props, custom=custom)

    async def do_register() -> None:
        try:
            prepared = await sdk_resource.prepare_resource(res, ty, custom, False, props, opts, typ)
            urn, resource_id, state = record(
                type=ty,
                name=name,
                parent=prepared.parent_urn or "",
                custom=custom,
                protect=bool(opts.protect),
                ignore_changes=sdk_resource._translate_ignore_changes(res, typ, opts.ignore_changes)
                or [],
                secret_outputs=sdk_resource._translate_additional_secret_outputs(
                    res, typ, opts.additional_secret_outputs
                )
                or [],
                import_id=opts.import_ or "",
                provider=prepared.provider_ref or "",
                inputs=struct_to_dict(prepared.serialized_props),
            )
        except Exception as exn:
            log.debug(f"exception when registering {ty=} {name=}: {traceback.format_exc()}")
            rpc.resolve_outputs_due_to_exception(resolvers, exn)
            resolve_urn(None, True, False, exn)
            if resolve_id is not None:
                resolve_id(None, True, False, exn)
            raise
        resolve_urn(urn, True, False, None)
        if resolve_id is not None:
            resolve_id(resource_id, bool(resource_id), False, None)
        try:
            _resolve_outputs(
                res,
                prepared.serialized_props,
                state,
                resolvers,
                custom=custom,
                typed=typ is not None,
            )
        except Exception as exn:
            rpc.resolve_outputs_due_to_exception(resolvers, exn)
            raise

    _start(do_register, "register resource")


def _resolve_outputs(res, serialized_props, state, resolvers, *, custom: bool, typed: bool) -> None:
    """rpc.resolve_outputs, reading the monitor's answer as plain data rather than a Struct.

    The steps and their order are the SDK's: deserialise the state, translate every property
    with the resource class's type metadata, fall back to the inputs for a property the state
    lacks, then resolve. What differs is that a class's metadata is read once, not per resource,
    and the state reaches `_deserialized` without a Struct built and read back.
    """
    types, pulumi_to_py = _class_metadata(type(res))
    translate = res.translate_output_property
    translate_to_pass = res.translate_output_property
    if typed:
        translate = lambda key: pulumi_to_py.get(key) or key  # noqa: E731
        translate_to_pass = lambda key: key  # noqa: E731
    properties: dict[str, Any] = {}
    for key, raw in state.items():
        value = _deserialized(raw)
        if value is None:
            continue
        translated_key = translate(key)
        properties[translated_key] = rpc.translate_output_properties(
            value,
            translate_to_pass,
            types.get(key),
            typed,
            path=rpc._Path(translated_key, resource=f"{res._name}"),
        )
    if not settings.is_dry_run() or settings.is_legacy_apply_enabled():
        for key, value in list(serialized_props.items()):
            translated_key = translate(key)
            if translated_key not in properties:
                properties[translated_key] = rpc.translate_output_properties(
                    rpc.deserialize_property(value),
                    translate_to_pass,
                    types.get(key),
                    typed,
                    path=rpc._Path(translated_key, resource=f"{res._name}"),
                    return_none_on_dict_type_mismatch=True,
                )
    rpc.resolve_properties(resolvers, properties, {}, custom, False)


@functools.cache
def _class_metadata(cls: type) -> tuple[dict[str, Any], dict[str, str]]:
    """The SDK's output types and Pulumi-to-Python names of a resource class (fixed per class)."""
    return _types.resource_types(cls), _types.resource_pulumi_to_py_names(cls)


def _deserialized(value: Any) -> Any:
    """rpc.deserialize_property of `value` after a trip through a Struct, without the Struct.

    A Struct keeps every number as a float; an unknown reads as None outside a preview; a
    secret inside a list or map makes the whole value secret. Other signatures (assets,
    archives, resource references, output values) are left to the SDK's own reading.
    """
    if value == rpc.UNKNOWN:
        return rpc.deserialize_property(value)
    kind = type(value)
    if kind is int:
        return float(value)
    if kind is list:
        values = [_deserialized(item) for item in value]
        if any(rpc.is_rpc_secret(item) for item in values):
            return rpc.wrap_rpc_secret([rpc.unwrap_rpc_secret(item) for item in values])
        return values
    if kind is not dict:
        return value
    if rpc._special_sig_key in value:
        if value[rpc._special_sig_key] == rpc._special_secret_sig:
            return rpc.wrap_rpc_secret(_deserialized(value["value"]))
        struct = struct_pb2.Struct()
        struct.update(value)
        return rpc.deserialize_properties(struct)
    props = {}
    for key, item in value.items():
        item = _deserialized(item)
        if item is not None:
            props[key] = item
    if any(rpc.is_rpc_secret(item) for item in props.values()):
        return rpc.wrap_rpc_secret({key: rpc.unwrap_rpc_secret(i) for key, i in props.items()})
    return props


def _resource_output(res) -> tuple[Callable[..., None], Output]:
    """sdk_resource.resource_output (for `urn` and `id`), as an untracked Output."""
    data: asyncio.Future = asyncio.Future()

    def resolve(value, known, secret, exn) -> None:
        if exn is not None:
            _fail(data, exn)
            return
        data.set_result(_output_data({res}, value, known=known, secret=secret))

    return resolve, _untracked(data)


def _transfer_properties(res, props, *, custom: bool) -> dict[str, Resolver]:
    """rpc.transfer_properties with one future per property instead of four and a task.

    The resolvers keep the SDK's signature and meaning: the property depends on `res` and on
    `deps`, and a failure fails the property.
    """
    resolvers: dict[str, Resolver] = {}
    for name in props:
        if name == "urn" or (name == "id" and custom):
            continue
        data: asyncio.Future = asyncio.Future()
        resolvers[name] = _resolver(res, data)
        res.__dict__[name] = _untracked(data)
    return resolvers


_SCALARS = (str, int, float, bool, type(None))

_PROTOBUF_ARGUMENT = 7
"""Where `return_protobuf_value` sits among rpc.serialize_property's arguments after `value`."""


def _output_data(resources: set, value: Any, *, known: bool, secret: bool) -> _OutputData:
    """_OutputData(...), without its check for unknowns inside a scalar, which holds none: the
    check walks every value, and most of a plan's 70,000 property values are strings."""
    if type(value) not in _SCALARS:
        return _OutputData(resources=resources, value=value, is_known=known, is_secret=secret)
    data = object.__new__(_OutputData)
    data.resources, data.value, data.is_known, data.is_secret = resources, value, known, secret
    return data


def _fail(data: asyncio.Future, exn: BaseException) -> None:
    """Fails the future, marked as seen: the run already fails with `exn` through the SDK's RPC
    manager, and asyncio would print it again for every property nobody awaited."""
    data.set_exception(exn)
    data.exception()


def _untracked(data: asyncio.Future) -> Output:
    """An Output of `data` that the SDK's end-of-program wait does not track.

    The SDK tracks every Output so that a failure nobody awaited still fails the program. These
    futures are settled by the registration task, which the SDK's RPC manager already tracks,
    and tracking them cost a lock and a loop callback each (about 17 per resource).
    """
    output: Output = object.__new__(Output)
    output._data = data
    return output


def _resolver(res, data: asyncio.Future) -> Resolver:
    def resolve(value, is_known, is_secret, deps, failed) -> None:
        if failed is not None:
            _fail(data, failed)
            return
        resources = set(deps) if deps else set()
        resources.add(res)
        data.set_result(_output_data(resources, value, known=is_known, secret=is_secret))

    return resolve


def _register_outputs(res, outputs) -> None:
    """register_resource_outputs with the monitor called in place."""

    async def do_register_outputs() -> None:
        urn = await res.urn.future()
        serialized = await rpc.serialize_properties(outputs or {}, {})
        monitor = settings.get_monitor()
        if monitor is not None:
            monitor.record_outputs(urn=urn, outputs=struct_to_dict(serialized))

    _start(do_register_outputs, "register resource outputs")


_RUNNING: set[asyncio.Task] = set()
"""Registrations in flight: the loop itself holds tasks only weakly."""


def _start(step: Callable[[], Any], name: str) -> None:
    """Runs `step` as the SDK runs an engine call: counted, so the program waits for it, and
    its failure fails the run."""
    task = asyncio.ensure_future(sdk_resource._get_rpc_manager().do_rpc(name, step)())
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)


def struct_to_dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    """A Struct as plain data, as json_format.MessageToDict gives it (numbers are floats)."""
    return {key: _value(value) for key, value in struct.fields.items()}


def _value(value: struct_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return value.string_value
    if kind == "struct_value":
        return struct_to_dict(value.struct_value)
    if kind == "list_value":
        return [_value(item) for item in value.list_value.values]
    if kind == "number_value":
        return value.number_value
    if kind == "bool_value":
        return value.bool_value
    return None
