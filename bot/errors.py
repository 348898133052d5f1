"""Domain errors: each carries a message that is safe and useful to show the person who caused it."""

from __future__ import annotations


class UserFacingError(Exception):
    """A request that cannot be done as asked; the message says what to do instead."""


class NotAllowedError(UserFacingError):
    """The person is not allowed to do this (e.g. not in SECURITY_TEAM)."""


class UsageError(UserFacingError):
    """A command was used wrongly; carries the command name so help can be shown."""

    def __init__(self, message: str, command: str | None = None) -> None:
        super().__init__(message)
        self.command = command
