"""A node's place in the network: its peers (add, remove, unblock), the members it knows,
and the status of every log it holds (size, latest checkpoint, freshness) with the sync
evidence kept. Used by the `peers` commands and by the app's Network view alike.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from supplychain.clock import now, now_iso
from supplychain.errors import BadListenAddress, BadPeerUrl, UnknownPeer
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
    """A peer address normalised to ``https://host:port``; BadPeerUrl for anything else.

    The host is an IP address or a DNS name (letters, digits, hyphens and dots, RFC 1123);
    the port, if given, is 1 to 65535 (443 when left out)."""
    shape = _("{text} is not a peer URL like https://host:port").format(text=repr(text))
    try:
        parts = urlsplit(text.strip())
    except ValueError as exc:  # an unclosed "[" ("Invalid IPv6 URL")
        raise BadPeerUrl(_("{text} is not a peer URL like https://host:port ({problem}).")
                         .format(text=repr(text), problem=str(exc))) from None
    if parts.scheme != "https" or not parts.hostname or parts.path not in ("", "/") \
            or parts.query or parts.fragment or "@" in parts.netloc:
        raise BadPeerUrl(shape)
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise BadPeerUrl(_("{text} has a bad port number (1 to 65535).").format(
            text=repr(text)))
    host = parts.hostname
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if ":" in host or not valid_host_name(host):
            raise BadPeerUrl(_("{text}: {host} is neither an IP address nor a valid host "
                               "name.").format(text=repr(text), host=repr(host))) from None
        return f"https://{host}:{port or 443}"
    shown = f"[{host}]" if address.version == 6 else host
    return f"https://{shown}:{port or 443}"


def parse_listen_address(text: str) -> tuple[str, int]:
    """HOST:PORT to serve on: an IP address (IPv6 in brackets) or a host name, and a port from
    0 to 65535 (0: any free port); an empty host is 127.0.0.1. BadListenAddress otherwise."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or not port.isascii() or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise BadListenAddress(_("{text} is not HOST:PORT with a port from 0 to 65535.").format(
            text=repr(text)))
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    host = host or "127.0.0.1"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not valid_host_name(host):
            raise BadListenAddress(_("{text}: {host} is neither an IP address (like 0.0.0.0 or "
                                     "[::1]) nor a valid host name.").format(
                text=repr(text), host=repr(host))) from None
    return host, int(port)


_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def valid_host_name(name: str) -> bool:
    """An RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, 253
    characters at most, and not all digits (that would be a malformed IPv4 address)."""
    labels = name.removesuffix(".").split(".")
    return (0 < len(name) <= 253 and all(_LABEL.fullmatch(label) for label in labels)
            and not all(label.isdigit() for label in labels))


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
