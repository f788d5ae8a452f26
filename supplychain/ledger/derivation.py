"""Pack state derived from stored log entries, a batch at a time.

Derivation applies the pure rules of ``supplychain.ledger.rules`` to each stored event and
records the result in the derived tables. It is order-independent: an event whose ``prev`` has
not arrived waits in ``pending`` and is applied when it does; a fork keeps both events and
raises an alert. An entry dated before the entry ahead of it in its own log is rejected (the
times of a log never go back, ``supplychain.ledger.timing``): a log's entries always arrive in
order, so this too depends on the logs alone.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from supplychain.errors import IdentityError, RuleViolation
from supplychain.i18n import source_language
from supplychain.identity.certificates import Member
from supplychain.identity.prefixes import PrefixOwners
from supplychain.ids import GLN, SSCC, EventHash
from supplychain.ledger.alert_life import AlertProgress, AlertStepRecord, check_step
from supplychain.ledger.alert_rows import alert_progress, alert_steps, put_alert_steps
from supplychain.ledger.container_rows import ContainerRecord, put_containers, set_memberships
from supplychain.ledger.containers import ItemState, apply_event, item_record, state_from_record
from supplychain.ledger.events import EventType, SignedEvent, is_container_key
from supplychain.ledger.records import AlertRecord, EventRecord, EventStatus, ItemRecord
from supplychain.ledger.rules import PackStatus, check_recall, split_pack_key
from supplychain.ledger.sparse import entry_bytes
from supplychain.ledger.store import Store
from supplychain.ledger.timing import entry_time, log_order_problem

MemberLookup = Callable[[str, str | None], Member]
"""``(gln, key_id) -> Member``: the verified certificate that signed an entry."""

StoredEvent = tuple[SignedEvent, str, str, int]
"""An entry as derivation takes it: ``(signed event, its hash, log GLN, index in the log)``."""


def derive_batch(store: Store, member: MemberLookup, batch: list[StoredEvent],
                 owners: PrefixOwners, *, sparse: bool = False, unseen: bool = False) -> None:
    """Derive stored entries in order, as one unit of work.

    ``owners``: the company prefixes of every unrevoked manufacturer known (who owns a GTIN).

    Exactly the effect of deriving them one by one; what derivation reads is fetched for
    the whole batch in a few statements and kept (``_Batch``), and the rows it writes to
    events, event_items, packs and alerts go out in one statement per table at the end
    (alert steps, like recalls and reports, are written as they are applied).
    The reasons and alert details it stores are in the source language (English) whatever
    language is shown, so derived tables never depend on who derived them (`audit` compares
    them with a rebuild).

    ``sparse``: the entries are a light node's proven entries (``ledger.sparse``), whose
    neighbours in their logs are not held: their order in the log is not checked here (the
    full node that served them and the author's signed checkpoint vouch for it).

    ``unseen``: the caller has just found that no event of the batch is in ``events`` and
    that none repeats another (``Ledger._refuse_repeats``), so they are not looked up again.
    """
    if not batch:
        return
    with source_language():
        b = _Batch(store, batch, owners, unseen)
        b.sparse = sparse
        for signed, h, gln, idx in batch:
            _derive(b, member, signed, h, gln, idx)
        b.flush()


def _derive(b: _Batch, member: MemberLookup, signed: SignedEvent, h: str, gln: str,
            idx: int) -> None:
    backdated = log_order_problem(gln, idx, signed.event.time, b.previous_time(gln, idx))
    b.note_time(gln, idx, signed.event.time)
    if b.event(h) is not None:
        b.alert("duplicate_entry", h, f"Event {h[:12]} appears twice in logs.", f"{gln}:{idx}")
        return
    b.new_event(h, gln, idx, signed.event.type.value, signed.event.time, signed)
    if backdated is not None:
        _reject(b, h, backdated)
    elif _evaluate(b, member, h, signed) is EventStatus.PENDING:
        return
    if not b.may_wait_on(h):  # the common case: nothing waits for this event
        return
    # Events that waited for this one, then those that waited for them, and so on.
    queue: deque[tuple[str, SignedEvent]] = deque([(h, signed)])
    first = True
    while queue:
        event_hash, current = queue.popleft()
        if first:
            first = False  # evaluated above
        elif _evaluate(b, member, event_hash, current) is EventStatus.PENDING:
            continue
        for waiter in b.waiting_on(event_hash):
            b.store.clear_pending(waiter)
            row = b.event(waiter)
            assert row is not None
            queue.append((waiter, b.signed.get(waiter)
                          or SignedEvent.from_bytes(entry_bytes(b.store, row.log, row.index))))


def _evaluate(b: _Batch, member: MemberLookup, h: str, signed: SignedEvent) -> EventStatus:
    """Try to apply one stored event; return its resulting status."""
    event = signed.event
    row = b.event(h)
    assert row is not None
    gln, idx = row.log, row.index
    try:
        actor = member(gln, event.key_id).info
    except IdentityError as exc:
        return _reject(b, h, str(exc))
    valid_size = b.revocation_size(gln)
    if valid_size is not None and idx >= valid_size:
        return _reject(b, h, f"{actor.name} ({gln}) was revoked; entries from "
                             f"{valid_size} on are rejected.")
    if event.type is EventType.RECALL:
        try:
            check_recall(event, actor, b.owners)
        except RuleViolation as exc:
            return _reject(b, h, str(exc))
        assert event.gtin is not None and event.lot is not None
        b.store.put_recall(event.gtin, event.lot, h)
        return b.set(h, EventStatus.APPLIED, None)
    if event.type is EventType.REPORT:
        for item in event.items:
            b.store.put_report(item.pack, h, gln, event.reason or "")
        return b.set(h, EventStatus.APPLIED, None)
    if event.type is EventType.ALERT:
        return _alert_step(b, h, signed, gln, idx)

    waiting: list[str] = []
    befores: list[tuple[ItemState | None, int]] = []
    for item in event.items:
        if item.prev is None:
            befores.append((None, 0))
            continue
        prev_row = b.event(item.prev)
        if prev_row is None or prev_row.status is EventStatus.PENDING:
            waiting.append(item.prev)
            continue
        if prev_row.status is EventStatus.REJECTED:
            return _reject(b, h, f"{item.pack}: its previous event {item.prev[:12]} "
                                 "was rejected.")
        state = b.item_state(item.prev, item.pack)
        if state is None:
            return _reject(b, h, f"{item.pack}: the event named as previous "
                                 f"({item.prev[:12]}) does not concern this pack.")
        befores.append((state_from_record(state, prev_row.time), state.depth + 1))
    if waiting:
        for prev in waiting:
            b.store.put_pending(h, prev)
            b.waited.add(prev)
        for item in event.items:
            b.store.put_pending_pack(h, item.pack)
        return EventStatus.PENDING
    try:
        afters = apply_event(event, actor, [before for before, _ in befores], b.owners)
    except RuleViolation as exc:
        return _reject(b, h, str(exc))
    for item, (_, depth), after in zip(event.items, befores, afters, strict=True):
        rows = b.add_item(item_record(h, item, depth, after))
        # As SQL would list them: the pack's other items with the same prev, by hash.
        siblings = (sorted(r.event_hash for r in rows if r.prev == item.prev and r.event_hash != h)
                    if len(rows) > 1 else ())
        for sibling in siblings:
            pair = ",".join(sorted((h, sibling)))
            b.alert("forked_chain", item.pack,
                    f"Two events extend the same previous event of {item.pack}: a double "
                    "transfer or a cloned pack.", pair)
        b.refresh_pack(item.pack, rows)
    return b.set(h, EventStatus.APPLIED, None)


def _alert_step(b: _Batch, h: str, signed: SignedEvent, gln: str, idx: int) -> EventStatus:
    """Apply one step of an alert's life (``alert_life.check_step``: the owner's log alone
    decides), or reject it."""
    event = signed.event
    body = event.alert
    assert body is not None  # Event.check_shape: an alert event carries its alert object
    try:
        progress = check_step(body, b.alert_progress(gln, body.id), gln)
    except RuleViolation as exc:
        return _reject(b, h, str(exc))
    b.alert_lives[(gln, body.id)] = progress
    put_alert_steps(b.store, [AlertStepRecord(
        GLN(gln), body.id, idx, h, body.step, event.time, event.reason, body.cause,
        body.subject, body.closing, body.notified, tuple(item.pack for item in event.items))])
    return b.set(h, EventStatus.APPLIED, None)


def _reject(b: _Batch, h: str, reason: str) -> EventStatus:
    b.alert("rejected_event", h, reason, h)
    return b.set(h, EventStatus.REJECTED, reason)


class _Batch:
    """What one derivation batch has read and will write; the store sees the writes at flush.

    Reads derivation makes, answered here exactly as the SQL would answer them, given that
    every write of the batch to events, event_items, packs and alerts is held here until
    ``flush`` (pending, recalls and reports are written at once: rare, and read back only by
    ``waiting_on``, which asks the store whenever a pending row may exist):

    - ``event(h)``: events row, from the rows fetched for the batch's events and their
      ``prev``s in one statement, then the batch's own inserts and status changes;
    - ``item_state`` / siblings / head / forked: from every item row of each pack the batch
      touches (fetched in one statement), plus the batch's own items;
    - ``waiting_on(h)``: empty without a query unless a pending row may name ``h``.
    """

    def __init__(self, store: Store, batch: list[StoredEvent], owners: PrefixOwners,
                 unseen: bool = False) -> None:
        self.store = store
        self.owners = owners
        hashes = [h for _, h, _, _ in batch]
        prevs = {item.prev for s, _, _, _ in batch for item in s.event.items if item.prev}
        # (A prev may be one of the batch's own events: absent too when ``unseen``.)
        fetched = store.event_rows(prevs if unseen else {*hashes, *prevs})
        self.events: dict[str, EventRecord | None] = {h: None for h in hashes}
        self.events.update({h: None for h in prevs})
        self.events.update(fetched)
        self.inserted: dict[str, None] = {}  # events new in this batch, in order
        self.changed: dict[str, None] = {}  # stored events whose status changed
        self.signed: dict[str, SignedEvent] = {}
        self.items: dict[str, list[ItemRecord]] = {}
        packs = {item.pack for s, _, _, _ in batch for item in s.event.items}
        self.items.update({p: [] for p in packs})
        for row in store.items_of_packs(packs):
            self.items[row.pack].append(row)
        self.new_items: list[ItemRecord] = []
        self.packs: dict[str, tuple[Any, ...]] = {}
        self.containers: dict[str, ContainerRecord] = {}
        self.members: dict[str, str | None] = {}  # key -> its container now, where it changed
        self.alerts: list[AlertRecord] = []
        self.asked = set(hashes)  # events for which ``waited`` is known exactly
        self.waited = store.waited_on(hashes)
        self.revocations: dict[str, int | None] = {}
        self.last_times: dict[str, tuple[int, str]] = {}  # log -> (index, time) last derived
        self.sparse = False
        self.alert_lives: dict[tuple[str, str], AlertProgress | None] = {}

    def alert_progress(self, owner: str, alert_id: str) -> AlertProgress | None:
        """Where alert ``alert_id`` of ``owner`` stands (its steps are written at once)."""
        key = (owner, alert_id)
        if key not in self.alert_lives:
            self.alert_lives[key] = alert_progress(alert_steps(self.store, owner, alert_id))
        return self.alert_lives[key]

    def event(self, h: str) -> EventRecord | None:
        if h in self.events:
            return self.events[h]
        found = self.events[h] = self.store.event_row(h)
        return found

    def new_event(self, h: str, gln: str, idx: int, etype: str, time: str,
                  signed: SignedEvent) -> None:
        self.events[h] = EventRecord(EventHash(h), GLN(gln), idx, etype, time,
                                     EventStatus.PENDING, None)
        self.inserted[h] = None
        self.signed[h] = signed

    def set(self, h: str, status: EventStatus, reason: str | None) -> EventStatus:
        row = self.events[h]
        assert row is not None
        self.events[h] = EventRecord(row.event_hash, row.log, row.index, row.type, row.time,
                                     status, reason)
        if h not in self.inserted:
            self.changed[h] = None
        return status

    def previous_time(self, gln: str, idx: int) -> str | None:
        """The time of entry ``idx - 1`` of log ``gln`` (None for the first entry)."""
        if idx == 0:
            return None
        last = self.last_times.get(gln)
        if last is not None and last[0] == idx - 1:
            return last[1]
        if self.sparse:
            return None
        return entry_time(self.store.entry(gln, idx - 1))

    def note_time(self, gln: str, idx: int, time: str) -> None:
        self.last_times[gln] = (idx, time)

    def revocation_size(self, gln: str) -> int | None:
        if gln not in self.revocations:
            self.revocations[gln] = self.store.revocation_size(gln)
        return self.revocations[gln]

    def pack_items(self, pack: str) -> list[ItemRecord]:
        rows = self.items.get(pack)
        if rows is None:
            rows = self.items[pack] = self.store.items_of_pack(pack)
        return rows

    def item_state(self, h: str, pack: str) -> ItemRecord | None:
        for row in self.pack_items(pack):
            if row.event_hash == h:
                return row
        return None

    def add_item(self, item: ItemRecord) -> list[ItemRecord]:
        rows = self.pack_items(item.pack)
        rows.append(item)
        self.new_items.append(item)
        return rows

    def refresh_pack(self, pack: str, rows: list[ItemRecord]) -> None:
        # The head is the deepest item (ties: the greatest hash); the pack is forked when
        # two of its items share a prev (None included).
        if len(rows) == 1:
            head, forked = rows[0], False
        else:
            head = max(rows, key=lambda r: (r.depth, r.event_hash))
            prevs = [r.prev for r in rows]
            forked = len(set(prevs)) != len(prevs)
        if is_container_key(pack) or any(r.container is not None for r in rows):
            self.members[pack] = head.container  # which case it is in now
        if is_container_key(pack):
            self.containers[pack] = ContainerRecord(
                SSCC(pack), PackStatus(head.status), head.custodian, head.recipient,
                SSCC(head.container) if head.container else None, head.contents or 0,
                head.event_hash, forked)
            return
        gtin, serial = split_pack_key(pack)
        self.packs.pop(pack, None)  # keep the order of last writes
        self.packs[pack] = (pack, gtin, serial, head.lot, head.expiry, head.status,
                            head.custodian, head.recipient, head.event_hash, int(forked))

    def alert(self, kind: str, subject: str, detail: str, evidence: str) -> None:
        self.alerts.append(AlertRecord(kind, subject, detail, evidence))

    def may_wait_on(self, h: str) -> bool:
        """Whether a pending row may name ``h`` (False: ``waiting_on(h)`` is empty)."""
        return h not in self.asked or h in self.waited

    def waiting_on(self, h: str) -> list[str]:
        if not self.may_wait_on(h):
            return []
        return self.store.waiting_on(h)

    def flush(self) -> None:
        rows = self.events
        self.store.put_events(r for h in self.inserted if (r := rows[h]) is not None)
        self.store.set_events_status(r for h in self.changed if (r := rows[h]) is not None)
        self.store.put_items(self.new_items)
        self.store.put_packs(self.packs.values())
        put_containers(self.store, self.containers.values())
        set_memberships(self.store, self.members.items())
        self.store.put_alerts(self.alerts)

