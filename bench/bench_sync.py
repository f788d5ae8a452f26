"""Benchmark network sync against bundle ingest of the same entries, in one run.

Usage: .venv/bin/python bench/bench_sync.py [--entries N] [--store sqlite|postgresql]

``--store postgresql``: the two receiving nodes keep their ledgers in PostgreSQL (a private
server the bench starts with ``pgserver``, a schema per node); the source stays on SQLite.

1. A two-member consortium; the manufacturer's log gets N entries, generated fast: one
   commission event (one pack) per entry, signed with the member key in a tight loop and
   written straight into the source store (entries, Merkle nodes, one signed checkpoint) -
   the source does not derive pack state, as it only serves.
2. Bundle: export the source to a file, then time `import_bundle` into a fresh node.
3. Network: the source runs `supplychain serve` as a separate process (mutual TLS on
   loopback); time one `SyncService.sync_round` pulling everything into another fresh node.
Both ingest paths verify every signature, append, derive pack state and check the root.
Compare the ratio; absolute numbers drift between machines and runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from supplychain.identity.certificates import MemberInfo, Role  # noqa: E402
from supplychain.identity.keys import load_private_key  # noqa: E402
from supplychain.ids import GLN, PackKey  # noqa: E402
from supplychain.interchange.bundle import export_bundle, import_bundle  # noqa: E402
from supplychain.ledger import merkle  # noqa: E402
from supplychain.ledger.backends import move_home_store  # noqa: E402
from supplychain.ledger.events import Event, EventType, Item, SignedEvent  # noqa: E402
from supplychain.ledger.logs import StoredNodes  # noqa: E402
from supplychain.node.operations import Node  # noqa: E402
from supplychain.node.setup import build_network  # noqa: E402
from supplychain.sync.service import SyncService  # noqa: E402

PASSPHRASE = b"bench passphrase"
MAKER = GLN("5012345000022")
DIST = GLN("5012345000039")
GTIN = "05012345000015"
MEMBERS = [MemberInfo("Acme Pharma", MAKER, Role.MANUFACTURER, ("501234",)),
           MemberInfo("North Wholesale", DIST, Role.DISTRIBUTOR)]


def generate(node: Node, count: int) -> float:
    key = load_private_key(node.home / "member.key", PASSPHRASE)
    start = time.perf_counter()
    store, ledger = node.store, node.ledger
    chunk = 5000
    with store.transaction():
        compact = merkle.CompactRange.from_source(StoredNodes(store, MAKER), 0)
        for base in range(0, count, chunk):
            for i in range(base, min(count, base + chunk)):
                item = Item(PackKey(f"{GTIN}/S{i:09d}"), None, "L1", date(2030, 1, 31))
                event = Event(EventType.COMMISSION, MAKER, node.me.key_id,
                              "2026-01-01T00:00:00Z", (item,))
                signed = SignedEvent(event, key.sign(event.to_bytes()))
                data = signed.to_bytes()
                store.put_entry(MAKER, i, data, signed.hash)
                store.put_nodes(MAKER, compact.append(merkle.leaf_hash(data)))
        ledger.sign_own_checkpoint(MAKER, key)
    return time.perf_counter() - start


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite",
                        help="where the receiving nodes keep their ledgers")
    args = parser.parse_args()
    n = args.entries
    tmp = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        _, homes = build_network(tmp / "a", "Bench", MEMBERS, PASSPHRASE)
        source = Node(homes[MAKER], lambda: PASSPHRASE)
        gen = generate(source, n)
        print(f"generated {n} signed entries in {gen:.1f} s")
        source.close()
        # two fresh copies of the distributor's (empty) node
        dist_bundle = tmp / "dist-bundle"
        dist_net = tmp / "dist-net"
        shutil.copytree(homes[DIST], dist_bundle)
        shutil.copytree(homes[DIST], dist_net)
        if args.store == "postgresql":
            import pgserver

            server = pgserver.get_server(tmp / "pg", cleanup_mode="stop")
            for i, home in enumerate((dist_bundle, dist_net)):
                move_home_store(home, f"{server.get_uri()}&options=-csearch_path%3Dn{i}")

        source = Node(homes[MAKER], lambda: PASSPHRASE)
        t0 = time.perf_counter()
        export_bundle(source.ledger, tmp / "bundle.json")
        export_s = time.perf_counter() - t0
        source.close()
        target = Node(dist_bundle, lambda: PASSPHRASE)
        t0 = time.perf_counter()
        result = import_bundle(target.ledger, tmp / "bundle.json")
        bundle_s = time.perf_counter() - t0
        assert result.total_new == n
        bundle_root = target.ledger.root(MAKER)
        target.close()
        print(f"bundle: export {export_s:.1f} s, import {bundle_s:.1f} s "
              f"({n / bundle_s:,.0f} entries/s)")

        port = _free_port()
        env = {**os.environ, "SUPPLYCHAIN_PASSPHRASE": PASSPHRASE.decode()}
        server = subprocess.Popen(
            [sys.executable, "-m", "supplychain.cli.main", "--home", str(homes[MAKER]), "serve",
             "--listen", f"127.0.0.1:{port}", "--interval", "3600"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        try:
            assert server.stdout is not None
            server.stdout.readline()  # "listening on ..."
            target = Node(dist_net, lambda: PASSPHRASE)
            service = SyncService(target, PASSPHRASE, timeout=60)
            t0 = time.perf_counter()
            reports = asyncio.run(service.sync_round([f"https://127.0.0.1:{port}"]))
            net_s = time.perf_counter() - t0
            service.close()
            assert reports[0].error is None, reports[0].error
            assert reports[0].total_new == n
            assert target.ledger.root(MAKER) == bundle_root
            target.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
        print(f"network: {net_s:.1f} s ({n / net_s:,.0f} entries/s)")
        print()
        print(f"Machine: nproc {os.cpu_count()}, Python {platform.python_version()} "
              f"({platform.system()} {platform.machine()}); receiving store: {args.store}")
        print()
        print("| path | entries | seconds | entries/s | vs bundle |")
        print("|---|---:|---:|---:|---:|")
        print(f"| bundle import (file) | {n:,} | {bundle_s:.1f} | {n / bundle_s:,.0f} | 1.00x |")
        print(f"| network sync (mTLS, loopback) | {n:,} | {net_s:.1f} | {n / net_s:,.0f} | "
              f"{bundle_s / net_s:.2f}x |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
