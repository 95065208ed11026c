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
from app.text import QT_TRANSLATE_NOOP, Text

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
            raise ConfigError(
                QT_TRANSLATE_NOOP("ConfigError", "The configuration file {path} does not exist.").format(
                    path=path
                )
            )
    return SiteConfig()


_SIP_KEYS = set(SipConfig.__dataclass_fields__)


def parse_site_config(text: str, source: Path | None = None) -> SiteConfig:
    where: str | Text = str(source) if source else QT_TRANSLATE_NOOP("ConfigError", "site configuration")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            QT_TRANSLATE_NOOP("ConfigError", "{where}: not valid TOML ({detail}).").format(
                where=where, detail=exc
            )
        ) from exc

    site = _table(raw, "site", where)
    database = _table(raw, "database", where)
    sip_raw = _table(raw, "sip", where)

    url = database.get("url")
    if url is not None:
        url = _str(url, "database.url", where)
        if _url_has_password(url):
            raise ConfigError(
                QT_TRANSLATE_NOOP(
                    "ConfigError",
                    "{where}: database.url contains a password. Remove it and store it with "
                    "“frontline admin set-password” (it goes to the OS keyring).",
                ).format(where=where)
            )

    lines: list[LineConfig] = []
    for i, entry in enumerate(raw.get("lines", [])):
        if not isinstance(entry, dict) or "name" not in entry:
            raise ConfigError(
                QT_TRANSLATE_NOOP("ConfigError", "{where}: lines[{index}] needs a name.").format(
                    where=where, index=i
                )
            )
        numbers = entry.get("numbers", [])
        if not isinstance(numbers, list) or not all(isinstance(n, str) for n in numbers):
            raise ConfigError(
                QT_TRANSLATE_NOOP(
                    "ConfigError", "{where}: lines[{index}].numbers must be a list of strings."
                ).format(where=where, index=i)
            )
        lines.append(LineConfig(name=_str(entry["name"], f"lines[{i}].name", where), numbers=tuple(numbers)))

    if "password" in sip_raw:
        raise ConfigError(
            QT_TRANSLATE_NOOP(
                "ConfigError",
                "{where}: the SIP password belongs in the OS keyring, not in the file. Remove it and store "
                "it with “frontline admin set-sip-password”.",
            ).format(where=where)
        )
    unknown = set(sip_raw) - _SIP_KEYS
    if unknown:
        raise ConfigError(
            QT_TRANSLATE_NOOP("ConfigError", "{where}: unknown key(s) in [sip]: {keys}.").format(
                where=where, keys=", ".join(sorted(unknown))
            )
        )
    transport = sip_raw.get("transport", "udp")
    if transport not in ("udp", "tcp", "tls"):
        raise ConfigError(
            QT_TRANSLATE_NOOP(
                "ConfigError", "{where}: sip.transport must be udp, tcp or tls, not {value}."
            ).format(where=where, value=repr(transport))
        )

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


def _wrap_up(value: object, where: str | Text) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 3600:
        raise ConfigError(
            QT_TRANSLATE_NOOP(
                "ConfigError",
                "{where}: site.wrap_up_seconds must be a whole number of seconds from 0 to 3600.",
            ).format(where=where)
        )
    return value


def _table(raw: dict[str, Any], name: str, where: str | Text) -> dict[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(
            QT_TRANSLATE_NOOP("ConfigError", "{where}: [{name}] must be a table.").format(
                where=where, name=name
            )
        )
    return value


def _str(value: object, key: str, where: str | Text) -> str:
    if not isinstance(value, str):
        raise ConfigError(
            QT_TRANSLATE_NOOP("ConfigError", "{where}: {key} must be a string.").format(where=where, key=key)
        )
    return value


def _url_has_password(url: str) -> bool:
    # urllib rather than SQLAlchemy's make_url: the config is read by the UI and the softphone
    # engine too, which must not load the database layer.
    parts = urllib.parse.urlsplit(url)
    if not parts.scheme or "://" not in url:
        raise ConfigError(
            QT_TRANSLATE_NOOP(
                "ConfigError",
                "database.url {url} is not a database URL: write it as postgresql://LOGIN@HOST/DATABASE.",
            ).format(url=repr(url))
        )
    return parts.password is not None
