"""The national-scale model of docs/SCALE.md: every assumption a parameter, every figure a
formula over them. Change any with --set NAME=VALUE (repeatable) and rerun.

Run: .venv/bin/python bench/scale_model.py [--set pharmacies=140000 --set peak=10 ...]
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass, replace

YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class Assumptions:
    # --- the country ---
    pharmacies: float = 140_000
    logs: float = 150_000            # pharmacies + ~6,000 wholesalers + ~2,000 makers + hubs
    pack_events: float = 10e9        # item-level events a year (one pack in one event)
    events_per_pack: float = 6       # commission, ship, receive, ship, receive, dispense
    # --- how many packs one entry carries (the bench's shape, dispense one by one) ---
    lot: float = 100                 # packs per commission entry (the bench: one lot each)
    case: float = 100                # packs per maker -> wholesaler shipment (ship, receive)
    order: float = 20                # packs per wholesaler -> pharmacy order (ship, receive)
    dispense: float = 1              # packs per dispense entry
    # --- measured (bench_light.py, BENCHMARKS.md) ---
    item_bytes: float = 114          # entry bytes per pack in a multi-pack entry
    single_entry_bytes: float = 310  # a one-pack entry (BENCHMARKS: bundle of 1-pack entries)
    full_bytes_per_event: float = 667    # full replica SQLite bytes per pack event, multi-pack
    full_bytes_single: float = 1_400     # ... per one-pack entry (BENCHMARKS: 1.4 GB / 1M)
    light_file_factor: float = 5.8   # SQLite bytes / entry bytes held (derived rows, proofs)
    ingest_single_per_core: float = 2_350   # one-pack entries/s, one process (BENCHMARKS)
    ingest_events_per_core: float = 5_000   # pack events/s per core, 100-pack entries
    ask_cpu_s: float = 0.014         # full node CPU per online verdict, TLS handshake included
    serve_proven_cpu_s: float = 0.0015   # full node CPU per proven entry in a light sync
    note_bytes: float = 211          # a checkpoint note with its author's signature
    directory_entry_bytes: float = 734   # one member in the directory (certificate, JSON)
    cosignature_bytes: float = 130   # one witness cosignature line on a note
    witnesses: float = 3             # witnesses cosigning every checkpoint (n of the policy)
    add_checkpoint_s: float = 0.003  # witness per add-checkpoint: 1.9 ms measured + HTTP
    # --- behaviour ---
    peak: float = 10                 # peak / average (opening hours, Monday mornings)
    ask_share: float = 1.0           # dispenses that ask a full node online (1 = every one)
    full_nodes_per_member: float = 2  # full nodes each entry is pushed to
    logs_followed: float = 2_000     # logs whose checkpoints a pharmacy follows (its chains)
    checkpoint_every_s: float = 60   # a log submits at most one checkpoint per interval
    syncs_per_day: float = 120       # light sync rounds per pharmacy a day (every 5 min)
    open_hours: float = 10           # the hours a day pharmacies are open (and sync)


def model(a: Assumptions) -> list[tuple[str, str, float, str]]:
    packs = a.pack_events / a.events_per_pack
    per_pharmacy = packs / a.pharmacies
    entries = packs * (1 / a.lot + 2 / a.case + 2 / a.order + 1 / a.dispense)
    multi_events = packs * (a.events_per_pack - 1)
    orders = per_pharmacy / a.order
    own = orders * a.order * a.item_bytes + per_pharmacy / a.dispense * a.single_entry_bytes
    addressed = orders * a.order * a.item_bytes
    chains = orders * (2 * a.case + a.lot) * a.item_bytes   # worst case: a case and lot per order
    notes = a.note_bytes + a.witnesses * a.cosignature_bytes
    light = own + addressed + chains
    full = multi_events * a.full_bytes_per_event + packs / a.dispense * a.full_bytes_single
    push = entries / YEAR * a.full_nodes_per_member
    asks = packs * a.ask_share / YEAR
    ingest_cores = (packs / a.dispense / a.ingest_single_per_core
                    + multi_events / a.ingest_events_per_core) / YEAR * a.peak
    proven = a.pharmacies * orders * 4  # per order: its shipment, the case's 2, the lot's 1
    rounds = a.pharmacies * a.syncs_per_day / (a.open_hours * 3600)
    adds = min(entries / YEAR * a.peak, a.logs / a.checkpoint_every_s)
    mb, tb = 1e6, 1e12
    return [
        ("packs a year", "pack_events / events_per_pack", packs, ""),
        ("packs a year per pharmacy", "packs / pharmacies", per_pharmacy, ""),
        ("entries a year", "packs x (1/lot + 2/case + 2/order + 1/dispense)", entries, ""),
        ("pharmacy: own log", "orders x order x item_bytes + packs/dispense x single_entry",
         own / mb, "MB/yr"),
        ("pharmacy: entries addressed to it", "orders x order x item_bytes", addressed / mb,
         "MB/yr"),
        ("pharmacy: chains of its packs (worst: one case and one lot per order)",
         "orders x (2 case + lot) x item_bytes", chains / mb, "MB/yr"),
        ("pharmacy: entries held", "own + addressed + chains", light / mb, "MB/yr"),
        ("pharmacy: SQLite file", "entries held x light_file_factor",
         light * a.light_file_factor / mb, "MB/yr"),
        ("pharmacy: every log's checkpoint", "logs x (note + witnesses x cosignature)",
         a.logs * notes / mb, "MB"),
        ("pharmacy: checkpoints of the logs it follows", "logs_followed x (note + ...)",
         a.logs_followed * notes / mb, "MB"),
        ("pharmacy: the member directory", "logs x directory_entry_bytes",
         a.logs * a.directory_entry_bytes / mb, "MB"),
        ("full node: storage", "(events_per_pack - 1) x packs x full_bytes_per_event + "
         "packs/dispense x full_bytes_single", full / tb, "TB/yr"),
        ("full node: ingest cores at peak", "(one-pack entries/ingest_single + pack events in "
         "multi-pack entries/ingest_events) / YEAR x peak", ingest_cores, "cores"),
        ("network: pushes, average", "entries / YEAR x full_nodes_per_member", push, "/s"),
        ("network: pushes, peak", "... x peak", push * a.peak, "/s"),
        ("full nodes: online verdicts, average", "packs x ask_share / YEAR", asks, "/s"),
        ("full nodes: online verdicts, peak", "... x peak", asks * a.peak, "/s"),
        ("full nodes: CPU for online verdicts at peak", "peak rate x ask_cpu_s",
         asks * a.peak * a.ask_cpu_s, "cores"),
        ("full nodes: proven entries sent to light nodes", "pharmacies x orders x 4 "
         "(worst case: every order from its own case and lot)", proven / YEAR, "/s"),
        ("full nodes: CPU serving them at peak", "... x serve_proven_cpu_s x peak",
         proven / YEAR * a.serve_proven_cpu_s * a.peak, "cores"),
        ("full nodes: light sync rounds in opening hours",
         "pharmacies x syncs_per_day / (open_hours x 3600)", rounds, "/s"),
        ("full nodes: bytes out if every round resent every checkpoint and the directory",
         "rounds x logs x (note + cosignatures + directory_entry_bytes)",
         rounds * a.logs * (notes + a.directory_entry_bytes) / 1e9, "GB/s"),
        ("witness: add-checkpoint at peak", "min(entries / YEAR x peak, logs / "
         "checkpoint_every_s)", adds, "/s per witness"),
        ("witness: cores at peak", "add-checkpoint rate x add_checkpoint_s",
         adds * a.add_checkpoint_s, "cores"),
        ("witness: state", "logs x ~100 B (origin, size, root)", a.logs * 100 / mb, "MB"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    a = Assumptions()
    for item in args.set:
        name, _, value = item.partition("=")
        if name not in asdict(a):
            raise SystemExit(f"unknown assumption {name!r}; one of: {', '.join(asdict(a))}")
        a = replace(a, **{name: float(value)})
    print("| assumption | value |\n|---|---:|")
    for name, value in asdict(a).items():
        print(f"| `{name}` | {value:,.6g} |")
    print("\n| figure | formula | value | unit |\n|---|---|---:|---|")
    for label, formula, value, unit in model(a):
        print(f"| {label} | `{formula}` | {value:,.{0 if value >= 100 else 2}f} | {unit} |")


if __name__ == "__main__":
    main()
