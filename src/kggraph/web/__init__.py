"""The web layer: the SPARQL endpoint, the query page, and (later) linked-data pages."""
