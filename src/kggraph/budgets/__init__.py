"""Per-client budgets of query time, kept in this process or in Redis."""
