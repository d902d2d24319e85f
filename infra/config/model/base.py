"""What every config section shares: the section base model, how an invariant is refused on
its own key, and the text patterns several sections check."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    ValidationError,
)
from pydantic.alias_generators import to_camel
from pydantic_core import InitErrorDetails, PydanticCustomError

IMAGE_REF = re.compile(
    r"^(?:[a-z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:[._-][a-z0-9]+)*"
    r"(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$"
)
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
HOSTNAME = re.compile(r"^(?=.{1,253}\Z)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\Z")
DNS_LABEL = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
"""A Kubernetes DNS-1123 label (namespaces, Services); pydantic patterns match the whole text."""
DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$"
"""A Kubernetes DNS-1123 subdomain (Secrets, IngressClasses), at most 253 characters."""
INT32_MAX = 2_147_483_647

Problem = tuple[str, str, object, str]
"""(field alias, what is wrong, the value given, what is allowed)."""


def _refuse(model: str, problems: list[Problem]) -> None:
    """Raise the model's invariant violations as validation errors on the fields they concern,
    so each is reported under its own key (``nowry:backend.minCount: ...``)."""
    if problems:
        raise ValidationError.from_exception_data(
            model,
            [
                InitErrorDetails(
                    type=PydanticCustomError("invariant", "{problem}", {"problem": problem, "allowed": allowed}),
                    loc=(alias,),
                    input=given,
                )
                for alias, problem, given, allowed in problems
            ],
        )


def one_source(key: str, given: dict[str, str | None]) -> Problem | None:
    """Exactly one of ``given`` must be set (an image, a build context, a built folder)."""
    chosen = [name for name, value in given.items() if value]
    if len(chosen) == 1:
        return None
    names = " or ".join(f"{key}.{name}" for name in given)
    return ("", f"set exactly one of {names}", ", ".join(chosen) if chosen else "none", "exactly one")


def quantity(text: str) -> float:
    """A Kubernetes CPU or memory quantity in base units (cores, bytes)."""
    units = {"m": 1e-3, "Ki": 1024, "Mi": 1024**2, "Gi": 1024**3}
    for suffix, factor in units.items():
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


class Section(BaseModel):
    """A config object: camelCase keys, unknown keys refused, immutable once loaded."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True, allow_inf_nan=False
    )


def parse_boolean(text: str) -> bool:
    """A config value as true/false (``true``, ``false``, ``1``, ``0``, ...); ValueError otherwise."""
    from pydantic import TypeAdapter

    try:
        return TypeAdapter(bool).validate_python(text)
    except ValidationError:
        raise ValueError(f"not a boolean: {text!r}") from None


NAME_MAX, PATH_MAX = 255, 4096
"""The longest file name and path a Linux (or macOS) file system holds, in bytes (POSIX NAME_MAX,
PATH_MAX as Linux and ext4 set them)."""


def _fits_a_file_system(path: str | None) -> str | None:
    """A path a file system can hold: no NUL, every part at most ``NAME_MAX`` bytes, the whole at
    most ``PATH_MAX`` (checked before the path is looked at, so the answer is this error, never an
    ``OSError``)."""
    if path is None:
        return None
    if "\x00" in path:
        raise ValueError("holds a NUL character, which no path may")
    if len(path.encode()) > PATH_MAX:
        raise ValueError(f"is longer than the {PATH_MAX} bytes a path may be")
    if any(len(part.encode()) > NAME_MAX for part in path.split("/")):
        raise ValueError(f"has a part longer than the {NAME_MAX} bytes a file or folder name may be")
    return path


PathText = Annotated[str, AfterValidator(_fits_a_file_system)]
"""A path from config: text a file system can hold."""
