"""The simulated trade, day by day: commissioning, shipments, goods in, the counter, returns,
the noise of real work and the injected falsifications (bench/simulate_network.py).

Day 0: the manufacturers commission their lots and ship them to the wholesalers (one ship
event per manufacturer and wholesaler), which pull the manufacturers' logs and receive.
Each trading day (simulated clock, ``sim_world.SimClock``):
  05:00 day 2: the recalled lot's manufacturer recalls it;
  06:00 each wholesaler pulls the manufacturers' logs and its pharmacies' logs, receives
        the returns that pass its saleable-returns check;
  07:00 each wholesaler ships each of its pharmacies the day's order (one ship event); the
        goods arrive at 08:00 (the event may be signed hours later: noise);
  08:00 and 13:00 each pharmacy syncs from its wholesaler (which holds the
        manufacturers', its own and its pharmacies' logs) and does goods in;
  08:30-17:30 customers at the counter (1-3 packs each, one dispense event each);
  17:30 some pharmacies return a few unsold packs.
"""

from __future__ import annotations

import heapq
import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sim_counter import CounterDesk, Tally
from sim_noise import Fake, Rates, faulty_text, made_up_serial
from sim_world import SimClock, Site, World, pull

from supplychain.codes.gs1 import PackCode
from supplychain.codes.scanner_faults import PrintedFields, ScannerFault
from supplychain.ids import GLN, GTIN
from supplychain.ledger.events import EventType, Item
from supplychain.ledger.rules import PackStatus
from supplychain.ledger.verdicts import Verdict
from supplychain.node.operations import COMMISSION_CHUNK, SERIAL_ALPHABET, SERIAL_LENGTH, Node
from supplychain.node.returns import receive_returns, return_to_supplier

LOT_SIZE = 1000
EXPIRED_LOT, RECALLED_LOT = "LEXP1", "LRCL1"
SYNC_HOURS = (8.0, 13.0)


@dataclass
class Shipment:
    packs: list[PackCode]
    to: GLN
    signed: bool = False          # the ship event is in the wholesaler's log
    sellable: bool = False        # late receipt: on the shelf before goods in
    received: bool = False


@dataclass
class Phases:
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, start: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


