"""The explore pages: the organisation network to look at, and the timeline of the cooperation.

``/explore/network`` draws the network of ``/network`` with cytoscape.js (the npm package
``cytoscape``, installed into ``node_modules/`` by ``make install`` and served from
``/static/cytoscape/``) and our ``network.js``: nothing comes from another host, and the page
has the query page's ``Content-Security-Policy``. It takes the API's filters from a form
(``page_filter``) and lists the drawing's agents and ties in two tables rendered here
(``network_table``): its text alternative, which needs no script. ``/explore/timeline`` is an
SVG chart drawn on the server (``kggraph.web.explore.timeline_svg``), so it needs no script at
all, with the table of its numbers beside it (``timeline_table``); its numbers are at
``/explore/timeline.json`` and ``.csv``, the chart alone at ``.svg``. Every URL in the pages is
relative, so they also work behind a proxy that adds a path prefix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from kggraph.core import language
from kggraph.core.language import DEFAULT_LANGUAGE
from kggraph.core.namespaces import ID_IRI
from kggraph.network.facts import KINDS
from kggraph.network.filters import NetworkFilter
from kggraph.network.timeline import KINDS as TIMELINE_KINDS
from kggraph.web.explore.data_answers import conditional
from kggraph.web.explore.network_table import agents_table, ties_table
from kggraph.web.explore.page_filter import FormChoices, page_filter, query_of
from kggraph.web.explore.service import NetworkService
from kggraph.web.explore.timeline_svg import render
from kggraph.web.explore.timeline_table import timeline_rows
from kggraph.web.http.page_policy import CONTENT_SECURITY_POLICY
from kggraph.web.http.site import VARY, Site
from kggraph.web.http.site_text import LANGUAGE_NAMES
from kggraph.web.http.state import AppState, state_of
from kggraph.web.http.static_files import OptionalStaticFiles
from kggraph.web.http.templating import template_environment
from kggraph.web.runtime import Runtime

CYTOSCAPE_BUILD = Path("node_modules/cytoscape/dist")
"""Where ``npm ci`` puts cytoscape.js's built files, relative to the project root."""
CYTOSCAPE_FILE = "cytoscape.min.js"
CYTOSCAPE_PATH = "/static/cytoscape"
SVG = "image/svg+xml"
TIMELINE_TWINS = (
    ("timeline.json", "application/json"),
    ("timeline.csv", "text/csv"),
    ("timeline.svg", SVG),
)

_ENVIRONMENT = template_environment()


def router(state: AppState, service: NetworkService) -> APIRouter:
    """cytoscape.js from ``node_modules/``, the two pages and the timeline's data, answered from
    ``service`` (shared with the network API)."""
    pages = ExplorePages(service, state.settings.root / CYTOSCAPE_BUILD)
    found = APIRouter(tags=["timeline"])
    found.mount(CYTOSCAPE_PATH, OptionalStaticFiles(directory=pages.cytoscape_dir, check_dir=False))
    found.add_api_route("/explore/network", pages.network_page, include_in_schema=False)
    found.add_api_route("/explore/timeline", pages.timeline_page, include_in_schema=False)
    found.add_api_route(
        "/explore/timeline.json",
        pages.timeline_json,
        summary="Agreements and projects per year and country",
    )
    found.add_api_route(
        "/explore/timeline.csv",
        pages.timeline_csv,
        summary="The timeline's numbers as CSV",
        response_class=Response,
        responses={200: {"content": {"text/csv": {}}}},
    )
    found.add_api_route(
        "/explore/timeline.svg",
        pages.timeline_svg,
        summary="The timeline chart as an SVG image",
        response_class=Response,
        responses={200: {"content": {SVG: {}}}},
    )
    return found


def _page(html: str, **headers: str) -> HTMLResponse:
    base = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-cache"}
    return HTMLResponse(html, headers={**base, **headers})


def _page_of(iri: str) -> str:
    """Where the page of one of our IRIs is, relative to ``/explore/``."""
    return "../id/" + iri.removeprefix(ID_IRI) if iri.startswith(ID_IRI) else iri


