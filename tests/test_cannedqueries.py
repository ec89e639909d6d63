"""The canned-query header parser: every file of queries/ reads, and broken headers say where."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from kggraph.canned.catalogue import (
    CannedQuery,
    Parameter,
    load_canned_queries,
    parse_canned_query,
    read_canned_query,
)
from kggraph.core.errors import SourceError

ROOT = Path(__file__).resolve().parents[1]

BODY = "PREFIX kg: <https://w3id.org/kggraph/ontology#>\nSELECT ?x ?y WHERE { ?x kg:value ?y }\n"
TITLE = "# title: Values\n"
DESCRIPTION = "# description: Every value, with what it is the value of.\n"


def test_every_query_in_the_project_reads() -> None:
    queries = load_canned_queries(ROOT / "queries")
    assert [q.slug for q in queries] == sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
    assert all(q.title and q.description for q in queries)


def test_a_query_with_parameters_of_each_kind() -> None:
    path = ROOT / "queries" / "dates-with-source-text.rq"
    query = read_canned_query(path)
    assert query.slug == "dates-with-source-text"
    assert query.title == "Dates in a range of years, ISO value beside the source's wording"
    assert query.text == path.read_text(encoding="utf-8")
    assert query.params == (
        Parameter(
            "fromYear",
            "xsd:integer",
            "2012",
            "first calendar year to include (for a fiscal year, the year it starts in)",
        ),
        Parameter("toYear", "xsd:integer", "2012", "last calendar year to include"),
    )
    assert query.params[0].datatype == "http://www.w3.org/2001/XMLSchema#integer"
    assert not query.params[0].is_iri


def test_iri_and_string_defaults_lose_their_sparql_syntax() -> None:
    text = (
        TITLE
        + DESCRIPTION
        + "# param: x IRI = <https://w3id.org/kggraph/id/city/haiphong> — the city\n"
        + '# param: y xsd:string = "two words" — a name\n'
        + BODY
    )
    x, y = parse_canned_query("values", text).params
    assert (x.default, x.is_iri, x.datatype) == (
        "https://w3id.org/kggraph/id/city/haiphong",
        True,
        None,
    )
    assert (y.default, y.datatype) == ("two words", "http://www.w3.org/2001/XMLSchema#string")


def test_a_query_without_parameters() -> None:
    query = parse_canned_query("values", TITLE + DESCRIPTION + "\n" + BODY)
    assert query == CannedQuery(
        "values", "Values", "Every value, with what it is the value of.", (), query.text
    )


def test_queries_are_frozen() -> None:
    query = parse_canned_query("values", TITLE + DESCRIPTION + BODY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        query.title = "changed"  # type: ignore[misc]


def test_no_folder_means_no_queries(tmp_path: Path) -> None:
    assert load_canned_queries(tmp_path / "missing") == ()


@pytest.mark.parametrize(
    ("slug", "text", "location", "message"),
    [
        ("Values", TITLE + DESCRIPTION + BODY, "Values.rq", "lowercase words"),
        ("values", DESCRIPTION + TITLE + BODY, "values.rq", "'# title:', then"),
        ("values", TITLE + BODY, "values.rq", "'# title:', then"),
        ("values", "#title: Values\n" + DESCRIPTION + BODY, "values.rq:1", "'# <field>: <value>'"),
        ("values", TITLE + DESCRIPTION + "# example: 1\n" + BODY, "values.rq:3", "'example'"),
    ],
)
def test_a_broken_header_says_where_and_what(
    slug: str, text: str, location: str, message: str
) -> None:
    with pytest.raises(SourceError) as raised:
        parse_canned_query(slug, text)
    assert raised.value.location == location
    assert message in raised.value.message


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ("x IRI <a:b> — c", "= <default>"),
        ("x IRI = <a:b> - c", "= <default>"),
        ("x xsd:float = 1 — c", "unknown type"),
        ("x IRI = a:b — c", "<...>"),
        ("x xsd:string = abc — c", "quoted"),
        ("x xsd:integer = 2.5 — c", "not a valid xsd:integer"),
        ("x xsd:date = 2024-13 — c", "not a valid xsd:date"),
        ("z IRI = <a:b> — c", "no variable ?z"),
    ],
)
def test_a_broken_parameter_says_where_and_what(param: str, message: str) -> None:
    with pytest.raises(SourceError) as raised:
        parse_canned_query("values", TITLE + DESCRIPTION + f"# param: {param}\n" + BODY)
    assert raised.value.location == "values.rq:3"
    assert message in raised.value.message


def test_a_parameter_is_declared_once() -> None:
    twice = "# param: x IRI = <a:b> — c\n# param: x IRI = <a:c> — d\n"
    with pytest.raises(SourceError, match="declared twice"):
        parse_canned_query("values", TITLE + DESCRIPTION + twice + BODY)


def test_a_variable_only_named_in_a_comment_is_not_a_variable_of_the_query() -> None:
    text = TITLE + DESCRIPTION + "# param: z IRI = <a:b> — c\n" + BODY + "# ?z is not used\n"
    with pytest.raises(SourceError, match=r"no variable \?z"):
        parse_canned_query("values", text)


def test_an_unreadable_file_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "latin.rq"
    path.write_bytes("# title: caf\xe9\n".encode("latin-1"))
    with pytest.raises(SourceError) as raised:
        read_canned_query(path)
    assert raised.value.location == str(path)
