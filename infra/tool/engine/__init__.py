"""The offline engine: the real program under a recording mock monitor (see docs/cli.md for the
plan it produces). ``infra.tool.engine.runner`` runs a program; ``infra.tool.engine.plan`` is the plan."""
