"""The map: ``/explore/map`` draws the places of the cooperation on a world map that comes from
this server, and ``/explore/map.json`` gives its numbers.

The points, their counts, countries and colours are ``kggraph.network.places``: read through the
query workers once per release version (as the network's facts are,
``kggraph.web.explore.service``), then counted for each year asked. The page draws them with
d3-geo (its dependency d3-array) and the country shapes of world-atlas, read with
topojson-client: npm packages that ``make install`` puts into ``node_modules/`` and this server
serves under ``/static/``, so nothing comes from another host and no tile server is asked. The
same places and counts are in a table under the map, which needs no script. Each place's own
page draws a small locator map from the same files (``ld_locator.html``).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from kggraph.core.namespaces import ID_IRI
from kggraph.network.places import PlaceMap, gather_places
from kggraph.network.reading import select_rows
from kggraph.web.explore.data_answers import conditional
from kggraph.web.http.errors import text_responses
from kggraph.web.http.page_policy import CONTENT_SECURITY_POLICY
from kggraph.web.http.state import AppState, state_of
from kggraph.web.http.static_files import OptionalStaticFiles
from kggraph.web.http.templating import template_environment
from kggraph.web.runtime import Runtime

MAP_LIBRARIES = {
    "/static/d3-array": Path("node_modules/d3-array/dist"),
    "/static/d3-geo": Path("node_modules/d3-geo/dist"),
    "/static/topojson-client": Path("node_modules/topojson-client/dist"),
    "/static/world-atlas": Path("node_modules/world-atlas"),
}
"""Where ``npm ci`` puts the map's files (relative to the project root), by where we serve them."""
MAP_SCRIPTS = (
    "d3-array/d3-array.min.js",
    "d3-geo/d3-geo.min.js",
    "topojson-client/topojson-client.min.js",
)
"""The scripts a map page loads, in order, under ``/static/`` (d3-geo needs d3-array)."""
ATLAS = "world-atlas/countries-50m.json"
LOCATOR_ATLAS = "world-atlas/countries-110m.json"
"""The country shapes: 1:50m for the map (small countries such as Palau show), 1:110m for a
place page's locator, where the whole world is a few centimetres wide."""

_ENVIRONMENT = template_environment()


def router(state: AppState) -> APIRouter:
    """The map libraries from ``node_modules/``, the page and its numbers."""
    root = state.settings.root
    pages = MapPages(root)
    found = APIRouter(tags=["map"])
    for path, folder in MAP_LIBRARIES.items():
        found.mount(path, OptionalStaticFiles(directory=root / folder, check_dir=False))
    found.add_api_route("/explore/map", pages.map_page, include_in_schema=False)
    found.add_api_route(
        "/explore/map.json",
        pages.map_json,
        summary="Places with coordinates and how many activities are tied to each",
        responses=text_responses({400: "A bad year"}),
    )
    return found


def installed(root: Path) -> bool:
    """Whether every file a map needs is in ``node_modules/`` (checked on each request, so
    ``make install`` takes effect without a restart)."""
    static = {path.removeprefix("/static/"): folder for path, folder in MAP_LIBRARIES.items()}
    needed = (*MAP_SCRIPTS, ATLAS, LOCATOR_ATLAS)
    return all(
        (root / static[name.split("/", 1)[0]] / name.split("/", 1)[1]).is_file() for name in needed
    )


class _MapsPerRelease:
    """The ``PlaceMap`` of the current release, read once per version; callers that ask
    meanwhile wait for that one read."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._version: str | None = None
        self._map: PlaceMap | None = None

    async def get(self, runtime: Runtime) -> PlaceMap:
        async with self._lock:
            if self._map is None or self._version != runtime.version:
                self._map = await gather_places(lambda text: _select(runtime, text))
                self._version = runtime.version
            return self._map


async def _select(runtime: Runtime, text: str) -> list[dict[str, str]]:
    """One SELECT on a query worker; a cut-off answer would be a wrong map."""
    return await select_rows(runtime.pool, text, "a map query")


Year = Annotated[
    int | None,
    Query(
        ge=1,
        le=9999,
        description="Count the activities begun in or before this year (undated ones left "
        "out), as the network's `to_year`; without it, every activity.",
    ),
]


class MapPages:
    """The map's handlers, on one map per release."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._maps = _MapsPerRelease()

    async def map_json(self, request: Request, to_year: Year = None) -> Response:
        """Every place with coordinates (``wgs84:lat``/``long``): its country and colour, how
        many activities are tied to it up to ``to_year`` (those that take place in it or in a
        place within it, and the agreements its government is party to) and their IRIs, the
        organisations based there, its partner cities. ``elsewhere`` counts the activities
        located only in places without coordinates. See ``kggraph.network.places``."""

        async def make(runtime: Runtime) -> Response:
            found = await self._maps.get(runtime)
            return JSONResponse({"version": runtime.version, **found.as_json(to_year)})

        return await conditional(request, make)

    async def map_page(self, request: Request) -> HTMLResponse:
        """The map, its legend, year slider and the table of the same places."""
        runtime = state_of(request).runtime
        found = await self._maps.get(runtime)
        config = {
            "api": "map.json",
            "atlas": "../static/" + ATLAS,
            "idBase": ID_IRI,
            "idPath": "../id/",
        }
        html = _ENVIRONMENT.get_template("map.html").render(
            drawn=installed(self._root),
            scripts=["../static/" + s for s in MAP_SCRIPTS],
            config=config,
            places=found.as_json(),
            version=runtime.version,
            page_of=_page_of,
        )
        headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-cache"}
        return HTMLResponse(html, headers=headers)


def _page_of(iri: str) -> str:
    """Where the page of one of our IRIs is, relative to ``/explore/``."""
    return "../id/" + iri.removeprefix(ID_IRI) if iri.startswith(ID_IRI) else iri
