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
    """The ``[sip]`` table: the operator's SIP account.  The password is never here: it is in the
    keyring (``frontline admin set-password``); a ``password`` key is refused.  Every key is optional.
    """

    server: str | None = None  # registrar/proxy host name or address; unset = peer-to-peer mode
    port: int | None = None  # its port; unset = 5060 (udp, tcp) or 5061 (tls)
    transport: str = "udp"  # udp | tcp | tls: how the desk talks to the registrar
    username: str | None = None  # SIP user (the AoR's user part and the digest user name)
    display_name: str | None = None  # name shown to the people this desk calls
    listen: str | None = None  # HOST:PORT the engine listens on (default 127.0.0.1, any port)
    verify_tls: bool = True  # check the registrar's TLS certificate (never turn off in production)
    ca_file: str | None = None  # PEM file of the CA that signed it (default: the system's)
    accept_only_from_proxy: bool = True  # refuse (403) INVITEs that did not come via the server
    call_waiting: bool = True  # a second call rings during a call (False: it gets 486 Busy)
    ring_timeout_s: int = 60  # an unanswered call is ended (480) after this many seconds
    auto_record: bool = False  # record every answered call

    # --- registration: how quickly the desk notices a lost registrar and is reachable again ----
    # (app/softphone/engine/registration.py; README "[sip]" gives the load on the registrar)
    register_expires_s: int = 60  # binding lifetime asked for; >= the registrar's min_expires
    register_refresh_s: int = 25  # REGISTER again this often; worst-case reachability gap
    keepalive_s: int = 5  # OPTIONS to the registrar this often (0 = off): loss known 3 s later

    # --- INVITE flood protection: what one address may send (the engine's front gate) ----------
    # INVITEs from an address over these limits are refused before the phone opens anything for
    # them, its calls still ringing are ended, and the refusals are logged once a minute.  The
    # registrar/proxy (`server`) is never limited here: limit its callers on the proxy (pike).
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
    _check_invite_limits(sip_raw, where)
    transport = sip_raw.get("transport", "udp")
    if transport not in ("udp", "tcp", "tls"):
        raise ConfigError(
            QT_TRANSLATE_NOOP(
                "ConfigError", "{where}: sip.transport must be udp, tcp or tls, not {value}."
            ).format(where=where, value=repr(transport))
        )
    _check_registration_keys(sip_raw, where)

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


# [sip] registration keys: (lowest, highest) whole seconds; keepalive_s also takes 0 (off).
_REGISTRATION_RANGES = {
    "register_expires_s": (10, 3600),
    "register_refresh_s": (5, 3599),
    "keepalive_s": (1, 300),
}


def _check_registration_keys(sip_raw: dict[str, Any], where: str | Text) -> None:
    defaults = SipConfig()
    for key, (low, high) in _REGISTRATION_RANGES.items():
        value = sip_raw.get(key, getattr(defaults, key))
        off = key == "keepalive_s" and value == 0
        if not isinstance(value, int) or isinstance(value, bool) or not (off or low <= value <= high):
            sentence = (
                QT_TRANSLATE_NOOP(
                    "ConfigError",
                    "{where}: sip.{key} must be a whole number of seconds from {low} to {high} (0 turns it off).",  # noqa: E501 (one literal for lupdate)
                )
                if key == "keepalive_s"
                else QT_TRANSLATE_NOOP(
                    "ConfigError",
                    "{where}: sip.{key} must be a whole number of seconds from {low} to {high}.",
                )
            )
            raise ConfigError(sentence.format(where=where, key=key, low=low, high=high))
    expires = sip_raw.get("register_expires_s", defaults.register_expires_s)
    refresh = sip_raw.get("register_refresh_s", defaults.register_refresh_s)
    if refresh >= expires:
        raise ConfigError(
            QT_TRANSLATE_NOOP(
                "ConfigError",
                "{where}: sip.register_refresh_s ({refresh}) must be shorter than sip.register_expires_s"
                " ({expires}), or the registration lapses between refreshes.",
            ).format(where=where, refresh=refresh, expires=expires)
        )


def _check_invite_limits(sip: dict[str, Any], where: str | Text) -> None:
    rate = sip.get("invite_rate_per_source", 0)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1000:
        raise ConfigError(
            QT_TRANSLATE_NOOP(
                "ConfigError",
                "{where}: sip.invite_rate_per_source must be a number from 0 (no limit) to 1000.",
            ).format(where=where)
        )
    burst = sip.get("invite_burst_per_source", 1)
    if isinstance(burst, bool) or not isinstance(burst, int) or not 1 <= burst <= 1000:
        raise ConfigError(
            QT_TRANSLATE_NOOP(
                "ConfigError", "{where}: sip.invite_burst_per_source must be a whole number from 1 to 1000."
            ).format(where=where)
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
