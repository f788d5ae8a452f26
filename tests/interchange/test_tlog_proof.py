"""Offline proofs (C2SP tlog-proof): written from a node, checked with only the root certificate.

A pack goes maker -> distributor -> pharmacy (bundles between the nodes); the pharmacy writes
one proof per event of the pack's chain (three logs). Each checks; every single flipped byte
of a proof fails; a proof checked with another consortium's root fails; malformed files give
a plain ProofError (and exit 1 from the command line), never a traceback.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import rfc8785
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supplychain.codes.gs1 import PackCode
from supplychain.errors import ProofError
from supplychain.identity.certificates import (
    MemberInfo,
    Role,
    create_root,
    issue_member_certificate,
    load_certificate,
)
from supplychain.identity.keys import generate_member_key, key_id, sign
from supplychain.interchange.bundle import export_bundle, import_bundle
from supplychain.interchange.pack_proofs import event_proof, write_pack_proofs
from supplychain.interchange.tlog_proof import (
    EXTRA_FORMAT,
    MAX_PROOF_BYTES,
    ProofExtra,
    TlogProof,
    build_event_proof,
    verify_event_proof,
)
from supplychain.ledger import merkle
from supplychain.ledger.checkpoint import Checkpoint, sign_checkpoint
from supplychain.ledger.events import Event, EventType, Item, SignedEvent
from supplychain.ledger.logs import log_origin
from tests.conftest import DIST_A, GTIN, MAKER, PHARMACY, Network


@dataclass
class Proven:
    network: Network
    code: PackCode
    root: x509.Certificate
    files: list[Path]


def _hand_over(network: Network, source: str, target: str, tmp: Path) -> None:
    path = tmp / f"{source}-{target}.json"
    export_bundle(network[source].ledger, path)
    import_bundle(network[target].ledger, path)


@pytest.fixture
def proven(network: Network, tmp_path: Path) -> Proven:
    codes = network[MAKER].commission(GTIN, "L1", date(2030, 1, 31), 3)
    network[MAKER].ship(DIST_A, codes[:1])
    network[MAKER].ship(DIST_A, codes[1:2])  # a second ship: the maker's log has 3 entries
    _hand_over(network, MAKER, DIST_A, tmp_path)
    network[DIST_A].receive(codes[:1])
    network[DIST_A].ship(PHARMACY, codes[:1])
    _hand_over(network, DIST_A, PHARMACY, tmp_path)
    network[PHARMACY].receive(codes[:1])
    network[PHARMACY].dispense(codes[:1])
    written = write_pack_proofs(network[PHARMACY].ledger, codes[0].key, tmp_path / "proofs")
    root = load_certificate((network.homes[PHARMACY] / "root.pem").read_bytes())
    return Proven(network, codes[0], root, [w.path for w in written])


def _maker_ship_proof(proven: Proven) -> bytes:
    """The proof of the maker's ship (entry 1 of 3: a proof of two hashes)."""
    (path,) = [f for f in proven.files if "-ship-" in f.name and f.name.startswith("02-")]
    return path.read_bytes()


def test_every_event_of_the_chain_is_proven_against_its_authors_checkpoint(
        proven: Proven) -> None:
    history = proven.network[PHARMACY].history(proven.code)
    assert len(proven.files) == len(history) == 6
    for path, step in zip(proven.files, history, strict=True):
        assert path.suffix == ".tlog-proof"
        data = path.read_bytes()
        assert TlogProof.parse(data).to_bytes() == data
        result = verify_event_proof(data, proven.root)
        assert result.signed.hash == step.event_hash
        assert result.signed.event.type == step.type
        assert result.signed.event.author == step.actor
        assert result.author.info.name == step.actor_name
        assert result.index == step.log_index
        assert proven.code.key in [i.pack for i in result.signed.event.items]
        ledger = proven.network[PHARMACY].ledger
        assert result.checkpoint_note == ledger.store.latest_checkpoint(step.actor).note
    assert [verify_event_proof(p.read_bytes(), proven.root).signed.event.type
            for p in proven.files] == [EventType.COMMISSION, EventType.SHIP, EventType.RECEIVE,
                                        EventType.SHIP, EventType.RECEIVE,
                                        EventType.DISPENSE]


