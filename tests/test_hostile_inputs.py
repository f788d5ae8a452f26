"""Every parser of outside bytes against every class of hostile input (nested, huge,
truncated, wrong type, extreme number): a typed error with a plain message, and a store left
unchanged. Then a property test feeding random bytes and random JSON to all of them, and the
input files that are a folder, a device, a named pipe or too large, refused without hanging.

The sync documents over real sockets are in tests/sync/test_hostile_json.py; the reader
itself in tests/test_jsonlimits.py."""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supplychain.errors import (
    BundleError,
    CheckpointError,
    DirectoryError,
    EpcisError,
    EventError,
    IdentityError,
    ImageError,
    InvalidCertificate,
    ProtocolError,
    SupplyChainError,
)
from supplychain.identity.certificates import load_certificate
from supplychain.identity.directory import MemberDirectory
from supplychain.identity.revocations import Revocation
from supplychain.interchange.bundle import export_bundle, import_bundle
from supplychain.interchange.epcis.schema import event_list, parse_document
from supplychain.jsonlimits import load_json
from supplychain.ledger.checkpoint import SignedCheckpoint
from supplychain.ledger.events import MAX_ENTRY_BYTES, SignedEvent
from supplychain.scanning.decode import read_image_file
from supplychain.sync.protocol import (
    FORMAT_CHECKPOINTS,
    FORMAT_DIRECTORY,
    FORMAT_ENTRIES,
    FORMAT_NOTIFY,
    FORMAT_PROOF,
    MAX_REQUEST_BYTES,
    MAX_RESPONSE_BYTES,
    CheckpointsDoc,
    DirectoryDoc,
    EntriesDoc,
    EntriesRequest,
    Notice,
    ProofDoc,
)
from tests.conftest import DIST_A, MAKER, Network
from tests.sync.helpers import make_history, state

NESTED = b"[" * 30_000 + b"]" * 30_000  # 30 times the parser's recursion limit
HUGE_INT = b"9" * 5000
REQUEST = EntriesRequest(MAKER, 0, 2, 2)


def _with(fmt: str, **fields: bytes) -> bytes:
    """A document of format ``fmt`` whose fields are raw JSON text (numbers of any length)."""
    inner = b",".join(b'"%s":%s' % (k.encode(), v) for k, v in fields.items())
    return b'{"format":"%s"%s}' % (fmt.encode(), b"," + inner if inner else b"")


@dataclass(frozen=True)
class Parser:
    """One parser of outside bytes: how to call it, the error it raises, a size it refuses."""

    name: str
    parse: Callable[[bytes], object]
    error: type[SupplyChainError]
    fmt: str | None  # the sync "format" a document must carry, if any
    too_big: int


PARSERS = [
    Parser("checkpoints", CheckpointsDoc.parse, ProtocolError, FORMAT_CHECKPOINTS,
           MAX_RESPONSE_BYTES + 1),
    Parser("entries", lambda b: EntriesDoc.parse(b, REQUEST), ProtocolError, FORMAT_ENTRIES,
           MAX_RESPONSE_BYTES + 1),
    Parser("proof", lambda b: ProofDoc.parse(b, MAKER, "consistency", 1, 2), ProtocolError,
           FORMAT_PROOF, MAX_RESPONSE_BYTES + 1),
    Parser("directory doc", DirectoryDoc.parse, ProtocolError, FORMAT_DIRECTORY,
           MAX_RESPONSE_BYTES + 1),
    Parser("notice", Notice.parse, ProtocolError, FORMAT_NOTIFY, MAX_REQUEST_BYTES + 1),
    Parser("member directory", MemberDirectory.parse, DirectoryError, None, 0),
    Parser("EPCIS document", lambda b: event_list(parse_document(b)), EpcisError, None, 0),
    Parser("log entry", SignedEvent.from_bytes, EventError, None, MAX_ENTRY_BYTES + 1),
    Parser("checkpoint", SignedCheckpoint.parse, CheckpointError, None, 4097),
    Parser("certificate", load_certificate, InvalidCertificate, None, 0),
]
IDS = [p.name for p in PARSERS]