class Simulation:
    def __init__(self, world: World, sim: SimClock, rates: Rates, seed: int, days: int) -> None:
        self.world, self.sim, self.rates, self.days = world, sim, rates, days
        self.rng = random.Random(seed)
        self.tally = Tally()
        self.phases = Phases()
        self.counters = {g: CounterDesk(s.node, self._resync(s)) for g, s in
                         world.pharmacies.items()}
        self.arriving: dict[GLN, list[Shipment]] = {g: [] for g in world.pharmacies}
        self.shipment_of: dict[str, Shipment] = {}
        self.returns: dict[GLN, list[tuple[GLN, list[PackCode]]]] = \
            {g: [] for g in world.wholesalers}
        self.returned: set[str] = set()
        self.undone: set[str] = set()
        self.dispensed: list[tuple[GLN, PackCode]] = []
        self.recall_issued = False
        self.expired: set[str] = set()
        self.recalled: set[str] = set()
        self.packs = 0
        self.progress: Callable[[str], None] | None = None
        self.started = time.perf_counter()
        self._agenda: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()

    # --- the agenda: every site's actions in time order ----------------------------------
    def at(self, day: int, hours: float, action: Callable[[], None]) -> None:
        heapq.heappush(self._agenda, (day * 24 + hours, next(self._seq), action))

    def run_agenda(self) -> None:
        while self._agenda:
            when, _n, action = heapq.heappop(self._agenda)
            self.sim.at(0, when)
            action()

    # --- day 0 ---------------------------------------------------------------------------
    def commission(self, packs: int) -> None:
        start = time.perf_counter()
        makers = self.world.makers
        today = self.sim.today
        special = {(0, EXPIRED_LOT): (self.rates.expired_packs, today - timedelta(days=1)),
                   (1 % len(makers), RECALLED_LOT): (self.rates.recalled_packs, None)}
        normal = packs - sum(n for n, _e in special.values())
        shares = [normal // len(makers) + (i < normal % len(makers)) for i in range(len(makers))]
        self.made: dict[int, list[PackCode]] = {i: [] for i in range(len(makers))}
        for i, maker in enumerate(makers):
            lots = [(f"L{i + 1}{n:03d}", min(LOT_SIZE, shares[i] - n * LOT_SIZE), None)
                    for n in range((shares[i] + LOT_SIZE - 1) // LOT_SIZE)]
            lots += [(lot, count, expiry) for (m, lot), (count, expiry) in special.items()
                     if m == i and count]
            for n, (lot, count, expiry) in enumerate(lots):
                gtin = maker.gtins[n % len(maker.gtins)]
                codes = self._commission(maker.node, gtin, lot,
                                         expiry or date(today.year + 2, 6, 30), count)
                self.made[i] += codes
                if lot == EXPIRED_LOT:
                    self.expired.update(c.key for c in codes)
                if lot == RECALLED_LOT:
                    self.recalled.update(c.key for c in codes)
                self.sim.tick(1)
        self.packs = sum(len(c) for c in self.made.values())
        self.phases.add("commission", start)

    def _commission(self, node: Node, gtin: str, lot: str, expiry: date,
                    count: int) -> list[PackCode]:
        """``Node.commission`` with serials drawn from the seeded generator (the same run
        for the same seed), in events of ``COMMISSION_CHUNK`` packs."""
        codes = [PackCode(GTIN(gtin), made_up_serial(self.rng, SERIAL_ALPHABET, SERIAL_LENGTH),
                          lot, expiry) for _ in range(count)]
        for start in range(0, count, COMMISSION_CHUNK):
            items = [Item(c.key, None, lot, expiry) for c in codes[start:start + COMMISSION_CHUNK]]
            node.signed_append(EventType.COMMISSION, items)
        return codes

    def first_shipments(self) -> None:
        start = time.perf_counter()
        dists = list(self.world.wholesalers.values())
        for i, maker in enumerate(self.world.makers):
            codes = self.made[i]
            self.rng.shuffle(codes)
            for j, site in enumerate(dists):
                share = codes[j::len(dists)]
                if share:
                    maker.node.ship(site.gln, share)
                    self.sim.tick(1)
        self.phases.add("ship to wholesalers", start)
        start = time.perf_counter()
        self.sim.tick(3600)
        for i, site in enumerate(dists):
            self._wholesaler_pulls(site)
            mine = [c for m in self.made.values() for c in m[i::len(dists)]]
            site.node.receive(mine)
            site.stock.update((c.key, c) for c in mine)
            self.sim.tick(1)
        self.phases.add("wholesalers pull and receive", start)
        start = time.perf_counter()
        for site in self.world.pharmacies.values():
            self._pharmacy_sync(site)
        self.phases.add("pharmacy syncs", start)

    def _wholesaler_pulls(self, site: Site) -> None:
        for maker in self.world.makers:
            pull(site.node, maker.node)
        for gln in site.pharmacies:
            pull(site.node, self.world.pharmacies[gln].node)

    def _pharmacy_sync(self, site: Site) -> None:
        assert site.wholesaler is not None
        pull(site.node, self.world.wholesalers[site.wholesaler].node)

    def _resync(self, site: Site) -> Callable[[], None]:
        def resync() -> None:
            start = time.perf_counter()
            self._pharmacy_sync(site)
            self.phases.add("pharmacy syncs", start)
        return resync

    # --- trading days --------------------------------------------------------------------
    def plan(self) -> None:
        """Put every day's actions on the agenda (then ``run_agenda``)."""
        per_day = max(1, self.packs // (len(self.world.pharmacies) * self.days))
        for day in range(1, self.days + 1):
            self.at(day, 0.0, lambda d=day: self._day_starts(d))
            if day == 2 and self.recalled:
                self.at(day, 5.0, self._recall)
            for site in self.world.wholesalers.values():
                self.at(day, 6.0, lambda s=site: self._wholesaler_morning(s))
                self.at(day, 7.0, lambda s=site, d=day: self._ship_orders(s, d, per_day))
            for site in self.world.pharmacies.values():
                for hour in SYNC_HOURS:
                    self.at(day, hour, lambda s=site: self._scheduled_sync(s))
                self.at(day, 16.0, lambda s=site: self._goods_in(s, late_too=True))
                baskets = self._baskets(per_day)
                for n, size in enumerate(baskets):
                    hour = 8.5 + 9.0 * (n + self.rng.random()) / len(baskets)
                    self.at(day, hour, lambda s=site, k=size: self._customer(s, k))
                if self.rng.random() < self.rates.return_day:
                    self.at(day, 17.5, lambda s=site: self._return(s))
        fakes = [f for f in (Fake.CLONE, Fake.MADE_UP_SERIAL, Fake.DIVERTED, Fake.REUSED_CODE)
                 for _ in range(self.rates.fakes_each)]
        for fake in fakes:
            day = self.rng.randint(min(2, self.days), self.days)
            self.at(day, self.rng.uniform(9.0, 17.0), lambda f=fake: self._inject(f))

    def _day_starts(self, day: int) -> None:
        if self.progress is not None:
            self.progress(f"day {day}: {self.tally.scans:,} scans so far, "
                          f"{time.perf_counter() - self.started:.0f} s")

    def _baskets(self, packs: int) -> list[int]:
        out: list[int] = []
        while sum(out) < packs:
            out.append(min(self.rng.choice((1, 1, 2, 3)), packs - sum(out)))
        return out

    def _recall(self) -> None:
        maker = self.world.makers[1 % len(self.world.makers)]
        gtin = next(iter(self.recalled)).split("/")[0]
        maker.node.recall(gtin, RECALLED_LOT, "simulated recall")
        self.recall_issued = True

    def _wholesaler_morning(self, site: Site) -> None:
        start = time.perf_counter()
        self._wholesaler_pulls(site)
        self.phases.add("wholesaler syncs", start)
        start = time.perf_counter()
        for pharmacy, codes in self.returns[site.gln]:
            receipt = receive_returns(site.node, pharmacy, codes)
            for check in receipt.checks:
                if check.accepted:
                    site.stock[check.code.key] = check.code
                    self.returned.add(check.code.key)
        self.returns[site.gln] = []
        if self.recall_issued:  # a wholesaler honours the recall: set aside
            for key in [k for k in site.stock if k in self.recalled]:
                del site.stock[key]
        self.phases.add("returns", start)

    def _ship_orders(self, site: Site, day: int, per_day: int) -> None:
        start = time.perf_counter()
        stock = list(site.stock.values())
        self.rng.shuffle(stock)
        size = 2 * per_day if day == 1 else per_day  # day 1 stocks the shelves
        for gln in site.pharmacies:
            order, stock = stock[:size], stock[size:]
            if not order:
                break
            for code in order:
                del site.stock[code.key]
            shipment = Shipment(order, gln)
            late_event = self.rng.random() < self.rates.ship_event_late
            if self.rng.random() < self.rates.late_receipt:
                shipment.sellable = True
                self.tally.note_noise("late receipt (shipment)")
            self.arriving[gln].append(shipment)
            for code in order:
                self.shipment_of[code.key] = shipment
            if late_event:
                self.tally.note_noise("ship event signed after the goods arrived")
                self.at(day, self.rng.uniform(9.0, 13.0),
                        lambda s=site, sh=shipment: self._sign_shipment(s, sh))
            else:
                self._sign_shipment(site, shipment)
        self.phases.add("wholesaler shipments", start)

    def _sign_shipment(self, site: Site, shipment: Shipment) -> None:
        site.node.ship(shipment.to, shipment.packs)
        shipment.signed = True

    def _scheduled_sync(self, site: Site) -> None:
        if self.rng.random() < self.rates.missed_sync:
            self.tally.note_noise("missed pharmacy sync (sync lag)")
            return
        start = time.perf_counter()
        self._pharmacy_sync(site)
        self.phases.add("pharmacy syncs", start)
        self._goods_in(site, late_too=False)

    def _goods_in(self, site: Site, late_too: bool) -> None:
        start = time.perf_counter()
        for shipment in self.arriving[site.gln]:
            if shipment.received or (shipment.sellable and not late_too):
                continue
            record = site.node.ledger.pack(shipment.packs[0].key)
            if record is None or record.status is not PackStatus.IN_TRANSIT \
                    or record.recipient != site.gln:
                continue  # the ship event is not here yet: the goods wait aside
            self._receive(site, shipment)
        self.phases.add("goods in", start)

    def _receive(self, site: Site, shipment: Shipment) -> None:
        site.node.receive(shipment.packs)
        shipment.received = True
        site.stock.update((c.key, c) for c in shipment.packs)
        self.arriving[site.gln] = [s for s in self.arriving[site.gln] if not s.received]

    # --- the counter ---------------------------------------------------------------------
    def _shelf(self, site: Site) -> list[PackCode]:
        late = [c for s in self.arriving[site.gln] if s.sellable and not s.received
                for c in s.packs]
        return [*site.stock.values(), *late]

    def _customer(self, site: Site, size: int) -> None:
        shelf = self._shelf(site)
        if not shelf:
            return
        start = time.perf_counter()
        basket = self.rng.sample(shelf, min(size, len(shelf)))
        sold: list[PackCode] = []
        for code in basket:
            fake = self._truth(code)
            if self._scan(site, code, fake, self._tags(site, code)):
                sold.append(code)
            else:
                site.stock.pop(code.key, None)  # set aside with its alert
                self._off_arriving(site, code)
        if sold:
            site.node.dispense(sold)
            for code in sold:
                site.stock.pop(code.key, None)
                self.dispensed.append((site.gln, code))
        self.phases.add("counter", start)
        for code in sold:
            self._after_dispense(site, code)

    def _truth(self, code: PackCode) -> Fake | None:
        if code.key in self.expired:
            return Fake.EXPIRED_LOT
        if code.key in self.recalled and self.recall_issued:
            return Fake.RECALLED_LOT
        return None

    def _tags(self, site: Site, code: PackCode) -> list[str]:
        tags = []
        shipment = self.shipment_of.get(code.key)
        if shipment is not None and shipment.to == site.gln and not shipment.received:
            tags.append("late receipt (scan)")
        if code.key in self.returned:
            tags.append("returned pack resold")
        if code.key in self.undone:
            tags.append("undone dispense, sold again")
        return tags

    def _off_arriving(self, site: Site, code: PackCode) -> None:
        for shipment in self.arriving[site.gln]:
            if code in shipment.packs:
                shipment.packs.remove(code)
        self.arriving[site.gln] = [s for s in self.arriving[site.gln] if s.packs]

    def _scan(self, site: Site, code: PackCode, fake: Fake | None, tags: list[str],
              scanned: PackCode | None = None) -> bool:
        """One scan through the counter's pipeline; True when the pack may be dispensed."""
        clean = code.to_element_string()
        text = clean
        if self.rng.random() < self.rates.scanner_fault:
            fault = self.rng.choice(list(ScannerFault))
            text = faulty_text(code, fault, self.rng)
            tags = [*tags, f"scanner fault: {fault.value}"]
            if text == clean:
                tags.append("scanner fault without effect")
        printed = PrintedFields(code.gtin, code.serial, code.lot, code.expiry)
        result = self.counters[site.gln].scan(text, clean, printed)
        self.tally.count(result, fake, tuple(tags))
        final = result.final
        if final.verdict is not Verdict.GENUINE or result.open_cause is not None:
            return False
        if final.status is PackStatus.IN_TRANSIT:  # "receive it before dispensing"
            shipment = self.shipment_of[code.key]
            self._receive(site, shipment)
        return True

    def _after_dispense(self, site: Site, code: PackCode) -> None:
        if self.rng.random() < self.rates.double_scan:
            self._scan(site, code, None, ["double scan"])
        if self.rng.random() < self.rates.undo_dispense:
            self.tally.note_noise("undone dispense")
            site.node.undo_dispense([code], "dispensed by mistake")
            site.stock[code.key] = code
            self.undone.add(code.key)
            self.dispensed.remove((site.gln, code))

    def _return(self, site: Site) -> None:
        stock = [c for c in site.stock.values() if c.key not in self.recalled
                 and c.key not in self.expired]
        if not stock:
            return
        codes = self.rng.sample(stock, min(len(stock), self.rng.randint(1, 3)))
        return_to_supplier(site.node, codes, "unsold")
        for code in codes:
            del site.stock[code.key]
        self.tally.note_noise("pharmacy return")
        assert site.wholesaler is not None
        self.returns[site.wholesaler].append((site.gln, codes))

    # --- falsifications ------------------------------------------------------------------
    def _inject(self, fake: Fake) -> None:
        start = time.perf_counter()
        sites = list(self.world.pharmacies.values())
        here = self.rng.choice(sites)
        others = [s for s in sites if s.gln != here.gln and s.stock]
        if fake is Fake.MADE_UP_SERIAL:
            model = self.rng.choice(self.made[self.rng.randrange(len(self.made))])
            code = PackCode(model.gtin, made_up_serial(self.rng, SERIAL_ALPHABET,
                                                       SERIAL_LENGTH), model.lot, model.expiry)
        elif fake is Fake.REUSED_CODE:
            gone = [c for g, c in self.dispensed if g != here.gln]
            code = self.rng.choice(gone)
        else:
            there = self.rng.choice(others)
            code = self.rng.choice(list(there.stock.values()))
            if fake is Fake.DIVERTED:
                del there.stock[code.key]
        self._scan(here, code, fake, [])
        self.phases.add("counter", start)
