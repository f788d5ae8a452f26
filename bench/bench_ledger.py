"""Ledger benchmarks: ingest and verdict speed next to their raw floors, in the same run.

Run: .venv/bin/python bench/bench_ledger.py [--events N] [--rate-events M] [--verdicts K]
     [--workers W]

- floors: raw Ed25519 verification of M commission entries (signature only, bytes already
  split), and parse + verify (``SignedEvent.from_bytes`` + verify) of the same entries;
- ingest: verify + rules + Merkle append + derive + commit of the same M entries into a fresh
  SQLite file, 5,000 entries per transaction, in one process and with W verifying worker
  processes (``append_entries(workers=W)``); both must give identical derived state and roots;
- verdict at N events: a store of N events (N/5 packs, each with a 5-event chain over three
  logs: commission, ship, receive, ship, receive), built by the real ledger (W workers) and
  holding a signed checkpoint of each log; then K full ``Node.verify`` calls on distinct
  random packs at the pharmacy (5 signatures re-verified, 5 inclusion proofs: the node's
  verified-entry cache is cold for each pack), next to K raw indexed SQLite point lookups
  (``SELECT * FROM packs WHERE pack = ?``) on the same file.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from machine import describe  # noqa: E402

from supplychain.codes.gs1 import PackCode  # noqa: E402
from supplychain.identity.certificates import MemberInfo, Role  # noqa: E402
from supplychain.ledger import verify_pool  # noqa: E402
from supplychain.ledger.events import Event, EventType, Item, SignedEvent  # noqa: E402
from supplychain.ledger.logs import Ledger  # noqa: E402
from supplychain.ledger.store import Store  # noqa: E402
from supplychain.node.operations import Node  # noqa: E402
from supplychain.node.setup import build_network  # noqa: E402

PASS = b"bench"
MAKER = MemberInfo("Bench Pharma", "5012345000022", Role.MANUFACTURER, ("501234",))  # type: ignore
DIST = MemberInfo("Bench Wholesale", "5012345000039", Role.DISTRIBUTOR)  # type: ignore
PHARMACY = MemberInfo("Bench Pharmacy", "5012345000053", Role.PHARMACY)  # type: ignore
GTIN = "05012345000015"
LOT, EXPIRY = "BENCH", date(2030, 1, 31)
TXN = 5_000  # entries per append_entries call (one transaction each)


def machine() -> str:
    return f"{describe()}, SQLite {sqlite3.sqlite_version}"


def make_entries(node: Node, n: int, prefix: str = "B") -> list[bytes]:
    """n commission entries of one pack each, signed by the manufacturer's key."""
    key = node._signing_key()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        event = Event(EventType.COMMISSION, node.gln, node.me.key_id,
                      (start + timedelta(seconds=i)).isoformat(timespec="milliseconds"),
                      (Item(f"{GTIN}/{prefix}{i:011d}", None, LOT, EXPIRY),))  # type: ignore
        out.append(SignedEvent(event, key.sign(event.to_bytes())).to_bytes())
    return out


