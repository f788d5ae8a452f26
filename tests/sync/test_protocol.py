"""The sync protocol's pure parts called directly: documents, limits, queries and the pull
state machine. Bytes in, data or the exact error out: no node, no store, no sockets."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest

from supplychain.errors import (
    Equivocation,
    InconsistentLog,
    InvalidProof,
    ProtocolError,
    SupplyChainError,
)
from supplychain.ledger import merkle
from supplychain.sync.protocol import (
    FORMAT_CHECKPOINTS,
    FORMAT_ENTRIES,
    FORMAT_NOTIFY,
    FORMAT_PROOF,
    MAX_BATCH_ENTRIES,
    MAX_ENTRY_BYTES,
    MAX_LOGS,
    MAX_PROOF_HASHES,
    MAX_REQUEST_BYTES,
    MAX_RESPONSE_BYTES,
    CheckpointsDoc,
    EntriesDoc,
    EntriesRequest,
    LogHead,
    LogPull,
    Notice,
    ProofDoc,
    Step,
    check_gln,
    dump_document,
    load_document,
    parse_entries_query,
    parse_proof_query,
    plan_pull,
    query_int,
)
from tests.conftest import DIST_A, MAKER

pytestmark = pytest.mark.both_backends

HASH = bytes(range(32))
B64_HASH = base64.b64encode(HASH).decode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def body(doc: Any) -> bytes:
    return json.dumps(doc).encode()


def refused(parse: Callable[[], object], match: str,
            error: type[SupplyChainError] = ProtocolError) -> None:
    """``parse`` raises exactly ``error`` (not a subclass) with a message matching ``match``."""
    with pytest.raises(error, match=match) as caught:
        parse()
    assert type(caught.value) is error


# --- small readers ------------------------------------------------------------------------
@pytest.mark.parametrize("raw", [b"", b"{", b"\x00not json at all{", b"\xff\xfe"])
def test_load_document_refuses_what_is_not_json(raw: bytes) -> None:
    refused(lambda: load_document(raw, FORMAT_CHECKPOINTS), "not JSON")


@pytest.mark.parametrize("doc", [[], "text", 1, None, {}, {"format": FORMAT_ENTRIES},
                                 {"format": None}])
def test_load_document_refuses_other_documents(doc: Any) -> None:
    refused(lambda: load_document(body(doc), FORMAT_CHECKPOINTS),
            f"not a {FORMAT_CHECKPOINTS} document")


def test_load_document_refuses_an_oversized_body_before_parsing_it() -> None:
    raw = b" " * (MAX_RESPONSE_BYTES - 30) + body({"format": FORMAT_PROOF})
    assert len(raw) > MAX_RESPONSE_BYTES
    refused(lambda: load_document(raw, FORMAT_PROOF), f"exceeds {MAX_RESPONSE_BYTES}")
    fits = b" " * (MAX_RESPONSE_BYTES - 40) + body({"format": FORMAT_PROOF})
    assert load_document(fits, FORMAT_PROOF) == {"format": FORMAT_PROOF}


def test_dump_document_is_compact_json() -> None:
    assert dump_document({"a": [1, "b"]}) == b'{"a":[1,"b"]}'


@pytest.mark.parametrize("value", ["501234500002", "50123450000222", "501234500002x", "",
                                   "\uff15" * 13, 5012345000022, None, ["5012345000022"]])
def test_check_gln_refuses(value: object) -> None:
    refused(lambda: check_gln(value), "is not a 13-digit GLN")


def test_check_gln_accepts() -> None:
    assert check_gln(MAKER) == MAKER


@pytest.mark.parametrize(("text", "value"), [("0", 0), ("7", 7), ("9" * 18, 10**18 - 1)])
def test_query_int_reads(text: str, value: int) -> None:
    assert query_int({"n": text}, "n") == value


@pytest.mark.parametrize("text", ["", "-1", "+1", "01", "1.0", "1e3", " 1", "0x1", "1" * 19])
def test_query_int_refuses(text: str) -> None:
    refused(lambda: query_int({"n": text}, "n"), "'n' must be a non-negative integer")


def test_query_int_missing() -> None:
    refused(lambda: query_int({}, "start"), "'start' is missing")
    assert query_int({}, "size", required=False) is None


# --- the checkpoints document -------------------------------------------------------------
def checkpoints(**changes: Any) -> dict[str, Any]:
    doc = {"format": FORMAT_CHECKPOINTS, "consortium": "Test Health", "gln": MAKER,
           "members": ["-----BEGIN CERTIFICATE-----\n..."], "revocations": [{"serial": 1}],
           "logs": [{"gln": MAKER, "checkpoint": "note\n2\n"},
                    {"gln": DIST_A, "checkpoint": "note\n1\n"}]}
    doc.update(changes)
    return doc


def test_checkpoints_round_trip() -> None:
    doc = CheckpointsDoc.parse(body(checkpoints()))
    assert doc == CheckpointsDoc("Test Health", MAKER, (b"-----BEGIN CERTIFICATE-----\n...",),
                                 ({"serial": 1},), (LogHead(MAKER, "note\n2\n"),
                                                    LogHead(DIST_A, "note\n1\n")))
    assert CheckpointsDoc.parse(dump_document(doc.to_json())) == doc


@pytest.mark.parametrize(("changes", "match"), [
    ({"consortium": 7}, "'consortium' must be text"),
    ({"consortium": None}, "'consortium' must be text"),
    ({"gln": "123"}, "not a 13-digit GLN"),
    ({"gln": None}, "not a 13-digit GLN"),
    ({"members": "pem"}, "'members' must be a list"),
    ({"members": [7]}, "member certificate is not PEM text"),
    ({"members": ["x" * 16_385]}, "member certificate is not PEM text"),
    ({"revocations": {}}, "'revocations' must be a list"),
    ({"revocations": ["r"]}, "revocation is not a JSON object"),
    ({"logs": None}, "'logs' must be a list"),
    ({"logs": [[MAKER, "note"]]}, "exactly 'gln' and 'checkpoint'"),
    ({"logs": [{"gln": MAKER}]}, "exactly 'gln' and 'checkpoint'"),
    ({"logs": [{"gln": MAKER, "checkpoint": "n", "size": 2}]}, "exactly 'gln' and 'checkpoint'"),
    ({"logs": [{"gln": "12", "checkpoint": "n"}]}, "not a 13-digit GLN"),
    ({"logs": [{"gln": MAKER, "checkpoint": "a"}, {"gln": MAKER, "checkpoint": "b"}]},
     f"Log {MAKER} is listed twice"),
    ({"logs": [{"gln": MAKER, "checkpoint": 2}]}, "'checkpoint' must be text"),
    ({"logs": [{"gln": MAKER, "checkpoint": "x" * 4097}]}, f"checkpoint of log {MAKER} is too"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_checkpoints_refusals(changes: dict[str, Any], match: str) -> None:
    refused(lambda: CheckpointsDoc.parse(body(checkpoints(**changes))), match)


@pytest.mark.parametrize("field", ["members", "revocations", "logs"])
def test_checkpoints_lists_are_limited(field: str) -> None:
    refused(lambda: CheckpointsDoc.parse(body(checkpoints(**{field: [0] * (MAX_LOGS + 1)}))),
            f"'{field}' has {MAX_LOGS + 1} items; at most {MAX_LOGS} allowed")


# --- the entries document -------------------------------------------------------------------
REQUEST = EntriesRequest(MAKER, 2, 4, 5)


def entries(**changes: Any) -> dict[str, Any]:
    doc = {"format": FORMAT_ENTRIES, "gln": MAKER, "start": 2, "end": 4, "size": 5,
           "entries": [b64(b"entry 2"), b64(b"entry 3")], "proof": [B64_HASH],
           "checkpoint": None}
    doc.update(changes)
    return doc


def test_entries_round_trip() -> None:
    doc = EntriesDoc.parse(body(entries()), REQUEST)
    assert doc == EntriesDoc(MAKER, 2, 4, 5, (b"entry 2", b"entry 3"), (HASH,), None)
    assert EntriesDoc.parse(dump_document(doc.to_json()), REQUEST) == doc
    short = EntriesDoc.parse(body(entries(end=3, entries=[b64(b"e")], checkpoint="n")),
                             REQUEST)
    assert (short.end, short.entries, short.checkpoint) == (3, (b"e",), "n")


@pytest.mark.parametrize(("changes", "match"), [
    ({"gln": DIST_A}, f"got log {DIST_A} from 2 towards 5"),
    ({"gln": 5012345000022}, "not a 13-digit GLN"),
    ({"start": 1}, "got log .* from 1 towards 5"),
    ({"size": 6}, "got log .* from 2 towards 6"),
    ({"end": 2, "entries": []}, "ends at 2; expected between 3 and 4"),
    ({"end": 5, "entries": [b64(b"a")] * 3}, "ends at 5; expected between 3 and 4"),
    ({"entries": [b64(b"a")]}, r"claims \[2, 4\) but holds 1 entries"),
    ({"entries": None}, "'entries' must be a list"),
    ({"entries": [b64(b"a"), 7]}, "entry 3 is not base64 text"),
    ({"entries": [b64(b"a"), "not base64!"]}, "entry 3 is not valid base64"),
    ({"entries": [b64(b"a"), "QQ"]}, "entry 3 is not valid base64"),
    ({"proof": B64_HASH}, "'proof' must be a list"),
    ({"proof": [b64(HASH[:31])]}, "Proof hash 0 is 31 bytes, not 32"),
    ({"proof": [B64_HASH, b64(HASH + b"x")]}, "Proof hash 1 is 33 bytes, not 32"),
    ({"proof": [B64_HASH, b64(HASH + b"xx")]}, "proof hash 1 is not base64 text of at most 32"),
    ({"proof": ["%" * 44]}, "proof hash 0 is not valid base64"),
    ({"proof": [None]}, "proof hash 0 is not base64 text"),
    ({"proof": [B64_HASH] * (MAX_PROOF_HASHES + 1)},
     f"'proof' has {MAX_PROOF_HASHES + 1} items; at most {MAX_PROOF_HASHES}"),
    ({"checkpoint": 1}, "batch checkpoint is not a signed note"),
    ({"checkpoint": "x" * 4097}, "batch checkpoint is not a signed note"),
    ({"start": True}, "'start' must be a non-negative integer, got True"),
    ({"end": -1}, "'end' must be a non-negative integer, got -1"),
    ({"size": "5"}, "'size' must be a non-negative integer, got '5'"),
    ({"end": 4.0}, "'end' must be a non-negative integer, got 4.0"),
    ({"start": None}, "'start' must be a non-negative integer, got None"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_entries_refusals(changes: dict[str, Any], match: str) -> None:
    refused(lambda: EntriesDoc.parse(body(entries(**changes)), REQUEST), match)


def test_entries_batch_is_limited() -> None:
    request = EntriesRequest(MAKER, 0, 2000, 2000)
    doc = entries(start=0, end=MAX_BATCH_ENTRIES + 1, size=2000,
                  entries=[b64(b"e")] * (MAX_BATCH_ENTRIES + 1))
    refused(lambda: EntriesDoc.parse(body(doc), request),
            f"'entries' has {MAX_BATCH_ENTRIES + 1} items; at most {MAX_BATCH_ENTRIES}")


def test_an_entry_is_limited() -> None:
    request = EntriesRequest(MAKER, 0, 1, 1)
    too_big = b64(bytes(MAX_ENTRY_BYTES + 3))
    refused(lambda: EntriesDoc.parse(body(entries(start=0, end=1, size=1, entries=[too_big])),
                                     request),
            f"entry 0 is not base64 text of at most {MAX_ENTRY_BYTES} bytes")


# --- proof documents --------------------------------------------------------------------------
def proof(which: str = "consistency", **changes: Any) -> dict[str, Any]:
    kind = which
    first, second = ("old", "new") if kind == "consistency" else ("index", "size")
    doc = {"format": FORMAT_PROOF, "gln": MAKER, "kind": kind, first: 2, second: 5,
           "proof": [B64_HASH, B64_HASH]}
    doc.update(changes)
    return doc


@pytest.mark.parametrize("kind", ["consistency", "inclusion"])
def test_proof_round_trip(kind: str) -> None:
    doc = ProofDoc.parse(body(proof(kind)), MAKER, kind, 2, 5)
    assert doc == ProofDoc(MAKER, kind, 2, 5, (HASH, HASH))
    assert doc.to_json() == proof(kind)
    assert ProofDoc.parse(dump_document(doc.to_json()), MAKER, kind, 2, 5) == doc


@pytest.mark.parametrize(("kind", "changes"), [
    ("consistency", {"gln": DIST_A}),
    ("consistency", {"kind": "inclusion"}),
    ("consistency", {"old": 1}),
    ("consistency", {"new": 6}),
    ("consistency", {"new": "5"}),
    ("inclusion", {"index": 3}),
    ("inclusion", {"size": None}),
    ("inclusion", {"kind": "consistency", "index": None, "size": None, "old": 2, "new": 5}),
])
def test_proof_for_something_else_is_refused(kind: str, changes: dict[str, Any]) -> None:
    doc = {k: v for k, v in proof(kind, **changes).items() if v is not None}
    refused(lambda: ProofDoc.parse(body(doc), MAKER, kind, 2, 5),
            f"Asked for the {kind} proof 2->5 of log {MAKER}; the response is for something")


@pytest.mark.parametrize(("hashes", "match"), [
    (None, "'proof' must be a list"),
    ([B64_HASH, b64(HASH[:16])], "Proof hash 1 is 16 bytes, not 32"),
    ([B64_HASH] * (MAX_PROOF_HASHES + 1), f"at most {MAX_PROOF_HASHES} allowed"),
])
def test_proof_hashes_are_checked(hashes: Any, match: str) -> None:
    refused(lambda: ProofDoc.parse(body(proof(proof=hashes)), MAKER, "consistency", 2, 5),
            match)


# --- notices ----------------------------------------------------------------------------------
def test_notice_round_trip() -> None:
    notice = Notice({MAKER: 2, DIST_A: 0})
    assert Notice.parse(dump_document(notice.to_json())) == notice


@pytest.mark.parametrize(("logs", "match"), [
    ([MAKER], "must map at most 2000 GLNs to sizes"),
    (None, "must map at most 2000 GLNs to sizes"),
    ({f"{i:013d}": 1 for i in range(2001)}, "must map at most 2000 GLNs to sizes"),
    ({"12345": 1}, "not a 13-digit GLN"),
    ({MAKER: -1}, f"Size of log {MAKER} in a notice is not an integer"),
    ({MAKER: True}, f"Size of log {MAKER} in a notice is not an integer"),
    ({MAKER: "2"}, f"Size of log {MAKER} in a notice is not an integer"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_notice_refusals(logs: Any, match: str) -> None:
    refused(lambda: Notice.parse(body({"format": FORMAT_NOTIFY, "logs": logs})), match)


def test_notice_size_is_limited() -> None:
    raw = body({"format": FORMAT_NOTIFY, "logs": {}}) + b" " * MAX_REQUEST_BYTES
    refused(lambda: Notice.parse(raw), f"exceeds {MAX_REQUEST_BYTES}")


# --- server-side queries -----------------------------------------------------------------------
def test_entries_query() -> None:
    assert parse_entries_query({"start": "0", "end": "2", "size": "5"}, 5) == (0, 2, 5)
    assert parse_entries_query({"start": "1", "end": "3"}, 5) == (1, 3, 3)  # size = end
    big = parse_entries_query({"start": "10", "end": "5000"}, 5000)
    assert big == (10, 10 + MAX_BATCH_ENTRIES, 5000)  # one batch at most


@pytest.mark.parametrize(("params", "match"), [
    ({"start": "2", "end": "2"}, "Need start < end <= size, got 2, 2, 2"),
    ({"start": "0", "end": "4", "size": "3"}, "Need start < end <= size, got 0, 4, 3"),
    ({"start": "0", "end": "6"}, "This node holds 5 entries of the log, not 6"),
    ({"end": "2"}, "'start' is missing"),
    ({"start": "0", "end": "-2"}, "'end' must be a non-negative integer"),
])
def test_entries_query_refusals(params: dict[str, str], match: str) -> None:
    refused(lambda: parse_entries_query(params, 5), match)


def test_proof_query() -> None:
    assert parse_proof_query({"old": "2", "new": "2"}, "old", "new", 5) == (2, 2)
    assert parse_proof_query({"index": "0", "size": "5"}, "index", "size", 5) == (0, 5)


@pytest.mark.parametrize(("params", "first", "second", "match"), [
    ({"old": "0", "new": "2"}, "old", "new", "Need 0 < old <= new, got 0 and 2"),
    ({"old": "3", "new": "2"}, "old", "new", "Need 0 < old <= new, got 3 and 2"),
    ({"old": "1", "new": "6"}, "old", "new", "holds 5 entries of the log, not 6"),
    ({"index": "5", "size": "5"}, "index", "size", "Need 0 <= index < size, got 5 and 5"),
    ({"index": "1", "size": "9"}, "index", "size", "holds 5 entries of the log, not 9"),
    ({"index": "1"}, "index", "size", "'size' is missing"),
])
def test_proof_query_refusals(params: dict[str, str], first: str, second: str,
                              match: str) -> None:
    refused(lambda: parse_proof_query(params, first, second, 5), match)


# --- the pull state machine ---------------------------------------------------------------------
LEAVES = [merkle.leaf_hash(b"entry %d" % i) for i in range(7)]
FORKED = LEAVES[:2] + [merkle.leaf_hash(b"rewritten")] + LEAVES[3:]  # entry 2 rewritten
FORKED_FIRST = [merkle.leaf_hash(b"rewritten")] + LEAVES[1:]  # entry 0 rewritten


def root(size: int, leaves: list[bytes] = LEAVES) -> bytes:
    return merkle.root(leaves[:size])


def proof_between(old: int, new: int, leaves: list[bytes] = LEAVES) -> list[bytes]:
    return merkle.consistency_proof(leaves[:new], old)


def test_pull_machine_without_sockets() -> None:
    """Consistency first, then batches, each checked, until the signed size is held."""
    pull = LogPull(MAKER, 3, 7, root(7), batch=3)
    assert pull.next() is Step.CONSISTENCY
    assert pull.consistency_request() == (3, 7)
    pull.check_consistency(root(3), proof_between(3, 7))
    assert pull.next() is Step.ENTRIES
    assert pull.entries_request() == EntriesRequest(MAKER, 3, 6, 7)
    pull.check_batch(6, root(6), proof_between(6, 7))
    assert (pull.held, pull.next()) == (6, Step.ENTRIES)
    assert pull.entries_request() == EntriesRequest(MAKER, 6, 7, 7)
    refused(lambda: pull.check_batch(7, root(7, LEAVES[:6] + [LEAVES[0]]), []),
            "two roots for tree size 7", InconsistentLog)
    assert (pull.held, pull.next()) == (6, Step.ENTRIES)  # a refused batch is not held
    pull.check_batch(7, root(7), [])
    assert (pull.held, pull.next()) == (7, Step.DONE)


def test_nothing_held_starts_with_entries() -> None:
    pull = LogPull(MAKER, 0, 2, root(2))
    assert pull.next() is Step.ENTRIES
    assert pull.entries_request() == EntriesRequest(MAKER, 0, 2, 2)


def test_nothing_to_pull() -> None:
    for held in (3, 4):
        with pytest.raises(ValueError, match="nothing to pull"):
            LogPull(MAKER, held, 3, root(3))


def test_a_short_batch_moves_on_from_where_it_ended() -> None:
    pull = LogPull(MAKER, 0, 7, root(7), batch=5)
    pull.check_batch(2, root(2), proof_between(2, 7))  # the server sent fewer than asked
    assert pull.entries_request() == EntriesRequest(MAKER, 2, 7, 7)


def test_rewritten_history_fails_the_consistency_check() -> None:
    """We hold 3 entries; the peer's signed tree of 7 rewrote entry 2."""
    pull = LogPull(MAKER, 3, 7, root(7, FORKED))
    refused(lambda: pull.check_consistency(root(3), proof_between(3, 7, FORKED)),
            "consistency proof from 3 to 7: computed old root", InconsistentLog)
    assert pull.next() is Step.CONSISTENCY  # still not consistent: nothing to fetch


