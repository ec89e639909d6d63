"""``/id/…``: every IRI of the graph answers, as a page for people and a description for programs.

``GET {server}/id/city/dalian`` negotiates on ``Accept`` (RFC 9110 §12.5.1; an HTML page for
browsers and for clients that state no preference, else Turtle, JSON-LD, N-Triples or RDF/XML)
and answers directly, with ``Vary: Accept, Accept-Language`` and a ``Content-Location`` naming
the file-extension address of what it sent: ``…/dalian.html``, ``.ttl``, ``.jsonld``, ``.nt``,
``.rdf``, which also answer on their own, whatever ``Accept`` says. Every answer links its
alternatives (``Link: rel="alternate"``) and carries validators (``kggraph.web.http.conditional``).

An identifier listed in the release's redirects table answers ``301`` or ``410``
(``kggraph.web.linked_data.moved``). An identifier with no triple gets a real ``404``: a page with a
search box for browsers, one line of text for programs. ``/id/`` and ``/id/<kind>/`` are the indexes
(``kggraph.web.linked_data.index_pages``).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from functools import partial
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from kggraph.core.errors import NotFound
from kggraph.core.formats import BY_NAME, HTML, Format
from kggraph.core.namespaces import BASE_IRI, ID_IRI
from kggraph.pages import paging
from kggraph.pages.describe import description_task, page_task
from kggraph.pages.incoming import Counts, big, counts_task, read_counts, window_task
from kggraph.pages.model import exists, resource_page
from kggraph.pages.outside import outside_task
from kggraph.query.negotiate import choose
from kggraph.web.http import site_text
from kggraph.web.http.conditional import not_modified, not_modified_response, validators
from kggraph.web.http.lookup import fetch
from kggraph.web.http.prepared import TRUNCATED_HEADER
from kggraph.web.http.site import VARY, Site, html, not_found_page
from kggraph.web.http.state import AppState, state_of
from kggraph.web.linked_data import index_pages
from kggraph.web.linked_data.moved import moved, moved_answer
from kggraph.web.runtime import Runtime

OFFERED: tuple[Format, ...] = (
    HTML,
    BY_NAME["turtle"],
    BY_NAME["json-ld"],
    BY_NAME["n-triples"],
    BY_NAME["rdf-xml"],
)
"""What an identifier answers in, the default (for ``*/*`` or no ``Accept``) first."""

EXTENSIONS = {fmt.extension: fmt for fmt in OFFERED}
"""File-extension addresses: ``…/dalian.ttl`` is always Turtle."""

ID_PATH = re.compile(r"[A-Za-z0-9._~-]+(?:/[A-Za-z0-9._~-]+)*")
"""The shape of every identifier under ``/id/``; anything else cannot be one of ours."""


@dataclass(frozen=True)
class Asked:
    """The identifier asked for (``city/dalian``), and the extension that chose its format."""

    name: str
    extension: str | None

    @classmethod
    def of(cls, path: str) -> Asked:
        stem, dot, ext = path.rpartition(".")
        if dot and stem and ext in EXTENSIONS:
            return cls(stem, ext)
        return cls(path, None)

    @property
    def iri(self) -> str:
        return ID_IRI + self.name

    @property
    def valid(self) -> bool:
        return ID_PATH.fullmatch(self.name) is not None


def router(state: AppState) -> APIRouter:
    """The identifiers, the indexes and the search of the graph."""
    found = APIRouter()
    found.add_route("/id/{path:path}", identified, methods=["GET"], name="identified")
    found.add_route("/search", index_pages.search, methods=["GET"], name="search")
    return found


async def identified(request: Request) -> Response:
    runtime = state_of(request).runtime
    path: str = request.path_params["path"]
    site = Site.of(request, runtime)
    if path == "":
        return await index_pages.class_index(request, runtime, site)
    if path.endswith("/"):
        return await index_pages.kind_list(request, runtime, site, path)
    return await _resource(request, runtime, site, Asked.of(path))


def _headers(runtime: Runtime, site: Site, asked: Asked, fmt: Format) -> dict[str, str]:
    headers = {
        "Link": ", ".join(
            f'<{_address(site, asked, f)}>; rel="alternate"; type="{f.media_type}"'
            for f in OFFERED
            if f is not fmt
        ),
        "Cache-Control": f"public, max-age={runtime.settings.cache_max_age}",
    }
    if asked.extension is None:
        headers["Vary"] = VARY
        headers["Content-Location"] = _address(site, asked, fmt)
    elif fmt is HTML:
        headers["Vary"] = "Accept-Language"
    return headers


def _address(site: Site, asked: Asked, fmt: Format, paged: str = "") -> str:
    address = f"{site.server}/id/{asked.name}.{fmt.extension}"
    if paged:
        address = f"{address}?{paged}"
    return site.keep_language(address) if fmt is HTML else address


def _paging_query(request: Request) -> str:
    """The paging parameters of a page request (``in``, ``page``), as a query string."""
    kept = (paging.PROPERTY, paging.PAGE)
    return urlencode([(k, v) for k, v in request.query_params.multi_items() if k in kept])


def _triples(body: bytes) -> list[ox.Triple]:
    return [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
    ]


async def _resource(request: Request, runtime: Runtime, site: Site, asked: Asked) -> Response:
    if asked.extension is not None:
        fmt = EXTENSIONS[asked.extension]
    else:
        fmt = choose(request.headers.get("accept"), OFFERED, what="this resource")
    if not asked.valid:
        return _missing(site, asked, fmt)
    redirect = moved(runtime, asked.name)
    if redirect is not None:
        return moved_answer(site, redirect, extension=asked.extension, as_html=fmt is HTML)
    headers = _headers(runtime, site, asked, fmt)
    paged = _paging_query(request) if fmt is HTML else ""
    found = validators(
        runtime, site.server, request.url.path, fmt.name, site.lang if fmt is HTML else "", paged
    )
    headers.update(found.headers)
    if paged and "Content-Location" in headers:
        headers["Content-Location"] = _address(site, asked, fmt, paged)
    if not_modified(request, found):
        return not_modified_response(headers)
    if fmt is HTML:
        wanted = paging.read_params(request.query_params)
        return await _page(runtime, site, asked, headers, wanted)
    answer = await fetch(runtime, description_task(asked.iri, fmt.name))
    if answer.rows == 0:
        return _missing(site, asked, fmt)
    if answer.truncated:
        headers[TRUNCATED_HEADER] = str(runtime.settings.max_rows)
    return Response(answer.body, media_type=fmt.content_type, headers=headers)


async def _page(
    runtime: Runtime, site: Site, asked: Asked, headers: dict[str, str], wanted: paging.Asked
) -> Response:
    answer, counted, outside = await asyncio.gather(
        fetch(runtime, page_task(asked.iri)),
        fetch(runtime, counts_task(asked.iri)),
        fetch(runtime, outside_task(asked.iri)),
    )
    triples = _triples(answer.body)
    if not exists(triples, asked.iri):
        return _missing(site, asked, HTML)
    counts = read_counts(counted.body)
    chosen = paging.choose(wanted, counts.get(asked.iri, {}))
    triples += await _windows(runtime, asked.iri, counts, chosen, site.lang)
    page = resource_page(
        asked.iri,
        triples,
        site.lang,
        counts=counts,
        chosen=chosen,
        outside=_triples(outside.body),
    )
    describe = f"DESCRIBE <{asked.iri}>"
    return html(
        "ld_resource.html",
        site,
        headers=headers,
        page=page,
        alternates=[(f, _address(site, asked, f)) for f in OFFERED if f is not HTML],
        editor=f"{site.server}/#{urlencode({'query': describe}, quote_via=quote)}",
        run=f"{site.server}/sparql?{urlencode({'query': describe, 'format': 'turtle'})}",
        truncated=answer.truncated,
        words=partial(site_text.say, lang=site.lang),
        page_link=partial(_page_link, site),
        anchor=paging.anchor,
    )


async def _windows(
    runtime: Runtime,
    iri: str,
    counts: Counts,
    chosen: tuple[str, paging.Window] | None,
    lang: str,
) -> list[ox.Triple]:
    """The page of each property that links to ``iri`` (or to a government of it) too often
    for one page: the chosen page of the chosen property, else the first. One at a time, so a
    page asks no more of the workers at once than its client may."""
    found: list[ox.Triple] = []
    for target in sorted(counts):
        for prop, count in big(counts, target):
            window = paging.Window(count)
            if target == iri and chosen is not None and chosen[0] == prop:
                window = chosen[1]
            answer = await fetch(runtime, window_task(iri, target, prop, lang, window))
            found.extend(_triples(answer.body))
    return found


def _page_link(site: Site, iri: str, prop: str, page: int) -> str:
    """The address of page ``page`` of ``prop``'s links to ``iri``, at that group."""
    address = f"{site.server}/{iri.removeprefix(BASE_IRI)}?{urlencode(paging.params(prop, page))}"
    return f"{site.keep_language(address)}#{paging.anchor(prop)}"


def _missing(site: Site, asked: Asked, fmt: Format) -> Response:
    """The ``404`` page for a browser, made here (it shows what was asked and where to look);
    for a program, ``NotFound``, which the application's error handler answers."""
    if fmt is HTML:
        return not_found_page(site, asked=asked.iri)
    raise NotFound(f"there is no resource <{asked.iri}> in the graph")
