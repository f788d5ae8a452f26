-- A national full node's large tables, hash-partitioned (PostgreSQL 13 or later).
--
-- Run once in the node's schema BEFORE `supplychain consortium enroll ... --store URL`
-- (e.g. `psql "$URL" -v parts=16 -f partitioned.sql`); enrolment then creates the other
-- tables and leaves these as they are (CREATE TABLE IF NOT EXISTS). Same columns and keys as
-- the tables the product creates: logs (entries, nodes) by their log's GLN, events by their
-- hash, a pack's rows by the pack. Every primary key holds its partition key, as
-- PostgreSQL requires. `parts` (default 16 below) is fixed once data is in; choose it for
-- the size you expect (a partition of a few tens of GB keeps its indexes within a server's
-- memory). See docs/SCALE.md, "Running a national node".

\if :{?parts}
\else
  \set parts 16
\endif

CREATE TABLE entries (
    gln TEXT NOT NULL, idx BIGINT NOT NULL, data BYTEA NOT NULL, event_hash TEXT NOT NULL,
    PRIMARY KEY (gln, idx)) PARTITION BY HASH (gln);
CREATE TABLE nodes (
    gln TEXT NOT NULL, level BIGINT NOT NULL, idx BIGINT NOT NULL, hash BYTEA NOT NULL,
    PRIMARY KEY (gln, level, idx)) PARTITION BY HASH (gln);
-- rowid: a server-local position (the light nodes' shipment feed), from one sequence.
CREATE SEQUENCE events_rowid;
CREATE TABLE events (rowid BIGINT NOT NULL DEFAULT nextval('events_rowid'),
    event_hash TEXT NOT NULL, gln TEXT NOT NULL, idx BIGINT NOT NULL, type TEXT NOT NULL,
    time TEXT NOT NULL, status TEXT NOT NULL, reason TEXT,
    PRIMARY KEY (event_hash)) PARTITION BY HASH (event_hash);
CREATE INDEX events_by_rowid ON events (rowid);
CREATE TABLE event_items (
    event_hash TEXT NOT NULL, pack TEXT NOT NULL, prev TEXT, depth BIGINT NOT NULL,
    lot TEXT NOT NULL, expiry TEXT NOT NULL, status TEXT NOT NULL, custodian TEXT NOT NULL,
    recipient TEXT, container TEXT, contents BIGINT, PRIMARY KEY (event_hash, pack))
    PARTITION BY HASH (pack);
CREATE INDEX event_items_by_pack ON event_items (pack, prev);
CREATE TABLE packs (
    pack TEXT NOT NULL, gtin TEXT NOT NULL, serial TEXT NOT NULL, lot TEXT NOT NULL,
    expiry TEXT NOT NULL, status TEXT NOT NULL, custodian TEXT NOT NULL, recipient TEXT,
    head TEXT NOT NULL, forked BIGINT NOT NULL, PRIMARY KEY (pack)) PARTITION BY HASH (pack);
CREATE INDEX packs_by_lot ON packs (gtin, lot);

SELECT format('CREATE TABLE %I PARTITION OF %I FOR VALUES WITH (MODULUS %s, REMAINDER %s)',
              t || '_p' || r, t, :parts, r)
FROM unnest(ARRAY['entries', 'nodes', 'events', 'event_items', 'packs']) AS t,
     generate_series(0, :parts - 1) AS r
\gexec
