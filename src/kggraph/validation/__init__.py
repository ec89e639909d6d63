"""Checks that gate every build: SHACL shapes, the editorial graph, the redirect table."""
