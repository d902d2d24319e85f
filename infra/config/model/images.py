"""Image references: pinned by a tag other than ``latest`` or by a digest."""

from __future__ import annotations

from infra.config.model.base import IMAGE_REF, Problem


def image_tag_and_digest(reference: str) -> tuple[str, str]:
    """The tag and the digest (``sha256:...``) of an image reference; either may be empty."""
    name, _, digest = reference.partition("@")
    return name.rsplit("/", 1)[-1].partition(":")[2], digest


def image_problem(value: str | None) -> tuple[str, str] | None:
    """What is wrong with an image reference, and what is allowed; None when it is fine."""
    if value is None:
        return None
    if not IMAGE_REF.fullmatch(value):
        return "is not an image reference", "registry/name:tag"
    tag, digest = image_tag_and_digest(value)
    if not digest and tag in ("", "latest"):
        return "must be pinned by a tag other than 'latest' or by a digest", "name:1.4.2 or name@sha256:..."
    return None


def _image_problems(**images: str | None) -> list[Problem]:
    found = []
    for alias, value in images.items():
        problem = image_problem(value)
        if problem:
            found.append((alias, problem[0], value, problem[1]))
    return found
