"""The pack view's "Log vouched for by" line: words from the core's witness data, no crypto."""

from __future__ import annotations

from gui.display import witnesses_line
from supplychain.ledger.witnessing import LogWitnessing
from tests.gui.conftest import WAIT_MS

AGENCY = LogWitnessing("5012345000022", 4, ("5012345000015",), ("Medicines Agency",), True)
NOBODY = LogWitnessing("5012345000039", 2, (), (), False)


def test_witnesses_line_words() -> None:
    assert witnesses_line(()) == ""
    assert witnesses_line([AGENCY]) == "Log vouched for by: Medicines Agency"
    assert witnesses_line([NOBODY]) == "Log vouched for by: not yet witnessed"
    assert witnesses_line([AGENCY, NOBODY]) == (
        "Log vouched for by: Medicines Agency (1 of 2 logs not yet witnessed)")


def test_the_pack_view_shows_who_vouched(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    scan = window.views["scan"]
    before = scan.verifications
    scan.verify(window.demo.samples["genuine"])
    qtbot.waitUntil(lambda: scan.verifications > before, timeout=WAIT_MS)
    report = scan.result.report
    assert report is not None and report.sync is not None and report.sync.witnesses
    # the demo's nodes sync over loopback and submit their checkpoints to the regulator
    assert scan.witnessed.isVisible()
    assert scan.witnessed.text() == "Log vouched for by: Medicines Regulatory Agency"
    scan.verify("https://example.com/promo")
    qtbot.waitUntil(lambda: scan.banner.property("verdict") == "unreadable", timeout=WAIT_MS)
    assert not scan.witnessed.isVisible()