def refused(parser: Parser, data: bytes, phrase: str | None = None) -> str:
    with pytest.raises(parser.error) as caught:
        parser.parse(data)
    message = str(caught.value)
    assert "Traceback" not in message and len(message) < 600
    if phrase is not None:
        assert phrase in message, message
    return message


# --- each parser, each class of input -------------------------------------------------------
@pytest.mark.parametrize("parser", [p for p in PARSERS if p.name not in
                                    ("checkpoint", "certificate")], ids=lambda p: p.name)
def test_nested(parser: Parser) -> None:
    data = _with(parser.fmt, logs=NESTED) if parser.fmt else NESTED
    refused(parser, data, "too deeply")
    refused(parser, b"[" * 60_000, "too deeply")  # nested and never closed


@pytest.mark.parametrize("parser", [p for p in PARSERS if p.too_big], ids=lambda p: p.name)
def test_huge(parser: Parser) -> None:
    refused(parser, b" " * parser.too_big)


@pytest.mark.parametrize("parser", PARSERS, ids=IDS)
def test_truncated(parser: Parser) -> None:
    whole = _with(parser.fmt or "x", logs=b"[]", consortium=b'"Test Health"')
    refused(parser, whole[: len(whole) // 2])
    refused(parser, b"")


@pytest.mark.parametrize("parser", PARSERS, ids=IDS)
@pytest.mark.parametrize("data", [b"[]", b'"text"', b"null", b"17", b'{"format": []}'])
def test_wrong_type(parser: Parser, data: bytes) -> None:
    refused(parser, data)


@pytest.mark.parametrize("parser", [p for p in PARSERS if p.name != "certificate"], ids=IDS[:-1])
@pytest.mark.parametrize("number", [HUGE_INT, b"-" + HUGE_INT, b"1e999999", b"1" * 21])
def test_extreme_number(parser: Parser, number: bytes) -> None:
    if parser.name == "checkpoint":
        note = b"origin\n" + number + b"\nAAAA\n\n\xe2\x80\x94 origin AAAA\n"
        refused(parser, note)
        return
    fields = {"start": number, "end": number, "size": number, "version": number,
              "logs": b'{"%s": %s}' % (MAKER.encode(), number)}
    data = _with(parser.fmt or "x", **fields)
    refused(parser, data)


def test_checkpoint_size_with_thousands_of_digits_is_a_checkpoint_error() -> None:
    note = "example.com/log\n" + "7" * 5000 + "\nAAAA\n\n\u2014 example.com/log AAAA\n"
    with pytest.raises(CheckpointError, match="longer than 4096"):
        SignedCheckpoint.parse(note)
    blob = base64.b64encode(bytes(68)).decode()
    note = f"example.com/log\n{'7' * 21}\n{'A' * 43}=\n\n\u2014 k {blob}\n"
    with pytest.raises(CheckpointError, match="21 digits; a log size has at most 20"):
        SignedCheckpoint.parse(note)


@pytest.mark.parametrize("value", [[], {}, "x", 10**30, None, {"type": [1]}])
def test_revocation_and_directory_objects_of_the_wrong_shape(value: Any) -> None:
    with pytest.raises(IdentityError):
        Revocation.from_dict(value)
    with pytest.raises(DirectoryError):
        MemberDirectory.from_dict(value)


def test_revocation_serial_with_thousands_of_digits_is_refused() -> None:
    revocation = {"type": "supplychain.revocation.v1", "gln": MAKER, "cert_serial": "9" * 5000,
                  "valid_log_size": 0, "reason": "lost", "signature": "A" * 86 + "==",
                  "revoked_at": "2026-01-01T00:00:00+00:00"}
    with pytest.raises(IdentityError, match="cert_serial must be a decimal string"):
        Revocation.from_dict(revocation)


def test_directory_with_non_ascii_member_or_huge_version_is_refused() -> None:
    base = {"type": "supplychain.directory.v1", "consortium": "x", "version": 1,
            "issued_at": "2026-01-01T00:00:00+00:00", "root_key_id": "0" * 16,
            "members": [], "revocations": [], "signature": "A" * 86 + "=="}
    with pytest.raises(DirectoryError, match="list of PEM text"):
        MemberDirectory.from_dict(base | {"members": ["caf\u00e9"]})
    with pytest.raises(DirectoryError, match="whole number"):
        MemberDirectory.from_dict(base | {"version": 2**60})


# --- the store is left unchanged ------------------------------------------------------------
HOSTILE_DOCUMENTS = {
    "nested": NESTED,
    "truncated": b'{"format": "supplychain.bundle.v1", "logs": [',
    "wrong type": b'["supplychain.bundle.v1"]',
    "extreme number": b'{"format": "supplychain.bundle.v1", "n": ' + HUGE_INT + b"}",
}


@pytest.mark.parametrize("kind", HOSTILE_DOCUMENTS)
def test_bundle_import_refuses_and_keeps_nothing(network: Network, tmp_path: Path,
                                                 kind: str) -> None:
    target = network[DIST_A]
    before = state(target)
    path = tmp_path / "hostile.json"
    path.write_bytes(HOSTILE_DOCUMENTS[kind])
    with pytest.raises(BundleError):
        import_bundle(target.ledger, path)
    assert state(target) == before


def test_bundle_with_a_nested_entry_or_log_keeps_nothing(network: Network,
                                                         tmp_path: Path) -> None:
    make_history(network)
    path = tmp_path / "bundle.json"
    export_bundle(network[MAKER].ledger, path)
    target = network[DIST_A]
    before = state(target)
    good = json.loads(path.read_text())
    for entry in (NESTED, b'{"event":' + HUGE_INT + b',"sig":""}', b"[" * 10):
        doc = json.loads(path.read_text())
        doc["logs"][0]["entries"][0] = base64.b64encode(entry).decode()
        path.write_text(json.dumps(doc))
        with pytest.raises(BundleError, match="nothing was imported"):
            import_bundle(target.ledger, path)
        assert state(target) == before
    nested_log = json.dumps(good).replace('"logs": [', '"logs": [' + "[" * 40, 1)
    path.write_text(nested_log + "]" * 40)
    with pytest.raises(BundleError, match="too deeply"):
        import_bundle(target.ledger, path)
    assert state(target) == before


@pytest.mark.parametrize("kind", HOSTILE_DOCUMENTS)
def test_epcis_import_refuses_and_keeps_nothing(network: Network, kind: str) -> None:
    from supplychain.interchange.epcis.importer import import_document

    maker = network[MAKER]
    before = state(maker)
    with pytest.raises(EpcisError):
        import_document(maker, HOSTILE_DOCUMENTS[kind])
    assert state(maker) == before


@pytest.mark.parametrize("kind", HOSTILE_DOCUMENTS)
def test_directory_import_refuses_and_keeps_nothing(network: Network, tmp_path: Path,
                                                    kind: str, cli) -> None:
    home = network.homes[DIST_A]
    path = tmp_path / "directory.json"
    path.write_bytes(HOSTILE_DOCUMENTS[kind])
    before = state(network[DIST_A])
    code, _, err = cli("--home", home, "directory", "import", path)
    assert code != 0 and "member directory" in err and "Traceback" not in err
    assert state(network[DIST_A]) == before


# --- random bytes and random JSON to every parser -------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.sampled_from([MAKER, "2026-01-01T00:00:00+00:00", "AAAA", "supplychain.bundle.v1"]),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(
        st.sampled_from(["format", "logs", "gln", "start", "end", "size", "entries", "proof",
                         "checkpoint", "members", "revocations", "directory", "type",
                         "event", "sig", "version", "epcisBody", "eventList"]) | st.text(
                             max_size=5), inner, max_size=6),
    max_leaves=40)


