"""The workstation's main window.

Without a desk (`desk=None`) it is the customer search: results on the left, the card on the right.
With a desk it is the operator's whole shift: the phone and the operator's state on top, the
search and the customer card, the open tickets (`TicketTabs`) and the scripts; `CallDesk` runs the
call and this class only lays out the parts, owns the menus and shortcuts, and reports database
state.  Nothing typed is lost: drafts go to the desk's disk as they are typed (`DraftKeeper`),
unfinished tickets stay counted and listed (`UnfinishedTickets`, F2), and quitting with a
call or unsaved work asks first (`QuitQuestion`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from functools import partial

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence, QSessionManager
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.demo.caller import DemoCaller, DemoCallers
from app.errors import UserFacingError
from app.json_log import JsonEventLog
from app.services.database_status import DatabaseStatus
from app.services.ports import (
    CallPort,
    CustomerPort,
    DatabaseHealthPort,
    DraftPort,
    LookupPort,
    OperatorStatePort,
    ScriptPort,
    SyncPort,
    TicketPort,
    UnfinishedPort,
)
from app.softphone.desk.device_settings import AudioDevicesPort
from app.tickets.cards import CustomerCard
from app.tickets.operator_state import OperatorState, OperatorStatus
from app.ui.audio_settings import AudioSettingsDialog
from app.ui.call_desk import CallDesk, DeskIdentity
from app.ui.customer_card import CustomerCardView, refreshed_card
from app.ui.disposition_picker import DispositionPicker
from app.ui.draft_keeper import DraftKeeper
from app.ui.live_updates import LiveUpdates
from app.ui.new_customer_form import NewCustomerForm
from app.ui.operator_state_widget import OperatorStateActions, OperatorStateWidget
from app.ui.phone_bridge import PhoneBridge
from app.ui.quit_guard import QuitQuestion, losses
from app.ui.scripts_panel import ScriptsPanel
from app.ui.search_panel import SearchPanel
from app.ui.shortcuts import ShortcutHelp
from app.ui.softphone_panel import PhoneActions, SoftphonePanel
from app.ui.sync_status import SyncEvents, SyncStatusLabel
from app.ui.tasks import BackgroundTasks
from app.ui.ticket_form import TicketForm
from app.ui.ticket_tabs import TicketTabs
from app.ui.unfinished_tickets import UnfinishedDialog, UnfinishedLabel, UnfinishedTickets

log = logging.getLogger(__name__)

HEALTH_INTERVAL_MS = 15_000
NUMBER_TOP_UP_MS = 60_000
CARD_REFRESH_AFTER_CALL_MS = 1_000


@dataclass(frozen=True)
class DeskServices:
    """Everything the operator's desk needs beyond the search, built by the composition root."""

    phone: PhoneBridge
    customers: CustomerPort
    calls: CallPort
    tickets: TicketPort
    scripts: ScriptPort
    identity: DeskIdentity
    json_log: JsonEventLog
    language: str
    drafts: DraftPort  # unsaved ticket typing on this desk's disk
    unfinished: UnfinishedPort  # stored tickets lacking required fields
    top_up_numbers: Callable[[], Future[int]] | None = None
    demo: DemoSetup | None = None
    states: OperatorStatePort | None = None  # where the operator's state is kept for the floor
    audio_devices: AudioDevicesPort | None = None  # this desk's headset and ringing device


@dataclass(frozen=True)
class DemoSetup:
    caller: DemoCaller
    callers: Callable[[], Awaitable[DemoCallers]]


