"""Light nodes over the network: a light sync round, and verdicts that ask full nodes.

A light node's round with a peer pulls the directory, its own log (the usual pull), every
log's latest signed checkpoint (verified, and consistent with the one held: a consistency
proof is asked for a newer one), and the entries addressed to it with the chains of the packs
they carry (``GET /v1/members/{gln}/entries``), each verified alone (``ledger.proven``).
A verdict on a light node asks every full node (peer) about the pack in one round trip,
verifies each answer and keeps the union of what verified; without any answer the verdict
is "offline" and never GENUINE for a pack the node cannot see (``verdicts``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Protocol

from supplychain.codes.gs1 import PackCode
from supplychain.errors import (
    InconsistentLog,
    MerkleError,
    NotEntitled,
    PeerMisbehaved,
    PeerRefused,
    ProtocolError,
    SupplyChainError,
    SyncError,
)
from supplychain.i18n import _
from supplychain.ledger.checkpoint import SignedCheckpoint
from supplychain.ledger.cosignature import policy_accepts
from supplychain.ledger.membership import sharing_policy
from supplychain.ledger.proven import (
    ProvenEntry,
    VerifiedEntry,
    check_consistency,
    consistency_needed,
    keep_checkpoint,
    keep_proven,
    verify_proven,
)
from supplychain.ledger.sparse import NodeMode, node_mode
from supplychain.ledger.witnessing import held_policy, keep_cosignatures
from supplychain.node.operations import Node, VerdictReport, parse_codes
from supplychain.sync.access import Caller, entitled_to_whole_logs
from supplychain.sync.protocol import CheckpointsDoc, ProofDoc, StoreRunner, run_in_place
from supplychain.sync.puller import PullReport, failure_of
from supplychain.sync.questions import ASK_TIMEOUT, MemberEntriesDoc, PackDoc, PackQuery
from supplychain.sync.replica import (
    EQUIVOCATION,
    FORGED_ENTRY,
    INCONSISTENT_HISTORY,
    Replica,
)

log = logging.getLogger("supplychain.sync")

SINCE_KEY = "light.since {url}"
"""Meta key: the position up to which a peer's member entries were taken (per peer URL)."""


class FullNode(Protocol):
    """What a light node asks a full node (``transport.HttpPeer`` is one)."""

    url: str

    async def consistency(self, gln: str, old: int, new: int) -> ProofDoc: ...

    async def pack(self, query: PackQuery) -> PackDoc: ...

    async def member_entries(self, gln: str, since: int) -> MemberEntriesDoc: ...



def _lie(url: str, entry: ProvenEntry, exc: Exception) -> PeerMisbehaved:
    return PeerMisbehaved(
        _("{url} answered with entry {index} of log {gln} that fails verification: {exc}")
        .format(url=url, index=entry.index, gln=entry.gln, exc=exc), FORGED_ENTRY, entry.gln,
        json.dumps({"log": entry.gln, "index": entry.index, "entry": entry.data.hex(),
                    "size": entry.size, "proof": [p.hex() for p in entry.proof],
                    "checkpoint": entry.checkpoint}, sort_keys=True))


