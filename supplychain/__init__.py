"""Drug supply-chain provenance ledger: the core, with no GUI."""

__version__ = "0.1.0"
