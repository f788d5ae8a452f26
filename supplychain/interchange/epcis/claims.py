"""EPCIS and rewritten logs: what an imported document may claim about the logs held here.

An EPCIS import signs this organisation's own new events; it never takes another member's
log. But a document exported by this project carries, per event, the ledger event it came
from (``sc:log``, ``sc:index``, ``sc:eventHash``, ``sc:event``, ``sc:signature``). An event
whose carried ledger event is signed by its author in this consortium and claims a place in a
log held here that holds another event comes from another version of that log: the event is
refused (and with it, all or nothing, the document).

This is not a dispute (``supplychain.ledger.disputes``): the place is the document's unsigned
word (an author signs events, its signed checkpoints say where they are), and EPCIS carries
no checkpoint. An author's rewritten log is proven, kept and shown when its signed
checkpoints arrive: by bundle, sync or a witness's add-checkpoint.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from typing import Any

from supplychain.errors import SupplyChainError
from supplychain.i18n import _
from supplychain.interchange.epcis.export import extension_signed_event
from supplychain.interchange.epcis.vocabulary import extension_value
from supplychain.ledger.events import SignedEvent
from supplychain.ledger.logs import Ledger


def contradicted_place(ledger: Ledger, obj: Mapping[str, Any],
                       keys: Sequence[str]) -> str | None:
    """Why the event's carried ledger event contradicts the log held here (None: it carries
    none, names a place not held here, is not its author's signed event, or is the one held)."""
    log, index = extension_value(obj, keys, "log"), extension_value(obj, keys, "index")
    if not isinstance(log, str) or isinstance(index, bool) or not isinstance(index, int):
        return None
    try:
        if not 0 <= index < ledger.store.log_size(log):
            return None
        carried = extension_signed_event(obj)
        ledger.verify_entry(log, index, carried.to_bytes())  # the author's own signature
        held = SignedEvent.from_bytes(ledger.store.entry(log, index))
    except SupplyChainError:
        return None
    if hmac.compare_digest(held.hash, carried.hash):
        return None
    return _("it carries an event that {name} ({gln}) signed as entry {index} of its log, "
             "but entry {index} held here is another event ({held}…): the document comes "
             "from another version of that log. The position is not signed and EPCIS "
             "carries no signed checkpoint, so this alone does not prove that {name} "
             "rewrote its log (no dispute is recorded); a bundle or sync from that version "
             "would prove it.").format(name=ledger.member_name(log), gln=log, index=index,
                                       held=held.hash[:16])
