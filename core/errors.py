"""The one base class of domain errors: every service raises a subclass of DomainError."""

from __future__ import annotations


class DomainError(Exception):
    """A request that cannot be done as asked; the message is safe to show and says what to do."""
