"""Submitting our log's checkpoints to the consortium's witnesses (C2SP tlog-witness client).

After our log grows and at each sync round, for each witness of the policy held here: send
``POST /v1/witness/add-checkpoint`` with a consistency proof from the largest size it
cosigned (as far as we know; a 409 tells us its size, and we ask once more from there), and
keep the cosignature it returns once it verifies against the policy's key for it. A witness
that is unreachable or refuses is logged and asked again next time: nothing is lost, since
the request is rebuilt from the store. The witness's address is the policy's URL for it, or
else the URL of the peer whose certificate carries its GLN.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partial

import aiohttp

from supplychain.errors import CheckpointError
from supplychain.identity.witness_policy import WITNESS_KEY_PREFIX, PolicyWitness
from supplychain.ledger.logs import Ledger
from supplychain.ledger.witnessing import (
    AddCheckpoint,
    WitnessAnswer,
    held_policy,
    keep_cosignatures,
    submission,
)
from supplychain.sync.protocol import API, StoreRunner

log = logging.getLogger("supplychain.sync")

PATH_ADD_CHECKPOINT = f"{API}/witness/add-checkpoint"
MAX_WITNESS_ANSWER = 64 * 1024
LocalWitness = Callable[[bytes], Awaitable[WitnessAnswer]]


@dataclass(frozen=True)
class Submission:
    """What submitting to one witness did: ``cosigned`` size, or ``problem``."""

    witness: str
    cosigned: int | None = None
    problem: str | None = None


def witness_gln(witness: PolicyWitness) -> str | None:
    key_name = witness.vkey.key_name
    return key_name[len(WITNESS_KEY_PREFIX):] if key_name.startswith(WITNESS_KEY_PREFIX) else None


def _where(ledger: Ledger, witness: PolicyWitness,
           addresses: Mapping[str, str]) -> str | None:
    """The witness's URL: from the policy, else where this round just met its node
    (``addresses``: GLN to URL), else a peer whose certificate carries its GLN."""
    if witness.url:
        return witness.url.rstrip("/")
    gln = witness_gln(witness)
    if gln is not None and gln in addresses:
        return addresses[gln].rstrip("/")
    for peer in ledger.store.peers():
        if gln is not None and peer.gln == gln and peer.state != "blocked":
            return peer.url.rstrip("/")
    return None


async def _post(session: aiohttp.ClientSession, url: str, body: bytes) -> WitnessAnswer:
    async with session.post(url + PATH_ADD_CHECKPOINT, data=body,
                            headers={"Content-Type": "text/plain; charset=utf-8"}) as resp:
        data = await resp.content.read(MAX_WITNESS_ANSWER + 1)
        if len(data) > MAX_WITNESS_ANSWER:
            raise CheckpointError(f"witness answer longer than {MAX_WITNESS_ANSWER} bytes")
        return WitnessAnswer(resp.status, data.decode("utf-8", "replace"),
                             resp.content_type)


async def submit_to_witnesses(ledger: Ledger, gln: str, run: StoreRunner,
                              session: aiohttp.ClientSession,
                              local: LocalWitness | None = None,
                              addresses: Mapping[str, str] | None = None) -> list[Submission]:
    """Ask every witness of the policy to cosign log ``gln``'s latest checkpoint. ``local``
    answers for this node's own witness (no request to ourselves). Never raises for a
    witness's fault."""
    policy = await run(lambda: held_policy(ledger.store))
    results = []
    for witness in policy.witnesses:
        try:
            results.append(await _submit(ledger, gln, run, session, witness, local,
                                         addresses or {}))
        except (aiohttp.ClientError, TimeoutError, CheckpointError, UnicodeError) as exc:
            log.warning("witness %s: checkpoint of log %s not cosigned (will retry): %s",
                        witness.name, gln, exc or type(exc).__name__)
            results.append(Submission(witness.name, problem=str(exc) or type(exc).__name__))
    return results


async def _submit(ledger: Ledger, gln: str, run: StoreRunner, session: aiohttp.ClientSession,
                  witness: PolicyWitness, local: LocalWitness | None,
                  addresses: Mapping[str, str]) -> Submission:
    request = await run(lambda: submission(ledger, gln, witness))
    if request is None:
        return Submission(witness.name)
    mine = local is not None and witness_gln(witness) == gln
    url = None if mine else await run(lambda: _where(ledger, witness, addresses))
    if not mine and url is None:
        return Submission(witness.name, problem="no address known for this witness yet")
    for _attempt in range(2):
        body = request.to_bytes()
        if mine:
            assert local is not None
            answer = await local(body)
        else:
            assert url is not None
            answer = await _post(session, url, body)
        if answer.status == 409 and answer.body.strip().isdigit():
            known = int(answer.body.strip())
            log.info("witness %s holds log %s at size %d (409); asking from there",
                     witness.name, gln, known)
            retry = await run(partial(_from, ledger, gln, request, known))
            if retry is None:
                break
            request = retry
            continue
        if answer.status != 200:
            break
        note = request.note + answer.body
        names = await run(partial(keep_cosignatures, ledger, gln, note))
        size = request.note.split("\n")[1]
        log.info("log %s at size %s cosigned by %s", gln, size, ", ".join(names) or "nobody")
        return Submission(witness.name, cosigned=int(size))
    problem = f"HTTP {answer.status}: {answer.body.strip()[:200]}"
    log.warning("witness %s refused log %s's checkpoint: %s", witness.name, gln, problem)
    return Submission(witness.name, problem=problem)


def _from(ledger: Ledger, gln: str, request: AddCheckpoint, old: int) -> AddCheckpoint | None:
    """The same request with a proof from ``old`` (the witness's size), if we can make one."""
    size = int(request.note.split("\n")[1])
    if old == request.old or old > size:
        return None
    proof = tuple(ledger.consistency_proof(gln, old, size)) if 0 < old < size else ()
    return AddCheckpoint(old, proof, request.note)
