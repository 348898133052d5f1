"""Surface refusals: DomainErrors raised by bot/ itself (the one reply path per surface shows them)."""

from __future__ import annotations

from core.errors import DomainError


class UserFacingError(DomainError):
    """A request that cannot be done as asked; the message says what to do instead."""


class NotAllowedError(UserFacingError):
    """The person is not allowed to do this (e.g. not in SECURITY_TEAM)."""


class FieldError(UserFacingError):
    """One input of a modal is wrong; Slack shows the message under that input."""

    def __init__(self, message: str, block_id: str) -> None:
        super().__init__(message)
        self.block_id = block_id


class UsageError(UserFacingError):
    """A command was used wrongly; carries the command name so help can be shown."""

    def __init__(self, message: str, command: str | None = None) -> None:
        super().__init__(message)
        self.command = command