def _documents() -> st.SearchStrategy[bytes]:
    as_json = json_values.map(lambda v: json.dumps(v).encode())
    formatted = st.tuples(st.sampled_from([p.fmt for p in PARSERS if p.fmt]),
                          st.dictionaries(st.text(max_size=12), json_values, max_size=6)).map(
        lambda t: json.dumps({**t[1], "format": t[0]}).encode())
    deep = st.integers(1, 3000).map(lambda n: b"[" * n + b"]" * n)
    return st.binary(max_size=300) | as_json | formatted | deep


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_documents())
def test_property_only_project_errors_come_out_of_any_parser(data: bytes) -> None:
    for parser in PARSERS:
        try:
            parser.parse(data)
        except SupplyChainError:
            pass
        try:
            Revocation.from_dict(load_json(data, max_bytes=1 << 20))
        except SupplyChainError:
            pass


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=_documents())
def test_property_bundle_import_of_random_documents(network: Network, tmp_path: Path,
                                                    data: bytes) -> None:
    target = network[DIST_A]
    before = state(target)
    path = tmp_path / "random.json"
    path.write_bytes(data)
    try:
        import_bundle(target.ledger, path)
    except SupplyChainError:
        pass
    assert state(target) == before


# --- special files --------------------------------------------------------------------------
def special_file(kind: str, tmp_path: Path) -> Path:
    if kind == "folder":
        (tmp_path / "folder.json").mkdir()
        return tmp_path / "folder.json"
    if kind == "fifo":
        os.mkfifo(tmp_path / "pipe.json")
        return tmp_path / "pipe.json"
    if kind == "huge":
        path = tmp_path / "huge.json"
        with path.open("wb") as f:
            f.truncate(3 * 1024**3)  # sparse: no disk used
        return path
    return Path("/dev/zero")


