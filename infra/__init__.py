"""nowry-infra: Nowry's infrastructure as code on Pulumi, with an offline engine to plan it.

Two kinds of module live under ``infra/``, and the folders say which is which:

- the program, which ``pulumi up`` and ``pulumi preview`` run (``main: infra/``):
  ``__main__.py`` and ``program.py``, the typed stack config (``config/``), the phase registry
  (``phases.py``), physical names (``naming.py``), the AWS and Railway clients the program's
  dynamic providers call (``aws_client.py``, ``railway_api.py``; the tool's live readers use them
  too) and the adapter over the Pulumi SDK's internals
  (``sdk.py``) — with ``stacks/`` and ``components/`` beside them;
- the ``nowry-infra`` tool (``tool/``), which only the command (and the policy pack in
  ``policy/``, which runs ``tool/rules/``) loads: the offline engine, the kinds table, the
  policy rules, the cost estimate, migrations, pictures, boto3 operations and the CLI.

The program never imports the tool; ``tests/test_layers.py`` keeps it so.
"""

PROJECT = "nowry"
"""The Pulumi project name; config keys live under the ``nowry:`` namespace."""
