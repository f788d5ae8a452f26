"""A pallet of packs in cases: commission, pack, ship, receive and verify, next to shipping
the same packs one event per case and one event per pack, in one run.

Run: .venv/bin/python bench/bench_pallet.py [--packs 10000] [--cases 40] [--sample 100]

Real nodes with SQLite homes (``build_network``): a manufacturer and a distributor.

- pallet: the manufacturer commissions the packs (``Node.commission``, events of
  ``COMMISSION_CHUNK`` packs), packs them into ``--cases`` cases (one packing event each)
  and the cases onto one pallet (one packing event), ships the pallet (one event naming the
  pallet, its cases and every pack); the distributor imports the new entries (a bundle,
  ``exchange``, as bench_bundle moves entries), receives the pallet (one event), imports it
  back to the manufacturer, verifies the pallet (one ``verify_container``) and ``--sample``
  packs one by one (``Node.verify``);
- per case: the same packs, commissioned anew, shipped as one event per case (each naming
  that case's packs, without containers) and received likewise;
- per pack: the same packs, commissioned anew, shipped and received as one event per pack.

For each step: seconds, log entries written and their bytes. Floors, measured in the same
run: raw Ed25519 verification of one signature over each written entry (bytes at hand) and
raw SQLite inserts of one row per item into a fresh file (one transaction), so that each
step's time reads as a ratio over what its signatures and rows cost at the least.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine import describe  # noqa: E402
from supplychain.codes.gs1 import PackCode  # noqa: E402
from supplychain.codes.sscc import ContainerCode, make_sscc  # noqa: E402
from supplychain.identity.certificates import MemberInfo, Role  # noqa: E402
from supplychain.ids import GLN  # noqa: E402
from supplychain.interchange.bundle import exchange  # noqa: E402
from supplychain.ledger.events import SignedEvent  # noqa: E402
from supplychain.ledger.verdicts import Verdict  # noqa: E402
from supplychain.node.containers import pack, verify_container  # noqa: E402
from supplychain.node.operations import Node  # noqa: E402
from supplychain.node.setup import build_network  # noqa: E402

PASSPHRASE = b"bench pallet"
MAKER = MemberInfo("Pallet Pharma", GLN("5012345000022"), Role.MANUFACTURER, ("501234",))
DIST = MemberInfo("Pallet Wholesale", GLN("5012345000039"), Role.DISTRIBUTOR)
GTIN = "05012345000015"
EXPIRY = date(2030, 1, 31)


@dataclass(frozen=True)
class Step:
    scenario: str
    name: str
    seconds: float
    entries: int
    bytes: int
    items: int


class Run:
    """The nodes and the written entries of one run, with a timer per step."""

    def __init__(self, maker: Node, dist: Node, profile: str | None) -> None:
        self.nodes = {MAKER.gln: maker, DIST.gln: dist}
        self.steps: list[Step] = []
        self.written: list[bytes] = []
        self.profile = profile

    def step(self, scenario: str, name: str, action: Callable[[], object]) -> object:
        sizes = {g: n.store.log_sizes() for g, n in self.nodes.items()}
        profiler = cProfile.Profile() if self.profile == name else None
        t0 = time.perf_counter()
        if profiler:
            profiler.enable()
        result = action()
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - t0
        entries, size, items = 0, 0, 0
        for gln, node in self.nodes.items():
            for log, size_now in node.store.log_sizes().items():
                for index in range(sizes[gln].get(log, 0), size_now):
                    data = node.store.entry(log, index)
                    entries += 1
                    size += len(data)
                    items += len(SignedEvent.from_bytes(data).event.items)
                    self.written.append(data)
        self.steps.append(Step(scenario, name, seconds, entries, size, items))
        print(f"  {scenario:9} {name:24} {seconds:8.2f} s  {entries:6,} entries "
              f"{size / 1e6:7.2f} MB", flush=True)
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        return result


def commission(node: Node, packs: int, lot: str) -> list[PackCode]:
    return node.commission(GTIN, lot, EXPIRY, packs)


def split(codes: Sequence[PackCode], cases: int) -> list[list[PackCode]]:
    size = -(-len(codes) // cases)
    return [list(codes[i:i + size]) for i in range(0, len(codes), size)]


def pallet(run: Run, maker: Node, dist: Node, packs: int, cases: int, sample: int) -> None:
    codes: list[PackCode] = run.step("pallet", "commission", lambda: commission(
        maker, packs, "PAL"))  # type: ignore[assignment]
    ssccs = [make_sscc("501234", i + 1) for i in range(cases)]
    top = make_sscc("501234", 900_000, extension=1)

    def pack_cases() -> None:
        for sscc, group in zip(ssccs, split(codes, cases), strict=True):
            pack(maker, sscc, group)

    run.step("pallet", f"pack {cases} cases", pack_cases)
    run.step("pallet", "pack pallet", lambda: pack(maker, top, ssccs))
    code = ContainerCode(top)
    run.step("pallet", "ship", lambda: maker.ship(DIST.gln, [code]))
    run.step("pallet", "move to distributor", lambda: exchange(maker, dist))
    run.step("pallet", "receive", lambda: dist.receive([code]))
    report = run.step("pallet", "verify pallet", lambda: verify_container(dist, top))
    assert report.verdict is Verdict.GENUINE, report  # type: ignore[attr-defined]
    assert len(report.packs) == packs  # type: ignore[attr-defined]
    chosen = random.Random(1).sample(codes, min(sample, len(codes)))
    reports = run.step("pallet", f"verify {len(chosen)} packs",
                       lambda: [dist.verify(c) for c in chosen])
    assert all(r.verdict is Verdict.GENUINE for r in reports)  # type: ignore[attr-defined]


def loose(run: Run, maker: Node, dist: Node, packs: int, cases: int, per_pack: bool) -> None:
    scenario = "per pack" if per_pack else "per case"
    codes: list[PackCode] = run.step(scenario, "commission", lambda: commission(
        maker, packs, "PP" if per_pack else "PC"))  # type: ignore[assignment]
    groups = [[c] for c in codes] if per_pack else split(codes, cases)

    def ship() -> None:
        for group in groups:
            maker.ship(DIST.gln, group)

    def receive() -> None:
        for group in groups:
            dist.receive(group)

    run.step(scenario, f"ship ({len(groups):,} events)", ship)
    run.step(scenario, "move to distributor", lambda: exchange(maker, dist))
    run.step(scenario, f"receive ({len(groups):,} events)", receive)


def floors(written: list[bytes], run: Run) -> tuple[float, float]:
    """Seconds for raw Ed25519 verification of every written entry's signature and for raw
    SQLite inserts of one row per item written (fresh file, one transaction)."""
    signed = [SignedEvent.from_bytes(d) for d in written]
    keys = {g: n._signing_key().public_key() for g, n in run.nodes.items()}
    pairs = [(keys[s.event.author], s.signature, s.event.to_bytes()) for s in signed]
    t0 = time.perf_counter()
    for key, signature, data in pairs:
        key.verify(signature, data)
    t_sig = time.perf_counter() - t0
    rows = [(s.hash, str(i.pack), i.prev, n) for s in signed for n, i in enumerate(s.event.items)]
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(Path(tmp) / "raw.sqlite", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE items (event TEXT, pack TEXT, prev TEXT, n INTEGER)")
        conn.execute("CREATE INDEX items_event ON items (event, n)")
        conn.execute("CREATE INDEX items_pack ON items (pack)")
        t0 = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO items VALUES (?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
        t_rows = time.perf_counter() - t0
        conn.close()
    return t_sig / max(len(pairs), 1), t_rows / max(len(rows), 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packs", type=int, default=10_000)
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--sample", type=int, default=100)
    parser.add_argument("--skip-per-pack", action="store_true")
    parser.add_argument("--profile", help="print a cProfile of the step of this name")
    args = parser.parse_args()
    print(f"machine: {describe()}, SQLite {sqlite3.sqlite_version}")
    print(f"{args.packs:,} packs, {args.cases} cases on one pallet")
    with tempfile.TemporaryDirectory(prefix="bench-pallet-") as tmp:
        _, homes = build_network(Path(tmp) / "net", "Pallet bench", [MAKER, DIST], PASSPHRASE)
        with Node(homes[MAKER.gln], lambda: PASSPHRASE) as maker, \
                Node(homes[DIST.gln], lambda: PASSPHRASE) as dist:
            run = Run(maker, dist, args.profile)
            pallet(run, maker, dist, args.packs, args.cases, args.sample)
            loose(run, maker, dist, args.packs, args.cases, per_pack=False)
            if not args.skip_per_pack:
                loose(run, maker, dist, args.packs, args.cases, per_pack=True)
            sig, row = floors(run.written, run)
    print(f"\nfloors: Ed25519 verify {sig * 1e6:.0f} us per entry, "
          f"raw SQLite insert {row * 1e6:.1f} us per item row")
    print("\n| scenario | step | seconds | entries | MB | items | floor s | x floor |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for s in run.steps:
        floor = s.entries * sig + s.items * row
        ratio = f"{s.seconds / floor:,.0f}" if floor else "-"
        print(f"| {s.scenario} | {s.name} | {s.seconds:.2f} | {s.entries:,} | "
              f"{s.bytes / 1e6:.2f} | {s.items:,} | {floor:.3f} | {ratio} |")


if __name__ == "__main__":
    main()
