"""Access review records: systems, account snapshots, the people directory, reviews and removals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, utcnow

# Flags an account can carry; flagged accounts go to the system owner and need a reason to keep.
UNKNOWN_OWNER = "unknown_owner"
LIKELY_LEAVER = "likely_leaver"


class DirectoryPerson(Base):
    """Someone the organisation knows by email: Slack user, manager, department, still employed."""

    __tablename__ = "directory_people"

    email: Mapped[str] = mapped_column(String(200), primary_key=True)  # lower case
    user_id: Mapped[str | None] = mapped_column(String(64), index=True)
    manager_email: Mapped[str | None] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(200))
    # Deactivated in Slack (or marked so in the people file): their accounts are likely leavers'.
    deactivated: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(32))  # people_file, slack, google
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AccountMapping(Base):
    """A manual link from one system's account to a person's email (service accounts, aliases)."""

    __tablename__ = "access_account_mappings"
    __table_args__ = (UniqueConstraint("system", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    system: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[str] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(200))


class AccessSystem(Base):
    """A system whose accounts are reviewed (GitHub, Google Workspace, the VPN ...)."""

    __tablename__ = "access_systems"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # lower case, as typed in --systems
    owner_email: Mapped[str | None] = mapped_column(String(200))
    owner_user_id: Mapped[str | None] = mapped_column(String(64))
    connector: Mapped[str | None] = mapped_column(String(32))  # None = file imports only
    snapshot_id: Mapped[int | None] = mapped_column(Integer)  # the current population
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AccessSnapshot(Base):
    """One pulled or imported list of accounts, exactly as reviewed (its bytes are a Blob)."""

    __tablename__ = "access_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("access_systems.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(300))  # file:users.csv, github:acme, google:acme.com
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    accounts: Mapped[int] = mapped_column(Integer, default=0)
    taken_by: Mapped[str] = mapped_column(String(200))
    ledger_seq: Mapped[int | None] = mapped_column(Integer)


class AccessAccount(Base):
    """One account in one snapshot, matched (or not) to a person."""

    __tablename__ = "access_accounts"
    __table_args__ = (UniqueConstraint("snapshot_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("access_snapshots.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[str] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(300), default="")
    privileged: Mapped[bool] = mapped_column(default=False)
    last_login: Mapped[str | None] = mapped_column(String(40))  # as the system gave it
    suspended: Mapped[bool] = mapped_column(default=False)
    granted_by: Mapped[str | None] = mapped_column(String(200))  # email of who granted it
    manager_email: Mapped[str | None] = mapped_column(String(200))  # from the identity provider
    person_email: Mapped[str | None] = mapped_column(String(200))  # whose account it is
    user_id: Mapped[str | None] = mapped_column(String(64))  # their Slack user, when matched
    flags: Mapped[list[Any]] = mapped_column(default=list)


class AccessReview(Base):
    """A periodic review of the accounts of some systems."""

    __tablename__ = "access_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    systems: Mapped[list[Any]] = mapped_column(default=list)  # system names
    reviewer_mode: Mapped[str] = mapped_column(String(16))  # manager or owner
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(64))


class AccessReviewItem(Base):
    """One account to decide in one review, and who decided what, when and why."""

    __tablename__ = "access_review_items"
    __table_args__ = (UniqueConstraint("review_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("access_reviews.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("access_accounts.id"))
    system: Mapped[str] = mapped_column(String(64))
    reviewer: Mapped[str] = mapped_column(String(64), index=True)  # Slack user ID
    # Why this reviewer: manager, owner, flagged, own_account, granter, left, security.
    assigned_because: Mapped[str] = mapped_column(String(32))
    privileged: Mapped[bool] = mapped_column(default=False)
    flags: Mapped[list[Any]] = mapped_column(default=list)
    decision: Mapped[str | None] = mapped_column(String(8))  # keep or revoke
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    ledger_seq: Mapped[int | None] = mapped_column(Integer)


class AccessRemoval(Base):
    """A revoke to carry out on the system, followed until done, verified or accepted as an exception."""

    __tablename__ = "access_removals"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("access_review_items.id", ondelete="CASCADE"), unique=True
    )
    review_id: Mapped[int] = mapped_column(ForeignKey("access_reviews.id", ondelete="CASCADE"))
    system: Mapped[str] = mapped_column(String(64))
    account: Mapped[str] = mapped_column(String(300))  # the account ID to remove
    owner: Mapped[str] = mapped_column(String(64))  # who removes it (Slack user ID)
    # open, done (marked), verified (gone on the next pull), still_present, exception
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_by: Mapped[str | None] = mapped_column(String(64))
    done_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    verified_at: Mapped[datetime | None]
    exception_by: Mapped[str | None] = mapped_column(String(64))
    exception_reason: Mapped[str | None] = mapped_column(Text)
    ledger_seq: Mapped[int | None] = mapped_column(Integer)  # the latest record about it
