"""The one typed settings object; the only reader of the environment."""

from __future__ import annotations

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
