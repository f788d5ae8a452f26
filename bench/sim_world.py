"""The simulated network's members, nodes, clock and in-process sync (bench/simulate_network.py).

Real parts only: a consortium made with ``node.setup.build_network`` (one root, one member
certificate and one node home with its own SQLite store per member), real signed events
through ``Node``, and sync by the ordinary pull (``sync.puller.pull_from``) from another
node's ``Replica`` in the same process (``LocalPeer``: the same documents, checks and
ingest as over mutual TLS, without the sockets).

Time is simulated: ``SimClock`` replaces ``supplychain.clock.now`` for the run, so a week of
trade takes minutes and "an hour since the last sync" means an hour of the simulated day
(signing times, sync times and freshness all read that clock).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from supplychain import clock
from supplychain.codes.gs1 import PackCode, gtin_check_digit
from supplychain.identity.certificates import MemberInfo, Role
from supplychain.ids import GLN
from supplychain.node.operations import Node
from supplychain.node.setup import build_network
from supplychain.sync.puller import LocalPeer, PullReport, pull_from
from supplychain.sync.replica import Replica

PASSPHRASE = b"simulated network passphrase"


class SimClock:
    """The simulated time: starts at the next whole day after the real one, moves forward
    only (``at`` and ``tick``)."""

    def __init__(self, start: datetime | None = None) -> None:
        real = clock.now()
        self.start = start or datetime(real.year, real.month, real.day, tzinfo=UTC) \
            + timedelta(days=1)
        self.moment = self.start

    def now(self) -> datetime:
        return self.moment

    def at(self, day: int, hours: float) -> None:
        """Move to ``hours`` into simulated day ``day`` (never back)."""
        target = self.start + timedelta(days=day, hours=hours)
        self.moment = max(self.moment, target)

    def tick(self, seconds: float = 1.0) -> None:
        self.moment += timedelta(seconds=seconds)

    @property
    def today(self) -> date:
        return self.moment.date()


@contextlib.contextmanager
def simulated_time(sim: SimClock) -> Iterator[SimClock]:
    """Every ``clock.now()`` of the core reads ``sim`` while the block runs."""
    real = clock.now
    clock.now = sim.now  # type: ignore[assignment]
    try:
        yield sim
    finally:
        clock.now = real  # type: ignore[assignment]


def _with_check(body: str) -> str:
    return body + gtin_check_digit(body)


@dataclass
class Maker:
    node: Node
    gtins: list[str]


@dataclass
class Site:
    """A wholesaler or pharmacy: its node and what is physically on its shelves."""

    node: Node
    stock: dict[str, PackCode] = field(default_factory=dict)  # received, sellable
    arriving: list[tuple[str, list[PackCode]]] = field(default_factory=list)
    """Pharmacy: shipments on the shelf not yet received in the ledger (ship hash, packs)."""
    wholesaler: GLN | None = None  # a pharmacy's supplier
    pharmacies: list[GLN] = field(default_factory=list)  # a wholesaler's customers

    @property
    def gln(self) -> GLN:
        return self.node.gln


@dataclass
class World:
    regulator: Node
    makers: list[Maker]
    wholesalers: dict[GLN, Site]
    pharmacies: dict[GLN, Site]
    homes: dict[str, Path]

    def close(self) -> None:
        for node in [self.regulator, *(m.node for m in self.makers),
                     *(s.node for s in self.wholesalers.values()),
                     *(s.node for s in self.pharmacies.values())]:
            node.close()


def members(makers: int, wholesalers: int, pharmacies: int) -> list[MemberInfo]:
    """The regulator, ``makers`` manufacturers (company prefixes 5099100, 5099101, ...),
    wholesalers and pharmacies, each with a valid GLN."""
    out = [MemberInfo("Medicines Agency", GLN(_with_check("509900000000")), Role.REGULATOR)]
    for i in range(makers):
        prefix = f"50991{i:02d}"
        out.append(MemberInfo(f"Maker {i + 1}", GLN(_with_check(f"{prefix}00000")),
                              Role.MANUFACTURER, (prefix,)))
    for i in range(wholesalers):
        out.append(MemberInfo(f"Wholesaler {i + 1}", GLN(_with_check(f"50992{i:07d}")),
                              Role.DISTRIBUTOR))
    for i in range(pharmacies):
        out.append(MemberInfo(f"Pharmacy {i + 1}", GLN(_with_check(f"50993{i:07d}")),
                              Role.PHARMACY))
    return out


def gtins_of(info: MemberInfo, products: int) -> list[str]:
    prefix = info.prefixes[0]
    return [_with_check(f"0{prefix}{p:05d}") for p in range(products)]


def build_world(root: Path, makers: int, wholesalers: int, pharmacies: int,
                products: int = 2) -> World:
    """The consortium and one open node per member; pharmacy i buys from wholesaler
    i mod ``wholesalers``."""
    infos = members(makers, wholesalers, pharmacies)
    _, homes = build_network(root, "Simulated Health", infos, PASSPHRASE)
    nodes = {info.gln: Node(homes[info.gln], lambda: PASSPHRASE) for info in infos}
    by_role = {role: [i for i in infos if i.role is role] for role in Role}
    world = World(
        nodes[by_role[Role.REGULATOR][0].gln],
        [Maker(nodes[i.gln], gtins_of(i, products)) for i in by_role[Role.MANUFACTURER]],
        {i.gln: Site(nodes[i.gln]) for i in by_role[Role.DISTRIBUTOR]},
        {i.gln: Site(nodes[i.gln]) for i in by_role[Role.PHARMACY]}, homes)
    dists = list(world.wholesalers)
    for n, gln in enumerate(world.pharmacies):
        supplier = dists[n % len(dists)]
        world.pharmacies[gln].wholesaler = supplier
        world.wholesalers[supplier].pharmacies.append(gln)
    return world


def pull(target: Node, source: Node) -> PullReport:
    """One pull of everything ``source`` holds into ``target`` (the sync round's pull, in
    process): directory, checkpoints, consistency proofs, entries, ingest."""
    report = asyncio.run(pull_from(LocalPeer(Replica(source.ledger, source.gln)),
                                   Replica(target.ledger, target.gln)))
    if report.failure is not None:
        raise RuntimeError(f"pull of {target.name} from {source.name} failed: {report.error}")
    return report
