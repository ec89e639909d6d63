"""Client values become typed RDF terms (or one clear refusal), and travel as one term each."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kggraph.canned.catalogue import LITERAL_TYPES, CannedQuery, Parameter, load_canned_queries
from kggraph.canned.params import bind, to_term
from kggraph.core.errors import InvalidArgument
from kggraph.core.namespaces import XSD
from kggraph.query.bindings import substitutions

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "x> } ; DROP ALL ; #"


def param(kind: str, default: str = "") -> Parameter:
    return Parameter("value", kind, default, "a value")


def typed(value: str, name: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(str(XSD[name])))


@pytest.mark.parametrize(
    ("kind", "given", "expected"),
    [
        ("IRI", "https://w3id.org/kggraph/id/city/haiphong",
         ox.NamedNode("https://w3id.org/kggraph/id/city/haiphong")),
        ("IRI", "city/haiphong", ox.NamedNode("https://w3id.org/kggraph/id/city/haiphong")),
        ("IRI", " urn:isbn:4-00-000000-0 ", ox.NamedNode("urn:isbn:4-00-000000-0")),
        ("xsd:string", HOSTILE, ox.Literal(HOSTILE)),
        ("xsd:string", ' "quoted" \n', ox.Literal(' "quoted" \n')),
        ("xsd:integer", "2024", typed("2024", "integer")),
        ("xsd:integer", "+02024", typed("2024", "integer")),
        ("xsd:integer", "-7", typed("-7", "integer")),
        ("xsd:decimal", "2.50", typed("2.50", "decimal")),
        ("xsd:boolean", "TRUE", typed("true", "boolean")),
        ("xsd:boolean", "0", typed("false", "boolean")),
        ("xsd:date", "2024-02-29", typed("2024-02-29", "date")),
        ("xsd:gYear", "2009", typed("2009", "gYear")),
    ],
)  # fmt: skip
def test_a_value_becomes_the_declared_term(kind: str, given: str, expected: ox.Term) -> None:
    assert to_term(param(kind), given) == expected


@pytest.mark.parametrize(
    ("kind", "given"),
    [
        ("IRI", HOSTILE),
        ("IRI", "not an iri"),
        ("IRI", "vietnam"),
        ("IRI", ""),
        ("xsd:integer", "soon"),
        ("xsd:integer", "20 24"),
        ("xsd:integer", "2024.0"),
        ("xsd:integer", HOSTILE),
        ("xsd:decimal", "1e3"),
        ("xsd:boolean", "yes"),
        ("xsd:date", "2024-02-30"),
        ("xsd:date", "2024/04/01"),
        ("xsd:gYear", "FY2024"),
        ("xsd:string", "x" * 2001),
    ],
)
def test_a_wrong_value_is_refused_with_parameter_type_and_value(kind: str, given: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        to_term(param(kind), given)
    message = str(caught.value)
    assert "\n" not in message
    assert "parameter value" in message and kind in message
    assert repr(given[:60])[:-1] in message  # the value, as written (long ones shortened)


def test_every_declared_type_has_a_conversion() -> None:
    for kind in ("IRI", *LITERAL_TYPES):
        samples = {"IRI": "urn:x", "xsd:boolean": "true", "xsd:date": "2024-04-01"}
        default = samples.get(kind, "2024")
        assert to_term(param(kind), default) is not None


def test_bind_fills_defaults_and_refuses_unknown_names() -> None:
    years = (
        Parameter("fromYear", "xsd:integer", "2012", "first"),
        Parameter("toYear", "xsd:integer", "2013", "last"),
    )
    query = CannedQuery(
        "years", "Years", "Between two years.", years, "SELECT ?fromYear ?toYear WHERE {}"
    )
    integer = "^^<http://www.w3.org/2001/XMLSchema#integer>"
    assert bind(query, {"toYear": "2020"}) == (
        ("fromYear", '"2012"' + integer),
        ("toYear", '"2020"' + integer),
    )
    with pytest.raises(InvalidArgument, match="years has no parameter 'year'; its parameters: "
                       "fromYear, toYear"):  # fmt: skip
        bind(query, {"year": "2020"})


def test_every_canned_default_binds() -> None:
    for query in load_canned_queries(ROOT / "queries"):
        assert [name for name, _ in bind(query, {})] == [p.name for p in query.params]


def test_substitutions_read_each_term_back_exactly() -> None:
    terms = {
        "a": ox.Literal(HOSTILE),
        "b": ox.Literal('tab\t"quote" \\ back'),
        "c": ox.NamedNode("https://w3id.org/kggraph/id/city/haiphong"),
        "d": typed("2024", "integer"),
        "e": ox.Literal("北九州", language="ja"),
    }
    bound = substitutions(tuple((name, str(term)) for name, term in terms.items()))
    assert {v.value: t for v, t in bound.items()} == terms


@pytest.mark.parametrize(
    "written",
    [
        '"a" . <urn:s> <urn:p> "b"',  # a second triple smuggled in
        HOSTILE,
        "?other",
        "_:blank",
        "",
    ],
)
def test_substitutions_refuse_anything_but_one_term(written: str) -> None:
    with pytest.raises(InvalidArgument, match="not one IRI or literal"):
        substitutions((("x", written),))
