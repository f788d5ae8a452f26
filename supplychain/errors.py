"""Every error the core raises, each with a message a person can act on."""

from __future__ import annotations


class SupplyChainError(Exception):
    """Base class of every error raised by the supplychain package."""


# --- outside input ----------------------------------------------------------------
class MalformedInput(SupplyChainError):
    """Bytes from outside (a peer, a file) are not a well-formed document within the limits:
    not JSON, too large, nested too deeply, or holding an absurdly long number."""


class InputFileError(SupplyChainError):
    """An input file cannot be read: missing, a folder, a device or named pipe, or too large."""


# --- pack codes -------------------------------------------------------------
class CodeError(SupplyChainError):
    """A scanned code could not be turned into a pack identity."""


class NotAPackCode(CodeError):
    """The code was read, but it is not a GS1 medicine pack code (web link, plain text, ...)."""


class NotAContainerCode(CodeError):
    """The code was read, but it is not a case or pallet code (SSCC, AI 00)."""


class DamagedCode(CodeError):
    """The code looks like a GS1 pack code but is damaged: bad check digit, bad date, truncated."""


# --- time ------------------------------------------------------------------------
class BadTimestamp(SupplyChainError, ValueError):
    """A time is not ISO 8601 with a zone offset, or has no time zone at all."""


# --- Merkle logs and checkpoints ---------------------------------------------
class MerkleError(SupplyChainError):
    """A Merkle proof or log failed to verify."""


class InvalidProof(MerkleError):
    """A proof is malformed or does not lead to the expected root."""


class InconsistentLog(MerkleError):
    """Two views of one log cannot both be true: history was rewritten."""


class Equivocation(InconsistentLog):
    """Two signed checkpoints of one log and one size name different roots."""


class CheckpointError(SupplyChainError):
    """A checkpoint is malformed or its signature does not verify."""


# --- identity ------------------------------------------------------------------
class IdentityError(SupplyChainError):
    """A key, certificate or passphrase problem."""


class InvalidCertificate(IdentityError):
    """A member certificate is not signed by the consortium root, expired, or malformed."""


class WrongPassphrase(IdentityError):
    """The private key could not be decrypted with the passphrase given."""


class NoPassphrase(IdentityError):
    """No passphrase was supplied for a key that needs one."""


class RevokedMember(IdentityError):
    """The member's certificate was revoked by the consortium root."""


class DirectoryError(IdentityError):
    """A member directory is malformed, not signed by this consortium's root, or altered."""


class StaleDirectory(DirectoryError):
    """A member directory is older than the one this node holds (a rollback is refused)."""


# --- events and the ledger --------------------------------------------------
class EventError(SupplyChainError):
    """An event is malformed or its signature does not verify."""


class InvalidSignature(EventError):
    """A signature does not verify against the author's certificate."""


class DuplicateEntry(EventError):
    """A log repeats an entry (the same signed event twice): an honest author never does."""


class RuleViolation(SupplyChainError):
    """An event breaks a custody rule (wrong role, not the custodian, ...)."""


class EventTimeError(RuleViolation):
    """An event is dated too far from the time its signer signs it (backdated or
    forward-dated), or its signer's clock cannot give it a time in order."""


class LedgerError(SupplyChainError):
    """The store cannot do what was asked (missing node, corrupt file, ...)."""


class NodeNotInitialised(LedgerError):
    """The node home has not been set up by `consortium enroll`."""


class AuditFailure(LedgerError):
    """`audit` found a fault in the stored data."""


class DisputeError(LedgerError):
    """A dispute (two conflicting signed versions of a log) is unknown, or a dispute file does
    not prove what it claims."""


class BundleError(LedgerError):
    """A bundle file is malformed or fails verification."""


class ProofError(SupplyChainError):
    """An offline proof (a C2SP tlog-proof file) is malformed, or does not prove what it
    claims: the message names the first check that failed."""


# --- scanning -------------------------------------------------------------------
class ImageError(SupplyChainError):
    """An image or video file cannot be read: missing, empty, corrupt, unsupported or too large."""


class CameraError(SupplyChainError):
    """A camera cannot be opened or stopped delivering frames (missing, busy, unplugged)."""


