"""Bianmin guarantee: Electronic bid-bond and performance guarantees (电子保函): fees, claims, release, a verifiable ledger."""
