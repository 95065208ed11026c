"""End to end, as an operator lives it: the real `frontline` window in its own process on an X
server (Xvfb), its own softphone engine, a real SIP caller on loopback, keys typed through the X
server (xdotool), observed through the app's JSON log, screenshots and the database.

Screenshots of the pop, the scripts and the refused form land in artifacts/e2e/.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from app.demo import DEMO_OPERATOR
from app.demo.caller import free_udp_port
from app.softphone.desk.client import EngineClient
from tests.fixtures.central import CentralSite, make_central_site
from tests.fixtures.postgres import ENV_URL
from tests.softphone import sipp as sc
from tests.sync.conftest import RestartableServer

pytestmark = [pytest.mark.e2e, pytest.mark.sip, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("FRONTLINE_ARTIFACTS", ROOT / "artifacts")) / "e2e"
GRAB = Path(__file__).with_name("grab_screen.py")
# What to type into a text field the form says is missing (combo boxes get the Down key).
TEXT_FIELDS = {
    "subject": "No internet since the morning",
    "description": "Customer reports the link light is off.",
    "resolution": "Router rebooted on the call; link is up.",
}


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is not installed: run `make test`, which installs the test tools")
    return path


@pytest.fixture
def xserver(tmp_path: Path) -> Iterator[str]:
    xvfb = _need("Xvfb")
    for number in range(90, 140):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            break
    display = f":{number}"
    proc = subprocess.Popen(
        [xvfb, display, "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    socket = Path(f"/tmp/.X11-unix/X{number}")
    deadline = time.monotonic() + 10
    while not socket.exists():  # Xvfb has no readiness signal but its socket
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"Xvfb {display} did not start")
        time.sleep(0.05)
    yield display
    proc.terminate()
    proc.wait(timeout=10)


class App:
    def __init__(self, proc: subprocess.Popen[bytes], log: Path, display: str, db_url: str) -> None:
        self.proc, self.log, self.display, self.db_url = proc, log, display, db_url

    def events(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [
            json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines() if line.strip()
        ]

    def wait_event(self, name: str, after: int = 0, timeout: float = 20.0) -> dict[str, Any]:
        """The first `name` event past index `after` of the log (polled: it is another process)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events()[after:]:
                if event["event"] == name:
                    return event
            if self.proc.poll() is not None:
                pytest.fail(f"the app exited ({self.proc.returncode}) before {name}")
            time.sleep(0.05)
        pytest.fail(f"no {name} event in {timeout} s; log: {[e['event'] for e in self.events()]}")

    def focus(self) -> None:
        # No window manager on Xvfb: give the window the X input focus ourselves.
        subprocess.run(
            ["xdotool", "search", "--sync", "--onlyvisible", "--name", "^Frontline", "windowfocus", "--sync"],
            env=self._env(),
            check=True,
            timeout=20,
        )

    def key(self, *keys: str) -> None:
        self.focus()
        subprocess.run(["xdotool", "key", "--clearmodifiers", *keys], env=self._env(), check=True)

    def type(self, text_: str) -> None:
        self.focus()
        subprocess.run(["xdotool", "type", "--delay", "5", text_], env=self._env(), check=True)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        out = ARTIFACTS / f"{name}.png"
        env = {**self._env(), "QT_QPA_PLATFORM": "xcb"}
        subprocess.run([sys.executable, str(GRAB), str(out)], env=env, check=True, timeout=30)
        return out

    def _env(self) -> dict[str, str]:
        return {**os.environ, "DISPLAY": self.display}


def _password_apart(url: str) -> tuple[str, dict[str, str]]:
    """A password never goes on a command line: the URL without it, and libpq's PGPASSWORD (the
    stand-in for the desk's keyring here)."""
    parsed = make_url(url)
    if parsed.password is None:
        return url, {}
    return parsed.set(password=None).render_as_string(hide_password=False), {"PGPASSWORD": parsed.password}


