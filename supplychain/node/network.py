"""A node's place in the network: its peers (add, remove, unblock), the members it knows,
and the status of every log it holds (size, latest checkpoint, freshness) with the sync
evidence kept. Used by the `peers` commands and by the app's Network view alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from supplychain.clock import now, now_iso
from supplychain.errors import BadPeerUrl, UnknownPeer
from supplychain.i18n import _
from supplychain.ledger.alerts import AlertKind, kind_words, peer_reason_words
from supplychain.ledger.freshness import sync_info
from supplychain.ledger.records import MemberSummary
from supplychain.node.operations import Node


@dataclass(frozen=True)
class PeerRow:
    """A peer (times are ISO text, or None: never)."""

    url: str
    gln: str | None
    name: str | None
    state: str  # active / failing / blocked
    reason: str | None  # plain words (the stored reason starts with an evidence kind)
    added: str
    last_attempt: str | None
    last_success: str | None
    failures: int

    @property
    def label(self) -> str:
        return self.name or self.url

    @property
    def blocked(self) -> bool:
        return self.state == "blocked"


@dataclass(frozen=True)
class LogRow:
    """One log this node holds (or knows of): size, latest checkpoint, freshness."""

    gln: str
    name: str
    entries: int
    checkpoint_size: int | None
    root_prefix: str | None
    last_synced: str | None
    synced_from: str | None  # peer URL
    synced_from_name: str | None
    own: bool
    stale: bool


@dataclass(frozen=True)
class EvidenceRow:
    """Sync evidence or a refused connection (read-only)."""

    kind: str
    words: str
    subject: str
    peer: str
    detail: str
    first_seen: str
    last_seen: str
    count: int

    @property
    def fault(self) -> bool:
        """Something an operator must look at (not a mere outage or garbled answer)."""
        return self.kind not in (AlertKind.UNREACHABLE, AlertKind.BAD_RESPONSE)


@dataclass(frozen=True)
class NetworkStatus:
    peers: tuple[PeerRow, ...]
    logs: tuple[LogRow, ...]
    evidence: tuple[EvidenceRow, ...]
    stale_after_seconds: int


# --- peers -------------------------------------------------------------------------------------
def parse_peer_url(text: str) -> str:
    """A peer address normalised to ``https://host:port``; BadPeerUrl for anything else."""
    parts = urlsplit(text.strip())
    if parts.scheme != "https" or not parts.hostname or parts.path not in ("", "/") \
            or parts.query or parts.fragment:
        raise BadPeerUrl(_("{text} is not a peer URL like https://host:port").format(
            text=repr(text)))
    try:
        port = parts.port
    except ValueError:
        raise BadPeerUrl(_("{text} has a bad port number.").format(text=repr(text))) from None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"https://{host}:{port or 443}"


def add_peer(node: Node, text: str) -> tuple[str, bool]:
    """Add a peer by URL; returns (normalised URL, newly added)."""
    url = parse_peer_url(text)
    with node.store.transaction():
        return url, node.store.add_peer(url, now_iso())


def remove_peer(node: Node, text: str) -> str:
    """Stop syncing with a peer (its evidence stays); returns its normalised URL."""
    url = parse_peer_url(text)
    with node.store.transaction():
        if not node.store.remove_peer(url):
            raise UnknownPeer(_("{url} is not a peer of this node.").format(url=url))
    return url


def unblock_peer(node: Node, text: str) -> str:
    """Let a blocked peer be pulled from again (its evidence stays); returns its URL."""
    url = parse_peer_url(text)
    with node.store.transaction():
        if not node.store.unblock_peer(url):
            raise UnknownPeer(_("{url} is not a peer of this node.").format(url=url))
    return url


def members(node: Node) -> tuple[MemberSummary, ...]:
    """Every member whose certificate this node holds, by GLN."""
    return tuple(node.store.member_names())


def peers(node: Node) -> tuple[PeerRow, ...]:
    """This node's peers with the member names known and their reasons in plain words."""
    names = {m.gln: m.name for m in members(node)}
    return tuple(PeerRow(p.url, p.gln, names.get(p.gln) if p.gln else None, p.state,
                         peer_reason_words(p.reason), p.added, p.last_attempt, p.last_success,
                         p.failures)
                 for p in node.store.peers())


# --- status ------------------------------------------------------------------------------------
def network_status(node: Node, at: datetime | None = None) -> NetworkStatus:
    """Peers, logs (size, checkpoint, freshness) and the sync evidence kept."""
    store = node.store
    when = at or now()
    names: dict[str, str] = {m.gln: m.name for m in members(node)}
    peer_rows = peers(node)
    peer_names = {p.url: p.name for p in peer_rows}
    sizes = store.log_sizes()
    synced = store.synced()
    logs = []
    order = sorted(set(sizes) | set(names),
                   key=lambda g: (g != node.gln, str(names.get(g, g)).lower(), g))
    for gln in order:
        head = store.latest_checkpoint(gln)
        row = synced.get(gln)
        own = gln == node.gln
        stale = False if own else sync_info(store, [gln], node.gln, when).stale
        logs.append(LogRow(gln, names.get(gln) or _("unknown organisation {gln}").format(gln=gln),
                           sizes.get(gln, 0), head.size if head else None,
                           head.root.hex()[:16] if head else None,
                           row.last_synced if row else None, row.peer if row else None,
                           peer_names.get(row.peer) if row else None, own, stale))
    evidence = tuple(EvidenceRow(e.kind, kind_words(e.kind), e.subject, e.peer, e.detail,
                                 e.first_seen, e.last_seen, e.count)
                     for e in store.evidence())
    threshold = sync_info(store, [], node.gln, when).stale_after_seconds
    return NetworkStatus(peer_rows, tuple(logs), evidence, threshold)
