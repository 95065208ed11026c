"""Site configuration parsing: what IT writes in site.toml, and the mistakes they get told about."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import SiteConfig, load_site_config, parse_site_config
from app.errors import ConfigError

FULL = """
[site]
company = "Acme Telecom"
default_region = "gb"
language = "ru"

[database]
url = "postgresql://op1@db.acme.example/frontline?sslmode=verify-full"

[[lines]]
name = "Internet"
numbers = ["+74951234567", "100"]

[[lines]]
name = "TV"
numbers = ["8 800 555-35-35"]

[sip]
server = "pbx.acme.example"
transport = "tls"
username = "1001"
"""


def test_full_file_is_read_into_typed_values() -> None:
    site = parse_site_config(FULL)
    assert site.company == "Acme Telecom"
    assert site.default_region == "GB"
    assert site.language == "ru"
    assert site.effective_database_url().startswith("postgresql://op1@db.acme.example/")
    assert [line.name for line in site.lines] == ["Internet", "TV"]
    assert site.lines[0].numbers == ("+74951234567", "100")
    assert site.sip.server == "pbx.acme.example"
    assert site.sip.transport == "tls"
    assert site.sip.verify_tls is True


def test_no_file_means_embedded_sqlite_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRONTLINE_DATA_DIR", str(tmp_path))
    site = load_site_config()
    assert site == SiteConfig()
    assert site.effective_database_url() == f"sqlite:///{tmp_path / 'frontline.sqlite3'}"


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_site_config(tmp_path / "nope.toml")


def test_env_variable_points_at_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "site.toml"
    path.write_text('[site]\ncompany = "From env"\n', encoding="utf-8")
    monkeypatch.setenv("FRONTLINE_CONFIG", str(path))
    site = load_site_config()
    assert site.company == "From env"
    assert site.source == path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[database]\nurl = 'postgresql://op:secret@db/frontline'", "contains a password"),
        ("[sip]\npassword = 'x'", "keyring"),
        ("[sip]\ntransport = 'sctp'", "udp, tcp or tls"),
        ("[sip]\nregistrar = 'x'", "unknown key"),
        ("[[lines]]\nnumbers = ['1']", "needs a name"),
        ("[site\ncompany=1", "not valid TOML"),
        ("[database]\nurl = 'not a url'", "not a database URL"),
        ("[site]\nwrap_up_seconds = -5", "wrap_up_seconds"),
        ("[sip]\nregister_refresh_s = 60", "shorter than sip.register_expires_s"),
        ("[sip]\nregister_expires_s = 5", "register_expires_s must be a whole number of seconds from 10"),
        ("[sip]\nkeepalive_s = 'fast'", "keepalive_s must be a whole number"),
        ("[sip]\nkeepalive_s = -1", "0 turns it off"),
        ("[sip]\ninvite_rate_per_source = -1", "invite_rate_per_source must be a number from 0"),
        ("[sip]\ninvite_rate_per_source = true", "invite_rate_per_source must be a number from 0"),
        ("[sip]\ninvite_burst_per_source = 0", "invite_burst_per_source must be a whole number"),
        ("[sip]\ninvite_burst_per_source = 2.5", "invite_burst_per_source must be a whole number"),
    ],
)
def test_mistakes_are_reported_in_words_it_can_act_on(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_site_config(text)


def test_the_shipped_template_is_a_valid_site_file() -> None:
    template = Path(__file__).resolve().parents[2] / "installers" / "site.toml.example"
    site = load_site_config(template)
    assert site.sip.transport == "tls"
    assert (site.sip.invite_rate_per_source, site.sip.invite_burst_per_source) == (2, 10)
    assert site.lines


def test_registration_settings_have_defaults_and_can_be_set() -> None:
    assert (SiteConfig().sip.register_expires_s, SiteConfig().sip.register_refresh_s) == (60, 25)
    assert SiteConfig().sip.keepalive_s == 5
    sip = parse_site_config("[sip]\nregister_expires_s = 120\nregister_refresh_s = 50\nkeepalive_s = 0\n").sip
    assert (sip.register_expires_s, sip.register_refresh_s, sip.keepalive_s) == (120, 50, 0)


def test_the_engine_gets_the_registration_settings_of_the_site_file(tmp_path: Path) -> None:
    from app.softphone.engine.main import build_parser, options_from

    path = tmp_path / "site.toml"
    path.write_text('[sip]\nserver = "pbx"\nregister_refresh_s = 40\nkeepalive_s = 2\n', encoding="utf-8")
    timers = options_from(build_parser().parse_args(["--config", str(path)])).registration
    assert (timers.expires_s, timers.refresh_s, timers.keepalive_s) == (60, 40, 2.0)
    flags = build_parser().parse_args(["--config", str(path), "--keepalive", "0", "--reg-timeout", "90"])
    timers = options_from(flags).registration
    assert (timers.expires_s, timers.keepalive_s) == (90, 0.0)
