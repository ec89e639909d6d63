"""The graph itself: reading the source files into a store, derived triples, and the published
release with its manifest."""
