"""`supplychain alerts`: the alert queue and each alert's life (docs/ARCHITECTURE.md,
"Alerts that end"): list, show, investigate, confirm, report, close."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import Any

from supplychain import clock
from supplychain.cli.common import EXIT_OK, add_command, open_node
from supplychain.codes.gs1 import validate_gln
from supplychain.i18n import _
from supplychain.ledger.alert_life import (
    Alert,
    AlertCause,
    AlertState,
    ClosingReason,
    cause_words,
    closing_words,
    deadline_words,
    duration_words,
    state_words,
    step_words,
)
from supplychain.ledger.alerts import kind_words
from supplychain.node import alerts
from supplychain.node.alert_detections import peer_trouble
from supplychain.node.operations import Node

OPEN = "open"
"""``--state open``: new or investigating."""


def _data(node: Node, alert: Alert) -> dict[str, Any]:
    data = alert.to_dict()
    data["owner_name"] = node.ledger.member_name(alert.owner)
    data["notified_names"] = [node.ledger.member_name(g) for g in alert.notified]
    if alert.kind is not None:
        data["kind_words"] = kind_words(alert.kind)
    return data


def _age(alert: Alert, now: datetime) -> str:
    if not alert.raised_at:
        return "-"
    return _("{time} ago").format(time=duration_words(now - clock.parse_iso(alert.raised_at)))


def alert_line(node: Node, alert: Alert, now: datetime) -> str:
    """One alert as `supplychain alerts` lists it."""
    line = (f"{alert.id[:10]}  {state_words(alert.state):<13} {cause_words(alert.cause)}: "
            f"{alert.subject}  "
            + _("({owner}, {age})").format(owner=node.ledger.member_name(alert.owner),
                                           age=_age(alert, now)))
    due = deadline_words(alert, now)
    if due:
        line += f"  {due}"
    if alert.closing is not None:
        line += "  " + closing_words(alert.closing)
    if not alert.signed:
        line += "  " + _("[{words}, not acted on yet]").format(
            words=kind_words(alert.kind or ""))
    return line


def cmd_peer_trouble(args: argparse.Namespace) -> int:
    """`alerts --network`: peer trouble kept as evidence, which is not an alert."""
    with open_node(args) as node:
        rows: list[dict[str, object]] = [
            {"kind": e.kind, "words": kind_words(e.kind), "subject": e.subject,
             "detail": e.detail, "evidence": e.evidence, "peer": e.peer,
             "first_seen": e.first_seen, "last_seen": e.last_seen, "count": e.count}
            for e in peer_trouble(node.store)]
    args.out.emit(rows, "\n".join(f"{r['words']} [{r['kind']}] {r['subject']}: {r['detail']}"
                                  for r in rows) or _("No peer trouble."))
    return EXIT_OK


def cmd_alerts(args: argparse.Namespace) -> int:
    if args.network:
        return cmd_peer_trouble(args)
    state = None if args.state in (None, OPEN) else AlertState(args.state)
    cause = AlertCause(args.cause) if args.cause else None
    owner = validate_gln(args.owner) if args.owner else None
    now = clock.now()
    with open_node(args) as node:
        found = alerts.list_alerts(node, state=state, owner=owner, cause=cause,
                                   national=args.national or owner is not None)
        if args.state == OPEN:
            found = [a for a in found if a.open]
        rows = [_data(node, a) for a in found]
        lines = [alert_line(node, a, now) for a in found]
    args.out.emit(rows, "\n".join(lines) or _("No alerts."))
    return EXIT_OK


def alert_text(node: Node, alert: Alert, now: datetime) -> str:
    """The whole life of one alert, for `alerts show`."""
    owner = f"{node.ledger.member_name(alert.owner)} ({alert.owner})"
    lines = [_("Alert {id} of {owner}").format(id=alert.id, owner=owner),
             "  " + _("Cause: {words}").format(words=cause_words(alert.cause)),
             "  " + _("State: {state}").format(state=state_words(alert.state)),
             "  " + _("Subject: {subject}").format(subject=alert.subject)]
    if alert.packs:
        lines.append("  " + _("Packs: {packs}").format(packs=", ".join(alert.packs)))
    lines.append("  " + _("Detail: {detail}").format(detail=alert.detail))
    if alert.kind is not None:
        lines.append("  " + _("Detected as: {words} [{kind}]").format(
            words=kind_words(alert.kind), kind=alert.kind))
    if alert.evidence:
        lines.append("  " + _("Evidence: {evidence}").format(evidence=alert.evidence))
    if alert.peer:
        lines.append("  " + _("Served by: {peer}").format(peer=alert.peer))
    lines.append("  " + _("Raised: {time}").format(time=alert.raised_at or "-"))
    if alert.steps:
        lines.append("  " + _("Steps:"))
    for step in alert.steps:
        text = f"    {step.time}  {step_words(step.step):<20} " + _("by {name}").format(
            name=node.ledger.member_name(step.owner))
        if step.closing is not None:
            text += f" ({closing_words(step.closing)})"
        if step.note and step.index != alert.steps[0].index:
            text += f": {step.note}"
        lines.append(text)
    if not alert.signed:
        lines.append("  " + _("Nobody has acted on it yet: `supplychain alerts investigate "
                              "{id}` signs it into this site's log.").format(id=alert.id[:10]))
    if alert.notified:
        lines.append("  " + _("Notified: {who}").format(who=", ".join(
            f"{node.ledger.member_name(g)} ({g})" for g in alert.notified)))
    due = deadline_words(alert, now)
    if due:
        lines.append("  " + _("Report: {due} (confirmed {time}; 24 h rule)").format(
            due=due, time=alert.confirmed_at))
    elif alert.reported_at:
        lines.append("  " + _("Reported: {time}").format(time=alert.reported_at))
    if alert.closing is not None:
        lines.append("  " + _("Closed: {reason}").format(reason=closing_words(alert.closing))
                     + (f": {alert.note}" if alert.note else ""))
    return "\n".join(lines)


def cmd_alerts_show(args: argparse.Namespace) -> int:
    with open_node(args) as node:
        alert = alerts.get_alert(node, args.id)
        args.out.emit(_data(node, alert), alert_text(node, alert, clock.now()))
    return EXIT_OK


def _emit_step(args: argparse.Namespace, node: Node, alert: Alert, sentence: str) -> None:
    text = sentence.format(id=alert.id[:10], state=state_words(alert.state))
    due = deadline_words(alert, clock.now())
    if due:
        text += " " + _("Deadline: {due} (`supplychain alerts report {id}`).").format(
            due=due, id=alert.id[:10])
    args.out.emit(_data(node, alert), text)


def cmd_alerts_investigate(args: argparse.Namespace) -> int:
    with open_node(args) as node:
        alert = alerts.investigate(node, args.id, args.note)
        _emit_step(args, node, alert, _("Alert {id} is being investigated."))
    return EXIT_OK


def cmd_alerts_confirm(args: argparse.Namespace) -> int:
    with open_node(args) as node:
        alert = alerts.confirm_falsified(node, args.id, args.note)
        _emit_step(args, node, alert, _("Alert {id}: confirmed falsified."))
    return EXIT_OK


def cmd_alerts_report(args: argparse.Namespace) -> int:
    with open_node(args) as node:
        alert = alerts.report_alert(node, args.id, args.out_file)
        who = ", ".join(node.ledger.member_name(g) for g in alert.notified) or "-"
        sentence = _("Alert {id}: reported to {who}.").replace("{who}", who)
        if args.out_file is not None:
            sentence += " " + _("Report form written to {file}.").replace(
                "{file}", str(args.out_file))
        _emit_step(args, node, alert, sentence)
    return EXIT_OK


def cmd_alerts_close(args: argparse.Namespace) -> int:
    reason = ClosingReason(args.reason.replace("-", "_"))
    with open_node(args) as node:
        alert = alerts.close_alert(node, args.id, reason, args.note)
        sentence = _("Alert {id} is closed: {reason}.").replace("{reason}",
                                                                 closing_words(reason))
        if reason is ClosingReason.CONFIRMED_FALSIFIED:
            who = ", ".join(node.ledger.member_name(g) for g in alert.notified) or "-"
            sentence += " " + _("Reported to {who}.").replace("{who}", who)
        _emit_step(args, node, alert, sentence)
    return EXIT_OK


def _action(actions: Any, name: str, handler: Any, text: str) -> argparse.ArgumentParser:
    """A sub-command of `alerts`; its --json adds to one given before it (`alerts --json show`)."""
    p = add_command(actions, name, handler, text)
    for action in p._actions:
        if action.dest == "json":
            action.default = argparse.SUPPRESS
    return p


def register(sub: Any) -> None:
    p = add_command(sub, "alerts", cmd_alerts,
                    _("the alert queue (forks, rejected events, suspect scans) and each "
                      "alert's life"))
    p.add_argument("--state", choices=[s.value for s in AlertState] + [OPEN], default=None,
                   help=_("only alerts in this state ('open': new or investigating)"))
    p.add_argument("--cause", choices=[c.value for c in AlertCause], default=None)
    p.add_argument("--owner", default=None, metavar="GLN",
                   help=_("only the alerts of this site (any site's, as --national)"))
    p.add_argument("--national", action="store_true",
                   help=_("every site's signed alerts this node holds (the regulator's view)"))
    p.add_argument("--network", action="store_true",
                   help=_("instead, the peer trouble kept as evidence (unreachable peers, "
                          "refused connections): the network's business, not alerts"))
    actions = p.add_subparsers(dest="action", required=False, metavar="ACTION")
    s = _action(actions, "show", cmd_alerts_show, _("one alert's whole life"))
    s.add_argument("id", metavar="ID")
    for name, handler, text in (
            ("investigate", cmd_alerts_investigate, _("mark an alert as being investigated")),
            ("confirm", cmd_alerts_confirm,
             _("confirm the pack falsified (starts the 24 h report clock)"))):
        s = _action(actions, name, handler, text)
        s.add_argument("id", metavar="ID")
        s.add_argument("--note", default=None)
    s = _action(actions, "report", cmd_alerts_report,
                    _("report a confirmed falsified alert to the regulator and the trading "
                      "partners"))
    s.add_argument("id", metavar="ID")
    s.add_argument("--out", dest="out_file", type=Path, default=None, metavar="FILE",
                   help=_("also write the report form (.json, .csv or .pdf)"))
    s = _action(actions, "close", cmd_alerts_close, _("close an alert with its reason"))
    s.add_argument("id", metavar="ID")
    s.add_argument("--reason", required=True,
                   choices=[r.value.replace("_", "-") for r in ClosingReason])
    s.add_argument("--note", required=True, help=_("what was found"))
