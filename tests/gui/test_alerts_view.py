"""The Alerts view (Ctrl+7): a site's queue with each alert's life and its steps, driven as a
pharmacist would (keyboard in the closing dialog), and the regulator's national view with its
filters on alerts synced from two pharmacies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from gui import dialogs
from gui.views.alert_dialogs import CloseAlertDialog
from gui.views.alerts import AlertsView
from supplychain.clock import now
from supplychain.demo.network import DEMO_PASSPHRASE, PHARMACY, PHARMACY_2, Demo
from supplychain.identity.certificates import Role
from supplychain.ledger.alert_life import Alert, AlertCause, AlertState, ClosingReason
from supplychain.node import alerts as core
from supplychain.sync.loopback import sync_among
from tests.gui.conftest import WAIT_MS, play_as


def run(qtbot, window, fn):  # type: ignore[no-untyped-def]
    """Run ``fn(node)`` on the node thread (as the app does) and return its result."""
    out: list[object] = []
    window.ctx.call(lambda s, _t: fn(s.node), on_success=out.append)
    qtbot.waitUntil(lambda: bool(out), timeout=WAIT_MS)
    return out[0]


def alerts_view(qtbot, window) -> AlertsView:  # type: ignore[no-untyped-def]
    """Show the Alerts view (Ctrl+7) and wait for its queue."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    view = window.views["alerts"]
    qtbot.waitUntil(lambda: window.current_view() == "alerts" and view.loaded, timeout=WAIT_MS)
    return view


def raise_on(node, serial: str, cause: AlertCause = AlertCause.UNKNOWN_SERIAL) -> Alert:  # type: ignore[no-untyped-def]
    pack = f"05012345000015/{serial}"
    return core.raise_alert(node, cause, pack, [pack], f"{serial} is not in the ledger")


def reload(qtbot, view: AlertsView) -> None:
    view.loaded = False
    view.refresh()
    qtbot.waitUntil(lambda: view.loaded, timeout=WAIT_MS)


def test_queue_lists_open_alerts_first_new_then_investigating(qtbot, window) -> None:
    def make(node):  # type: ignore[no-untyped-def]
        closed = raise_on(node, "Q1")
        investigating = raise_on(node, "Q2")
        newer = raise_on(node, "Q3")
        core.close_alert(node, closed.id, ClosingReason.DATA_ERROR, "lot typed wrongly")
        core.investigate(node, investigating.id, "asking the wholesaler")
        return closed.id, investigating.id, newer.id
    closed, investigating, newer = run(qtbot, window, make)
    view = alerts_view(qtbot, window)
    rows = view.model.rows
    states = [a.state for a in rows]
    assert states == sorted(states, key=[AlertState.NEW, AlertState.INVESTIGATING,
                                         AlertState.CLOSED].index)
    ids = [a.id for a in rows]
    assert ids.index(newer) < ids.index(investigating) < ids.index(closed)
    new_rows = [a for a in rows if a.state is AlertState.NEW]
    assert [a.raised_at for a in new_rows] == sorted((a.raised_at for a in new_rows),
                                                     reverse=True)
    # The demo's forked pack is a local detection of this site: new, not signed yet.
    assert any(not a.signed and a.cause is AlertCause.CLONE_OR_FORK for a in new_rows)
    assert view.counts.text().startswith(f"{len(new_rows) + 1} open ({len(new_rows)} new, "
                                         "1 investigating) · 0 overdue · 1 closed")
    view.select(investigating)
    assert "investigating" in view.life.title.text()
    steps = [view.life.steps.columns[2][1](r) for r in view.life.steps.rows]
    assert steps == ["raised", "investigating"]
    assert view.life.steps.columns[3][1](view.life.steps.rows[1]) == "asking the wholesaler"
    assert not view.investigate_button.isEnabled() and view.close_button.isEnabled()


def when_dialog_opens(drive) -> list[BaseException]:  # type: ignore[no-untyped-def]
    """Call ``drive(dialog)`` once the closing dialog is shown modal (it blocks the test in
    its own event loop); a failure is kept for the test and closes the dialog."""
    failures: list[BaseException] = []
    tries = [0]

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, CloseAlertDialog):
            tries[0] += 1
            if tries[0] < 500:
                QTimer.singleShot(20, poll)
            return
        try:
            drive(dialog)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            failures.append(exc)
            dialog.reject()
    QTimer.singleShot(0, poll)
    return failures


def keyboard_close(qtbot, downs: int, note: str):  # type: ignore[no-untyped-def]
    """The closing dialog by keyboard only: type the note, Tab, arrows to the reason, Enter."""
    def drive(dialog: CloseAlertDialog) -> None:
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
        assert dialog.focusWidget() is dialog.note
        qtbot.keyClick(dialog.note, Qt.Key.Key_Return)  # no note yet: Enter does not close
        assert dialog.isVisible()
        qtbot.keyClicks(dialog.note, note)
        qtbot.keyClick(dialog.note, Qt.Key.Key_Tab)
        assert dialog.focusWidget() is dialog.radios[ClosingReason.SCANNING_ERROR]
        for _ in range(downs):
            qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Down)
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    return drive


