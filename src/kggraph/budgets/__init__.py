"""Per-client budgets (query time, queries at once, failed queries), kept here or in Redis."""
