"""A national node's partitioned tables (docs/postgresql/partitioned.sql) under the real store.

The operator creates the large tables hash-partitioned with the real `psql` before enrolment;
the product's own schema step then leaves them as they are. A node on them ingests, derives,
verifies and passes audit exactly as on the tables it creates itself.
"""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pgserver
import psycopg

from supplychain.interchange.bundle import export_bundle, import_bundle
from supplychain.ledger.audit import audit
from supplychain.ledger.backends import move_home_store
from supplychain.ledger.verdicts import Verdict
from supplychain.node.operations import Node
from tests.conftest import DIST_A, GTIN, MAKER, PASSPHRASE, Network
from tests.pg import PgServer

PARTITIONED_SQL = Path(__file__).resolve().parents[1] / "docs" / "postgresql" / "partitioned.sql"
PSQL = Path(pgserver.__file__).parent / "pginstall" / "bin" / "psql"
BIG_TABLES = ("entries", "nodes", "events", "event_items", "packs")


def _partitioned_schema(server: PgServer, schema: str) -> str:
    url = server.url(schema)
    with psycopg.connect(server.base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    subprocess.run([str(PSQL), url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", "parts=4",
                    "-f", str(PARTITIONED_SQL)], check=True, capture_output=True)
    return url


def test_a_node_on_partitioned_tables_ingests_verifies_and_audits(
        network: Network, pg_server: PgServer, tmp_path: Path) -> None:
    url = _partitioned_schema(pg_server, "national")
    home = network.homes[DIST_A]
    network[DIST_A].close()
    move_home_store(home, url)  # the enrolled distributor; makes the other tables, keeps these

    codes = network[MAKER].commission(GTIN, "L1", date(2030, 1, 31), 20)
    network[MAKER].ship(DIST_A, codes)
    bundle = tmp_path / "b.json"
    export_bundle(network[MAKER].ledger, bundle)
    with Node(home, lambda: PASSPHRASE) as node:
        assert import_bundle(node.ledger, bundle).new_entries == {MAKER: 2}
        node.receive(codes)
        report = node.verify(codes[0], today=date(2026, 6, 1))
        assert report.verdict is Verdict.GENUINE
        assert audit(node.ledger).entries == 3

    with psycopg.connect(url, autocommit=True) as conn:
        kinds = dict(conn.execute(
            "SELECT relname, relkind FROM pg_class WHERE relnamespace = 'national'::regnamespace "
            "AND relname = ANY(%s)", (list(BIG_TABLES),)).fetchall())
        assert kinds == {t: "p" for t in BIG_TABLES}  # still the operator's partitioned tables
        spread = [conn.execute(f"SELECT count(*) FROM ONLY packs_p{r}").fetchone()[0]
                  for r in range(4)]
    assert sum(spread) == 20 and max(spread) < 20  # the packs landed in several partitions
