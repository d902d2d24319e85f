"""The offline engine: the real program under a recording mock monitor (see docs/cli.md for the
plan it produces). ``infra.engine.runner`` runs a program; ``infra.engine.plan`` is the plan."""