@pytest.mark.parametrize("reason", list(ClosingReason))
def test_close_with_each_reason_by_keyboard(qtbot, window, reason: ClosingReason) -> None:
    alert = run(qtbot, window, lambda node: raise_on(node, "K" + reason.value[:6].upper()))
    view = alerts_view(qtbot, window)
    view.select(alert.id)
    view.table.setFocus()
    note = f"checked: {reason.value}"
    failures = when_dialog_opens(keyboard_close(qtbot, list(ClosingReason).index(reason), note))
    qtbot.keyClick(view.table, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)  # Close…
    assert not failures
    qtbot.waitUntil(lambda: (a := view.selected()) is not None and a.id == alert.id
                    and a.state is AlertState.CLOSED, timeout=WAIT_MS)
    closed = view.selected()
    assert closed.closing is reason and closed.note == note
    assert closed.owner == window.ctx.info.gln and closed.signed
    if reason is ClosingReason.CONFIRMED_FALSIFIED:  # confirmed, reported, closed
        assert closed.confirmed_at and closed.reported_at
        assert "Medicines Regulatory Agency" in view.life.parties.text()
    assert not (view.close_button.isEnabled() or view.investigate_button.isEnabled())
    assert view.life.title.text().endswith("closed — " + view.life._step(
        closed.steps[-1]).split(" — ")[1])


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_confirm_shows_the_deadline_and_report_writes_the_form(qtbot, window, monkeypatch,
                                                                tmp_path, suffix: str) -> None:
    view = alerts_view(qtbot, window)
    # The demo's cloned pack: a detection of this site that nobody acted on yet.
    fork = next(a for a in view.model.rows if a.cause is AlertCause.CLONE_OR_FORK)
    assert not fork.signed
    view.select(fork.id)
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda _p, _t, text: asked.append(text) or True)
    qtbot.keyClick(view.table, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: (a := view.selected()) is not None and a.confirmed_at is not None,
                    timeout=WAIT_MS)
    assert "24 h" in asked[0] and "regulator" in asked[0]
    confirmed = view.selected()
    assert confirmed.id == fork.id and confirmed.signed
    row = [a.id for a in view.model.rows].index(fork.id)
    index = view.model.index(row, view.model.clock_column)
    assert view.model.data(index) in ("report due in 24 h", "report due in 23 h 59 min")
    assert view.life.clock.text().startswith("Report due in")
    assert not view.confirm_button.isEnabled() and view.report_button.isEnabled()
    # Twenty-one hours on, the clock is red; past the deadline it is overdue.
    due = confirmed.deadline()
    view.model.tick(due - timedelta(hours=3))
    assert view.model.data(index) == "report due in 3 h"
    assert view.model.data(index, Qt.ItemDataRole.ForegroundRole).color().name() == "#b71c1c"
    view.model.tick(due + timedelta(hours=2))
    assert view.model.data(index) == "OVERDUE by 2 h"
    view.model.tick(now())
    assert view.model.data(index, Qt.ItemDataRole.ForegroundRole) is None
    # Report: the form is written; the regulator and the pack's partners are notified.
    form = tmp_path / f"report{suffix}"
    monkeypatch.setattr(dialogs, "save_file", lambda *_a: form)
    qtbot.keyClick(view.table, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: view.selected().reported_at is not None, timeout=WAIT_MS)
    serial = fork.packs[0].split("/")[1]
    assert serial in form.read_text()
    assert "Medicines Regulatory Agency" in view.life.parties.text()
    assert "Acme Pharma Ltd" in view.life.parties.text()  # the pack's maker, in its chain
    assert view.life.clock.text().startswith("Reported at")
    assert view.model.data(view.model.index(row, view.model.clock_column)).startswith(
        "reported ")


