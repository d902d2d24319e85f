"""Components of the kubernetes phase (pulumi-kubernetes)."""
