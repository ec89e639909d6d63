"""Canned queries: the catalogue of queries/*.rq, their typed parameters, and a client for them."""
