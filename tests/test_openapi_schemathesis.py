"""The HTTP API against its own OpenAPI description (``/openapi.json``), with schemathesis.

Every documented operation, ``/sparql`` included, gets schema-valid and schema-invalid requests
generated from the document and sent in process (ASGI, no socket) to the server as served
(``create_server``: the ``/sparql`` fast path, the security headers), on the session's build.
schemathesis checks each answer: no 5xx, a documented status, media type and headers, valid
input accepted and invalid input refused. Two checks of our own: every refusal has its route
family's shape (``kggraph.web.http.errors``: a problem document from ``/queries`` and
``/network``, one line of text elsewhere), and the network API refuses a valid request only for
a name the graph does not know. Bounded and seeded: ``EXAMPLES`` requests per operation
(``CANNED_EXAMPLES`` per canned query), ``derandomize``, so a run in CI is the same every time.

schemathesis's pytest plugin (``from_fixture``) does not run under pytest 9 (it sets a node
attribute pytest 9 no longer has), so each operation's strategy is run with Hypothesis's own
``@given`` inside a subtest named by the operation.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, CheckContext, GenerationMode, Response
from schemathesis.specs.openapi.checks import positive_data_acceptance
from schemathesis.specs.openapi.schemas import OpenApiSchema

from kggraph.core.config import load_settings
from kggraph.publish.build import BuildResult
from kggraph.web.app import create_server
from kggraph.web.http.errors import Family, family_of
from tests.errorshapes import problem_detail, text_message

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = 25
"""Requests per operation, schema-valid and schema-invalid ones mixed."""
CANNED_EXAMPLES = 10
"""Requests per canned query (``/queries/<slug>``): the canned queries share one handler and
one way of binding parameters, so ten each still send hundreds of requests there, each query's
own parameters given valid and invalid values."""
UNKNOWN_NAME = re.compile(r"no (?:country|sector|agent) is called ('.*'|\".*\")(?:; close|$)")
"""A refusal for a name the graph does not know; the name is shown as Python writes it."""
OTHER_REFUSALS = re.compile(
    r"the (?:country|sector|agent) name .+ is ambiguous|is not in this network|period is empty"
)


@pytest.fixture
def api_schema(built: BuildResult) -> OpenApiSchema:
    """The OpenAPI of a server on the session's build, as the server itself gives it. One
    server per test: schemathesis's plugin ends every ASGI lifespan after each test, and a
    server's query workers do not start again once stopped."""
    environ = {
        "KGGRAPH_ROOT": str(ROOT),
        "KGGRAPH_OUTPUT": str(built.release.parent.parent),
        "KGGRAPH_QUERY_WORKERS": "1",
        # the fuzzer is one client that sends hundreds of bad requests on purpose: no limit on
        # failed queries, or most answers would be 429 and the operations go untried
        "KGGRAPH_CLIENT_ERRORS": "0",
    }
    server = create_server(load_settings(environ=environ))
    return schemathesis.openapi.from_asgi("/openapi.json", server)


def test_sparql_is_documented(api_schema: OpenApiSchema) -> None:
    """``/sparql`` is answered in front of FastAPI, yet the document describes both methods."""
    item = api_schema.raw_schema["paths"]["/sparql"]
    assert set(item) == {"get", "post"}
    names = {p["name"] for p in item["get"]["parameters"]}
    assert {"query", "default-graph-uri", "named-graph-uri", "format"} <= names
    bodies = item["post"]["requestBody"]["content"]
    assert set(bodies) == {"application/x-www-form-urlencoded", "application/sparql-query"}
    answers = item["get"]["responses"]
    assert {"200", "304", "400", "406", "413", "429", "503"} <= set(answers)
    assert {"application/sparql-results+json", "text/csv", "text/turtle"} <= set(
        answers["200"]["content"]
    )


def test_no_operation_documents_an_answer_it_never_gives(api_schema: OpenApiSchema) -> None:
    """Parameters that do not validate get ``400``, never FastAPI's ``422``."""
    for item in api_schema.raw_schema["paths"].values():
        for operation in item.values():
            assert "422" not in operation["responses"], operation["operationId"]


def test_a_blank_filter_is_no_filter(api_schema: OpenApiSchema) -> None:
    """``country=`` and ``sector=`` (a form's empty fields) are schema-valid, and mean what
    leaving them out means. Twenty-five generated requests seldom hold an empty string, so the
    finding that found it is kept as this example."""
    stats = api_schema["/network/stats"]["GET"]
    blank = stats.Case(query={"country": "", "sector": ""}).call()
    plain = stats.Case(query={}).call()
    assert blank.status_code == 200, blank.text
    assert blank.json() == plain.json()


def test_every_operation_keeps_to_the_document(
    api_schema: OpenApiSchema, subtests: pytest.Subtests
) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert any(op.path == "/sparql" for op in operations)
    for operation in operations:
        with subtests.test(msg=operation.label):
            _fuzz(operation)


def _fuzz(operation: APIOperation) -> None:
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )
    excluded, additional = _checks_for(operation)

    @settings(
        max_examples=CANNED_EXAMPLES if operation.path.startswith("/queries/") else EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        # every example is a request to a real server: slow by Hypothesis's measure, on purpose
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=strategy)
    def check(case: Case) -> None:
        case.call_and_validate(excluded_checks=excluded, additional_checks=additional)

    check()


def _checks_for(operation: APIOperation) -> tuple[list[object], list[object]]:
    """The built-in checks to leave out for ``operation``, and ours to add."""
    if operation.path == "/sparql":
        # A SPARQL query is a string to JSON Schema: no schema tells a query from other text,
        # so a schema-valid `query` is usually not SPARQL, and 400 with the parser's message
        # is the right answer. Every other check still holds (no 5xx, documented statuses,
        # media types and headers, invalid input refused) and so does ours.
        return [positive_data_acceptance], [refusals_have_their_family_shape]
    if operation.path.startswith("/network"):
        return [positive_data_acceptance], [
            refusals_have_their_family_shape,
            network_refuses_unknown_names,
        ]
    return [], [refusals_have_their_family_shape]


def refusals_have_their_family_shape(
    ctx: CheckContext, response: Response, case: Case
) -> bool | None:
    """Every 4xx and 5xx answer is a problem document from the JSON APIs, one line of plain
    text that starts with its status elsewhere."""
    if response.status_code < 400:
        return None
    _message(response)
    return None


def _message(response: Response) -> str:
    """What a refusal says, checked for its family's shape."""
    content_type = response.headers.get("content-type", [""])[0]
    path = unquote(urlsplit(str(response.request.url)).path)
    if family_of(path) is Family.PROBLEM:
        return problem_detail(response.status_code, content_type, response.text, instance=path)
    return text_message(response.status_code, content_type, response.text)


def network_refuses_unknown_names(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A schema-valid request to the network API is answered, or refused (400, 404) only for a
    name no country, sector or agent has, or an empty period (in place of schemathesis's
    `positive_data_acceptance`, which cannot know the names). No JSON schema can list the
    names a release knows, nor say that ``from_year`` comes before ``to_year``; but a blank
    name is no reason: an empty ``country=`` is no filter."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code < 400:
        return None
    assert response.status_code in (400, 404), response.text
    said = _message(response)
    unknown = UNKNOWN_NAME.search(said)
    if unknown is not None:
        name = ast.literal_eval(unknown.group(1))
        assert name.strip(), f"a blank name refused, which means no filter: {said!r}"
        return None
    assert OTHER_REFUSALS.search(said), f"valid input refused: {said!r}"
    return None
