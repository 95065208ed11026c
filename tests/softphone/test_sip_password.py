"""The SIP password lives in the OS keyring: `frontline admin set-sip-password` stores it there (from
stdin, never argv) and the engine looks it up itself to register -- no environment variable,
no file.  A real Secret Service (GNOME Keyring on a private D-Bus) and the test Kamailio."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.processes import frontline
from tests.fixtures.secret_service import SecretService
from tests.softphone.conftest import EngineFactory
from tests.softphone.engine_proc import REPO
from tests.softphone.kamailio_proc import SUBSCRIBERS, Kamailio

pytestmark = pytest.mark.sip

USER = "1004"


def run(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return frontline(*args, stdin=stdin, env={**env, "PYTHONPATH": str(REPO), "PYTHON_KEYRING_BACKEND": None})


def without_env_password(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k != "FRONTLINE_SIP_PASSWORD"}


def test_the_engine_registers_with_the_password_set_sip_password_stored(
    secret_service: SecretService, engines: EngineFactory, kamailio: Kamailio
) -> None:
    host = kamailio.address.split(":")[0]
    stored = run(
        "admin", "set-sip-password", "--user", USER, "--server", host, env=secret_service.env, stdin=SUBSCRIBERS[USER] + "\n"
    )  # fmt: skip
    assert stored.returncode == 0, stored.stderr
    assert SUBSCRIBERS[USER] not in stored.stdout + stored.stderr
    engine = engines(
        "--server", kamailio.address, "--user", USER, "--listen", "127.0.0.1:0",
        env=without_env_password(secret_service.env),
    )  # fmt: skip
    engine.wait_event("registration_changed", state="registered", timeout=15)
    assert SUBSCRIBERS[USER] not in " ".join(map(str, engine.proc.args))
    # Reading the keyring (secretstorage over D-Bus) brings no Qt into the engine process.
    assert "libQt6" not in Path(f"/proc/{engine.proc.pid}/maps").read_text()
    assert SUBSCRIBERS[USER] not in engine.log_path.read_text()


def test_without_a_stored_password_the_engine_log_says_which_command_stores_it(
    secret_service: SecretService, engines: EngineFactory, kamailio: Kamailio
) -> None:
    engine = engines(
        "--server", kamailio.address, "--user", "1005", "--listen", "127.0.0.1:0",
        env=without_env_password(secret_service.env),
    )  # fmt: skip
    engine.wait_event("registration_changed", state="failed", timeout=15)
    assert "frontline admin set-sip-password" in engine.log_path.read_text()


def test_the_account_comes_from_the_site_file(secret_service: SecretService, tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[sip]\nserver = "pbx.example.org"\nusername = "2001"\n', encoding="utf-8")
    done = run("--config", str(site), "admin", "set-sip-password", env=secret_service.env, stdin="pw-2001\n")
    assert done.returncode == 0, done.stderr
    assert "2001@pbx.example.org" in done.stderr
    probe = (
        "from app.secrets import get_secret, sip_key; print(get_secret(sip_key('2001', 'pbx.example.org')))"
    )
    read = subprocess.run(
        [sys.executable, "-c", probe], env={**secret_service.env, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, check=True
    )  # fmt: skip
    assert read.stdout.strip() == "pw-2001"


def test_a_peer_to_peer_desk_is_told_it_needs_no_password(secret_service: SecretService) -> None:
    done = run("admin", "set-sip-password", env=secret_service.env, stdin="x\n")
    assert done.returncode == 2
    assert "--user" in done.stderr and "Traceback" not in done.stderr