@contextlib.contextmanager
def _running_app(
    xserver: str,
    tmp_path: Path,
    db_url: str,
    *,
    seed: bool = True,
    seed_url: str | None = None,
    operator: str = DEMO_OPERATOR,
) -> Iterator[App]:
    """The real workstation on `db_url`, Ready, signed in as `operator`; seeded with demo data
    first unless `seed` is False (a second start on the same data), through `seed_url` if given
    (on a central database IT loads data as the owner, the desk signs in as its operator)."""
    _need("xdotool")
    env = {
        **os.environ,
        "DISPLAY": xserver,
        "QT_QPA_PLATFORM": "xcb",
        "HOME": str(tmp_path),  # window layout settings land here, not in the developer's home
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "FRONTLINE_DATA_DIR": str(tmp_path / "data"),
        "LANG": "en_US.UTF-8",
    }
    if seed:
        seed_db, seed_env = _password_apart(seed_url or db_url)
        seeded = subprocess.run(
            [sys.executable, "-m", "app", "demo-data", "--db", seed_db, "--customers", "300"],
            env={**env, **seed_env},
            capture_output=True,
            check=False,
        )
        assert seeded.returncode == 0, seeded.stderr
    db_url, password_env = _password_apart(db_url)
    env.update(password_env)
    log = tmp_path / "events.jsonl"
    port = free_udp_port()
    stderr = (tmp_path / "app.stderr").open("ab")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "--db",
            db_url,
            "--listen",
            f"127.0.0.1:{port}",
            "--json-log",
            str(log),
            "--operator",
            operator,
            "--ready",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    the_app = App(proc, log, xserver, db_url)
    the_app.port = port  # type: ignore[attr-defined]
    the_app.start = len(the_app.events())  # type: ignore[attr-defined]  # this run's first event
    try:
        the_app.wait_event("window_shown", after=the_app.start, timeout=30)  # type: ignore[attr-defined]
        the_app.wait_event("operator_state", after=the_app.start, timeout=30)  # type: ignore[attr-defined]
        yield the_app
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        stderr.close()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / "app.stderr", ARTIFACTS / f"app-{tmp_path.name}.stderr.log")
        if log.exists():
            shutil.copy(log, ARTIFACTS / f"events-{tmp_path.name}.jsonl")


@pytest.fixture
def app(xserver: str, tmp_path: Path) -> Iterator[App]:
    with _running_app(xserver, tmp_path, f"sqlite:///{tmp_path / 'desk.sqlite3'}") as the_app:
        yield the_app


def _known_customer(db_url: str) -> tuple[str, str]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT p.e164, c.contract_number FROM customer_phones p JOIN customers c ON c.id = p.customer_id"
                " WHERE p.e164 LIKE '+7%' AND (SELECT count(*) FROM customer_phones q WHERE q.e164 = p.e164) = 1"
                " ORDER BY p.id LIMIT 1"
            )
        ).one()
    engine.dispose()
    return row[0], row[1]