async def trust_checkpoint(peer: FullNode, replica: Replica, run: StoreRunner,
                           signed: SignedCheckpoint, gln: str, keep_it: bool = True) -> bool:
    """Check a verified checkpoint against the one held (asking ``peer`` for a consistency
    proof when sizes differ) and keep it when newer; raises PeerMisbehaved when they
    contradict. Returns False when the peer withholds the proof (sharing policy): the
    checkpoint is not kept."""
    ledger = replica.ledger
    evidence = json.dumps({"log": gln, "theirs": signed.to_text()})
    try:
        need = await run(lambda: consistency_needed(ledger, signed))
    except InconsistentLog as exc:
        raise PeerMisbehaved(str(exc), EQUIVOCATION, gln, evidence) from None
    if need is not None:
        old, new = need
        try:
            proof = await peer.consistency(gln, old, new)
        except NotEntitled as exc:  # the peer's sharing policy withholds proofs from us
            log.warning("%s: cannot prove log %s's checkpoint consistent: %s", peer.url, gln, exc)
            return False
        try:
            await run(lambda: check_consistency(ledger, signed, proof.proof))
        except MerkleError as exc:
            raise PeerMisbehaved(
                _("{url}: the checkpoint of log {gln} at size {size} is inconsistent with "
                  "the one held here ({exc}).").format(url=peer.url, gln=gln,
                                                      size=signed.checkpoint.size, exc=exc),
                INCONSISTENT_HISTORY, gln, evidence) from None

    def keep() -> None:
        with ledger.store.transaction():
            keep_checkpoint(ledger, signed)
    if keep_it:
        await run(keep)
    return True


async def verify_events(peer: FullNode, replica: Replica, run: StoreRunner,
                        events: Sequence[ProvenEntry],
                        pack: str | None = None) -> list[VerifiedEntry]:
    """Verify every event of an answer alone (raises PeerMisbehaved at the first bad one).
    With ``pack``: every event must touch that pack (an item of it, a recall of its GTIN,
    or a report naming it)."""
    out: list[VerifiedEntry] = []
    trusted: set[str] = set()
    policy = await run(lambda: held_policy(replica.store))
    for entry in events:
        try:
            verified = await run(partial(verify_proven, replica.ledger, entry))
        except SupplyChainError as exc:
            raise _lie(peer.url, entry, exc) from None
        witnessed = policy_accepts(policy, entry.checkpoint)[0]
        if not witnessed:
            # Only inside a checkpoint held here (kept only when the witness quorum vouched
            # for it, see light_round) is an event safe from a second history.
            held = await run(partial(replica.store.latest_checkpoint, entry.gln))
            if held is None or entry.index >= held.size:
                raise SyncError(_("{url}: event {idx} of log {gln} is not yet in a checkpoint "
                                  "the consortium's witnesses vouched for; ask again shortly.")
                                .format(url=peer.url, idx=entry.index, gln=entry.gln))
        note = verified.checkpoint.to_text()
        if note not in trusted:
            if not await trust_checkpoint(peer, replica, run, verified.checkpoint, entry.gln,
                                          keep_it=witnessed):
                raise SyncError(_("{url}: the checkpoint of log {gln} in its answer cannot be "
                                  "proven consistent with the one held here.")
                                .format(url=peer.url, gln=entry.gln))
            trusted.add(note)
        out.append(verified)
    if pack is not None:
        stray = _unrelated(out, pack)
        if stray is not None:
            raise _lie(peer.url, stray.entry, SyncError(
                _("it does not concern pack {pack}").format(pack=pack)))
    return out


def _unrelated(events: list[VerifiedEntry], pack: str) -> VerifiedEntry | None:
    """An event of the answer that neither touches ``pack`` (an item of it, a recall of its
    GTIN) nor is named as previous by an event that does, transitively (None: all belong)."""
    gtin = pack.split("/", 1)[0]
    related = {v.signed.hash for v in events
               if any(item.pack == pack for item in v.signed.event.items)
               or v.signed.event.gtin == gtin}
    grew = True
    while grew:
        named = {item.prev for v in events if v.signed.hash in related
                 for item in v.signed.event.items if item.prev}
        grew = not named <= related
        related |= named
    return next((v for v in events if v.signed.hash not in related), None)


