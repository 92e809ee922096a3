"""One Settings object, read once from INCUBATOR_* environment variables."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path


def _env(name: str, default: str) -> str:
    return os.environ.get(f"INCUBATOR_{name}", default)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(f"INCUBATOR_{name}")
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"INCUBATOR_{name} must be a whole number, not {raw!r}") from exc


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(f"INCUBATOR_{name}")
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _env_days(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    raw = os.environ.get(f"INCUBATOR_{name}")
    if raw is None or raw.strip() == "":
        return default
    try:
        days = tuple(sorted({int(part) for part in raw.split(",") if part.strip()}, reverse=True))
    except ValueError as exc:
        raise SystemExit(
            f"INCUBATOR_{name} must be whole numbers like 90,30,7, not {raw!r}"
        ) from exc
    return days or default


def _env_networks(name: str, default: str) -> tuple[IPv4Network | IPv6Network, ...]:
    raw = _env(name, default)
    try:
        return tuple(ip_network(part.strip()) for part in raw.split(",") if part.strip())
    except ValueError as exc:
        raise SystemExit(
            f"INCUBATOR_{name} must be addresses or networks like 10.0.0.0/8,::1, not {raw!r}"
        ) from exc


def _secret_key(var_dir: Path) -> str:
    """INCUBATOR_SECRET_KEY, or a key kept beside the embedded database for a local run.

    Production sets the variable; a local run keeps a generated key in ./var so that
    sessions and CSRF cookies survive restarts and are shared by local workers.
    """
    configured = os.environ.get("INCUBATOR_SECRET_KEY")
    if configured:
        return configured
    var_dir.mkdir(parents=True, exist_ok=True)
    key_file = var_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str = field(repr=False)
    var_dir: Path
    base_url: str = "http://127.0.0.1:8000"
    # PostgreSQL connection pool size per process.
    pool_min: int = 1
    pool_max: int = 10
    # A session ends this many hours after its last use, and at most after session_max_days.
    session_idle_hours: int = 12
    session_max_days: int = 14
    # Failed log-ins per account (and per address) allowed within the window.
    login_max_failures: int = 5
    login_window_minutes: int = 15
    invitation_days: int = 7
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = False
    mail_from: str = "Cyberport Community <community@localhost>"
    logo_max_bytes: int = 512 * 1024
    # A file that answers an application's question (the request's whole body stays under
    # Litestar's 10 MB).
    upload_max_bytes: int = 8 * 1024 * 1024
    # Pushing exports to partners: per-attempt timeout, attempts before a delivery is dead,
    # and the first wait between attempts (it grows four-fold each time).
    webhook_timeout_seconds: int = 20
    webhook_max_attempts: int = 8
    webhook_backoff_seconds: int = 60
    # Hosts webhooks may reach over plain http and inside the network (by name or address,
    # any port); every other endpoint must be https on a public address.
    webhook_allowed_hosts: tuple[str, ...] = ()
    # Exports a partner (or staff for it) may ask for within an hour; scheduled ones are free.
    partner_exports_per_hour: int = 12
    # Reminders: the days or hours before a date that each source reminds at (settings, not
    # constants), the local hour day-based reminders go out, how far back a sweep looks after
    # downtime, and retries.
    reminder_lease_days: tuple[int, ...] = (90, 30, 7)
    reminder_mou_days: tuple[int, ...] = (90, 30)
    reminder_event_hours: int = 24
    reminder_profile_days: int = 180
    reminder_hour: int = 9
    reminder_grace_hours: int = 72
    reminder_max_attempts: int = 6
    reminder_backoff_seconds: int = 60
    # How often the scheduler sweeps and delivers, and after how long a claim left by a
    # process that died is taken back.
    reminder_tick_seconds: int = 60
    reminder_stale_seconds: int = 600
    # The longest one email may take to hand to the SMTP server.
    smtp_timeout_seconds: int = 30
    # Whether this process runs the scheduled jobs (web workers beside a scheduler: no).
    run_scheduler: bool = True
    # The benchmarks' reference endpoints under /bench (bench/README.md); off in production.
    debug: bool = False
    # How long the outbox keeps an email it did not send (personal data).
    outbox_days: int = 30
    # Who may read /metrics: these networks, or anyone with the token as a bearer token.
    metrics_allow: tuple[IPv4Network | IPv6Network, ...] = (
        ip_network("127.0.0.0/8"),
        ip_network("::1/128"),
    )
    metrics_token: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if self.reminder_send_seconds >= self.reminder_stale_seconds:
            raise ValueError(
                f"INCUBATOR_REMINDER_STALE_SECONDS ({self.reminder_stale_seconds}) must be longer "
                f"than the longest send: INCUBATOR_SMTP_TIMEOUT_SECONDS "
                f"({self.smtp_timeout_seconds}) and INCUBATOR_WEBHOOK_TIMEOUT_SECONDS "
                f"({self.webhook_timeout_seconds}), or a claim could be taken back while its "
                "reminder is still being sent"
            )

    @property
    def reminder_send_seconds(self) -> int:
        """The longest a reminder's delivery may take: an email or a webhook push."""
        return max(self.smtp_timeout_seconds, self.webhook_timeout_seconds)

    @property
    def engine_name(self) -> str:
        return (
            "postgres"
            if self.database_url.startswith(("postgres://", "postgresql://"))
            else "sqlite"
        )

    @property
    def cookie_secure(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def smtp_configured(self) -> bool:
        return bool(self.smtp_host)


def load_settings() -> Settings:
    try:
        return _load_settings()
    except ValueError as exc:  # a rule between settings: said plainly, without a trace
        raise SystemExit(str(exc)) from exc


def _load_settings() -> Settings:
    var_dir = Path(_env("VAR_DIR", "./var")).resolve()
    return Settings(
        database_url=_env("DATABASE_URL", f"sqlite:///{var_dir / 'incubator.sqlite3'}"),
        secret_key=_secret_key(var_dir),
        var_dir=var_dir,
        base_url=_env("BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        pool_min=_env_int("POOL_MIN", 1),
        pool_max=_env_int("POOL_MAX", 10),
        session_idle_hours=_env_int("SESSION_IDLE_HOURS", 12),
        session_max_days=_env_int("SESSION_MAX_DAYS", 14),
        login_max_failures=_env_int("LOGIN_MAX_FAILURES", 5),
        login_window_minutes=_env_int("LOGIN_WINDOW_MINUTES", 15),
        invitation_days=_env_int("INVITATION_DAYS", 7),
        smtp_host=_env("SMTP_HOST", ""),
        smtp_port=_env_int("SMTP_PORT", 25),
        smtp_username=_env("SMTP_USERNAME", ""),
        smtp_password=_env("SMTP_PASSWORD", ""),
        smtp_starttls=_env_bool("SMTP_STARTTLS", False),
        mail_from=_env("MAIL_FROM", "Cyberport Community <community@localhost>"),
        logo_max_bytes=_env_int("LOGO_MAX_BYTES", 512 * 1024),
        upload_max_bytes=_env_int("UPLOAD_MAX_BYTES", 8 * 1024 * 1024),
        webhook_timeout_seconds=_env_int("WEBHOOK_TIMEOUT_SECONDS", 20),
        webhook_max_attempts=_env_int("WEBHOOK_MAX_ATTEMPTS", 8),
        webhook_backoff_seconds=_env_int("WEBHOOK_BACKOFF_SECONDS", 60),
        webhook_allowed_hosts=tuple(
            h.strip().lower() for h in _env("WEBHOOK_ALLOWED_HOSTS", "").split(",") if h.strip()
        ),
        partner_exports_per_hour=_env_int("PARTNER_EXPORTS_PER_HOUR", 12),
        run_scheduler=_env_bool("SCHEDULER", True),
        reminder_lease_days=_env_days("REMINDER_LEASE_DAYS", (90, 30, 7)),
        reminder_mou_days=_env_days("REMINDER_MOU_DAYS", (90, 30)),
        reminder_event_hours=_env_int("REMINDER_EVENT_HOURS", 24),
        reminder_profile_days=_env_int("REMINDER_PROFILE_DAYS", 180),
        reminder_hour=_env_int("REMINDER_HOUR", 9),
        reminder_grace_hours=_env_int("REMINDER_GRACE_HOURS", 72),
        reminder_max_attempts=_env_int("REMINDER_MAX_ATTEMPTS", 6),
        reminder_backoff_seconds=_env_int("REMINDER_BACKOFF_SECONDS", 60),
        reminder_tick_seconds=_env_int("REMINDER_TICK_SECONDS", 60),
        reminder_stale_seconds=_env_int("REMINDER_STALE_SECONDS", 600),
        smtp_timeout_seconds=_env_int("SMTP_TIMEOUT_SECONDS", 30),
        debug=_env_bool("DEBUG", False),
        outbox_days=_env_int("OUTBOX_DAYS", 30),
        metrics_allow=_env_networks("METRICS_ALLOW", "127.0.0.0/8,::1/128"),
        metrics_token=_env("METRICS_TOKEN", ""),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