@pytest.mark.parametrize(("hashes", "match"), [
    ([], "must have 4 hashes, got 0"),
    (proof_between(3, 7)[:-1], "must have 4 hashes, got 3"),
    (proof_between(3, 7) + [HASH], "must have 4 hashes, got 5"),
    ([HASH[:31]] + proof_between(3, 7)[1:], "consistency proof hash 0"),
])
def test_a_malformed_consistency_proof_is_invalid(hashes: list[bytes], match: str) -> None:
    pull = LogPull(MAKER, 3, 7, root(7))
    refused(lambda: pull.check_consistency(root(3), hashes), match, InvalidProof)
    assert pull.next() is Step.CONSISTENCY


def test_a_wrong_consistency_proof_is_refused() -> None:
    pull = LogPull(MAKER, 3, 7, root(7))
    wrong = [bytes(32)] * 4
    refused(lambda: pull.check_consistency(root(3), wrong),
            "consistency proof from 3 to 7: computed old root", InconsistentLog)
    assert pull.next() is Step.CONSISTENCY


def test_a_batch_that_does_not_lead_to_the_signed_root_is_refused() -> None:
    """Entries reordered or forged by the peer: our root after the batch is not a prefix."""
    pull = LogPull(MAKER, 0, 7, root(7), batch=4)
    reordered = list(reversed(LEAVES[:4])) + LEAVES[4:]
    refused(lambda: pull.check_batch(4, root(4, reordered), proof_between(4, 7)),
            "consistency proof from 4 to 7: computed new root", InconsistentLog)
    refused(lambda: pull.check_batch(4, root(4), [bytes(32)] * 3), "must have 1 hashes, got 3",
            InvalidProof)
    assert (pull.held, pull.entries_request().start) == (0, 0)


