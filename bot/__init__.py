"""Talking to people: the Slack app, the local console and the `compliance-bot` command."""

__version__ = "0.1.0"
