"""Pulumi runs this file (``main: infra/`` in Pulumi.yaml) for ``pulumi preview`` and ``up``."""

from infra.program import main

main()
