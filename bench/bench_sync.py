"""Benchmark network sync against bundle ingest of the same entries, in one run.

Usage: .venv/bin/python bench/bench_sync.py [--entries N] [--logs K] [--workers W]
       [--store sqlite|postgresql]

``--store postgresql``: the receiving nodes keep their ledgers in PostgreSQL (a private
server the bench starts with ``pgserver``, a schema per node); the source stays on SQLite.

1. A consortium of K manufacturers and a distributor; the K manufacturers' logs get N entries
   between them, generated fast: one commission event (one pack) per entry, signed with the
   member key in a tight loop and written straight into the source store (entries, Merkle
   nodes, one signed checkpoint per log) - the source does not derive pack state, as it
   only serves. The source is the first manufacturer's node, holding every log.
2. Bundle: export the source to a file, then time `import_bundle` into a fresh node.
3. Network: the source runs `supplychain serve` as a separate process (mutual TLS on
   loopback); time one `SyncService.sync_round` pulling everything into another fresh node,
   logs one after another (``ingest_workers`` 0).
4. PostgreSQL only: the same round into a third fresh node pulling the logs at once, each
   page ingested in one of W worker processes (``ingest_workers`` W; sync/parallel_pull.py).
Every ingest path verifies every signature, appends, derives pack state and checks the root.
Compare the ratio; absolute numbers drift between machines and runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from supplychain.codes.gs1 import gtin_check_digit  # noqa: E402
from supplychain.identity.certificates import MemberInfo, Role  # noqa: E402
from supplychain.identity.keys import load_private_key  # noqa: E402
from supplychain.ids import GLN, PackKey  # noqa: E402
from supplychain.interchange.bundle import export_bundle, import_bundle  # noqa: E402
from supplychain.ledger import merkle, parallel  # noqa: E402
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


def _with_check(body: str) -> str:
    return body + gtin_check_digit(body)


def makers(k: int) -> list[tuple[GLN, str, str]]:
    """K (up to 6) manufacturers: (GLN, company prefix, GTIN); the first is Acme (501234)."""
    out = [(MAKER, "501234", GTIN)]
    for i in range(1, k):
        prefix = f"50123{4 + i}"
        out.append((GLN(_with_check(f"{prefix}00000{i % 10}")), prefix,
                    _with_check(f"0{prefix}000001")))
    return out


def generate(node: Node, keys: dict[GLN, Any], count: int, logs: list[tuple[GLN, str, str]],
             key_ids: dict[GLN, str]) -> float:
    """``count`` commission entries spread over ``logs``, written into ``node``'s store."""
    start = time.perf_counter()
    store, ledger = node.store, node.ledger
    chunk = 5000
    for j, (gln, _prefix, gtin) in enumerate(logs):
        share = count // len(logs) + (1 if j < count % len(logs) else 0)
        key = keys[gln]
        with store.transaction():
            compact = merkle.CompactRange.from_source(StoredNodes(store, gln), 0)
            for base in range(0, share, chunk):
                for i in range(base, min(share, base + chunk)):
                    item = Item(PackKey(f"{gtin}/S{i:09d}"), None, "L1", date(2030, 1, 31))
                    event = Event(EventType.COMMISSION, gln, key_ids[gln],
                                  "2026-01-01T00:00:00Z", (item,))
                    signed = SignedEvent(event, key.sign(event.to_bytes()))
                    data = signed.to_bytes()
                    store.put_entry(gln, i, data, signed.hash)
                    store.put_nodes(gln, compact.append(merkle.leaf_hash(data)))
            ledger.sign_own_checkpoint(gln, key)
    return time.perf_counter() - start


def sync_once(home: Path, port: int) -> tuple[float, Any]:
    """One sync round of the node at ``home`` from the source: (seconds, its report)."""
    target = Node(home, lambda: PASSPHRASE)
    try:
        service = SyncService(target, PASSPHRASE, timeout=120)
        t0 = time.perf_counter()
        reports = asyncio.run(service.sync_round([f"https://127.0.0.1:{port}"]))
        seconds = time.perf_counter() - t0
        service.close()
        assert reports[0].error is None, reports[0].error
        roots = {g: target.ledger.root(g) for g in target.store.log_sizes()}
        return seconds, (reports[0].total_new, roots, target.store.derived_snapshot())
    finally:
        target.close()


class _Retries(logging.Handler):
    """Counts the parallel pull's pages run again after a conflict (parallel_pull logs it)."""

    count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "conflicts with other writers" in record.getMessage():
            self.count += 1


RETRIES = _Retries()