def test_the_file_is_a_tlog_proof_with_the_entry_and_certificate_as_extra_data(
        proven: Proven) -> None:
    text = _maker_ship_proof(proven).decode()
    lines = text.split("\n")
    assert lines[0] == "c2sp.org/tlog-proof@v1"
    assert lines[1].startswith("extra ")
    assert lines[2] == "index 1"
    assert len(lines[3]) == len(lines[4]) == 44 and lines[5] == ""  # two hashes, blank line
    assert lines[6] == f"supplychain/test-health/{MAKER}" and lines[7] == "3"
    extra = json.loads(base64.b64decode(lines[1][len("extra "):]))
    assert extra["format"] == EXTRA_FORMAT
    entry = base64.b64decode(extra["entry"])
    assert entry == proven.network[PHARMACY].store.entry(MAKER, 1)
    assert SignedEvent.from_bytes(entry).event.type == EventType.SHIP
    (cert,) = extra["certificates"]
    assert load_certificate(base64.b64decode(cert)) == \
        proven.network[PHARMACY].ledger.member(MAKER).certificate


def test_every_single_flipped_byte_fails(proven: Proven) -> None:
    data = _maker_ship_proof(proven)
    verify_event_proof(data, proven.root)
    for position in range(len(data)):
        for mask in (0x01, 0x80):
            tampered = bytearray(data)
            tampered[position] ^= mask
            with pytest.raises(ProofError):
                verify_event_proof(bytes(tampered), proven.root)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # it only reads files
@given(st.data())
def test_any_changed_byte_fails(proven: Proven, data: st.DataObject) -> None:
    raw = _maker_ship_proof(proven)
    position = data.draw(st.integers(0, len(raw) - 1))
    value = data.draw(st.integers(0, 255).filter(lambda v: v != raw[position]))
    tampered = raw[:position] + bytes([value]) + raw[position + 1:]
    with pytest.raises(ProofError):
        verify_event_proof(tampered, proven.root)


def test_another_consortiums_root_refuses_the_proof(proven: Proven) -> None:
    _, other_root = create_root("Test Health")  # same name, another key
    for path in proven.files:
        with pytest.raises(ProofError, match="does not chain to this consortium root"):
            verify_event_proof(path.read_bytes(), other_root)


def _with_extra(data: bytes, extra: ProofExtra) -> bytes:
    proof = TlogProof.parse(data)
    return TlogProof(proof.index, proof.inclusion, proof.checkpoint, extra.to_bytes()).to_bytes()


def test_another_members_certificate_does_not_vouch_for_the_log(proven: Proven) -> None:
    data = _maker_ship_proof(proven)
    extra = ProofExtra.from_bytes(TlogProof.parse(data).extra or b"")
    other = proven.network[PHARMACY].ledger.member(DIST_A).certificate.public_bytes(Encoding.DER)
    with pytest.raises(ProofError, match="not of North Wholesale's log"):
        verify_event_proof(_with_extra(data, ProofExtra(extra.entry, (other,))), proven.root)


def test_another_entry_of_the_same_log_does_not_fit_the_proof(proven: Proven) -> None:
    data = _maker_ship_proof(proven)
    extra = ProofExtra.from_bytes(TlogProof.parse(data).extra or b"")
    other_entry = proven.network[PHARMACY].store.entry(MAKER, 2)
    with pytest.raises(ProofError, match="inclusion proof does not lead"):
        verify_event_proof(_with_extra(data, ProofExtra(other_entry, extra.certificates)),
                           proven.root)


_CHECKPOINT = (b"x/y\n1\n" + base64.b64encode(bytes(32)) + b"\n\n\xe2\x80\x94 x/y "
               + base64.b64encode(bytes(68)) + b"\n")


def _file(extra: bytes | None, index: bytes = b"0", proof: bytes = b"") -> bytes:
    head = b"c2sp.org/tlog-proof@v1\n"
    if extra is not None:
        head += b"extra " + base64.b64encode(extra) + b"\n"
    return head + b"index " + index + b"\n" + proof + b"\n" + _CHECKPOINT


def _extra(certificates: object, entry: object = "", fmt: str = EXTRA_FORMAT) -> bytes:
    return _file(rfc8785.dumps({"certificates": certificates, "entry": entry, "format": fmt}))


