"""The one place that reads the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "change-me-in-production"  # noqa: S105 - refused outside development


class Settings(BaseSettings):
    """tsunagu's configuration, from TSUNAGU_* (and LINE_*) environment variables."""

    model_config = SettingsConfigDict(env_prefix="TSUNAGU_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{ROOT / 'var' / 'tsunagu.db'}"
    site: Path = ROOT / "handoff" / "sample_city.yaml"
    secret_key: str = DEFAULT_SECRET
    model_path: Path = ROOT / "classifier" / "models" / "tagger.pkl"
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = "http://127.0.0.1:8000"
    escalation_interval_seconds: float = Field(default=60.0, ge=0)  # 0 turns the job off
    api_token_ttl_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    max_request_bytes: int = Field(default=1_000_000, ge=1024)
    # The consultant workspace's session cookie is Secure (HTTPS only) in production unless
    # this says otherwise; plain-HTTP development and tests need it off.
    workspace_cookie_secure: bool | None = None
    # Closed consultations keep their text this long, then only anonymous counts remain.
    retention_days: float = Field(default=365.0, gt=0)
    retention_interval_seconds: float = Field(default=3600.0, ge=0)  # 0 turns the job off

    line_channel_secret: str | None = Field(default=None, validation_alias="LINE_CHANNEL_SECRET")
    line_channel_access_token: str | None = Field(
        default=None, validation_alias="LINE_CHANNEL_ACCESS_TOKEN"
    )
    # "inline": the process that takes LINE webhooks also answers them. "worker": it only
    # stores them and `tsunagu worker` (another process) answers, so a burst of webhooks and
    # the conversations never compete for one interpreter.
    line_handling: Literal["inline", "worker"] = "inline"
    process_role: Literal["web", "worker"] = "web"  # set by `tsunagu worker`
    line_api_base_url: str = Field(
        default="https://api.line.me", validation_alias="LINE_API_BASE_URL"
    )
    # How long an event stays with the process handling it before another may take it over
    # (a process that died holds its events this long).
    line_lease_seconds: float = Field(default=60.0, ge=1.0)
    # How long an answer's reserved push waits for the reply's outcome before going out on
    # its own (when the process died between the conversation and the reply).
    line_reserve_seconds: float = Field(default=90.0, ge=1.0)

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEFAULT_SECRET:
            raise ValueError("TSUNAGU_SECRET_KEY must be set outside development")
        return self

    @property
    def development(self) -> bool:
        """True in development, where the sample city's demo passwords are honoured."""
        return self.environment == "development"

    @property
    def line_enabled(self) -> bool:
        """True when both LINE credentials are configured."""
        return bool(self.line_channel_secret and self.line_channel_access_token)
