"""Alerts that end: a site raises, investigates, confirms, reports and closes its alerts.

Each step is a signed alert event in this node's own log (``supplychain.ledger.alert_events``),
so every node that holds the log (the regulator first) derives the same life. The queue of a
site is its signed alerts plus its local detections nobody acted on yet
(``supplychain.node.alert_detections``); acting on a detection first signs its raise.
docs/ARCHITECTURE.md, "Alerts that end".
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from supplychain import clock
from supplychain.errors import AlertClosed, AlertError, AlertNotFound
from supplychain.i18n import _
from supplychain.identity.certificates import Role
from supplychain.ids import GLN, PackKey
from supplychain.ledger.alert_events import AlertBody, AlertStep
from supplychain.ledger.alert_life import (
    Alert,
    AlertCause,
    AlertState,
    ClosingReason,
    cause_of,
    fold_alerts,
)
from supplychain.ledger.alert_rows import alert_steps
from supplychain.ledger.events import MAX_TEXT, Event, EventType, Item, is_container_key
from supplychain.ledger.verdicts import Verdict
from supplychain.node.alert_detections import local_detections
from supplychain.node.reports import VerdictReport

if TYPE_CHECKING:
    from supplychain.node.operations import Node

__all__ = ["alert_for_verdict", "close_alert", "confirm_falsified", "get_alert", "investigate",
           "list_alerts", "notified_members", "raise_alert", "report_alert"]

_PACK = re.compile(r"[0-9]{14}/[!-~]{1,20}")
_ID_PREFIX = re.compile(r"[0-9a-f]{6,16}")
MIN_PREFIX = 6


# --- reading --------------------------------------------------------------------------
def list_alerts(node: Node, *, state: AlertState | None = None, owner: str | None = None,
                cause: AlertCause | None = None, national: bool = False) -> list[Alert]:
    """This site's alerts, newest first: the signed ones it owns and its local detections
    (NEW, ``signed`` False, until someone acts on them). ``national``: every owner's signed
    alerts this node holds too (the regulator's view)."""
    signed = fold_alerts(alert_steps(node.store, None if national else node.gln))
    mine = {a.id for a in signed if a.owner == node.gln}
    alerts = signed + [a for a in local_detections(node.store, node.gln) if a.id not in mine]
    return sorted((a for a in alerts
                   if (state is None or a.state is state) and (owner is None or a.owner == owner)
                   and (cause is None or a.cause is cause)),
                  key=lambda a: (a.raised_at, a.owner, a.id), reverse=True)


def get_alert(node: Node, alert_id: str) -> Alert:
    """The alert with this id, or the only one whose id starts with it (>= 6 hex); this
    site's own first when two owners hold the same id. AlertNotFound otherwise."""
    wanted = alert_id.strip().lower()
    if not _ID_PREFIX.fullmatch(wanted):
        raise AlertNotFound(_("{text!r} is not an alert id: give at least {count} of its hex "
                              "digits, as `supplychain alerts` lists them.")
                            .format(text=alert_id, count=MIN_PREFIX))
    found = [a for a in list_alerts(node, national=True) if a.id.startswith(wanted)]
    if len({a.id for a in found}) > 1:
        raise AlertNotFound(_("{text} matches several alerts ({ids}); give more digits.")
                            .format(text=wanted, ids=", ".join(sorted({a.id for a in found}))))
    if not found:
        raise AlertNotFound(_("No alert {text} is held here; `supplychain alerts --national` "
                              "lists every alert this node holds.").format(text=wanted))
    found.sort(key=lambda a: (a.owner != node.gln, a.owner))
    return found[0]


def notified_members(node: Node, packs: Sequence[str]) -> tuple[GLN, ...]:
    """Who a confirmed falsified pack is reported to: every regulator in the directory and
    every member in the packs' custody chains (authors, custodians, recipients), not us."""
    glns = {m.gln for m in node.store.member_names() if m.role == Role.REGULATOR.value}
    for pack in packs:
        for step in node.ledger.chain(pack):
            glns.update(g for g in (step.log, step.custodian, step.recipient) if g)
    glns.discard(node.gln)
    return tuple(sorted(glns))


# --- raising --------------------------------------------------------------------------
def raise_alert(node: Node, cause: AlertCause, subject: str, packs: Sequence[str],
                detail: str) -> Alert:
    """Sign a new alert of this site (any role may); return it."""
    body = AlertBody(secrets.token_hex(8), AlertStep.RAISE, cause=cause, subject=subject)
    node.append([_raise_event(node, body, packs, detail)])
    return get_alert(node, body.id)


def alert_for_verdict(node: Node, report: VerdictReport) -> Alert | None:
    """The alert a SUSPECT or COUNTERFEIT verdict calls for: an open alert of this site for
    the same pack and cause if there is one (a detection of it is signed first), else a new
    one. None for a verdict that calls for no alert (genuine, informational, offline)."""
    if report.verdict not in (Verdict.SUSPECT, Verdict.COUNTERFEIT):
        return None
    cause = cause_of(report.decision.reasons)
    if cause is None:
        return None
    code = report.code
    if (cause is AlertCause.UNKNOWN_SERIAL and code.lot is not None
            and not node.packs_of_lot(code.gtin, code.lot)):
        cause = AlertCause.UNKNOWN_BATCH  # the lot was never registered for this product
    key = str(code.key)
    for alert in list_alerts(node, owner=node.gln, cause=cause):
        if alert.open and (alert.subject == key or key in alert.packs):
            return alert if alert.signed else _act(node, alert, [])
    return raise_alert(node, cause, key, [key], report.decision.message)


# --- the steps ------------------------------------------------------------------------
def investigate(node: Node, alert_id: str, note: str | None = None) -> Alert:
    """Mark the alert as being investigated (a note says what is being checked)."""
    alert = _open_alert(node, alert_id)
    return _act(node, alert, [_step(node, AlertBody(alert.id, AlertStep.INVESTIGATE), note)])


def confirm_falsified(node: Node, alert_id: str, note: str | None = None) -> Alert:
    """Confirm the pack falsified: the 24 h report clock starts (``Alert.deadline``)."""
    alert = _open_alert(node, alert_id)
    if alert.confirmed_at is not None:
        raise AlertError(_("Alert {id} was already confirmed falsified at {when}; report it "
                           "with `supplychain alerts report {id}`.")
                         .format(id=alert.id[:10], when=alert.confirmed_at))
    return _act(node, alert, [_step(node, AlertBody(alert.id, AlertStep.CONFIRM), note)])


def report_alert(node: Node, alert_id: str, out: Path | None = None) -> Alert:
    """Sign the report of a confirmed falsified alert to the regulator(s) and the trading
    partners in the packs' chains (``notified_members``); with ``out``, also write the
    falsification report form there (.json, .csv or .pdf)."""
    alert = _own(node, get_alert(node, alert_id))
    if alert.confirmed_at is None:
        raise AlertError(_("Alert {id} is not confirmed falsified: confirm it first "
                           "(`supplychain alerts confirm {id}`), or close it with its real "
                           "reason.").format(id=alert.id[:10]))
    if out is not None and not alert.packs:
        raise AlertError(_("Alert {id} names no pack (its subject is {subject}); the report "
                           "form lists packs, so report it without --out.")
                         .format(id=alert.id[:10], subject=alert.subject))
    if alert.reported_at is None:
        if not alert.open:
            raise AlertClosed(_("Alert {id} is closed.").format(id=alert.id[:10]))
        body = AlertBody(alert.id, AlertStep.REPORT,
                         notified=notified_members(node, alert.packs))
        alert = _act(node, alert, [_step(node, body, None)])
    if out is not None:
        from supplychain.node.falsification_report import (
            build_falsification_report,
            write_falsification_report,
        )
        write_falsification_report(
            build_falsification_report(node, alert.packs, alert.detail, alert), out)
    return alert


def close_alert(node: Node, alert_id: str, reason: ClosingReason,
                note: str | None = None) -> Alert:
    """Close the alert with its reason. CONFIRMED_FALSIFIED signs what is missing first:
    the confirmation and the report (``report_alert``), then the close, in one append."""
    alert = _open_alert(node, alert_id)
    steps: list[Event] = []
    if reason is ClosingReason.CONFIRMED_FALSIFIED:
        if alert.confirmed_at is None:
            steps.append(_step(node, AlertBody(alert.id, AlertStep.CONFIRM), None))
        if alert.reported_at is None:
            steps.append(_step(node, AlertBody(alert.id, AlertStep.REPORT,
                                               notified=notified_members(node, alert.packs)),
                               None))
    elif alert.confirmed_at is not None:
        raise AlertError(_("Alert {id} was confirmed falsified; close it as confirmed "
                           "falsified.").format(id=alert.id[:10]))
    steps.append(_step(node, AlertBody(alert.id, AlertStep.CLOSE, closing=reason), note))
    return _act(node, alert, steps)


# --- helpers --------------------------------------------------------------------------
def _own(node: Node, alert: Alert) -> Alert:
    if alert.owner != node.gln:
        raise AlertError(_("Alert {id} belongs to {name} ({gln}); only the site that raised "
                           "an alert can take it further.")
                         .format(id=alert.id[:10], name=node.ledger.member_name(alert.owner),
                                 gln=alert.owner))
    return alert


def _open_alert(node: Node, alert_id: str) -> Alert:
    alert = _own(node, get_alert(node, alert_id))
    if not alert.open:
        raise AlertClosed(_("Alert {id} is closed ({reason}); a closed alert stays closed. "
                            "Raise a new alert for a new finding.")
                          .format(id=alert.id[:10],
                                  reason=alert.closing.value if alert.closing else "-"))
    return alert


def _act(node: Node, alert: Alert, steps: list[Event]) -> Alert:
    """Append ``steps`` of ``alert`` (after signing its raise if it is a local detection)."""
    if not alert.signed:
        body = AlertBody(alert.id, AlertStep.RAISE, cause=alert.cause, subject=alert.subject)
        raised = _raise_event(node, body, alert.packs, alert.detail)
        # Stamped after the steps were: they take its time, so the log's times never go back.
        steps = [raised, *(replace(s, time=max(s.time, raised.time, key=clock.parse_iso))
                           for s in steps)]
    if steps:
        node.append(steps)
    return get_alert(node, alert.id)


def _raise_event(node: Node, body: AlertBody, packs: Sequence[str], detail: str) -> Event:
    keys = list(dict.fromkeys(str(p) for p in packs))
    bad = [k for k in keys if not _PACK.fullmatch(k) or is_container_key(k)]
    if bad:
        raise AlertError(_("An alert names packs ('GTIN/serial'); {bad} is not one (name a "
                           "case or a member as the alert's subject instead).")
                         .format(bad=", ".join(bad)))
    return _step(node, body, detail, [Item(PackKey(k)) for k in keys])


def _step(node: Node, body: AlertBody, note: str | None, items: Sequence[Item] = ()) -> Event:
    text = (note or "").strip()
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT - 1] + "…"
    return node._event(EventType.ALERT, items, reason=text or None, alert=body)
