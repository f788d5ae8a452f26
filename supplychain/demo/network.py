"""A ready-made demo network: a regulator, two manufacturers, two distributors, three pharmacies.

``create_demo(directory)`` enrols the eight members, plays a short history (lots commissioned,
shipped, received, dispensed, a destroyed pack, a recall, a suspect report, a cloned pack, a
diverted pack) and lets every node hold every log. It writes ``demo.json`` describing the
nodes and sample codes for each verdict, so the app and the docs can show every case. The
demo passphrase is public: the demo is for trying the product, never for real data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from supplychain.clock import now_iso
from supplychain.codes.gs1 import PackCode
from supplychain.identity.certificates import MemberInfo, Role
from supplychain.ids import GLN
from supplychain.interchange.bundle import exchange
from supplychain.ledger.events import Event, EventType, Item
from supplychain.node.operations import Node
from supplychain.node.setup import build_network

DEMO_PASSPHRASE = b"demo-network-passphrase"
DEMO_CONSORTIUM = "Demo Medicines Network"
DEMO_GTIN = "05012345000015"
DEMO_GTIN_2 = "05012345000022"
BOLT_GTIN = "05012350000017"

REGULATOR = MemberInfo("Medicines Regulatory Agency", GLN("5012345000015"), Role.REGULATOR)
MANUFACTURER = MemberInfo("Acme Pharma Ltd", GLN("5012345000022"), Role.MANUFACTURER,
                          ("501234",))
DISTRIBUTOR = MemberInfo("North Wholesale", GLN("5012345000039"), Role.DISTRIBUTOR)
DISTRIBUTOR_2 = MemberInfo("South Wholesale", GLN("5012345000046"), Role.DISTRIBUTOR)
PHARMACY = MemberInfo("High Street Pharmacy", GLN("5012345000053"), Role.PHARMACY)
MANUFACTURER_2 = MemberInfo("Bolt Generics", GLN("5012345000060"), Role.MANUFACTURER,
                            ("501235",))
PHARMACY_2 = MemberInfo("Riverside Pharmacy", GLN("5012345000077"), Role.PHARMACY)
PHARMACY_3 = MemberInfo("St Mary's Hospital Pharmacy", GLN("5012345000084"), Role.PHARMACY)
# The first member of each role is the one the app opens when playing that role.
DEMO_MEMBERS = [REGULATOR, MANUFACTURER, DISTRIBUTOR, DISTRIBUTOR_2, PHARMACY, MANUFACTURER_2,
                PHARMACY_2, PHARMACY_3]


@dataclass(frozen=True)
class DemoNode:
    name: str
    gln: GLN
    role: Role
    home: Path


@dataclass(frozen=True)
class Demo:
    """An opened demo network: its nodes and sample codes by expected verdict."""

    directory: Path
    nodes: tuple[DemoNode, ...]
    samples: dict[str, str]

    def node(self, role: Role) -> DemoNode:
        return next(n for n in self.nodes if n.role is role)

    @classmethod
    def load(cls, directory: Path) -> Demo:
        data = json.loads((directory / "demo.json").read_text())
        nodes = tuple(DemoNode(n["name"], GLN(n["gln"]), Role(n["role"]), directory / n["home"])
                      for n in data["nodes"])
        return cls(directory, nodes, dict(data["samples"]))


def demo_exists(directory: Path) -> bool:
    return (directory / "demo.json").exists()


def create_demo(directory: Path, progress: Callable[[int, int], None] | None = None) -> Demo:
    """Create the demo network in ``directory`` (must not hold one yet)."""
    step = _Progress(progress, 14)
    _, homes = build_network(directory, DEMO_CONSORTIUM, DEMO_MEMBERS, DEMO_PASSPHRASE)
    step()
    nodes = {g: Node(h, lambda: DEMO_PASSPHRASE) for g, h in homes.items()}
    try:
        samples = _play_history(nodes, step)
        _spread(nodes)
        step()
    finally:
        for node in nodes.values():
            node.close()
    data = {
        "consortium": DEMO_CONSORTIUM,
        "passphrase": DEMO_PASSPHRASE.decode(),
        "nodes": [{"name": m.name, "gln": m.gln, "role": m.role.value,
                   "home": str(homes[m.gln].relative_to(directory))} for m in DEMO_MEMBERS],
        "samples": samples,
    }
    (directory / "demo.json").write_text(json.dumps(data, indent=2) + "\n")
    return Demo.load(directory)


def _play_history(nodes: dict[str, Node], step: Callable[[], None]) -> dict[str, str]:
    maker = nodes[MANUFACTURER.gln]
    north = nodes[DISTRIBUTOR.gln]
    pharmacy = nodes[PHARMACY.gln]
    regulator = nodes[REGULATOR.gln]
    bolt = nodes[MANUFACTURER_2.gln]
    south = nodes[DISTRIBUTOR_2.gln]
    riverside = nodes[PHARMACY_2.gln]
    hospital = nodes[PHARMACY_3.gln]
    next_year = date.today().replace(day=1) + timedelta(days=400)
    expiry = next_year.replace(day=28)
    lot_a = maker.commission(DEMO_GTIN, "A2401", expiry, 12)
    lot_b = maker.commission(DEMO_GTIN_2, "B2402", expiry, 6)
    recalled = maker.commission(DEMO_GTIN, "R2403", expiry, 4)
    step()
    maker.ship(DISTRIBUTOR.gln, lot_a[:10] + lot_b[:4] + recalled[:2])
    exchange(maker, north)
    step()
    north.receive(lot_a[:10] + lot_b[:4] + recalled[:2])
    north.ship(PHARMACY.gln, lot_a[:8] + lot_b[:2] + recalled[:1])
    exchange(north, pharmacy)
    exchange(maker, pharmacy)
    step()
    pharmacy.receive(lot_a[:6] + lot_b[:2] + recalled[:1])
    pharmacy.dispense(lot_a[:2])
    step()
    maker.recall(DEMO_GTIN, "R2403", "Sterility assurance failure at the filling line")
    step()
    # A pack cloned at the manufacturer's end: two commissions of one serial (a fork).
    cloned = lot_a[11]
    maker.append([Event(EventType.COMMISSION, maker.gln, maker.me.key_id, now_iso(),
                        (Item(cloned.key, None, cloned.lot, cloned.expiry),))])
    step()
    pharmacy.report([lot_a[5]], "Carton seal looks re-glued")
    step()
    # A pack delivered to Riverside Pharmacy that turns up at High Street (diverted).
    north.ship(PHARMACY_2.gln, [lot_a[8]])
    exchange(north, riverside)
    exchange(maker, riverside)
    riverside.receive([lot_a[8]])
    maker.destroy([lot_b[4]], "Carton crushed in the warehouse")
    step()
    # The second manufacturer supplies the hospital through South Wholesale.
    bolt_lot = bolt.commission(BOLT_GTIN, "G2501", expiry, 8)
    bolt.ship(DISTRIBUTOR_2.gln, bolt_lot[:6])
    exchange(bolt, south)
    south.receive(bolt_lot[:6])
    south.ship(PHARMACY_3.gln, bolt_lot[:4])
    exchange(south, hospital)
    exchange(bolt, hospital)
    hospital.receive(bolt_lot[:4])
    hospital.dispense(bolt_lot[:1])
    step()
    exchange(regulator, maker)
    fake = PackCode(DEMO_GTIN, "FAKE0000SN01", "A2401", expiry)  # type: ignore[arg-type]
    foreign = PackCode("09506000134352", "X123", "L1", expiry)  # type: ignore[arg-type]
    return {
        "genuine": lot_a[3].to_digital_link(),
        "genuine_in_transit": lot_a[7].to_digital_link(),
        "already_dispensed": lot_a[0].to_digital_link(),
        "reported_suspect": lot_a[5].to_digital_link(),
        "recalled": recalled[0].to_digital_link(),
        "forked_chain": cloned.to_digital_link(),
        "unknown_serial": fake.to_digital_link(),
        "unknown_product": foreign.to_digital_link(),
        "not_in_custody": lot_a[9].to_digital_link(),
        "diverted": lot_a[8].to_digital_link(),
        "destroyed": lot_b[4].to_digital_link(),
        "bolt_at_hospital": bolt_lot[1].to_digital_link(),
        "bolt_dispensed_at_hospital": bolt_lot[0].to_digital_link(),
        "at_manufacturer": lot_a[10].to_digital_link(),
        "lot_b_at_distributor": lot_b[2].to_digital_link(),
        "lot_b_at_manufacturer": lot_b[5].to_digital_link(),
        "created": now_iso(),
    }


def _spread(nodes: dict[str, Node]) -> None:
    """Two rounds of everyone-to-everyone bundles: every node holds every log."""
    members = list(nodes.values())
    for _ in range(2):
        for a in members:
            for b in members:
                if a is not b:
                    exchange(a, b)


class _Progress:
    def __init__(self, callback: Callable[[int, int], None] | None, total: int) -> None:
        self.callback, self.total, self.done = callback, total, 0

    def __call__(self) -> None:
        self.done += 1
        if self.callback:
            self.callback(min(self.done, self.total), self.total)
