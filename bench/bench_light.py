"""Light pharmacies next to a full replica: what each stores and downloads, and the online
verdict (asking a full node over mutual TLS) next to the local one, in one run.

Run: .venv/bin/python bench/bench_light.py [--packs P] [--pharmacies N] [--distributors D]
     [--lot L] [--case C] [--order O] [--asks K] [--workers W] [--no-full-pull]

1. History: one manufacturer commissions P packs in lots of L (one commission event per lot,
   each lot its own number), ships them in cases of C to D distributors (one ship event per
   case, received by one event each), which ship orders of O packs to N pharmacies (one ship
   + one receive event per order). Packs flow in contiguous blocks: lot -> cases -> orders,
   orders round-robin over the pharmacies. Every entry is signed by its author's key in a
   tight loop.
2. Full node: the regulator's node ingests every log with the real ledger (``append_entries``,
   W verifying workers), signs each log's checkpoint with its author's key, and runs
   ``supplychain serve`` as its own process (mutual TLS on loopback). A byte-counting TCP
   relay sits in front of it, so every figure "downloaded" is bytes on the wire (TLS included).
3. Full replica: a second entitled node (role regulator, a hub) pulls everything once through
   the relay: its entries, its SQLite file, the bytes it downloaded, the time it took.
4. Light pharmacies: each pharmacy's node is set light and syncs from the full node through
   the relay: entries held (own log + proven entries), SQLite file, bytes downloaded, time.
5. Verdicts at each pharmacy: the local verdict (``Node.verify``) on packs it holds, and the
   online verdict (``sync.light.verify_anywhere``: a new TLS session, one question, answer
   verified and kept) on packs held by another pharmacy; next to the full replica's local
   verdict on those same packs. p50 and p99.

Step 4-5 use the light-node API (``supplychain.ledger.sparse``, ``supplychain.sync.light``);
without it the bench prints steps 1-3 and stops with a message saying what is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from light_tools import Relay, cpu_seconds, file_bytes, held_entry_bytes, pct, serve  # noqa: E402
from light_witness import WITNESS, cosign_latest, witness_floor, witness_runs  # noqa: E402
from machine import describe  # noqa: E402

from supplychain.codes.gs1 import PackCode, gtin_check_digit  # noqa: E402
from supplychain.identity.certificates import MemberInfo, Role  # noqa: E402
from supplychain.ledger import verify_pool  # noqa: E402
from supplychain.ledger.events import Event, EventType, Item, SignedEvent  # noqa: E402
from supplychain.node.operations import Node  # noqa: E402
from supplychain.node.setup import build_network  # noqa: E402
from supplychain.sync.service import SyncService  # noqa: E402

PASS = b"bench passphrase"
GTIN = "05012345000015"
LOT_EXPIRY = date(2030, 1, 31)
TXN = 5_000  # entries per append_entries call (one transaction each)


def gln(n: int) -> str:
    body = f"501234{n:06d}"
    return body + gtin_check_digit(body)


@dataclass(frozen=True)
class Shape:
    packs: int
    pharmacies: int
    distributors: int
    lot: int
    case: int
    order: int

    def check(self) -> None:
        if self.lot % self.case or self.case % self.order or self.packs % self.lot:
            raise SystemExit("need packs % lot == lot % case == case % order == 0")
        if self.pharmacies < 2:
            raise SystemExit("need at least 2 pharmacies (online verdicts ask about packs "
                             "held by another)")


@dataclass
class World:
    maker: MemberInfo
    dists: list[MemberInfo]
    pharmacies: list[MemberInfo]
    regulator: MemberInfo
    hub: MemberInfo
    logs: dict[str, list[bytes]] = field(default_factory=dict)
    held: dict[str, list[int]] = field(default_factory=dict)  # pharmacy GLN -> pack numbers

    def members(self) -> list[MemberInfo]:
        return [self.regulator, self.hub, self.maker, *self.dists, *self.pharmacies]


def make_world(shape: Shape) -> World:
    maker = MemberInfo("Bench Pharma", gln(1), Role.MANUFACTURER, ("501234",))  # type: ignore
    dists = [MemberInfo(f"Bench Wholesale {d + 1}", gln(100 + d), Role.DISTRIBUTOR)  # type: ignore
             for d in range(shape.distributors)]
    pharmacies = [MemberInfo(f"Bench Pharmacy {p + 1}", gln(1000 + p), Role.PHARMACY)  # type: ignore
                  for p in range(shape.pharmacies)]
    regulator = MemberInfo("Bench Regulator", gln(2), Role.REGULATOR)  # type: ignore
    hub = MemberInfo("Bench Hub", gln(3), Role.REGULATOR)  # type: ignore
    return World(maker, dists, pharmacies, regulator, hub)


def lot_of(i: int) -> str:
    """Each commission event is one lot (a production batch)."""
    return f"L{i // SHAPE.lot:06d}"


def code_of(i: int) -> PackCode:
    return PackCode(GTIN, f"V{i:011d}", lot_of(i), LOT_EXPIRY)  # type: ignore[arg-type]


def make_history(world: World, shape: Shape, keys: dict[str, Any]) -> None:
    """Sign every log's entries, in an order that applies without waiting."""
    order_of = [world.maker.gln, *(d.gln for d in world.dists),
                *(p.gln for p in world.pharmacies)]
    world.logs = {g: [] for g in order_of}
    world.held = {p.gln: [] for p in world.pharmacies}
    prev: list[str] = [""] * shape.packs
    clock = [datetime(2026, 1, 1, tzinfo=UTC)]

    def sign(author: str, etype: EventType, packs: range, to: str | None = None) -> None:
        clock[0] += timedelta(milliseconds=1)
        when = clock[0].isoformat(timespec="milliseconds")
        if etype is EventType.COMMISSION:
            items = tuple(Item(code_of(i).key, None, lot_of(i), LOT_EXPIRY)  # type: ignore
                          for i in packs)
        else:
            items = tuple(Item(code_of(i).key, prev[i]) for i in packs)  # type: ignore
        key, key_id = keys[author]
        event = Event(etype, author, key_id, when, items, to=to)  # type: ignore[arg-type]
        data = event.to_bytes()
        world.logs[author].append(SignedEvent(event, key.sign(data), data).to_bytes())
        digest = hashlib.sha256(data).hexdigest()
        for i in packs:
            prev[i] = digest

    n_orders = 0
    for lot_start in range(0, shape.packs, shape.lot):
        sign(world.maker.gln, EventType.COMMISSION, range(lot_start, lot_start + shape.lot))
        for case_start in range(lot_start, lot_start + shape.lot, shape.case):
            dist = world.dists[(case_start // shape.case) % len(world.dists)].gln
            case = range(case_start, case_start + shape.case)
            sign(world.maker.gln, EventType.SHIP, case, dist)
            sign(dist, EventType.RECEIVE, case)
            for order_start in range(case_start, case_start + shape.case, shape.order):
                pharmacy = world.pharmacies[n_orders % len(world.pharmacies)].gln
                n_orders += 1
                order = range(order_start, order_start + shape.order)
                sign(dist, EventType.SHIP, order, pharmacy)
                sign(pharmacy, EventType.RECEIVE, order)
                world.held[pharmacy].extend(order)


def pull(home: Path, url: str, relay: Relay) -> tuple[float, int, int, int]:
    """One sync round from ``url``; returns seconds, new entries, bytes down, bytes up."""
    node = Node(home, lambda: PASS)
    service = SyncService(node, PASS, timeout=300)
    up0, down0 = relay.counts()
    t0 = time.perf_counter()
    reports = asyncio.run(service.sync_round([url]))
    seconds = time.perf_counter() - t0
    up1, down1 = relay.counts()
    service.close()
    node.close()
    assert reports[0].error is None, reports[0].error
    return seconds, reports[0].total_new, down1 - down0, up1 - up0


# --- the run ----------------------------------------------------------------------------------
@dataclass
class Figures:
    rows: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def build_full_node(world: World, homes: dict[str, Path], workers: int) -> tuple[float, float]:
    nodes = {m.gln: Node(homes[m.gln], lambda: PASS) for m in world.members()}
    keys = {g: (n._signing_key(), n.me.key_id) for g, n in nodes.items()}
    for node in nodes.values():
        node.close()
    shape_t0 = time.perf_counter()
    make_history(world, SHAPE, keys)
    t_sign = time.perf_counter() - shape_t0
    full = Node(homes[world.regulator.gln], lambda: PASS)
    t0 = time.perf_counter()
    for g, entries in world.logs.items():
        for start in range(0, len(entries), TXN):
            with full.store.transaction():
                full.ledger.append_entries(g, start, entries[start:start + TXN],
                                           workers=workers)
    with full.store.transaction():
        for g in world.logs:
            full.ledger.sign_own_checkpoint(g, keys[g][0])
    t_ingest = time.perf_counter() - t0
    witness_floor(full, world.maker.gln, keys[world.maker.gln][0], keys[world.regulator.gln][0])
    witness_runs(full, world.maker.gln, keys[world.maker.gln][0], keys[world.regulator.gln][0],
                 world.regulator.gln)
    for g in world.logs:  # the regulator witnesses every log's checkpoint (default policy)
        cosign_latest(full, g, keys[world.regulator.gln][0], world.regulator.gln)
    full.close()
    return t_sign, t_ingest


SHAPE: Shape  # set in main()


def main() -> None:
    global SHAPE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packs", type=int, default=100_000)
    parser.add_argument("--pharmacies", type=int, default=20)
    parser.add_argument("--distributors", type=int, default=2)
    parser.add_argument("--lot", type=int, default=100, help="packs per commission event")
    parser.add_argument("--case", type=int, default=100, help="packs per maker shipment")
    parser.add_argument("--order", type=int, default=20, help="packs per pharmacy order")
    parser.add_argument("--asks", type=int, default=10,
                        help="online verdicts per pharmacy (the full node lets a caller "
                             "present 20 codes in a burst, then 0.5/s)")
    parser.add_argument("--locals", type=int, default=50, help="local verdicts per pharmacy")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-full-pull", action="store_true",
                        help="skip the full replica's pull (report entry bytes instead)")
    args = parser.parse_args()
    # A terminated bench still stops its `serve` process and removes its files.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    SHAPE = Shape(args.packs, args.pharmacies, args.distributors, args.lot, args.case,
                  args.order)
    SHAPE.check()
    world = make_world(SHAPE)
    started = time.perf_counter()
    load0 = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="bench-light-"))
    server: subprocess.Popen[bytes] | None = None
    relay: Relay | None = None
    out: list[str] = []
    try:
        _, homes = build_network(tmp, "Bench", world.members(), PASS)
        empty = file_bytes(homes[world.pharmacies[0].gln])
        if args.workers:
            verify_pool.pool(args.workers)  # start the workers before timing
        t_sign, t_ingest = build_full_node(world, homes, args.workers)
        verify_pool.shutdown()
        total = sum(map(len, world.logs.values()))
        entry_bytes = sum(map(len, (e for log in world.logs.values() for e in log)))
        full_file = file_bytes(homes[world.regulator.gln])
        print(f"history: {SHAPE.packs:,} packs, {total:,} entries ({entry_bytes / 1e6:,.1f} MB "
              f"of entries); signed in {t_sign:,.1f} s, ingested by the full node in "
              f"{t_ingest:,.1f} s ({total / t_ingest:,.0f} entries/s)", flush=True)

        server, port = serve(homes[world.regulator.gln], PASS)
        relay = Relay(port)
        url = f"https://127.0.0.1:{relay.port}"
        hub_home = homes[world.hub.gln]
        if args.no_full_pull:
            full_pull: tuple[float, int, int, int] | None = None
        else:
            full_pull = pull(hub_home, url, relay)
            assert full_pull[1] == total, (full_pull, total)
            print(f"full replica pulled {full_pull[1]:,} entries in {full_pull[0]:,.1f} s, "
                  f"{full_pull[2] / 1e6:,.1f} MB down", flush=True)
        results = light_phase(world, homes, url, relay, args, server.pid)
        out = report(world, args, results, empty, total, entry_bytes, full_file, full_pull,
                     hub_home, t_sign, t_ingest)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        if relay is not None:
            relay.close()
        shutil.rmtree(tmp, ignore_errors=True)
    load1 = os.getloadavg()
    print()
    print(f"# Light pharmacies next to a full replica ({describe()}, SQLite "
          f"{sqlite3.sqlite_version}); load average {load0[0]:.2f} at the start, "
          f"{load1[0]:.2f} at the end; {time.perf_counter() - started:,.0f} s in all")
    print("\n".join(out))


