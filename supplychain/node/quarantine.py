"""The counter's Quarantine action (docs/ARCHITECTURE.md, "Quarantine and release"): a pack
this site holds is set aside with a signed QUARANTINE (nothing moves it until a RELEASE);
a pack held here physically but not ours in the ledger (in another's custody, unknown,
forked, in a case) can only be reported as suspect, with a reason saying where it is held."""

from __future__ import annotations

from supplychain.codes.gs1 import PackCode
from supplychain.ledger.container_rows import container_of
from supplychain.ledger.events import EventType, SignedEvent
from supplychain.ledger.rules import PackStatus, may
from supplychain.node.actions import quarantine_reason
from supplychain.node.operations import Node


def signs_quarantine(node: Node, code: PackCode) -> bool:
    """Whether a quarantine of ``code`` here is a signed QUARANTINE: this site is the
    custodian of the active pack (one history, not in a case) and its role may."""
    record = node.ledger.pack(code.key)
    return (record is not None and not record.forked and record.custodian == node.gln
            and record.status is PackStatus.ACTIVE and may(node.me.info.role,
                                                           EventType.QUARANTINE)
            and container_of(node.store, code.key) is None)


def quarantine_or_report(node: Node, code: PackCode) -> SignedEvent:
    """Quarantine ``code`` at this site: a signed QUARANTINE when ``signs_quarantine``,
    otherwise a suspect report saying it is quarantined here (as before quarantine was a
    state)."""
    reason = quarantine_reason(node.name)
    if signs_quarantine(node, code):
        return node.quarantine([code], reason)
    return node.report([code], reason)