# --- planning a pull from a verified checkpoint ------------------------------------------------
def test_plan_pull_when_the_peer_has_more() -> None:
    pull = plan_pull(MAKER, 3, 7, root(7), signed_root=None, held_root=None, batch=2)
    assert pull == LogPull(MAKER, 3, 7, root(7), batch=2)
    assert pull is not None and pull.next() is Step.CONSISTENCY


@pytest.mark.parametrize("size", [0, 2, 3])
def test_plan_pull_when_we_hold_that_tree(size: int) -> None:
    assert plan_pull(MAKER, 3, size, root(size), signed_root=root(size),
                     held_root=root(size)) is None
    assert plan_pull(MAKER, 3, size, root(size), signed_root=None, held_root=root(size)) is None


@pytest.mark.parametrize("size", [2, 3, 5])
def test_equivocation_two_signed_roots_of_one_size(size: int) -> None:
    refused(lambda: plan_pull(MAKER, 3, size, root(size, FORKED_FIRST), signed_root=root(size),
                              held_root=root(size) if size <= 3 else None),
            f"log {MAKER} has two signed checkpoints of size {size}", Equivocation)


@pytest.mark.parametrize("size", [1, 3])
def test_plan_pull_refuses_a_checkpoint_that_rewrites_what_we_hold(size: int) -> None:
    refused(lambda: plan_pull(MAKER, 3, size, root(size, FORKED_FIRST), signed_root=None,
                              held_root=root(size)),
            f"log {MAKER} at size {size}: the checkpoint's root", InconsistentLog)


def test_plan_pull_needs_our_root_when_we_hold_the_size() -> None:
    with pytest.raises(ValueError, match="root of the entries held is needed"):
        plan_pull(MAKER, 3, 2, root(2), signed_root=None, held_root=None)
