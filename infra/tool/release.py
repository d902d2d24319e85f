"""A new backend image for a stack: validated, planned, and written into its stack file.

App repositories release through this (the ``release`` workflow): the image reference must
be pinned by digest, the stack must still plan and pass the policy check with it, and the
change lands as a one-line edit of ``Pulumi.<stack>.yaml`` (comments and layout kept) that
goes through the same pull request, preview, policy and environment protection as any other
change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from infra.config.model import IMAGE_REF
from infra.config.source import StackFileError

DIGEST = re.compile(r"@sha256:[a-f0-9]{64}\Z")


class ReleaseError(Exception):
    """The image or the stack file does not allow the release: a usage error."""


@dataclass(frozen=True)
class Bump:
    path: Path
    old: str | None
    new: str
    text: str
    """The stack file's new text."""


def check_image(image: str) -> None:
    """An image reference pinned by digest; raise ``ReleaseError`` naming what is allowed."""
    if not IMAGE_REF.fullmatch(image) or not DIGEST.search(image):
        raise ReleaseError(
            f"--backend-image: {image!r} is not an image reference pinned by digest; "
            "allowed: registry/name@sha256:<64 hex digits> (optionally name:tag@sha256:...)"
        )


def bump_backend_image(stack_file: Path, image: str) -> Bump:
    """The stack file with ``nowry:backend``'s ``image`` set to ``image``; nothing else changes."""
    check_image(image)
    if not stack_file.is_file():
        raise StackFileError(f"no stack file {stack_file}")
    lines = stack_file.read_text().splitlines(keepends=True)
    section = _find(lines, r"^(\s*)nowry:backend:\s*(#.*)?$")
    if section is None:
        raise ReleaseError(f"{stack_file.name}: has no nowry:backend section to set the image in")
    indent = len(lines[section]) - len(lines[section].lstrip())
    for index in range(section + 1, len(lines)):
        line = lines[index]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if len(line) - len(line.lstrip()) <= indent:
            break
        match = re.match(r"^(\s*image:\s*)(\S+)(\s*(#.*)?)$", line.rstrip("\n"))
        if match:
            old = match.group(2).strip("'\"")
            lines[index] = f"{match.group(1)}{image}{match.group(3)}\n"
            return Bump(stack_file, old, image, "".join(lines))
    raise ReleaseError(
        f"{stack_file.name}: nowry:backend has no image (it builds from a context); releases set a published image"
    )


def _find(lines: list[str], pattern: str) -> int | None:
    for index, line in enumerate(lines):
        if re.match(pattern, line.rstrip("\n")):
            return index
    return None
