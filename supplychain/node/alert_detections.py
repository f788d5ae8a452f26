"""What this node found by itself, as alerts nobody has acted on yet.

Derivation flags forks, rejected and duplicate events (``store.alerts()``); sync keeps
evidence against peers and log authors (``store.evidence()``). Those that are work for a person
appear in the alert queue as NEW, unsigned alerts owned by this node, each with a stable id
(the first 16 hex of SHA-256 over ``kind|subject|evidence``), so that acting on one signs its
raise under that id. Peer trouble (unreachable, refused connections, bad answers) is not an
alert for a person: it stays in `supplychain sync` and the network views.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from supplychain.errors import LedgerError
from supplychain.ids import GLN
from supplychain.ledger.alert_life import Alert, AlertCause, AlertState
from supplychain.ledger.events import is_container_key
from supplychain.ledger.records import EvidenceRecord
from supplychain.ledger.store import Store
from supplychain.ledger.timing import entry_time

__all__ = ["detection_cause", "detection_id", "local_detections", "peer_trouble"]

_CAUSES: dict[str, AlertCause] = {
    "forked_chain": AlertCause.CLONE_OR_FORK,
    "rejected_event": AlertCause.STATUS_CHANGE_REFUSED,
    "duplicate_entry": AlertCause.STATUS_CHANGE_REFUSED,
    # A certificate whose prefixes overlap another's: the later member's commissions and
    # recalls under them are refused until the regulator revokes the wrong certificate.
    "overlapping_prefixes": AlertCause.STATUS_CHANGE_REFUSED,
    "inconsistent_history": AlertCause.REWRITTEN_LOG,
    "equivocation": AlertCause.REWRITTEN_LOG,
    "dropped_entries": AlertCause.REWRITTEN_LOG,
    "rewritten_log": AlertCause.REWRITTEN_LOG,
    "forged_entry": AlertCause.FORGED_RECORD,
    "bad_checkpoint": AlertCause.FORGED_RECORD,
    "root_mismatch": AlertCause.FORGED_RECORD,
}
_SAME_REWRITE = frozenset({"inconsistent_history", "equivocation", "dropped_entries"})
"""Evidence kinds a channel keeps of a rewrite: an author with a ``rewritten_log`` dispute
alert already has one alert for it (the one carrying both signed statements)."""
_PACK = re.compile(r"[0-9]{14}/[!-~]{1,20}")
_HASH = re.compile(r"[0-9a-f]{64}")


def detection_cause(kind: str) -> AlertCause | None:
    """The cause of a ledger alert or evidence kind; None for peer trouble (not a person's
    work) and kinds this version does not know."""
    cause = _CAUSES.get(kind)
    if cause is None and kind.startswith("forged_"):
        return AlertCause.FORGED_RECORD
    return cause


def detection_id(kind: str, subject: str, evidence: str) -> str:
    return hashlib.sha256(f"{kind}|{subject}|{evidence}".encode()).hexdigest()[:16]


def local_detections(store: Store, site: GLN) -> list[Alert]:
    """This node's detections that call for a person, as unsigned NEW alerts (one per id)."""
    out: dict[str, Alert] = {}
    for record in store.alerts():
        cause = detection_cause(record.kind)
        if cause is None:
            continue
        alert_id = detection_id(record.kind, record.subject, record.evidence)
        when = _ledger_time(store, record.evidence)
        out.setdefault(alert_id, _detection(alert_id, site, cause, record.kind, record.subject,
                                            record.detail, record.evidence, when, None))
    evidence = store.evidence()
    disputed = {ev.subject for ev in evidence if ev.kind == "rewritten_log"}
    for ev in evidence:
        cause = detection_cause(ev.kind)
        if cause is None or (ev.kind in _SAME_REWRITE and ev.subject in disputed):
            continue
        alert_id = detection_id(ev.kind, ev.subject, ev.evidence)
        out.setdefault(alert_id, _detection(alert_id, site, cause, ev.kind, ev.subject,
                                            ev.detail, ev.evidence, ev.first_seen, ev.peer,
                                            ev.last_seen))
    return list(out.values())


def peer_trouble(store: Store) -> list[EvidenceRecord]:
    """The sync evidence that is the network's business, not an alert (unreachable peers,
    refused connections and reads, bad answers): `supplychain alerts --network`."""
    return [ev for ev in store.evidence() if detection_cause(ev.kind) is None]


def _detection(alert_id: str, site: GLN, cause: AlertCause, kind: str, subject: str,
               detail: str, evidence: str, when: str, peer: str | None,
               updated: str | None = None) -> Alert:
    packs = (subject,) if _PACK.fullmatch(subject) and not is_container_key(subject) else ()
    return Alert(alert_id, site, cause, subject, packs, detail, AlertState.NEW, when,
                 updated or when, signed=False, kind=kind, evidence=evidence, peer=peer)


def _ledger_time(store: Store, evidence: str) -> str:
    """When a ledger alert arose: the latest time of the events its evidence names (event
    hashes, or ``gln:index`` of a duplicate entry); "" if none is held."""
    hashes = [h for h in evidence.split(",") if _HASH.fullmatch(h)]
    times: Iterable[str] = [row.time for row in store.event_rows(hashes).values()]
    if not hashes and ":" in evidence:
        gln, _sep, index = evidence.partition(":")
        try:
            times = [entry_time(store.entry(gln, int(index)))]
        except (ValueError, LedgerError):
            times = []
    return max(times, default="")
