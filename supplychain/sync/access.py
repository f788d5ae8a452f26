"""Who may read what from this node: the consortium's sharing policy applied to one request.

Pure: no sockets, no store. The transport asks before answering (``decide``) and answers 403
with the decision's reason when it says no. Under ``need-to-know`` whole logs (entries, and
consistency and inclusion proofs of any range) go only to the regulator, the designated hubs
and the log's author; checkpoints, the member directory and health (sizes and hashes only)
are public to members; notices and a member's push of its own log are always accepted.
Under ``full`` every member may read everything (the behaviour before policies existed).

Extend by adding a ``Read`` and a rule function returning a ``Decision`` (the light-node
questions add their own: a pack's chain, the entries naming a member).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from supplychain.i18n import _
from supplychain.identity.certificates import Role
from supplychain.identity.sharing import SharingPolicy


class Read(StrEnum):
    """What a request asks for (one per kind of endpoint)."""

    HEALTH = "health"
    CHECKPOINTS = "checkpoints"
    DIRECTORY = "directory"
    NOTIFY = "notify"
    LOG_ENTRIES = "log_entries"
    LOG_CONSISTENCY = "log_consistency"
    LOG_INCLUSION = "log_inclusion"
    PUSH = "push"


WHOLE_LOG_READS = frozenset({Read.LOG_ENTRIES})
PUBLIC_READS = frozenset({Read.HEALTH, Read.CHECKPOINTS, Read.DIRECTORY, Read.NOTIFY,
                          Read.LOG_CONSISTENCY, Read.LOG_INCLUSION})
"""Proofs are hashes only, like the hash tiles anyone may fetch (docs/SYNC.md): a light node
needs consistency proofs to move to a newer checkpoint of a log it may not read in full."""


class Rule(StrEnum):
    """The rule a decision applied (sent with a 403 and stored with the evidence)."""

    FULL_SHARING = "full-sharing"
    PUBLIC = "public-to-members"
    AUTHOR = "own-log"
    ENTITLED_ROLE = "regulator-or-hub"
    NEED_TO_KNOW = "need-to-know"
    PUSH_OWN_LOG = "push-own-log-only"


@dataclass(frozen=True)
class Caller:
    """Who asks: the GLN and role of its verified member certificate."""

    gln: str
    role: Role


@dataclass(frozen=True)
class Decision:
    """Allow or deny, the rule that decided, and a reason a person can act on."""

    allowed: bool
    rule: Rule
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


def _allow(rule: Rule, reason: str) -> Decision:
    return Decision(True, rule, reason)


def need_to_know_reason() -> str:
    return _("this consortium shares need-to-know: whole logs go only to the regulator and "
             "hubs (and to each log's author)")


def entitled_to_whole_logs(caller: Caller, policy: SharingPolicy) -> bool:
    """May ``caller`` read every log in full (full sharing, the regulator, a hub)?"""
    return policy.reads_whole_logs(caller.gln, caller.role)


def may_read_log(caller: Caller, policy: SharingPolicy, log_gln: str) -> Decision:
    """May ``caller`` read log ``log_gln`` in full (entries, any consistency or inclusion
    proof)?"""
    if not policy.need_to_know:
        return _allow(Rule.FULL_SHARING, _("this consortium shares every log with every member"))
    if caller.gln == log_gln:
        return _allow(Rule.AUTHOR, _("a member may read its own log"))
    if caller.role is Role.REGULATOR:
        return _allow(Rule.ENTITLED_ROLE, _("the regulator may read every log"))
    if policy.is_hub(caller.gln):
        return _allow(Rule.ENTITLED_ROLE, _("a designated hub may read every log"))
    return Decision(False, Rule.NEED_TO_KNOW, need_to_know_reason())


def may_push(caller: Caller, log_gln: str) -> Decision:
    """May ``caller`` push entries of log ``log_gln``? Only its author, under any policy."""
    if caller.gln == log_gln:
        return _allow(Rule.PUSH_OWN_LOG, _("a member may push its own log"))
    return Decision(False, Rule.PUSH_OWN_LOG,
                    _("only a log's author may push it: {caller} pushed log {log}")
                    .format(caller=caller.gln, log=log_gln))


def decide(caller: Caller, policy: SharingPolicy, read: Read,
           log_gln: str | None = None) -> Decision:
    """The decision for one request; ``log_gln`` is needed for whole-log reads and pushes."""
    if read in PUBLIC_READS:
        return _allow(Rule.PUBLIC, _("checkpoints, the directory, health and notices are "
                                     "open to every member (sizes and hashes only)"))
    if log_gln is None:
        raise ValueError(f"{read} needs the log's GLN")
    if read is Read.PUSH:
        return may_push(caller, log_gln)
    return may_read_log(caller, policy, log_gln)
