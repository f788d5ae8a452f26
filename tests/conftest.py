"""Shared test set-up: offscreen Qt, the test data folder, and small consortia."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hypothesis import HealthCheck, settings  # noqa: E402

# Property tests judge behaviour, not speed: no per-example deadline (a loaded CI machine
# would make timings flaky); speed lives in bench/.
settings.register_profile("project", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("project")

from supplychain import i18n  # noqa: E402
from supplychain.codes.gs1 import PackCode  # noqa: E402
from supplychain.identity.certificates import MemberInfo, Role  # noqa: E402
from supplychain.ids import GLN  # noqa: E402
from supplychain.node.operations import Node  # noqa: E402
from supplychain.node.setup import build_network  # noqa: E402

#: Outside test data copied into the project, each folder with its source note.
TEST_DATA = Path(__file__).resolve().parent / "data"
PASSPHRASE = b"correct horse battery staple"


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test runs in English whatever the machine's locale (the command line and child
    processes too, through $SUPPLYCHAIN_LANG); tests of another language switch explicitly."""
    monkeypatch.setenv(i18n.ENV_OVERRIDE, "en")
    i18n.set_language("en")
    yield
    i18n.set_language("en")

# Valid GLNs (GS1 check digit) and a GTIN inside the manufacturer's company prefix.
REGULATOR = GLN("5012345000015")
MAKER = GLN("5012345000022")
DIST_A = GLN("5012345000039")
DIST_B = GLN("5012345000046")
PHARMACY = GLN("5012345000053")
OTHER_MAKER = GLN("5012345000060")
PREFIX = "501234"
GTIN = "05012345000015"
FOREIGN_GTIN = "09506000134352"  # prefix 950...: nobody's

MEMBERS = [
    MemberInfo("Medicines Agency", REGULATOR, Role.REGULATOR),
    MemberInfo("Acme Pharma", MAKER, Role.MANUFACTURER, (PREFIX,)),
    MemberInfo("North Wholesale", DIST_A, Role.DISTRIBUTOR),
    MemberInfo("South Wholesale", DIST_B, Role.DISTRIBUTOR),
    MemberInfo("High Street Pharmacy", PHARMACY, Role.PHARMACY),
    MemberInfo("Other Pharma", OTHER_MAKER, Role.MANUFACTURER, ("950600",)),
]


@dataclass
class Network:
    """A consortium with one open node per member, keyed by GLN."""

    root: Path
    homes: dict[str, Path]
    nodes: dict[str, Node]

    def __getitem__(self, gln: str) -> Node:
        return self.nodes[gln]

    def reopen(self, gln: str) -> Node:
        self.nodes[gln].close()
        self.nodes[gln] = Node(self.homes[gln], lambda: PASSPHRASE)
        return self.nodes[gln]


@pytest.fixture(scope="session")
def _network_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    root = tmp_path_factory.mktemp("network-template")
    _, homes = build_network(root, "Test Health", MEMBERS, PASSPHRASE)
    return root, homes


@pytest.fixture
def network(tmp_path: Path, _network_template: tuple[Path, dict[str, Path]]) -> Iterator[Network]:
    """A fresh copy of a six-member network (copying is faster than issuing keys anew)."""
    import shutil

    template, homes = _network_template
    shutil.copytree(template, tmp_path / "net")
    new_homes = {g: tmp_path / "net" / h.relative_to(template) for g, h in homes.items()}
    nodes = {g: Node(h, lambda: PASSPHRASE) for g, h in new_homes.items()}
    yield Network(tmp_path / "net", new_homes, nodes)
    for node in nodes.values():
        node.close()


def pack(serial: str = "SN1", lot: str = "L1", expiry: date = date(2030, 1, 31)) -> PackCode:
    return PackCode(GTIN, serial, lot, expiry)  # type: ignore[arg-type]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run the ``supplychain`` command line in-process: ``cli(*args) -> (status, out, err)``."""
    from supplychain.cli.main import main

    monkeypatch.setenv("SUPPLYCHAIN_PASSPHRASE", PASSPHRASE.decode())
    monkeypatch.delenv("SUPPLYCHAIN_HOME", raising=False)

    def run(*args: str | Path) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run