# --- the light round ----------------------------------------------------------------------
class OwnLogOnly:
    """A PeerSource that shows ``puller.pull_from`` only the node's own log; the full
    checkpoints document is kept for ``light_round``."""

    def __init__(self, peer: Any, own: str) -> None:
        self.peer = peer
        self.own = own
        self.url: str = peer.url
        self.heads: CheckpointsDoc | None = None
        self.peer_gln: str | None = None

    async def directory(self) -> Any:
        doc = await self.peer.directory()
        self.peer_gln = self.peer.peer_gln
        return doc

    async def checkpoints(self) -> CheckpointsDoc:
        doc: CheckpointsDoc = await self.peer.checkpoints()
        self.peer_gln = self.peer.peer_gln
        self.heads = doc
        return replace(doc, logs=tuple(h for h in doc.logs if h.gln == self.own))

    async def consistency(self, gln: str, old: int, new: int) -> ProofDoc:
        return await self.peer.consistency(gln, old, new)  # type: ignore[no-any-return]

    async def entries(self, request: Any) -> Any:
        return await self.peer.entries(request)


@dataclass
class LightReport:
    checkpoints: int = 0
    unwitnessed: list[str] = field(default_factory=list)  # logs whose checkpoint lacked quorum
    new_entries: dict[str, int] = field(default_factory=dict)


async def light_round(peer: FullNode, heads: CheckpointsDoc, replica: Replica,
                      run: StoreRunner) -> LightReport:
    """After the own-log pull: every other log's checkpoint, then the member's entries."""
    report = LightReport()
    own = replica.gln
    policy = await run(lambda: held_policy(replica.store))
    for head in heads.logs:
        if head.gln == own:
            continue
        signed = await run(partial(replica.verify_checkpoint, head.gln, head.checkpoint,
                                   peer.url))
        if not policy_accepts(policy, head.checkpoint)[0]:
            # Not (yet) cosigned by the consortium's witness quorum: a checkpoint that only
            # this peer has seen could be one of two histories. The one held stays.
            report.unwitnessed.append(head.gln)
            continue
        if await trust_checkpoint(peer, replica, run, signed, head.gln):
            report.checkpoints += 1  # its latest checkpoint confirmed now: "last synced"
            await run(partial(keep_cosignatures, replica.ledger, head.gln, head.checkpoint,
                              policy))
            await run(partial(replica.mark_synced, head.gln, peer.url))
    key = SINCE_KEY.format(url=peer.url)
    since = int(await run(lambda: replica.store.get_meta(key)) or 0)
    while True:
        doc = await peer.member_entries(own, since)
        verified = await verify_events(peer, replica, run, doc.events)
        new = await run(partial(keep_proven, replica.ledger, verified))
        for v in verified[:new]:
            report.new_entries[v.entry.gln] = report.new_entries.get(v.entry.gln, 0) + 1

        def advance(position: int = doc.next) -> None:
            with replica.store.transaction():
                replica.store.set_meta(key, str(position))
        await run(advance)
        if doc.next <= since or not doc.events:
            return report
        since = doc.next


async def finish_light_pull(peer: FullNode, source: OwnLogOnly, replica: Replica,
                            run: StoreRunner, report: PullReport) -> PullReport:
    """The light part of a pull (``light_round``) after ``pull_from`` pulled the own log; a
    lie blocks the peer with evidence, any other failure fails the peer (retried)."""
    if report.failure is not None or source.heads is None:
        return report
    try:
        light = await light_round(peer, source.heads, replica, run)
    except PeerMisbehaved as lie:
        log.error("peer %s BLOCKED: %s", peer.url, lie)
        await run(partial(replica.record, lie.kind, lie.subject, peer.url, str(lie),
                          lie.evidence))
        await run(partial(_block, replica, peer.url, f"{lie.kind}: {lie}"))
        report.error, report.blocked = str(lie), True
        report.failure = failure_of(lie)
        return report
    except (SyncError, SupplyChainError) as exc:
        log.warning("peer %s: light sync failed: %s", peer.url, exc)
        await run(partial(replica.store.peer_failure, peer.url, f"light: {exc}"))
        report.error, report.failure = str(exc), failure_of(exc)
        return report
    for gln, count in light.new_entries.items():
        report.new_entries[gln] = report.new_entries.get(gln, 0) + count
    report.logs_checked += light.checkpoints
    return report