def test_operator_takes_a_call_from_ring_to_closed_ticket(app: App) -> None:
    e164, contract = _known_customer(app.db_url)
    port = app.port  # type: ignore[attr-defined]

    async def caller_dials() -> EngineClient:
        client = EngineClient(
            [
                "--p2p",
                "--listen",
                f"127.0.0.1:{free_udp_port()}",
                "--user",
                e164,
                "--display-name",
                "E2E Caller",
                "--null-audio",
            ],
            restart=False,
        )
        await client.start()
        await client.request("dial", uri=f"sip:+78005550100@127.0.0.1:{port}")
        return client

    loop = asyncio.new_event_loop()
    try:
        caller = loop.run_until_complete(caller_dials())
        pop = app.wait_event("pop_shown")
        assert pop["number"] == e164 and pop["invite_to_pop_ms"] > 0
        card = app.wait_event("card_filled")
        assert card["found"] is True
        assert app.screenshot("1-pop").stat().st_size > 10_000

        app.key("F5")  # answer with the keyboard
        ticket = app.wait_event("ticket_created")
        number = ticket["number"]
        assert app.wait_event("answered")["number"] == e164
        assert app.screenshot("2-scripts-greeting").stat().st_size > 10_000

        loop.run_until_complete(caller.request("hangup"))
        app.wait_event("call_ended")

        # Close with Ctrl+Shift+S: refused while fields are missing; fill what it asks for.
        mark = len(app.events())
        app.key("ctrl+shift+s")
        refused = app.wait_event("ticket_refused", after=mark)
        assert refused["missing"], refused
        app.screenshot("3-form-missing-fields")
        for _ in range(20):
            missing = refused["missing"][0]
            if missing in TEXT_FIELDS:
                app.type(TEXT_FIELDS[missing])
            else:
                app.key("Down")  # focus is on the first missing field: pick its first choice
            mark = len(app.events())
            app.key("ctrl+shift+s")
            outcome = _next_of(app, ("ticket_refused", "ticket_closed"), after=mark)
            if outcome["event"] == "ticket_closed":
                break
            refused = outcome
        else:
            pytest.fail("the ticket could not be closed by filling what the form asked for")
        assert outcome["number"] == number
        loop.run_until_complete(caller.stop())
    finally:
        loop.close()

    engine = create_engine(app.db_url)
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT t.status, c.contract_number, k.outcome FROM tickets t"
                " JOIN customers c ON c.id = t.customer_id JOIN calls k ON k.ticket_id = t.id WHERE t.number = :n"
            ),
            {"n": number},
        ).one()
    engine.dispose()
    assert tuple(row) == ("closed", contract, "answered")


