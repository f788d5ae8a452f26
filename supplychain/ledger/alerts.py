"""What an alert or a piece of sync evidence is about, in one enum with its plain words.

The ledger raises alerts when it derives pack state (forks, rejected events, duplicates); sync
keeps evidence against peers (forged entries, rewritten history, refused connections). Both
are stored with their kind's value; ``AlertKind.words`` is what the app and `supplychain
alerts` show for it, so both say the same thing.
"""

from __future__ import annotations

from enum import StrEnum

from supplychain.i18n import N_, _


class AlertKind(StrEnum):
    # --- ledger alerts (supplychain.ledger.logs) ---
    FORKED_CHAIN = "forked_chain"
    REJECTED_EVENT = "rejected_event"
    DUPLICATE_ENTRY = "duplicate_entry"
    OVERLAPPING_PREFIXES = "overlapping_prefixes"
    # --- sync evidence (supplychain.sync.replica): what a peer did ---
    FORGED_ENTRY = "forged_entry"
    ROOT_MISMATCH = "root_mismatch"
    INCONSISTENT_HISTORY = "inconsistent_history"
    EQUIVOCATION = "equivocation"
    BAD_CHECKPOINT = "bad_checkpoint"
    FORGED_REVOCATION = "forged_revocation"
    FORGED_DIRECTORY = "forged_directory"
    REFUSED_PEER = "refused_peer"
    BAD_RESPONSE = "bad_response"
    UNREACHABLE = "unreachable"
    REFUSED_CONNECTION = "refused_connection"
    REFUSED_READ = "refused_read"  # a member asked for what the sharing policy withholds
    # --- evidence against a log's author, whoever relayed it (not held against the relay) ---
    DROPPED_ENTRIES = "dropped_entries"
    # --- a log's author signed two conflicting histories (supplychain.ledger.disputes) ---
    REWRITTEN_LOG = "rewritten_log"

    @property
    def words(self) -> str:
        """Plain words for people (a noun phrase for ledger alerts, what the peer did for
        sync evidence)."""
        return _(_WORDS[self])

    @property
    def blocks_peer(self) -> bool:
        """Evidence of a lie: the peer is cut off until an operator unblocks it."""
        return self in BLOCKING_KINDS


BLOCKING_KINDS = frozenset({AlertKind.FORGED_ENTRY, AlertKind.ROOT_MISMATCH,
                            AlertKind.INCONSISTENT_HISTORY, AlertKind.EQUIVOCATION,
                            AlertKind.BAD_CHECKPOINT, AlertKind.FORGED_REVOCATION,
                            AlertKind.FORGED_DIRECTORY})

_WORDS = {
    AlertKind.FORKED_CHAIN: N_("Forked chain (clone or double hand-over)"),
    AlertKind.REJECTED_EVENT: N_("Rejected event"),
    AlertKind.DUPLICATE_ENTRY: N_("Duplicate entry"),
    AlertKind.OVERLAPPING_PREFIXES: N_("Overlapping company prefixes (certificate issued by "
                                       "mistake)"),
    AlertKind.FORGED_ENTRY: N_("served a forged entry"),
    AlertKind.ROOT_MISMATCH: N_("served entries that do not lead to the author's signed root"),
    AlertKind.INCONSISTENT_HISTORY: N_("served a checkpoint that contradicts the history "
                                       "already verified"),
    AlertKind.EQUIVOCATION: N_("served two signed checkpoints of one size with different roots"),
    AlertKind.BAD_CHECKPOINT: N_("served a checkpoint not signed by the log's author"),
    AlertKind.FORGED_REVOCATION: N_("served a revocation not signed by the consortium root"),
    AlertKind.FORGED_DIRECTORY: N_("served a member directory not signed by the consortium "
                                   "root"),
    AlertKind.REFUSED_PEER: N_("presented the certificate of a revoked or unknown member"),
    AlertKind.BAD_RESPONSE: N_("sent an answer that is not a valid sync document"),
    AlertKind.UNREACHABLE: N_("could not be reached"),
    AlertKind.REFUSED_CONNECTION: N_("a connection to this node was refused"),
    AlertKind.REFUSED_READ: N_("a member asked for data the sharing policy withholds from it"),
    AlertKind.DROPPED_ENTRIES: N_("held entries that no signed checkpoint covered were "
                                  "replaced by the author's signed log"),
    AlertKind.REWRITTEN_LOG: N_("rewrote its signed history (two conflicting signed versions "
                                "kept as evidence)"),
}


def kind_words(kind: str) -> str:
    """The words for a stored kind (one written by a newer version: its name, spaced)."""
    try:
        return AlertKind(kind).words
    except ValueError:
        return kind.replace("_", " ")


def peer_reason_words(reason: str | None) -> str | None:
    """A stored peer reason ("kind: detail") in plain words ("served a forged entry (...)")."""
    if not reason:
        return reason
    kind, sep, detail = reason.partition(": ")
    if sep and kind in AlertKind.__members__.values():
        return f"{AlertKind(kind).words} ({detail})"
    return reason
