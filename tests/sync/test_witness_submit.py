"""Submitting checkpoints to a witness over real TLS on loopback (in-process servers): retried
after the witness was unreachable, the tlog-witness answers on the wire, and the cosigned
checkpoint served to peers."""

from __future__ import annotations

from datetime import date

import aiohttp

from supplychain.node.network import add_peer
from supplychain.sync.service import SyncService
from supplychain.sync.tls import client_context
from supplychain.sync.witness_client import PATH_ADD_CHECKPOINT, Submission
from tests.conftest import GTIN, MAKER, PASSPHRASE, REGULATOR, Network
from tests.sync.helpers import free_port, run, serving


def test_an_unreachable_witness_is_asked_again_next_round(network: Network) -> None:
    maker = network[MAKER]
    maker.commission(GTIN, "L1", date(2030, 1, 31), 2)  # type: ignore[arg-type]
    url = f"https://127.0.0.1:{free_port()}"
    add_peer(maker, url)

    async def go() -> None:
        service = SyncService(maker, PASSPHRASE, timeout=3)
        witness = SyncService(network[REGULATOR], PASSPHRASE, timeout=3)
        try:
            assert not service.witness and witness.witness  # the regulator's node, by default
            await service.round()  # nothing listens: the pull fails, nothing is cosigned
            assert maker.store.cosignatures(MAKER, 1) == []
            await witness.start("127.0.0.1", int(url.rsplit(":", 1)[1]))
            result = await service.round()  # pulls, learns the witness's GLN, submits
            assert [r.failure for r in result.reports] == [None]
            # asked again: nothing new to cosign, the round's submission did it
            assert await service.submit_to_witnesses() == [Submission(REGULATOR)]
            (row,) = maker.store.cosignatures(MAKER, 1)
            assert row.witness == f"supplychain.witness/{REGULATOR}"
            served = service.replica.checkpoints_doc()
            (head,) = [h for h in served.logs if h.gln == MAKER]
            assert head.checkpoint.endswith(row.line + "\n")
        finally:
            await witness.stop()
            witness.close()
            service.close()

    run(go())


def test_the_witness_answers_in_tlog_witness_text(network: Network) -> None:
    maker = network[MAKER]
    maker.commission(GTIN, "L1", date(2030, 1, 31), 1)  # type: ignore[arg-type]
    note = maker.store.latest_checkpoint(MAKER).note  # type: ignore[union-attr]

    async def go() -> None:
        ctx = client_context(network.homes[MAKER], PASSPHRASE)
        async with serving(network[REGULATOR]) as (_svc, witness_url), \
                serving(maker) as (_maker_svc, maker_url), \
                aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ctx)) as session:
            async def post(base: str, body: str) -> tuple[int, str, str]:
                async with session.post(base + PATH_ADD_CHECKPOINT, data=body.encode()) as r:
                    return r.status, r.content_type, await r.text()

            status, kind, text = await post(witness_url, f"old 0\n\n{note}")
            assert (status, kind) == (200, "text/plain")
            assert text.startswith(f"\u2014 supplychain.witness/{REGULATOR} ")
            assert text.endswith("\n") and text.count("\n") == 1
            assert await post(witness_url, f"old 0\n\n{note}") == (409, "text/x.tlog.size",
                                                                    "1\n")
            assert (await post(witness_url, "old 01\n\n" + note))[0] == 400
            assert (await post(maker_url, f"old 0\n\n{note}"))[0] == 404  # not a witness

    run(go())