def _next_of(app: App, names: tuple[str, ...], after: int, timeout: float = 15.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in app.events()[after:]:
            if event["event"] in names:
                return event
        time.sleep(0.05)
    pytest.fail(f"none of {names} in {timeout} s")


# --- a desk on the central database, signed in as its operator ----------------------------------


def _url(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def _caller_scenario(e164: str) -> str:
    """A caller from `e164` rings the support line, is answered, talks 4 s and hangs up."""
    from_ = f'"E2E Caller" <sip:{e164}@[local_ip]:[local_port]>'
    to = "<sip:+78005550100@[remote_ip]:[remote_port]>"
    return sc.scenario(
        "e2e-caller",
        sc.invite(from_=from_, to=to, request_uri="sip:+78005550100@[remote_ip]:[remote_port]"),
        sc.RINGING,
        sc.answered(from_, to),
        sc.pause(4000),
        sc.send_bye(from_, to),
    )


@pytest.mark.pg
def test_an_operator_answers_a_sipp_call_and_it_all_reaches_the_central_database(
    xserver: str, tmp_path: Path, central_site: CentralSite
) -> None:
    """The window signed in with an ordinary operator's own login (row-level security applies to
    everything the desk sends): a real SIPp caller, F5, a subject, Ctrl+S, the caller hangs up;
    then the ticket, its events and the call link are in the central database, read back as the
    operator and as their shift lead — and not visible to another department."""
    with _running_app(
        xserver,
        tmp_path,
        _url(central_site.url_of("a1")),
        seed_url=_url(central_site.owner_url),
        operator=central_site.logins["a1"],
    ) as app:
        e164, contract = _known_customer(_url(central_site.owner_url))
        app.wait_event("sync_state", timeout=30)
        caller = sc.Sipp(tmp_path, "caller").start(
            xml=_caller_scenario(e164),
            remote=f"127.0.0.1:{app.port}",  # type: ignore[attr-defined]
        )
        try:
            assert app.wait_event("pop_shown")["number"] == e164
            assert app.wait_event("card_filled")["found"] is True
            app.key("F5")
            number = app.wait_event("ticket_created")["number"]
            mark = len(app.events())
            app.type(TEXT_FIELDS["subject"])
            app.key("ctrl+s")
            assert app.wait_event("ticket_saved", after=mark)["number"] == number
            app.wait_event("call_ended", after=mark)
            caller.assert_ok()
        finally:
            caller.stop()
        # Another process's outbox: poll the central database (as the lead) until the call's end
        # arrived; nothing may have been refused on the way.
        _wait_central(
            central_site,
            "lead",
            "SELECT count(*) FROM calls k JOIN tickets t ON t.id = k.ticket_id"
            f" WHERE t.number = '{number}' AND k.outcome = 'answered'",
            1,
        )
        assert not [e for e in app.events() if e["event"] == "sync_refused"]
        assert all(not e["refused"] for e in app.events() if e["event"] == "sync_state")

    a1 = central_site.ids["a1"]
    for who in ("a1", "lead"):
        with central_site.engine(who).connect() as conn:
            ticket = conn.execute(
                text(
                    "SELECT t.id, t.subject, t.created_by_id, c.contract_number FROM tickets t"
                    " JOIN customers c ON c.id = t.customer_id WHERE t.number = :n"
                ),
                {"n": number},
            ).one()
            kinds = conn.scalars(
                text("SELECT kind FROM ticket_events WHERE ticket_id = :t ORDER BY id"), {"t": ticket.id}
            ).all()
            call = conn.execute(
                text("SELECT operator_id, outcome, answered_at IS NOT NULL FROM calls WHERE ticket_id = :t"),
                {"t": ticket.id},
            ).one()
        assert (ticket.subject, ticket.created_by_id, ticket.contract_number) == (
            TEXT_FIELDS["subject"],
            a1,
            contract,
        ), who
        assert kinds[:2] == ["created", "call_link"] and "field_change" in kinds, (who, kinds)
        assert tuple(call) == (a1, "answered", True), who
    with central_site.engine("b1").connect() as conn:  # another department's operator
        assert conn.scalar(text("SELECT count(*) FROM tickets WHERE number = :n"), {"n": number}) == 0


def _wait_central(site: CentralSite, who: str, query: str, wanted: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    engine = site.engine(who)
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if conn.scalar(text(query)) == wanted:
                return
        time.sleep(0.1)
    pytest.fail(f"the central database did not get there in {timeout} s: {query}")


# --- kill -9 mid-ticket -----------------------------------------------------------------------------


def _draft_on_disk(data_dir: Path, text_: str) -> bool:
    """Whether the desk's draft store (another process's file) holds `text_` yet."""
    for path in data_dir.glob("drafts-*.sqlite3"):
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            if any(text_ in body for (body,) in conn.execute("SELECT body FROM drafts")):
                return True
    return False


def test_what_the_operator_typed_survives_kill_9_and_is_saved_after_the_restart(
    xserver: str, tmp_path: Path
) -> None:
    db_url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    typed = "Typed, then the desk was killed"
    data_dir = tmp_path / "data"
    loop = asyncio.new_event_loop()
    try:
        with _running_app(xserver, tmp_path, db_url) as app:
            e164, _contract = _known_customer(db_url)
            caller = _dial(loop, e164, app.port)  # type: ignore[attr-defined]
            app.wait_event("card_filled", after=app.start)  # type: ignore[attr-defined]
            app.key("F5")
            number = app.wait_event("ticket_created", after=app.start)["number"]  # type: ignore[attr-defined]
            app.type(typed)  # the subject has the keyboard once the ticket exists
            deadline = time.monotonic() + 15
            while not _draft_on_disk(data_dir, typed):  # polled: it is another process's file
                assert time.monotonic() < deadline, "the typing never reached the draft store"
                time.sleep(0.05)
            app.proc.send_signal(signal.SIGKILL)  # no shutdown, no flush: only what is on disk
            app.proc.wait(timeout=10)
            loop.run_until_complete(caller.stop())
        drafts = next(data_dir.glob("drafts-*.sqlite3"))
        assert stat.S_IMODE(drafts.stat().st_mode) == 0o600
        assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700

        with _running_app(xserver, tmp_path, db_url, seed=False) as app:
            restored = app.wait_event("drafts_restored", after=app.start)  # type: ignore[attr-defined]
            assert restored["numbers"] == [number]
            mark = len(app.events())
            app.key("ctrl+s")  # the restored ticket is in front
            assert _next_of(app, ("ticket_saved", "ticket_refused"), after=mark)["event"] == "ticket_saved"
    finally:
        loop.close()
    engine = create_engine(db_url)
    with engine.connect() as conn:
        subject = conn.execute(
            text("SELECT subject FROM tickets WHERE number = :n"), {"n": number}
        ).scalar_one()
    engine.dispose()
    assert subject == typed


# --- the central database pulled mid-shift -----------------------------------------------------


@pytest.fixture
def central_app(xserver: str, tmp_path: Path) -> Iterator[tuple[App, RestartableServer]]:
    """The workstation on a central PostgreSQL this test may stop and start (the plug), signed in
    as an operator of the site; IT's owner role loaded the data."""
    if os.environ.get(ENV_URL):
        pytest.skip(f"needs a local cluster to stop and start ({ENV_URL} points at a shared server)")
    server = RestartableServer()
    try:
        site = make_central_site(server.url, server.new_database())
        try:
            with _running_app(
                xserver,
                tmp_path,
                _url(site.url_of("a1")),
                seed_url=_url(site.owner_url),
                operator=site.logins["a1"],
            ) as the_app:
                the_app.site = site  # type: ignore[attr-defined]
                yield the_app, server
        finally:
            site.dispose()
    finally:
        server.cluster.stop()


def _dial(loop: asyncio.AbstractEventLoop, number: str, port: int) -> EngineClient:
    async def dial() -> EngineClient:
        client = EngineClient(
            ["--p2p", "--listen", f"127.0.0.1:{free_udp_port()}", "--user", number, "--null-audio"],
            restart=False,
        )
        await client.start()
        await client.request("dial", uri=f"sip:+78005550100@127.0.0.1:{port}")
        return client

    return loop.run_until_complete(dial())


@pytest.mark.pg
def test_pulling_the_plug_on_the_central_database_costs_only_a_status_message(
    central_app: tuple[App, RestartableServer],
) -> None:
    app, server = central_app
    site: CentralSite = app.site  # type: ignore[attr-defined]
    e164, contract = _known_customer(_url(site.owner_url))
    app.wait_event("sync_state", timeout=30)
    server.stop()  # the central database is gone for a while
    loop = asyncio.new_event_loop()
    try:
        mark = len(app.events())
        caller = _dial(loop, e164, app.port)  # type: ignore[attr-defined]
        assert app.wait_event("card_filled", after=mark)["found"] is True  # the cache knows them
        app.key("F5")
        number = app.wait_event("ticket_created", after=mark)["number"]
        loop.run_until_complete(caller.request("hangup"))
        app.wait_event("call_ended", after=mark)
        # The status bar: offline, with what the call wrote waiting (rang, answered, its ticket).
        _next_sync_state(app, mark, lambda e: e["state"] == "offline" and e["waiting"] >= 3)
        assert app.screenshot("4-central-database-offline").stat().st_size > 10_000
        loop.run_until_complete(caller.stop())
    finally:
        loop.close()

    mark = len(app.events())
    server.start()
    _next_sync_state(app, mark, lambda e: e["state"] == "online" and e["waiting"] == 0, timeout=60)
    with site.engine("lead").connect() as conn:  # the shift lead reads the floor's books
        rows = conn.execute(
            text(
                "SELECT c.contract_number, k.outcome, k.answered_at IS NOT NULL FROM tickets t"
                " JOIN customers c ON c.id = t.customer_id JOIN calls k ON k.ticket_id = t.id"
                " WHERE t.number = :n"
            ),
            {"n": number},
        ).all()
    assert [tuple(r) for r in rows] == [(contract, "answered", True)]  # all of it, exactly once


def _next_sync_state(
    app: App, after: int, wanted: Callable[[dict[str, Any]], bool], timeout: float = 30.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in app.events()[after:]:
            if event["event"] == "sync_state" and wanted(event):
                return event
        if app.proc.poll() is not None:
            pytest.fail(f"the app exited ({app.proc.returncode})")
        time.sleep(0.05)
    pytest.fail(
        f"no such sync_state in {timeout} s: {[e for e in app.events() if e['event'] == 'sync_state']}"
    )
