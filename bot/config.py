"""Settings from the environment (and an optional .env file), validated at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.timeutil import BadTimezone, zone


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MLPREP_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_path: Path = Field(default=Path("data/mlprep.db"))
    content_dir: Path | None = None  # None: the built-in bank in content/questions
    timezone: str = "UTC"
    extra_content_dir: Path | None = None
    # Comma-separated topics of the built-in bank to leave out, e.g. "behavioral,sql".
    disabled_topics: Annotated[list[str], NoDecode] = Field(default_factory=list)
    log_level: str = "INFO"
    discord_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_TOKEN")
    )
    # Discord: REST base and gateway address, for a proxy or a local fake; Discord's own
    # when unset.
    discord_api_url: str | None = None
    discord_gateway_url: str | None = None
    # Shards: unset runs one connection (commands.Bot); "auto" asks Discord how many
    # (AutoShardedBot); a number runs that many in this process.
    discord_shards: Literal["auto"] | int | None = None
    # A guild id: copy the commands there and sync at start-up (instant updates while
    # developing). Without it nothing is synced at start; run `mlprep discord sync`.
    discord_dev_guild: int | None = Field(default=None, gt=0)
    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN")
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET")
    )
    # Socket Mode when SLACK_APP_TOKEN is set, HTTP (Events API) otherwise; or force one.
    slack_mode: Literal["socket", "http"] | None = None
    slack_host: str = "0.0.0.0"  # HTTP mode: where Slack's requests arrive
    slack_port: int = Field(default=3000, ge=1, le=65535)
    # The Web API base URL, for a proxy or a local fake; Slack's own when unset.
    slack_api_url: str | None = None
    # Slack user ids (comma-separated) allowed to change schedules besides workspace
    # admins and owners.
    slack_admins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _valid_zone(cls, value: str) -> str:
        try:
            zone(value)
        except BadTimezone as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("log_level")
    @classmethod
    def _valid_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError(f"'{value}' is not a log level; use DEBUG, INFO, WARNING or ERROR")
        return level

    @field_validator("content_dir", "extra_content_dir", mode="before")
    @classmethod
    def _blank_path_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("content_dir", "extra_content_dir")
    @classmethod
    def _existing_dir(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError(f"'{value}' is not a directory")
        return value

    @field_validator("disabled_topics", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    @field_validator("slack_admins", mode="before")
    @classmethod
    def _user_ids(cls, value: object) -> object:
        if isinstance(value, str):  # ids are upper case: U0123ABCD
            return [part.strip().upper() for part in value.split(",") if part.strip()]
        return value

    @field_validator("slack_api_url", mode="before")
    @classmethod
    def _api_url(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            if not value.startswith(("http://", "https://")):
                raise ValueError(f"'{value}' is not an http(s) URL, e.g. https://slack.com/api/")
            return value if value.endswith("/") else value + "/"  # the SDK joins method names
        return value

    @field_validator("discord_api_url", "discord_gateway_url", mode="before")
    @classmethod
    def _discord_url(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str):
            return value
        value = value.strip().rstrip("/")
        if not value:
            return None
        schemes = (
            ("http://", "https://") if info.field_name == "discord_api_url" else ("ws://", "wss://")
        )
        if not value.startswith(schemes):
            example = (
                "https://discord.com/api/v10"
                if info.field_name == "discord_api_url"
                else "wss://gateway.discord.gg"
            )
            raise ValueError(f"'{value}' is not a {schemes[0][:-3]}(s) URL, e.g. {example}")
        return value

    @field_validator("discord_shards", mode="before")
    @classmethod
    def _shards(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().lower()
            if not value:
                return None
            if value == "auto":
                return value
            if not value.isdigit() or int(value) < 1:
                raise ValueError(f"'{value}' is not a shard count; use auto or a number from 1")
            return int(value)
        return value

    @field_validator("discord_dev_guild", mode="before")
    @classmethod
    def _guild(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            if not value.isdigit():
                raise ValueError(
                    f"'{value}' is not a server id (a number; copy it with Developer Mode)"
                )
        return value

    @field_validator("slack_mode", mode="before")
    @classmethod
    def _mode(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().lower() or None
            if value not in (None, "socket", "http"):
                raise ValueError(f"'{value}' is not a Slack mode; use socket or http")
        return value

    @field_validator("discord_token", "slack_bot_token", "slack_app_token", "slack_signing_secret")
    @classmethod
    def _blank_is_unset(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            return None
        return value

    def main_content_dir(self, builtin: Path) -> Path:
        return self.content_dir or builtin


class ConfigurationError(Exception):
    """A setting that passed validation on its own but does not fit the loaded data."""


ENV_NAMES = {
    "discord_token": "DISCORD_TOKEN",
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_app_token": "SLACK_APP_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
}


def describe_error(exc: ValidationError) -> str:
    """One line per bad setting, naming the environment variable (never echoing secrets)."""
    lines = []
    for e in exc.errors():
        field = str(e["loc"][0]) if e["loc"] else "?"
        env = ENV_NAMES.get(field, f"MLPREP_{field.upper()}")
        lines.append(f"Configuration error: {env}: {e['msg'].removeprefix('Value error, ')}")
    return "\n".join(lines)
