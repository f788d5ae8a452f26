"""Slow and greedy members on real TLS over loopback: a member that sends its request head
byte by byte (slowloris) or trickles a body is cut off within the server's timeouts, and one
member cannot hold more than its share of open requests, while everyone else is served."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp

from supplychain.ledger.audit import audit
from supplychain.sync.protocol import PATH_CHECKPOINTS, PATH_NOTIFY
from supplychain.sync.service import ServerLimits, SyncService
from supplychain.sync.tls import client_context
from tests.conftest import DIST_A, DIST_B, MAKER, PASSPHRASE, Network
from tests.sync.helpers import run

LIMITS = ServerLimits(header_timeout=1.0, request_timeout=1.0, max_in_flight=2)
HEAD = (f"GET {PATH_CHECKPOINTS} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "".join(f"X-Pad-{i}: {'x' * 20}\r\n" for i in range(20)) + "\r\n").encode()


@asynccontextmanager
async def serving(network: Network) -> AsyncIterator[int]:
    service = SyncService(network[MAKER], PASSPHRASE, limits=LIMITS)
    port = await service.start("127.0.0.1", 0)
    try:
        yield port
    finally:
        await service.stop()
        service.close()


async def connect(network: Network, gln: str,
                  port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A TLS connection with ``gln``'s member certificate: authenticated at the handshake."""
    ctx = client_context(network.homes[gln], PASSPHRASE)
    return await asyncio.open_connection("127.0.0.1", port, ssl=ctx)


async def trickle(writer: asyncio.StreamWriter, data: bytes, pause: float) -> int:
    """Send ``data`` a byte at a time; return how many bytes went out before the server
    closed the connection."""
    for sent in range(len(data)):
        try:
            writer.write(data[sent:sent + 1])
            await writer.drain()
        except (ConnectionError, RuntimeError):
            return sent
        if writer.transport.is_closing():
            return sent
        await asyncio.sleep(pause)  # the attacker's pace: this is what is under test
    return len(data)


async def response(reader: asyncio.StreamReader) -> bytes:
    """One HTTP response as raw bytes: the head, then a body of its Content-Length."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    return head + await asyncio.wait_for(reader.readexactly(length), timeout=10)


async def good_request(network: Network, gln: str, port: int) -> int:
    ctx = client_context(network.homes[gln], PASSPHRASE)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ctx),
                                     timeout=aiohttp.ClientTimeout(total=5)) as session:
        async with session.get(f"https://127.0.0.1:{port}{PATH_CHECKPOINTS}") as resp:
            await resp.read()
            return resp.status


def test_a_slowloris_head_is_cut_off_and_others_are_served(network: Network) -> None:
    async def go() -> tuple[float, bytes, int, list[int]]:
        async with serving(network) as port:
            reader, writer = await connect(network, DIST_A, port)
            t0 = time.monotonic()
            sending = asyncio.create_task(trickle(writer, HEAD, 0.05))  # ~30 s for the head
            served = [await good_request(network, DIST_B, port) for _ in range(3)]
            answer = await asyncio.wait_for(reader.read(), timeout=10)  # b"": closed by server
            elapsed = time.monotonic() - t0
            sent = await asyncio.wait_for(sending, timeout=10)
            writer.close()
            return elapsed, answer, sent, served

    elapsed, answer, sent, served = run(go())
    assert served == [200, 200, 200]  # others are served while the slow one hangs on
    assert answer == b"" and sent < len(HEAD)  # closed before the head was complete
    assert LIMITS.header_timeout <= elapsed < LIMITS.header_timeout + 2.5
    audit(network[MAKER].ledger)


def test_a_trickled_body_is_cut_off(network: Network) -> None:
    head = (f"POST {PATH_NOTIFY} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
            "application/json\r\nContent-Length: 1000\r\n\r\n").encode()

    async def go() -> tuple[float, bytes]:
        async with serving(network) as port:
            reader, writer = await connect(network, DIST_A, port)
            writer.write(head)
            await writer.drain()
            t0 = time.monotonic()
            sending = asyncio.create_task(trickle(writer, b"{" + b" " * 999, 0.05))
            answer = await response(reader)
            elapsed = time.monotonic() - t0
            sending.cancel()
            writer.close()
            return elapsed, answer

    elapsed, answer = run(go())
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:80]
    assert b"not completed within 1s" in answer
    assert elapsed < LIMITS.request_timeout + 2.5


def test_one_member_cannot_hold_more_than_its_share(network: Network) -> None:
    head = (f"POST {PATH_NOTIFY} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
            "application/json\r\nContent-Length: 100\r\n\r\n").encode()

    async def go() -> tuple[list[bytes], int]:
        async with serving(network) as port:
            held = [await connect(network, DIST_A, port) for _ in range(LIMITS.max_in_flight)]
            for _, writer in held:  # each request is open, its body never comes
                writer.write(head)
                await writer.drain()
            await asyncio.sleep(0.2)  # let the server start handling both
            third, writer = await connect(network, DIST_A, port)
            writer.write(head)
            await writer.drain()
            refused = await response(third)
            other = await good_request(network, DIST_B, port)
            answers = [await response(r) for r, _ in held]
            for _, w in [*held, (third, writer)]:
                w.close()
            return [refused, *answers], other

    (refused, *answers), other = run(go())
    assert refused.startswith(b"HTTP/1.1 503 "), refused[:80]
    assert b"At most 2 requests at once per member" in refused
    assert other == 200  # another member is served
    assert all(a.startswith(b"HTTP/1.1 408 ") for a in answers)  # then the held ones time out
