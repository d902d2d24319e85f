"""The recording monitor: the SDK's mock monitor, keeping every registration it answers."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import pulumi
from google.protobuf import struct_pb2
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.proto import resource_pb2

from infra.tool.engine import placeholders
from infra.tool.engine.wire import make_secret, struct_to_dict

STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class Registration:
    """One ``RegisterResource`` request, as the engine saw it."""

    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    provider: str
    dependencies: tuple[str, ...]
    protect: bool
    retain_on_delete: bool
    wire_inputs: dict[str, Any]
    property_dependencies: dict[str, tuple[str, ...]]
    aliases: tuple[str, ...] = ()
    """The URNs this resource answered to before (``aliases``), so a move keeps its state."""


class OfflineMocks(Mocks):
    """Answers registrations and invokes with deterministic placeholders."""

    def __init__(self, region: str = "us-east-1") -> None:
        self.region = region

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        computed = placeholders.computed_attributes(args.typ, args.name, args.inputs, self.region)
        resource_id = args.resource_id or placeholders.placeholder_id(args.typ, args.name, computed)
        state = {**computed, **args.inputs}
        return resource_id, state

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return placeholders.invoke_result(args.token, args.args, self.region), []


class Recorder(MockMonitor):
    """A ``MockMonitor`` that records every registration (thread-safe: the SDK calls it
    from executor threads)."""

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self._lock = threading.Lock()
        self.registrations: list[Registration] = []
        self.stack_urn: str | None = None

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """The URN the real engine mints: the parent's whole qualified type chain, then this type
        (the SDK's own ``create_urn``, pulumi/runtime/resource.py, prefixes the parent URN up to its
        last ``::``; the mock monitor keeps only the parent's last type, which differs for a
        resource two components deep). The stack is left out of its children's chain."""
        if parent and parent != self.stack_urn:
            type_ = f"{parent.split('::')[2]}${type_}"
        return "::".join(("urn:pulumi:" + pulumi.get_stack(), pulumi.get_project(), type_, name))

    def alias_urns(self, request: Any) -> tuple[str, ...]:
        """The old URNs of the request's aliases: given whole, or as a spec (name, type, parent or
        none) resolved the way the engine resolves it, the unset parts taken from the resource."""
        found = []
        for alias in request.aliases:
            if alias.urn:
                found.append(alias.urn)
                continue
            spec = alias.spec
            parent = "" if spec.noParent else (spec.parentUrn or request.parent)
            found.append(self.make_urn(parent, spec.type or request.type, spec.name or request.name))
        return tuple(sorted(set(found)))

    def RegisterResource(self, request: Any) -> Any:
        response = _with_secret_outputs(super().RegisterResource(request), request)
        if request.type == STACK_TYPE:
            self.stack_urn = response.urn
            return response
        registration = Registration(
            urn=response.urn,
            type=request.type,
            name=request.name,
            parent=request.parent,
            custom=bool(request.custom),
            provider=request.provider,
            dependencies=tuple(sorted(set(request.dependencies))),
            protect=request.HasField("protect") and request.protect,
            retain_on_delete=request.HasField("retainOnDelete") and request.retainOnDelete,
            wire_inputs=struct_to_dict(request.object),
            property_dependencies={
                key: tuple(sorted(value.urns)) for key, value in request.propertyDependencies.items()
            },
            aliases=self.alias_urns(request),
        )
        with self._lock:
            self.registrations.append(registration)
        return response


def _with_secret_outputs(response: Any, request: Any) -> Any:
    """Mark ``additionalSecretOutputs`` secret, as the real engine does (the mock does not)."""
    names = list(request.additionalSecretOutputs)
    if not names:
        return response
    state = struct_to_dict(response.object)
    for name in names:
        if name in state:
            state[name] = make_secret(state[name])
    answer = struct_pb2.Struct()
    answer.update(state)
    return resource_pb2.RegisterResourceResponse(urn=response.urn, id=response.id, object=answer)
