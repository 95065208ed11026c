"""Live updates from the central database: LISTEN on the channel migration 0004's triggers notify.

Thread model: `ChangeListener.start` starts a daemon thread named ``sync-listener`` holding one
autocommit psycopg connection that LISTENs on ``frontline_changes``; it blocks in
``conn.notifies()`` (the server pushes; no query is ever repeated) and calls `on_change` with a
`ChangeNotice` for each notification, on that thread (marshal to the GUI thread yourself).  When
the connection drops (server restart, network) it reconnects with exponential backoff and then
calls `on_resync`: notifications sent while it was away are lost, so whoever shows data should
reload it.  The thread wakes once a second only to check its stop flag.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy.engine import URL

log = logging.getLogger(__name__)

CHANNEL = "frontline_changes"
STOP_CHECK_S = 1.0


@dataclass(frozen=True)
class ChangeNotice:
    """A row of ``table`` was inserted or updated (``op``); ``uid``/``version`` when it has them."""

    table: str
    op: str
    id: int | None
    uid: str | None
    version: int | None

    @classmethod
    def parse(cls, payload: str) -> ChangeNotice:
        data: dict[str, Any] = json.loads(payload)
        return cls(
            table=str(data["table"]),
            op=str(data.get("op", "")),
            id=data.get("id"),
            uid=data.get("uid"),
            version=data.get("version"),
        )


def libpq_conninfo(url: URL) -> str:
    """A libpq connection string for a SQLAlchemy URL (``postgresql+psycopg://...``)."""
    return psycopg.conninfo.make_conninfo(
        "",
        host=url.host,
        port=url.port,
        dbname=url.database,
        user=url.username,
        password=url.password,
        **{k: str(v) for k, v in url.query.items()},
    )


class ChangeListener:
    """Delivers `ChangeNotice`s from the central database to a callback (see the module docstring)."""

    def __init__(
        self,
        conninfo: str,
        on_change: Callable[[ChangeNotice], None],
        *,
        on_resync: Callable[[], None] | None = None,
        on_connection: Callable[[bool], None] | None = None,
        min_backoff: float = 0.2,
        max_backoff: float = 5.0,
    ) -> None:
        """`conninfo` is a libpq string (`libpq_conninfo`); `on_connection(True/False)` reports
        the listening connection coming up and going down."""
        self._conninfo = conninfo
        self._on_change = on_change
        self._on_resync = on_resync
        self._on_connection = on_connection
        self._min_backoff = min_backoff
        self._max_backoff = max_backoff
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("The listener is already running.")
        self._thread = threading.Thread(target=self._run, name="sync-listener", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wait_listening(self, timeout: float | None = None) -> bool:
        """Block until LISTEN is in effect (True) or `timeout` passed."""
        return self._listening.wait(timeout)

    # --- the listener thread -------------------------------------------------------------------

    def _call(self, fn: Callable[..., None] | None, *args: Any) -> None:
        if fn is None:
            return
        try:
            fn(*args)
        except Exception:
            log.exception("sync listener callback failed")

    def _run(self) -> None:
        backoff = self._min_backoff
        connected_before = False
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    self._call(self._on_connection, True)
                    if connected_before:
                        self._call(self._on_resync)
                    connected_before = True
                    backoff = self._min_backoff
                    while not self._stop.is_set():
                        for notify in conn.notifies(timeout=STOP_CHECK_S):
                            self._deliver(notify.payload)
            except psycopg.OperationalError as exc:
                if self._listening.is_set():
                    self._listening.clear()
                    self._call(self._on_connection, False)
                log.info(
                    "change listener disconnected (%s); reconnecting in %.1fs", str(exc).strip(), backoff
                )
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self._max_backoff)
        self._listening.clear()

    def _deliver(self, payload: str) -> None:
        try:
            notice = ChangeNotice.parse(payload)
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring a malformed change notification: %r", payload[:200])
            return
        self._call(self._on_change, notice)
