"""The access review domain's refusal."""

from __future__ import annotations

from core.errors import DomainError


class AccessReviewError(DomainError):
    """An access review request that cannot be done as asked; the message says what to do."""
