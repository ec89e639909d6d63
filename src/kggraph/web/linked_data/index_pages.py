"""The pages for finding resources: ``/id/`` (kinds and classes with counts), ``/id/<kind>/``
(the resources of one kind, by name) and ``/search?q=`` (names in either language).

Each is one or two SELECTs of ``kggraph.pages.indexes`` on the query workers, answered from the
answer cache once asked, and rendered in the reader's language; each carries the same
validators as the resource pages, so a browser revalidates with a ``304``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from kggraph.core.errors import InvalidArgument
from kggraph.core.language import Text, term_label
from kggraph.core.namespaces import ID_IRI, PREFIXES, shorten
from kggraph.pages import indexes
from kggraph.web.http.conditional import not_modified, not_modified_response, validators
from kggraph.web.http.lookup import fetch
from kggraph.web.http.site import VARY, Site, html, not_found_page
from kggraph.web.http.state import state_of
from kggraph.web.runtime import Runtime


@dataclass(frozen=True)
class Row:
    """One resource as a list shows it."""

    iri: str
    label: Text
    types: tuple[Text, ...]
    matched: tuple[Text, ...] = ()


def _headers(runtime: Runtime, site: Site, request: Request) -> tuple[dict[str, str], bool]:
    """The page's headers, and whether the client's copy is still current."""
    found = validators(runtime, site.server, request.url.path, request.url.query, site.lang)
    headers = {
        "Vary": VARY,
        "Cache-Control": f"public, max-age={runtime.settings.cache_max_age}",
        **found.headers,
    }
    return headers, not_modified(request, found)


async def class_index(request: Request, runtime: Runtime, site: Site) -> Response:
    """``/id/``: every kind of identifier, its classes, and how many resources each has."""
    headers, current = _headers(runtime, site, request)
    if current:
        return not_modified_response(headers)
    per_class, per_kind = indexes.index_tasks()
    answers = await asyncio.gather(fetch(runtime, per_class), fetch(runtime, per_kind))
    kinds = indexes.read_index(answers[0].body, answers[1].body)
    return html(
        "ld_classes.html", site, headers=headers, kinds=kinds, label=_labeller(site), curie=shorten
    )


def class_filter(value: str | None) -> str | None:
    """The class IRI a ``?class=`` parameter names: ``kg:City``, ``City`` or a full IRI."""
    if not value:
        return None
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    if colon:
        return value
    return PREFIXES["kg"] + value


async def kind_list(request: Request, runtime: Runtime, site: Site, path: str) -> Response:
    """``/id/<kind>/``: the resources whose identifier starts so, sorted by name."""
    prefix = ID_IRI + path
    headers, current = _headers(runtime, site, request)
    if current:
        return not_modified_response(headers)
    answer = await fetch(runtime, indexes.listing_task(prefix))
    entries = indexes.read_entries(answer.body)
    if not entries:
        return not_found_page(site, asked=prefix)
    wanted = class_filter(request.query_params.get("class"))
    if wanted is not None:
        entries = tuple(e for e in entries if wanted in e.types)
    classes = indexes.type_labels(answer.body)
    rows = _rows(site, entries, classes)
    return html(
        "ld_kind.html",
        site,
        headers=headers,
        kind=path.rstrip("/"),
        prefix=prefix,
        rows=rows,
        wanted=wanted,
        wanted_label=term_label(classes.get(wanted, {}), site.lang, wanted) if wanted else None,
    )


async def search(request: Request) -> Response:
    """``/search?q=``: resources whose names contain the text, in either language."""
    runtime = state_of(request).runtime
    site = Site.of(request, runtime)
    text = " ".join(request.query_params.get("q", "").split())
    if len(text) > indexes.MAX_QUERY_LENGTH:
        raise InvalidArgument(f"q: the search text is over {indexes.MAX_QUERY_LENGTH} characters")
    headers, current = _headers(runtime, site, request)
    if current:
        return not_modified_response(headers)
    rows: list[Row] = []
    if text:
        answer = await fetch(runtime, indexes.search_task(text))
        rows = _ranked(text, _rows(site, indexes.read_entries(answer.body), {}))
    shown = rows[: indexes.MAX_HITS]
    return html(
        "ld_search.html", site, headers=headers, q=text, rows=shown, more=len(rows) > len(shown)
    )


def _labeller(site: Site) -> Callable[[indexes.Labels, str], Text]:
    def label(labels: indexes.Labels, iri: str) -> Text:
        return term_label(labels, site.lang, iri)

    return label


def _rows(
    site: Site, entries: tuple[indexes.Entry, ...], classes: dict[str, indexes.Labels]
) -> list[Row]:
    rows = [
        Row(
            e.iri,
            term_label(e.labels, site.lang, e.iri),
            tuple(term_label(classes.get(t, {}), site.lang, t) for t in e.types),
            e.matched,
        )
        for e in entries
    ]
    return sorted(rows, key=lambda r: (r.label.value.casefold(), r.iri))


def _ranked(text: str, rows: list[Row]) -> list[Row]:
    """Names equal to the text first, then names that start with it, then the rest."""
    wanted = text.casefold()

    def rank(row: Row) -> int:
        names = [m.value.casefold() for m in row.matched]
        if wanted in names:
            return 0
        return 1 if any(n.startswith(wanted) for n in names) else 2

    return sorted(rows, key=rank)
