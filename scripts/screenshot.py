"""Make the README screenshot: the real window on demo data, found by a dictated phone number.

Run under a real X server (`xvfb-run -a python scripts/screenshot.py docs/screenshot.png`); the
picture is taken from the window system, as a user would see it.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

import phonenumbers
import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy import text

from app.demo.data import generate_demo_data
from app.services.database_health import DatabaseHealth
from app.services.database_worker import DatabaseWorker, awaited
from app.services.lookup import LookupService
from app.services.ports import DatabaseHealthPort, LookupPort
from app.storage.database import make_engine
from app.storage.migrate import upgrade
from app.ui.i18n import install_translators
from app.ui.main_window import MainWindow


async def shoot(out: Path, language: str | None) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    install_translators(app, language)
    engine = make_engine(f"sqlite:///{tempfile.mkdtemp()}/shot.sqlite3")
    upgrade(engine)
    generate_demo_data(engine, customers=500, seed=3)
    with engine.connect() as conn:
        e164 = conn.execute(
            text(
                "SELECT p.e164 FROM customer_phones p JOIN tickets t ON t.customer_id = p.customer_id"
                " JOIN calls c ON c.customer_id = p.customer_id"
                " WHERE p.e164 LIKE '+7%' AND t.status IN ('new', 'in_progress', 'escalated')"
                " AND (SELECT count(*) FROM customer_phones q WHERE q.e164 = p.e164) = 1"
                " GROUP BY p.e164 ORDER BY count(DISTINCT t.id) DESC, count(DISTINCT c.id) DESC LIMIT 1"
            )
        ).scalar_one()
    worker = DatabaseWorker()
    window = MainWindow(
        lookup=awaited(worker, LookupService(engine, default_region="RU"), LookupPort),
        health=awaited(worker, DatabaseHealth(engine), DatabaseHealthPort),
        company="Frontline Demo Telecom",
    )
    window.resize(1200, 700)
    window.show()
    done = asyncio.Event()
    window.search.lookup_finished.connect(lambda _r: QTimer.singleShot(300, done.set))
    window.search.search_for(
        phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.NATIONAL)
    )
    await done.wait()
    screen = window.screen()
    pixmap = screen.grabWindow(
        0, window.x(), window.y(), window.frameGeometry().width(), window.frameGeometry().height()
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    pixmap.save(str(out))
    print(f"saved {out}")
    window.close()
    worker.shutdown()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshot.png")
    language = sys.argv[2] if len(sys.argv) > 2 else None
    QApplication(sys.argv[:1])
    qasync.run(shoot(out, language))


if __name__ == "__main__":
    main()
