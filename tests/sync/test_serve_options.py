"""`serve` and `sync` options that cannot work are refused with one line and exit 1, before
anything is served: malformed or foreign listen addresses, a port in use, and intervals or
timeouts that are not a positive finite number of seconds."""

from __future__ import annotations

import socket

import pytest

from supplychain.cli.main import main
from supplychain.errors import BadListenAddress
from supplychain.node.network import parse_listen_address
from tests.conftest import MAKER, PASSPHRASE, Network


@pytest.fixture
def cli(network: Network, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("SUPPLYCHAIN_PASSPHRASE", PASSPHRASE.decode())
    home = network.homes[MAKER]
    network[MAKER].close()

    def run(*args: str) -> tuple[int, str]:
        code = main(["--home", str(home), *args])
        err = capsys.readouterr().err
        return code, err

    return run


@pytest.mark.parametrize(("text", "address"), [
    ("127.0.0.1:8443", ("127.0.0.1", 8443)),
    ("[::1]:0", ("::1", 0)),
    (":9000", ("127.0.0.1", 9000)),
    ("node-1.example:443", ("node-1.example", 443)),
])
def test_listen_addresses_are_read(text: str, address: tuple[str, int]) -> None:
    assert parse_listen_address(text) == address


@pytest.mark.parametrize("text", ["999.1.1.1:1", "1.2.3:1", "[::1:1", "bad host:1", "h\x00:1",
                                  "127.0.0.1", "127.0.0.1:65536", "127.0.0.1:-1", "h:٣"])
def test_malformed_listen_addresses_are_refused(text: str) -> None:
    with pytest.raises(BadListenAddress):
        parse_listen_address(text)


def _one_line_error(code: int, err: str, words: str) -> None:
    assert code == 1, err
    lines = [line for line in err.splitlines() if line.startswith("supplychain:")]
    assert len(lines) == 1 and lines[0].startswith("supplychain: error: "), err
    assert words in lines[0], err
    assert "Traceback" not in err


@pytest.mark.parametrize(("listen", "words"), [
    ("999.1.1.1:1", "'999.1.1.1' is neither an IP address"),
    ("[::1:1", "is neither an IP address"),
    ("127.0.0.1:99999", "is not HOST:PORT with a port from 0 to 65535"),
    ("192.0.2.1:8443", "Cannot listen on 192.0.2.1:8443"),  # TEST-NET: not this machine
])
def test_serve_refuses_addresses_it_cannot_listen_on(cli, listen: str, words: str) -> None:
    _one_line_error(*cli("serve", "--listen", listen), words)


def test_serve_refuses_a_port_in_use(cli) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        _one_line_error(*cli("serve", "--listen", f"127.0.0.1:{port}"),
                        f"Cannot listen on 127.0.0.1:{port}")


@pytest.mark.parametrize("option", ["--interval", "--timeout"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "0", "1e9", "soon"])
def test_intervals_and_timeouts_must_be_positive_finite_seconds(cli, option: str,
                                                                value: str) -> None:
    words = f"{option} '{value}' is not a number of seconds above 0"
    _one_line_error(*cli("sync", "--once", f"{option}={value}"), words)
    _one_line_error(*cli("serve", "--listen", "127.0.0.1:0", f"{option}={value}"), words)