def make_chains(nodes: dict[str, Node], packs: int) -> dict[str, list[bytes]]:
    """Every pack: commission + ship (maker), receive + ship (distributor), receive
    (pharmacy). Returns each log's entries, in an order that applies without waiting."""
    keys = {g: (n._signing_key(), n.me.key_id) for g, n in nodes.items()}
    logs: dict[str, list[bytes]] = {g: [] for g in nodes}
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    steps = ((MAKER.gln, EventType.COMMISSION, None), (MAKER.gln, EventType.SHIP, DIST.gln),
             (DIST.gln, EventType.RECEIVE, None), (DIST.gln, EventType.SHIP, PHARMACY.gln),
             (PHARMACY.gln, EventType.RECEIVE, None))
    for i in range(packs):
        pack = f"{GTIN}/V{i:011d}"
        prev = None
        for k, (gln, etype, to) in enumerate(steps):
            when = (t0 + timedelta(seconds=i, milliseconds=k)).isoformat(timespec="milliseconds")
            item = (Item(pack, None, LOT, EXPIRY) if prev is None  # type: ignore[arg-type]
                    else Item(pack, prev))  # type: ignore[arg-type]
            key, key_id = keys[gln]
            event = Event(etype, gln, key_id, when, (item,), to=to)  # type: ignore[arg-type]
            data = event.to_bytes()
            logs[gln].append(SignedEvent(event, key.sign(data), data).to_bytes())
            prev = hashlib.sha256(data).hexdigest()
    return logs


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def ingest(path: Path, maker: Node, logs: dict[str, list[bytes]], workers: int,
           pems: list[bytes]) -> tuple[float, dict, dict]:
    store = Store(path, create=True)
    ledger = Ledger(store, maker.root_cert, maker.consortium)
    with store.transaction():
        for pem in pems:
            ledger.add_member_certificate(pem)
    t = 0.0
    for gln, entries in logs.items():
        for start in range(0, len(entries), TXN):
            t0 = time.perf_counter()
            with store.transaction():
                ledger.append_entries(gln, start, entries[start:start + TXN], workers=workers)
            t += time.perf_counter() - t0
    snapshot = store.derived_snapshot() if sum(map(len, logs.values())) <= 100_000 else {}
    roots = {g: ledger.root(g) for g in logs}
    store.close()
    return t, snapshot, roots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000,
                        help="events in the store the verdict runs on (default 100,000)")
    parser.add_argument("--rate-events", type=int, default=20_000,
                        help="entries used for the verify and ingest rates (default 20,000)")
    parser.add_argument("--verdicts", type=int, default=2_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    n, m, w = args.events, args.rate_events, args.workers
    rng = random.Random(7)
    out: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _, homes = build_network(root, "Bench", [MAKER, DIST, PHARMACY], PASS)
        nodes = {g: Node(homes[g], lambda: PASS) for g in (MAKER.gln, DIST.gln, PHARMACY.gln)}
        maker = nodes[MAKER.gln]
        pems = maker.store.all_member_certs()
        verify_pool.pool(w)  # start the workers before timing (a one-off cost per process)

        # --- floors and ingest rates ---
        entries = make_entries(maker, m)
        key = maker.me.public_key
        parsed = [SignedEvent.from_bytes(d) for d in entries]
        t_sig = timed(lambda: [key.verify(s.signature, s.event_bytes) for s in parsed])
        t_raw = timed(lambda: [key.verify(s.signature, s.event_bytes)
                               for s in map(SignedEvent.from_bytes, entries)])
        logs = {MAKER.gln: entries}
        t_one, snap_one, roots_one = ingest(root / "one.sqlite", maker, logs, 0, pems)
        t_par, snap_par, roots_par = ingest(root / "par.sqlite", maker, logs, w, pems)
        assert snap_one == snap_par and roots_one == roots_par, "parallel ingest differs"
        sig, raw, one, par = m / t_sig, m / t_raw, m / t_one, m / t_par

        # --- a store of n events at the pharmacy, then verdicts ---
        packs = max(n // 5, 1)
        t_gen = time.perf_counter()
        chains = make_chains(nodes, packs)
        t_gen = time.perf_counter() - t_gen
        keys = {g: node._signing_key() for g, node in nodes.items()}
        for node in nodes.values():
            node.close()
        home = homes[PHARMACY.gln]
        (home / "ledger.sqlite").unlink()
        for suffix in ("-wal", "-shm"):
            (home / f"ledger.sqlite{suffix}").unlink(missing_ok=True)
        t_build, _, _ = ingest(home / "ledger.sqlite", maker, chains, w, pems)
        store = Store(home / "ledger.sqlite")
        ledger = Ledger(store, maker.root_cert, maker.consortium)
        with store.transaction():
            for g in chains:
                ledger.sign_own_checkpoint(g, keys[g])
        counts = store.event_counts()
        store.close()
        assert counts == {"applied": packs * 5}, counts

        sample = rng.sample(range(packs), min(args.verdicts, packs))
        pharmacy = Node(home, lambda: PASS)
        today = date(2026, 6, 1)
        lat: list[float] = []
        for i in sample:
            code = PackCode(GTIN, f"V{i:011d}", LOT, EXPIRY)  # type: ignore[arg-type]
            t0 = time.perf_counter()
            report = pharmacy.verify(code, today=today)
            lat.append(time.perf_counter() - t0)
            assert report.verdict.value == "genuine" and len(report.history) == 5, report
        pharmacy.close()
        conn = sqlite3.connect(home / "ledger.sqlite")
        look: list[float] = []
        for i in sample:
            t0 = time.perf_counter()
            row = conn.execute("SELECT * FROM packs WHERE pack = ?", (f"{GTIN}/V{i:011d}",)
                               ).fetchone()
            look.append(time.perf_counter() - t0)
            assert row is not None
        conn.close()
        size_mb = (home / "ledger.sqlite").stat().st_size / 1e6
        verify_pool.shutdown()

    v50, v99, l50, l99 = (pct(lat, 50), pct(lat, 99), pct(look, 50), pct(look, 99))
    out.append(f"# Ledger benchmark ({machine()})")
    out.append(f"rates over {m:,} one-pack commission entries; verdicts at {packs * 5:,} events "
               f"({packs:,} packs x 5-event chains, 3 logs, {size_mb:,.0f} MB file)")
    out.append("")
    out.append("| step | measured | ratio |")
    out.append("|---|---:|---:|")
    out.append(f"| raw Ed25519 verify, 1 core (signature only) | {sig:,.0f} /s | floor A |")
    out.append(f"| raw parse + Ed25519 verify, 1 core | {raw:,.0f} /s | floor B |")
    out.append(f"| ingest, 1 process (verify + rules + Merkle append + derive + commit) | "
               f"{one:,.0f} /s | {one / raw:.2f}x B, {one / sig:.2f}x A |")
    out.append(f"| ingest, {w} verifying worker processes + this one | {par:,.0f} /s | "
               f"{par / raw:.2f}x B, {par / sig:.2f}x A |")
    out.append(f"| build of the verdict store ({packs * 5:,} events, {w} workers, incl. "
               f"commits) | {packs * 5 / t_build:,.0f} /s | (signing them: {t_gen:,.0f} s) |")
    out.append(f"| verdict, full `Node.verify` (5 signatures + 5 inclusion proofs), "
               f"{len(lat):,} random packs | p50 {v50 * 1e3:.2f} ms, p99 {v99 * 1e3:.2f} ms | "
               f"{v50 / l50:,.0f}x / {v99 / l99:,.0f}x the lookup |")
    out.append(f"| raw indexed SQLite point lookup (`packs` by key), same file | "
               f"p50 {l50 * 1e6:.1f} µs, p99 {l99 * 1e6:.1f} µs | floor |")
    print("\n".join(out))


if __name__ == "__main__":
    main()
