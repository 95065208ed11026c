"""`frontline doctor`: one line per thing IT needs to know is right on this desk.

Each check catches its own failures and says what to do; doctor itself never crashes on a
broken environment, because that is exactly when it is run.
"""

from __future__ import annotations

import logging

from app.config import SiteConfig
from app.doctor_checks import CheckResult
from app.errors import UserFacingError

log = logging.getLogger(__name__)


def run_checks(
    site: SiteConfig, *, database_url: str, sip: bool = True, audio: bool = True
) -> list[CheckResult]:
    needs_secrets = not database_url.startswith("sqlite") or site.sip.server is not None
    results = [check_config(site), check_database(database_url), check_keyring(needed=needs_secrets)]
    if not database_url.startswith("sqlite"):
        results.append(check_sync(database_url))
    if sip:
        results.append(_check_sip(site))
    if audio:
        results.append(_check_audio())
    return results


def check_sync(database_url: str) -> CheckResult:
    """This desk's local copy of the central database: how fresh, and what has not been sent."""
    try:
        from app.main import cache_path_for
        from app.storage.database import make_engine
        from app.sync.outbox import Outbox
        from app.sync.pull import last_refresh

        path = cache_path_for(database_url)
        if not path.exists():
            return CheckResult("sync", True, "no local copy yet: the first start copies the central database")
        cache = make_engine(f"sqlite:///{path}")
        try:
            refreshed = last_refresh(cache)
        finally:
            cache.dispose()
        box = Outbox(path)
        try:
            counts, refused = box.counts(), box.refused()
        finally:
            box.close()
    except Exception as exc:  # noqa: BLE001 (the check must report, not crash doctor)
        return CheckResult("sync", False, f"sync check failed: {exc}")
    waiting, conflicts = counts["pending"], counts["conflict"]
    details: dict[str, object] = {
        "cache": str(path),
        "refreshed_at": refreshed,
        "waiting": waiting,
        "conflicts": conflicts,
        "refused": len(refused),
        "held": counts["held"],
    }
    message = (
        f"local copy {path.name}, refreshed {refreshed or 'never'}; {waiting} changes waiting, "
        f"{conflicts} conflicts for the operator"
    )
    if refused:
        why = refused[0].last_error or "?"
        return CheckResult(
            "sync",
            False,
            f"{message}; {len(refused)} refused by the central database, {counts['held']} more held"
            f" behind them (first: {refused[0].kind} — {why}); kept here and tried again every few"
            " minutes: fix the cause (see `frontline admin sync-status`), then restart the desk to"
            " retry at once",
            details,
        )
    return CheckResult("sync", True, message, details)


def _check_audio() -> CheckResult:
    """The capture and playback devices by name, and whether the chosen ones open."""
    try:
        from app.softphone.desk.audio_choice import audio_choice_path, load_choice
        from app.softphone.desk.audio_doctor import check_audio

        return check_audio(load_choice(audio_choice_path()))
    except Exception as exc:  # noqa: BLE001 (the check must report, not crash doctor)
        return CheckResult("audio", False, f"audio check failed: {exc}")


def check_config(site: SiteConfig) -> CheckResult:
    if site.source is None:
        return CheckResult("config", True, "no site file found: embedded defaults (SQLite, demo company)")
    return CheckResult("config", True, f"site file {site.source}", {"path": str(site.source)})


def check_database(url: str) -> CheckResult:
    try:
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        from app.storage.database import database_errors, make_engine
        from app.storage.migrate import current_revision, head_revision

        safe_url = make_url(url).render_as_string(hide_password=True)
        engine = make_engine(url)
        with database_errors(engine):  # which case it is, in one sentence (the driver's words: log)
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            current, head = current_revision(engine), head_revision()
        embedded = engine.dialect.name == "sqlite"
        engine.dispose()
    except UserFacingError as exc:
        return CheckResult("database", False, str(exc))
    except Exception as exc:  # any other failure is the finding too, reported not raised
        log.info("database check failed", exc_info=exc)
        return CheckResult(
            "database", False, f"cannot use the database ({type(exc).__name__}; --verbose shows the details)"
        )
    if current != head and embedded:
        # The desk migrates its own embedded database when the window starts.
        state = "not created yet" if current is None else f"at schema {current}"
        return CheckResult(
            "database",
            True,
            f"{safe_url}: embedded database {state}; it is brought to {head} at the next start",
        )
    if current != head:
        return CheckResult(
            "database",
            False,
            f"{safe_url}: schema at {current or 'nothing'}, expected {head}: run `frontline admin migrate`",
        )
    return CheckResult("database", True, f"{safe_url}: reachable, schema {current}", {"revision": current})


def check_keyring(*, needed: bool = True) -> CheckResult:
    from app.secrets import SecretStoreUnavailable, backend_name, require_secure_backend

    try:
        require_secure_backend()
    except SecretStoreUnavailable as exc:
        if not needed:  # embedded database, no registrar: this desk has no password to keep
            return CheckResult(
                "keyring", True, f"not needed by this configuration ({exc})", {"backend": backend_name()}
            )
        return CheckResult("keyring", False, str(exc), {"backend": backend_name()})
    return CheckResult("keyring", True, f"secure backend {backend_name()}", {"backend": backend_name()})


def _check_sip(site: SiteConfig) -> CheckResult:
    if site.sip.server is None and site.sip.listen is None:
        return CheckResult("sip", True, "no SIP account configured (peer-to-peer demo mode)")
    try:
        from app.softphone.desk.sip_doctor import check_sip
    except ImportError as exc:
        return CheckResult("sip", False, f"softphone engine unavailable: {exc}")
    try:
        result: CheckResult = check_sip(site)
        return result
    except Exception as exc:  # any other failure is the finding too, reported not raised
        log.exception("SIP check failed")
        return CheckResult("sip", False, f"SIP check failed: {exc}")
