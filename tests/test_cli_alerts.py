"""`supplychain alerts` and `verify --raise-alert`: the queue, filters, each alert's life and
every step, in text and --json."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from supplychain.clock import now_iso
from supplychain.interchange.bundle import exchange
from supplychain.ledger.alert_life import AlertState
from supplychain.ledger.events import Event, EventType, Item
from supplychain.node.alerts import get_alert
from tests.conftest import DIST_A, DIST_B, GTIN, MAKER, PHARMACY, REGULATOR, Network

EXPIRY = date(2030, 1, 31)
NOBODY = f"https://id.example/01/{GTIN}/21/NOBODY?10=L1&17=300131"


def _raise(cli, home: Path) -> str:
    """A counterfeit scan at ``home`` with --raise-alert; the alert's id."""
    code, out, _ = cli("--home", home, "verify", NOBODY, "--raise-alert", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["verdict"] == "counterfeit" and len(data["alert"]) == 16
    return str(data["alert"])


def test_verify_raises_an_alert_once_and_the_queue_lists_it(cli, network: Network) -> None:
    network[MAKER].commission(GTIN, "L1", EXPIRY, 1)  # lot L1 is registered
    exchange(network[MAKER], network[PHARMACY])
    home = network.homes[PHARMACY]
    code, out, _ = cli("--home", home, "verify", NOBODY, "--raise-alert")
    assert code == 0 and "COUNTERFEIT" in out
    alert_id = out.split("Alert ")[1].split()[0]
    assert alert_id == _raise(cli, home)[:10]  # the repeat scan reuses the open alert
    code, out, _ = cli("--home", home, "alerts")
    (line,) = out.strip().splitlines()
    assert line.startswith(f"{alert_id}  new") and "Unknown serial number" in line
    assert f"{GTIN}/NOBODY" in line and "High Street Pharmacy" in line and "ago" in line
    code, out, _ = cli("--home", home, "verify", f"https://id.example/01/{GTIN}/21/X?10=L1",
                       "--raise-alert")
    assert "Alert " in out  # another serial: another alert
    code, out, _ = cli("--home", home, "alerts", "--json")
    rows = json.loads(out)
    assert len(rows) == 2 and {r["cause"] for r in rows} == {"unknown_serial"}
    assert all(r["signed"] and r["owner_name"] == "High Street Pharmacy" for r in rows)


def test_every_step_from_the_command_line(cli, network: Network) -> None:
    home = network.homes[PHARMACY]
    alert_id = _raise(cli, home)
    code, out, _ = cli("--home", home, "alerts", "investigate", alert_id[:8], "--note",
                       "re-scanned: same code")
    assert code == 0 and "being investigated" in out
    code, out, _ = cli("--home", home, "alerts", "confirm", alert_id[:8], "--note", "not ours")
    assert code == 0 and "confirmed falsified" in out and "report due in 23 h 59 min" in out
    code, out, _ = cli("--home", home, "alerts")
    assert "investigating" in out and "report due in 23 h" in out
    code, out, err = cli("--home", home, "alerts", "close", alert_id[:8], "--reason",
                         "scanning-error", "--note", "misread")
    assert code != 0 and "close it as confirmed falsified" in err
    code, out, _ = cli("--home", home, "alerts", "report", alert_id[:8], "--json")
    data = json.loads(out)
    assert data["notified"] == [REGULATOR] and data["notified_names"] == ["Medicines Agency"]
    assert data["reported_at"] and data["deadline"] is None
    code, out, _ = cli("--home", home, "alerts", "close", alert_id[:8], "--reason",
                       "confirmed-falsified", "--note", "handed to the inspector")
    assert code == 0 and "closed: confirmed falsified" in out and "Medicines Agency" in out
    code, out, _ = cli("--home", home, "alerts", "show", alert_id[:8])
    assert f"Alert {alert_id} of High Street Pharmacy (5012345000053)" in out
    for text in ("State: closed", "Cause: Unknown product", f"Packs: {GTIN}/NOBODY",
                 "re-scanned: same code", "not ours", "Notified: Medicines Agency",
                 "Closed: confirmed falsified: handed to the inspector", "Reported: "):
        assert text in out, text
    steps = [line.split()[1] for line in out.splitlines() if line.startswith("    20")]
    assert steps == ["raised", "investigating", "confirmed", "reported", "closed"]
    code, out, _ = cli("--home", home, "alerts", "--json", "show", alert_id[:8])
    assert json.loads(out)["closing"] == "confirmed_falsified"  # --json before the action too
    code, out, err = cli("--home", home, "alerts", "investigate", alert_id[:8])
    assert code != 0 and "stays closed" in err
    code, out, _ = cli("--home", home, "alerts", "--state", "open")
    assert out.strip() == "No alerts."
    code, out, _ = cli("--home", home, "alerts", "--state", "closed", "--json")
    assert [r["id"] for r in json.loads(out)] == [alert_id]


def test_closing_reasons_from_the_command_line(cli, network: Network) -> None:
    home = network.homes[PHARMACY]
    for reason, words in (("scanning-error", "scanning error"),
                          ("process-error", "process error"), ("data-error", "data error")):
        alert_id = _raise(cli, home)
        code, out, _ = cli("--home", home, "alerts", "close", alert_id, "--reason", reason,
                           "--note", "checked")
        assert code == 0 and words in out
        assert get_alert(network.reopen(PHARMACY), alert_id).closing.value == \
            reason.replace("-", "_")
    code, out, _ = cli("--home", home, "alerts", "--json")
    assert sorted(r["closing"] for r in json.loads(out)) == [
        "data_error", "process_error", "scanning_error"]


def test_the_regulators_national_view(cli, network: Network) -> None:
    alert_id = _raise(cli, network.homes[PHARMACY])
    exchange(network.reopen(PHARMACY), network[REGULATOR])
    home = network.homes[REGULATOR]
    code, out, _ = cli("--home", home, "alerts")
    assert out.strip() == "No alerts."
    code, out, _ = cli("--home", home, "alerts", "--national", "--state", "new")
    assert out.startswith(alert_id[:10]) and "High Street Pharmacy" in out
    code, out, _ = cli("--home", home, "alerts", "--owner", PHARMACY, "--json")
    assert [r["id"] for r in json.loads(out)] == [alert_id]
    code, out, _ = cli("--home", home, "alerts", "--national", "--cause", "recall")
    assert out.strip() == "No alerts."
    code, out, err = cli("--home", home, "alerts", "close", alert_id, "--reason",
                         "data-error", "--note", "not mine to close")
    assert code != 0 and "only the site that raised" in err


def test_a_fork_detected_here_shows_its_kind_and_evidence(cli, network: Network) -> None:
    maker = network[MAKER]
    code_, = maker.commission(GTIN, "L1", EXPIRY, 1)
    genesis = maker.ledger.pack(code_.key).head
    maker.ship(DIST_A, [code_])
    maker.append([Event(EventType.SHIP, MAKER, maker.me.key_id, now_iso(),
                        (Item(code_.key, genesis),), to=DIST_B)])
    home = network.homes[MAKER]
    code, out, _ = cli("--home", home, "alerts", "--json")
    (row,) = json.loads(out)
    assert (row["kind"], row["subject"], row["signed"], row["state"]) == (
        "forked_chain", code_.key, False, "new")
    assert row["kind_words"] == "Forked chain (clone or double hand-over)"
    assert row["detail"].startswith("Two events extend the same previous event")
    code, out, _ = cli("--home", home, "alerts")
    assert "not acted on yet" in out and "Cloned code or double hand-over" in out
    code, out, _ = cli("--home", home, "alerts", "show", row["id"])
    assert "Detected as: Forked chain (clone or double hand-over) [forked_chain]" in out
    assert f"Evidence: {row['evidence']}" in out and "Nobody has acted on it yet" in out
    code, out, _ = cli("--home", home, "alerts", "investigate", row["id"], "--json")
    data = json.loads(out)
    assert data["id"] == row["id"] and data["signed"] and data["state"] == "investigating"
    assert get_alert(network.reopen(MAKER), row["id"]).state is AlertState.INVESTIGATING


def test_unknown_ids_are_refused(cli, network: Network) -> None:
    code, _, err = cli("--home", network.homes[PHARMACY], "alerts", "show", "abc")
    assert code != 0 and "at least 6" in err
    code, out, _ = cli("--home", network.homes[PHARMACY], "alerts", "show", "abcdef", "--json")
    assert code != 0 and json.loads(out)["error"] == "AlertNotFound"


def test_peer_trouble_is_listed_apart_from_the_alerts(cli, network: Network) -> None:
    dist = network[DIST_A]
    with dist.store.transaction():
        dist.store.put_evidence("unreachable", "https://peer.example", "https://peer.example",
                                "timed out", "d1", "", now_iso())
        dist.store.put_evidence("bad_checkpoint", MAKER, "https://peer.example",
                                "not signed by the author", "d2", "note text", now_iso())
    home = network.homes[DIST_A]
    code, out, _ = cli("--home", home, "alerts", "--json")
    assert [(r["kind"], r["cause"], r["peer"]) for r in json.loads(out)] == [
        ("bad_checkpoint", "forged_record", "https://peer.example")]
    code, out, _ = cli("--home", home, "alerts", "--network")
    assert out.strip() == ("could not be reached [unreachable] https://peer.example: "
                           "timed out")
    code, out, _ = cli("--home", network.homes[PHARMACY], "alerts", "--network")
    assert out.strip() == "No peer trouble."


def test_report_writes_the_form(cli, network: Network, tmp_path: Path) -> None:
    home = network.homes[PHARMACY]
    alert_id = _raise(cli, home)
    cli("--home", home, "alerts", "confirm", alert_id, "--note", "not ours")
    code, out, _ = cli("--home", home, "alerts", "report", alert_id, "--out",
                       tmp_path / "form.json")
    assert code == 0 and "reported to Medicines Agency" in out and "form.json" in out
    form = json.loads((tmp_path / "form.json").read_text(encoding="utf-8"))
    assert form["alert"]["id"] == alert_id and form["quantity"] == 1
    assert [p["gln"] for p in form["notified"]] == [REGULATOR]
    # Once reported, the form can be written again (another format); no second report step.
    code, out, _ = cli("--home", home, "alerts", "report", alert_id, "--out",
                       tmp_path / "form.csv", "--json")
    data = json.loads(out)
    assert [s["step"] for s in data["steps"]] == ["raise", "confirm", "report"]
    assert f"{GTIN}" in (tmp_path / "form.csv").read_text(encoding="utf-8")
