"""The query reader that guards the endpoint: forms, updates and SERVICE, never fooled by names."""

from __future__ import annotations

import pytest

from kggraph.core.errors import QueryRefused, QuerySyntaxError
from kggraph.query.reader import check, classify, syntax_error


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("prefix ex: <http://e/> construct { ?s ?p ?o } where { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://e/a>", "DESCRIBE"),
        ("ASK {}", "ASK"),
        ("# SELECT in a comment\nASK {}", "ASK"),
    ],
)
def test_the_form_is_read(query: str, kind: str) -> None:
    assert classify(query).kind == kind


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://e/a> <http://e/b> 1 }",
        "PREFIX ex: <http://e/> DELETE WHERE { ?s ?p ?o }",
        "LOAD <file:///etc/passwd>",
        "CLEAR ALL",
        "DROP GRAPH <http://e/g>",
        "CREATE GRAPH <http://e/g>",
        "ADD DEFAULT TO <http://e/g>",
        "MOVE DEFAULT TO <http://e/g>",
        "COPY DEFAULT TO <http://e/g>",
        "with <http://e/g> delete { ?s ?p ?o } where { ?s ?p ?o }",
    ],
)
def test_updates_are_refused(update: str) -> None:
    with pytest.raises(QueryRefused, match="read-only"):
        check(update)


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?insert WHERE { ?s <http://e/delete> "DROP ALL" } # LOAD <x>',
        "PREFIX insert: <http://e/> SELECT * WHERE { ?s insert:load ?o }",
        "SELECT ?s WHERE { ?s ?p ?o FILTER(?o = 'CLEAR') }",
    ],
)
def test_update_words_as_names_strings_or_comments_are_not_updates(query: str) -> None:
    assert check(query).update is None


def test_service_endpoints_are_resolved_through_prefixes_and_base() -> None:
    query = (
        "BASE <http://example.org/> PREFIX ep: <sparql/> "
        "SELECT * WHERE { SERVICE ep:main { ?s ?p ?o } SERVICE <other> { ?a ?b ?c } }"
    )
    calls = classify(query).services
    assert [c.endpoint for c in calls] == [
        "http://example.org/sparql/main",
        "http://example.org/other",
    ]
    allowed = ("http://example.org/sparql/main", "http://example.org/other")
    assert check(query, service_allowlist=allowed).kind == "SELECT"
    with pytest.raises(QueryRefused, match="not an allowed endpoint"):
        check(query, service_allowlist=allowed[:1])


def test_service_with_a_variable_endpoint_is_refused_even_with_an_allow_list() -> None:
    with pytest.raises(QueryRefused, match="no fixed endpoint"):
        check("SELECT * WHERE { SERVICE ?e { ?s ?p ?o } }", service_allowlist=("http://e/",))


def test_a_comparison_that_could_hide_service_is_refused() -> None:
    # `?a <?b) SERVICE <http://e/> {…` — here `<` is "less than", so SERVICE is real
    query = "SELECT * WHERE { ?s ?p ?a FILTER(?a <?b) SERVICE <http://evil/> { ?x ?y ?z } }"
    with pytest.raises(QueryRefused):
        check(query)


def test_the_refusal_names_where_the_service_is() -> None:
    with pytest.raises(QueryRefused) as caught:
        check("SELECT *\nWHERE {\n  SERVICE <http://e/> { ?s ?p ?o } }")
    assert caught.value.location == "line 3, column 3"


def test_parser_messages_become_located_syntax_errors() -> None:
    import pyoxigraph as ox

    with pytest.raises(SyntaxError) as caught:
        ox.Store().query("SELECT * WHERE {\n ?s ?p }")
    error = syntax_error(caught.value)
    assert isinstance(error, QuerySyntaxError)
    assert error.location is not None and error.location.startswith("line 2, column")
    assert len(error.message) <= 301
