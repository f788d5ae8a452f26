"""The verdict decision called directly with plain facts: no node, no store, no files.

Every reason code, which verdict it gives alone, and the precedence between any two of them
(the order a pharmacist reads them in, most serious first).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest

from supplychain.codes.gs1 import PackCode
from supplychain.identity.certificates import Role
from supplychain.ids import GLN
from supplychain.ledger.rules import UNDO_DISPENSE_WINDOW, PackStatus
from supplychain.ledger.verdicts import (
    GENUINE_SENTENCE,
    CodeSignatureCheck,
    Decision,
    PackFacts,
    Reason,
    Verdict,
    decide,
)
from tests.conftest import DIST_A, DIST_B, GTIN, PHARMACY

SITE = GLN(PHARMACY)
ELSEWHERE = GLN(DIST_A)
EXPIRY = date(2030, 1, 31)
TODAY = date(2026, 6, 1)
AFTER_EXPIRY = date(2030, 2, 1)
NOW = datetime(2026, 6, 1, 10, 30, tzinfo=UTC)
JUST_NOW = NOW - timedelta(minutes=1)

# Most serious first, as the verdict's sentence reads them.
PRECEDENCE = [Reason.INVALID_SIGNATURE, Reason.CANNOT_VERIFY_OFFLINE, Reason.UNKNOWN_PRODUCT,
              Reason.UNKNOWN_SERIAL,
              Reason.FORKED_CHAIN, Reason.ALREADY_DISPENSED, Reason.DECOMMISSIONED,
              Reason.REPORTED_STOLEN,
              Reason.LOT_MISMATCH, Reason.EXPIRY_MISMATCH, Reason.EXPORTED, Reason.SAMPLE,
              Reason.DISPUTED_LOG, Reason.RECALLED, Reason.QUARANTINED,
              Reason.REPORTED_SUSPECT, Reason.NOT_IN_CUSTODY, Reason.EXPIRED,
              Reason.ALREADY_DISPENSED_HERE]
# Doubts the data allows a legitimate explanation for: suspect. Everything else: counterfeit.
SUSPECT = {Reason.EXPIRED, Reason.RECALLED, Reason.REPORTED_SUSPECT, Reason.NOT_IN_CUSTODY,
           Reason.CANNOT_VERIFY_OFFLINE, Reason.EXPORTED, Reason.SAMPLE, Reason.QUARANTINED,
           Reason.DISPUTED_LOG}
# No alert at all: alone it is INFORMATION; with others, the others decide.
INFORMATIONAL = {Reason.ALREADY_DISPENSED_HERE}

# The first words of each reason's sentence.
OPENING = {
    Reason.INVALID_SIGNATURE: "The ledger record of this pack fails its signature",
    Reason.CANNOT_VERIFY_OFFLINE: "Cannot verify offline: this pharmacy holds no record",
    Reason.UNKNOWN_PRODUCT: "No manufacturer in the network has ever registered",
    Reason.UNKNOWN_SERIAL: "The product is known but this serial number was never issued",
    Reason.FORKED_CHAIN: "This pack's serial number has two conflicting histories",
    Reason.ALREADY_DISPENSED: "This pack was already dispensed",
    Reason.DECOMMISSIONED: "This pack was taken out of circulation",
    Reason.LOT_MISMATCH: "The lot printed on this pack differs",
    Reason.EXPIRY_MISMATCH: "The expiry date printed on this pack differs",
    Reason.RECALLED: "This lot has been recalled",
    Reason.REPORTED_SUSPECT: "Another member has reported this pack as suspect",
    Reason.NOT_IN_CUSTODY: "The ledger does not show this pack as delivered to your site",
    Reason.EXPIRED: "This pack is past its expiry date",
    Reason.REPORTED_STOLEN: "This pack was reported stolen: do not dispense; quarantine it",
    Reason.EXPORTED: "This pack was exported out of this market: it is not for sale here",
    Reason.SAMPLE: "This pack was handed to an authority as a sample: it is not for sale",
    Reason.QUARANTINED: "This pack is held in quarantine at this site: do not dispense or ship",
    Reason.ALREADY_DISPENSED_HERE: "This pack was dispensed at this site on 2026-06-01 at "
                                   "10:29 UTC: if you just scanned it twice, no action",
    Reason.DISPUTED_LOG: "Part of this pack's history comes from a member's log, which its "
                         "author rewrote",
}


@dataclass(frozen=True)
class Scan:
    """Everything ``decide`` takes: a genuine pack held at a pharmacy, unless changed."""

    code: PackCode = PackCode(GTIN, "SN1", "L1", EXPIRY)  # type: ignore[arg-type]
    facts: PackFacts = PackFacts(gtin_known=True, registered_lot="L1",
                                 registered_expiry=EXPIRY, status=PackStatus.ACTIVE,
                                 custodian=SITE)
    site: GLN = SITE
    role: Role = Role.PHARMACY
    today: date = TODAY
    now: datetime | None = NOW

    def decide(self) -> Decision:
        return decide(self.code, self.facts, self.site, self.role, self.today, self.now)

    def with_facts(self, **changes: object) -> Scan:
        return replace(self, facts=replace(self.facts, **changes))  # type: ignore[arg-type]

    def with_code(self, **changes: object) -> Scan:
        return replace(self, code=replace(self.code, **changes))  # type: ignore[arg-type]


# One change to the genuine scan that raises exactly one reason.
TRIGGERS: dict[Reason, Callable[[Scan], Scan]] = {
    Reason.INVALID_SIGNATURE: lambda s: s.with_facts(integrity_ok=False),
    Reason.UNKNOWN_PRODUCT: lambda s: s.with_facts(gtin_known=False, status=None),
    Reason.UNKNOWN_SERIAL: lambda s: s.with_facts(status=None),
    Reason.CANNOT_VERIFY_OFFLINE: lambda s: s.with_facts(status=None, offline=True),
    Reason.FORKED_CHAIN: lambda s: s.with_facts(forked=True),
    Reason.ALREADY_DISPENSED: lambda s: s.with_facts(status=PackStatus.DISPENSED),
    Reason.DECOMMISSIONED: lambda s: s.with_facts(status=PackStatus.DESTROYED),
    Reason.LOT_MISMATCH: lambda s: s.with_code(lot="L2"),
    Reason.EXPIRY_MISMATCH: lambda s: s.with_code(expiry=date(2031, 1, 31)),
    Reason.RECALLED: lambda s: s.with_facts(recalled=True),
    Reason.REPORTED_SUSPECT: lambda s: s.with_facts(reported=True),
    Reason.NOT_IN_CUSTODY: lambda s: s.with_facts(custodian=ELSEWHERE),
    Reason.EXPIRED: lambda s: replace(s, today=AFTER_EXPIRY),
    Reason.REPORTED_STOLEN: lambda s: s.with_facts(status=PackStatus.STOLEN),
    Reason.EXPORTED: lambda s: s.with_facts(status=PackStatus.EXPORTED),
    Reason.SAMPLE: lambda s: s.with_facts(status=PackStatus.SAMPLED),
    Reason.QUARANTINED: lambda s: s.with_facts(status=PackStatus.QUARANTINED),
    Reason.ALREADY_DISPENSED_HERE: lambda s: s.with_facts(status=PackStatus.DISPENSED,
                                                          dispensed_at=JUST_NOW),
    Reason.DISPUTED_LOG: lambda s: s.with_facts(disputed=True),
}

# Pairs that cannot be raised together, as (hidden, shown): an unknown serial (or a pack a light
# node cannot see offline) hides every check of the pack's history (only a bad signature still
# shows); offline, an unseen pack is not provably unknown; and a dispensed or destroyed pack is
# in nobody's custody. Dispensed and destroyed are two values of one status.
HISTORY = PRECEDENCE[PRECEDENCE.index(Reason.FORKED_CHAIN):]
UNSEEN = (Reason.CANNOT_VERIFY_OFFLINE, Reason.UNKNOWN_PRODUCT, Reason.UNKNOWN_SERIAL)
HIDDEN_BY = [(hidden, unknown) for unknown in UNSEEN for hidden in HISTORY]
HIDDEN_BY += [(Reason.UNKNOWN_SERIAL, Reason.UNKNOWN_PRODUCT),
              (Reason.UNKNOWN_PRODUCT, Reason.CANNOT_VERIFY_OFFLINE),
              (Reason.UNKNOWN_SERIAL, Reason.CANNOT_VERIFY_OFFLINE),
              (Reason.NOT_IN_CUSTODY, Reason.ALREADY_DISPENSED),
              (Reason.NOT_IN_CUSTODY, Reason.DECOMMISSIONED)]
# A pack that left the chain (stolen, exported, sample) is in nobody's custody either, and a
# quarantined one is held where it is: "not in custody" is not asked.
LEFT = (Reason.REPORTED_STOLEN, Reason.EXPORTED, Reason.SAMPLE, Reason.QUARANTINED)
HIDDEN_BY += [(Reason.NOT_IN_CUSTODY, left) for left in LEFT]
EXCLUSIVE = {frozenset(p) for p in HIDDEN_BY}
# Dispensed here means in this site's custody: never "not in custody" too.
EXCLUSIVE.add(frozenset((Reason.NOT_IN_CUSTODY, Reason.ALREADY_DISPENSED_HERE)))
EXCLUSIVE.add(frozenset((Reason.ALREADY_DISPENSED, Reason.DECOMMISSIONED)))
# Every status that ends a pack's life is one value of one status: any two exclude each other.
EXCLUSIVE |= {frozenset(p) for p in itertools.combinations(
    (Reason.ALREADY_DISPENSED, Reason.DECOMMISSIONED, *LEFT, Reason.ALREADY_DISPENSED_HERE), 2)}
PAIRS = [(a, b) for a, b in itertools.combinations(PRECEDENCE, 2)
         if frozenset((a, b)) not in EXCLUSIVE]


def test_every_reason_is_covered() -> None:
    assert set(PRECEDENCE) == set(Reason) == set(TRIGGERS) == set(OPENING)
    assert len(PRECEDENCE) == len(Reason)
    every_pair = {frozenset(p) for p in itertools.combinations(Reason, 2)}
    assert {frozenset(p) for p in PAIRS} | EXCLUSIVE == every_pair


def test_a_genuine_pack_in_our_custody() -> None:
    decision = Scan().decide()
    assert decision == Decision(Verdict.GENUINE, (), GENUINE_SENTENCE, ())


@pytest.mark.parametrize("reason", PRECEDENCE, ids=lambda r: r.value)
def test_each_reason_alone(reason: Reason) -> None:
    decision = TRIGGERS[reason](Scan()).decide()
    assert decision.reasons == (reason,)
    expected = (Verdict.INFORMATION if reason in INFORMATIONAL
                else Verdict.SUSPECT if reason in SUSPECT else Verdict.COUNTERFEIT)
    assert decision.verdict is expected
    assert decision.message.startswith(OPENING[reason])
    assert "more reason" not in decision.message


@pytest.mark.parametrize(("first", "second"), PAIRS, ids=lambda r: r.value)
def test_precedence_of_every_pair(first: Reason, second: Reason) -> None:
    decision = TRIGGERS[second](TRIGGERS[first](Scan())).decide()
    assert decision.reasons == (first, second)
    message = decision.message
    assert message.startswith(OPENING[first])
    assert message.index(OPENING[second]) > len(OPENING[first])
    assert "more reason" not in message
    # An informational reason leaves the verdict to the other one.
    both_suspect = first in SUSPECT | INFORMATIONAL and second in SUSPECT | INFORMATIONAL
    assert decision.verdict is (Verdict.SUSPECT if both_suspect else Verdict.COUNTERFEIT)


@pytest.mark.parametrize(("hidden", "shown"), HIDDEN_BY, ids=lambda r: r.value)
def test_exclusive_pairs_show_only_one_reason(hidden: Reason, shown: Reason) -> None:
    decision = TRIGGERS[shown](TRIGGERS[hidden](Scan())).decide()
    assert decision.reasons == (shown,)


def test_the_sentence_leads_with_two_reasons_and_counts_the_rest() -> None:
    scan = Scan()
    for reason in (Reason.INVALID_SIGNATURE, Reason.FORKED_CHAIN, Reason.ALREADY_DISPENSED,
                   Reason.LOT_MISMATCH, Reason.EXPIRY_MISMATCH, Reason.RECALLED,
                   Reason.REPORTED_SUSPECT, Reason.EXPIRED):
        scan = TRIGGERS[reason](scan)
    decision = scan.decide()
    assert decision.reasons == (Reason.INVALID_SIGNATURE, Reason.FORKED_CHAIN,
                                Reason.ALREADY_DISPENSED, Reason.LOT_MISMATCH,
                                Reason.EXPIRY_MISMATCH, Reason.RECALLED,
                                Reason.REPORTED_SUSPECT, Reason.EXPIRED)
    assert decision.verdict is Verdict.COUNTERFEIT
    assert decision.message.startswith(OPENING[Reason.INVALID_SIGNATURE])
    assert OPENING[Reason.FORKED_CHAIN] in decision.message
    assert OPENING[Reason.ALREADY_DISPENSED] not in decision.message
    assert decision.message.endswith(" (6 more reason(s) listed.)")


def test_suspect_reasons_together_stay_suspect() -> None:
    scan = Scan()
    # Offline hides the others; exported, sample and quarantined are statuses, exclusive with
    # custody. (A disputed log with each of them: test_precedence_of_every_pair.)
    for reason in SUSPECT - {Reason.CANNOT_VERIFY_OFFLINE, Reason.EXPORTED, Reason.SAMPLE,
                             Reason.QUARANTINED, Reason.DISPUTED_LOG}:
        scan = TRIGGERS[reason](scan)
    decision = scan.decide()
    assert decision.verdict is Verdict.SUSPECT
    assert decision.reasons == (Reason.RECALLED, Reason.REPORTED_SUSPECT,
                                Reason.NOT_IN_CUSTODY, Reason.EXPIRED)
    assert decision.message.endswith(" (2 more reason(s) listed.)")


# --- details of single checks -------------------------------------------------------------
def test_an_invalid_code_signature_is_an_invalid_signature() -> None:
    decision = Scan().with_facts(code_signature=CodeSignatureCheck.INVALID).decide()
    assert decision.reasons == (Reason.INVALID_SIGNATURE,)
    assert decision.verdict is Verdict.COUNTERFEIT


@pytest.mark.parametrize(("check", "note"), [
    (CodeSignatureCheck.ABSENT, None),
    (CodeSignatureCheck.VALID, "The manufacturer's signature printed in the code is valid"),
    (CodeSignatureCheck.UNKNOWN_KEY, "from a key this node does not know yet"),
])
def test_code_signature_notes(check: CodeSignatureCheck, note: str | None) -> None:
    decision = Scan().with_facts(code_signature=check).decide()
    assert decision.verdict is Verdict.GENUINE
    if note is None:
        assert decision.notes == ()
    else:
        assert len(decision.notes) == 1 and note in decision.notes[0]


def test_pending_events_are_noted_without_changing_the_verdict() -> None:
    decision = Scan().with_facts(pending_events=2).decide()
    assert decision.verdict is Verdict.GENUINE
    assert decision.notes == ("2 event(s) about this pack wait for earlier history this node "
                              "has not received yet: sync before trusting this verdict.",)


def test_a_code_without_lot_or_expiry_is_not_a_mismatch() -> None:
    decision = Scan().with_code(lot=None, expiry=None).decide()
    assert decision.verdict is Verdict.GENUINE


def test_expiry_day_itself_is_not_expired() -> None:
    assert replace(Scan(), today=EXPIRY).decide().verdict is Verdict.GENUINE


def test_expired_falls_back_on_the_printed_expiry() -> None:
    scan = replace(Scan().with_facts(registered_expiry=None), today=AFTER_EXPIRY)
    decision = scan.decide()
    assert Reason.EXPIRED in decision.reasons


def test_dispensed_here_explains_a_double_scan() -> None:
    decision = TRIGGERS[Reason.ALREADY_DISPENSED](Scan()).decide()
    assert len(decision.notes) == 1 and "dispensed here" in decision.notes[0]
    elsewhere = Scan().with_facts(status=PackStatus.DISPENSED, custodian=ELSEWHERE).decide()
    assert elsewhere.reasons == (Reason.ALREADY_DISPENSED,) and elsewhere.notes == ()


def test_in_transit_to_this_site_is_genuine_and_says_receive_it() -> None:
    decision = Scan().with_facts(status=PackStatus.IN_TRANSIT, custodian=ELSEWHERE,
                                 recipient=SITE).decide()
    assert decision.verdict is Verdict.GENUINE
    assert decision.message == ("Genuine: the pack's history checks out and it is on its way "
                                "to you: receive it before dispensing.")


@pytest.mark.parametrize(("custodian", "recipient"), [(SITE, GLN(DIST_B)),
                                                      (ELSEWHERE, GLN(DIST_B))])
def test_in_transit_to_another_site_is_not_in_custody(custodian: GLN,
                                                      recipient: GLN) -> None:
    decision = Scan().with_facts(status=PackStatus.IN_TRANSIT, custodian=custodian,
                                 recipient=recipient).decide()
    assert decision.reasons == (Reason.NOT_IN_CUSTODY,)
    assert decision.verdict is Verdict.SUSPECT


@pytest.mark.parametrize("status", [PackStatus.ACTIVE, PackStatus.IN_TRANSIT])
def test_a_regulator_is_never_told_not_in_custody(status: PackStatus) -> None:
    decision = replace(Scan().with_facts(status=status, custodian=ELSEWHERE),
                       role=Role.REGULATOR, site=GLN(DIST_B)).decide()
    assert decision.verdict is Verdict.GENUINE
    assert decision.message == ("Genuine: the pack's history checks out; every signature and "
                                "proof verified.")


def test_an_unknown_serial_hides_the_history_checks() -> None:
    scan = Scan().with_facts(status=None, forked=True, recalled=True, reported=True)
    decision = replace(scan.with_code(lot="L9"), today=AFTER_EXPIRY).decide()
    assert decision.reasons == (Reason.UNKNOWN_SERIAL,)


# --- the double scan: an informational answer, not an alert ------------------------------
DISPENSED_HERE = Scan().with_facts(status=PackStatus.DISPENSED, dispensed_at=JUST_NOW)


def test_a_pack_just_dispensed_here_is_information_not_counterfeit() -> None:
    decision = DISPENSED_HERE.decide()
    assert decision.verdict is Verdict.INFORMATION
    assert decision.reasons == (Reason.ALREADY_DISPENSED_HERE,)
    assert decision.message == (
        "This pack was dispensed at this site on 2026-06-01 at 10:29 UTC: if you just scanned "
        "it twice, no action is needed. Do not hand it out again; if it was dispensed by "
        "mistake, undo the dispense.")
    assert decision.notes == ()


def test_the_same_code_dispensed_at_another_site_is_counterfeit() -> None:
    decision = DISPENSED_HERE.with_facts(custodian=ELSEWHERE).decide()
    assert decision.verdict is Verdict.COUNTERFEIT
    assert decision.reasons == (Reason.ALREADY_DISPENSED,) and decision.notes == ()


@pytest.mark.parametrize("after", [UNDO_DISPENSE_WINDOW + timedelta(seconds=1),
                                   timedelta(days=400)])
def test_dispensed_here_longer_ago_than_the_undo_window_is_counterfeit(
        after: timedelta) -> None:
    decision = replace(DISPENSED_HERE, now=JUST_NOW + after).decide()
    assert decision.verdict is Verdict.COUNTERFEIT
    assert decision.reasons == (Reason.ALREADY_DISPENSED,)
    assert decision.notes == ("It was dispensed here on 2026-06-01 at 10:29 UTC, longer ago "
                              "than the 10-day undo window: a second pack with this code is a "
                              "copy.",)


def test_the_undo_window_itself_still_counts_as_a_double_scan() -> None:
    decision = replace(DISPENSED_HERE, now=JUST_NOW + UNDO_DISPENSE_WINDOW).decide()
    assert decision.verdict is Verdict.INFORMATION


def test_dispensed_here_on_a_forked_chain_is_counterfeit() -> None:
    decision = DISPENSED_HERE.with_facts(forked=True).decide()
    assert decision.verdict is Verdict.COUNTERFEIT
    assert decision.reasons == (Reason.FORKED_CHAIN, Reason.ALREADY_DISPENSED_HERE)


def test_dispensed_here_with_a_recall_is_suspect() -> None:
    decision = DISPENSED_HERE.with_facts(recalled=True).decide()
    assert decision.verdict is Verdict.SUSPECT
    assert decision.reasons == (Reason.RECALLED, Reason.ALREADY_DISPENSED_HERE)


@pytest.mark.parametrize("scan", [replace(DISPENSED_HERE, now=None),
                                  DISPENSED_HERE.with_facts(dispensed_at=None)],
                         ids=["time of scan unknown", "time of dispense unknown"])
def test_without_both_times_a_dispense_here_is_not_taken_as_recent(scan: Scan) -> None:
    decision = scan.decide()
    assert decision.verdict is Verdict.COUNTERFEIT
    assert decision.reasons == (Reason.ALREADY_DISPENSED,)


# --- quarantine ----------------------------------------------------------------------------
def test_a_quarantined_pack_elsewhere_names_its_custodian() -> None:
    decision = Scan().with_facts(status=PackStatus.QUARANTINED, custodian=ELSEWHERE).decide()
    assert decision.verdict is Verdict.SUSPECT
    assert decision.reasons == (Reason.QUARANTINED,)
    assert decision.message == (f"This pack is held in quarantine at GLN {ELSEWHERE}: do not "
                                "dispense or ship it until its custodian signs a release that "
                                "clears it.")


# --- rewritten logs ------------------------------------------------------------------------
def test_a_disputed_log_names_its_author_and_is_never_genuine() -> None:
    decision = Scan().with_facts(disputed=True,
                                 disputed_author="Acme Pharma (5012345000022)").decide()
    assert decision.verdict is Verdict.SUSPECT and decision.reasons == (Reason.DISPUTED_LOG,)
    assert decision.message.startswith("Part of this pack's history comes from Acme Pharma "
                                       "(5012345000022)'s log, which its author rewrote")
    assert "do not dispense until the regulator settles it" in decision.message
    regulator = replace(Scan(), role=Role.REGULATOR).with_facts(disputed=True).decide()
    assert regulator.verdict is Verdict.SUSPECT
