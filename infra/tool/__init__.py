"""The ``nowry-infra`` tool: everything only the command (and the policy pack) loads; ``pulumi up`` never imports it."""
