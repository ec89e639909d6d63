"""Running SPARQL: reading queries, the protocol, negotiation, the sandboxed worker pool, answers,
their cache, and a client for any endpoint."""
