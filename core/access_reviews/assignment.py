"""Who decides on each account, with segregation of duties: never on one's own or one's own grant."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access_reviews import people
from core.access_reviews.errors import AccessReviewError
from core.access_reviews.models import AccessAccount, AccessSystem, DirectoryPerson
from core.models import Person

MANAGER = "manager"
OWNER = "owner"
MODES = (MANAGER, OWNER)


@dataclass
class Assigner:
    """Chooses reviewers for one review from the directory, read once."""

    mode: str
    security: list[str]  # Slack user IDs of the security team, the last resort
    db_session: Session
    _by_email: dict[str, DirectoryPerson] = field(default_factory=dict)
    _by_user: dict[str, DirectoryPerson] = field(default_factory=dict)
    _cached_managers: dict[str, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise AccessReviewError(f"--reviewer must be manager or owner, not '{self.mode[:20]}'.")
        if not self.security:
            raise AccessReviewError(
                "SECURITY_TEAM names no user ID (U…): accounts nobody else may decide go to the "
                "security team, so list at least one person there."
            )
        self._by_email = people.directory(db_session=self.db_session)
        self._by_user = {p.user_id: p for p in self._by_email.values() if p.user_id}
        rows = self.db_session.execute(select(Person.user_id, Person.manager_user_id))
        self._cached_managers = {user: manager for user, manager in rows}

    def manager(self, user_id: str) -> str | None:
        """Someone's manager: people file or identity provider first, else Slack's people cache."""
        person = self._by_user.get(user_id)
        if person is not None and person.manager_email:
            manager = self._by_email.get(person.manager_email)
            if manager is not None and manager.user_id:
                return manager.user_id
        return self._cached_managers.get(user_id)

    def left(self, user_id: str) -> bool:
        """Whether someone has left (deactivated in Slack or marked so in the people file)."""
        person = self._by_user.get(user_id)
        return bool(person and person.deactivated)

    def email(self, user_id: str) -> str | None:
        """Someone's email in the directory."""
        person = self._by_user.get(user_id)
        return person.email if person else None

    def _idp_manager(self, account: AccessAccount) -> str | None:
        found = self._by_email.get((account.manager_email or "").lower())
        return found.user_id if found and found.user_id else None

    def choose(self, account: AccessAccount, system: AccessSystem) -> tuple[str, str]:
        """(reviewer, why) for one account."""
        owner = system.owner_user_id
        if account.flags:
            candidate, why = owner, "flagged"
        elif self.mode == OWNER or not account.user_id:
            candidate, why = owner, OWNER
        else:
            manager = self.manager(account.user_id) or self._idp_manager(account)
            candidate, why = (manager, MANAGER) if manager else (owner, OWNER)
        if candidate and self.left(candidate):
            candidate, why = (owner, "left") if owner and not self.left(owner) else (None, "left")
        if candidate is not None and not self._allowed(candidate, account):
            why = "own_account" if candidate == account.user_id else "granter"
            candidate = self._instead_of(candidate, account)
            if candidate is None:
                return self._security(account), why
            return candidate, why
        if candidate is None:
            return self._security(account), "security"
        return candidate, why

    def _allowed(self, reviewer: str, account: AccessAccount) -> bool:
        """Nobody decides on their own account or on access they granted."""
        if reviewer == account.user_id:
            return False
        granter = (account.granted_by or "").lower()
        return not (granter and granter == (self.email(reviewer) or "").lower())

    def _instead_of(self, reviewer: str, account: AccessAccount) -> str | None:
        manager = self.manager(reviewer)
        if manager and not self.left(manager) and self._allowed(manager, account):
            return manager
        return None

    def _security(self, account: AccessAccount) -> str:
        for member in self.security:
            if self._allowed(member, account):
                return member
        raise AccessReviewError(
            f"Nobody may review account {account.account_id}: it belongs to (or was granted by) "
            "every SECURITY_TEAM member. Add another person to SECURITY_TEAM."
        )
