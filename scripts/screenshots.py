"""Screenshots of every view on the demo network, at 1366x768, into docs/screenshots/.

Run under Xvfb (real X11 windows):
    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshots.py
or without a display (offscreen platform, same pictures):
    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py

It uses a temporary data directory and settings file: your own node and settings are untouched.
Only some pictures: name them, e.g. `scripts/screenshots.py 13-network` (the steps before still
run, to reach the same state; only the named pictures are written).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402

from gui import language  # noqa: E402
from gui.app import make_app  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402
from supplychain.codes.labels import qr_image  # noqa: E402
from supplychain.codes.sscc import make_sscc  # noqa: E402
from supplychain.demo.network import DEMO_PASSPHRASE  # noqa: E402
from supplychain.identity.certificates import Role  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SIZE = (1366, 768)
ONLY: set[str] = set()


def _spin(ms: int = 30) -> None:
    # A short nested event loop. (QApplication.processEvents(flags, maxtime) aborts with
    # "deallocating None" under xcb in PySide6 6.12; a timed QEventLoop does not.)
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def pump(seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        _spin()


def wait(cond: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        _spin()
        if time.monotonic() > end:
            raise TimeoutError(f"timed out waiting for {what}")


def shot(window: MainWindow, name: str) -> None:
    if ONLY and name not in ONLY:
        return
    pump(0.4)
    path = OUT / f"{name}.png"
    if not window.grab().save(str(path)):
        raise OSError(f"could not save {path}")
    print(f"saved {path.relative_to(ROOT)}")


def scan(window: MainWindow, text: str) -> None:
    view = window.views["scan"]
    before = view.verifications
    view.input.setText(text)
    view.input.returnPressed.emit()
    wait(lambda: view.verifications > before, "a verdict")


def play_as(window: MainWindow, role: Role) -> None:
    window.switch_demo_org(role)
    wait(lambda: window.service is not None and window.service.info.role is role
         and bool(window.views), f"the {role.value} node")
    pump(0.3)


def camera_video(path: Path, text: str) -> None:
    qr = np.array(qr_image(text, box_size=6).convert("L"))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 15, (640, 480))
    for i in range(60):
        frame = np.full((480, 640, 3), (170, 190, 200), np.uint8)
        cv2.rectangle(frame, (150, 60), (490, 420), (235, 240, 245), -1)  # a carton
        h, w = qr.shape
        y, x = (480 - h) // 2, (640 - w) // 2 + (i % 3)
        frame[y:y + h, x:x + w] = cv2.cvtColor(qr, cv2.COLOR_GRAY2BGR)
        writer.write(frame)
    writer.release()


@contextmanager
def serving(home: Path, commission: int) -> Iterator[str]:
    """Serve the demo node at ``home`` over mutual TLS on loopback (after commissioning a few
    packs there, so a sync has something to pull); yields its URL."""
    from supplychain.sync.service import serving_in_background

    def prepare(node: Any) -> None:
        node.commission("05012345000015", "N2601", date(2031, 1, 28), commission)

    with serving_in_background(home, DEMO_PASSPHRASE, prepare) as url:
        yield url


def type_into(widget: Any, text: str) -> None:
    widget.setText(text)
    widget.returnPressed.emit()


def cases_and_goods_in(window: MainWindow, samples: dict[str, str]) -> None:
    """A distributor packs and ships a case; the pharmacy receives it with exceptions, then
    scans the case label (one pack in it reported suspect)."""
    from gui import dialogs
    from supplychain.codes.gs1 import parse_pack_code
    from supplychain.codes.sscc import make_sscc
    from supplychain.interchange.bundle import exchange
    from supplychain.ledger.containers import sscc_owner_prefixes
    from supplychain.node.operations import Node

    play_as(window, Role.DISTRIBUTOR)
    assert window.service is not None
    sscc = make_sscc(sscc_owner_prefixes(window.service.node.me.info)[0], 42)
    window.show_view("shipments")
    view = window.views["shipments"]
    view.tabs.setCurrentWidget(view.cases)
    type_into(view.cases.input, f"(00){sscc}")
    wait(lambda: view.cases.sscc == sscc, "the case")
    for key in ("not_in_custody", "lot_b_at_distributor"):
        type_into(view.cases.input, samples[key])
    view.cases.pack()
    wait(lambda: len(view.cases.inside.rows) == 2, "the packing")
    out = view.outgoing
    type_into(out.input, sscc)
    wait(lambda: out.packs.rowCount() == 1, "the case in the shipment")
    pharmacy = window.demo.node(Role.PHARMACY)  # type: ignore[union-attr]
    out.recipient.setCurrentIndex(out.recipient.findData(pharmacy.gln))
    dialogs.confirm = lambda *_a: True  # type: ignore[assignment]
    out.send()
    wait(lambda: out.packs.rowCount() == 0, "the shipment")
    dist = window.demo.node(Role.DISTRIBUTOR)  # type: ignore[union-attr]
    with Node(dist.home, lambda: DEMO_PASSPHRASE) as a, \
            Node(pharmacy.home, lambda: DEMO_PASSPHRASE) as b:
        exchange(a, b)
    play_as(window, Role.PHARMACY)
    window.show_view("shipments")
    tab = window.views["shipments"].incoming
    tab.refresh()
    wait(lambda: len(tab.expected_keys()) == 4, "the incoming case")
    type_into(tab.input, f"(00){sscc}")
    wait(lambda: len(tab.scanned) == 2, "the case scan")
    damaged = parse_pack_code(samples["genuine_in_transit"]).key
    tab.expected_table.selectRow(next(i for i, e in enumerate(tab.expected.rows)
                                      if e.record and e.record.pack == damaged))
    tab.mark_damaged()
    type_into(tab.input, samples["unknown_serial"])
    wait(lambda: tab.unexpected.rowCount() == 1, "an overage scan")
    tab.reason.setText("wrap torn on arrival")
    window.banner.hide()
    shot(window, "15-goods-in-exceptions")
    tab.receive_scanned()
    wait(lambda: not tab.scanned, "the receipt")
    pump(0.5)
    shot(window, "16-goods-in-received")
    reported: list[str] = []
    window.views["scan"].ctx.call(lambda s, _t: s.node.report(
        [parse_pack_code(samples["lot_b_at_distributor"])], "seal tampered").hash,
        on_success=reported.append)
    wait(lambda: bool(reported), "the report")
    window.banner.hide()
    window.show_view("scan")
    scan(window, sscc)
    shot(window, "17-scan-case")


def on_node(window: MainWindow, fn: Callable[[Any], Any]) -> Any:
    """Run ``fn(service)`` on the app's node thread and wait for its result."""
    out: list[Any] = []
    window.ctx.call(lambda s, _t: fn(s), on_success=out.append)  # type: ignore[union-attr]
    wait(lambda: bool(out), "the node")
    return out[0]


