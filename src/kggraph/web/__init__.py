"""The web server: the SPARQL endpoint, linked-data pages, the HTTP APIs and the published files."""
