"""Verdicts: is this scanned pack genuine, suspect or counterfeit? Pure decision logic.

The ledger gathers the facts (``PackFacts``); ``decide`` turns them into a verdict with reason
codes and a sentence a pharmacist understands. Any doubt the data allows is never "genuine":
a pack is genuine only when every check passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import Enum

from supplychain.codes.gs1 import PackCode
from supplychain.i18n import N_, _
from supplychain.identity.certificates import Role
from supplychain.ids import GLN
from supplychain.ledger.rules import UNDO_DISPENSE_WINDOW, PackStatus


class Verdict(str, Enum):
    GENUINE = "genuine"
    SUSPECT = "suspect"
    COUNTERFEIT = "counterfeit"
    INFORMATION = "information"
    """An informational answer, not an alert: the pack is already in the state asked for
    (EMVS's "pack already in the requested state"), e.g. the same pack scanned twice at the
    counter that just dispensed it. Never genuine: the pack is not to be handed out again."""


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
    CANNOT_VERIFY_OFFLINE = "cannot_verify_offline"
    # Packs that left the chain (docs/ARCHITECTURE.md, "Exits and returns").
    REPORTED_STOLEN = "reported_stolen"
    EXPORTED = "exported"
    SAMPLE = "sample"
    QUARANTINED = "quarantined"
    # The informational answer (Verdict.INFORMATION), not an alert.
    ALREADY_DISPENSED_HERE = "already_dispensed_here"
    # An event of the pack's chain lies in the disputed part of a rewritten log
    # (docs/ARCHITECTURE.md, "Rewritten logs").
    DISPUTED_LOG = "disputed_log"


INFORMATIONAL_REASONS = frozenset({Reason.ALREADY_DISPENSED_HERE})
"""Reasons that raise no alert: alone they give ``Verdict.INFORMATION``; with others the
others decide between SUSPECT and COUNTERFEIT."""

SUSPECT_REASONS = frozenset({Reason.EXPIRED, Reason.RECALLED, Reason.REPORTED_SUSPECT,
                             Reason.NOT_IN_CUSTODY, Reason.CANNOT_VERIFY_OFFLINE,
                             Reason.EXPORTED, Reason.SAMPLE, Reason.QUARANTINED,
                             Reason.DISPUTED_LOG})
"""Reasons that make a pack SUSPECT; any other makes it COUNTERFEIT. A pack reported stolen
is COUNTERFEIT-level (illegitimate product: never dispensed, quarantined and reported); an
exported pack or a sample turning up here may be the genuine pack come back, so SUSPECT."""

# Most serious first: the verdict's sentence leads with the first reason found in this order.
_ORDER = [Reason.INVALID_SIGNATURE, Reason.CANNOT_VERIFY_OFFLINE, Reason.UNKNOWN_PRODUCT,
          Reason.UNKNOWN_SERIAL,
          Reason.FORKED_CHAIN, Reason.ALREADY_DISPENSED, Reason.DECOMMISSIONED,
          Reason.REPORTED_STOLEN,
          Reason.LOT_MISMATCH, Reason.EXPIRY_MISMATCH, Reason.EXPORTED, Reason.SAMPLE,
          Reason.DISPUTED_LOG, Reason.RECALLED, Reason.QUARANTINED,
          Reason.REPORTED_SUSPECT, Reason.NOT_IN_CUSTODY, Reason.EXPIRED,
          Reason.ALREADY_DISPENSED_HERE]

_SENTENCES = {
    Reason.INVALID_SIGNATURE: N_("The ledger record of this pack fails its signature or proof "
                                 "check: treat it as counterfeit and report it."),
    Reason.UNKNOWN_PRODUCT: N_("No manufacturer in the network has ever registered this product "
                               "code: do not dispense; quarantine and report the pack."),
    Reason.UNKNOWN_SERIAL: N_("The product is known but this serial number was never issued by "
                              "its manufacturer: do not dispense; quarantine and report the "
                              "pack."),
    Reason.FORKED_CHAIN: N_("This pack's serial number has two conflicting histories (a cloned "
                            "code or a double hand-over): do not dispense; quarantine it."),
    Reason.ALREADY_DISPENSED: N_("This pack was already dispensed: a second pack with the same "
                                 "code is a copy. Do not dispense; quarantine and report it."),
    Reason.DECOMMISSIONED: N_("This pack was taken out of circulation (destroyed): do not "
                              "dispense; quarantine and report it."),
    Reason.LOT_MISMATCH: N_("The lot printed on this pack differs from the one its manufacturer "
                            "registered: do not dispense; quarantine and report it."),
    Reason.EXPIRY_MISMATCH: N_("The expiry date printed on this pack differs from the one its "
                               "manufacturer registered: do not dispense; quarantine it."),
    Reason.RECALLED: N_("This lot has been recalled: do not dispense; set the pack aside for "
                        "return."),
    Reason.REPORTED_SUSPECT: N_("Another member has reported this pack as suspect: do not "
                                "dispense until it is cleared."),
    Reason.NOT_IN_CUSTODY: N_("The ledger does not show this pack as delivered to your site: "
                              "check the delivery before dispensing."),
    Reason.EXPIRED: N_("This pack is past its expiry date: do not dispense."),
    Reason.CANNOT_VERIFY_OFFLINE: N_("Cannot verify offline: this pharmacy holds no record of "
                                     "this pack and could not reach the network. Do not "
                                     "dispense it until the network confirms it."),
    Reason.REPORTED_STOLEN: N_("This pack was reported stolen: do not dispense; quarantine it "
                               "and report it to the regulator."),
    Reason.EXPORTED: N_("This pack was exported out of this market: it is not for sale here. "
                        "Do not dispense; quarantine it and tell your wholesaler."),
    Reason.SAMPLE: N_("This pack was handed to an authority as a sample: it is not for sale. "
                      "Do not dispense; quarantine it and report it."),
    Reason.QUARANTINED: N_("This pack is held in quarantine at {where}: do not dispense or ship "
                           "it until its custodian signs a release that clears it."),
    Reason.ALREADY_DISPENSED_HERE: N_("This pack was dispensed at this site {when}: if you "
                                      "just scanned it twice, no action is needed. Do not hand "
                                      "it out again; if it was dispensed by mistake, undo the "
                                      "dispense."),
    Reason.DISPUTED_LOG: N_("Part of this pack's history comes from {author}'s log, which its "
                            "author rewrote (two conflicting signed versions are held as "
                            "evidence): do not dispense until the regulator settles it."),
}

# Short words for a list of reasons ("Reasons: recalled; expired").
_WORDS = {
    Reason.UNKNOWN_PRODUCT: N_("unknown product"),
    Reason.UNKNOWN_SERIAL: N_("unknown serial"),
    Reason.LOT_MISMATCH: N_("lot mismatch"),
    Reason.EXPIRY_MISMATCH: N_("expiry mismatch"),
    Reason.EXPIRED: N_("expired"),
    Reason.RECALLED: N_("recalled"),
    Reason.ALREADY_DISPENSED: N_("already dispensed"),
    Reason.DECOMMISSIONED: N_("decommissioned"),
    Reason.NOT_IN_CUSTODY: N_("not in custody"),
    Reason.FORKED_CHAIN: N_("forked chain"),
    Reason.INVALID_SIGNATURE: N_("invalid signature"),
    Reason.REPORTED_SUSPECT: N_("reported suspect"),
    Reason.CANNOT_VERIFY_OFFLINE: N_("cannot verify offline"),
    Reason.REPORTED_STOLEN: N_("reported stolen"),
    Reason.EXPORTED: N_("exported"),
    Reason.SAMPLE: N_("sample"),
    Reason.QUARANTINED: N_("in quarantine"),
    Reason.ALREADY_DISPENSED_HERE: N_("already dispensed here"),
    Reason.DISPUTED_LOG: N_("disputed log"),
}

_VERDICT_WORDS = {
    Verdict.GENUINE: N_("GENUINE"),
    Verdict.SUSPECT: N_("SUSPECT"),
    Verdict.COUNTERFEIT: N_("COUNTERFEIT"),
    Verdict.INFORMATION: N_("ALREADY DISPENSED HERE"),
}

_STATUS_WORDS = {
    PackStatus.ACTIVE: N_("active"),
    PackStatus.IN_TRANSIT: N_("in transit"),
    PackStatus.DISPENSED: N_("dispensed"),
    PackStatus.DESTROYED: N_("destroyed"),
    PackStatus.STOLEN: N_("stolen"),
    PackStatus.EXPORTED: N_("exported"),
    PackStatus.SAMPLED: N_("handed over as a sample"),
    PackStatus.QUARANTINED: N_("in quarantine"),
}

_LEFT_THE_CHAIN = {PackStatus.STOLEN: Reason.REPORTED_STOLEN,
                   PackStatus.EXPORTED: Reason.EXPORTED, PackStatus.SAMPLED: Reason.SAMPLE}

GENUINE_SENTENCE = N_("Genuine: the pack's history checks out and it is in your custody.")
"""The sentence of a GENUINE verdict at the pack's custodian (translate with ``_()``)."""
OFFLINE_NOTE = N_("Could not reach the network: this verdict uses only what this pharmacy "
                  "holds.")
_GENUINE_REGULATOR = N_("Genuine: the pack's history checks out; every signature and proof "
                        "verified.")
_GENUINE_ON_ITS_WAY = N_("Genuine: the pack's history checks out and it is on its way to you: "
                         "receive it before dispensing.")


def reason_sentence(reason: Reason, when: datetime | None = None,
                    held_by: GLN | None = None, author: str | None = None) -> str:
    """What ``reason`` means and what to do, as a sentence in the current language.

    ``when``: the time of the event the reason is about (the dispense of
    ``ALREADY_DISPENSED_HERE``), written into the sentence when given; ``held_by``: the
    custodian holding a ``QUARANTINED`` pack (None: this site); ``author``: whose log is
    disputed (``DISPUTED_LOG``), e.g. "Acme Pharma (5012345000022)"."""
    sentence = _(_SENTENCES[reason])
    if reason is Reason.ALREADY_DISPENSED_HERE:
        sentence = sentence.format(when=_when_words(when))
    elif reason is Reason.QUARANTINED:
        sentence = sentence.format(where=_("this site") if held_by is None
                                   else _("GLN {gln}").format(gln=held_by))
    elif reason is Reason.DISPUTED_LOG:
        sentence = sentence.format(author=author or _("a member"))
    return sentence


def _when_words(when: datetime | None) -> str:
    if when is None:
        return _("recently")
    moment = when.astimezone(UTC)
    return _("on {date} at {time} UTC").format(date=moment.date().isoformat(),
                                              time=moment.strftime("%H:%M"))


def reason_words(reason: Reason) -> str:
    """``reason`` in a few words ("unknown serial"), in the current language."""
    return _(_WORDS[reason])


def verdict_word(verdict: Verdict) -> str:
    """The verdict as the one big word shown for it ("GENUINE"), in the current language."""
    return _(_VERDICT_WORDS[verdict])


def status_words(status: PackStatus) -> str:
    """A pack status in words ("in transit"), in the current language."""
    return _(_STATUS_WORDS[status])


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
    offline: bool = False
    """A light node could not reach its full nodes: the facts are only what it holds."""
    container: str | None = None
    """The SSCC of the case or pallet the pack is in now, if any."""
    dispensed_at: datetime | None = None
    """When the pack's latest event is a dispense: that event's time (else None)."""
    disputed: bool = False
    """An event of the pack's chain lies in the disputed part of a rewritten log."""
    disputed_author: str | None = None
    """Whose log that is, as a person reads it ("Acme Pharma (5012345000022)")."""

    @property
    def serial_known(self) -> bool:
        return self.status is not None


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reasons: tuple[Reason, ...]
    message: str
    notes: tuple[str, ...] = field(default=())


def decide(code: PackCode, facts: PackFacts, site: GLN, site_role: Role, today: date,
           now: datetime | None = None) -> Decision:
    """Decide the verdict for ``code`` scanned at ``site`` (a member of role ``site_role``).

    ``now``: the time of the scan; without it no dispense counts as recent, so a pack
    dispensed here is ``ALREADY_DISPENSED`` as anywhere else."""
    reasons: set[Reason] = set()
    notes: list[str] = []
    in_transit_to_site = False
    if not facts.integrity_ok or facts.code_signature is CodeSignatureCheck.INVALID:
        reasons.add(Reason.INVALID_SIGNATURE)
    if facts.code_signature is CodeSignatureCheck.VALID:
        notes.append(_("The manufacturer's signature printed in the code is valid (it proves "
                       "the code was issued, not that this pack is the original one)."))
    elif facts.code_signature is CodeSignatureCheck.UNKNOWN_KEY:
        notes.append(_("The code carries a manufacturer signature from a key this node does "
                       "not know yet; sync with the network to check it."))
    if facts.offline:
        notes.append(_(OFFLINE_NOTE))
    if not facts.serial_known and facts.offline:
        # A pack this node cannot see is never genuine, nor provably unknown, offline.
        reasons.add(Reason.CANNOT_VERIFY_OFFLINE)
    elif not facts.serial_known:
        reasons.add(Reason.UNKNOWN_SERIAL if facts.gtin_known else Reason.UNKNOWN_PRODUCT)
    else:
        if facts.forked:
            reasons.add(Reason.FORKED_CHAIN)
        if facts.status is PackStatus.DISPENSED:
            if _dispensed_here_recently(facts, site, now):
                reasons.add(Reason.ALREADY_DISPENSED_HERE)
            else:
                reasons.add(Reason.ALREADY_DISPENSED)
                if facts.custodian == site:
                    notes.append(_dispensed_here_note(facts, now))
        elif facts.status is PackStatus.DESTROYED:
            reasons.add(Reason.DECOMMISSIONED)
        elif facts.status in _LEFT_THE_CHAIN:
            reasons.add(_LEFT_THE_CHAIN[facts.status])
        elif facts.status is PackStatus.QUARANTINED:
            reasons.add(Reason.QUARANTINED)
        if code.lot is not None and code.lot != facts.registered_lot:
            reasons.add(Reason.LOT_MISMATCH)
        if code.expiry is not None and code.expiry != facts.registered_expiry:
            reasons.add(Reason.EXPIRY_MISMATCH)
        if facts.recalled:
            reasons.add(Reason.RECALLED)
        if facts.reported:
            reasons.add(Reason.REPORTED_SUSPECT)
        if facts.disputed:
            reasons.add(Reason.DISPUTED_LOG)
        if site_role is not Role.REGULATOR and facts.status in (PackStatus.ACTIVE,
                                                                PackStatus.IN_TRANSIT):
            if facts.status is PackStatus.IN_TRANSIT and facts.recipient == site:
                in_transit_to_site = True
            elif facts.custodian != site or facts.status is PackStatus.IN_TRANSIT:
                reasons.add(Reason.NOT_IN_CUSTODY)
        expiry = facts.registered_expiry or code.expiry
        if expiry is not None and expiry < today:
            reasons.add(Reason.EXPIRED)
    if facts.container is not None:
        notes.append(_("It is in case {sscc}: take it out of the case (unpack) before "
                       "dispensing it.").format(sscc=facts.container))
    if facts.pending_events:
        notes.append(_("{count} event(s) about this pack wait for earlier history this node "
                       "has not received yet: sync before trusting this "
                       "verdict.").format(count=facts.pending_events))
    ordered = tuple(r for r in _ORDER if r in reasons)
    alarming = [r for r in ordered if r not in INFORMATIONAL_REASONS]
    if any(r not in SUSPECT_REASONS for r in alarming):
        verdict = Verdict.COUNTERFEIT
    elif alarming:
        verdict = Verdict.SUSPECT
    elif ordered:
        verdict = Verdict.INFORMATION
    else:
        verdict = Verdict.GENUINE
    if ordered:
        held_by = None if facts.custodian == site else facts.custodian
        message = " ".join(reason_sentence(r, facts.dispensed_at, held_by, facts.disputed_author)
                           for r in ordered[:2])
    elif site_role is Role.REGULATOR:
        message = _(_GENUINE_REGULATOR)
    elif in_transit_to_site:
        message = _(_GENUINE_ON_ITS_WAY)
    else:
        message = _(GENUINE_SENTENCE)
    if ordered and len(ordered) > 2:
        more = len(ordered) - 2
        message += " " + _("({count} more reason(s) listed.)").format(count=more)
    return Decision(verdict, ordered, message, tuple(notes))


def _dispensed_here_recently(facts: PackFacts, site: GLN, now: datetime | None) -> bool:
    """The pack's latest event is its dispense at ``site``, within the undo window of ``now``
    (the same pack scanned twice at the counter that dispensed it)."""
    if facts.custodian != site or facts.dispensed_at is None or now is None:
        return False
    elapsed = now - facts.dispensed_at
    return timedelta(0) <= elapsed <= UNDO_DISPENSE_WINDOW


def _dispensed_here_note(facts: PackFacts, now: datetime | None) -> str:
    if facts.dispensed_at is None or now is None:
        return _("It was dispensed here: if you just scanned the same pack twice, no action is "
                 "needed; if it was dispensed by mistake, undo the dispense.")
    return _("It was dispensed here {when}, longer ago than the {days}-day undo window: a "
             "second pack with this code is a copy.").format(
                 when=_when_words(facts.dispensed_at), days=UNDO_DISPENSE_WINDOW.days)
