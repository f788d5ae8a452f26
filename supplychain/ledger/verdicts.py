"""Verdicts: is this scanned pack genuine, suspect or counterfeit? Pure decision logic.

The ledger gathers the facts (``PackFacts``); ``decide`` turns them into a verdict with reason
codes and a sentence a pharmacist understands. Any doubt the data allows is never "genuine":
a pack is genuine only when every check passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from supplychain.codes.gs1 import PackCode
from supplychain.identity.certificates import Role
from supplychain.ids import GLN
from supplychain.ledger.rules import PackStatus


class Verdict(str, Enum):
    GENUINE = "genuine"
    SUSPECT = "suspect"
    COUNTERFEIT = "counterfeit"


class CodeSignatureCheck(str, Enum):
    """The outcome of checking a manufacturer signature carried in the code itself."""

    ABSENT = "absent"
    VALID = "valid"
    INVALID = "invalid"
    UNKNOWN_KEY = "unknown_key"


class Reason(str, Enum):
    UNKNOWN_PRODUCT = "unknown_product"
    UNKNOWN_SERIAL = "unknown_serial"
    LOT_MISMATCH = "lot_mismatch"
    EXPIRY_MISMATCH = "expiry_mismatch"
    EXPIRED = "expired"
    RECALLED = "recalled"
    ALREADY_DISPENSED = "already_dispensed"
    DECOMMISSIONED = "decommissioned"
    NOT_IN_CUSTODY = "not_in_custody"
    FORKED_CHAIN = "forked_chain"
    INVALID_SIGNATURE = "invalid_signature"
    REPORTED_SUSPECT = "reported_suspect"


SUSPECT_REASONS = frozenset({Reason.EXPIRED, Reason.RECALLED, Reason.REPORTED_SUSPECT,
                             Reason.NOT_IN_CUSTODY})

# Most serious first: the verdict's sentence leads with the first reason found in this order.
_ORDER = [Reason.INVALID_SIGNATURE, Reason.UNKNOWN_PRODUCT, Reason.UNKNOWN_SERIAL,
          Reason.FORKED_CHAIN, Reason.ALREADY_DISPENSED, Reason.DECOMMISSIONED,
          Reason.LOT_MISMATCH, Reason.EXPIRY_MISMATCH, Reason.RECALLED,
          Reason.REPORTED_SUSPECT, Reason.NOT_IN_CUSTODY, Reason.EXPIRED]

_SENTENCES = {
    Reason.INVALID_SIGNATURE: "The ledger record of this pack fails its signature or proof "
                              "check: treat it as counterfeit and report it.",
    Reason.UNKNOWN_PRODUCT: "No manufacturer in the network has ever registered this product "
                            "code: do not dispense; quarantine and report the pack.",
    Reason.UNKNOWN_SERIAL: "The product is known but this serial number was never issued by "
                           "its manufacturer: do not dispense; quarantine and report the pack.",
    Reason.FORKED_CHAIN: "This pack's serial number has two conflicting histories (a cloned "
                         "code or a double hand-over): do not dispense; quarantine it.",
    Reason.ALREADY_DISPENSED: "This pack was already dispensed: a second pack with the same "
                              "code is a copy. Do not dispense; quarantine and report it.",
    Reason.DECOMMISSIONED: "This pack was taken out of circulation (destroyed): do not "
                           "dispense; quarantine and report it.",
    Reason.LOT_MISMATCH: "The lot printed on this pack differs from the one its manufacturer "
                         "registered: do not dispense; quarantine and report it.",
    Reason.EXPIRY_MISMATCH: "The expiry date printed on this pack differs from the one its "
                            "manufacturer registered: do not dispense; quarantine it.",
    Reason.RECALLED: "This lot has been recalled: do not dispense; set the pack aside for "
                     "return.",
    Reason.REPORTED_SUSPECT: "Another member has reported this pack as suspect: do not "
                             "dispense until it is cleared.",
    Reason.NOT_IN_CUSTODY: "The ledger does not show this pack as delivered to your site: "
                           "check the delivery before dispensing.",
    Reason.EXPIRED: "This pack is past its expiry date: do not dispense.",
}

GENUINE_SENTENCE = "Genuine: the pack's history checks out and it is in your custody."


@dataclass(frozen=True)
class PackFacts:
    """What the ledger knows about a scanned pack, gathered before deciding."""

    gtin_known: bool
    registered_lot: str | None = None
    registered_expiry: date | None = None
    status: PackStatus | None = None
    custodian: GLN | None = None
    recipient: GLN | None = None
    forked: bool = False
    recalled: bool = False
    reported: bool = False
    integrity_ok: bool = True
    code_signature: CodeSignatureCheck = CodeSignatureCheck.ABSENT
    pending_events: int = 0
    """Events naming this pack that wait for earlier history this node has not received."""

    @property
    def serial_known(self) -> bool:
        return self.status is not None


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reasons: tuple[Reason, ...]
    message: str
    notes: tuple[str, ...] = field(default=())


def decide(code: PackCode, facts: PackFacts, site: GLN, site_role: Role, today: date) -> Decision:
    """Decide the verdict for ``code`` scanned at ``site`` (a member of role ``site_role``)."""
    reasons: set[Reason] = set()
    notes: list[str] = []
    in_transit_to_site = False
    if not facts.integrity_ok or facts.code_signature is CodeSignatureCheck.INVALID:
        reasons.add(Reason.INVALID_SIGNATURE)
    if facts.code_signature is CodeSignatureCheck.VALID:
        notes.append("The manufacturer's signature printed in the code is valid (it proves the "
                     "code was issued, not that this pack is the original one).")
    elif facts.code_signature is CodeSignatureCheck.UNKNOWN_KEY:
        notes.append("The code carries a manufacturer signature from a key this node does not "
                     "know yet; sync with the network to check it.")
    if not facts.serial_known:
        reasons.add(Reason.UNKNOWN_SERIAL if facts.gtin_known else Reason.UNKNOWN_PRODUCT)
    else:
        if facts.forked:
            reasons.add(Reason.FORKED_CHAIN)
        if facts.status is PackStatus.DISPENSED:
            reasons.add(Reason.ALREADY_DISPENSED)
            if facts.custodian == site:
                notes.append("It was dispensed here: if you just scanned the same pack twice, "
                             "no action is needed; if it was dispensed by mistake, undo the "
                             "dispense.")
        elif facts.status is PackStatus.DESTROYED:
            reasons.add(Reason.DECOMMISSIONED)
        if code.lot is not None and code.lot != facts.registered_lot:
            reasons.add(Reason.LOT_MISMATCH)
        if code.expiry is not None and code.expiry != facts.registered_expiry:
            reasons.add(Reason.EXPIRY_MISMATCH)
        if facts.recalled:
            reasons.add(Reason.RECALLED)
        if facts.reported:
            reasons.add(Reason.REPORTED_SUSPECT)
        if site_role is not Role.REGULATOR and facts.status in (PackStatus.ACTIVE,
                                                                PackStatus.IN_TRANSIT):
            if facts.status is PackStatus.IN_TRANSIT and facts.recipient == site:
                in_transit_to_site = True
            elif facts.custodian != site or facts.status is PackStatus.IN_TRANSIT:
                reasons.add(Reason.NOT_IN_CUSTODY)
        expiry = facts.registered_expiry or code.expiry
        if expiry is not None and expiry < today:
            reasons.add(Reason.EXPIRED)
    if facts.pending_events:
        notes.append(f"{facts.pending_events} event(s) about this pack wait for earlier history "
                     "this node has not received yet: sync before trusting this verdict.")
    ordered = tuple(r for r in _ORDER if r in reasons)
    if any(r not in SUSPECT_REASONS for r in ordered):
        verdict = Verdict.COUNTERFEIT
    elif ordered:
        verdict = Verdict.SUSPECT
    else:
        verdict = Verdict.GENUINE
    if ordered:
        message = " ".join(_SENTENCES[r] for r in ordered[:2])
    elif site_role is Role.REGULATOR:
        message = "Genuine: the pack's history checks out; every signature and proof verified."
    elif in_transit_to_site:
        message = ("Genuine: the pack's history checks out and it is on its way to you: "
                   "receive it before dispensing.")
    else:
        message = GENUINE_SENTENCE
    if ordered and len(ordered) > 2:
        message += f" ({len(ordered) - 2} more reason(s) listed.)"
    return Decision(verdict, ordered, message, tuple(notes))
