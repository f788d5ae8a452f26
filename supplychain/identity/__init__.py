"""Who may do what: member certificates, keys, the consortium root and revocations."""
