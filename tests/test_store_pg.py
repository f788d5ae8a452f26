"""The PostgreSQL store's own behaviour: chosen by URL at enrolment, database and schema
created, two nodes on one server, plain-words errors (server down, disk full), no password
in any message, other processes' commits noticed."""

from __future__ import annotations

import json
import time
from pathlib import Path

import psycopg
import pytest
from psycopg import errors as pg_errors

from supplychain.errors import LedgerError
from supplychain.ledger.backends import describe, is_postgres, open_store
from supplychain.ledger.store_pg import PgStore, pg_error
from tests.conftest import GTIN, PASSPHRASE
from tests.pg import PgServer

MAKER_GLN = "5012345000022"
PHARMACY_GLN = "5012345000053"


def test_enrol_two_nodes_on_one_server_with_store_urls(cli, tmp_path: Path,
                                                       pg_server: PgServer) -> None:
    """`consortium enroll --store URL`: a new database for one node, a schema in it for the
    other; both work through the ordinary commands."""
    consortium = tmp_path / "consortium"
    assert cli("consortium", "create", consortium, "--name", "PG Health")[0] == 0
    maker_url = pg_server.url(schema="acme", database="acme_ledger")  # a new database
    pharmacy_url = pg_server.url(schema="corner")  # a schema in an existing database
    maker, pharmacy = tmp_path / "maker", tmp_path / "pharmacy"
    code, out, err = cli("consortium", "enroll", consortium, "--org", "Acme", "--gln",
                         MAKER_GLN, "--role", "manufacturer", "--prefix", "501234", "--home",
                         maker, "--store", maker_url, "--json")
    assert code == 0, err
    assert json.loads(out)["store"] == describe(maker_url)
    assert cli("consortium", "enroll", consortium, "--org", "Corner", "--gln", PHARMACY_GLN,
               "--role", "pharmacy", "--home", pharmacy, "--store", pharmacy_url)[0] == 0
    assert json.loads((maker / "node.json").read_text())["store"] == maker_url
    assert not (maker / "ledger.sqlite").exists()
    assert cli("--home", pharmacy, "bundle", "export", tmp_path / "p.json")[0] == 0
    assert cli("--home", maker, "bundle", "import", tmp_path / "p.json")[0] == 0
    code, out, _ = cli("--home", maker, "commission", "--json", "--gtin", GTIN, "--lot", "L1",
                       "--expiry", "2030-01-31", "--count", "2")
    links = json.loads(out)["codes"]
    assert cli("--home", maker, "ship", "--to", PHARMACY_GLN, *links)[0] == 0
    assert cli("--home", maker, "bundle", "export", tmp_path / "m.json")[0] == 0
    assert cli("--home", pharmacy, "bundle", "import", tmp_path / "m.json")[0] == 0
    assert cli("--home", pharmacy, "receive", *links)[0] == 0
    code, out, _ = cli("--home", pharmacy, "verify", "--json", links[0])
    assert code == 0 and json.loads(out)["verdict"] == "genuine"
    assert cli("--home", pharmacy, "audit")[0] == 0
    assert cli("--home", maker, "audit")[0] == 0
    with psycopg.connect(pg_server.url(schema="corner"), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 3
    with psycopg.connect(maker_url, autocommit=True) as conn:
        assert conn.execute("SELECT current_database()").fetchone()[0] == "acme_ledger"


def test_store_option_takes_only_postgresql_urls(cli, tmp_path: Path) -> None:
    consortium = tmp_path / "consortium"
    assert cli("consortium", "create", consortium, "--name", "PG Health")[0] == 0
    with pytest.raises(SystemExit):
        cli("consortium", "enroll", consortium, "--org", "Acme", "--gln", MAKER_GLN,
            "--role", "manufacturer", "--home", tmp_path / "m", "--store", "/tmp/x.sqlite")
    assert is_postgres("postgresql://u@h/db") and not is_postgres(tmp_path / "x")


def test_server_down_is_a_plain_error_without_the_password(tmp_path: Path) -> None:
    url = f"postgresql://alice:s3cret@/nodb?host={tmp_path}&connect_timeout=2"
    with pytest.raises(LedgerError) as caught:
        open_store(url)
    text = str(caught.value)
    assert text.startswith(f"Cannot reach the ledger database at {tmp_path}/nodb: start it "
                           "or check --store")
    assert "s3cret" not in text and "alice:" not in text
    assert "s3cret" not in describe(url)


def test_disk_full_and_conflicts_say_nothing_was_saved(pg_server: PgServer) -> None:
    url = pg_server.url()
    full = pg_error(url, pg_errors.DiskFull('could not extend file "base/1/2": No space left'))
    assert "The disk is full: nothing was saved" in str(full)
    busy = pg_error(url, pg_errors.SerializationFailure("could not serialize access"))
    assert "nothing was saved" in str(busy)


def test_a_missing_ledger_is_not_created_unless_asked(pg_server: PgServer) -> None:
    with pytest.raises(LedgerError, match="No ledger at"):
        open_store(pg_server.url())
    open_store(pg_server.url(schema="made"), create=True).close()
    open_store(pg_server.url(schema="made")).close()


def test_a_failed_write_rolls_the_transaction_back(pg_server: PgServer) -> None:
    store = open_store(pg_server.url(), create=True)
    with pytest.raises(LedgerError, match="refused a statement"):
        with store.transaction():
            store.put_entries([("g", 0, b"x", "h0")])
            store.put_entries([("g", 0, b"y", "h1")])  # the same (log, index): refused
    assert store.log_size("g") == 0
    with store.transaction():  # the connection is usable again
        store.put_entries([("g", 0, b"x", "h0")])
    assert store.entry("g", 0) == b"x"
    store.close()


def test_psycopg_line_about_a_discarded_aborted_pipeline_is_not_shown(
        caplog: pytest.LogCaptureFixture) -> None:
    """A retried conflict inside executemany makes psycopg log "error ignored terminating
    <Pipeline>: pipeline aborted" (seen in the ledger bench's parallel ingest); the conflict is
    handled, so that line is dropped; other psycopg warnings still show."""
    import logging

    import supplychain.ledger.store_pg  # noqa: F401  (installs the filter)

    log = logging.getLogger("psycopg")
    with caplog.at_level(logging.WARNING, logger="psycopg"):
        log.warning("error ignored terminating <psycopg.Pipeline [INERROR]>: pipeline aborted")
        log.warning("connection lost")
    assert [r.getMessage() for r in caplog.records] == ["connection lost"]


def _changed_from(store: PgStore, version: int, seconds: float = 10.0) -> bool:
    """Wait until ``data_version`` moves from ``version`` (notifications are asynchronous)."""
    deadline = time.monotonic() + seconds
    while store.data_version() == version:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_other_connections_commits_are_noticed(pg_server: PgServer) -> None:
    url = pg_server.url()
    mine = open_store(url, create=True)
    other = open_store(url)
    assert isinstance(mine, PgStore)
    before = mine.data_version()
    with mine.transaction():
        mine.set_meta("own", "write")
    assert mine.data_version() == before  # its own commits do not count
    with other.transaction():
        other.set_meta("their", "write")
    assert _changed_from(mine, before)  # the notification arrives just after the commit
    now = mine.data_version()
    with other.transaction():
        other.get_meta("their")  # a read-only transaction: nothing to notice
    assert mine.data_version() == now
    mine.close()
    other.close()


def test_node_home_names_its_store(tmp_path: Path, pg_server: PgServer) -> None:
    from supplychain.node.operations import Node
    from supplychain.node.setup import build_network
    from tests.conftest import MEMBERS, move_homes_to_postgresql

    _, homes = build_network(tmp_path, "PG Health", MEMBERS[:2], PASSPHRASE)
    move_homes_to_postgresql(pg_server, homes.values())
    for home in homes.values():
        with Node(home, lambda: PASSPHRASE) as node:
            assert isinstance(node.store, PgStore)
            assert node.store.all_member_certs()


def test_an_older_schema_is_upgraded_on_open(pg_server: PgServer) -> None:
    from supplychain.ledger import sql

    url = pg_server.url()
    store = open_store(url, create=True)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE INDEX events_by_entry ON events (gln, idx)")  # version 1 had it
    store.set_meta("schema_version", "1")
    store.close()
    store = open_store(url)
    with psycopg.connect(url, autocommit=True) as conn:
        indexes = {r[0] for r in conn.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")}
    assert "events_by_entry" not in indexes and "event_items_by_pack" in indexes
    assert store.get_meta("schema_version") == str(sql.SCHEMA_VERSION)
    store.close()