# --- the light part ---------------------------------------------------------------------------
@dataclass
class LightResults:
    entries: list[int] = field(default_factory=list)       # own log + proven, per pharmacy
    files: list[int] = field(default_factory=list)         # SQLite bytes, per pharmacy
    held_bytes: list[int] = field(default_factory=list)    # entry bytes, per pharmacy
    down: list[int] = field(default_factory=list)          # bytes downloaded by the sync
    up: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    local: list[float] = field(default_factory=list)       # Node.verify, packs it holds
    repeat: list[float] = field(default_factory=list)      # the same, scanned again
    online: list[float] = field(default_factory=list)      # verify_anywhere, packs elsewhere
    online_down: list[int] = field(default_factory=list)   # bytes per online verdict
    replica: list[float] = field(default_factory=list)     # full replica, same packs
    verdicts: dict[str, int] = field(default_factory=dict)
    server_sync_cpu: float = 0.0  # the full node's CPU seconds per light sync
    server_ask_cpu: float = 0.0   # the full node's CPU seconds for all online verdicts


def light_phase(world: World, homes: dict[str, Path], url: str, relay: Relay,
                args: argparse.Namespace, server: int) -> LightResults:
    """Steps 4 and 5: needs the light-node API (branch ``light``)."""
    try:
        from supplychain.ledger.sparse import NodeMode, ProvenStore, set_node_mode
        from supplychain.sync.light import verify_anywhere
    except ImportError as exc:
        raise SystemExit(f"light nodes are not in this tree ({exc}): the bench needs "
                         "supplychain.ledger.sparse (NodeMode, ProvenStore, set_node_mode) and "
                         "supplychain.sync.light.verify_anywhere") from exc
    res = LightResults()
    rng = random.Random(11)
    cpu0 = cpu_seconds(server)
    for ph in world.pharmacies:
        home = homes[ph.gln]
        with Node(home, lambda: PASS) as node, node.store.transaction():
            set_node_mode(node.store, NodeMode.LIGHT)
            node.store.add_peer(url, "2026-01-01T00:00:00.000+00:00")
        seconds, _new, down, up = pull(home, url, relay)
        with Node(home, lambda: PASS) as node:
            held = sum(node.store.log_sizes().values()) + ProvenStore(node.store).count()
        res.seconds.append(seconds)
        res.down.append(down)
        res.up.append(up)
        res.entries.append(held)
        res.files.append(file_bytes(home))
        res.held_bytes.append(held_entry_bytes(home))
        print(f"{ph.name}: {held:,} entries held, {res.files[-1] / 1e6:,.2f} MB file, "
              f"{down / 1e6:,.2f} MB down in {seconds:,.1f} s", flush=True)
    res.server_sync_cpu = (cpu_seconds(server) - cpu0) / len(world.pharmacies)
    others = {p.gln: [i for q in world.pharmacies if q.gln != p.gln for i in world.held[q.gln]]
              for p in world.pharmacies}
    asked: dict[str, list[int]] = {}
    for ph in world.pharmacies:
        home = homes[ph.gln]
        with Node(home, lambda: PASS) as node:
            sample = rng.sample(world.held[ph.gln], min(args.locals, len(world.held[ph.gln])))
            for i in sample:
                t0 = time.perf_counter()
                rep = node.verify(code_of(i))
                res.local.append(time.perf_counter() - t0)
                assert rep.verdict.value == "genuine", (ph.gln, i, rep.decision)
            for i in sample:  # a repeat scan (a verdict re-verifies nothing: issue 12)
                t0 = time.perf_counter()
                node.verify(code_of(i))
                res.repeat.append(time.perf_counter() - t0)
            asked[ph.gln] = rng.sample(others[ph.gln], args.asks)
            cpu0 = cpu_seconds(server)
            for i in asked[ph.gln]:
                text = code_of(i).to_element_string()
                _, down0 = relay.counts()
                t0 = time.perf_counter()
                rep = verify_anywhere(node, text, (), lambda: PASS, 30)
                res.online.append(time.perf_counter() - t0)
                res.online_down.append(relay.counts()[1] - down0)
                assert rep.source == "network", (ph.gln, i, rep.to_dict())
                res.verdicts[rep.verdict.value] = res.verdicts.get(rep.verdict.value, 0) + 1
            res.server_ask_cpu += cpu_seconds(server) - cpu0
    with Node(homes[world.hub.gln], lambda: PASS) as hub:
        for packs in asked.values():
            for i in packs:
                t0 = time.perf_counter()
                hub.verify(code_of(i))
                res.replica.append(time.perf_counter() - t0)
    return res


