"""Ledger benchmarks: ingest and verdict speed next to their raw floors, in the same run.

Run: .venv/bin/python bench/bench_ledger.py [N]

- ingest: verify + append + Merkle nodes + derive, one transaction per 1,000 entries, into a
  real SQLite file; compared with raw Ed25519 verification of the same entries and raw
  SQLite inserts of the same bytes (the two floors of ingest);
- verdict: Node.verify on a pack with a 4-event chain (4 signatures re-verified, 4 inclusion
  proofs), compared with 4 raw Ed25519 verifications.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from machine import describe  # noqa: E402

from supplychain.events import Event, EventType, Item, SignedEvent  # noqa: E402
from supplychain.identity import MemberInfo, Role  # noqa: E402
from supplychain.ledger import Ledger  # noqa: E402
from supplychain.network import build_network, exchange  # noqa: E402
from supplychain.node import Node  # noqa: E402
from supplychain.store import Store  # noqa: E402

PASS = b"bench"
MAKER = MemberInfo("Bench Pharma", "5012345000022", Role.MANUFACTURER, ("501234",))  # type: ignore
DIST = MemberInfo("Bench Wholesale", "5012345000039", Role.DISTRIBUTOR)  # type: ignore
PHARMACY = MemberInfo("Bench Pharmacy", "5012345000053", Role.PHARMACY)  # type: ignore
GTIN = "05012345000015"


def machine() -> str:
    return f"{describe()}, SQLite {sqlite3.sqlite_version}"


def make_entries(node: Node, n: int) -> list[bytes]:
    """n commission entries of one pack each, signed by the manufacturer's key."""
    key = node._signing_key()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        event = Event(EventType.COMMISSION, node.gln, node.me.key_id,
                      (start + timedelta(seconds=i)).isoformat(timespec="milliseconds"),
                      (Item(f"{GTIN}/B{i:011d}", None, "BENCH", date(2030, 1, 31)),))  # type: ignore
        out.append(SignedEvent(event, key.sign(event.to_bytes())).to_bytes())
    return out


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _, homes = build_network(root, "Bench", [MAKER, DIST, PHARMACY], PASS)
        maker = Node(homes[MAKER.gln], lambda: PASS)
        entries = make_entries(maker, n)
        member = maker.me

        def raw_verify() -> None:
            for data in entries:
                signed = SignedEvent.from_bytes(data)
                member.public_key.verify(signed.signature, signed.event.to_bytes())

        def raw_insert() -> None:
            conn = sqlite3.connect(root / "raw.sqlite", isolation_level=None)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("CREATE TABLE e (i INTEGER PRIMARY KEY, data BLOB)")
            for start in range(0, n, 1000):
                conn.execute("BEGIN")
                conn.executemany("INSERT INTO e VALUES (?, ?)",
                                 ((start + i, d) for i, d in enumerate(entries[start:start + 1000])))
                conn.execute("COMMIT")
            conn.close()

        def ingest() -> None:
            store = Store(root / "ingest.sqlite", create=True)
            ledger = Ledger(store, maker.root_cert, maker.consortium)
            with store.transaction():
                ledger.add_member_certificate(maker.member_pem)
            for start in range(0, n, 1000):
                with store.transaction():
                    ledger.append_entries(MAKER.gln, start, entries[start:start + 1000])
            store.close()

        t_verify = timed(raw_verify)
        t_insert = timed(raw_insert)
        t_ingest = timed(ingest)

        # Verdict on a 4-event chain at the pharmacy.
        dist = Node(homes[DIST.gln], lambda: PASS)
        pharmacy = Node(homes[PHARMACY.gln], lambda: PASS)
        code = maker.commission(GTIN, "V1", date(2030, 1, 31), 1)[0]
        maker.ship(DIST.gln, [code])
        exchange(maker, dist)
        dist.receive([code])
        dist.ship(PHARMACY.gln, [code])
        exchange(dist, pharmacy)
        exchange(maker, pharmacy)
        pharmacy.receive([code])
        reps = 300
        t_verdict = timed(lambda: [pharmacy.verify(code) for _ in range(reps)]) / reps
        chain = [pharmacy.store.entry(s.log, s.index) for s in pharmacy.ledger.chain(code.key)]
        keys = {g: pharmacy.ledger.member(g).public_key for g in (MAKER.gln, DIST.gln,
                                                                  PHARMACY.gln)}

        def four_raw() -> None:
            for data in chain:
                signed = SignedEvent.from_bytes(data)
                keys[signed.event.author].verify(signed.signature, signed.event_bytes)

        t_four = timed(lambda: [four_raw() for _ in range(reps)]) / reps
        assert pharmacy.verify(code).verdict.value == "genuine"
        for node in (maker, dist, pharmacy):
            node.close()

    print(f"# Ledger benchmark ({machine()}), {n} entries")
    print("| step | rate | vs floor |")
    print("|---|---:|---:|")
    print(f"| raw Ed25519 verify (parse + verify) | {n / t_verify:,.0f} /s | floor |")
    print(f"| raw SQLite insert (WAL, FULL, 1,000 per transaction) | {n / t_insert:,.0f} /s | floor |")
    print(f"| ledger ingest (verify + append + Merkle nodes + derive) | {n / t_ingest:,.0f} /s | "
          f"{(n / t_ingest) / (n / t_verify):.2f}x of raw verify |")
    print(f"| verdict, 4-event chain (4 signatures + 4 inclusion proofs + SQL) | "
          f"{t_verdict * 1000:.2f} ms | {t_verdict / t_four:.1f}x of 4 raw verifies "
          f"({t_four * 1000:.2f} ms) |")


if __name__ == "__main__":
    main()
