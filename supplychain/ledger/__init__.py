"""Signed events in per-organisation Merkle logs: encoding, proofs, store, rules, verdicts."""
