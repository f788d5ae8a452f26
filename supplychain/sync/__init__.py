"""Peer sync: nodes replicate each other's logs over mutual TLS and catch liars.

- ``protocol``: paths, limits, documents and the pull state machine (pure, no I/O).
- ``replica``: serving documents from a Ledger and verifying what peers send (store side).
- ``puller``: one pull from one peer over any ``PeerSource``.
- ``tls``, ``http``: mutual-TLS contexts and the aiohttp server/client adapters.
- ``service``: a running node (server, background rounds, notices); ``cli``: its commands.

See docs/SYNC.md.
"""
