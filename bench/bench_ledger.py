"""Ledger benchmarks: ingest and verdict speed next to their raw floors, in the same run.

Run: .venv/bin/python bench/bench_ledger.py [--events N] [--rate-events M] [--verdicts K]
     [--workers W] [--backends sqlite] [--only ingest]

- floors: raw Ed25519 verification of M commission entries (signature only, bytes already
  split); parse + verify (``SignedEvent.from_bytes`` + verify); and the minimal pipeline of
  issue 12 (parse + verify + leaf hash + one INSERT of the entry row, one transaction per
  batch of the ingest's size, into a fresh store);
- ingest: verify + rules + Merkle append + derive + commit of the same M entries into a fresh
  store, 5,000 entries per transaction, in one process and with W verifying worker
  processes (``append_entries(workers=W)``); both must give identical derived state and roots;
- build: a store of N events (N/5 packs, each with a 5-event chain over three logs:
  commission, ship, receive, ship, receive) ingested by the real ledger (W workers), with
  this process's resident memory sampled at 0/25/50/75/100% of the build;
- verdict at N events: K ``Node.verify`` calls at the pharmacy on distinct random packs
  (the verdict relies on what ingest verified: no signature or proof is checked again),
  next to K raw indexed point lookups (``SELECT * FROM packs WHERE pack = ?``).

One function per measurement, each taking an opened store or node home, so that another
backend (``--backends``) plugs in with its own ``Backend`` entry: how to open a fresh store
and how to run the raw lookup. Only ``sqlite`` exists so far.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from machine import describe  # noqa: E402

from supplychain.codes.gs1 import PackCode, gtin_check_digit  # noqa: E402
from supplychain.identity.certificates import MemberInfo, Role  # noqa: E402
from supplychain.ledger import merkle, parallel, verify_pool  # noqa: E402
from supplychain.ledger.backends import open_store  # noqa: E402
from supplychain.ledger.events import Event, EventType, Item, SignedEvent  # noqa: E402
from supplychain.ledger.logs import Ledger  # noqa: E402
from supplychain.ledger.store import Store  # noqa: E402
from supplychain.node.operations import Node  # noqa: E402
from supplychain.node.setup import build_network  # noqa: E402

PASS = b"bench"
MAKER = MemberInfo("Bench Pharma", "5012345000022", Role.MANUFACTURER, ("501234",))  # type: ignore
MAKER2 = MemberInfo("Second Pharma", "5012350000017", Role.MANUFACTURER, ("501235",))  # type: ignore
DIST = MemberInfo("Bench Wholesale", "5012345000039", Role.DISTRIBUTOR)  # type: ignore
PHARMACY = MemberInfo("Bench Pharmacy", "5012345000053", Role.PHARMACY)  # type: ignore
GTIN = "05012345000015"
GTIN2 = "0501235000001" + gtin_check_digit("0501235000001")
LOT, EXPIRY = "BENCH", date(2030, 1, 31)
TXN = 5_000  # entries per append_entries call (one transaction each)
RETRIES = [0]  # transactions PostgreSQL aborted for a conflict and the workers ran again


def machine() -> str:
    return f"{describe()}, SQLite {sqlite3.sqlite_version}"


def make_entries(node: Node, n: int, prefix: str = "B", gtin: str = GTIN) -> list[bytes]:
    """n commission entries of one pack each, signed by the manufacturer's key."""
    key = node._signing_key()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        event = Event(EventType.COMMISSION, node.gln, node.me.key_id,
                      (start + timedelta(seconds=i)).isoformat(timespec="milliseconds"),
                      (Item(f"{gtin}/{prefix}{i:011d}", None, LOT, EXPIRY),))  # type: ignore
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



@dataclass(frozen=True)
class Backend:
    """How the bench names a fresh store of one backend, runs a raw indexed lookup on it and
    measures its size; ``by_log``: ingest with workers appends different logs in parallel
    worker processes (PostgreSQL), else the workers verify signatures only (SQLite)."""

    name: str
    fresh: Callable[[Path, str], str | Path]
    raw_lookup: Callable[[str | Path, list[str]], list[float]]
    size_mb: Callable[[str | Path], float]
    by_log: bool = False

    def open_store(self, location: str | Path) -> Store:
        return open_store(location, create=True)


def _sqlite_lookup(path: str | Path, packs: list[str]) -> list[float]:
    conn = sqlite3.connect(path)
    out: list[float] = []
    for pack in packs:
        t0 = time.perf_counter()
        row = conn.execute("SELECT * FROM packs WHERE pack = ?", (pack,)).fetchone()
        out.append(time.perf_counter() - t0)
        assert row is not None
    conn.close()
    return out


