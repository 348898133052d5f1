"""The one typed settings object; the only reader of the environment."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from knowledge.model_files import DEFAULT_MODEL, ModelError, resolve

SLACK_DEFAULT_API_URL = "https://slack.com/api/"
SOC2_CATEGORIES = ("security", "availability", "confidentiality", "processing_integrity", "privacy")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class ConfigError(Exception):
    """A setting has a bad value; the message is one line naming the variable."""


_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class Settings(BaseSettings):
    """Every setting compliance-bot reads, from the environment or an optional `.env` file."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        # `KNOWLEDGE_DIR=` in a copied .env.example means "not set", not "the current directory".
        env_ignore_empty=True,
    )

    database_url: str = Field(
        default="sqlite:///compliance-bot.db",
        description="SQLAlchemy URL: sqlite:///file.db or postgresql+psycopg://user@host/db",
    )
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = SLACK_DEFAULT_API_URL
    security_team: Annotated[list[str], NoDecode] = Field(default_factory=list)
    security_channel: str | None = None
    tz: str = Field(default="UTC", validation_alias=AliasChoices("COMPLIANCE_TZ", "TZ"))
    knowledge_dir: Path | None = None
    index_dir: Path = Path(".compliance-bot/index")
    evidence_max_bytes: int = Field(default=25 * 1024 * 1024, gt=0)
    # A whole download (not one read) must finish within this; slow files wait in their own pool.
    evidence_download_seconds: float = Field(default=60.0, gt=0, le=3600)
    evidence_download_workers: int = Field(default=4, ge=1, le=32)
    delivery_rate: float = Field(default=5.0, gt=0, le=100)
    answer_min_score: float = Field(default=0.35, ge=0, le=1)
    nudge_days_before: int = Field(default=7, ge=0, le=90)
    escalate_after_days: int = Field(default=7, ge=1, le=180)
    work_start_hour: int = Field(default=9, ge=0, le=23)
    work_end_hour: int = Field(default=17, ge=1, le=24)
    campaign_reminder_days: int = Field(default=3, ge=1, le=60)
    witness_interval_hours: int = Field(default=24, ge=1, le=24 * 31)
    worker_interval_seconds: int = Field(default=60, ge=5, le=3600)
    soc2_categories: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["security"])
    digest_day: str = "monday"
    digest_hour: int = Field(default=9, ge=0, le=23)
    log_level: str = "INFO"
    # --- search model (issue 27) ---
    embedding_model: str = DEFAULT_MODEL
    embedding_model_sha256: str | None = None
    # --- risks and suppliers (issue 24) ---
    # Likelihood and impact are each scored 1..RISK_SCALE; a risk's score is their product.
    risk_scale: int = Field(default=5, ge=3, le=10)
    # Level names with the lowest score each starts at, e.g. low:1,medium:5,high:10,critical:17.
    risk_levels: Annotated[list[tuple[str, int]], NoDecode] = Field(
        default_factory=lambda: [("low", 1), ("medium", 5), ("high", 10), ("critical", 17)]
    )
    # An accepted risk whose residual score is above this needs the owner's explicit sign-off ...
    risk_acceptance_score: int = Field(default=6, ge=1)
    # ... and above this also a SECURITY_TEAM member's approval.
    risk_approval_score: int = Field(default=12, ge=1)
    # Days before a supplier's assurance (report, certificate) expires that its owner is nudged.
    supplier_assurance_days_before: int = Field(default=30, ge=1, le=365)
    # access reviews: read-only connectors (unset = that connector is off)
    github_org: str | None = None
    github_token: SecretStr | None = None
    github_api_url: str = "https://api.github.com"
    google_workspace_domain: str | None = None
    google_service_account_file: Path | None = None
    google_admin_email: str | None = None
    connector_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    # A rate limit that clears within this many seconds is waited out; a longer one stops the pull.
    connector_max_wait_seconds: int = Field(default=60, ge=0, le=3600)
    # --- incidents (issue 23) ---
    # Hours from awareness of a personal-data breach to the notification deadline (GDPR: 72).
    incident_notification_hours: int = Field(default=72, ge=1, le=24 * 30)
    # Days after an incident is resolved by which its post-incident review is due.
    incident_review_days: int = Field(default=14, ge=1, le=180)
    # -- reliability (shutdown, retries, import caps) --
    # Seconds a stopping `serve` gives unfinished Slack work before it exits (Docker waits 10 s).
    shutdown_grace_seconds: float = Field(default=8.0, ge=0, le=600)

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                "expected a URL like sqlite:///compliance-bot.db or postgresql+psycopg://user@host/db"
            ) from None
        backend = url.get_backend_name()
        if backend not in {"sqlite", "postgresql"}:
            raise ValueError(f"unsupported database '{backend}': use sqlite or postgresql")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("expected an http(s) URL such as https://slack.com/api/")
        # Every Web API call carries the bot token: plain http only to this machine (a test fake).
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
            raise ValueError("use https: the bot token would travel in clear over http")
        return value if value.endswith("/") else value + "/"

    @field_validator("knowledge_dir")
    @classmethod
    def _check_knowledge_dir(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError(
                f"{value} is not a folder: point it at your policies and answers, or leave it empty"
            )
        return value

    @field_validator("embedding_model")
    @classmethod
    def _check_embedding_model(cls, value: str) -> str:
        # Only that it exists here: its weights are hashed when it loads (at start, before serving).
        try:
            resolve(value)
        except ModelError as exc:
            raise ValueError(str(exc).removeprefix("EMBEDDING_MODEL: ")) from None
        return value.strip()

    @field_validator("embedding_model_sha256")
    @classmethod
    def _check_sha256(cls, value: str | None) -> str | None:
        if value and not re.fullmatch(r"[0-9a-fA-F]{64}", value.strip()):
            raise ValueError("expected the 64 hex digits of the weights file's SHA-256")
        return value.strip().lower() if value else None

    @model_validator(mode="after")
    def _check_working_hours(self) -> Settings:
        if self.work_start_hour >= self.work_end_hour:
            raise ValueError(
                f"WORK_START_HOUR ({self.work_start_hour}) must be before WORK_END_HOUR "
                f"({self.work_end_hour}): reminders are sent between the two"
            )
        return self

    @field_validator("security_team", mode="before")
    @classmethod
    def _split_team(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("security_team")
    @classmethod
    def _check_team(cls, value: list[str]) -> list[str]:
        for member in value:
            if member[:1] not in {"U", "W", "S"} or not member.isalnum():
                raise ValueError(f"'{member}' is not a Slack user ID (U…/W…) or user group ID (S…)")
        return value

    @field_validator("security_channel")
    @classmethod
    def _check_channel(cls, value: str | None) -> str | None:
        if value and not (value[:1] in {"C", "G"} and value.isalnum()):
            raise ValueError("expected a Slack channel ID such as C0123ABCD")
        return value or None

    @field_validator("tz")
    @classmethod
    def _check_tz(cls, value: str) -> str:
        name = value.lstrip(":")
        if "zoneinfo/" in name:  # TZ=/usr/share/zoneinfo/Europe/Berlin
            name = name.split("zoneinfo/", 1)[1]
        elif name == "/etc/localtime":  # the system default: we schedule in UTC then
            name = "UTC"
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("expected an IANA time zone such as Europe/Berlin or UTC") from None
        return name

    @field_validator("soc2_categories", mode="before")
    @classmethod
    def _split_categories(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("soc2_categories")
    @classmethod
    def _check_categories(cls, value: list[str]) -> list[str]:
        chosen: list[str] = []
        for raw in value:
            name = raw.strip().lower().replace(" ", "_").replace("-", "_")
            if name not in SOC2_CATEGORIES:
                raise ValueError(
                    f"unknown category '{raw}'; choose from {', '.join(SOC2_CATEGORIES)}"
                )
            if name not in chosen:
                chosen.append(name)
        if "security" not in chosen:
            # The common criteria (CC1–CC9) belong to every SOC 2 report.
            raise ValueError("security (the common criteria) is always in scope; list it too")
        return chosen

    @field_validator("digest_day")
    @classmethod
    def _check_day(cls, value: str) -> str:
        day = value.strip().lower()
        for name in WEEKDAYS:
            if day in {name, name[:3]}:
                return name
        raise ValueError("expected a day of the week such as monday (or mon)")

    @field_validator("log_level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("expected one of DEBUG, INFO, WARNING, ERROR")
        return value.upper()

    # --- risks and suppliers (issue 24) ---
    @field_validator("risk_levels", mode="before")
    @classmethod
    def _split_levels(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        levels: list[tuple[str, int]] = []
        for part in (p.strip() for p in value.split(",") if p.strip()):
            name, _, start = part.partition(":")
            if not name.strip() or not start.strip().isdigit():
                raise ValueError(f"'{part}' should be name:lowest-score, e.g. high:10")
            levels.append((name.strip().lower(), int(start)))
        return levels

    @field_validator("risk_levels")
    @classmethod
    def _check_levels(cls, value: list[tuple[str, int]]) -> list[tuple[str, int]]:
        starts = [start for _, start in value]
        if not value or starts[0] != 1 or starts != sorted(set(starts)):
            raise ValueError("levels must start at score 1 and rise, e.g. low:1,medium:5,high:10")
        return value

    @model_validator(mode="after")
    def _check_risk_scores(self) -> Settings:
        top = self.risk_scale * self.risk_scale
        if self.risk_levels[-1][1] > top:
            raise ValueError(f"RISK_LEVELS: a level starts above the highest score ({top})")
        if not self.risk_acceptance_score <= self.risk_approval_score <= top:
            raise ValueError(
                f"RISK_ACCEPTANCE_SCORE ({self.risk_acceptance_score}) must be at most "
                f"RISK_APPROVAL_SCORE ({self.risk_approval_score}), at most {top} (RISK_SCALE squared)"
            )
        return self

    # access reviews
    @field_validator("google_service_account_file")
    @classmethod
    def _check_key_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"{value} is not a file: point it at the service account's JSON key")
        return value

    @field_validator("github_api_url")
    @classmethod
    def _check_github_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("expected an http(s) URL such as https://api.github.com")
        # The token travels with every call: plain http only to this machine (a test fake).
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
            raise ValueError("use https: the token would travel in clear over http")
        return value.rstrip("/")

    @property
    def zone(self) -> ZoneInfo:
        """The default time zone as a ZoneInfo."""
        return ZoneInfo(self.tz)


def _line(err: Any) -> str:
    """One bad variable: its name as set (an alias such as COMPLIANCE_TZ as given) and why."""
    message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    loc = err.get("loc") or ()
    # A check across variables (working hours) has no single location; its message names them.
    if not loc:
        return message
    name = str(loc[0]).upper()
    # Pydantic reports the first alias whichever was set: name both, as either may be in use.
    return f"{'COMPLIANCE_TZ or TZ' if name in {'TZ', 'COMPLIANCE_TZ'} else name}: {message}"


def load_settings(**overrides: object) -> Settings:
    """Build Settings, turning validation errors into one ConfigError line per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError("\n".join(_line(err) for err in exc.errors())) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests build their own with load_settings)."""
    return load_settings()