class MainWindow(QMainWindow):
    database_status_changed = Signal(object)  # DatabaseStatus

    def __init__(
        self,
        *,
        lookup: LookupPort,
        health: DatabaseHealthPort,
        company: str,
        settings: QSettings | None = None,
        desk: DeskServices | None = None,
        sync_events: SyncEvents | None = None,
        sync: SyncPort | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """`sync_events`/`sync`: a desk on a central database (its status, live updates and
        conflicts); None on the embedded database."""
        super().__init__(parent)
        self._health = health
        self._settings = settings
        self._tasks = BackgroundTasks(self._on_task_error)
        self.setWindowTitle(self.tr("Frontline — {company}").format(company=company))
        self.setObjectName("mainWindow")

        self.search = SearchPanel(lookup)
        self.card = CustomerCardView()
        self.desk: CallDesk | None = None
        self._desk_services = desk
        if desk is None:
            splitter = QSplitter(Qt.Orientation.Horizontal)
            splitter.addWidget(self.search)
            splitter.addWidget(self.card)
            splitter.setStretchFactor(0, 1)
            splitter.setStretchFactor(1, 2)
            self.setCentralWidget(splitter)
        else:
            self._build_desk(desk)

        self.db_label = QLabel(self.tr("Database: checking…"))
        self.db_label.setObjectName("databaseStatus")
        self.db_label.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addPermanentWidget(self.db_label)

        self.search.customer_selected.connect(self._on_search_customer_selected)
        self.search.customer_opened.connect(self._on_search_customer_opened)
        self.search.lookup_finished.connect(self._on_search_lookup_finished)

        self._lookup = lookup
        self._quit_confirmed = False  # the operator chose to quit although something was at stake
        self.quit_question: QuitQuestion | None = None
        self._build_actions()
        if desk is not None:
            self._build_desk_menus(desk)
        self.live: LiveUpdates | None = None
        if sync_events is not None:
            self._build_live_updates(lookup, sync_events, sync, desk)
        self._build_help_menu()  # last: Help is the rightmost menu
        self._health_timer = QTimer(self)
        self._health_timer.setInterval(HEALTH_INTERVAL_MS)
        self._health_timer.timeout.connect(self.refresh_database_status)
        self._health_timer.start()
        self.refresh_database_status()
        self._restore_layout()
        self.search.focus_search()

    # --- actions and shortcuts ----------------------------------------------------------------
    def _build_actions(self) -> None:
        menu_file = self.menuBar().addMenu(self.tr("&File"))
        quit_action = QAction(self.tr("&Quit"), self)
        # Ctrl+Q everywhere (the platform's own Quit key too, where it has one: none on Windows).
        keys = [QKeySequence("Ctrl+Q")]
        keys += [k for k in QKeySequence.keyBindings(QKeySequence.StandardKey.Quit) if k not in keys]
        quit_action.setShortcuts(keys)
        self.quit_action = quit_action
        quit_action.triggered.connect(self.close)
        menu_file.addAction(quit_action)

        menu_customer = self.menuBar().addMenu(self.tr("&Customer"))
        self._menu_customer = menu_customer
        self.find_action = QAction(self.tr("&Find customer"), self)
        self.find_action.setShortcuts(
            [QKeySequence(QKeySequence.StandardKey.Find), QKeySequence(Qt.Key.Key_F3)]
        )
        self.find_action.triggered.connect(self.search.focus_search)
        menu_customer.addAction(self.find_action)

    def _build_help_menu(self) -> None:
        menu_help = self.menuBar().addMenu(self.tr("&Help"))
        self.shortcuts_action = QAction(self.tr("&Keyboard shortcuts"), self)
        self.shortcuts_action.setShortcut(QKeySequence(Qt.Key.Key_F1))
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        menu_help.addAction(self.shortcuts_action)
        self._menu_help = menu_help
        about = QAction(self.tr("&About Frontline"), self)
        about.triggered.connect(self._show_about)
        menu_help.addAction(about)

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(keys, what they do) for the F1 overlay, read from the actions themselves."""
        rows = [
            (a.shortcut().toString(QKeySequence.SequenceFormat.NativeText), a.text().replace("&", ""))
            for a in self._desk_actions()
        ]
        rows += [
            (
                self.find_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText),
                self.tr("Find customer"),
            ),
            ("F3", self.tr("Find customer")),
            (self.tr("Down"), self.tr("From the search box into the results")),
            (self.tr("Up / Down"), self.tr("Move through the results")),
            (self.tr("Enter"), self.tr("Open the highlighted customer")),
            ("F1", self.tr("This help")),
            (self.quit_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText), self.tr("Quit")),
        ]
        return [r for r in rows if r[0]]

    def show_shortcuts(self) -> None:
        # open(), not exec(): a nested event loop would stall engine events and timers.
        self._shortcut_help = ShortcutHelp(self.shortcut_rows(), self)
        self._shortcut_help.open()

    def _show_about(self) -> None:
        from app import __version__

        QMessageBox.about(
            self,
            self.tr("About Frontline"),
            self.tr("Frontline {version}\nThe operator workstation.").format(version=__version__),
        )

    # --- search and card ----------------------------------------------------------------------
    def _build_live_updates(
        self, lookup: LookupPort, events: SyncEvents, sync: SyncPort | None, desk: DeskServices | None
    ) -> None:
        self.sync_label = SyncStatusLabel()
        self.statusBar().addPermanentWidget(self.sync_label)
        self.live = LiveUpdates(
            events,
            lookup=lookup,
            card=self.card,
            label=self.sync_label,
            sync=sync,
            tickets=desk.tickets if desk is not None else None,
            ticket_tabs=self.ticket_tabs if desk is not None else None,
            parent=self,
        )
        self.live.message.connect(self._on_live_message)
        if sync is not None and desk is not None:
            self.review_conflicts_action = QAction(self.tr("Review &conflicts with other desks"), self)
            self.review_conflicts_action.setShortcut(QKeySequence("Ctrl+Shift+K"))
            self.review_conflicts_action.triggered.connect(self._on_review_conflicts_triggered)
            self._menu_customer.addAction(self.review_conflicts_action)

    def _on_live_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 15_000)

    def _on_review_conflicts_triggered(self) -> None:
        if self.live is not None:
            self.live.review_conflicts()

    def _on_search_customer_selected(self, card: CustomerCard) -> None:
        if self._desk_services is not None:
            self.card_stack.setCurrentWidget(self.card)
        self.card.show_card(card)

    def _on_search_customer_opened(self, card: CustomerCard) -> None:
        self.card.show_card(card)
        self.card.tickets.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_search_lookup_finished(self, result: object) -> None:
        if not self.search.results.count():
            self.card.clear()

    # --- database status ----------------------------------------------------------------------
    def refresh_database_status(self) -> None:
        self._tasks.spawn(self._refresh_database_status())

    async def _refresh_database_status(self) -> None:
        status = await self._health.status()
        self.show_database_status(status)

    def show_database_status(self, status: DatabaseStatus) -> None:
        if status.ok:
            text = self.tr("Database: {backend} ({location})").format(
                backend=status.backend, location=status.location
            )
        else:
            text = self.tr("Database unavailable: {error} — retrying").format(error=status.error or "?")
        self.db_label.setText(text)
        # On a central database the sync label speaks for the database; this desk's own copy
        # is only mentioned when it fails.
        self.db_label.setVisible(self.live is None or not status.ok)
        self.db_label.setProperty("ok", status.ok)
        self.db_label.setStyleSheet("" if status.ok else "color: #b00020; font-weight: bold;")
        self.database_status_changed.emit(status)

    def _on_task_error(self, exc: BaseException) -> None:
        log.error("background task failed", exc_info=exc)
        self.statusBar().showMessage(str(exc) or type(exc).__name__, 10_000)

    # --- layout persistence -------------------------------------------------------------------
    def _restore_layout(self) -> None:
        default = (1320, 820) if self.desk is not None else (1200, 760)
        if self._settings is None:
            self.resize(*default)
            return
        geometry = self._settings.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(*default)

    # --- the operator's desk ------------------------------------------------------------------
    def _build_desk(self, desk: DeskServices) -> None:
        self.phone_actions = PhoneActions(self)
        self.state_actions = OperatorStateActions(self)
        self.softphone = SoftphonePanel(self.phone_actions)
        self.operator_state = OperatorStateWidget(self.state_actions)
        self.ticket_tabs = TicketTabs(desk.tickets, operator_login=desk.identity.operator_login)
        self.scripts = ScriptsPanel()
        self.disposition_picker = DispositionPicker()
        self.new_customer = NewCustomerForm(desk.customers, operator_login=desk.identity.operator_login)
        self.card_stack = QStackedWidget()
        self.card_stack.addWidget(self.card)
        self.card_stack.addWidget(self.new_customer)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.operator_state, alignment=Qt.AlignmentFlag.AlignRight)
        top_layout.addWidget(self.softphone)

        # Left: who is calling (search results over the card); centre: the ticket; right: the words.
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.search)
        left.addWidget(self.card_stack)
        left.setStretchFactor(0, 1)
        left.setStretchFactor(1, 2)
        middle = QSplitter(Qt.Orientation.Horizontal)
        middle.setObjectName("deskSplitter")
        middle.addWidget(left)
        middle.addWidget(self.ticket_tabs)
        middle.addWidget(self._words_column())
        middle.setSizes([420, 560, 320])

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(top)
        layout.addWidget(middle, stretch=1)
        self.setCentralWidget(central)

        self.desk = CallDesk(
            window=self,
            phone=desk.phone,
            calls=desk.calls,
            tickets=desk.tickets,
            softphone=self.softphone,
            search=self.search,
            ticket_tabs=self.ticket_tabs,
            scripts=self.scripts,
            operator_widget=self.operator_state,
            disposition_picker=self.disposition_picker,
            identity=desk.identity,
            json_log=desk.json_log,
            parent=self,
        )
        self.desk.message.connect(self._on_desk_message)
        if desk.states is not None:
            self.desk.operator_state_changed.connect(self._on_operator_state_changed)
            self._on_operator_state_changed(self.desk.state)
        self.desk.ticket_opened.connect(self._on_desk_ticket_opened)
        self.desk.unknown_caller.connect(self.start_new_customer)
        self.desk.call_recorded.connect(self._on_desk_call_recorded)
        self._build_safekeeping(desk)
        self.new_customer.created.connect(self._on_new_customer_created)
        self.new_customer.failed.connect(self._on_desk_message)
        self._tasks.spawn(self._load_desk_data(desk))
        if desk.top_up_numbers is not None:
            self._top_up_timer = QTimer(self)
            self._top_up_timer.setInterval(NUMBER_TOP_UP_MS)
            self._top_up_timer.timeout.connect(self._top_up_numbers)
            self._top_up_timer.start()
            self._top_up_numbers()

    def _words_column(self) -> QSplitter:
        """The words to say, over what came of the call (the disposition picker)."""
        column = QSplitter(Qt.Orientation.Vertical)
        column.addWidget(self.scripts)
        column.addWidget(self.disposition_picker)
        column.setStretchFactor(0, 3)
        column.setStretchFactor(1, 1)
        return column

    def _on_operator_state_changed(self, state: OperatorState) -> None:
        services = self._desk_services
        if services is not None and services.states is not None:
            self._tasks.spawn(services.states.record(services.identity.operator_login, state))

    def start_new_customer(self, phone: str = "") -> None:
        """The new-customer form, pre-filled with `phone` (the unknown caller's number)."""
        if self._desk_services is None:
            return
        if not phone and self.desk is not None and self.desk.current is not None:
            phone = self.desk.current.info.number or ""
        self.new_customer.start(phone or self.search.query.text())
        self.card_stack.setCurrentWidget(self.new_customer)

    def _on_new_customer_action_triggered(self) -> None:
        self.start_new_customer()  # the signal's `checked` must not become the phone number

    def _on_new_customer_created(self, card: CustomerCard) -> None:
        self.card_stack.setCurrentWidget(self.card)
        self.card.show_card(card)
        if self.desk is not None:
            self.desk.customer_created(card)

    def _build_desk_menus(self, desk: DeskServices) -> None:
        menu_call = self.menuBar().addMenu(self.tr("Ca&ll"))
        menu_call.addActions(self.phone_actions.all())
        menu_call.addAction(self.disposition_picker.pick_action)
        if desk.audio_devices is not None:
            menu_call.addSeparator()
            self.sound_devices_action = QAction(self.tr("&Sound devices…"), self)
            self.sound_devices_action.setShortcut(QKeySequence("Ctrl+Alt+S"))
            self.sound_devices_action.triggered.connect(self._on_sound_devices_triggered)
            menu_call.addAction(self.sound_devices_action)
        self.new_customer_action = QAction(self.tr("&New customer…"), self)
        self.new_customer_action.setShortcut(QKeySequence(QKeySequence.StandardKey.New))
        self.new_customer_action.triggered.connect(self._on_new_customer_action_triggered)
        self._menu_customer.addAction(self.new_customer_action)
        self._menu_ticket = self.menuBar().addMenu(self.tr("T&icket"))
        self._fill_ticket_menu(self.ticket_tabs.current_form())
        self.ticket_tabs.current_form_changed.connect(self._fill_ticket_menu)
        menu_state = self.menuBar().addMenu(self.tr("&State"))
        menu_state.addActions(self.state_actions.all())
        for action in self._window_actions():
            if action not in self.actions():
                self.addAction(action)  # shortcuts work wherever the focus is in the window
        if desk.demo is not None:
            from app.ui.demo_menu import DemoMenu

            self.demo_menu = DemoMenu(desk.demo.caller, desk.demo.callers, desk.json_log, self)
            self.menuBar().addMenu(self.demo_menu.menu)
            self.addActions(self.demo_menu.actions())
            self.demo_menu.lead_ready.connect(self.softphone.transfer_target.setText)
            self.demo_menu.message.connect(self._on_desk_message)
            if self.desk is not None:  # the demo desk starts Ready so the first call rings
                self.desk.request_state(OperatorStatus.READY)

    def _fill_ticket_menu(self, form: TicketForm) -> None:
        # Only the front form's Save/Close are in the menu: each form has its own, and Qt fires
        # the shortcuts of the visible one only, so Ctrl+S saves the ticket in front.
        menu = self._menu_ticket
        menu.clear()
        menu.addActions([form.save_action, form.close_action])
        menu.addSeparator()
        menu.addActions([self.unfinished_action, *self.ticket_tabs.actions_for_menu()])

    @property
    def ticket_form(self) -> TicketForm:
        """The ticket form in front (the call's, during a call)."""
        return self.ticket_tabs.current_form()

    def _window_actions(self) -> list[QAction]:
        """The desk's actions whose shortcuts belong to the whole window."""
        if self.desk is None:
            return []
        return [
            self.new_customer_action,
            *self.phone_actions.all(),
            self.disposition_picker.pick_action,
            self.unfinished_action,
            *self.ticket_tabs.actions_for_menu(),
            *self.state_actions.all(),
        ]

    def _desk_actions(self) -> list[QAction]:
        """Every desk action with a shortcut, for the F1 table (the front form's Save/Close)."""
        if self.desk is None:
            return []
        form = self.ticket_form
        return [*self._window_actions(), form.save_action, form.close_action]

    async def _load_desk_data(self, desk: DeskServices) -> None:
        call_desk = self.desk
        if call_desk is None:
            return
        ref = await desk.tickets.reference_data()
        self.ticket_tabs.set_reference_data(ref)
        me = next((o for o in ref.operators if o.login == desk.identity.operator_login), None)
        if me is not None:
            call_desk.set_identity(
                replace(desk.identity, operator_name=me.display_name, position=me.position)
            )
        else:
            self.statusBar().showMessage(
                self.tr("Operator “{login}” is not in the database: scripts will not name you.").format(
                    login=desk.identity.operator_login or "?"
                ),
                15_000,
            )
        call_desk.set_script_library(await desk.scripts.library(), desk.language)
        call_desk.set_dispositions(await desk.scripts.dispositions(), desk.language)
        self.ticket_tabs.set_answer_templates(await desk.scripts.answers(), desk.language)
        await self.drafts.restore(desk.tickets)
        self.unfinished.refresh()

    def _top_up_numbers(self) -> None:
        services = self._desk_services
        if services is None or services.top_up_numbers is None:
            return
        future = services.top_up_numbers()

        def done(f: Future[int]) -> None:
            # Offline is fine: the reserve still has numbers; the next tick tries again.
            with contextlib.suppress(UserFacingError):
                f.result()

        future.add_done_callback(done)

    def _on_desk_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 15_000)

    def _on_desk_ticket_opened(self, _view: object) -> None:
        # The operator is talking: the ticket takes the keyboard (subject first), not the search.
        self.ticket_form.subject.setFocus(Qt.FocusReason.OtherFocusReason)
        self.unfinished.refresh()

    def _on_desk_call_recorded(self, customer: CustomerCard | None, answered: bool) -> None:
        # The card on screen counted the calls before this one: show it with this call in it.
        # After a call the operator took, in wrap-up, when no call rings whose lookup would
        # queue behind this one (after a missed call the next may ring at once: left alone).
        if customer is not None and answered:
            QTimer.singleShot(CARD_REFRESH_AFTER_CALL_MS, partial(self._refresh_card_if_idle, customer.id))

    def _refresh_card_if_idle(self, customer_id: int) -> None:
        shown = self.card.card
        if (
            self.desk is not None
            and self.desk.current is None
            and shown is not None
            and shown.id == customer_id
        ):
            self._tasks.spawn(self._refresh_card(shown.contract_number))

    async def _refresh_card(self, contract: str) -> None:
        fresh = await refreshed_card(self._lookup, contract)
        shown = self.card.card
        if fresh is not None and shown is not None and shown.contract_number == contract:
            self.card.show_card(fresh)

    # --- unfinished tickets and drafts ----------------------------------------------------------
    def _build_safekeeping(self, desk: DeskServices) -> None:
        """Drafts on disk, the unfinished list, and a question before a desktop logout."""
        login = desk.identity.operator_login
        self.drafts = DraftKeeper(
            self.ticket_tabs,
            desk.drafts,
            operator_login=login,
            json_log=desk.json_log,
            parent=self,
        )
        self.drafts.message.connect(self._on_desk_message)
        self.unfinished = UnfinishedTickets(
            stored=desk.unfinished,
            tickets=desk.tickets,
            tabs=self.ticket_tabs,
            keeper=self.drafts,
            operator_login=login,
            parent=self,
        )
        self.unfinished.message.connect(self._on_desk_message)
        self.unfinished_label = UnfinishedLabel()
        self.statusBar().addPermanentWidget(self.unfinished_label)
        self.unfinished.changed.connect(self.unfinished_label.show_entries)
        self.unfinished_action = QAction(self.tr("My &unfinished tickets…"), self)
        self.unfinished_action.setShortcut(QKeySequence(Qt.Key.Key_F2))
        self.unfinished_action.triggered.connect(self._on_unfinished_action_triggered)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.commitDataRequest.connect(self._on_commit_data_request)

    def _on_unfinished_action_triggered(self) -> None:
        self._tasks.spawn(self.show_unfinished())

    async def show_unfinished(self) -> UnfinishedDialog:
        """The list of unfinished tickets (read afresh); Enter reopens the highlighted one."""
        entries = await self.unfinished.reload()
        dialog = UnfinishedDialog(entries, self)
        self.unfinished_dialog = dialog
        dialog.reopen_requested.connect(self._on_unfinished_reopen_requested)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _on_unfinished_reopen_requested(self, ticket_id: int) -> None:
        self._tasks.spawn(self.unfinished.reopen(ticket_id))

    def _on_sound_devices_triggered(self) -> None:
        if self.desk is not None and self.desk.current is not None:
            self.statusBar().showMessage(
                self.tr("Sound devices change between calls: finish this call first."), 15_000
            )
            return
        self._tasks.spawn(self.choose_sound_devices())

    async def choose_sound_devices(self) -> None:
        """The sound-devices dialog; on OK the choice is remembered and the phone restarted."""
        services = self._desk_services
        if services is None or services.audio_devices is None:
            return
        devices = await services.audio_devices.devices()
        dialog = AudioSettingsDialog(devices, self)
        self.sound_devices_dialog = dialog
        dialog.accepted.connect(lambda: self._tasks.spawn(self._apply_sound_devices(dialog)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    async def _apply_sound_devices(self, dialog: AudioSettingsDialog) -> None:
        services = self._desk_services
        if services is None or services.audio_devices is None:
            return
        await services.audio_devices.save(*dialog.choice())
        if self.desk is not None and self.desk.current is not None:
            self.statusBar().showMessage(self.tr("Sound devices saved: used from the next start."), 15_000)
            return
        await services.phone.stop()
        await self.start_phone()
        self.statusBar().showMessage(self.tr("Sound devices saved; the softphone uses them now."), 15_000)

    async def start_phone(self) -> None:
        if self._desk_services is None:
            return
        try:
            await self._desk_services.phone.start()
        except UserFacingError as exc:
            self.softphone.show_engine_down(str(exc))
            self.statusBar().showMessage(str(exc), 30_000)

    async def shutdown(self) -> None:
        """Keep what is typed on disk, stop the engine (hangs up, unregisters) and finish writing
        the calls' records before the process exits."""
        if self._desk_services is not None:
            await self.drafts.flush()
        if self.desk is not None:
            await self.desk.shutdown()
        if getattr(self, "demo_menu", None) is not None:
            await self.demo_menu.shutdown()

    # --- quitting -----------------------------------------------------------------------------
    def at_stake(self) -> list[str]:
        """What quitting now would cost, in words (empty: nothing)."""
        if self._desk_services is None:
            return []
        return losses(self.desk, self.ticket_tabs)

    def close_without_asking(self) -> None:
        """Close even with a call or unsaved work (SIGTERM: the system is ending the session)."""
        self._quit_confirmed = True
        self.close()

    def _ask_before_quitting(self, lines: list[str]) -> None:
        if self.quit_question is not None:
            self.quit_question.raise_()
            return
        # open(), not exec(): the phone's events and the timers keep running while it asks.
        question = QuitQuestion(lines, self)
        self.quit_question = question
        question.quit_chosen.connect(self.close_without_asking)
        question.finished.connect(self._on_quit_question_finished)
        question.open()

    def _on_quit_question_finished(self, _result: int) -> None:
        if self.quit_question is not None:
            self.quit_question.deleteLater()
            self.quit_question = None

    def _on_commit_data_request(self, manager: QSessionManager) -> None:
        """A desktop logout: with a call or unsaved work the logout is cancelled and the operator
        asked (the session manager wants an answer now, and we never block on a dialog)."""
        lines = self.at_stake()
        if lines and manager.allowsInteraction():
            manager.cancel()
            self.raise_()
            self._ask_before_quitting(lines)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        if not self._quit_confirmed:
            lines = self.at_stake()
            if lines:
                event.ignore()
                self._ask_before_quitting(lines)
                return
        self._health_timer.stop()
        if self.live is not None:
            self.live.shutdown()
        self._tasks.cancel_all()
        self.search.shutdown()
        if self._desk_services is not None:
            self.ticket_tabs.shutdown()
            self.new_customer.shutdown()
            self.drafts.shutdown()
            self.unfinished.shutdown()
        if self._settings is not None:
            self._settings.setValue("main/geometry", self.saveGeometry())
        super().closeEvent(event)
