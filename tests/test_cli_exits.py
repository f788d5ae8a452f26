"""The exit and returns commands, run in-process on real node homes: `stolen`, `export`,
`sample`, `return`, and `returns incoming|check|receive`."""

from __future__ import annotations

import json

from supplychain.interchange.bundle import exchange
from tests.conftest import DIST_A, PHARMACY, Network, packs_at_pharmacy


def _links_at_pharmacy(network: Network, count: int) -> list[str]:
    return [c.to_digital_link() for c in packs_at_pharmacy(network, count)]


def test_exits_and_returns_from_the_command_line(cli, network: Network) -> None:
    links = _links_at_pharmacy(network, 4)
    pharmacy, dist = network.homes[PHARMACY], network.homes[DIST_A]
    code, out, _ = cli("--home", pharmacy, "return", "--to", DIST_A, links[0], links[1],
                       "--reason", "overstock")
    assert code == 0 and out.startswith(f"Returned to {DIST_A}: 2 packs; event ")
    code, out, _ = cli("--home", pharmacy, "stolen", links[2], "--reason", "break-in")
    assert code == 0 and out.startswith("Reported stolen: 1 pack; event ")
    code, out, _ = cli("--home", pharmacy, "sample", "--json", links[3])
    assert code == 0 and json.loads(out)["type"] == "sample"
    code, _, err = cli("--home", pharmacy, "export", links[3])
    assert code == 1 and "stays decommissioned" in err
    exchange(network[PHARMACY], network[DIST_A])

    code, out, _ = cli("--home", dist, "returns", "incoming", "--json")
    assert code == 0
    assert sorted(r["pack"] for r in json.loads(out)) == sorted(
        link.split("/01/")[1].replace("/21/", "/").split("?")[0] for link in links[:2])
    unknown = "https://id.gs1.org/01/05012345000015/21/NEVERMADE"
    code, out, _ = cli("--home", dist, "returns", "check", "--json", "--from", PHARMACY,
                       links[0], links[2], unknown)
    assert code == 1  # not every pack passes
    assert [c["outcome"] for c in json.loads(out)["checks"]] == [
        "accepted", "decommissioned", "unknown"]
    code, out, _ = cli("--home", dist, "returns", "receive", "--from", PHARMACY, "--quarantine",
                       links[0], links[2])
    assert code == 1
    assert "ACCEPTED: Passes the saleable-returns check" in out
    assert "OUT OF CIRCULATION: Out of circulation (stolen)" in out
    assert "Received back into saleable stock: 1 pack. event " in out
    assert "Not received: 1 pack (see above)." in out
    assert "Quarantined and reported as suspect: 1 pack(s)." in out
    code, out, _ = cli("--home", dist, "returns", "check", "--from", PHARMACY, links[1])
    assert code == 0 and "ACCEPTED" in out

    # The wholesaler exports the pack it took back; a pharmacy scanning it later is warned.
    code, out, _ = cli("--home", dist, "export", links[0], "--reason", "to Norway")
    assert code == 0 and out.startswith("Exported out of the market: 1 pack; event ")
    exchange(network[DIST_A], network[PHARMACY])
    code, out, _ = cli("--home", pharmacy, "verify", "--json", links[0])
    verdict = json.loads(out)
    assert (verdict["verdict"], verdict["reasons"], verdict["status"]) == (
        "suspect", ["exported"], "exported")
    code, out, _ = cli("--home", pharmacy, "verify", links[2])
    assert out.startswith("COUNTERFEIT: This pack was reported stolen")
