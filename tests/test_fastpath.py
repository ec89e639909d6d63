"""``/sparql`` in front of the framework (``kggraph.web.fastpath``), over real HTTP.

The protocol tests in ``test_endpoint.py`` already go through this layer; these check what it
adds or hands on: the memo of URL readings must not mix clients' ``Accept`` headers, requests
without a query (and ``HEAD``, ``OPTIONS``) reach the application with their body intact, and
errors and answers carry the same CORS, ``Vary`` and gzip headers as the rest of the server.
"""

from __future__ import annotations

import gzip
import json

import httpx

from tests.conftest import Server
from tests.test_endpoint import CITIES, LABELS

ORIGIN = {"Origin": "https://portal.example.org"}


def test_one_url_read_with_different_accept_headers_answers_each_in_its_format(
    server: Server,
) -> None:
    params = {"query": LABELS}
    for _ in range(2):  # the second round is read from the memo
        as_json = httpx.get(server.sparql, params=params, headers={"Accept": "application/json"})
        as_csv = httpx.get(server.sparql, params=params, headers={"Accept": "text/csv"})
        as_xml = httpx.get(
            server.sparql, params=params, headers={"Accept": "application/sparql-results+xml"}
        )
        assert as_json.headers["content-type"].startswith("application/sparql-results+json")
        assert as_csv.headers["content-type"].startswith("text/csv")
        assert as_xml.headers["content-type"].startswith("application/sparql-results+xml")
        labels = [b["label"]["value"] for b in as_json.json()["results"]["bindings"]]
        assert as_csv.text.splitlines()[1:] == labels
        assert len({as_json.headers["etag"], as_csv.headers["etag"], as_xml.headers["etag"]}) == 3


def test_a_post_without_a_query_reaches_the_service_description(server: Server) -> None:
    """The fast path reads the form body, finds no query and hands the body on."""
    answer = httpx.post(
        server.sparql,
        content=b"format=ttl",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/turtle")
    assert "sd:Service" in answer.text or "ns/sparql-service-description#Service" in answer.text


def test_a_post_with_an_empty_body_is_answered(server: Server) -> None:
    """An empty form or query body was read here, then the application was handed the spent
    ``receive``: it waited for a body that had already come, and the request hung until the
    client gave up (found by schemathesis). Now the read body is always handed on."""
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    answer = httpx.post(server.sparql, content=b"", headers=form, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/turtle")
    query = {"Content-Type": "application/sparql-query"}
    answer = httpx.post(server.sparql, content=b"", headers=query, timeout=10)
    assert answer.status_code == 400 and "the query is empty" in answer.text


def test_head_and_preflight_are_answered_by_the_application(server: Server) -> None:
    head = httpx.head(server.sparql, params={"query": CITIES})
    assert head.status_code == 200
    assert head.content == b""
    preflight = httpx.options(
        server.sparql,
        headers={
            **ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in preflight.headers


def test_errors_carry_cors_and_vary(server: Server) -> None:
    bad = httpx.get(server.sparql, params={"query": "SELECT WHERE {"}, headers=ORIGIN)
    assert bad.status_code == 400
    assert bad.headers["access-control-allow-origin"] == "*"
    assert "Accept" in bad.headers["vary"]
    assert bad.text.startswith("400 Bad Request:")


def test_answers_name_what_they_vary_on_and_expose_our_headers(server: Server) -> None:
    answer = httpx.get(server.sparql, params={"query": CITIES}, headers=ORIGIN)
    vary = {v.strip() for v in answer.headers["vary"].split(",")}
    assert {"Accept", "Accept-Encoding"} <= vary
    exposed = {
        v.strip().lower() for v in answer.headers["access-control-expose-headers"].split(",")
    }
    assert {"etag", "kggraph-version"} <= exposed


def test_gzip_is_decided_per_request(server: Server) -> None:
    big = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 200"
    with httpx.Client() as client:  # httpx decodes gzip itself; read the raw stream instead
        with client.stream(
            "GET", server.sparql, params={"query": big}, headers={"Accept-Encoding": "gzip"}
        ) as zipped:
            raw = b"".join(zipped.iter_raw())
        assert zipped.headers["content-encoding"] == "gzip"
        assert int(zipped.headers["content-length"]) == len(raw)
        plain = client.get(
            server.sparql, params={"query": big}, headers={"Accept-Encoding": "identity"}
        )
    assert "content-encoding" not in plain.headers
    assert json.loads(gzip.decompress(raw)) == plain.json()
    assert len(plain.json()["results"]["bindings"]) == 200