class ExplorePages:
    """The explore routes' handlers: the networks and timelines of ``service``, and where
    cytoscape.js lives."""

    def __init__(self, service: NetworkService, cytoscape_dir: Path) -> None:
        self._service = service
        self.cytoscape_dir = cytoscape_dir

    @property
    def cytoscape_installed(self) -> bool:
        """Checked on each request, so ``make install`` takes effect without a restart."""
        return (self.cytoscape_dir / CYTOSCAPE_FILE).is_file()

    async def network_page(
        self,
        request: Request,
        choice: Annotated[NetworkFilter, Depends(page_filter)],
        sort: Annotated[str | None, Query(description="Agents' column to sort by")] = None,
        ties_sort: Annotated[str | None, Query(description="Ties' column to sort by")] = None,
    ) -> HTMLResponse:
        """The drawing of the network ``choice`` asks for, and beside it the same agents and
        ties as tables (``network_table``), which need no script."""
        runtime = state_of(request).runtime
        built = await self._service.network(runtime, choice)
        query = query_of(choice)
        config = {
            "api": "../network" + query,
            "idBase": ID_IRI,
            "idPath": "../id/",
            "kinds": list(KINDS),
        }
        html = _ENVIRONMENT.get_template("network.html").render(
            cytoscape=self.cytoscape_installed,
            cytoscape_path="../" + CYTOSCAPE_PATH.lstrip("/"),
            config=config,
            version=runtime.version,
            query=query,
            choice=built.network.filter,
            form=FormChoices.of(await self._service.facts(runtime)),
            agents=agents_table(built.cytoscape, sort),
            ties=ties_table(built.cytoscape, ties_sort),
            page_of=_page_of,
        )
        return _page(html)

    async def timeline_page(self, request: Request) -> HTMLResponse:
        """The chart and the table of its numbers, in the reader's language (``?lang=``, else
        ``Accept-Language``, as the linked-data pages choose it)."""
        runtime = state_of(request).runtime
        timeline = await self._service.timeline(runtime)
        site = Site.of(request, runtime)
        html = _ENVIRONMENT.get_template("timeline.html").render(
            chart=Markup(render(timeline, site.lang)),  # noqa: S704 - our own SVG, every text escaped by ElementTree
            timeline=timeline,
            kinds=TIMELINE_KINDS,
            years=timeline_rows(timeline, site.lang),
            twins=TIMELINE_TWINS,
            version=runtime.version,
            site=site,
            lang=site.lang,
            languages=LANGUAGE_NAMES,
            svg_query="" if site.lang == DEFAULT_LANGUAGE else f"?lang={site.lang}",
        )
        links = ", ".join(
            f'<{name}>; rel="alternate"; type="{kind}"' for name, kind in TIMELINE_TWINS
        )
        return _page(html, Link=links, **{"Content-Language": site.lang, "Vary": VARY})

    async def timeline_json(self, request: Request) -> Response:
        """Per year, kind and country: how many agreements and projects began, with their IRIs;
        per year and kind, the distinct total (an activity in two countries counts in each
        country); and how many have no date. ``country`` is ``null`` for activities in no one
        country. See ``kggraph.network.timeline`` for how years and countries are read."""

        async def make(runtime: Runtime) -> Response:
            timeline = await self._service.timeline(runtime)
            return JSONResponse({"version": runtime.version, **timeline.as_json()})

        return await conditional(request, make)

    async def timeline_csv(self, request: Request) -> Response:
        """One row per year, kind and country:
        ``year,kind,country,country_label,count,activities`` (the activities' IRIs,
        space-separated)."""

        async def make(runtime: Runtime) -> Response:
            timeline = await self._service.timeline(runtime)
            headers = {"Content-Disposition": 'attachment; filename="kggraph-timeline.csv"'}
            return Response(
                timeline.as_csv(), media_type="text/csv; charset=utf-8", headers=headers
            )

        return await conditional(request, make)

    async def timeline_svg(
        self,
        request: Request,
        lang: Annotated[
            str | None, Query(description="The chart's language: `en` (the default) or `ja`.")
        ] = None,
    ) -> Response:
        """The chart of ``/explore/timeline`` alone, to embed or download."""
        chosen = language.from_param(lang) or DEFAULT_LANGUAGE

        async def make(runtime: Runtime) -> Response:
            timeline = await self._service.timeline(runtime)
            return Response(render(timeline, chosen), media_type=SVG)

        return await conditional(request, make)
