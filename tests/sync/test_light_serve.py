"""A light pharmacy against a real full node: a `serve` process on loopback, mutual TLS.

The regulator's node (holding every log) runs as `supplychain serve`; the pharmacy, set light
with `supplychain node mode light`, syncs with `sync --once`, receives and dispenses, and
asks about packs it never held with `verify`; a stranger's reads are refused (403) and
enumeration is rate-limited (429).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp
import pytest

from supplychain.codes.gs1 import PackCode
from supplychain.identity.sharing import NEED_TO_KNOW
from supplychain.ledger.membership import SHARING_META
from supplychain.node.operations import Node
from supplychain.sync.pack_access import BURST
from supplychain.sync.tls import client_context
from tests.conftest import DIST_B, GTIN, PASSPHRASE, PHARMACY, REGULATOR, Network, copy_home
from tests.sync.helpers import assert_same_verdicts, free_port
from tests.sync.helpers import cli_json as _cli
from tests.sync.test_five_nodes import _servers
from tests.sync.test_light import History, _text

pytestmark = pytest.mark.both_backends


def _get(home: Path, url: str) -> tuple[int, str | None]:
    async def go() -> tuple[int, str | None]:
        async with aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=client_context(home, PASSPHRASE))) as s:
            async with s.get(url) as resp:
                await resp.read()
                return resp.status, resp.headers.get("Retry-After")
    return asyncio.run(go())


@pytest.mark.slow
def test_light_pharmacy_against_a_serve_process(network: Network, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPLYCHAIN_PASSPHRASE", PASSPHRASE.decode())
    history = History(network)
    for node in network.nodes.values():
        node.close()
    homes = network.homes
    pharmacy, twin = homes[PHARMACY], tmp_path / "twin"
    copy_home(pharmacy, twin)  # a full replica at the same site: the reference
    url = f"https://127.0.0.1:{free_port()}"
    assert _cli(pharmacy, "node", "mode", "light", capsys=capsys)["mode"] == "light"
    for home in (pharmacy, twin):
        _cli(home, "peers", "add", url, capsys=capsys)
    import tests.sync.test_five_nodes as five
    monkeypatch.setattr(five, "ORDER", [REGULATOR])
    with _servers({REGULATOR: homes[REGULATOR]}, {REGULATOR: url}, tmp_path) as procs:
        for home in (pharmacy, twin):
            reports = _cli(home, "sync", "--once", capsys=capsys)
            assert all(r["error"] is None for r in reports), reports
        mode = _cli(pharmacy, "node", "mode", capsys=capsys)
        full = _cli(twin, "node", "mode", capsys=capsys)
        assert mode["mode"] == "light" and full["mode"] == "full"
        assert mode["entries"] == 0 and mode["proven_entries"] == 5
        assert full["entries"] == 10  # the full replica holds every entry
        # from here on need-to-know (as the member directory would set it): the light
        # pharmacy still gets its answers; a stranger's reads are refused
        with Node(homes[REGULATOR], lambda: PASSPHRASE) as regulator:
            with regulator.store.transaction():
                regulator.store.set_meta(SHARING_META, json.dumps(NEED_TO_KNOW.to_dict()))
        codes = [_text(c) for c in history.to_pharmacy]
        _cli(pharmacy, "receive", *codes, capsys=capsys)
        _cli(pharmacy, "dispense", codes[0], capsys=capsys)
        again = _cli(pharmacy, "sync", "--once", capsys=capsys)  # a light round, need-to-know
        assert all(r["error"] is None for r in again), again
        assert _cli(pharmacy, "verify", codes[1], capsys=capsys)["verdict"] == "genuine"
        assert_same_verdicts(pharmacy, twin, [_text(c) for c in (
            history.genuine_elsewhere, history.destroyed, history.recalled, history.unknown)],
            capsys)
        # need to know: a stranger to the pack, without its full code, is refused ...
        pack = history.to_pharmacy[2]
        bare = f"{url}/v1/packs/{GTIN}/{pack.serial}"
        assert _get(homes[DIST_B], bare)[0] == 403
        assert _get(homes[DIST_B], f"{url}/v1/members/{PHARMACY}/entries?since=0")[0] == 403
        # ... and guessing serials runs into the rate limit
        statuses = [_get(homes[DIST_B], f"{bare}X{i}?lot=L1&expiry=2030-01-31")
                    for i in range(BURST + 1)]
        assert {s for s, _ in statuses[:BURST - 1]} == {200}
        status, retry_after = statuses[-1]
        assert status == 429 and retry_after is not None and int(retry_after) >= 1
        assert all(p.poll() is None for p in procs.values())
    # the full node is down: offline, and never GENUINE for a pack it cannot see
    unseen = PackCode(GTIN, history.lot3[0].serial, "L3", history.lot3[0].expiry)  # type: ignore[arg-type]
    offline = _cli(pharmacy, "verify", _text(unseen), "--timeout", "3", capsys=capsys)
    assert offline["source"] == "offline" and offline["verdict"] != "genuine"
    assert offline["reasons"] == ["cannot_verify_offline"]
    held = _cli(pharmacy, "verify", codes[1], "--timeout", "3", capsys=capsys)
    assert held["source"] == "offline" and held["verdict"] == "genuine"  # in its custody
    with Node(pharmacy, lambda: PASSPHRASE) as node:
        assert sum(node.store.log_sizes().values()) == 2  # its own log: receive, dispense
