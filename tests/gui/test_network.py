"""The Network view: peers, logs, "Sync now" in the background, bundles; freshness on verdicts."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from gui import dialogs
from gui.display import SyncOutcome
from supplychain.demo.network import DEMO_PASSPHRASE
from supplychain.identity.certificates import Role
from supplychain.node.operations import Node
from supplychain.sync.service import serving_in_background
from tests.gui.conftest import WAIT_MS
from tests.sync.helpers import silent_port

REFUSED = "https://127.0.0.1:1"  # nothing listens on port 1: connection refused at once


def network_view(qtbot, window):  # type: ignore[no-untyped-def]
    view = window.views["network"]
    with qtbot.waitSignal(view.status_loaded, timeout=WAIT_MS):
        window.show_view("network")
    return view


def add_peer(qtbot, view, url: str) -> None:  # type: ignore[no-untyped-def]
    view.url_input.clear()
    qtbot.keyClicks(view.url_input, url)
    before = view.peers.rowCount()
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.peers.rowCount() == before + 1, timeout=WAIT_MS)


def sync(qtbot, view) -> SyncOutcome:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(view.sync_finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(view.sync_button, Qt.MouseButton.LeftButton)
        # The click returned at once: the round runs on the node thread, not here.
        assert view.syncing and not view.sync_button.isEnabled()
    qtbot.waitUntil(lambda: not view.syncing and view.sync_button.isEnabled(), timeout=WAIT_MS)
    outcome = blocker.args[0]
    assert isinstance(outcome, SyncOutcome), outcome
    return outcome


def test_network_view_for_every_role(qtbot, window) -> None:
    from tests.gui.conftest import play_as
    assert "network" in window.views
    for role in (Role.MANUFACTURER, Role.DISTRIBUTOR, Role.REGULATOR):
        play_as(qtbot, window, role)
        assert "network" in window.views
        window.view_actions["network"].trigger()
        assert window.current_view() == "network"


def test_add_refuse_and_remove_peers(qtbot, window, monkeypatch) -> None:
    view = network_view(qtbot, window)
    assert view.peers.rowCount() == 0 and view.no_peers.isVisible()
    # A malformed URL is refused in plain words, nothing is added.
    for bad in ("http://10.0.0.7:8443", "10.0.0.7", "https://host:99999", "https://h/x"):
        view.url_input.setText(bad)
        qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
        assert view.url_error.isVisible()
        assert "https://host:port" in view.url_error.text() or "port" in view.url_error.text()
    assert view.peers.rowCount() == 0
    add_peer(qtbot, view, "https://10.0.0.7:8443")
    assert not view.url_error.isVisible() and not view.no_peers.isVisible()
    peer = view.peers.rows[0]
    assert peer.url == "https://10.0.0.7:8443" and peer.state == "active"
    assert view.peers.data(view.peers.index(0, 1)) == "known after the first sync"
    assert "Added peer https://10.0.0.7:8443" in window.banner.text.text()
    add_peer(qtbot, view, "https://peer.example:443/")
    assert [p.url for p in view.peers.rows] == ["https://10.0.0.7:8443",
                                                "https://peer.example:443"]
    # Remove the first one (after a confirmation).
    assert not view.remove_button.isEnabled() and not view.unblock_button.isEnabled()
    view.peers_view.selectRow(0)
    assert view.remove_button.isEnabled() and not view.unblock_button.isEnabled()
    monkeypatch.setattr(dialogs, "confirm", lambda *_: True)
    qtbot.mouseClick(view.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.peers.rowCount() == 1, timeout=WAIT_MS)
    assert view.peers.rows[0].url == "https://peer.example:443"
    assert window.service.node.store.peers()[0].url == "https://peer.example:443"


def test_sync_now_with_a_dead_peer_fails_in_plain_words(qtbot, window) -> None:
    view = network_view(qtbot, window)
    outcome = sync(qtbot, view)  # no peers yet
    assert outcome.results == ()
    assert "No active peers" in view.results.item(0).text()
    add_peer(qtbot, view, REFUSED)
    outcome = sync(qtbot, view)
    (result,) = outcome.results
    assert not result.ok and not result.blocked
    assert result.text.startswith(f"{REFUSED} could not be reached (connection refused")
    assert "tried again" in result.text
    assert REFUSED in view.results.item(0).text()
    assert "1 failed" in window.banner.text.text()
    qtbot.waitUntil(lambda: view.peers.rows[0].state == "failing", timeout=WAIT_MS)
    peer = view.peers.rows[0]
    assert peer.failures == 1 and peer.last_attempt and peer.last_success is None
    assert "could not be reached" in (peer.reason or "")
    # The refused attempt is listed with the evidence.
    assert any(e.kind == "unreachable" and e.peer == REFUSED for e in view.evidence.rows)
    # The window kept working: a scan right after is verified as usual.
    window.show_view("scan")
    scan = window.views["scan"]
    before = scan.verifications
    scan.verify(window.demo.samples["genuine"])
    qtbot.waitUntil(lambda: scan.verifications > before, timeout=WAIT_MS)



def test_a_silent_peer_times_out_and_a_round_can_be_cancelled(qtbot, window) -> None:
    view = network_view(qtbot, window)
    with silent_port() as url:
        add_peer(qtbot, view, url)
        view.sync_timeout = 1.0
        outcome = sync(qtbot, view)
        (result,) = outcome.results
        assert result.text == f"{url} did not answer within 1 s; it will be tried again."
        # With the normal 30 s deadline: while the round waits, a scan is verified as usual
        # (the round has its own store connection, off the node thread); Cancel ends it.
        view.sync_timeout = 30.0
        scan = window.views["scan"]
        with qtbot.waitSignal(view.sync_finished, timeout=5_000) as blocker:
            qtbot.mouseClick(view.sync_button, Qt.MouseButton.LeftButton)
            assert view.progress_box.isVisible() and view.cancel_button.isEnabled()
            before = scan.verifications
            scan.verify(window.demo.samples["genuine"])
            qtbot.waitUntil(lambda: scan.verifications > before, timeout=WAIT_MS)
            assert scan.banner.property("verdict") == "genuine"
            assert view.syncing  # the silent peer is still being waited for
            qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
            assert "Cancelling" in view.progress_label.text()
    outcome = blocker.args[0]
    assert outcome.cancelled and outcome.results[0].cancelled
    assert "cancelled before it finished" in outcome.results[0].text
    assert "Sync cancelled" in window.banner.text.text()
    qtbot.waitUntil(lambda: not view.syncing and not view.progress_box.isVisible(),
                    timeout=WAIT_MS)


def test_unblock_names_the_evidence(qtbot, window, monkeypatch) -> None:
    view = network_view(qtbot, window)
    add_peer(qtbot, view, "https://10.9.9.9:8443")
    store = window.service.node.store
    done = threading.Event()

    def lie(service: Any, _task: Any) -> None:  # what a pull does to a liar (on the node thread)
        from supplychain.sync.puller import _block
        service.node.store.put_evidence("forged_entry", "5012345000015", "https://10.9.9.9:8443",
                                        "entry 3 has a bad signature", "d1", "{}",
                                        "2030-01-01T00:00:00+00:00")
        from supplychain.sync.replica import Replica
        _block(Replica(service.node.ledger, service.node.gln), "https://10.9.9.9:8443",
               "forged_entry: entry 3 has a bad signature", None)
        done.set()

    window.ctx.call(lie)
    qtbot.waitUntil(done.is_set, timeout=WAIT_MS)
    view.refresh()
    qtbot.waitUntil(lambda: view.peers.rows[0].state == "blocked", timeout=WAIT_MS)
    assert view.peers.rows[0].reason == ("served a forged entry (entry 3 has a bad "
                                         "signature)")
    assert view.peers.data(view.peers.index(0, 2)) == "BLOCKED"
    view.peers_view.selectRow(0)
    assert view.unblock_button.isEnabled()
    asked: list[str] = []

    def confirm(_parent: Any, _title: str, text: str) -> bool:
        asked.append(text)
        return len(asked) > 1  # refuse the first time, accept the second

    monkeypatch.setattr(dialogs, "confirm", confirm)
    qtbot.mouseClick(view.unblock_button, Qt.MouseButton.LeftButton)
    assert "served a forged entry" in asked[0] and "5012345000015" in asked[0]
    assert view.peers.rows[0].state == "blocked"
    # A blocked peer is skipped by Sync now, and said so.
    outcome = sync(qtbot, view)
    assert outcome.skipped_blocked == ("https://10.9.9.9:8443",)
    assert "skipped (blocked" in view.results.item(0).text()
    view.peers_view.selectRow(0)
    qtbot.mouseClick(view.unblock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.peers.rows and view.peers.rows[0].state == "active",
                    timeout=WAIT_MS)
    assert store is window.service.node.store
    assert "evidence stays" in window.banner.text.text()
    assert view.evidence.rowCount() == 1  # the evidence stays


def _forget_syncs(window) -> None:  # type: ignore[no-untyped-def]
    """Make the open node a copy that was never synced with a peer (bundles only)."""
    store = window.service.node.store
    with store.transaction():
        store.conn.execute("DELETE FROM sync_state")


def test_the_demo_logs_are_synced(qtbot, window) -> None:
    view = network_view(qtbot, window)
    others = [r for r in view.logs.rows[1:] if r.entries]  # members that wrote a log
    # The demo's nodes synced with each other (loopback TLS): every log is confirmed.
    assert others and not any(r.stale for r in others)
    assert all(r.last_synced and r.synced_from for r in others)


def test_logs_table_shows_the_demo_logs(qtbot, window) -> None:
    _forget_syncs(window)
    view = network_view(qtbot, window)
    sizes = window.service.node.store.log_sizes()
    members = {m.gln for m in window.service.info.members}
    assert view.logs.rowCount() == len(set(sizes) | members) == len(window.demo.nodes)
    rows = {r.gln: r for r in view.logs.rows}
    for gln, size in sizes.items():
        assert rows[gln].entries == size
        assert rows[gln].checkpoint_size == size and rows[gln].root_prefix
    own = view.logs.rows[0]
    assert own.own and own.gln == window.service.info.gln and not own.stale
    assert view.logs.data(view.logs.index(0, 4)) == "this node's own log (always current)"
    others = view.logs.rows[1:]
    # Logs from bundles alone: never confirmed against a peer, so stale.
    assert others and all(r.stale and r.last_synced is None for r in others)
    assert view.logs.data(view.logs.index(1, 4)) == "⚠ STALE: never synced with a peer"
    assert "stale" in view.tabs.tabText(0)


def test_scan_shows_how_fresh_the_copy_is(qtbot, window) -> None:
    _forget_syncs(window)
    scan = window.views["scan"]
    samples = window.demo.samples
    before = scan.verifications
    scan.verify(samples["genuine"])
    qtbot.waitUntil(lambda: scan.verifications > before, timeout=WAIT_MS)
    assert scan.banner.property("verdict") == "genuine"
    assert scan.freshness.isVisible() and scan.freshness.property("stale") is True
    assert "never synced with a peer" in scan.freshness.text()
    assert "sync before trusting a GENUINE" in scan.freshness.text()
    # Unreadable: no freshness line (it is not a verdict).
    scan.verify("https://example.com/promo")
    qtbot.waitUntil(lambda: scan.banner.property("verdict") == "unreadable", timeout=WAIT_MS)
    assert not scan.freshness.isVisible()


def test_freshness_line_words() -> None:
    from datetime import UTC, datetime, timedelta

    from supplychain.ledger.freshness import SyncInfo, freshness_line
    now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    five = (now - timedelta(minutes=5)).isoformat()
    days = (now - timedelta(days=3)).isoformat()
    assert freshness_line(SyncInfo({"a": five}, False, 3600), now) == (
        "Ledger copy last synced 5 min ago.", False)
    text, stale = freshness_line(SyncInfo({"a": five, "b": days}, True, 3600), now)
    assert stale and text == ("Stale copy: last synced 3 days ago — sync before trusting a "
                              "GENUINE.")
    assert freshness_line(None) == ("", False)
    assert freshness_line(SyncInfo({}, False, 3600))[1] is False


def test_bundles_are_still_there(qtbot, window, tmp_path: Path) -> None:
    view = network_view(qtbot, window)
    assert view.import_button.isEnabled() and view.export_button.isEnabled()
    bundle = tmp_path / "bundle.json"
    window.run_bundle_export(bundle)
    qtbot.waitUntil(lambda: bundle.exists() and not window.progress.isVisible(),
                    timeout=WAIT_MS)
    assert "Exported" in window.banner.text.text()
    window.run_bundle_import(bundle)
    qtbot.waitUntil(lambda: "Imported 0 new entries" in window.banner.text.text(),
                    timeout=WAIT_MS)
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    window.run_bundle_import(bad)
    qtbot.waitUntil(lambda: window.banner.kind == "error", timeout=WAIT_MS)


# --- a real second node, served in-process over mutual TLS on loopback -------------------------
@contextlib.contextmanager
def serving(home: Path, commission: int = 0) -> Iterator[str]:
    """Serve the demo node at ``home`` (after commissioning ``commission`` new packs) from a
    thread with its own event loop; yields its URL."""

    def prepare(node: Node) -> None:
        if commission:
            node.commission("05012345000015", "N2601", date(2031, 1, 28), commission)

    with serving_in_background(home, DEMO_PASSPHRASE, prepare) as url:
        yield url


def test_sync_now_pulls_from_a_real_node(qtbot, window) -> None:
    maker = window.demo.node(Role.MANUFACTURER)
    view = network_view(qtbot, window)
    before = window.service.node.store.log_sizes()[maker.gln]
    with serving(maker.home, commission=5) as url:
        add_peer(qtbot, view, url)
        outcome = sync(qtbot, view)
    (result,) = outcome.results
    assert result.ok, result.text
    assert result.new_entries == 1 and outcome.total_new == 1
    assert result.text.startswith(f"{maker.name}: 1 new entry")
    assert "Sync finished: 1 new entries from 1 peer." in window.banner.text.text()
    qtbot.waitUntil(lambda: view.peers.rows[0].last_success is not None, timeout=WAIT_MS)
    peer = view.peers.rows[0]
    assert peer.state == "active" and peer.gln == maker.gln and peer.name == maker.name
    rows = {r.gln: r for r in view.logs.rows}
    assert rows[maker.gln].entries == before + 1
    assert rows[maker.gln].checkpoint_size == before + 1
    assert rows[maker.gln].last_synced and not rows[maker.gln].stale
    assert rows[maker.gln].synced_from == url
    assert rows[maker.gln].synced_from_name == maker.name
    assert view.logs.data(view.logs.index(
        view.logs.rows.index(rows[maker.gln]), 4)) == "fresh: just now"
    # Every log the peer holds was confirmed: the pharmacy's copies are fresh now. (Members
    # that never wrote have no log anywhere: never synced, hence still marked stale.)
    assert not any(r.stale for r in view.logs.rows if r.entries), view.logs.rows
    empty = [i for i, r in enumerate(view.logs.rows) if not r.entries]
    assert all(view.logs.data(view.logs.index(i, 4)) == "⚠ STALE: no peer has sent this log "
               "yet" for i in empty)
    scan = window.views["scan"]
    n = scan.verifications
    scan.verify(window.demo.samples["genuine"])
    qtbot.waitUntil(lambda: scan.verifications > n, timeout=WAIT_MS)
    assert scan.freshness.property("stale") is False
    assert scan.freshness.text().endswith("Ledger copy last synced just now.")
