"""Site configuration: one TOML file IT deploys to every desk, read into frozen dataclasses.

Where the file is looked for, first hit wins:
1. the path given with ``--config`` on the command line;
2. ``$FRONTLINE_CONFIG``;
3. the per-user config dir (``~/.config/frontline/site.toml`` on Linux);
4. the site config dir (``/etc/xdg/frontline/site.toml`` on Linux, ``/etc/frontline/site.toml`` too).
With no file at all Frontline runs on its embedded default: SQLite in the per-user data dir.

Nothing secret belongs in the file: passwords live in the OS keyring (see `app.secrets`).
"""

from __future__ import annotations

import os
import tomllib
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from app.errors import ConfigError

APP_NAME = "frontline"
DEFAULT_COMPANY = "Frontline Demo Telecom"


@dataclass(frozen=True, slots=True)
class LineConfig:
    """A support line ("direction"): the dialled numbers that identify it."""

    name: str
    numbers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SipConfig:
    """The operator's SIP account.  The password is never here: it is in the keyring."""

    server: str | None = None  # registrar/proxy host; None = peer-to-peer mode
    port: int | None = None
    transport: str = "udp"  # udp | tcp | tls
    username: str | None = None
    display_name: str | None = None
    listen: str | None = None  # HOST:PORT to listen on in peer-to-peer mode
    verify_tls: bool = True
    ca_file: str | None = None
    accept_only_from_proxy: bool = True
    call_waiting: bool = True
    ring_timeout_s: int = 60
    auto_record: bool = False
    # --- INVITE flood protection: what one address may send (issue 21, part 1) ----------------------
    # INVITEs from an address over these limits are refused before the phone opens anything for them,
    # its calls still ringing are ended, and the refusals are logged once a minute.  The registrar/
    # proxy (`server`) is never limited here: limit its callers on the proxy (Kamailio's pike).
    invite_rate_per_source: float = 2.0  # INVITEs per second an address may keep sending; 0: no limit
    invite_burst_per_source: int = 10  # INVITEs an address may send at once before the rate applies


@dataclass(frozen=True, slots=True)
class SiteConfig:
    company: str = DEFAULT_COMPANY
    default_region: str = "RU"  # phonenumbers region for national formats like 8 (912) ...
    language: str | None = None  # None = follow the system locale
    database_url: str | None = None  # None = embedded SQLite in the data dir
    lines: tuple[LineConfig, ...] = ()
    wrap_up_seconds: int = 60  # after-call work before the desk is offered calls again
    sip: SipConfig = field(default_factory=SipConfig)
    source: Path | None = None  # the file this came from, for `doctor`

    def effective_database_url(self) -> str:
        return self.database_url or default_sqlite_url()


def data_dir() -> Path:
    """Per-user data (embedded database, ticket number reserve, recordings)."""
    return Path(os.environ.get("FRONTLINE_DATA_DIR") or platformdirs.user_data_dir(APP_NAME))


def log_dir() -> Path:
    return Path(os.environ.get("FRONTLINE_LOG_DIR") or platformdirs.user_log_dir(APP_NAME))


def default_sqlite_url() -> str:
    return f"sqlite:///{data_dir() / 'frontline.sqlite3'}"


def candidate_paths(explicit: str | os.PathLike[str] | None = None) -> list[Path]:
    paths: list[Path] = []
    if explicit:
        paths.append(Path(explicit))
    if env := os.environ.get("FRONTLINE_CONFIG"):
        paths.append(Path(env))
    paths.append(Path(platformdirs.user_config_dir(APP_NAME)) / "site.toml")
    paths.append(Path(platformdirs.site_config_dir(APP_NAME)) / "site.toml")
    paths.append(Path("/etc/frontline/site.toml"))
    return paths


def load_site_config(explicit: str | os.PathLike[str] | None = None) -> SiteConfig:
    """Load the first site file found; the embedded default when there is none."""
    for i, path in enumerate(candidate_paths(explicit)):
        if path.is_file():
            return parse_site_config(path.read_text(encoding="utf-8"), source=path)
        if i == 0 and explicit:
            raise ConfigError(f"Configuration file {path} does not exist.")
    return SiteConfig()


_SIP_KEYS = set(SipConfig.__dataclass_fields__)


def parse_site_config(text: str, source: Path | None = None) -> SiteConfig:
    where = str(source) if source else "site configuration"
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML ({exc}).") from exc

    site = _table(raw, "site", where)
    database = _table(raw, "database", where)
    sip_raw = _table(raw, "sip", where)

    url = database.get("url")
    if url is not None:
        url = _str(url, "database.url", where)
        if _url_has_password(url):
            raise ConfigError(
                f"{where}: database.url contains a password. Remove it and store it with "
                "`frontline admin set-password` (it goes to the OS keyring)."
            )

    lines: list[LineConfig] = []
    for i, entry in enumerate(raw.get("lines", [])):
        if not isinstance(entry, dict) or "name" not in entry:
            raise ConfigError(f"{where}: lines[{i}] needs a name.")
        numbers = entry.get("numbers", [])
        if not isinstance(numbers, list) or not all(isinstance(n, str) for n in numbers):
            raise ConfigError(f"{where}: lines[{i}].numbers must be a list of strings.")
        lines.append(LineConfig(name=_str(entry["name"], f"lines[{i}].name", where), numbers=tuple(numbers)))

    if "password" in sip_raw:
        raise ConfigError(f"{where}: the SIP password belongs in the OS keyring, not in the file.")
    unknown = set(sip_raw) - _SIP_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) in [sip]: {', '.join(sorted(unknown))}.")
    _check_invite_limits(sip_raw, where)
    transport = sip_raw.get("transport", "udp")
    if transport not in ("udp", "tcp", "tls"):
        raise ConfigError(f"{where}: sip.transport must be udp, tcp or tls, not {transport!r}.")

    return SiteConfig(
        company=_str(site.get("company", DEFAULT_COMPANY), "site.company", where),
        default_region=_str(site.get("default_region", "RU"), "site.default_region", where).upper(),
        language=site.get("language"),
        database_url=url,
        lines=tuple(lines),
        wrap_up_seconds=_wrap_up(site.get("wrap_up_seconds", 60), where),
        sip=SipConfig(**sip_raw),
        source=source,
    )


def _check_invite_limits(sip: dict[str, Any], where: str) -> None:
    rate = sip.get("invite_rate_per_source", 0)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1000:
        raise ConfigError(f"{where}: sip.invite_rate_per_source must be a number from 0 (no limit) to 1000.")
    burst = sip.get("invite_burst_per_source", 1)
    if isinstance(burst, bool) or not isinstance(burst, int) or not 1 <= burst <= 1000:
        raise ConfigError(f"{where}: sip.invite_burst_per_source must be a whole number from 1 to 1000.")


def _wrap_up(value: object, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 3600:
        raise ConfigError(f"{where}: site.wrap_up_seconds must be a whole number of seconds from 0 to 3600.")
    return value


def _table(raw: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{name}] must be a table.")
    return value


def _str(value: object, key: str, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key} must be a string.")
    return value


def _url_has_password(url: str) -> bool:
    # urllib rather than SQLAlchemy's make_url: the config is read by the UI and the softphone
    # engine too, which must not load the database layer.
    parts = urllib.parse.urlsplit(url)
    if not parts.scheme or "://" not in url:
        raise ConfigError(f"database.url {url!r} is not a database URL.")
    return parts.password is not None
