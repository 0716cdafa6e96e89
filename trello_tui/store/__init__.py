"""Local persistence: the offline read cache and the durable outbox (stdlib sqlite3)."""
