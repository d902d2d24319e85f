"""nowry-infra: Nowry's infrastructure as code on Pulumi, with an offline engine to plan it."""

PROJECT = "nowry"
"""The Pulumi project name; config keys live under the ``nowry:`` namespace."""