def _set_workers(home: Path, workers: int) -> None:
    config = json.loads((home / "node.json").read_text())
    config["ingest_workers"] = workers
    (home / "node.json").write_text(json.dumps(config, indent=2) + "\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--logs", type=int, default=1,
                        help="manufacturers' logs the entries are spread over (default 1)")
    parser.add_argument("--workers", type=int, default=2,
                        help="PostgreSQL: ingest worker processes of the parallel pull")
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite",
                        help="where the receiving nodes keep their ledgers")
    args = parser.parse_args()
    n, logs = args.entries, makers(args.logs)
    pg = args.store == "postgresql"
    tmp = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        members = [MemberInfo(f"Maker {i}" if i else "Acme Pharma", gln, Role.MANUFACTURER,
                              (prefix,)) for i, (gln, prefix, _g) in enumerate(logs)]
        members.append(MemberInfo("North Wholesale", DIST, Role.DISTRIBUTOR))
        _, homes = build_network(tmp / "a", "Bench", members, PASSPHRASE)
        keys, key_ids = {}, {}
        for gln, _p, _g in logs:
            maker = Node(homes[gln], lambda: PASSPHRASE)
            keys[gln] = load_private_key(homes[gln] / "member.key", PASSPHRASE)
            key_ids[gln] = maker.me.key_id
            maker.close()
        source = Node(homes[MAKER], lambda: PASSPHRASE)
        gen = generate(source, keys, n, logs, key_ids)
        print(f"generated {n} signed entries in {len(logs)} logs in {gen:.1f} s", flush=True)
        source.close()
        # fresh copies of the distributor's (empty) node
        names = ["dist-bundle", "dist-net"] + (["dist-par"] if pg else [])
        copies = {name: tmp / name for name in names}
        for home in copies.values():
            shutil.copytree(homes[DIST], home)
        if pg:
            import pgserver

            server = pgserver.get_server(tmp / "pg", cleanup_mode="stop")
            for i, home in enumerate(copies.values()):
                move_home_store(home, f"{server.get_uri()}&options=-csearch_path%3Dn{i}")
            _set_workers(copies["dist-net"], 0)
            _set_workers(copies["dist-par"], args.workers)

        source = Node(homes[MAKER], lambda: PASSPHRASE)
        t0 = time.perf_counter()
        export_bundle(source.ledger, tmp / "bundle.json")
        export_s = time.perf_counter() - t0
        source.close()
        target = Node(copies["dist-bundle"], lambda: PASSPHRASE)
        t0 = time.perf_counter()
        result = import_bundle(target.ledger, tmp / "bundle.json")
        bundle_s = time.perf_counter() - t0
        assert result.total_new == n
        bundle_roots = {g: target.ledger.root(g) for g, _p, _t in logs}
        target.close()
        print(f"bundle: export {export_s:.1f} s, import {bundle_s:.1f} s "
              f"({n / bundle_s:,.0f} entries/s)", flush=True)

        port = _free_port()
        env = {**os.environ, "SUPPLYCHAIN_PASSPHRASE": PASSPHRASE.decode()}
        serving = subprocess.Popen(
            [sys.executable, "-m", "supplychain.cli.main", "--home", str(homes[MAKER]), "serve",
             "--listen", f"127.0.0.1:{port}", "--interval", "3600"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        try:
            assert serving.stdout is not None
            serving.stdout.readline()  # "listening on ..."
            net_s, serial = sync_once(copies["dist-net"], port)
            assert serial[0] == n and all(serial[1][g] == r for g, r in bundle_roots.items())
            print(f"network, logs one after another: {net_s:.1f} s", flush=True)
            if pg:
                warm = [parallel.pool(args.workers).submit(parallel._forget, "")
                        for _ in range(args.workers)]  # the pool starts once per process
                for future in warm:
                    future.result()
                logging.getLogger("supplychain.sync").addHandler(RETRIES)
                logging.getLogger("supplychain.sync").setLevel(logging.INFO)
                par_s, fast = sync_once(copies["dist-par"], port)
                assert fast == serial, "the parallel pull differs from the serial one"
                print(f"network, logs at once ({args.workers} workers): {par_s:.1f} s",
                      flush=True)
        finally:
            serving.terminate()
            serving.wait(timeout=10)
        print()
        print(f"Machine: nproc {os.cpu_count()}, Python {platform.python_version()} "
              f"({platform.system()} {platform.machine()}); receiving store: {args.store}; "
              f"{len(logs)} log(s)")
        print()
        print("| path | entries | seconds | entries/s | vs bundle |")
        print("|---|---:|---:|---:|---:|")
        print(f"| bundle import (file) | {n:,} | {bundle_s:.1f} | {n / bundle_s:,.0f} | 1.00x |")
        print(f"| network sync (mTLS, loopback), logs one after another | {n:,} | {net_s:.1f} "
              f"| {n / net_s:,.0f} | {bundle_s / net_s:.2f}x |")
        if pg:
            print(f"| network sync, logs at once, {args.workers} ingest workers | {n:,} | "
                  f"{par_s:.1f} | {n / par_s:,.0f} | {bundle_s / par_s:.2f}x |")
            print(f"\n(parallel pull: {RETRIES.count} page transactions run again after a "
                  "conflict)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
