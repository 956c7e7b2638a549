"""Writes into the graph from the API: real-time events, record upserts, consent changes, overrides and erasure."""
