"""`supplychain alerts` prints the words the app shows for each alert, and `alerts --network`
for each piece of peer trouble (both come from supplychain.ledger.alerts.AlertKind)."""

from __future__ import annotations

import json

import pytest

from supplychain.cli.main import main
from supplychain.demo.network import DEMO_PASSPHRASE
from supplychain.identity.certificates import Role
from supplychain.sync.replica import REFUSED_CONNECTION
from tests.gui.conftest import WAIT_MS, play_as


def test_cli_alerts_and_the_app_use_the_same_words(qtbot, window, monkeypatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    play_as(qtbot, window, Role.REGULATOR)
    home = window.service.info.home
    done: list[bool] = []

    def refuse(service, _task) -> None:  # type: ignore[no-untyped-def]
        from supplychain.sync.replica import Replica
        Replica(service.node.ledger, service.node.gln).record(
            REFUSED_CONNECTION, "10.0.0.9", "-", "TLS handshake refused: no certificate",
            "no certificate")
        done.append(True)

    window.ctx.call(refuse)
    qtbot.waitUntil(lambda: bool(done), timeout=WAIT_MS)

    inspector = window.views["inspector"]
    inspector.refresh()
    qtbot.waitUntil(lambda: inspector.alerts.rowCount() >= 1, timeout=WAIT_MS)
    app_alert_words = {inspector.alerts.data(inspector.alerts.index(i, 0))
                       for i in range(inspector.alerts.rowCount())}
    window.show_view("network")
    network = window.views["network"]
    qtbot.waitUntil(lambda: network.evidence.rowCount() == 1, timeout=WAIT_MS)
    app_evidence_words = {network.evidence.data(network.evidence.index(0, 0))}
    assert "Forked chain (clone or double hand-over)" in app_alert_words
    assert app_evidence_words == {"a connection to this node was refused"}

    monkeypatch.setenv("SUPPLYCHAIN_PASSPHRASE", DEMO_PASSPHRASE.decode())
    # The alert queue: each detection with the app's words for its kind (and a cause); peer
    # trouble is the network's business, listed apart (`alerts --network`).
    assert main(["--home", str(home), "alerts", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["kind_words"] for r in rows if r["kind"]} == app_alert_words
    assert main(["--home", str(home), "alerts", "--network", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["words"] for r in rows} == app_evidence_words
    for args in (["alerts"], ["alerts", "--network"]):
        assert main(["--home", str(home), *args]) == 0
        text = capsys.readouterr().out
        for words in app_alert_words if args == ["alerts"] else app_evidence_words:
            assert words in text
