"""GS1 EPCIS 2.0 interchange: ledger events to and from EPCIS 2.0 JSON-LD documents.

One job per module (docs/EPCIS.md has the mapping tables):

- ``vocabulary``: context, our ``sc:`` extension namespace, the CBV bizStep/disposition/action
  tables;
- ``uris``: EPC URIs (SGTIN, SSCC, LGTIN, SGLN, PGLN) and GS1 Digital Link, both ways;
- ``schema``: GS1's JSON schema, validation, a document's outer shape;
- ``export``: applied ledger events -> an ``EPCISDocument`` carrying the ledger's evidence;
- ``mapping``: one EPCIS event -> what this organisation's ledger would record (pure);
- ``aggregation``: an AggregationEvent (packing, unpacking, a case observed) -> its case,
  children and ledger event type (pure, used by ``mapping``);
- ``importer``: a document -> this organisation's own signed events, all or nothing.

Nothing is fetched from the network: the schema ships with the package and $refs only its own
definitions; the JSON-LD context is named by URL but never retrieved (the EPCIS 2.0 JSON
binding fixes the term names, so no JSON-LD expansion is needed). Files are read and written
by ``supplychain.cli.epcis``.
"""
