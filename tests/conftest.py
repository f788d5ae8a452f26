"""Shared test set-up: offscreen Qt, the test data folder, and small consortia."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
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
from supplychain.interchange.bundle import exchange  # noqa: E402
from supplychain.ledger.backends import (  # noqa: E402
    copy_store,
    move_home_store,
    open_store,
)
from supplychain.ledger.store import Store  # noqa: E402
from supplychain.node.operations import Node  # noqa: E402
from supplychain.node.setup import build_network  # noqa: E402
from tests.pg import PgServer, fresh_schema_url  # noqa: E402

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


# --- both backends ------------------------------------------------------------------
# A test module marked ``pytestmark = pytest.mark.both_backends`` runs each of its tests that
# use a store (``new_store``, ``network``, ``backend``) once on SQLite and once on PostgreSQL.
BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("both_backends") is not None \
            and "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """"sqlite" (the default) or "postgresql" (modules marked both_backends run both)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgServer]:
    """One private PostgreSQL server for the whole test session."""
    server = PgServer(tmp_path_factory.mktemp("pg"))
    yield server
    server.stop()


@pytest.fixture
def new_store(backend: str, request: pytest.FixtureRequest) -> Iterator[Callable[[], Store]]:
    """A factory of fresh, empty stores of the test's backend (closed after the test)."""
    opened: list[Store] = []

    def make() -> Store:
        if backend == "postgresql":
            server: PgServer = request.getfixturevalue("pg_server")
            store = open_store(server.url(), create=True)
        else:
            store = Store(":memory:", create=True)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


def raw_sql(store: Store, statement: str, params: tuple[object, ...] = ()) -> None:
    """Run one write of a test (tampering with a store) on either backend, outside the
    ledger's checks: ``?`` placeholders, as in sql.py."""
    store.write_many(statement, [params])


def copy_home(source: Path, target: Path) -> Path:
    """``shutil.copytree`` of a node home; a home on PostgreSQL gets a copy of its ledger in
    a new schema (a copied folder must not share the original's database)."""
    import shutil

    shutil.copytree(source, target)
    config = json.loads((target / "node.json").read_text())
    if config.get("store"):
        url = fresh_schema_url(str(config["store"]))
        old, new = open_store(str(config["store"])), open_store(url, create=True)
        try:
            copy_store(old, new)
        finally:
            old.close()
            new.close()
        config["store"] = url
        (target / "node.json").write_text(json.dumps(config, indent=2) + "\n")
    return target


def move_homes_to_postgresql(server: PgServer, homes: Iterable[Path],
                             ingest_workers: int | None = None) -> None:
    """Make each node home keep its ledger in a fresh PostgreSQL schema: its ledger (SQLite,
    or another schema: a copied home) is copied there and node.json names the URL."""
    for home in homes:
        move_home_store(home, server.url())
        if ingest_workers is not None:
            config = json.loads((home / "node.json").read_text())
            config["ingest_workers"] = ingest_workers
            (home / "node.json").write_text(json.dumps(config, indent=2) + "\n")


@pytest.fixture(scope="session")
def _network_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    root = tmp_path_factory.mktemp("network-template")
    _, homes = build_network(root, "Test Health", MEMBERS, PASSPHRASE)
    return root, homes


@pytest.fixture
def network(tmp_path: Path, _network_template: tuple[Path, dict[str, Path]], backend: str,
            request: pytest.FixtureRequest) -> Iterator[Network]:
    """A fresh copy of a six-member network (copying is faster than issuing keys anew); on
    the postgresql backend every node keeps its ledger in a schema of its own."""
    import shutil

    template, homes = _network_template
    shutil.copytree(template, tmp_path / "net")
    new_homes = {g: tmp_path / "net" / h.relative_to(template) for g, h in homes.items()}
    if backend == "postgresql":
        move_homes_to_postgresql(request.getfixturevalue("pg_server"), new_homes.values())
    nodes = {g: Node(h, lambda: PASSPHRASE) for g, h in new_homes.items()}
    yield Network(tmp_path / "net", new_homes, nodes)
    for node in nodes.values():
        node.close()


def pack(serial: str = "SN1", lot: str = "L1", expiry: date = date(2030, 1, 31)) -> PackCode:
    return PackCode(GTIN, serial, lot, expiry)  # type: ignore[arg-type]


def packs_at_pharmacy(network: Network, count: int = 1, lot: str = "L1",
                      expiry: date = date(2030, 1, 31)) -> list[PackCode]:
    """``count`` packs made by the maker, shipped through North Wholesale and received by the
    pharmacy, each node holding the logs it needs (exchanged by bundle)."""
    maker, dist, pharmacy = network[MAKER], network[DIST_A], network[PHARMACY]
    codes = maker.commission(GTIN, lot, expiry, count)
    maker.ship(DIST_A, codes)
    exchange(maker, dist)
    dist.receive(codes)
    dist.ship(PHARMACY, codes)
    exchange(dist, pharmacy)
    exchange(maker, pharmacy)
    pharmacy.receive(codes)
    return codes


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

