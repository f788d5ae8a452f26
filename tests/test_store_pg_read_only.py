"""A read-only PostgreSQL store (``store_read_only``): what an answer node on a read replica
opens. Here it is opened on the primary itself (a hot standby's refusals are the same words:
tests/sync/test_read_replica.py)."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from psycopg import errors as pg_errors

from supplychain.errors import LedgerError
from supplychain.ledger.backends import open_store
from supplychain.ledger.store_pg import PgStore, pg_error
from supplychain.node.operations import Node
from supplychain.sync.service import SyncService
from tests.conftest import GTIN, MAKER, PASSPHRASE, Network
from tests.pg import PgServer

READ_ONLY = "read-only replica of the ledger"


def test_reads_work_and_every_write_is_refused(pg_server: PgServer) -> None:
    url = pg_server.url()
    writer = open_store(url, create=True)
    with writer.transaction():
        writer.set_meta("note", "from the primary")
    writer.close()
    reader = open_store(url, read_only=True)
    try:
        assert reader.read_only and reader.get_meta("note") == "from the primary"
        with reader.transaction():  # a read transaction: no writer lock, no SERIALIZABLE
            assert reader.get_meta("note") == "from the primary"
        for write in (lambda: reader.set_meta("note", "changed"),
                      lambda: reader.write_many("DELETE FROM meta WHERE key = ?", [("note",)])):
            with pytest.raises(LedgerError, match=READ_ONLY) as refused:
                with reader.transaction():
                    write()
            assert "writes go to the primary" in str(refused.value)
        assert isinstance(reader, PgStore)
        # the server refuses too: the session is read-only even on the primary
        with pytest.raises(pg_errors.ReadOnlySqlTransaction):
            reader.pg.execute("DELETE FROM meta")
        assert reader.get_meta("note") == "from the primary"
    finally:
        reader.close()


def test_the_servers_read_only_refusal_is_the_same_plain_error() -> None:
    error = pg_error("postgresql://u:secret@db.example/ledger",
                     pg_errors.ReadOnlySqlTransaction("cannot execute INSERT in a read-only "
                                                      "transaction"))
    assert READ_ONLY in str(error) and "primary" in str(error)
    assert "secret" not in str(error) and "db.example/ledger" in str(error)


def test_a_read_only_open_creates_nothing(pg_server: PgServer) -> None:
    url = pg_server.url()
    with pytest.raises(LedgerError, match="its schema does not exist"):
        open_store(url, read_only=True)
    schema = url.split("search_path%3D", 1)[1]
    with psycopg.connect(pg_server.base, autocommit=True) as admin:
        assert admin.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s",
                             (schema,)).fetchone() == (0,)
        admin.execute(f'CREATE SCHEMA "{schema}"')
        with pytest.raises(LedgerError, match="table .* is missing; a read-only replica cannot "
                                              "create it"):
            open_store(url, read_only=True)
        assert admin.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s",
                             (schema,)).fetchone() == (0,)
    with pytest.raises(LedgerError, match="cannot be created"):
        open_store(url, create=True, read_only=True)


def test_read_only_is_for_postgresql_stores(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="applies to a PostgreSQL store"):
        open_store(tmp_path / "ledger.sqlite", read_only=True)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_node_home_set_read_only_reads_and_refuses_commands(network: Network, cli) -> None:
    home = network.homes[MAKER]
    network[MAKER].close()
    config = json.loads((home / "node.json").read_text())
    (home / "node.json").write_text(json.dumps({**config, "store_read_only": True}))
    status, out, _err = cli("--home", home, "node", "mode", "--json")
    assert status == 0 and json.loads(out)["mode"] == "full"
    status, _out, err = cli("--home", home, "commission", "--gtin", GTIN, "--lot", "L1",
                            "--expiry", "2030-01-31", "--count", "1")
    assert status != 0 and READ_ONLY in err and "writes go to the primary" in err
    status, _out, err = cli("--home", home, "serve", "--witness", "--listen", "127.0.0.1:0")
    assert status != 0 and "--witness cannot run on a read replica" in err
    with Node(home, lambda: PASSPHRASE) as node:  # serve: an answer node without --replica
        service = SyncService(node, PASSPHRASE, witness=True)
        assert service.read_replica and not service.witness
        service.close()
    with psycopg.connect(str(config["store"]), autocommit=True) as primary:
        assert primary.execute("SELECT count(*) FROM events").fetchone() == (0,)
    network.reopen(MAKER)  # the fixture closes it
