"""Settings read from the environment (prefix-free names, as operators expect them)."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every tunable of the service; see README "Configuration"."""

    model_config = SettingsConfigDict(env_prefix="BROADSHEET_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./data/broadsheet.db",
        validation_alias="DATABASE_URL",
        description="SQLAlchemy URL; sqlite:///path (default) or postgresql+psycopg://...",
    )
    api_keys: list[str] = Field(
        default_factory=list,
        description="Keys accepted in X-API-Key for write endpoints; empty leaves writes open.",
    )
    max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    max_query_chars: int = Field(default=256, ge=16)
    max_query_terms: int = Field(default=32, ge=1)
    fetch_enabled: bool = Field(default=True, description="Allow server-side fetching (/ingest/url, feed links).")
    fetch_allow_networks: list[str] = Field(
        default_factory=list,
        description='CIDRs fetching may reach although private/loopback, e.g. ["10.0.0.0/8"]; empty: public only.',
    )
    fetch_allowed_ports: list[int] = Field(default_factory=lambda: [80, 443])
    fetch_connect_timeout: float = Field(default=5.0, gt=0)
    fetch_read_timeout: float = Field(default=10.0, gt=0)
    fetch_total_timeout: float = Field(default=30.0, gt=0)
    fetch_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024, description="Cap on a fetched body, decoded.")
    fetch_respect_robots: bool = True
    fetch_user_agent: str | None = Field(default=None, description="Overrides the default Broadsheet User-Agent.")
    parse_workers: int = Field(
        default=1, ge=0, description="Parser processes per API process; 0 parses in the request thread, unbounded."
    )
    parse_time_limit: float = Field(default=20.0, gt=0, description="Seconds one document may take to parse.")
    log_level: str = "INFO"
    log_json: bool | None = Field(
        default=None, description="JSON log lines; unset: readable lines on a terminal, JSON otherwise."
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description='Origins browsers may call the API from, e.g. ["https://dash.example"]; empty: CORS off.',
    )
    public_url: str | None = Field(
        default=None, description="The API's public base URL, for `servers` in the OpenAPI document."
    )
    sqlite_busy_timeout_ms: int = 5000
    header_timeout: float = Field(
        default=10.0, gt=0, description="Seconds a connection may take to send a request's headers (slowloris)."
    )
    body_timeout: float = Field(default=30.0, gt=0, description="Seconds a client may take to send a request body.")
    index_dir: str | None = Field(
        default=None,
        description="Folder of the derived search index; unset: beside the SQLite file, or ./data/index/<database>.",
    )
    index_wait: float = Field(
        default=2.0,
        ge=0,
        description="Seconds a search waits for the index to hold every write committed before it; then it answers.",
    )


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests clear this cache to override."""
    return Settings()


def index_path(settings: Settings) -> Path:
    """Where the search index of this database lives: one index per database, on this machine's disk."""
    if settings.index_dir:
        return Path(settings.index_dir).expanduser()
    url = settings.database_url
    prefix = "sqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        return Path(url[len(prefix) :]).expanduser().with_suffix(".index")
    name = url.rsplit("/", 1)[-1].split("?", 1)[0] or "default"
    return Path("data") / "index" / name


def ensure_sqlite_dir(url: str) -> None:
    """Create the folder of a file-backed SQLite URL so a fresh clone just works."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        Path(url[len(prefix) :]).expanduser().parent.mkdir(parents=True, exist_ok=True)