def test_open_pack_jumps_to_the_inspector(qtbot, window) -> None:
    view = alerts_view(qtbot, window)
    fork = next(a for a in view.model.rows if a.cause is AlertCause.CLONE_OR_FORK)
    view.select(fork.id)
    qtbot.keyClick(view.table, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    inspector = window.views["inspector"]
    qtbot.waitUntil(lambda: window.current_view() == "inspector"
                    and inspector.current_pack == fork.packs[0], timeout=WAIT_MS)


def test_national_view_filters_alerts_synced_from_two_pharmacies(qtbot, window,
                                                                 data_dir) -> None:
    made: dict[str, str] = {}
    made["high_new"] = run(qtbot, window, lambda n: raise_on(n, "NAT1")).id

    def high_closed(node):  # type: ignore[no-untyped-def]
        alert = raise_on(node, "NAT2", AlertCause.RECALL)
        return core.close_alert(node, alert.id, ClosingReason.PROCESS_ERROR, "scanned twice").id
    made["high_closed"] = run(qtbot, window, high_closed)
    window.org_combo.setCurrentIndex(
        [window.org_combo.itemText(i).split(" — ")[0] for i in
         range(window.org_combo.count())].index(PHARMACY_2.name))
    window.org_combo.activated.emit(window.org_combo.currentIndex())
    qtbot.waitUntil(lambda: window.service is not None
                    and window.service.info.gln == PHARMACY_2.gln and bool(window.views),
                    timeout=WAIT_MS)

    def river(node):  # type: ignore[no-untyped-def]
        alert = raise_on(node, "NAT3", AlertCause.CLONE_OR_FORK)
        return core.confirm_falsified(node, alert.id, "two packs with one serial").id
    made["river_confirmed"] = run(qtbot, window, river)
    play_as(qtbot, window, Role.REGULATOR)
    demo = Demo.load(data_dir / "demo")
    pharmacies = [n.home for n in demo.nodes if n.gln in (PHARMACY.gln, PHARMACY_2.gln)]
    reports = run(qtbot, window, lambda node: sync_among(  # mutual TLS on loopback
        [node.home], DEMO_PASSPHRASE, sources=pharmacies))
    assert len(reports) == 2 and not any(r.error for r in reports)
    view = alerts_view(qtbot, window)
    assert view.owner_filter.isVisible()
    owners = {a.id: a.owner for a in view.all_alerts}
    assert owners[made["high_new"]] == PHARMACY.gln
    assert owners[made["river_confirmed"]] == PHARMACY_2.gln
    assert "1 closed" in view.counts.text()

    def shown() -> set[str]:
        return {a.id for a in view.model.rows} & set(made.values())

    assert shown() == set(made.values())
    view.state_filter.setCurrentIndex(view.state_filter.findData(AlertState.CLOSED.value))
    assert shown() == {made["high_closed"]}
    view.state_filter.setCurrentIndex(0)
    view.cause_filter.setCurrentIndex(view.cause_filter.findData(AlertCause.CLONE_OR_FORK.value))
    assert shown() == {made["river_confirmed"]}
    view.cause_filter.setCurrentIndex(0)
    view.owner_filter.setCurrentIndex(view.owner_filter.findData(PHARMACY.gln))
    assert shown() == {made["high_new"], made["high_closed"]}
    assert all(a.owner == PHARMACY.gln for a in view.model.rows)
    view.owner_filter.setCurrentIndex(0)
    qtbot.keyClicks(view.text_filter, "NAT3")
    assert {a.id for a in view.model.rows} == {made["river_confirmed"]}
    view.text_filter.clear()
    qtbot.keyClicks(view.text_filter, made["high_new"][:8])
    assert {a.id for a in view.model.rows} == {made["high_new"]}
    view.text_filter.clear()
    view.open_only.setChecked(True)
    assert shown() == {made["high_new"], made["river_confirmed"]}
    view.open_only.setChecked(False)
    view.overdue_only.setChecked(True)
    assert shown() == set()  # confirmed moments ago: due in 24 h
    view.overdue_only.setChecked(False)
    # The regulator sees the running clock and the site, but cannot step another's alert.
    view.select(made["river_confirmed"])
    assert view.life.clock.text().startswith("Report due in")
    assert PHARMACY_2.name in view.life.facts.text()
    assert not (view.close_button.isEnabled() or view.confirm_button.isEnabled()
                or view.report_button.isEnabled())


def test_a_counterfeit_scan_raises_an_alert_and_the_queue_shows_it(qtbot, window) -> None:
    view = alerts_view(qtbot, window)
    before = {a.id for a in view.all_alerts}
    window.show_view("scan")
    scan = window.views["scan"]
    fake = window.demo.samples["unknown_serial"]
    scan.verify(fake)
    qtbot.waitUntil(lambda: scan.alert_line.isVisible(), timeout=WAIT_MS)
    raised = next(a for a in run(qtbot, window, core.list_alerts) if a.id not in before)
    assert scan.alert_line.text() == (f"⚠ Alert {raised.id[:10]} raised — see Alerts "
                                      "(Ctrl+7)")
    assert raised.cause is AlertCause.UNKNOWN_SERIAL and raised.signed
    # The queue reloaded when the alert was raised (the view is not shown meanwhile).
    qtbot.waitUntil(lambda: raised.id in {a.id for a in view.all_alerts}, timeout=WAIT_MS)
    # The same pack scanned again joins the open alert instead of raising another.
    scan.verify(fake)
    qtbot.waitUntil(lambda: "is open for this pack" in scan.alert_line.text(),
                    timeout=WAIT_MS)
    assert raised.id[:10] in scan.alert_line.text()
    # A genuine verdict raises none and hides the line.
    count = scan.verifications
    scan.verify(window.demo.samples["genuine"])
    qtbot.waitUntil(lambda: scan.verifications > count, timeout=WAIT_MS)
    assert scan.result.verdict.value == "genuine"
    assert not scan.alert_line.isVisible()
