"""Ed25519 verification in worker processes, for large ingest batches.

Verification is the bound on ingest (about 105 µs per signature per core); Python threads
cannot share it across cores, worker processes can. The ledger parses and checks each entry
(canonical form, author, key, certificate expiry) in its own process, in order, and sends
only ``(raw public key, signed bytes, signature)`` triples here; the workers answer which, if
any, fails. Nothing about *what* is checked changes, only *where* the signature is.

The pool is started lazily with the "forkserver" start method (or "spawn" where there is no
forkserver): never a plain fork of a process that may run threads or Qt. It is shared and
lives until the process exits (``shutdown()`` stops it earlier). Ledgers use workers by
default on machines with two or more cores (``default_workers``), so, as with any
``multiprocessing`` program using these start methods, a script that imports bundles or
syncs must keep its top-level code under ``if __name__ == "__main__":`` (the workers import
the main module), or set ``SUPPLYCHAIN_VERIFY_WORKERS=0``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from supplychain.ledger.process_pool import SharedPool

Job = tuple[bytes, bytes, bytes]
"""(raw 32-byte public key, signed bytes, 64-byte signature)."""

_keys: dict[bytes, Ed25519PublicKey] = {}  # per worker process


def first_bad(jobs: Sequence[Job]) -> int:
    """Index of the first job whose signature does not verify, or -1 (runs in a worker)."""
    for i, (raw, data, signature) in enumerate(jobs):
        key = _keys.get(raw)
        if key is None:
            key = _keys[raw] = Ed25519PublicKey.from_public_bytes(raw)
        try:
            key.verify(signature, data)
        except InvalidSignature:
            return i
    return -1


MAX_DEFAULT_WORKERS = 4
WORKERS_ENV = "SUPPLYCHAIN_VERIFY_WORKERS"
"""Environment variable overriding ``default_workers`` (0 turns worker verification off)."""


def default_workers() -> int:
    """How many worker processes a ledger verifies large batches in by default: one per
    core, up to ``MAX_DEFAULT_WORKERS``, where there are at least two cores (on one core
    workers only add copying); ``SUPPLYCHAIN_VERIFY_WORKERS`` overrides it."""
    configured = os.environ.get(WORKERS_ENV, "").strip()
    if configured.isdigit():
        return int(configured)
    cores = os.cpu_count() or 1
    return min(cores, MAX_DEFAULT_WORKERS) if cores >= 2 else 0


_pool = SharedPool(warm=partial(first_bad, []))  # workers import cryptography once


def pool(workers: int) -> ProcessPoolExecutor:
    """The shared pool with ``workers`` processes (restarted if a different size is asked)."""
    return _pool.get(workers)


def submit(workers: int, jobs: Sequence[Job]) -> Future[int]:
    return pool(workers).submit(first_bad, list(jobs))


def shutdown() -> None:
    _pool.shutdown()
