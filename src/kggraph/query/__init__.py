"""Running SPARQL: reading queries, the protocol, content negotiation, the worker pool, answers."""
