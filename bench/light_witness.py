"""The witness figures of bench_light.py: the regulator cosigns every log's checkpoint (so
light nodes, which trust only checkpoints the witness policy accepts, take them), and what an
add-checkpoint costs: the real ``ledger.witnessing.add_checkpoint`` over a growing log, and
its floor with this project's primitives."""

from __future__ import annotations

import time
from typing import Any

from light_tools import pct

from supplychain.ledger import merkle
from supplychain.ledger.checkpoint import Checkpoint, SignedCheckpoint, sign_checkpoint
from supplychain.ledger.witnessing import AddCheckpoint, add_checkpoint, keep_cosignatures
from supplychain.node.operations import Node

WITNESS: dict[str, float] = {}


def _submit(full: Node, log: str, note: str, size: int, witness_key: Any,
            witness_gln: str) -> str:
    state = full.store.witness_state(full.ledger.origin(log))
    old = 0 if state is None else state.size
    proof = tuple(full.ledger.consistency_proof(log, old, size)) if 0 < old < size else ()
    answer = add_checkpoint(full.ledger, witness_key, witness_gln,
                            AddCheckpoint(old, proof, note).to_bytes(), "bench")
    assert answer.status == 200, answer
    return answer.body


def cosign_latest(full: Node, log: str, witness_key: Any, witness_gln: str) -> None:
    """Have the witness cosign the log's latest checkpoint and keep the cosignature."""
    record = full.store.latest_checkpoint(log)
    assert record is not None
    line = _submit(full, log, record.note, record.size, witness_key, witness_gln)
    assert keep_cosignatures(full.ledger, log, record.note + line), log


def witness_runs(full: Node, log: str, log_key: Any, witness_key: Any, witness_gln: str,
                 steps: int = 300) -> None:
    """The witness's real ``add_checkpoint`` (C2SP tlog-witness, without HTTP): the log grows
    in ``steps`` checkpoints, each submitted with its consistency proof from the last one
    cosigned; the witness checks it and commits its new state in one SQLite transaction."""
    size = full.store.log_size(log)
    sizes = sorted({max(1, size * k // steps) for k in range(1, steps + 1)})
    origin = full.ledger.origin(log)
    notes = [(n, sign_checkpoint(Checkpoint(origin, n, full.ledger.root(log, n)), origin,
                                 log_key).to_text()) for n in sizes]
    took = []
    for n, note in notes:
        t0 = time.perf_counter()
        _submit(full, log, note, n, witness_key, witness_gln)
        took.append(time.perf_counter() - t0)
    WITNESS["add_p50"], WITNESS["add_p99"] = pct(took, 50), pct(took, 99)
    WITNESS["adds"] = len(took)


def witness_floor(full: Node, log: str, log_key: Any, witness_key: Any,
                  rounds: int = 1_000) -> None:
    """What one tlog-witness add-checkpoint costs at least, with this project's primitives:
    parse the note and check the log's signature, check a consistency proof (from half the
    log to all of it), sign a cosignature (Ed25519 over the checkpoint body and a
    timestamp). No HTTP, no durable state write. Also the checkpoint notes' sizes."""
    notes = [full.store.latest_checkpoint(g) for g in full.store.log_sizes()]
    WITNESS["note_bytes"] = sum(len(n.note.encode()) for n in notes if n) / len(notes)
    record = full.store.latest_checkpoint(log)
    assert record is not None
    size = record.size
    old = max(size // 2, 1)
    old_root = full.ledger.root(log, old)
    proof = full.ledger.consistency_proof(log, old, size)
    t0 = time.perf_counter()
    for i in range(rounds):
        signed = full.ledger.verify_checkpoint_note(log, record.note)
        merkle.verify_consistency(old, size, old_root, signed.checkpoint.root_hash, proof)
        witness_key.sign(signed.checkpoint.to_body() + f"\n{i}".encode())
    WITNESS["add_checkpoint_s"] = (time.perf_counter() - t0) / rounds
    public = log_key.public_key()
    t0 = time.perf_counter()
    for i in range(rounds):  # the same with the log's key already in hand
        signed = SignedCheckpoint.parse(record.note)
        public.verify(signed.signature, signed.checkpoint.to_body())
        merkle.verify_consistency(old, size, old_root, signed.checkpoint.root_hash, proof)
        witness_key.sign(signed.checkpoint.to_body() + f"\n{i}".encode())
    WITNESS["add_checkpoint_raw_s"] = (time.perf_counter() - t0) / rounds
    WITNESS["proof_hashes"] = len(proof)
    WITNESS["log_size"] = size
