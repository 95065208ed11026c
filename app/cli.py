"""The `frontline` command: the window by default, plus the tools IT, scripts and tests use.

    frontline [--config FILE] [--db URL]            start the workstation window
    frontline demo-data --customers N [--db URL]    fill a database with realistic demo data
    frontline lookup QUERY [--db URL] [--json]      what the screen pop would find for QUERY
    frontline doctor [--json]                       check configuration, database, keyring, SIP
    frontline phone ...                             the softphone engine, headless (JSON lines)
    frontline admin migrate --db URL                apply the database migrations
    frontline admin set-password --db URL           store the database password in the OS keyring
    frontline admin sync-status --db URL            changes the central database refused, per desk
    frontline admin set-sip-password                store this desk's SIP password in the OS keyring

Heavy modules (Qt, SQLAlchemy, pjsua2) are imported inside each command so that `--help` and the
engine start fast and the engine process never loads Qt.

What goes wrong in the environment (a wrong URL, a server that is down, a refused password, a
database not migrated...) arrives here as a `UserFacingError` and is printed as one sentence in the
user's language (`app.catalogue`: QtCore's QTranslator reading the window's own catalogue, loaded
only when there is something to say), with exit status 2.  Anything else is a bug: one sentence
too, exit status 70, and the traceback with ``--verbose``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
import traceback
from collections.abc import Sequence

from app import __version__
from app.config import SiteConfig, load_site_config
from app.errors import UserFacingError, ValidationError
from app.text import QT_TRANSLATE_NOOP, Text

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
log = logging.getLogger(__name__)

EXIT_USER_ERROR = 2
EXIT_BUG = 70  # EX_SOFTWARE (sysexits.h)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    # The engine parses its own options; hand it everything after `phone` untouched.
    if args_list[:1] == ["phone"]:
        from app.softphone.engine.main import main as phone_main

        return phone_main(args_list[1:])

    parser = _build_parser()
    args = parser.parse_args(args_list)
    window = args.handler is _cmd_gui
    logging.basicConfig(
        # The window's stderr is the desk's log; a command's is the admin's terminal, where its
        # own sentence says what went wrong (--verbose shows the log).
        level=logging.DEBUG if args.verbose else logging.INFO if window else logging.WARNING,
        stream=sys.stderr,
        format=LOG_FORMAT,
    )
    if not args.verbose:
        logging.getLogger("alembic").setLevel(logging.WARNING)
    if window:  # and in a file of its own: a desk started from a launcher has no stderr to read
        from app.desk_log import add_desk_log_file

        add_desk_log_file(logging.Formatter(LOG_FORMAT))
    from app.catalogue import use_for_command_line

    use_for_command_line(None)  # the system's language until the site file has been read
    try:
        site = load_site_config(args.config)
        use_for_command_line(site.language)
        return int(args.handler(args, site))
    except UserFacingError as exc:
        _say(f"frontline: {exc}")
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception:  # the last boundary: a bug, said in one sentence (details with --verbose)
        if args.verbose:
            traceback.print_exc()
        else:
            log.debug("unexpected error", exc_info=True)
        _say(
            QT_TRANSLATE_NOOP(
                "Cli",
                "frontline: something unexpected went wrong ({kind}); this is a bug in Frontline. Run the "
                "command again with --verbose to see the details, and report them.",
            ).format(kind=type(sys.exc_info()[1]).__name__)
        )
        return EXIT_BUG


def _say(text: Text | str) -> None:
    """One line for the person at the terminal, in their language."""
    print(str(text), file=sys.stderr)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="frontline", description="Frontline operator workstation.")
    parser.add_argument("--version", action="version", version=f"frontline {__version__}")
    parser.add_argument("--config", metavar="FILE", help="site configuration file (TOML)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    parser.set_defaults(handler=_cmd_gui, db=None)
    _add_gui_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = sub.add_parser("gui", help="start the workstation window (the default)")
    _add_db(gui)
    _add_gui_options(gui, suppress=True)
    gui.set_defaults(handler=_cmd_gui)

    demo = sub.add_parser("demo-data", help="fill a database with realistic demo data")
    _add_db(demo)
    demo.add_argument("--customers", type=int, default=2000, metavar="N")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--if-empty", action="store_true", help="do nothing if customers already exist")
    demo.add_argument("--append", action="store_true", help="add customers to a database that has some")
    demo.set_defaults(handler=_cmd_demo_data)

    lookup = sub.add_parser("lookup", help="find customers by phone number, contract number or name")
    _add_db(lookup)
    lookup.add_argument("query")
    lookup.add_argument("--json", action="store_true", help="print the result as JSON")
    lookup.add_argument("--limit", type=int, default=20)
    lookup.set_defaults(handler=_cmd_lookup)

    doctor = sub.add_parser("doctor", help="check this workstation's configuration and connections")
    _add_db(doctor)
    doctor.add_argument("--json", action="store_true", help="one JSON object per check")
    doctor.add_argument("--no-sip", action="store_true", help="skip the SIP registration check")
    doctor.add_argument(
        "--no-audio",
        action="store_true",
        help="skip the sound devices check (IT's own machine, a server or CI: no headset there)",
    )
    doctor.set_defaults(handler=_cmd_doctor)

    sub.add_parser("phone", help="the softphone engine, headless (see `frontline phone --help`)")
    _add_admin_commands(sub)
    return parser


def _add_admin_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    admin = sub.add_parser("admin", help="database administration")
    admin_sub = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    migrate = admin_sub.add_parser("migrate", help="apply the database migrations")
    _add_db(migrate)
    migrate.set_defaults(handler=_cmd_migrate)
    set_pw = admin_sub.add_parser("set-password", help="store the database password in the OS keyring")
    _add_db(set_pw)
    set_pw.set_defaults(handler=_cmd_set_password)
    set_sip = admin_sub.add_parser(
        "set-sip-password",
        help="store this desk's SIP password in the OS keyring (from a prompt or stdin, never argv)",
    )
    set_sip.add_argument("--user", help="SIP user name (default: [sip] username in the site file)")
    set_sip.add_argument("--server", metavar="HOST", help="registrar host (default: [sip] server)")
    set_sip.set_defaults(handler=_cmd_set_sip_password)
    add_op = admin_sub.add_parser(
        "add-operator",
        help="create an operator and their own database login (password from a prompt or stdin, never argv)",
    )
    _add_db(add_op)
    add_op.add_argument("--login", required=True)
    add_op.add_argument("--display-name", help="the name scripts say (default: the login)")
    add_op.add_argument("--department", required=True, help="created if it does not exist")
    add_op.add_argument("--role", required=True, choices=("operator", "shift_lead", "admin"))
    add_op.add_argument("--position", help='e.g. "Operator", "Network engineer"')
    add_op.add_argument("--sip-extension")
    add_op.set_defaults(handler=_cmd_add_operator)
    sync_status = admin_sub.add_parser(
        "sync-status",
        help="list the changes the central database refused, per desk (as your login may see them)",
    )
    _add_db(sync_status)
    sync_status.add_argument("--json", action="store_true", help="one JSON object per refused change")
    sync_status.set_defaults(handler=_cmd_sync_status)


def _add_gui_options(p: argparse.ArgumentParser, *, suppress: bool) -> None:
    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    if not suppress:
        p.add_argument(
            "--db", metavar="URL", help="database URL (default: the site file, else embedded SQLite)"
        )
    p.add_argument(
        "--demo",
        action="store_true",
        default=default(False),
        help="demo mode: fill an empty database with demo data and offer the built-in demo caller",
    )
    p.add_argument(
        "--listen", metavar="HOST:PORT", default=default(None), help="peer-to-peer SIP address (no registrar)"
    )
    p.add_argument(
        "--json-log",
        metavar="FILE",
        default=default(None),
        help="write what the operator experiences as JSON lines",
    )
    p.add_argument(
        "--operator",
        metavar="LOGIN",
        default=default(None),
        help="the operator signed in at this desk (default: $FRONTLINE_OPERATOR, else the OS user; on a"
        " central database always the login of the database URL)",
    )
    p.add_argument(
        "--no-phone", action="store_true", default=default(False), help="start without the softphone engine"
    )
    p.add_argument(
        "--ready",
        action="store_true",
        default=default(False),
        help="start the shift Ready instead of Not ready (unattended desks, tests, benchmarks)",
    )


def _add_db(p: argparse.ArgumentParser) -> None:
    # SUPPRESS: `frontline --db URL lookup q` keeps the top-level value instead of a None default.
    p.add_argument(
        "--db",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="database URL (default: the site file, else embedded SQLite)",
    )


def _db_url(args: argparse.Namespace, site: SiteConfig) -> str:
    return str(args.db) if args.db else site.effective_database_url()


def _open_database(url: str, *, create_embedded: bool = True):  # type: ignore[no-untyped-def]
    """An engine at the newest schema.  The embedded SQLite is migrated on the spot; a central
    PostgreSQL is only migrated by `frontline admin migrate` (IT decides when the schema changes)."""
    from app.storage.database import make_engine
    from app.storage.migrate import upgrade

    engine = make_engine(url)
    if create_embedded and engine.dialect.name == "sqlite":
        upgrade(engine)
    return engine


def _cmd_gui(args: argparse.Namespace, site: SiteConfig) -> int:
    import os

    from app.demo import DEMO_OPERATOR
    from app.main import WorkstationOptions, run_workstation

    listen = args.listen
    if args.demo and listen is None and site.sip.server is None:
        listen = "127.0.0.1:5070"  # the demo caller rings the desk here
    database_url = _db_url(args, site)
    options = WorkstationOptions(
        database_url=database_url,
        seed_demo=bool(args.demo),
        listen=listen,
        json_log=args.json_log,
        operator_login=_operator_login(
            args.operator or os.environ.get("FRONTLINE_OPERATOR"),
            database_url,
            default=DEMO_OPERATOR if args.demo else None,
        ),
        phone=not args.no_phone,
        demo_caller=bool(args.demo),
        start_ready=bool(args.ready),
    )
    return run_workstation(site, options)


def _operator_login(asked: str | None, database_url: str, *, default: str | None) -> str:
    """Who is signed in at the desk.

    On a central database it is the login the desk connects with -- the URL's user, else
    ``$PGUSER``, else the OS login, as libpq decides -- because the central database knows the
    operator by that login (row-level security): a desk signed in as somebody else would have
    every change refused.  So another name asked for (``--operator``, ``$FRONTLINE_OPERATOR``)
    is refused at once, in words, instead of at the first call.
    """
    import os

    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return asked or default or getpass.getuser()
    database_login = url.username or os.environ.get("PGUSER") or getpass.getuser()
    if asked and asked != database_login:
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "Cli",
                "The operator {operator} cannot sign in with the database login {login}: each desk"
                " works as its operator's own login. Put {operator} in the database URL, or leave"
                " out --operator.",
            ).format(operator=asked, login=database_login)
        )
    return database_login


def _cmd_demo_data(args: argparse.Namespace, site: SiteConfig) -> int:
    from app.demo.data import DemoDataExists, generate_demo_data
    from app.storage.migrate import upgrade

    engine = _open_database(_db_url(args, site))
    upgrade(engine)  # demo data is for a database we were told to fill: bring it to the newest schema

    def progress(table: str, done: int, total: int) -> None:
        print(f"\r{table}: {done}/{total}    ", end="", file=sys.stderr, flush=True)

    try:
        report = generate_demo_data(
            engine,
            customers=args.customers,
            seed=args.seed,
            default_region=site.default_region,
            progress=progress,
            append=args.append,
        )
    except DemoDataExists:
        if not args.if_empty:
            raise
        _say(QT_TRANSLATE_NOOP("Cli", "frontline: demo data already present, nothing to do."))
        return 0
    print(file=sys.stderr)
    print(json.dumps(_jsonable(report), ensure_ascii=False))
    return 0


def _cmd_lookup(args: argparse.Namespace, site: SiteConfig) -> int:
    from app.services.lookup import LookupService
    from app.tickets.cards import to_jsonable

    engine = _open_database(_db_url(args, site))
    result = LookupService(engine, default_region=site.default_region).lookup(args.query, limit=args.limit)
    if args.json:
        print(json.dumps(to_jsonable(result), ensure_ascii=False, indent=2))
    else:
        print(f"{result.kind.value}: {result.normalized or ''} — {len(result.customers)} customer(s)")
        for card in result.customers:
            print(f"  {card.contract_number}  {card.name}  {', '.join(card.phones)}")
            for t in card.open_tickets:
                print(f"      ticket {t.number}  [{t.status.value}]  {t.subject}")
    return 0 if result.customers else 1


def _cmd_doctor(args: argparse.Namespace, site: SiteConfig) -> int:
    from app.doctor import run_checks

    results = run_checks(site, database_url=_db_url(args, site), sip=not args.no_sip, audio=not args.no_audio)
    for r in results:
        if args.json:
            print(json.dumps({"check": r.name, "ok": r.ok, "detail": r.detail, **(r.data or {})}))
        else:
            print(f"{'OK  ' if r.ok else 'FAIL'} {r.name:<9} {r.detail}")
    return 0 if all(r.ok for r in results) else 1


def _cmd_migrate(args: argparse.Namespace, site: SiteConfig) -> int:
    from app.storage.database import make_engine
    from app.storage.migrate import current_revision, upgrade

    engine = make_engine(_db_url(args, site))
    upgrade(engine)
    _say(
        QT_TRANSLATE_NOOP("Cli", "frontline: database at revision {revision}").format(
            revision=current_revision(engine)
        )
    )
    return 0


def _cmd_set_password(args: argparse.Namespace, site: SiteConfig) -> int:
    from sqlalchemy.engine import make_url

    from app.secrets import database_key
    from app.storage.database import database_user

    url = make_url(_db_url(args, site))
    user = database_user(url)  # the same user make_engine will look the password up for
    if not user:
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "Cli", "The database URL names no user, so there is no password to store: add LOGIN@ to it."
            )
        )
    return _store_password(database_key(user, url.host), f"{user}@{url.host or 'localhost'}")


def _cmd_set_sip_password(args: argparse.Namespace, site: SiteConfig) -> int:
    from app.secrets import sip_key

    user = args.user or site.sip.username
    server = args.server or site.sip.server
    if not user or not server:
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "Cli",
                "Which SIP account? The site file has no [sip] username and server (a peer-to-peer desk "
                "needs no password); give them with --user and --server.",
            )
        )
    # The key the engine looks up (app.softphone.engine.main): the user and the registrar's host, no port.
    return _store_password(sip_key(user, server), f"{user}@{server}")


def _store_password(key: str, account: str) -> int:
    from app.secrets import set_secret

    password = _read_password(
        str(QT_TRANSLATE_NOOP("Cli", "Password for {account}: ").format(account=account))
    )
    set_secret(key, password)
    _say(
        QT_TRANSLATE_NOOP("Cli", "frontline: the password for {account} is stored in the OS keyring.").format(
            account=account
        )
    )
    return 0


def _read_password(prompt: str) -> str:
    # Never from argv: a prompt on a terminal, else one line on stdin (for provisioning scripts).
    password = getpass.getpass(prompt) if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    if not password:
        raise ValidationError(QT_TRANSLATE_NOOP("Cli", "Empty password; nothing done."))
    return password


def _cmd_add_operator(args: argparse.Namespace, site: SiteConfig) -> int:
    from app.storage.admin import add_operator
    from app.storage.database import make_engine

    engine = make_engine(_db_url(args, site))
    password = None
    if engine.dialect.name != "sqlite":  # on the embedded database there is no login to create
        password = _read_password(
            str(QT_TRANSLATE_NOOP("Cli", "Password for the new login {login}: ").format(login=args.login))
        )
    add_operator(
        engine,
        login=args.login,
        display_name=args.display_name or args.login,
        department=args.department,
        role=args.role,
        password=password,
        position=args.position,
        sip_extension=args.sip_extension,
    )
    _say(
        QT_TRANSLATE_NOOP("Cli", "frontline: operator {login} ({role}, {department}) created.").format(
            login=args.login, role=args.role, department=args.department
        )
    )
    return 0


def _cmd_sync_status(args: argparse.Namespace, site: SiteConfig) -> int:
    """Exit 0 when no desk reports a refused change, 1 when some do (like `doctor`)."""
    from itertools import groupby

    from app.storage.database import make_engine
    from app.sync.refusals import refusal_reports

    url = _db_url(args, site)
    if url.startswith("sqlite"):
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "Cli", "sync-status reads the central PostgreSQL database: give --db postgresql://…"
            )
        )
    engine = make_engine(url)
    try:
        reports = refusal_reports(engine)
    finally:
        engine.dispose()
    if args.json:
        for report in reports:
            print(json.dumps(_jsonable(report), ensure_ascii=False))
        return 1 if reports else 0
    if not reports:
        print(QT_TRANSLATE_NOOP("Cli", "No desk reports a refused change."))
        return 0
    for desk, group in groupby(reports, key=lambda r: r.desk):
        items = list(group)
        heading = QT_TRANSLATE_NOOP("Cli", "{desk} ({logins}): refused {count}, first {first}, last {last}")
        print(
            heading.format(
                desk=desk,
                logins=", ".join(sorted({r.operator or "?" for r in items})),
                count=len(items),
                first=f"{items[0].first_at:%Y-%m-%d %H:%M}",
                last=f"{max(r.last_at for r in items):%Y-%m-%d %H:%M}",
            )
        )
        for r in items:  # the database's own words: IT reads them as they are
            print(f"  {r.kind:<15} {r.subject or '-':<36} ×{r.attempts:<3} {r.error}")
    _say(
        QT_TRANSLATE_NOOP(
            "Cli",
            "Each desk keeps these changes and sends them again every few minutes and when it starts:"
            " fix the cause (migrate the database, correct the operator's rights) and they go through.",
        )
    )
    return 1


def _jsonable(value: object) -> object:
    from app.tickets.cards import to_jsonable

    return to_jsonable(value)
