"""The measured false-alert rate: a simulated network trading for some days through the real
ledger, sync and verdict code, with the noise of real work and injected falsifications.

Run: .venv/bin/python bench/simulate_network.py [--packs 10000] [--pharmacies 50]
     [--makers 3] [--wholesalers 5] [--days 4] [--seed 14]

Every member has a real node (its own home and SQLite store, its own key); every event is
signed and appended by ``Node``; sync is the ordinary pull (``sync.puller.pull_from``) from
another node in the same process (``LocalPeer``: no sockets); every scan goes through the
counter's pipeline (bench/sim_counter.py). The flows are in bench/sim_flows.py, the noise
model and the injected fakes in bench/sim_noise.py, the network in bench/sim_world.py.

Prints the noise rates, then per alert cause: alerts raised, false alerts (raised for a
genuine pack that is not an injected fake, still open after the re-scan step), fakes caught,
fakes missed and alerts auto-closed by the re-scan step; per injected fake and per noise what
happened; the totals (scans, false-alert rate, MET / NOT MET against < 0.01 % with every fake
caught) and how long each phase took. Figures and the noise model: docs/BENCHMARKS.md,
"False-alert rate".
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe  # noqa: E402
from sim_counter import NO_ALERT, Tally  # noqa: E402
from sim_flows import Simulation  # noqa: E402
from sim_noise import Rates  # noqa: E402
from sim_world import SimClock, build_world, simulated_time  # noqa: E402

AIM = 0.01  # per cent of scans


@dataclass(frozen=True)
class Outcome:
    tally: Tally
    packs: int
    pharmacies: int
    phases: dict[str, float]
    seconds: float

    @property
    def false_rate(self) -> float:
        """False alerts as a percentage of scans."""
        return 100.0 * self.tally.false_alerts / max(1, self.tally.scans)

    @property
    def met(self) -> bool:
        return self.false_rate < AIM and self.tally.fakes_missed == 0


def simulate(root: Path, *, packs: int = 10_000, pharmacies: int = 50, makers: int = 3,
             wholesalers: int = 5, days: int = 4, seed: int = 14,
             rates: Rates | None = None,
             progress: Callable[[str], None] | None = None) -> Outcome:
    """Build the network in ``root``, trade for ``days`` and return the tally."""
    started = time.perf_counter()
    t0 = time.perf_counter()
    world = build_world(root, makers, wholesalers, pharmacies)
    build = time.perf_counter() - t0
    sim = SimClock()
    try:
        with simulated_time(sim):
            run = Simulation(world, sim, rates or Rates(), seed, days)
            run.phases.seconds["build the consortium"] = build
            run.progress = progress
            run.commission(packs)
            run.first_shipments()
            run.plan()
            run.run_agenda()
    finally:
        world.close()
    return Outcome(run.tally, run.packs, pharmacies, run.phases.seconds,
                   time.perf_counter() - started)


def report(outcome: Outcome, rates: Rates) -> list[str]:
    """The tables the bench prints (markdown)."""
    t = outcome.tally
    lines = ["| noise / fakes | rate or count |", "|---|---:|"]
    lines += [f"| {name} | {value} |" for name, value in rates.rows()]
    lines += ["", "| alert cause | raised | false alerts | fakes caught | fakes missed "
              "| auto-closed by re-scan |", "|---|---:|---:|---:|---:|---:|"]
    for cause in sorted(t.causes, key=lambda c: (c == NO_ALERT, c)):
        r = t.causes[cause]
        lines.append(f"| {cause} | {r.raised} | {r.false_alerts} | {r.fakes_caught} | "
                     f"{r.fakes_missed} | {r.auto_closed} |")
    total = [sum(getattr(r, f) for r in t.causes.values())
             for f in ("raised", "false_alerts", "fakes_caught", "fakes_missed", "auto_closed")]
    lines.append("| **total** | " + " | ".join(str(n) for n in total) + " |")
    lines += ["", "| injected fake | scanned | caught | missed | alert causes |",
              "|---|---:|---:|---:|---|"]
    for fake, row in t.fakes.items():
        causes = ", ".join(f"{c} {n}" for c, n in sorted(row.causes.items())) or "-"
        lines.append(f"| {fake.value} | {row.injected} | {row.caught} | {row.missed} | "
                     f"{causes} |")
    lines += ["", "| noise | occurrences | alerts | auto-closed | false alerts left |",
              "|---|---:|---:|---:|---:|"]
    for tag in sorted(t.noise):
        n = t.noise[tag]
        lines.append(f"| {tag} | {n.events} | {n.alerts} | {n.auto_closed} | "
                     f"{n.false_alerts} |")
    first = ", ".join(f"{v} {n}" for v, n in sorted(t.first_verdicts.items()))
    lines += ["", f"scans: {t.scans:,} (first verdicts: {first}); unreadable first reads "
              f"scanned again: {t.unreadable}; syncs before a second verdict: {t.resyncs}",
              f"packs: {outcome.packs:,}; pharmacies: {outcome.pharmacies}",
              f"false alerts: {t.false_alerts} = {outcome.false_rate:.4f} % of scans "
              f"(aim < {AIM} %); fakes missed: {t.fakes_missed} of "
              f"{sum(r.injected for r in t.fakes.values())}",
              f"aim: {'MET' if outcome.met else 'NOT MET'}"]
    if t.false_examples:
        lines += ["", "false alerts (first few):"] + [f"- {e}" for e in t.false_examples]
    if t.missed_examples:
        lines += ["", "fakes missed:"] + [f"- {e}" for e in t.missed_examples]
    lines += ["", "| phase | seconds |", "|---|---:|"]
    lines += [f"| {name} | {s:.1f} |" for name, s in outcome.phases.items()]
    lines.append(f"| **wall time** | {outcome.seconds:.1f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packs", type=int, default=10_000)
    parser.add_argument("--pharmacies", type=int, default=50)
    parser.add_argument("--makers", type=int, default=3)
    parser.add_argument("--wholesalers", type=int, default=5)
    parser.add_argument("--days", type=int, default=4)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    rates = Rates()
    tmp = Path(tempfile.mkdtemp(prefix="simulate-network-"))
    try:
        outcome = simulate(tmp, packs=args.packs, pharmacies=args.pharmacies,
                           makers=args.makers, wholesalers=args.wholesalers, days=args.days,
                           seed=args.seed, rates=rates,
                           progress=lambda line: print(line, file=sys.stderr, flush=True))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"Machine: {describe()}; seed {args.seed}; {args.makers} manufacturers, "
          f"{args.wholesalers} wholesalers, {args.pharmacies} pharmacies, {args.days} days")
    print()
    print("\n".join(report(outcome, rates)))


if __name__ == "__main__":
    main()
