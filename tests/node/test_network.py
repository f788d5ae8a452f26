"""Peers, network status and alert words in the core (supplychain.node.network,
supplychain.ledger.alerts), without sockets."""

from __future__ import annotations

import pytest

from supplychain import clock
from supplychain.errors import BadPeerUrl, UnknownPeer
from supplychain.interchange.bundle import exchange
from supplychain.ledger.alerts import AlertKind, kind_words, peer_reason_words
from supplychain.node.network import (
    add_peer,
    members,
    network_status,
    parse_peer_url,
    peers,
    remove_peer,
    unblock_peer,
)
from supplychain.node.operations import Node
from supplychain.sync.replica import Replica
from tests.conftest import DIST_A, MAKER, MEMBERS, PASSPHRASE, Network
from tests.node.test_shipments import _made


@pytest.mark.parametrize(("text", "url"), [
    ("https://10.0.0.7:8443", "https://10.0.0.7:8443"),
    ("https://peer.example:443/", "https://peer.example:443"),
    ("https://peer.example", "https://peer.example:443"),
    ("  https://[::1]:9000 ", "https://[::1]:9000"),
])
def test_peer_urls_are_normalised(text: str, url: str) -> None:
    assert parse_peer_url(text) == url


@pytest.mark.parametrize(("text", "words"), [
    ("http://10.0.0.7:8443", "is not a peer URL like https://host:port"),
    ("10.0.0.7", "is not a peer URL like https://host:port"),
    ("https://h/x", "is not a peer URL like https://host:port"),
    ("https://h:1?x=1", "is not a peer URL like https://host:port"),
    ("https://host:99999", "has a bad port number"),
])
def test_bad_peer_urls_are_refused_in_plain_words(text: str, words: str) -> None:
    with pytest.raises(BadPeerUrl, match=words):
        parse_peer_url(text)


def test_add_remove_and_unblock_peers(network: Network) -> None:
    node = network[DIST_A]
    assert add_peer(node, "https://peer.example/") == ("https://peer.example:443", True)
    assert add_peer(node, "https://peer.example:443") == ("https://peer.example:443", False)
    (row,) = peers(node)
    assert row.state == "active" and row.label == "https://peer.example:443" and not row.blocked
    with node.store.transaction():
        node.store.block_peer(row.url, "forged_entry: entry 3 has a bad signature", MAKER)
    (row,) = peers(node)
    assert row.blocked and row.name == "Acme Pharma" and row.label == "Acme Pharma"
    assert row.reason == "served a forged entry (entry 3 has a bad signature)"
    assert unblock_peer(node, row.url) == row.url
    assert peers(node)[0].state == "active"
    assert remove_peer(node, "https://peer.example") == row.url
    assert peers(node) == ()
    with pytest.raises(UnknownPeer, match="is not a peer of this node"):
        remove_peer(node, row.url)
    with pytest.raises(UnknownPeer, match="is not a peer of this node"):
        unblock_peer(node, row.url)


def test_network_status_lists_logs_own_first_with_freshness(network: Network) -> None:
    _made(network, 2)
    dist = network[DIST_A]
    exchange(network[MAKER], dist)
    status = network_status(dist, clock.now())
    assert [m.gln for m in members(dist)] == sorted(m.gln for m in MEMBERS)
    own, *others = status.logs
    assert own.own and own.gln == DIST_A and not own.stale
    maker = next(r for r in others if r.gln == MAKER)
    assert maker.entries == maker.checkpoint_size == 1 and maker.root_prefix
    assert maker.stale and maker.last_synced is None  # a bundle is not a sync
    assert status.peers == () and status.evidence == ()
    assert status.stale_after_seconds == 3600


def test_evidence_rows_carry_the_kind_words(network: Network) -> None:
    node = network[DIST_A]
    Replica(node.ledger, node.gln).record(AlertKind.EQUIVOCATION, MAKER, "https://x:1",
                                          "two roots", "{}")
    (row,) = network_status(node).evidence
    assert row.kind == "equivocation" and row.peer == "https://x:1" and row.count == 1
    assert row.words == AlertKind.EQUIVOCATION.words and row.fault


def test_every_kind_has_words_and_unknown_kinds_read_as_words() -> None:
    for kind in AlertKind:
        assert kind.words and kind_words(kind.value) == kind.words
    assert kind_words("some_new_kind") == "some new kind"
    assert AlertKind.FORGED_ENTRY.blocks_peer and not AlertKind.UNREACHABLE.blocks_peer


def test_reason_words() -> None:
    assert peer_reason_words("unreachable: https://x:1 is unreachable: boom") == (
        "could not be reached (https://x:1 is unreachable: boom)")
    assert peer_reason_words("no kind here") == "no kind here"
    assert peer_reason_words("unknown_kind: detail") == "unknown_kind: detail"
    assert peer_reason_words(None) is None and peer_reason_words("") == ""


@pytest.mark.parametrize(("text", "words"), [
    ("https://[::1", r"is not a peer URL like https://host:port \(Invalid IPv6 URL\)"),
    ("https://peer example:1", "is neither an IP address nor a valid host name"),
    ("https://peer.example :1", "is neither an IP address nor a valid host name"),
    ("https://peer%00.example:1", "is neither an IP address nor a valid host name"),
    ("https://peer\x00.example:1", "is neither an IP address nor a valid host name"),
    ("https://%00", "is neither an IP address nor a valid host name"),
    ("https://999.1.1.1:1", "is neither an IP address nor a valid host name"),
    ("https://-peer.example:1", "is neither an IP address nor a valid host name"),
    ("https://peer..example:1", "is neither an IP address nor a valid host name"),
    ("https://" + "a" * 64 + ".example:1", "is neither an IP address nor a valid host name"),
    ("https://peer.example:0", r"has a bad port number \(1 to 65535\)"),
    ("https://peer.example:65536", r"has a bad port number \(1 to 65535\)"),
    ("https://peer.example:-1", r"has a bad port number \(1 to 65535\)"),
    ("https://peer.example:8x", r"has a bad port number \(1 to 65535\)"),
    ("https://user@peer.example:1", "is not a peer URL like https://host:port"),
])
def test_malformed_peer_urls_get_one_clear_error(text: str, words: str) -> None:
    with pytest.raises(BadPeerUrl, match=words):
        parse_peer_url(text)


def test_malformed_peer_url_on_the_command_line_exits_1(network: Network,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    from supplychain.cli.main import main

    home = network.homes[DIST_A]
    before = network[DIST_A].store.peers()
    network[DIST_A].close()
    for text in ("https://[::1", "https://a b:1", "https://a%00:1", "https://h:70000"):
        assert main(["--home", str(home), "peers", "add", text]) == 1
        err = capsys.readouterr().err
        assert err.startswith("supplychain: error: ") and err.count("\n") == 1, err
    with Node(home, lambda: PASSPHRASE) as node:
        assert node.store.peers() == before
