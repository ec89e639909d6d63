"""The publishing routes: the ontology at its IRI, dumps, VoID, the DCAT catalog, crawling."""