# --- labels -----------------------------------------------------------------------
class LabelError(SupplyChainError):
    """A label (QR image or PDF sheet) cannot be made or written: path, disk, too long a link."""


# --- EPCIS interchange ---------------------------------------------------------------
class EpcisError(SupplyChainError):
    """An EPCIS document cannot be read, written or mapped (bad JSON, unknown identifier)."""


class EpcisSchemaError(EpcisError):
    """An EPCIS document does not validate against GS1's EPCIS 2.0 JSON schema."""


class EpcisImportRejected(EpcisError):
    """An EPCIS import was refused as a whole; the report lists the reason of each event."""


# --- peer sync ----------------------------------------------------------------------
class SyncError(SupplyChainError):
    """Peer sync could not complete (network, configuration or a peer's fault)."""


class ProtocolError(SyncError):
    """A sync request or response is malformed, too large, or not what the protocol allows."""


class NotEntitled(SyncError):
    """A peer refused a read because the consortium's sharing policy withholds it from us
    (need-to-know): not a lie, the peer stays trusted and the read is skipped."""


class PeerUnavailable(SyncError):
    """A peer could not be reached or did not answer in time."""


class PeerUnreachable(PeerUnavailable):
    """No connection to a peer could be made. ``problem`` says why in a few plain words
    (connection refused, unknown host name, no network route, ...)."""

    def __init__(self, message: str, problem: str) -> None:
        super().__init__(message)
        self.problem = problem


class PeerTimeout(PeerUnavailable):
    """A peer accepted the connection but did not answer within the deadline."""


class BadPeerUrl(SyncError):
    """A peer address is not of the form https://host:port."""


class UnknownPeer(SyncError):
    """A peer URL names no peer of this node."""


class BadListenAddress(SyncError):
    """An address to serve on is malformed, cannot be resolved, or cannot be bound."""


class BadDuration(SupplyChainError):
    """A number of seconds (an interval, a timeout) is not a finite number in range."""


class PeerRefused(SyncError):
    """A peer is not a member in good standing (stranger, revoked), or it refused us."""


class PeerMisbehaved(SyncError):
    """A peer served something provably false: a forged entry, a wrong root, a rewritten or
    equivocating history. ``kind`` names the lie, ``subject`` the log, ``evidence`` the proof."""

    def __init__(self, message: str, kind: str, subject: str, evidence: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.subject = subject
        self.evidence = evidence


class AuthorMisbehaved(PeerMisbehaved):
    """The author of log ``subject`` signed checkpoints that contradict each other (an
    equivocation or a rewritten history): the evidence is the author's own signatures, so a
    peer that only relays the log is not to blame for it."""


class CommissionInterrupted(KeyboardInterrupt):
    """Ctrl-C (or a second one) stopped a commission part-way. The events committed before it
    stay: ``committed`` holds their pack keys (``GTIN/serial``) in order and ``events`` the
    hashes of their signed events, so the caller can say exactly what exists and print its
    labels. A KeyboardInterrupt, so code that knows nothing of it still stops."""

    def __init__(self, committed: tuple[str, ...], events: tuple[str, ...],
                 requested: int) -> None:
        super().__init__(f"commission interrupted after {len(committed)} of {requested} packs")
        self.committed = committed
        self.events = events
        self.requested = requested


class ReadForbidden(SyncError):
    """A member asked for data it is not entitled to read (answered 403)."""


class RateLimited(SyncError):
    """A member asked too often (answered 429 with Retry-After)."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# --- witnesses -------------------------------------------------------------------
class WitnessPolicyError(IdentityError):
    """A witness policy (C2SP tlog-policy text) is malformed or names unknown witnesses."""


class CosignatureError(CheckpointError):
    """A witness cosignature is malformed or does not verify."""


# --- alerts that end (supplychain.node.alerts) -----------------------------------------
class AlertError(SupplyChainError):
    """An alert cannot take the step asked (not confirmed yet, not this site's, ...)."""


class AlertNotFound(AlertError):
    """No alert held here has this id (or the prefix given matches several)."""


class AlertClosed(AlertError):
    """The alert is closed: a closed alert stays closed."""