def play_as_member(window: MainWindow, name: str) -> None:
    """Switch the demo window to the member called ``name`` (two pharmacies share a role)."""
    names = [window.org_combo.itemText(i).split(" — ")[0] for i in range(window.org_combo.count())]
    window.org_combo.setCurrentIndex(names.index(name))
    window.org_combo.activated.emit(names.index(name))
    wait(lambda: window.service is not None and window.service.info.name == name
         and bool(window.views), name)
    pump(0.3)


def raise_for(window: MainWindow, text: str) -> str:
    """Scan ``text`` at the counter and return the id of the alert its verdict raised."""
    scan(window, text)
    found = on_node(window, lambda s: s.alert_for_verdict(s.scan_text(text).report))
    return str(found[0].id)


def alerts_views(window: MainWindow, samples: dict[str, str]) -> None:
    """A pharmacy's queue (an open counterfeit alert and its life), then the regulator's
    national view of alerts synced from three pharmacies, one with its report clock running."""
    from supplychain.demo.network import PHARMACY, PHARMACY_2, PHARMACY_3
    from supplychain.ledger.alert_life import ClosingReason
    from supplychain.sync.loopback import sync_among

    play_as_member(window, PHARMACY.name)
    recalled = raise_for(window, samples["recalled"])
    on_node(window, lambda s: s.investigate_alert(recalled, "Pack set aside in the fridge; "
                                                  "asked Acme Pharma about the recall"))
    moved = raise_for(window, samples["diverted"])
    on_node(window, lambda s: s.close_alert(moved, ClosingReason.DATA_ERROR,
                                            "Riverside's pack, delivered here by mistake; "
                                            "North Wholesale's records corrected"))
    fake = raise_for(window, samples["unknown_serial"])
    on_node(window, lambda s: s.investigate_alert(
        fake, "Re-scan reads the same code; the printed serial matches it"))
    window.show_view("alerts")
    view = window.views["alerts"]
    wait(lambda: fake in [a.id for a in view.model.rows], "the alerts queue")
    view.select(fake)
    window.banner.hide()
    shot(window, "21-alerts-pharmacy")
    on_node(window, lambda s: s.confirm_falsified(fake, "Serial never issued by Acme Pharma"))

    play_as_member(window, PHARMACY_3.name)
    hospital = raise_for(window, samples["genuine"])  # High Street's pack turns up here
    on_node(window, lambda s: s.investigate_alert(hospital, "Asked High Street Pharmacy"))
    play_as_member(window, PHARMACY_2.name)
    raise_for(window, samples["lot_b_at_manufacturer"])
    play_as(window, Role.REGULATOR)
    demo = window.demo
    assert demo is not None
    sites = [n.home for n in demo.nodes if n.gln in (PHARMACY.gln, PHARMACY_2.gln,
                                                     PHARMACY_3.gln)]
    on_node(window, lambda s: sync_among([s.info.home], DEMO_PASSPHRASE, sources=sites))
    window.show_view("alerts")
    view = window.views["alerts"]
    wait(lambda: fake in [a.id for a in view.model.rows], "the national view")
    view.select(fake)
    window.banner.hide()
    shot(window, "22-alerts-national")


