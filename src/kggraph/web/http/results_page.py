"""The answer to a query as a page, for a browser: what ``/sparql`` sends when ``Accept`` ranks
``text/html`` above every answer format (``kggraph.query.negotiate.prefers_page``) and no
``format`` parameter names one.

The query runs as any client's does (``prepare_request`` and ``answer_of``: the same checks,
errors, time limit, row limit, budget and answer cache), answering SELECT and ASK in SPARQL
JSON and CONSTRUCT and DESCRIBE in N-Triples; ``kggraph.pages.results`` reads that into a table.
The page shows at most ``DISPLAY_ROWS`` rows, the label beside each IRI of ours (one more query,
for at most ``LABEL_IRIS`` of them), the query with a link that opens it in the query editor,
and a download link per format the answer can be given in (the same request with ``format=``).
A graph is shown as a table of subject, predicate and object, its downloads in every RDF format.
Errors stay what they are for every client: one line of text.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
from collections.abc import Callable
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import Response

from kggraph.core.formats import BY_NAME, AnswerKind, Format, formats_for
from kggraph.core.language import Text
from kggraph.pages.results import Table, labels_query, our_iris, read_labels, read_results
from kggraph.pages.results import read_triples as read_graph
from kggraph.query.executor import Answer, QueryTask
from kggraph.query.negotiate import prefers_page
from kggraph.query.protocol import QueryRequest
from kggraph.web.http import site_text
from kggraph.web.http.conditional import holds, matches
from kggraph.web.http.lookup import fetch
from kggraph.web.http.prepared import TRUNCATED_HEADER, Prepared, answer_of, prepare_request
from kggraph.web.http.site import VARY, Site, html
from kggraph.web.runtime import Runtime

DISPLAY_ROWS = 1000
"""The most rows (or triples) the page shows; the downloads hold the whole answer."""
PAGE_READS = ("srj", "nt")
"""The formats the page reads an answer in: SPARQL JSON for results, N-Triples for a graph
(``format`` values: the first that fits the query's form is taken)."""
READ_IN_THREAD_BYTES = 1024 * 1024
"""Answers this big are read off the event loop, so other clients are not held up."""
EDITOR = "/"
"""The query editor, which opens a tab for ``#query=…`` (YASGUI reads its address)."""


def wants_page(asked: QueryRequest, accept: str | None) -> bool:
    """A query from a browser that names no ``format``: it gets the page."""
    return asked.query is not None and not asked.formats and prefers_page(accept)


async def results_page(request: Request, runtime: Runtime, asked: QueryRequest) -> Response:
    """The page of the answer to ``asked`` (or ``304``), or the error every client gets."""
    site = dataclasses.replace(Site.of(request, runtime), query=_pairs(asked))
    read = QueryRequest(asked.query, asked.default_graphs, asked.named_graphs, PAGE_READS)
    prepared = await prepare_request(runtime, read, None)
    headers = _headers(prepared, site)
    if_none_match = request.headers.get("if-none-match")
    if holds(if_none_match, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    answer = await answer_of(runtime, prepared)
    if matches(if_none_match, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    if answer.truncated:
        headers[TRUNCATED_HEADER] = str(runtime.settings.max_rows)
    table = await _table(answer)
    kind = BY_NAME[answer.format].kind
    return html(
        "results.html",
        site,
        headers=headers,
        t=_say(site.lang),
        query=asked.query,
        asked=asked,
        table=table,
        graph=kind is AnswerKind.GRAPH,
        labels=await _labels(runtime, table, site.lang),
        truncated=answer.truncated,
        max_rows=runtime.settings.max_rows,
        editor=site.server + EDITOR + "#" + _editor_address(asked),
        downloads=[(fmt, _download(site, asked, fmt)) for fmt in formats_for(kind)],
    )


async def _table(answer: Answer) -> Table:
    reader = read_graph if BY_NAME[answer.format].kind is AnswerKind.GRAPH else read_results
    if len(answer.body) >= READ_IN_THREAD_BYTES:
        return await asyncio.to_thread(reader, answer.body, limit=DISPLAY_ROWS)
    return reader(answer.body, limit=DISPLAY_ROWS)


async def _labels(runtime: Runtime, table: Table, lang: str) -> dict[str, Text]:
    """The labels of the IRIs of ours the page shows, from one query (cached like any)."""
    iris = our_iris(table)
    if not iris:
        return {}
    answer = await fetch(runtime, QueryTask(labels_query(iris), BY_NAME["sparql-json"].name))
    return read_labels(answer.body, lang)


def _headers(prepared: Prepared, site: Site) -> dict[str, str]:
    """The answer's caching headers, with an ``ETag`` of the page: its answer, its language,
    and the server its links are written with."""
    page = hashlib.sha256(f"{site.lang} {site.choice.explicit} {site.server}".encode()).hexdigest()
    return {
        **prepared.headers,
        "ETag": f'W/"{prepared.key}-html-{page[:16]}"',
        "Vary": VARY,
    }


def _pairs(asked: QueryRequest) -> tuple[tuple[str, str], ...]:
    """The request as URL parameters: the page in the other language, or a download, is a GET
    of them (also when the query came in a POST body)."""
    return (
        ("query", asked.query or ""),
        *(("default-graph-uri", g) for g in asked.default_graphs),
        *(("named-graph-uri", g) for g in asked.named_graphs),
    )


def _download(site: Site, asked: QueryRequest, fmt: Format) -> str:
    return site.server + "/sparql?" + urlencode((*_pairs(asked), ("format", fmt.short_names[0])))


def _editor_address(asked: QueryRequest) -> str:
    """The query (and its graphs) as the query editor reads them from its address."""
    pairs = [
        ("query", asked.query or ""),
        *(("defaultGraph", g) for g in asked.default_graphs),
        *(("namedGraph", g) for g in asked.named_graphs),
    ]
    return urlencode(pairs, quote_via=quote)


def _say(lang: str) -> Callable[..., str]:
    """The page's words in ``lang``, numbers written with separators."""

    def say(key: str, **values: int) -> str:
        shown = {name: f"{value:,}" for name, value in values.items()}
        return site_text.say("results_" + key, lang, **shown)

    return say
