"""Components of the kubernetes phase (pulumi-kubernetes)."""

from typing import Any


def k8s_object(value: Any) -> Any:
    """A plain Kubernetes object (metadata, spec); the SDK's typed dicts accept its shape."""
    return value
