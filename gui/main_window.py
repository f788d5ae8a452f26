"""The main window: first run or the workspace of one node; menus, shortcuts, settings."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from gui import dialogs, errors, firstrun, language, services, sounds
from gui.context import AppContext
from gui.firstrun import FirstRunPage
from gui.services import LedgerService
from gui.tasks import Task, TaskManager
from gui.views.alerts import AlertsView, connect_alerts
from gui.views.commission import CommissionView
from gui.views.inspector import InspectorView
from gui.views.network import NetworkView
from gui.views.packing import PackingView
from gui.views.scan import ScanView
from gui.views.shipments import ShipmentsView
from gui.widgets import MessageBanner
from supplychain.demo.network import Demo
from supplychain.identity.certificates import Role

log = logging.getLogger(__name__)

# Stable shortcut per view (Ctrl+1..7); which views a role sees, and where it starts.
VIEW_KEYS = ["scan", "shipments", "commission", "inspector", "network", "packing", "alerts"]
ROLE_VIEWS = {
    Role.PHARMACY: ["scan", "alerts", "shipments", "inspector", "network"],
    Role.DISTRIBUTOR: ["scan", "alerts", "shipments", "inspector", "network"],
    Role.MANUFACTURER: ["scan", "alerts", "shipments", "commission", "packing", "inspector",
                        "network"],
    Role.REGULATOR: ["scan", "alerts", "inspector", "network"],
}
ROLE_START = {Role.PHARMACY: "scan", Role.DISTRIBUTOR: "shipments",
              Role.MANUFACTURER: "commission", Role.REGULATOR: "inspector"}
VIEW_TITLES = {"scan": QT_TRANSLATE_NOOP("MainWindow", "Scan && verify"),
               "shipments": QT_TRANSLATE_NOOP("MainWindow", "Shipments"),
               "commission": QT_TRANSLATE_NOOP("MainWindow", "Commission && labels"),
               "inspector": QT_TRANSLATE_NOOP("MainWindow", "Inspector"),
               "network": QT_TRANSLATE_NOOP("MainWindow", "Network"),
               "packing": QT_TRANSLATE_NOOP("MainWindow", "Cases && pallets"),
               "alerts": QT_TRANSLATE_NOOP("MainWindow", "Alerts")}


class ProgressPanel(QWidget):
    """Status-bar progress for long work (bundles, demo), with Cancel where it makes sense."""

    def __init__(self) -> None:
        super().__init__()
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(220)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cancel_button.clicked.connect(self._cancel)
        self.task: Task | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.hide()

    def start(self, text: str, task: Task | None, cancellable: bool = False) -> None:
        self.task = task
        self.label.setText(text)
        self.bar.setRange(0, 0)
        self.cancel_button.setVisible(cancellable)
        self.show()

    def update_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)

    def finish(self) -> None:
        self.task = None
        self.hide()

    def _cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.label.setText(self.tr("Cancelling…"))


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings, data_dir: Path) -> None:
        super().__init__()
        self.settings = settings
        sounds.install(settings)  # "Sounds for verdicts" (View menu)
        self.data_dir = data_dir
        self.tasks = TaskManager()
        self.service: LedgerService | None = None
        self.ctx: AppContext | None = None
        self.demo: Demo | None = None
        self._preferred_demo_home: Path | None = None
        self.views: dict[str, QWidget] = {}
        self.setWindowTitle(self.tr("Medicines provenance ledger"))
        self.setMinimumSize(1000, 640)

        self.banner = MessageBanner()
        errors.set_sink(lambda text: self.banner.show_message(text, "error"))
        self.first_run = FirstRunPage()
        self.first_run.demo_requested.connect(self.open_demo)
        self.first_run.join_requested.connect(self.join_consortium)
        self.first_run.create_requested.connect(self.create_consortium)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.first_run)
        self.workspace: QWidget | None = None
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.toolbar = QToolBar(self.tr("Organisation"))
        self.toolbar.setObjectName("organisationToolbar")
        self.toolbar.setMovable(False)
        self.node_label = QLabel(self.tr("No node open"))
        self.node_label.setStyleSheet("font-weight: bold; padding: 0 12px;")
        self.org_label = QLabel(self.tr(" Demo: play as "))
        self.org_combo = QComboBox()
        self.org_combo.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.org_combo.setMinimumWidth(300)
        self.org_combo.activated.connect(self._org_chosen)
        self.toolbar.addWidget(self.node_label)
        self.org_label_action = self.toolbar.addWidget(self.org_label)
        self.org_combo_action = self.toolbar.addWidget(self.org_combo)
        self.addToolBar(self.toolbar)
        self._show_org_switch(False)

        self.progress = ProgressPanel()
        self.statusBar().addPermanentWidget(self.progress)
        self._build_menus()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1366, 768)
        state = settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)

    # --- menus and shortcuts ------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.act_open_image = self._action(file_menu, self.tr("Open picture of a code…"), "Ctrl+O",
                                           self._open_image)
        file_menu.addSeparator()
        self.act_import = self._action(file_menu,
                                       self.tr("Import bundle…"), "Ctrl+I", self.import_bundle)
        self.act_export = self._action(file_menu,
                                       self.tr("Export bundle…"), "Ctrl+E", self.export_bundle)
        file_menu.addSeparator()
        self._action(file_menu, self.tr("Open the demo network"), None, self.open_demo)
        self._action(file_menu, self.tr("Open a node folder…"), None, self.join_consortium)
        self._action(file_menu, self.tr("Create a consortium…"), None, self.create_consortium)
        file_menu.addSeparator()
        self._action(file_menu, self.tr("Quit"), QKeySequence.StandardKey.Quit, self.close)
        self.view_menu = self.menuBar().addMenu(self.tr("&View"))
        self.act_scan_focus = self._action(self.view_menu,
                                           self.tr("Scan input"), "F2", self.focus_scan)
        self.view_menu.addSeparator()
        self.view_actions: dict[str, QAction] = {}
        for i, key in enumerate(VIEW_KEYS, 1):
            self.view_actions[key] = self._action(
                self.view_menu, self.tr(VIEW_TITLES[key]).replace("&&", "&"), f"Ctrl+{i}",
                lambda _=False, k=key: self.show_view(k))
        self.view_menu.addSeparator()
        self.act_sounds = sounds.sounds_action(self)
        self.view_menu.addAction(self.act_sounds)
        self.menuBar().addMenu(language.language_menu(
            self, self.settings, lambda text: self.banner.show_message(text, "info")))
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        self._action(help_menu, self.tr("Keyboard shortcuts"), "F1", self._shortcuts)
        self._node_actions(False)

    def _action(self, menu: object, text: str, shortcut: object, slot: object) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))  # type: ignore[arg-type]
        action.triggered.connect(slot)  # type: ignore[arg-type]
        menu.addAction(action)  # type: ignore[attr-defined]
        return action

    def _node_actions(self, enabled: bool) -> None:
        for action in (self.act_open_image, self.act_import, self.act_export,
                       self.act_scan_focus):
            action.setEnabled(enabled)
        for key, action in self.view_actions.items():
            action.setVisible(enabled and key in self.views)

    def _shortcuts(self) -> None:
        self.banner.show_message(
            self.tr("F2 scan input · Ctrl+1 Scan & verify · Ctrl+2 Shipments · Ctrl+3 Commission · "
            "Ctrl+4 Inspector · Ctrl+5 Network · Ctrl+6 Cases & pallets · Ctrl+7 Alerts · "
            "Ctrl+O open picture · Ctrl+I / Ctrl+E import / export bundle · Ctrl+Q quit"), "info")

    # --- first run --------------------------------------------------------------------
    def restore_last_node(self) -> None:
        """At start-up: reopen the last node (asking its passphrase), else show first run."""
        demo_dir = self.settings.value("node/demo_dir")
        home = self.settings.value("node/home")
        if demo_dir and Path(str(demo_dir), "demo.json").exists():
            # Opened like a first demo: its nodes sync with each other when the last round is
            # old, so the freshness line under a verdict stays true after a restart.
            self._open_demo_at(Path(str(demo_dir)), Path(str(home)) if home else None)
            return
        if home and Path(str(home), "node.json").exists():
            passphrase = dialogs.ask_passphrase(self, self.tr("Open node"),
                                                self.tr("Passphrase of the node in "
                                                        "{home}:").format(home=home))
            if passphrase:
                self.open_node(Path(str(home)), passphrase)

    def open_demo(self) -> None:
        """Open the demo network in the app's data folder (created on first use)."""
        self._open_demo_at(self.data_dir / "demo", None)

    def _open_demo_at(self, directory: Path, preferred_home: Path | None) -> None:
        """Open the demo network (created on first use, its nodes synced), then one of its nodes:
        ``preferred_home`` if it is one of them, else the pharmacy."""
        self._preferred_demo_home = preferred_home
        if (directory / "demo.json").exists():
            self.first_run.set_busy(self.tr("Opening the demo network (its nodes sync with each "
                                            "other)…"))
        else:
            self.first_run.set_busy(self.tr("Creating the demo network (eight organisations, a "
                                            "short history)…"))
        self.pages.setCurrentWidget(self.first_run)

        def done() -> None:
            self.first_run.set_busy(None)
            self.progress.finish()

        def progress(done_steps: int, total: int) -> None:
            self.first_run.set_progress(done_steps, total)
            self.progress.update_progress(done_steps, total)

        task = self.tasks.run(lambda t: services.open_or_create_demo(directory, t.progress),
                              node=False, on_success=self._demo_ready, on_progress=progress,
                              on_done=done, label="demo")
        self.progress.start(self.tr("Preparing the demo network…"), task)

    def _demo_ready(self, demo: Demo) -> None:
        self.demo = demo
        self.settings.setValue("node/demo_dir", str(demo.directory))
        preferred = self._preferred_demo_home
        node = next((n for n in demo.nodes if n.home == preferred), None) or next(
            n for n in demo.nodes if n.role is Role.PHARMACY)
        self._open_demo_node(node)

    def _open_demo_node(self, node: object) -> None:
        assert self.demo is not None
        self.org_combo.clear()
        for n in self.demo.nodes:
            self.org_combo.addItem(f"{n.name} — {language.role_words(n.role)}", str(n.home))
        homes = [str(n.home) for n in self.demo.nodes]
        self.org_combo.setCurrentIndex(homes.index(str(node.home)))  # type: ignore[attr-defined]
        self._show_org_switch(True)
        self.open_node(node.home, services.demo_passphrase())  # type: ignore[attr-defined]

    def _org_chosen(self, index: int) -> None:
        home = Path(str(self.org_combo.itemData(index)))
        if self.service is None or self.service.info.home != home:
            self.open_node(home, services.demo_passphrase())

    def switch_demo_org(self, role: Role) -> None:
        """Switch to the demo organisation of ``role`` (used by the screenshot script)."""
        assert self.demo is not None
        node = self.demo.node(role)
        self.org_combo.setCurrentIndex([n.home for n in self.demo.nodes].index(node.home))
        self.open_node(node.home, services.demo_passphrase())

    def _show_org_switch(self, visible: bool) -> None:
        self.org_label_action.setVisible(visible)
        self.org_combo_action.setVisible(visible)

    def join_consortium(self) -> None:
        home = dialogs.pick_directory(self, self.tr("Pick your node folder (made by `supplychain "
                                            "consortium enroll`)"))
        if home is None:
            return
        if not (home / "node.json").exists():
            self.banner.show_message(
                self.tr("{folder} is not a node folder (it has no node.json). Pick the folder "
                        "given as --home to `supplychain consortium enroll`.").format(
                    folder=home), "error")
            return
        passphrase = dialogs.ask_passphrase(self, self.tr("Join a consortium"),
                                            self.tr("Passphrase of this node's key:"))
        if passphrase:
            self.demo = None
            self._show_org_switch(False)
            self.settings.remove("node/demo_dir")
            self.open_node(home, passphrase)

    def create_consortium(self) -> None:
        spec = firstrun.ask_new_consortium(self, self.data_dir / "consortium")
        if spec is None:
            return
        self.first_run.set_busy(self.tr("Creating the consortium root and your node…"))
        self.pages.setCurrentWidget(self.first_run)

        def work(_task: Task) -> Path:
            return services.create_consortium(spec.folder / "consortium", spec.name,
                                              spec.regulator_name, spec.gln,
                                              spec.folder / "node", spec.passphrase)

        def created(home: Path) -> None:
            self.demo = None
            self._show_org_switch(False)
            self.settings.remove("node/demo_dir")
            self.banner.show_message(
                self.tr("Consortium '{name}' created in {folder}. Keep root.key and its "
                        "passphrase safe: they enrol every member.").format(
                    name=spec.name, folder=spec.folder / "consortium"), "success")
            self.open_node(home, spec.passphrase)

        self.tasks.run(work, node=False, on_success=created,
                       on_done=lambda: self.first_run.set_busy(None))

    # --- opening a node ---------------------------------------------------------------
    def open_node(self, home: Path, passphrase: bytes) -> None:
        old = self.service
        self.service = None
        self._close_workspace()

        def work(_task: Task) -> LedgerService:
            if old is not None:
                old.close()
            return LedgerService(home, passphrase)

        self.node_label.setText(self.tr("Opening…"))
        self.tasks.run(work, on_success=self._node_opened,
                       on_failure=self._open_failed)

    def _open_failed(self, exc: BaseException) -> None:
        self.node_label.setText(self.tr("No node open"))
        self.pages.setCurrentWidget(self.first_run)
        errors.show_error(exc)

    def _node_opened(self, service: LedgerService) -> None:
        self.service = service
        info = service.info
        self.settings.setValue("node/home", str(info.home))
        self.ctx = AppContext(self.tasks, service, info, self.banner)
        self.node_label.setText(f"{info.name} · {language.role_words(info.role)} · GLN {info.gln}")
        self.setWindowTitle(self.tr("{name} — Medicines provenance ledger").format(name=info.name))
        self._build_workspace(self.ctx)
        self._node_actions(True)

    def _build_workspace(self, ctx: AppContext) -> None:
        factories = {"scan": ScanView, "shipments": ShipmentsView,
                     "commission": CommissionView, "inspector": InspectorView,
                     "network": NetworkView, "packing": PackingView, "alerts": AlertsView}
        workspace = QWidget()
        nav = QListWidget()
        nav.setObjectName("navigation")
        nav.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        nav.setFixedWidth(210)
        stack = QStackedWidget()
        self.views = {}
        for key in ROLE_VIEWS[ctx.info.role]:
            view = factories[key](ctx)  # type: ignore[operator]
            self.views[key] = view
            stack.addWidget(view)
            shortcut = VIEW_KEYS.index(key) + 1
            title = self.tr(VIEW_TITLES[key]).replace("&&", "&")
            keys = QKeySequence(f"Ctrl+{shortcut}").toString(
                QKeySequence.SequenceFormat.NativeText)  # "Strg+1" in German
            item = QListWidgetItem(f"{title}\n{keys}")
            item.setData(Qt.ItemDataRole.UserRole, key)
            nav.addItem(item)
        nav.currentRowChanged.connect(stack.setCurrentIndex)
        connect_alerts(self.views, self.show_view)
        layout = QHBoxLayout(workspace)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(nav)
        layout.addWidget(stack, 1)
        self.nav = nav
        self.stack = stack
        self.workspace = workspace
        self.pages.addWidget(workspace)
        self.pages.setCurrentWidget(workspace)
        self.show_view(ROLE_START[ctx.info.role])

    def _close_workspace(self) -> None:
        for view in self.views.values():
            shutdown = getattr(view, "shutdown", None)
            if shutdown:
                shutdown()
        self.views = {}
        if self.workspace is not None:
            self.pages.removeWidget(self.workspace)
            self.workspace.deleteLater()
            self.workspace = None
        self._node_actions(False)

    def show_view(self, key: str) -> None:
        if key not in self.views:
            return
        keys = list(self.views)
        self.nav.setCurrentRow(keys.index(key))
        refresh = getattr(self.views[key], "refresh", None)
        if refresh:
            refresh()

    def current_view(self) -> str | None:
        if not self.views:
            return None
        return list(self.views)[self.stack.currentIndex()]

    def focus_scan(self) -> None:
        self.show_view("scan")
        scan = self.views.get("scan")
        if isinstance(scan, ScanView):
            scan.focus_input()

    def _open_image(self) -> None:
        self.show_view("scan")
        scan = self.views.get("scan")
        if isinstance(scan, ScanView):
            scan.open_image()

    # --- bundles ----------------------------------------------------------------------
    def export_bundle(self) -> None:
        if self.ctx is None:
            return
        path = dialogs.save_file(self, self.tr("Export bundle"), "ledger-bundle.json",
                                 self.tr("Ledger bundles (*.json)"))
        if path is not None:
            self.run_bundle_export(path)

    def run_bundle_export(self, path: Path) -> None:
        assert self.ctx is not None
        task = self.ctx.call(lambda s, _t: s.export_bundle(path),
                             on_success=lambda logs: self.banner.show_message(
                                 self.tr("Exported {entries} entries of {logs} logs to "
                                         "{file}. Hand the file to the other members.").format(
                                     entries=sum(logs.values()), logs=len(logs),
                                     file=path.name),
                                 "success"),
                             on_done=self.progress.finish)
        self.progress.start(self.tr("Exporting bundle…"), task)

    def import_bundle(self) -> None:
        if self.ctx is None:
            return
        path = dialogs.open_file(self, self.tr("Import bundle"), self.tr("Ledger bundles (*.json)"))
        if path is not None:
            self.run_bundle_import(path)

    def run_bundle_import(self, path: Path) -> None:
        assert self.ctx is not None

        def imported(result: object) -> None:
            total = getattr(result, "total_new", 0)
            members = getattr(result, "new_members", 0)
            self.banner.show_message(self.tr("Imported {entries} new entries and {members} new "
                                             "member certificates from {file}.").format(
                entries=total, members=members, file=path.name), "success")
            current = self.current_view()
            if current:
                self.show_view(current)

        task = self.ctx.call(lambda s, _t: s.import_bundle(path), on_success=imported,
                             on_done=self.progress.finish)
        self.progress.start(self.tr("Importing and verifying bundle…"), task)

    # --- closing ----------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()
        self._close_workspace()
        self.tasks.shutdown()
        if self.service is not None:
            self.service.close()
            self.service = None
        errors.set_sink(None)
        super().closeEvent(event)
