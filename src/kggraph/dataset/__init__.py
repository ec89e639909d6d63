"""The dataset described: its identity, statistics, DCAT catalog, VoID, ontology documentation."""