# --- verdicts on a light node ---------------------------------------------------------------
@dataclass(frozen=True)
class Answered:
    answered: tuple[str, ...]
    refused: tuple[str, ...]
    new_entries: int


async def ask_full_nodes(peers: Sequence[FullNode], replica: Replica, query: PackQuery,
                         run: StoreRunner = run_in_place) -> Answered:
    """Ask every peer about the pack at once; keep the union of what verifies. A peer that
    lies is recorded (evidence) and blocked; one that is down or refuses is skipped."""
    async def one(peer: FullNode) -> list[VerifiedEntry] | None:
        try:
            doc = await peer.pack(query)
            return await verify_events(peer, replica, run, doc.events, query.key)
        except PeerMisbehaved as lie:
            log.error("full node %s lied about %s: %s", peer.url, query.key, lie)
            await run(partial(replica.record, lie.kind, lie.subject, peer.url, str(lie),
                              lie.evidence))
            await run(partial(_block, replica, peer.url, f"{lie.kind}: {lie}"))
        except (PeerRefused, ProtocolError, SyncError) as exc:
            log.warning("full node %s gave no answer about %s: %s", peer.url, query.key, exc)
        return None

    results = await asyncio.gather(*(one(p) for p in peers))
    union = [v for r in results if r is not None for v in r]
    new = await run(lambda: keep_proven(replica.ledger, union)) if union else 0
    return Answered(tuple(p.url for p, r in zip(peers, results, strict=True) if r is not None),
                    tuple(p.url for p, r in zip(peers, results, strict=True) if r is None), new)


def _block(replica: Replica, url: str, reason: str) -> None:
    with replica.store.transaction():
        replica.store.block_peer(url, reason)


def sync_mode(node: Node) -> NodeMode:
    """How this node syncs and decides: light when set so (``node mode light``), and also when
    the consortium shares need-to-know and this node may not read other logs whole (its full
    nodes would only refuse them: it gets what names it instead)."""
    if node_mode(node.store) is NodeMode.LIGHT:
        return NodeMode.LIGHT
    me = Caller(node.gln, node.me.info.role)
    return NodeMode.FULL if entitled_to_whole_logs(me, sharing_policy(node.ledger)) \
        else NodeMode.LIGHT


def verify_anywhere(node: Node, text: str | PackCode, gs_substitutes: Sequence[str],
                    passphrase: Callable[[], bytes],
                    timeout: float = ASK_TIMEOUT) -> VerdictReport:
    """The verdict for a scanned code: local on a full node; on a light node after asking
    its full nodes (``source`` "network"), or "offline" when none answered."""
    if sync_mode(node) is NodeMode.FULL:
        return node.verify(text, gs_substitutes=gs_substitutes)
    from supplychain.sync.tls import client_context  # noqa: PLC0415 - TLS only when asking
    from supplychain.sync.transport import HttpPeer, client_session  # noqa: PLC0415

    code = text if isinstance(text, PackCode) else parse_codes([text], gs_substitutes)[0]
    query = PackQuery(code.gtin, code.serial, code.lot,
                      code.expiry.isoformat() if code.expiry else None)
    urls = [p.url for p in node.store.peers() if p.state != "blocked"]
    replica = Replica(node.ledger, node.gln)

    async def ask() -> Answered:
        if not urls:
            return Answered((), (), 0)
        async with client_session(client_context(node.home, passphrase()), timeout) as session:
            peers = [HttpPeer(u, session, replica, run_in_place) for u in urls]
            return await ask_full_nodes(peers, replica, query)

    answered = asyncio.run(ask())
    source = "network" if answered.answered else "offline"
    if source == "offline" and node.ledger.prefix_owners().owner(code.gtin) == node.gln:
        # Its own product: every commissioning of it is in its own log, held whole here, so
        # an unknown serial is provably unknown (what happened downstream may be missing:
        # the freshness line says when the network was last heard).
        source = "local"
    return node.verify(text, gs_substitutes=gs_substitutes, source=source)
