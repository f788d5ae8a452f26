"""The falsification report for the regulator and trading partners, from real nodes: every
JSON field for packs that went manufacturer -> wholesaler -> pharmacy, a made-up serial as
printed on the pack, one CSV row per pack, and a PDF that opens with the packs in it."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from supplychain.clock import parse_iso, to_iso
from supplychain.codes.gs1 import PackCode
from supplychain.errors import SupplyChainError
from supplychain.ledger.alert_life import AlertCause
from supplychain.node.alerts import confirm_falsified, raise_alert, report_alert
from supplychain.node.falsification_report import (
    CSV_COLUMNS,
    REPORT_FORMAT,
    build_falsification_report,
    ndc_of,
    write_falsification_report,
)
from tests.conftest import DIST_A, GTIN, MAKER, PHARMACY, REGULATOR, Network, packs_at_pharmacy

EXPIRY = date(2030, 1, 31)
FOUND = "Seal re-glued; print of the lot blurred"


@pytest.fixture
def chain(network: Network) -> list[PackCode]:
    """Two packs: made by the maker, through North Wholesale, received by the pharmacy."""
    return packs_at_pharmacy(network, 2, expiry=EXPIRY)


def test_the_json_report_has_every_field(network: Network, chain: list[PackCode],
                                         tmp_path: Path) -> None:
    pharmacy = network[PHARMACY]
    pharmacy.quarantine(chain[:1], "seal looks re-glued")
    history = pharmacy.history(chain[0])
    times = {s.type.value: s.time for s in history}
    received = [s.time for s in history if s.type.value == "receive"]
    fake = PackCode(GTIN, "FAKE01", "L1", EXPIRY)  # type: ignore[arg-type]
    report = build_falsification_report(
        pharmacy, [chain[0].key, chain[1].to_digital_link(), fake.to_digital_link()], FOUND)
    path = write_falsification_report(report, tmp_path / "report.json")
    data = json.loads(path.read_text(encoding="utf-8"))

    def party(gln: str) -> dict[str, object]:
        member = network[gln].me.info
        return {"gln": gln, "name": member.name, "role": member.role.value}

    assert set(data) == {"format", "created_at", "determined_at", "deadline", "reporter",
                         "found", "quantity", "products", "packs", "trading_partners",
                         "notified", "alert"}
    assert data["format"] == REPORT_FORMAT
    assert data["reporter"] == party(PHARMACY)
    assert data["found"] == FOUND and data["quantity"] == 3
    assert data["determined_at"] == data["created_at"]  # no alert: the report's own time
    assert data["deadline"] is None and data["alert"] is None and data["notified"] == []
    assert data["products"] == [{"gtin": GTIN, "ndc": None, "name": None,
                                 "manufacturer": party(MAKER), "lots": ["L1"],
                                 "expiries": ["2030-01-31"], "quantity": 3}]
    assert data["trading_partners"] == [party(MAKER), party(DIST_A)]
    first, second, made_up = data["packs"]
    assert (first["pack"], first["serial"], first["lot"], first["expiry"]) == (
        chain[0].key, chain[0].serial, "L1", "2030-01-31")
    assert (first["in_ledger"], first["status"], first["verdict"]) == (
        True, "quarantined", "suspect")
    assert first["reasons"] == ["quarantined"] and first["findings"] == ["in quarantine"]
    assert first["custody"] == [
        {"holder": party(MAKER), "since": times["commission"], "until": received[0],
         "ended_by": "receive"},
        {"holder": party(DIST_A), "since": received[0], "until": received[1],
         "ended_by": "receive"},
        {"holder": party(PHARMACY), "since": received[1], "until": None, "ended_by": None}]
    assert [e["type"] for e in first["events"]] == [
        "commission", "ship", "receive", "ship", "receive", "quarantine"]
    assert [e["by"]["gln"] for e in first["events"]] == [
        MAKER, MAKER, DIST_A, DIST_A, PHARMACY, PHARMACY]
    assert (second["status"], second["verdict"], second["reasons"]) == (
        "active", "genuine", [])
    assert (made_up["serial"], made_up["lot"], made_up["expiry"]) == ("FAKE01", "L1",
                                                                     "2030-01-31")
    assert (made_up["in_ledger"], made_up["status"], made_up["verdict"]) == (
        False, None, "counterfeit")
    assert made_up["reasons"] == ["unknown_serial"] and made_up["custody"] == []


def test_one_csv_row_per_pack(network: Network, chain: list[PackCode], tmp_path: Path) -> None:
    pharmacy = network[PHARMACY]
    report = build_falsification_report(pharmacy, [c.key for c in chain], FOUND)
    path = write_falsification_report(report, tmp_path / "report.csv")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 3
    for row, code in zip(rows[1:], chain, strict=True):
        values = dict(zip(CSV_COLUMNS, row, strict=True))
        assert (values["pack"], values["gtin"], values["serial"], values["lot"],
                values["expiry"]) == (code.key, GTIN, code.serial, "L1", "2030-01-31")
        assert (values["status"], values["verdict"], values["found"]) == (
            "active", "genuine", FOUND)
        assert values["manufacturer_gln"] == MAKER and values["reporter_gln"] == PHARMACY
        assert values["custody"].count(" -> ") == 3
        assert values["custody"].endswith(" -> now")
        assert values["deadline"] == "" and values["alert_id"] == ""


def test_the_pdf_opens_with_the_packs_in_it(network: Network, chain: list[PackCode],
                                            tmp_path: Path) -> None:
    report = build_falsification_report(network[PHARMACY], [c.key for c in chain], FOUND)
    path = write_falsification_report(report, tmp_path / "report.pdf")
    assert path.read_bytes().startswith(b"%PDF-")
    document = pdfium.PdfDocument(str(path))
    try:
        assert len(document) >= 1
        text = "".join(document[i].get_textpage().get_text_range()
                       for i in range(len(document)))
    finally:
        document.close()
    assert "Report of suspect or falsified medicines" in text
    for code in chain:
        assert code.serial in text
    assert network[MAKER].name in text and network[DIST_A].name in text


def test_an_unknown_suffix_and_an_empty_report_are_refused(network: Network,
                                                           chain: list[PackCode],
                                                           tmp_path: Path) -> None:
    pharmacy = network[PHARMACY]
    with pytest.raises(SupplyChainError, match="Name at least one pack"):
        build_falsification_report(pharmacy, [], FOUND)
    with pytest.raises(SupplyChainError, match="Say what was found"):
        build_falsification_report(pharmacy, [chain[0].key], "  ")
    report = build_falsification_report(pharmacy, [chain[0].key], FOUND)
    with pytest.raises(SupplyChainError, match=r"\.json, \.csv, \.pdf, not report\.txt"):
        write_falsification_report(report, tmp_path / "report.txt")
    assert not (tmp_path / "report.txt").exists()


def test_a_us_gtin_carries_its_ndc() -> None:
    assert ndc_of("00312345678906") == "1234567890"
    assert ndc_of(GTIN) is None


def test_a_confirmed_alert_fills_in_the_determination_the_deadline_and_who_was_told(
        network: Network, chain: list[PackCode], tmp_path: Path) -> None:
    pharmacy = network[PHARMACY]
    pharmacy.quarantine(chain[:1], "seal looks re-glued")
    alert = raise_alert(pharmacy, AlertCause.REPORTED_SUSPECT, chain[0].key, [chain[0].key],
                        "seal looks re-glued")
    confirmed = confirm_falsified(pharmacy, alert.id, "the maker says the seal is not theirs")
    assert confirmed.confirmed_at is not None
    reported = report_alert(pharmacy, alert.id, tmp_path / "report.json")
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["determined_at"] == confirmed.confirmed_at
    assert data["deadline"] == to_iso(parse_iso(confirmed.confirmed_at) + timedelta(hours=24))
    assert data["alert"] == {"id": alert.id, "cause": "reported_suspect",
                             "state": reported.state.value, "detail": "seal looks re-glued",
                             "note": reported.note, "raised_at": reported.raised_at,
                             "confirmed_at": confirmed.confirmed_at,
                             "reported_at": reported.reported_at}
    assert reported.reported_at is not None
    assert [p["gln"] for p in data["notified"]] == list(reported.notified)
    assert {MAKER, DIST_A, REGULATOR} <= {p["gln"] for p in data["notified"]}
    assert data["found"] == "seal looks re-glued" and data["quantity"] == 1
