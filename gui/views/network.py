"""Network: the peers this node syncs with, the logs it holds, "Sync now", and bundles.

Every role has it. Node work (reading the status, adding/removing/unblocking a peer) runs on
the node thread through ``AppContext.call``. A sync round runs on a general worker with its own
connection to the node's store (``LedgerService.sync_now``), so scanning goes on meanwhile; it
reports progress per peer and per batch kept, and can be cancelled between network steps.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui import dialogs
from gui.context import AppContext
from gui.display import SyncOutcome, progress_text
from gui.models import RowsModel, when
from gui.tasks import Task
from gui.widgets import big_button, heading, table_view
from supplychain.errors import BadPeerUrl
from supplychain.ledger.freshness import ago
from supplychain.node.network import (
    EvidenceRow,
    LogRow,
    NetworkStatus,
    PeerRow,
    parse_peer_url,
)
from supplychain.sync.protocol import DEFAULT_TIMEOUT
from supplychain.sync.service import SyncProgress

STATE_WORDS = {"active": QT_TRANSLATE_NOOP("NetworkView", "active"),
               "failing": QT_TRANSLATE_NOOP("NetworkView", "failing (retried)"),
               "blocked": QT_TRANSLATE_NOOP("NetworkView", "BLOCKED")}
STATE_COLOURS = {"failing": "#fff4d6", "blocked": "#fbe3e3"}
translate = QCoreApplication.translate


def _state_words(state: str) -> str:
    return translate("NetworkView", STATE_WORDS[state]) if state in STATE_WORDS else state


def _never(iso: str | None) -> str:
    return when(iso) if iso else translate("NetworkView", "never")


def _last_synced(row: LogRow) -> str:
    if row.own or row.last_synced is None:
        return "–" if row.own else translate("NetworkView", "never")
    return translate("NetworkView", "{time} from {peer}").format(
        time=when(row.last_synced), peer=row.synced_from_name or row.synced_from)


def _freshness(row: LogRow) -> str:
    if row.own:
        return translate("NetworkView", "this node's own log (always current)")
    if row.last_synced is None:
        return (translate("NetworkView", "⚠ STALE: never synced with a peer") if row.entries
                else translate("NetworkView", "⚠ STALE: no peer has sent this log yet"))
    if row.stale:
        return translate("NetworkView", "⚠ STALE: {ago}").format(ago=ago(row.last_synced))
    return translate("NetworkView", "fresh: {ago}").format(ago=ago(row.last_synced))


class NetworkView(QWidget):
    title = "Network"
    status_loaded = Signal(object)  # NetworkStatus, after every refresh
    sync_finished = Signal(object)  # SyncOutcome, or the exception that stopped the round

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.status: NetworkStatus | None = None
        self.outcome: SyncOutcome | None = None
        self.sync_task: Task | None = None
        self.sync_timeout = DEFAULT_TIMEOUT  # deadline of each request to a peer (seconds)

        intro = QLabel(
            self.tr("Sync pulls every log your peers hold over mutual TLS and keeps only what "
                    "provably belongs to the signed logs; a peer that lies is blocked and the "
                    "evidence kept."))
        intro.setWordWrap(True)

        # --- peers ---
        self.url_input = QLineEdit()
        self.url_input.setPlaceholderText(self.tr("https://host:port of another member's node"))
        self.url_input.setAccessibleName(self.tr("Peer URL"))
        self.url_input.setMinimumHeight(34)
        self.url_input.returnPressed.connect(self.add_peer)
        self.add_button = big_button(self.tr("Add peer"),
                                     self.tr("Add the node at this URL as a peer"),
                                     focus=True)
        self.add_button.clicked.connect(self.add_peer)
        self.remove_button = big_button(self.tr("Remove"),
                                        self.tr("Stop syncing with the selected peer"),
                                        focus=True)
        self.remove_button.clicked.connect(self.remove_peer)
        self.unblock_button = big_button(self.tr("Unblock…"),
                                         self.tr("Let a blocked peer be pulled from again "
                                                     "(after looking at the evidence)"),
                                         focus=True)
        self.unblock_button.clicked.connect(self.unblock_peer)
        self.sync_button = big_button(self.tr("Sync now"),
                                      self.tr("Run one sync round with every active peer"),
                                      focus=True)
        self.sync_button.setStyleSheet("QPushButton:enabled { background: #0d47a1; "
                                       "color: white; font-weight: bold; padding: 0 18px; }")
        self.sync_button.clicked.connect(self.sync_now)
        self.url_error = QLabel()
        self.url_error.setObjectName("peerUrlError")
        self.url_error.setWordWrap(True)
        self.url_error.setStyleSheet("color: #8a1c1c; font-weight: bold;")
        self.url_error.hide()
        add_row = QHBoxLayout()
        add_row.addWidget(self.url_input, 1)
        add_row.addWidget(self.add_button)
        add_row.addWidget(self.remove_button)
        add_row.addWidget(self.unblock_button)
        add_row.addSpacing(16)
        add_row.addWidget(self.sync_button)

        self.peers = RowsModel[PeerRow]([
            (self.tr("Peer"), lambda p: p.url),
            (self.tr("Member"), lambda p: f"{p.name} · {p.gln}" if p.name else
             (p.gln or self.tr("known after the first sync"))),
            (self.tr("State"), lambda p: _state_words(p.state)),
            (self.tr("Last attempt"), lambda p: _never(p.last_attempt)),
            (self.tr("Last success"), lambda p: _never(p.last_success)),
            (self.tr("Failures"), lambda p: str(p.failures)),
            (self.tr("Reason"), lambda p: p.reason or "–"),
        ], colour=lambda p: STATE_COLOURS.get(p.state))
        self.peers_view = table_view(self.peers, compact=True)
        self.peers_view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.peers_view.setMinimumHeight(4 * (self.peers_view.fontMetrics().height() + 8))
        self.no_peers = QLabel(self.tr("No peers yet: type the address of another member's node "
                               "(https://host:port, as given to `supplychain serve --listen`) "
                               "and press Add peer."))
        self.no_peers.setWordWrap(True)
        self.no_peers.setStyleSheet("color: #455a64;")

        # --- a round in progress, and its results ---
        self.progress_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(260)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel_sync)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress_label, 1)
        progress_row.addWidget(self.progress_bar)
        progress_row.addWidget(self.cancel_button)
        self.progress_box = QWidget()
        self.progress_box.setLayout(progress_row)
        progress_row.setContentsMargins(0, 0, 0, 0)
        self.progress_box.hide()
        self.results = QListWidget()
        self.results.setObjectName("syncResults")
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.results.hide()

        peers_box = QGroupBox(self.tr("Peers"))
        pl = QVBoxLayout(peers_box)
        pl.addLayout(add_row)
        pl.addWidget(self.url_error)
        pl.addWidget(self.peers_view, 1)
        pl.addWidget(self.no_peers)
        pl.addWidget(self.progress_box)
        pl.addWidget(self.results)

        # --- logs and evidence ---
        self.logs = RowsModel[LogRow]([
            (self.tr("Organisation"), lambda r: r.name),
            (self.tr("GLN"), lambda r: r.gln),
            (self.tr("Entries"), lambda r: f"{r.entries:,}"),
            (self.tr("Latest checkpoint"), lambda r: self.tr("size {size} · root {root}…").format(
                size=f"{r.checkpoint_size:,}", root=(r.root_prefix or "")[:8])
             if r.checkpoint_size is not None else self.tr("none")),
            (self.tr("Freshness"), _freshness),
            (self.tr("Last synced (UTC)"), _last_synced),
        ], colour=lambda r: "#fff4d6" if r.stale else None)
        self.logs_view = table_view(self.logs, compact=True)
        self.evidence = RowsModel[EvidenceRow]([
            (self.tr("What happened"), lambda e: e.words),
            (self.tr("Peer"), lambda e: e.peer),
            (self.tr("Log / subject"), lambda e: e.subject),
            (self.tr("First seen"), lambda e: when(e.first_seen)),
            (self.tr("Last seen"), lambda e: when(e.last_seen)),
            (self.tr("Times"), lambda e: str(e.count)),
            (self.tr("Detail"), lambda e: e.detail),
        ], colour=lambda e: "#fbe3e3" if e.fault else None)
        self.evidence_view = table_view(self.evidence, compact=True)
        evidence_page = QWidget()
        el = QVBoxLayout(evidence_page)
        el.setContentsMargins(0, 4, 0, 0)
        note = QLabel(self.tr("Kept for an operator and a third party to check (the signed notes, "
                      "entries and proofs are stored with each row; `supplychain alerts` "
                      "prints them). Forks and rejected events are in the Inspector's Alerts "
                      "tab."))
        note.setWordWrap(True)
        el.addWidget(note)
        el.addWidget(self.evidence_view, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.logs_view, self.tr("Logs held"))
        self.tabs.addTab(evidence_page, self.tr("Sync evidence and refused connections"))

        # --- bundles (offline exchange) ---
        bundles = QGroupBox(self.tr("Offline exchange: bundles"))
        explain = QLabel(self.tr("No network? Hand over a bundle file (every log held); imports "
                                 "are verified in full, but do not count as a sync."))
        explain.setWordWrap(True)
        self.import_button = big_button(self.tr("Import bundle…  (Ctrl+I)"), focus=True)
        self.export_button = big_button(self.tr("Export bundle…  (Ctrl+E)"), focus=True)
        self.import_button.clicked.connect(self._import_bundle)
        self.export_button.clicked.connect(self._export_bundle)
        bl = QHBoxLayout(bundles)
        bl.addWidget(explain, 1)
        bl.addWidget(self.import_button)
        bl.addWidget(self.export_button)

        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Network"), 16))
        layout.addWidget(intro)
        layout.addWidget(peers_box, 5)
        layout.addWidget(self.tabs, 4)
        layout.addWidget(bundles)
        self._selection_changed()

    def _window_call(self, name: str) -> None:
        getattr(self.window(), name)()

    def _import_bundle(self) -> None:
        self._window_call("import_bundle")

    def _export_bundle(self) -> None:
        self._window_call("export_bundle")

    # --- status -------------------------------------------------------------------------
    def refresh(self) -> None:
        self.ctx.call(lambda s, _t: s.network_status(), on_success=self.show_status)

    def show_status(self, status: NetworkStatus) -> None:
        selected = self.selected_peer()
        self.status = status
        self.peers.set_rows(status.peers)
        self.no_peers.setVisible(not status.peers)
        self.logs.set_rows(status.logs)
        self.evidence.set_rows(status.evidence)
        stale = sum(1 for r in status.logs if r.stale)
        hours = status.stale_after_seconds / 3600
        limit = (self.tr("{hours} h").format(hours=f"{hours:g}") if hours >= 1 else
                 self.tr("{minutes} min").format(minutes=status.stale_after_seconds // 60))
        self.tabs.setTabText(0, self.tr("Logs held ({logs}; {stale} stale: not synced within "
                                        "{limit})").format(logs=len(status.logs), stale=stale,
                                                           limit=limit) if stale else
                             self.tr("Logs held ({logs}, all fresh)").format(logs=len(status.logs)))
        self.tabs.setTabText(1, self.tr("Sync evidence and refused connections ({count})").format(
            count=len(status.evidence)))
        if selected is not None:
            for i, peer in enumerate(status.peers):
                if peer.url == selected.url:
                    self.peers_view.selectRow(i)
        self._selection_changed()
        self.status_loaded.emit(status)

    def selected_peer(self) -> PeerRow | None:
        rows = self.peers_view.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.peers.rows):
            return None
        return self.peers.rows[rows[0].row()]

    def _selection_changed(self, *_args: object) -> None:
        peer = self.selected_peer()
        self.remove_button.setEnabled(peer is not None)
        self.unblock_button.setEnabled(peer is not None and peer.state == "blocked")

    # --- peers --------------------------------------------------------------------------
    def add_peer(self) -> None:
        text = self.url_input.text().strip()
        try:
            url = parse_peer_url(text)
        except BadPeerUrl as exc:
            self.url_error.setText(self.tr("{problem} — for example https://10.0.0.7:8443").format(
                problem=exc))
            self.url_error.show()
            return
        self.url_error.hide()

        def added(result: tuple[str, bool]) -> None:
            url, new = result
            self.url_input.clear()
            self.ctx.notify((self.tr("Added peer {url}. Press Sync now to pull from it.") if new
                             else self.tr("{url} is already a peer.")).format(url=url),
                            "success" if new else "info")
            self.refresh()

        self.ctx.call(lambda s, _t: s.add_peer(url), on_success=added)

    def remove_peer(self) -> None:
        peer = self.selected_peer()
        if peer is None:
            return
        if not dialogs.confirm(self, self.tr("Remove peer"),
                               self.tr("Stop syncing with {peer} ({url})? Its evidence, if any, "
                                       "stays listed here.").format(peer=peer.label, url=peer.url)):
            return
        def removed(_result: object) -> None:
            self.ctx.notify(self.tr("Removed peer {url}.").format(url=peer.url))
            self.refresh()

        self.ctx.call(lambda s, _t: s.remove_peer(peer.url), on_success=removed)

    def unblock_peer(self) -> None:
        peer = self.selected_peer()
        if peer is None or peer.state != "blocked":
            return
        rows = [e for e in (self.status.evidence if self.status else ()) if e.peer == peer.url]
        listed = "\n".join("• " + self.tr("{what} (log {log}), first seen {time}, {count}×").format(
            what=e.words, log=e.subject, time=when(e.first_seen), count=e.count)
            for e in rows[:5]) or "• " + self.tr("(no evidence row found)")
        text = self.tr("{peer} ({url}) was blocked because it {reason}.\n\nEvidence kept against "
                       "it:\n{listed}\n\nUnblock it only after someone has looked at this "
                       "evidence. It will be pulled from again at the next round; the evidence "
                       "stays. Unblock?").format(peer=peer.label, url=peer.url,
                                                 reason=peer.reason or self.tr("misbehaved"),
                                                 listed=listed)
        if not dialogs.confirm(self, self.tr("Unblock peer"), text):
            return
        def unblocked(_result: object) -> None:
            self.ctx.notify(self.tr("{peer} is active again; its evidence stays listed.").format(
                peer=peer.label))
            self.refresh()

        self.ctx.call(lambda s, _t: s.unblock_peer(peer.url), on_success=unblocked)

    # --- sync now -----------------------------------------------------------------------
    @property
    def syncing(self) -> bool:
        return self.sync_task is not None

    def sync_now(self) -> None:
        if self.sync_task is not None:
            return
        self.sync_button.setEnabled(False)
        self.sync_button.setText(self.tr("Syncing…"))
        self.progress_label.setText(self.tr("Contacting peers…"))
        self.progress_bar.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self.progress_box.show()
        timeout = self.sync_timeout

        service = self.ctx.service

        def work(task: Task) -> SyncOutcome:
            return service.sync_now(lambda p: task.progress(p.peers_done, p.peers_total, p),
                                    task.cancelled, timeout)

        # A general worker, not the node thread: the round opens its own connection to the
        # node's store, so scans and other node work go on while peers are slow to answer.
        self.sync_task = self.ctx.tasks.run(work, node=False, on_success=self._synced,
                                            on_failure=self._sync_failed,
                                            on_progress=self._sync_progress,
                                            on_done=self._sync_done, label=self.tr("sync"))

    def cancel_sync(self) -> None:
        if self.sync_task is not None:
            self.sync_task.cancel()
            self.cancel_button.setEnabled(False)
            self.progress_label.setText(self.tr("Cancelling… (the batch being verified is finished "
                                        "first)"))

    def _sync_progress(self, done: int, total: int, detail: SyncProgress | None = None) -> None:
        if self.sync_task is None or self.sync_task.cancelled():
            return
        if done == 0 and (detail is None or detail.new_entries == 0):
            self.progress_bar.setRange(0, 0)
        else:
            self.progress_bar.setRange(0, max(total, 1))
            self.progress_bar.setValue(done)
        if detail is not None:
            self.progress_label.setText(progress_text(detail))

    def _synced(self, outcome: SyncOutcome) -> None:
        self.outcome = outcome
        self.results.clear()
        for result in outcome.results:
            mark = "✔" if result.ok else ("⛔" if result.blocked else "✖")
            item = QListWidgetItem(f"{mark}  {result.text}")
            if not result.ok:
                item.setForeground(Qt.GlobalColor.darkRed)
            self.results.addItem(item)
        for url in outcome.skipped_blocked:
            self.results.addItem("–  " + self.tr("{url}: skipped (blocked; see its "
                                                 "evidence).").format(url=url))
        if not outcome.results:
            self.results.addItem(self.tr("No active peers to sync with: add one above.")
                                 if not outcome.skipped_blocked else
                                 self.tr("Every peer is blocked: nothing to sync with."))
        rows = min(self.results.count(), 4)
        self.results.setFixedHeight(rows * (self.results.sizeHintForRow(0) + 2) + 8)
        self.results.show()
        peers = len(outcome.results)
        if outcome.cancelled:
            self.ctx.notify(self.tr("Sync cancelled: {count} new entries kept.").format(
                count=outcome.total_new), "info")
        elif peers:
            words = (self.tr("Sync finished: {count} new entries from {peers} peer") if peers == 1
                     else self.tr("Sync finished: {count} new entries from {peers} peers")).format(
                count=outcome.total_new, peers=peers)
            if outcome.failed:
                words += self.tr("; {count} failed (see the list under the peers)").format(
                    count=outcome.failed)
            self.ctx.notify(words + ".", "info" if outcome.failed else "success")
        self.sync_finished.emit(outcome)

    def _sync_failed(self, exc: BaseException) -> None:
        from gui import errors
        errors.show_error(exc)
        self.sync_finished.emit(exc)

    def _sync_done(self) -> None:
        self.sync_task = None
        self.progress_box.hide()
        self.sync_button.setEnabled(True)
        self.sync_button.setText(self.tr("Sync now"))
        # A round may bring new member certificates; then show the new state.
        self.ctx.call(lambda s, _t: s.refresh_info())
        self.refresh()
