"""The dataset described: identity, statistics, DCAT, VoID, service description, ontology docs."""
