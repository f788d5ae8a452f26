"""What a person may do with a pack just scanned at this site, and the wording of a
quarantine. The GUI offers these as buttons; the CLI has a command for each."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from supplychain import clock
from supplychain.identity.certificates import Role
from supplychain.ledger.events import EventType
from supplychain.ledger.records import PackRecord
from supplychain.ledger.rules import UNDO_DISPENSE_WINDOW, PackStatus, may
from supplychain.ledger.verdicts import Verdict
from supplychain.node.operations import VerdictReport


class PackAction(StrEnum):
    RECEIVE = "receive"
    DISPENSE = "dispense"
    REPORT = "report"
    QUARANTINE = "quarantine"
    UNDO_DISPENSE = "undo_dispense"
    # Exits and returns (docs/ARCHITECTURE.md, "Exits and returns").
    REPORT_STOLEN = "report_stolen"
    EXPORT = "export"
    SAMPLE = "sample"
    RETURN = "return"
    CHECK_RETURN = "check_return"
    RELEASE = "release"  # a quarantined pack, at its custodian


def pack_actions(report: VerdictReport, record: PackRecord | None, gln: str, role: Role,
                 now: datetime | None = None) -> frozenset[PackAction]:
    """The actions open on a scanned pack at site ``gln``: anyone may report or quarantine
    (a pack quarantined here is released instead); receive what is in transit to us; a
    pharmacy dispenses a genuine pack it holds, and may undo its own dispense within the
    window."""
    actions = {PackAction.REPORT, PackAction.QUARANTINE}
    if (record is not None and record.status is PackStatus.QUARANTINED
            and record.custodian == gln and may(role, EventType.RELEASE)):
        actions = {PackAction.REPORT, PackAction.RELEASE}
    if record is not None and not record.forked:
        if record.status is PackStatus.IN_TRANSIT and record.recipient == gln:
            actions.add(PackAction.RECEIVE)
        if (role is Role.PHARMACY and record.status is PackStatus.ACTIVE
                and record.custodian == gln and report.verdict is Verdict.GENUINE):
            actions.add(PackAction.DISPENSE)
        if may_undo_dispense(report, gln, role, now):
            actions.add(PackAction.UNDO_DISPENSE)
        actions = exit_actions(actions, report, record, gln, role)
    return frozenset(actions)


def exit_actions(actions: set[PackAction], report: VerdictReport, record: PackRecord, gln: str,
                 role: Role) -> set[PackAction]:
    """``actions`` with the exits and returns open on a pack (not forked) at site ``gln``:
    its custodian may report it stolen (held, or shipped and not received yet), export it or
    hand it over as a sample (held, as its role allows), a pharmacy may return it; a pack
    returned to us is received only through the saleable-returns check."""
    ours = record.custodian == gln
    if ours and record.status in (PackStatus.ACTIVE, PackStatus.IN_TRANSIT) \
            and may(role, EventType.STOLEN):
        actions.add(PackAction.REPORT_STOLEN)
    if ours and record.status is PackStatus.ACTIVE:
        for kind, action in ((EventType.EXPORT, PackAction.EXPORT),
                             (EventType.SAMPLE, PackAction.SAMPLE),
                             (EventType.RETURN, PackAction.RETURN)):
            if may(role, kind):
                actions.add(action)
    if (PackAction.RECEIVE in actions and report.history
            and report.history[-1].type is EventType.RETURN):
        actions.discard(PackAction.RECEIVE)
        actions.add(PackAction.CHECK_RETURN)
    return actions


def may_undo_dispense(report: VerdictReport, gln: str, role: Role,
                      now: datetime | None = None) -> bool:
    """Our own dispense, the pack's last event, still within the undo window."""
    if role is not Role.PHARMACY or not report.history:
        return False
    last = report.history[-1]
    return (last.type is EventType.DISPENSE and last.actor == gln
            and (now or clock.now()) - clock.parse_iso(last.time)
            <= UNDO_DISPENSE_WINDOW)


def quarantine_reason(site: str) -> str:
    """The reason of a quarantine at ``site``: of the signed QUARANTINE, or of the suspect
    report filed instead for a pack not in this site's custody (``node.quarantine``)."""
    return f"quarantined at {site}"