def _pg_lookup(url: str | Path, packs: list[str]) -> list[float]:
    import psycopg

    out: list[float] = []
    with psycopg.connect(str(url), autocommit=True) as conn:
        for pack in packs:
            t0 = time.perf_counter()
            row = conn.execute("SELECT * FROM packs WHERE pack = %s", (pack,),
                               prepare=True).fetchone()
            out.append(time.perf_counter() - t0)
            assert row is not None
    return out


def _pg_size_mb(url: str | Path) -> float:
    import psycopg

    with psycopg.connect(str(url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r'").fetchone()
    return float(row[0]) / 1e6 if row else 0.0


class _PgServer:
    """One private PostgreSQL server (the ``pgserver`` wheel) for the whole run; each store
    gets a schema of its own."""

    def __init__(self) -> None:
        self.server: Any = None
        self.count = 0

    def fresh(self, _base: Path, name: str) -> str:
        if self.server is None:
            import pgserver

            self.dir = tempfile.mkdtemp(prefix="bench-pg-")
            self.server = pgserver.get_server(self.dir, cleanup_mode="stop")
        self.count += 1
        return f"{self.server.get_uri()}&options=-csearch_path%3Dbench_{name}_{self.count}"


_PG = _PgServer()
BACKENDS = {
    "sqlite": Backend("sqlite", lambda base, name: base / f"{name}.sqlite", _sqlite_lookup,
                      lambda path: Path(path).stat().st_size / 1e6),
    "postgresql": Backend("postgresql", _PG.fresh, _pg_lookup, _pg_size_mb, by_log=True),
}


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def rss_mb() -> float:
    """This process's resident set size now (Linux /proc; 0 elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_floor(store: Store, logs: dict[str, list[bytes]], keys: dict[str, Any]) -> float:
    """Issue 12's minimal pipeline: parse + verify + leaf hash + one INSERT of the entry
    row, one transaction per ``TXN`` entries, into ``store`` (fresh), one process. Seconds."""
    t0 = time.perf_counter()
    for gln, entries in logs.items():
        key = keys[gln]
        for start in range(0, len(entries), TXN):
            rows = []
            for i, data in enumerate(entries[start:start + TXN], start):
                signed = SignedEvent.from_bytes(data)
                key.verify(signed.signature, signed.event_bytes)
                rows.append((gln, i, data, merkle.leaf_hash(data).hex()))
            with store.transaction():
                store.put_entries(rows)
    return time.perf_counter() - t0


def _marks_passed(marks: list[int], before: int, done: int) -> bool:
    return any(before < mark <= done for mark in marks[1:])


def measure_ingest(store: Store, maker: Node, logs: dict[str, list[bytes]], workers: int,
                   pems: list[bytes], samples: list[tuple[int, float]] | None = None,
                   by_log: str | Path | None = None) -> tuple[float, dict, dict]:
    """The real ledger's ingest of ``logs`` into ``store`` (fresh): seconds, derived snapshot
    (for up to 100,000 events) and roots. ``samples`` gets (events done, RSS MB) at 0, 25,
    50, 75 and 100% of the events. ``by_log`` (a PostgreSQL store's location) with
    ``workers``: every round appends the next ``TXN`` entries of each log in parallel worker
    processes (``parallel.ingest_appends``); otherwise logs one after the other in this
    process, the signatures checked by ``workers`` verifying processes."""
    ledger = Ledger(store, maker.root_cert, maker.consortium)
    with store.transaction():
        for pem in pems:
            ledger.add_member_certificate(pem)
    total = sum(map(len, logs.values()))
    marks = [total * q // 4 for q in range(5)]
    done = 0
    if samples is not None:
        samples.append((0, rss_mb()))
    t = 0.0
    if by_log is not None and workers > 0:
        target = parallel.Target(str(by_log), maker.root_cert.public_bytes(Encoding.PEM),
                                 maker.consortium)
        longest = max(map(len, logs.values()))
        for start in range(0, longest, TXN):
            jobs = [parallel.Append(g, start, e[start:start + TXN])
                    for g, e in logs.items() if start < len(e)]
            t0 = time.perf_counter()
            outcomes = parallel.ingest_appends(target, jobs, workers)
            t += time.perf_counter() - t0
            bad = [o for o in outcomes if o.error]
            assert not bad, bad
            RETRIES[0] += sum(o.attempts - 1 for o in outcomes)
            before, done = done, done + sum(len(j.entries) for j in jobs)
            if samples is not None and _marks_passed(marks, before, done):
                samples.append((done, rss_mb()))
    else:
        for gln, entries in logs.items():
            for start in range(0, len(entries), TXN):
                chunk = entries[start:start + TXN]
                t0 = time.perf_counter()
                with store.transaction():
                    ledger.append_entries(gln, start, chunk, workers=workers)
                t += time.perf_counter() - t0
                before, done = done, done + len(chunk)
                if samples is not None and _marks_passed(marks, before, done):
                    samples.append((done, rss_mb()))
    snapshot = store.derived_snapshot() if total <= 100_000 else {}
    roots = {g: ledger.root(g) for g in logs}
    return t, snapshot, roots


def measure_verdicts(home: Path, codes: list[PackCode], today: date,
                     modes: tuple[bool, ...] = (True,)) -> dict[bool, list[float]]:
    """``Node.verify`` on each code at the node in ``home``: seconds per call, per mode
    (True: reads prefetched, ledger/verdict_reads.py; False: one round trip per read). With
    two modes each code is verified in both, in alternating order (same cache, same load)."""
    node = Node(home, lambda: PASS)
    lat: dict[bool, list[float]] = {mode: [] for mode in modes}
    try:
        for i, code in enumerate(codes):
            for mode in modes if i % 2 else tuple(reversed(modes)):
                if len(modes) > 1:
                    node.store.prefetches = mode  # type: ignore[misc]
                t0 = time.perf_counter()
                report = node.verify(code, today=today)
                lat[mode].append(time.perf_counter() - t0)
                assert report.verdict.value == "genuine" and len(report.history) == 5, report
    finally:
        node.close()
    return lat


def run_backend(backend: Backend, root: Path, n: int, m: int, w: int, verdicts: int,
                rng: random.Random, only_ingest: bool = False) -> list[str]:
    """Every measurement on one backend (``only_ingest``: the floors and the ingest rates
    alone); the table rows (markdown)."""
    base = root / backend.name
    base.mkdir()
    _, homes = build_network(base, "Bench", [MAKER, MAKER2, DIST, PHARMACY], PASS)
    nodes = {g: Node(homes[g], lambda: PASS) for g in (MAKER.gln, DIST.gln, PHARMACY.gln)}
    maker, maker2 = nodes[MAKER.gln], Node(homes[MAKER2.gln], lambda: PASS)
    pems = maker.store.all_member_certs()

    # --- floors and ingest rates: two manufacturers' logs, m/2 entries each ---
    logs = {MAKER.gln: make_entries(maker, m // 2),
            MAKER2.gln: make_entries(maker2, m - m // 2, gtin=GTIN2)}
    keys = {MAKER.gln: maker.me.public_key, MAKER2.gln: maker2.me.public_key}
    maker2.close()
    pairs = [(keys[g], d) for g, e in logs.items() for d in e]
    parsed = [(k, SignedEvent.from_bytes(d)) for k, d in pairs]
    t_sig = timed(lambda: [k.verify(s.signature, s.event_bytes) for k, s in parsed])
    t_raw = timed(lambda: [k.verify(s.signature, s.event_bytes)
                           for k, s in ((k, SignedEvent.from_bytes(d)) for k, d in pairs)])
    store = backend.open_store(backend.fresh(base, "floor"))
    t_floor = measure_floor(store, logs, keys)
    store.close()
    store = backend.open_store(backend.fresh(base, "one"))
    t_one, snap_one, roots_one = measure_ingest(store, maker, logs, 0, pems)
    store.close()
    where = backend.fresh(base, "par")
    store = backend.open_store(where)
    t_par, snap_par, roots_par = measure_ingest(store, maker, logs, w, pems,
                                                by_log=where if backend.by_log else None)
    store.close()
    assert snap_one == snap_par and roots_one == roots_par, "parallel ingest differs"
    sig, raw, floor, one, par = m / t_sig, m / t_raw, m / t_floor, m / t_one, m / t_par
    how = (f"{w} worker processes appending different logs at once" if backend.by_log
           else f"{w} verifying worker processes + this one")
    rates = [
        f"| raw Ed25519 verify, 1 core (signature only) | {sig:,.0f} /s | floor A |",
        f"| raw parse + Ed25519 verify, 1 core | {raw:,.0f} /s | floor B |",
        f"| minimal pipeline: parse + verify + leaf hash + 1 INSERT, {TXN:,} per "
        f"transaction, 1 process | {floor:,.0f} /s | floor C ({floor / raw:.2f}x B) |",
        f"| ingest, 1 process (verify + rules + Merkle append + derive + commit) | "
        f"{one:,.0f} /s | **{one / floor:.2f}x C**, {one / raw:.2f}x B, {one / sig:.2f}x A |",
        f"| ingest, {how} | {par:,.0f} /s | "
        f"**{par / floor:.2f}x C**, {par / raw:.2f}x B, {par / sig:.2f}x A |"]
    if only_ingest:
        for node in nodes.values():
            node.close()
        return [f"## backend: {backend.name}",
                f"rates over {m:,} one-pack commission entries in two manufacturers' logs",
                "", "| step | measured | ratio |", "|---|---:|---:|", *rates]

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
    where = backend.fresh(home, "ledger")
    config = json.loads((home / "node.json").read_text())
    if isinstance(where, str):  # the pharmacy's node reads its ledger from the server
        config["store"] = where
        (home / "node.json").write_text(json.dumps(config, indent=2) + "\n")
    samples: list[tuple[int, float]] = []
    store = backend.open_store(where)
    t_build, _, _ = measure_ingest(store, maker, chains, w, pems, samples,
                                   by_log=where if backend.by_log else None)
    del chains
    ledger = Ledger(store, maker.root_cert, maker.consortium)
    with store.transaction():
        for g in keys:
            ledger.sign_own_checkpoint(g, keys[g])
    counts = store.event_counts()
    store.close()
    assert counts == {"applied": packs * 5}, counts

    sample = rng.sample(range(packs), min(verdicts, packs))
    codes = [PackCode(GTIN, f"V{i:011d}", LOT, EXPIRY) for i in sample]  # type: ignore[arg-type]
    pg = isinstance(where, str)  # a PostgreSQL URL: its reads are pipelined
    measured = measure_verdicts(home, codes, date(2026, 6, 1), (True, False) if pg else (True,))
    lat, single = measured[True], measured.get(False)
    look = backend.raw_lookup(where, [c.key for c in codes])
    size_mb = backend.size_mb(where)

    v50, v99, l50, l99 = (pct(lat, 50), pct(lat, 99), pct(look, 50), pct(look, 99))
    rss = ", ".join(f"{done / (packs * 5):.0%}: {mb:,.0f}" for done, mb in samples)
    out = [f"## backend: {backend.name}",
           f"rates over {m:,} one-pack commission entries; verdicts at {packs * 5:,} events "
           f"({packs:,} packs x 5-event chains, 3 logs, {size_mb:,.0f} MB file)", "",
           "| step | measured | ratio |", "|---|---:|---:|", *rates,
           f"| build of the verdict store ({packs * 5:,} events, {w} workers, incl. "
           f"commits) | {packs * 5 / t_build:,.0f} /s | (signing them: {t_gen:,.0f} s) |",
           f"| RSS of this process (MB) as the build passes 0/25/50/75/100% | {rss} | "
           f"peak {peak_rss_mb():,.0f} MB (incl. the signed entries held in memory) |",
           f"| verdict, `Node.verify`, {len(lat):,} random packs | p50 {v50 * 1e3:.2f} ms, "
           f"p99 {v99 * 1e3:.2f} ms | {v50 / l50:,.0f}x / {v99 / l99:,.0f}x the lookup |",
           *([f"| verdict, one round trip per read (no prefetch) | p50 "
              f"{pct(single, 50) * 1e3:.2f} ms, p99 {pct(single, 99) * 1e3:.2f} ms | "
              f"{pct(single, 50) / l50:,.0f}x / {pct(single, 99) / l99:,.0f}x the lookup |"]
             if single else []),
           f"| raw indexed point lookup (`packs` by key), same file | "
           f"p50 {l50 * 1e6:.1f} µs, p99 {l99 * 1e6:.1f} µs | floor |"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000,
                        help="events in the store the verdict runs on (default 100,000)")
    parser.add_argument("--rate-events", type=int, default=20_000,
                        help="entries used for the verify and ingest rates (default 20,000)")
    parser.add_argument("--verdicts", type=int, default=2_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", choices=("ingest",),
                        help="ingest: the floors and ingest rates alone (no build, no verdicts)")
    parser.add_argument("--backends", default="sqlite,postgresql",
                        help=f"comma-separated, of: {', '.join(BACKENDS)} (default both)")
    args = parser.parse_args()
    chosen = [BACKENDS[name.strip()] for name in args.backends.split(",") if name.strip()]
    rng = random.Random(7)
    print(f"# Ledger benchmark ({machine()})", flush=True)
    verify_pool.pool(args.workers)  # start the workers before timing (a one-off cost)
    if any(b.by_log for b in chosen):  # start the ingest workers and their imports too
        warm = [parallel.pool(args.workers).submit(parallel._forget, "")
                for _ in range(args.workers)]
        for f in warm:
            f.result()
    with tempfile.TemporaryDirectory() as tmp:
        for backend in chosen:  # each backend's table as soon as it is measured
            print("\n".join(run_backend(backend, Path(tmp), args.events, args.rate_events,
                                         args.workers, args.verdicts, rng,
                                         only_ingest=args.only == "ingest")), flush=True)
    verify_pool.shutdown()
    parallel.shutdown()
    if RETRIES[0]:
        print(f"(PostgreSQL: {RETRIES[0]} ingest transactions retried after a conflict)")


if __name__ == "__main__":
    main()
