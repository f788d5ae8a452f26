"""A pack's events as offline proof files (``supplychain history CODE --proof DIR``).

Each event of the pack's chain becomes one C2SP tlog-proof file (``tlog_proof``), proven
against the newest signed checkpoint of its author's log that this node holds (the latest:
it shows the entry still in the log at the newest state the node knows, and carries whatever
cosignatures were stored with it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from supplychain.errors import CheckpointError, IdentityError, ProofError
from supplychain.files import write_atomically
from supplychain.i18n import _
from supplychain.identity.certificates import Member, verify_stored_certificate
from supplychain.interchange.tlog_proof import TlogProof, build_event_proof
from supplychain.ledger.checkpoint import SignedCheckpoint
from supplychain.ledger.events import SignedEvent
from supplychain.ledger.logs import Ledger
from supplychain.ledger.records import ChainStep

SUFFIX = ".tlog-proof"


@dataclass(frozen=True)
class WrittenProof:
    """One proof file written: which event, where in which log, under which checkpoint."""

    path: Path
    event_hash: str
    type: str
    log: str
    index: int
    checkpoint_size: int


def _checkpoint_signer(ledger: Ledger, gln: str, signed: SignedCheckpoint,
                       event_signer: Member) -> x509.Certificate:
    """The certificate whose key signed the checkpoint: the event signer's if it did (one
    certificate in the proof), else the one of the author's certificates that did."""
    try:
        signed.verify(event_signer.public_key)
        return event_signer.certificate
    except CheckpointError:
        pass
    for pem in ledger.store.member_certs(gln):
        try:
            member = verify_stored_certificate(pem, ledger.root_cert)
            signed.verify(member.public_key)
        except (CheckpointError, IdentityError):
            continue
        return member.certificate
    raise ProofError(_("The checkpoint of log {gln} held here is not signed by a certificate "
                       "this node knows; run `supplychain audit`.").format(gln=gln))


def event_proof(ledger: Ledger, gln: str, index: int) -> tuple[TlogProof, int]:
    """The proof of entry ``index`` of log ``gln`` and the size of the checkpoint used."""
    record = ledger.store.latest_checkpoint(gln)
    if record is None or record.size <= index:
        raise ProofError(_("Entry {index} of log {gln} is not yet covered by a signed "
                           "checkpoint held here; sync with the network and try again.")
                         .format(index=index, gln=gln))
    entry = ledger.store.entry(gln, index)
    event = SignedEvent.from_bytes(entry).event
    signer = ledger.member(gln, event.key_id)
    try:
        signed_cp = SignedCheckpoint.parse(record.note)
    except CheckpointError as exc:
        raise ProofError(_("The checkpoint of log {gln} held here is damaged: {exc}")
                         .format(gln=gln, exc=exc)) from exc
    cp_signer = _checkpoint_signer(ledger, gln, signed_cp, signer)
    inclusion = ledger.inclusion_proof(gln, index, record.size)
    return (build_event_proof(entry, index, inclusion, record.note,
                              [signer.certificate, cp_signer]),
            record.size)


def proof_file_name(position: int, step: ChainStep) -> str:
    """``01-commission-<first 12 hex of the event hash>.tlog-proof``: chain order, no pack
    text in the name (serials may hold characters file systems refuse)."""
    return f"{position:02d}-{step.type.value}-{step.event_hash[:12]}{SUFFIX}"


def write_pack_proofs(ledger: Ledger, pack: str, directory: Path) -> list[WrittenProof]:
    """Write one proof file per event of ``pack``'s chain into ``directory`` (created if
    missing); each file is written atomically. Raises ProofError if an event cannot be
    proven yet; files for the events before it stay."""
    steps = ledger.chain(pack)
    if not steps:
        raise ProofError(_("No events are known for {pack}.").format(pack=pack))
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ProofError(_("Cannot create the folder {dir}: {reason}")
                         .format(dir=directory, reason=exc.strerror)) from exc
    written = []
    for position, step in enumerate(steps, start=1):
        proof, size = event_proof(ledger, step.log, step.index)
        path = directory / proof_file_name(position, step)
        write_atomically(path, proof.to_bytes(), error=ProofError)
        written.append(WrittenProof(path, step.event_hash, step.type.value, step.log,
                                    step.index, size))
    return written