def finishes(fn: Callable[[], object], path: Path) -> object:
    """Run ``fn`` in a thread: a regression fails the test instead of hanging the run."""
    box: list[object] = []
    worker = threading.Thread(target=lambda: box.append(fn()), daemon=True)
    worker.start()
    worker.join(20)
    if worker.is_alive():
        if path.is_fifo():  # let the blocked reader go
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail(f"reading {path} did not finish")
    return box[0]


SPECIAL = ["folder", "fifo", "dev-zero", "huge"]
WORDS = {"folder": "folder", "fifo": "named pipe", "dev-zero": "device", "huge": "at most"}


@pytest.mark.parametrize("kind", SPECIAL)
def test_bundle_import_of_a_special_file(network: Network, tmp_path: Path, kind: str) -> None:
    path = special_file(kind, tmp_path)
    target = network[DIST_A]
    before = state(target)

    def go() -> str:
        with pytest.raises(BundleError) as caught:
            import_bundle(target.ledger, path)
        return str(caught.value)

    assert WORDS[kind] in str(finishes(go, path))
    assert state(target) == before


@pytest.mark.parametrize("kind", SPECIAL)
@pytest.mark.parametrize("command", [("bundle", "import"), ("epcis", "import"),
                                     ("directory", "import")])
def test_cli_imports_refuse_a_special_file(network: Network, tmp_path: Path, cli, kind: str,
                                           command: tuple[str, str]) -> None:
    path = special_file(kind, tmp_path)
    home = network.homes[MAKER]
    before = state(network[MAKER])
    code, out, err = finishes(lambda: cli("--home", home, *command, path), path)  # type: ignore[misc]
    assert code == 1 and "Traceback" not in err
    words = "EPCIS documents up to" if command[0] == "epcis" and kind == "huge" else WORDS[kind]
    assert words in err, err
    assert state(network[MAKER]) == before


@pytest.mark.parametrize("kind", SPECIAL)
def test_scan_refuses_a_special_image_file(tmp_path: Path, kind: str) -> None:
    path = special_file(kind, tmp_path)
    words = "too large" if kind == "huge" else "not a file"

    def go() -> str:
        with pytest.raises(ImageError) as caught:
            read_image_file(path)
        return str(caught.value)

    assert words in str(finishes(go, path))


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_scan_command_refuses_a_pipe_or_device_named_like_an_image(tmp_path: Path, cli,
                                                                   kind: str) -> None:
    path = special_file(kind, tmp_path)
    if kind == "fifo":
        os.rename(path, tmp_path / "pipe.png")
        path = tmp_path / "pipe.png"
    code, out, _ = finishes(lambda: cli("scan", path), path)  # type: ignore[misc]
    assert code == 1 and "not a file" in out