MALFORMED = {  # name: (file, what the error says)
    "empty": (b"", "no blank line"),
    "random bytes": (bytes(range(256)), "not UTF-8"),
    "not UTF-8": (b"c2sp.org/tlog-proof@v1\n\xff\n\n", "not UTF-8"),
    "control character": (_file(None).replace(b"index", b"\tindex"), "control character"),
    "another format": (b"c2sp.org/tlog-proof@v2\nindex 0\n\n", "does not start with"),
    "no index": (b"c2sp.org/tlog-proof@v1\n\n" + _CHECKPOINT, "no 'index' line"),
    "index with a leading zero": (_file(None, b"01"), "leading zeros"),
    "negative index": (_file(None, b"-1"), "leading zeros"),
    "huge index": (_file(None, b"9" * 400), "400 digits"),
    "proof line not base64": (_file(None, proof=b"!!!!\n"), "not valid base64"),
    "proof line not canonical": (_file(None, proof=b"AB==\n"), "not canonical base64"),
    "short proof hash": (_file(None, proof=b"AAAA\n"), "32-byte hash"),
    "65 proof hashes": (_file(None, proof=(base64.b64encode(bytes(32)) + b"\n") * 65),
                        "at most 64"),
    "no checkpoint": (b"c2sp.org/tlog-proof@v1\nindex 0\n\n", "checkpoint is malformed"),
    "checkpoint with extension line": (_file(None).replace(b"x/y\n1\n", b"x/y\n1\n\n"),
                                       "not in canonical form|malformed"),
    "no extra": (_file(None), "no 'extra' line"),
    "extra not JSON": (_file(b"\x00\x01"), "extra data"),
    "extra of another format": (_extra([], fmt="x"), "not 'supplychain/event-proof@v1'"),
    "extra without certificates": (_extra([]), "one or two certificates"),
    "extra with three certificates": (_extra(["AAAA"] * 3), "one or two certificates"),
    "extra with a bad certificate": (_extra(["AAAA"]), "not a readable X.509 certificate"),
    "extra with a non-canonical certificate": (_extra(["AB=="]), "not canonical base64"),
    "extra entry not base64": (_extra(["AAAA"], "%%%"), "not valid base64"),
    "extra deeply nested": (_extra([[[[["x"]]]]]), "too deeply"),
    "extra not canonical JSON": (_file(b'{"format":"' + EXTRA_FORMAT.encode()
                                       + b'","certificates":["AAAA"],"entry":""}'),
                                 "not canonical JSON"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_files_give_a_plain_error(name: str, proven: Proven) -> None:
    data, says = MALFORMED[name]
    with pytest.raises(ProofError, match=says):
        verify_event_proof(data, proven.root)


def test_proofs_through_the_command_line(proven: Proven, cli, tmp_path: Path) -> None:  # noqa: ANN001
    home = proven.network.homes[PHARMACY]
    root_pem = tmp_path / "root.pem"
    root_pem.write_bytes((home / "root.pem").read_bytes())
    proven.network[PHARMACY].close()  # the command line opens the node itself
    out_dir = tmp_path / "court"
    code, out, err = cli("--home", home, "history", "--json", proven.code.to_digital_link(),
                         "--proof", out_dir)
    assert code == 0, err
    listed = json.loads(out)["proofs"]
    assert [p["type"] for p in listed] == ["commission", "ship", "receive", "ship", "receive",
                                                "dispense"]
    files = sorted(out_dir.iterdir())
    assert [Path(p["file"]) for p in listed] == files
    code, out, err = cli("check-proof", files[-1], "--root", root_pem)
    assert code == 0, err
    assert out.startswith(f"VALID: dispense of {proven.code.key} by High Street Pharmacy "
                          f"({PHARMACY}) at ")
    code, out, err = cli("check-proof", "--json", files[3], "--root", root_pem)
    assert code == 0, err
    result = json.loads(out)
    assert (result["valid"], result["type"], result["packs"], result["to"],
            result["author_name"]) == (True, "ship", [proven.code.key], PHARMACY,
                                       "North Wholesale")
    # Another consortium's root, a flipped byte, a folder, a missing file: exit 1, a sentence.
    _, other_root = create_root("Test Health")
    other_pem = tmp_path / "other-root.pem"
    other_pem.write_bytes(other_root.public_bytes(Encoding.PEM))
    tampered = tmp_path / "tampered.tlog-proof"
    raw = bytearray(files[0].read_bytes())
    raw[len(raw) // 2] ^= 0x01
    tampered.write_bytes(bytes(raw))
    for args in ((files[0], "--root", other_pem), (tampered, "--root", root_pem),
                 (tmp_path, "--root", root_pem), (tmp_path / "missing", "--root", root_pem),
                 (files[0], "--root", files[1])):
        code, out, err = cli("check-proof", *args)
        assert code == 1 and out.startswith("NOT VALID: "), (args, out, err)
        assert "Traceback" not in out + err
    code, out, _ = cli("check-proof", "--json", files[0], "--root", other_pem)
    assert code == 1
    assert json.loads(out)["valid"] is False
    assert "does not chain to this consortium root" in json.loads(out)["message"]
    # Without --root, the node home's root.pem is used.
    code, out, err = cli("--home", home, "check-proof", files[0])
    assert code == 0 and out.startswith("VALID: commission of "), err


# --- a member that changed keys: the event's signer and the checkpoint's signer differ -------
def _rotated_log(renewed: bool = False
                 ) -> tuple[x509.Certificate, list[x509.Certificate], bytes, TlogProof]:
    """A two-entry log of a maker: entry 1 signed with its first key, the checkpoint with
    its second (a later certificate for the same GLN; ``renewed``: for the same key). Pure:
    no store, no node."""

    root_key, root = create_root("Rotation Health")
    info = MemberInfo("Acme Pharma", MAKER, Role.MANUFACTURER, ("501234",))
    keys = [generate_member_key(), generate_member_key()]
    if renewed:
        keys[1] = keys[0]
    certs = [issue_member_certificate(root_key, root, k.public_key(), info) for k in keys]
    entries = []
    for serial in ("A", "B"):
        event = Event(EventType.COMMISSION, MAKER, key_id(keys[0].public_key()),  # type: ignore[arg-type]
                      "2026-01-02T03:04:05.678+00:00",
                      (Item(f"{GTIN}/{serial}", None, "L1", date(2030, 1, 31)),))  # type: ignore[arg-type]
        entries.append(SignedEvent(event, sign(keys[0], event.to_bytes())).to_bytes())
    leaves = [merkle.leaf_hash(e) for e in entries]
    origin = log_origin("Rotation Health", MAKER)
    note = sign_checkpoint(Checkpoint(origin, 2, merkle.root(leaves)), origin,
                           keys[1]).to_text()
    proof = build_event_proof(entries[1], 1, merkle.inclusion_proof(leaves, 1), note, certs)
    return root, certs, entries[1], proof


def test_a_proof_carries_both_certificates_when_the_author_changed_keys() -> None:
    root, certs, entry, proof = _rotated_log()
    extra = ProofExtra.from_bytes(proof.extra or b"")
    assert extra.certificates == tuple(c.public_bytes(Encoding.DER) for c in certs)
    result = verify_event_proof(proof.to_bytes(), root)
    assert (result.index, result.signed.to_bytes()) == (1, entry)
    # Either certificate alone does not do: one cannot check the checkpoint, the other the event.
    for only, says in ((certs[0], "checkpoint is not signed"), (certs[1], "names author")):
        lone = ProofExtra(entry, (only.public_bytes(Encoding.DER),))
        with pytest.raises(ProofError, match=says):
            verify_event_proof(_with_extra(proof.to_bytes(), lone), root)
    swapped = ProofExtra(entry, tuple(reversed(extra.certificates)))
    with pytest.raises(ProofError, match="checkpoint is not signed"):
        verify_event_proof(_with_extra(proof.to_bytes(), swapped), root)


def test_a_certificate_the_proof_does_not_need_is_refused() -> None:
    root, certs, _entry, proof = _rotated_log(renewed=True)  # one key, two certificates
    assert len(ProofExtra.from_bytes(proof.extra or b"").certificates) == 2
    with pytest.raises(ProofError, match="does not need"):
        verify_event_proof(proof.to_bytes(), root)


@given(st.binary(max_size=2000))
def test_random_bytes_give_a_proof_error(data: bytes) -> None:
    _, root = create_root("Random Health")
    with pytest.raises(ProofError):
        verify_event_proof(data, root)


def test_a_file_over_the_limit_is_refused_unparsed() -> None:
    _, root = create_root("Big Health")
    with pytest.raises(ProofError, match="at most"):
        verify_event_proof(b" " * (MAX_PROOF_BYTES + 1), root)


def test_an_entry_no_held_checkpoint_covers_is_not_proven(proven: Proven) -> None:
    ledger = proven.network[PHARMACY].ledger
    size = ledger.store.latest_checkpoint(MAKER).size  # type: ignore[union-attr]
    event_proof(ledger, MAKER, size - 1)
    with pytest.raises(ProofError, match="not yet covered by a signed checkpoint"):
        event_proof(ledger, MAKER, size)
