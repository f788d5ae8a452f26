"""What a node reports to people: a pack's history steps and the verdict for one scan.

Plain data for the counter screen, the command line and JSON output (``to_dict``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from supplychain.codes.gs1 import PackCode
from supplychain.ids import GLN, EventHash
from supplychain.ledger.events import EventType
from supplychain.ledger.freshness import SyncInfo
from supplychain.ledger.rules import PackStatus
from supplychain.ledger.verdicts import Decision, Verdict


@dataclass(frozen=True)
class HistoryStep:
    """One hand-over in a pack's custody chain, for people."""

    event_hash: EventHash
    type: EventType
    time: str
    actor: GLN
    actor_name: str
    status: PackStatus
    custodian: GLN
    recipient: GLN | None
    log_index: int


@dataclass(frozen=True)
class VerdictReport:
    """Everything the counter screen and the command line show for one scan."""

    code: PackCode
    decision: Decision
    custodian: GLN | None
    custodian_name: str | None
    status: PackStatus | None
    history: tuple[HistoryStep, ...] = field(default=())
    # --- sync: how fresh the logs behind this verdict are (supplychain.ledger.freshness) ---
    sync: SyncInfo | None = None
    source: str = "local"  # "local" | "network" (a light node asked) | "offline" (it could not)

    @property
    def verdict(self) -> Verdict:
        return self.decision.verdict

    def to_dict(self) -> dict[str, object]:
        return {
            "verdict": self.decision.verdict.value,
            "reasons": [r.value for r in self.decision.reasons],
            "message": self.decision.message,
            "notes": list(self.decision.notes),
            "gtin": self.code.gtin,
            "serial": self.code.serial,
            "lot": self.code.lot,
            "expiry": self.code.expiry.isoformat() if self.code.expiry else None,
            "custodian": self.custodian,
            "custodian_name": self.custodian_name,
            "status": self.status.value if self.status else None,
            "history": [step_to_dict(s) for s in self.history],
            "sync": self.sync.to_dict() if self.sync else None,  # --- sync ---
            "witnesses": self.sync.witnesses_list() if self.sync else [],
            "source": self.source,
        }


def step_to_dict(step: HistoryStep) -> dict[str, object]:
    return {"event": step.event_hash, "type": step.type.value, "time": step.time,
            "by": step.actor, "by_name": step.actor_name, "status": step.status.value,
            "custodian": step.custodian, "recipient": step.recipient, "log_index": step.log_index}
