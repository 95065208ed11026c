"""The `frontline` command as IT and scripts use it: a real process, a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import phonenumbers
import pytest
from sqlalchemy import create_engine, text

from tests.fixtures.processes import frontline


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'demo.sqlite3'}"
    done = frontline("demo-data", "--db", url, "--customers", "120", "--seed", "5")
    assert done.returncode == 0, done.stderr
    return url


def _phone_and_contract(url: str) -> tuple[str, str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT p.e164, c.contract_number FROM customer_phones p"
                " JOIN customers c ON c.id = p.customer_id WHERE p.e164 LIKE '+7%' ORDER BY p.id LIMIT 1"
            )
        ).one()
    engine.dispose()
    return row[0], row[1]


@pytest.mark.parametrize("style", ["national", "international", "digits", "e164"])
def test_lookup_json_finds_the_customer_whatever_the_formatting(demo_db: str, style: str) -> None:
    e164, contract = _phone_and_contract(demo_db)
    parsed = phonenumbers.parse(e164)
    query = {
        "national": phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL),
        "international": phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        "digits": e164.lstrip("+"),
        "e164": e164,
    }[style]
    done = frontline("lookup", query, "--db", demo_db, "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["kind"] == "phone"
    assert result["normalized"] == e164
    assert contract in [c["contract_number"] for c in result["customers"]]
    card = next(c for c in result["customers"] if c["contract_number"] == contract)
    assert e164 in card["phones"]
    assert all(t["status"] not in ("resolved", "closed") for t in card["open_tickets"])


def test_lookup_of_an_unknown_number_returns_no_customer_and_exit_1(demo_db: str) -> None:
    done = frontline("lookup", "+7 999 000-00-01", "--db", demo_db, "--json")
    assert done.returncode == 1
    assert json.loads(done.stdout)["customers"] == []


def test_doctor_reports_the_database_in_json(demo_db: str) -> None:
    done = frontline("doctor", "--db", demo_db, "--json", "--no-sip")
    checks = {c["check"]: c for c in map(json.loads, done.stdout.splitlines())}
    assert checks["database"]["ok"] is True, checks["database"]
    assert checks["config"]["ok"] is True
    assert "keyring" in checks
    assert "audio" in checks


def test_doctor_on_a_machine_without_a_headset_can_skip_the_sound_devices(demo_db: str) -> None:
    """IT's own machine, a server or CI has no sound devices: that is not a fault to report there."""
    done = frontline("doctor", "--db", demo_db, "--json", "--no-sip", "--no-audio")
    checks = {c["check"]: c for c in map(json.loads, done.stdout.splitlines())}
    assert "audio" not in checks
    assert checks["database"]["ok"] is True


def test_doctor_says_what_to_do_when_the_database_is_unreachable(tmp_path: Path) -> None:
    done = frontline(
        "doctor", "--db", "postgresql://op@127.0.0.1:1/frontline?connect_timeout=2", "--json", "--no-sip"
    )
    assert done.returncode == 1
    checks = {c["check"]: c for c in map(json.loads, done.stdout.splitlines())}
    assert checks["database"]["ok"] is False
    detail = checks["database"]["detail"]
    assert "cannot reach" in detail, detail  # which case, in words
    for leak in ("psycopg", "sqlalche.me", "OperationalError", "Connection refused"):
        assert leak not in detail, detail  # the driver's own words stay in the log


def test_a_password_in_the_site_file_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[database]\nurl = "postgresql://op:hunter2@db/frontline"\n', encoding="utf-8")
    done = frontline("--config", str(site), "lookup", "x")
    assert done.returncode == 2
    assert "keyring" in done.stderr
    assert "hunter2" not in done.stderr + done.stdout


def test_set_password_never_echoes_the_secret_and_refuses_an_insecure_keyring(tmp_path: Path) -> None:
    # No Secret Service on the test machine: the command must say so, not write the secret anywhere.
    done = frontline(
        "admin",
        "set-password",
        "--db",
        "postgresql://op@db.example/frontline",
        stdin="s3cr3t-value\n",
        env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )
    assert done.returncode == 2
    assert "keyring" in done.stderr.lower()
    assert "s3cr3t-value" not in done.stderr + done.stdout
