"""Content negotiation by Accept (RFC 9110 q-values) and by the format parameter."""

from __future__ import annotations

import pytest

from kggraph.core.errors import NotAcceptable
from kggraph.core.formats import AnswerKind
from kggraph.query.negotiate import negotiate, parse_accept

R, G = AnswerKind.RESULTS, AnswerKind.GRAPH


@pytest.mark.parametrize(
    ("kind", "accept", "name"),
    [
        (R, None, "sparql-json"),
        (R, "", "sparql-json"),
        (R, "*/*", "sparql-json"),
        (R, "text/csv", "csv"),
        (R, "text/*", "csv"),
        (R, "application/sparql-results+xml, application/sparql-results+json;q=0.5", "sparql-xml"),
        (R, "text/csv;q=0.3, text/tab-separated-values;q=0.4", "tsv"),
        (R, "text/csv, text/tab-separated-values", "csv"),
        (G, None, "turtle"),
        (G, "application/ld+json", "json-ld"),
        (G, "application/json", "json-ld"),
        (R, "application/json", "sparql-json"),
        (G, "text/plain", "n-triples"),
        (G, "application/rdf+xml;q=0.9, text/turtle;q=0.8", "rdf-xml"),
        (G, "application/n-quads", "n-quads"),
        (G, "application/trig", "trig"),
        (G, "text/turtle;q=0, */*;q=0.1", "n-triples"),
        (R, "garbage, text/csv", "csv"),
        (R, "text/csv;q=abc, application/sparql-results+json;q=0.1", "sparql-json"),
    ],
)
def test_accept(kind: AnswerKind, accept: str | None, name: str) -> None:
    assert negotiate(kind, accept=accept).name == name


def test_nothing_acceptable_lists_what_is_available() -> None:
    with pytest.raises(NotAcceptable, match="text/csv"):
        negotiate(R, accept="image/png, text/html")


@pytest.mark.parametrize(
    ("kind", "values", "name"),
    [
        (R, ["csv"], "csv"),
        (R, ["json"], "sparql-json"),
        (G, ["json"], "json-ld"),
        (G, ["json-ld", "application/ld+json,application/x-json+ld"], "json-ld"),
        (R, ["tsv", "text/tab-separated-values"], "tsv"),
        (G, ["ttl"], "turtle"),
        (G, ["application/rdf+xml"], "rdf-xml"),
    ],
)
def test_format_parameter(kind: AnswerKind, values: list[str], name: str) -> None:
    assert negotiate(kind, accept="text/csv", format_param=values).name == name


def test_a_format_of_the_wrong_kind_or_unknown_is_refused() -> None:
    with pytest.raises(NotAcceptable, match="does not fit an RDF graph"):
        negotiate(G, accept=None, format_param=["csv"])
    with pytest.raises(NotAcceptable, match="unknown format"):
        negotiate(R, accept=None, format_param=["yaml"])


def test_accept_parsing_keeps_order_and_clamps_q() -> None:
    ranges = parse_accept("text/csv;q=2, */*;q=-1, text/html")
    assert [(r.type, r.subtype, r.q, r.order) for r in ranges] == [
        ("text", "csv", 1.0, 0),
        ("*", "*", 0.0, 1),
        ("text", "html", 1.0, 2),
    ]