def rescan_step(window: MainWindow, samples: dict[str, str]) -> None:
    """The pharmacy's scanner had Caps Lock on: COUNTERFEIT, "Scan it again"; the re-scan
    names the fault and closes the alert as a scanning error."""
    from supplychain.codes.gs1 import parse_pack_code

    code = parse_pack_code(samples["genuine"])
    parts = code.to_element_string(gs="<GS>").split("<GS>")
    scan(window, "<GS>".join(part.swapcase() for part in parts))  # letters in the wrong case
    window.banner.hide()
    shot(window, "19-rescan-asked")
    scan(window, code.to_element_string(gs="<GS>"))
    window.banner.hide()
    shot(window, "20-rescan-closed")


def main() -> int:
    ONLY.update(a for a in sys.argv[1:] if not a.startswith("-"))
    OUT.mkdir(parents=True, exist_ok=True)
    app = make_app(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        settings = QSettings(str(tmpdir / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings, tmpdir / "data")
        window.resize(*SIZE)
        window.show()
        shot(window, "01-first-run")

        window.open_demo()
        wait(lambda: window.service is not None and "scan" in window.views, "the demo")
        samples = window.demo.samples  # type: ignore[union-attr]
        window.banner.hide()
        scan(window, samples["genuine"])
        shot(window, "02-scan-genuine")
        scan(window, samples["recalled"])
        shot(window, "03-scan-suspect")
        scan(window, samples["unknown_serial"])
        shot(window, "04-scan-counterfeit")
        scan(window, "https://example.com/promo")
        shot(window, "05-scan-cannot-read")

        view = window.views["scan"]
        video = tmpdir / "camera.avi"
        camera_video(video, samples["genuine_in_transit"])
        view.start_camera(video)
        wait(lambda: view.preview.outline_visible(), "the camera read")
        wait(lambda: view.verifications >= 5, "the camera verdict")
        shot(window, "06-scan-camera")
        view.stop_camera(wait=True)

        window.show_view("shipments")
        tab = window.views["shipments"].incoming
        wait(lambda: tab.expected.rowCount() > 0, "incoming shipments")
        tab.scan(samples["genuine_in_transit"])
        wait(lambda: len(tab.scanned) == 1, "a goods-in scan")
        tab.scan(samples["unknown_serial"])
        wait(lambda: tab.unexpected.rowCount() == 1, "an unexpected scan")
        shot(window, "07-shipments-incoming")

        play_as(window, Role.DISTRIBUTOR)
        out = window.views["shipments"].outgoing
        for key in ("not_in_custody", "lot_b_at_distributor", "not_in_custody", "genuine"):
            n = out.packs.rowCount() + out.refusals.rowCount()
            out.add(samples[key])
            wait(lambda n=n: out.packs.rowCount() + out.refusals.rowCount() > n, "a pack")
        shot(window, "08-shipments-outgoing")

        play_as(window, Role.MANUFACTURER)
        com = window.views["commission"]
        wait(lambda: com.lots.rowCount() > 0, "the lots")
        com.gtin.setCurrentText("05012345000015")
        com.lot.setText("C2601")
        com.count.setValue(48)
        com.commission()
        wait(lambda: com.preview_count() > 0, "the label preview")
        window.banner.hide()
        shot(window, "09-commission")

        window.show_view("packing")
        packing = window.views["packing"]
        wait(lambda: packing.lot.findData("05012345000015 C2601") >= 0, "the lot to pack")
        packing.lot.setCurrentIndex(packing.lot.findData("05012345000015 C2601"))
        packing.pallet.setText(make_sscc("5012345", 9001, 1))
        packing.first_case.setText(make_sscc("5012345", 101))
        packing.cases.setValue(4)
        packing.pack()
        wait(lambda: packing.result is not None, "the pallet")
        window.banner.hide()
        shot(window, "18-cases-pallets")

        play_as(window, Role.REGULATOR)
        ins = window.views["inspector"]
        ins.search(samples["forked_chain"])
        wait(lambda: ins.inspection is not None, "the inspection")
        shot(window, "10-inspector-fork")
        ins.search(samples["not_in_custody"])
        wait(lambda: ins.inspection is not None
             and ins.inspection.report.code.serial in samples["not_in_custody"], "chain")
        shot(window, "11-inspector-chain")
        ins.tabs.setCurrentIndex(1)
        wait(lambda: ins.alerts.rowCount() > 0, "alerts")
        ins.alerts_view.selectRow(0)
        wait(lambda: "Event" in ins.evidence.toPlainText(), "evidence")
        shot(window, "12-inspector-alerts")

        net = window.views["network"]
        window.show_view("network")
        wait(lambda: net.status is not None, "the network status")
        maker = window.demo.node(Role.MANUFACTURER)  # type: ignore[union-attr]
        with serving(maker.home, commission=24) as url:
            for peer in (url, "https://127.0.0.1:1"):
                n = net.peers.rowCount()
                net.url_input.setText(peer)
                net.add_peer()
                wait(lambda n=n: net.peers.rowCount() > n, "a peer")
            net.sync_now()
            wait(lambda: net.outcome is not None and not net.syncing, "the sync round")
        wait(lambda: any(p.last_success for p in net.peers.rows), "the peers refreshed")
        window.banner.hide()
        shot(window, "13-network")
        cases_and_goods_in(window, samples)
        rescan_step(window, samples)
        alerts_views(window, samples)
        window.close()

        # The counter screen in German (the app's Language setting; the demo is reused).
        german = QSettings(str(tmpdir / "settings-de.ini"), QSettings.Format.IniFormat)
        german.setValue(language.LANGUAGE_KEY, "de")
        language.install(app, german)
        window = MainWindow(german, tmpdir / "data")
        window.resize(*SIZE)
        window.show()
        window.open_demo()
        wait(lambda: window.service is not None and "scan" in window.views, "the demo")
        window.banner.hide()
        scan(window, samples["recalled"])
        shot(window, "14-scan-suspect-de")
        window.close()
        language.uninstall(app)
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