def report(world: World, args: argparse.Namespace, res: LightResults, empty: int, total: int,
           entry_bytes: int, full_file: int, full_pull: tuple[float, int, int, int] | None,
           hub_home: Path, t_sign: float, t_ingest: float) -> list[str]:
    mb = 1e6
    n = len(world.pharmacies)
    hub_file = file_bytes(hub_home) if full_pull else full_file
    full_down = full_pull[2] if full_pull else entry_bytes
    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    out = [f"history: {SHAPE.packs:,} packs in lots of {SHAPE.lot}, cases of {SHAPE.case}, "
           f"orders of {SHAPE.order}; 1 manufacturer, {SHAPE.distributors} distributors, "
           f"{n} pharmacies; {total:,} entries, {entry_bytes / mb:,.1f} MB of entries "
           f"(signed in {t_sign:,.0f} s, full node ingest {total / t_ingest:,.0f} entries/s)",
           "", "| per node | entries held | SQLite file | downloaded | sync time | vs full |",
           "|---|---:|---:|---:|---:|---:|"]
    out.append(f"| full replica (pulled everything{'' if full_pull else ': NOT run, entry bytes'})"
               f" | {total:,} | {hub_file / mb:,.1f} MB | {full_down / mb:,.1f} MB | "
               f"{full_pull[0] if full_pull else 0:,.1f} s | 1 |")
    for label, pick in (("light pharmacy, mean", mean), ("light pharmacy, max", max),
                        ("light pharmacy, min", min)):
        e, f, d, s = pick(res.entries), pick(res.files), pick(res.down), pick(res.seconds)
        out.append(f"| {label} | {e:,.0f} | {f / mb:,.2f} MB | {d / mb:,.2f} MB | {s:,.1f} s |"
                   f" entries {e / total:.1%}, file {f / hub_file:.1%}, "
                   f"download {d / full_down:.1%} |")
    out.append(f"| (an empty node home: directory and certificates) | 0 | {empty / mb:,.2f} MB |"
               f" | | |")
    out += ["", "| verdict | samples | p50 | p99 | vs local |", "|---|---:|---:|---:|---:|"]
    l50, l99 = pct(res.local, 50), pct(res.local, 99)
    rows = (("local, `Node.verify` at a light pharmacy, packs it holds (first scan: "
             "verified-entry cache cleared)", res.local),
            ("local, the same packs scanned again (signatures already checked)", res.repeat),
            ("online, `verify_anywhere` at a light pharmacy, packs held elsewhere "
             "(new TLS session, one question, answer verified and kept)", res.online),
            ("local at the full replica, the same packs (first scan)", res.replica))
    for label, xs in rows:
        out.append(f"| {label} | {len(xs):,} | {pct(xs, 50) * 1e3:.2f} ms | "
                   f"{pct(xs, 99) * 1e3:.2f} ms | {pct(xs, 50) / l50:.1f}x / "
                   f"{pct(xs, 99) / l99:.1f}x |")
    out.append("")
    out.append(f"online verdicts: {', '.join(f'{k} {v}' for k, v in sorted(res.verdicts.items()))}"
               f"; bytes down per online verdict p50 {pct(res.online_down, 50):,.0f}, "
               f"max {max(res.online_down):,.0f}; light sync bytes up mean "
               f"{mean(res.up) / 1e3:,.1f} kB")
    out.append(f"entry bytes held by a light pharmacy: mean {mean(res.held_bytes) / mb:,.2f} MB "
               f"({mean(res.held_bytes) / entry_bytes:.1%} of all); its SQLite file / its entry "
               f"bytes: {mean(res.files) / mean(res.held_bytes):.1f}x (full replica: "
               f"{hub_file / entry_bytes:.1f}x)")
    out.append(f"full node CPU (serve process): {res.server_sync_cpu:,.2f} s per light sync, "
               f"{res.server_ask_cpu / len(res.online) * 1e3:,.1f} ms per online verdict "
               f"(TLS handshake included)")
    events = SHAPE.packs * 5
    out.append(f"per pack event (item in an event; {events:,} here): {entry_bytes / events:,.0f} "
               f"B of entries, {hub_file / events:,.0f} B in a full replica's SQLite file")
    out.append(f"checkpoint notes: {WITNESS['note_bytes']:,.0f} B on average (before cosigning); "
               f"witness add-checkpoint floor (parse + log signature + consistency proof of "
               f"{WITNESS['proof_hashes']:.0f} hashes at size {WITNESS['log_size']:,.0f} + "
               f"Ed25519 cosignature; no HTTP, no durable write): "
               f"{WITNESS['add_checkpoint_s'] * 1e6:,.0f} µs with the ledger's note check "
               f"(member certificates looked up each time), "
               f"{WITNESS['add_checkpoint_raw_s'] * 1e6:,.0f} µs with the log's key in hand: "
               f"{1 / WITNESS['add_checkpoint_raw_s']:,.0f} /s per core")
    out.append(f"witness `add_checkpoint` (ledger.witnessing, no HTTP; state committed in "
               f"SQLite each time), {WITNESS['adds']:,.0f} checkpoints of a growing log: "
               f"p50 {WITNESS['add_p50'] * 1e3:.2f} ms, p99 {WITNESS['add_p99'] * 1e3:.2f} ms")
    return out


if __name__ == "__main__":
    main()
