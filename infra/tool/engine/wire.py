"""Turn the wire form of resource properties into plan values.

Wire properties are a protobuf ``Struct``: camelCase keys, every number a float, secrets
and resource references as maps tagged with Pulumi's signature key, unknowns as a
sentinel string. The plan shows integral numbers as ints, secrets as ``[secret]`` and
unknowns as ``[unknown]``.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format, struct_pb2

from infra import sdk

SECRET = "[secret]"
UNKNOWN = "[unknown]"

_SIG = sdk.SIGNATURE_KEY
_SECRET_SIG = sdk.SECRET_SIGNATURE
_RESOURCE_SIG = sdk.RESOURCE_SIGNATURE
_ASSET_SIG = sdk.ASSET_SIGNATURE
_ARCHIVE_SIG = sdk.ARCHIVE_SIGNATURE
_OUTPUT_SIG = sdk.OUTPUT_SIGNATURE


def struct_to_dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    return json_format.MessageToDict(struct)


def make_secret(value: Any) -> dict[str, Any]:
    """Wrap a wire value as a secret."""
    return {_SIG: _SECRET_SIG, "value": value}


def to_plan(value: Any, *, reveal: bool = False) -> Any:
    """A wire value as the plan shows it; ``reveal=True`` keeps secret plaintext (in memory)."""
    if isinstance(value, dict):
        sig = value.get(_SIG)
        if sig == _SECRET_SIG:
            return to_plan(value.get("value"), reveal=reveal) if reveal else SECRET
        if sig == _RESOURCE_SIG:
            return value.get("urn", UNKNOWN)
        if sig == _ASSET_SIG:
            return {"asset": value.get("path") or value.get("uri") or "[text]"}
        if sig == _ARCHIVE_SIG:
            return {"archive": value.get("path") or value.get("uri") or "[assets]"}
        if sig == _OUTPUT_SIG:
            if value.get("secret") and not reveal:
                return SECRET
            return to_plan(value["value"], reveal=reveal) if "value" in value else UNKNOWN
        return {key: to_plan(item, reveal=reveal) for key, item in value.items()}
    if isinstance(value, list):
        return [to_plan(item, reveal=reveal) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value == sdk.UNKNOWN_SENTINEL:
        return UNKNOWN
    return value
