"""``/network``: the organisation network over HTTP, the same analyses as ``kggraph network``.

FastAPI routes, so ``/docs`` lists them with typed, described parameters. Every route takes the
CLI's filters (``from_year``, ``to_year``, ``country``, ``sector``, ``kind``,
``include_undated``), which make one ``kggraph.network.filters.NetworkFilter``, and answers
from the network the server builds through its query workers (``kggraph.web.explore.service``).
Errors are problem documents (RFC 9457, ``kggraph.web.http.errors``): ``400`` for a bad
parameter or filter (an empty period, a country no one has heard of), ``404`` for an agent that
is unknown or not in the filtered network, each with a ``detail`` that says which.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kggraph.network.analysis import PATH_LIMIT, ego_network, shortest_paths, simple_paths
from kggraph.network.export import cytoscape_bytes, edges_csv, gexf_bytes, graphml_bytes, nodes_csv
from kggraph.network.filters import NetworkFilter
from kggraph.network.graph import Network, resolve_agent
from kggraph.web.explore.data_answers import conditional
from kggraph.web.explore.network_json import (
    agent_json,
    filter_json,
    network_json,
    path_json,
    stats_json,
)
from kggraph.web.explore.service import BuiltNetwork, NetworkService
from kggraph.web.http.errors import problem_responses
from kggraph.web.runtime import Runtime

CSV = "text/csv; charset=utf-8; header=present"
EXPORTS: dict[str, tuple[str, str, Callable[[Network], bytes]]] = {
    "graphml": ("application/graphml+xml", "kggraph-network.graphml", graphml_bytes),
    "gexf": ("application/gexf+xml", "kggraph-network.gexf", gexf_bytes),
    "json": ("application/json", "kggraph-network.cyjs", cytoscape_bytes),
    "nodes.csv": (CSV, "kggraph-network-nodes.csv", nodes_csv),
    "edges.csv": (CSV, "kggraph-network-edges.csv", edges_csv),
}
"""Export format → media type, download file name, writer (``kggraph.network.export``)."""
MAX_PATH_LENGTH = 5
MAX_RADIUS = 3
ERRORS = problem_responses(
    {400: "A bad parameter or filter", 404: "No such agent in the filtered network"}
)
"""What every route may refuse with, as problem documents (``kggraph.web.http.errors``)."""


class Kind(StrEnum):
    """Kinds of activity, and so of edge (``kggraph.network.facts.KINDS``)."""

    agreement = "agreement"
    project = "project"
    programme = "programme"
    membership = "membership"


class ExportFormat(StrEnum):
    graphml = "graphml"
    gexf = "gexf"
    json = "json"
    nodes_csv = "nodes.csv"
    edges_csv = "edges.csv"


def network_filter(
    from_year: Annotated[
        int | None, Query(description="Keep activities running in or after this year.")
    ] = None,
    to_year: Annotated[
        int | None, Query(description="Keep activities begun in or before this year.")
    ] = None,
    country: Annotated[
        str | None,
        Query(
            description="Keep activities in this country: IRI, slug or label (`vietnam`); "
            "empty means any country, as a form's blank field says."
        ),
    ] = None,
    sector: Annotated[
        str | None,
        Query(
            description="Keep activities of this sector or a narrower one: IRI, slug, label; "
            "empty means any sector."
        ),
    ] = None,
    kind: Annotated[
        list[Kind] | None,
        Query(description="Kinds of activity that make edges (repeatable); all by default."),
    ] = None,
    include_undated: Annotated[
        bool, Query(description="With a period, keep undated activities too.")
    ] = False,
) -> NetworkFilter:
    """The filters every route takes, as one filter (names are resolved against the graph
    later); an empty period is refused here."""
    return NetworkFilter(
        from_year=from_year,
        to_year=to_year,
        country=country,
        sector=sector,
        kinds=tuple(k.value for k in kind or ()),
        include_undated=include_undated,
    )


Filters = Annotated[NetworkFilter, Depends(network_filter)]
AgentQuery = Annotated[str, Query(min_length=1, description="The agent: IRI, slug or label.")]
AgentPath = Annotated[
    str,
    Path(
        # the route matches no line break (Starlette's path parameters stop at one)
        pattern=r"^[^\n]+$",
        description="The agent: IRI, slug (`org/jica`) or label.",
    ),
]
Radius = Annotated[int, Query(ge=0, le=MAX_RADIUS, description="How many hops out to go.")]


def router(service: NetworkService) -> APIRouter:
    """The network routes, answered from ``service`` (shared with the explore pages)."""
    api = NetworkApi(service)
    found = APIRouter(tags=["network"], responses=ERRORS)
    found.add_api_route(
        "/network", api.network, summary="The network as Cytoscape JSON", response_model=None
    )
    found.add_api_route(
        "/network/stats",
        api.stats,
        summary="Counts, central agents, communities",
        response_model=None,
    )
    found.add_api_route(
        "/network/path",
        api.path,
        summary="Paths between two agents, with evidence",
        response_model=None,
    )
    found.add_api_route(
        "/network/ego", api.ego, summary="An agent's neighbourhood", response_model=None
    )
    found.add_api_route(
        "/network/ego/{agent:path}",
        api.ego_at,
        summary="An agent's neighbourhood",
        response_model=None,
    )
    found.add_api_route(
        "/network/export.{fmt}",
        api.export,
        summary="The network as a file",
        response_model=None,
        response_class=Response,
        responses=_export_responses(),
    )
    return found


class NetworkApi:
    """The network routes' handlers, on one ``NetworkService``."""

    def __init__(self, service: NetworkService) -> None:
        self._service = service

    async def _answer(
        self, request: Request, choice: NetworkFilter, shape: Callable[[BuiltNetwork], Response]
    ) -> Response:
        """``shape`` of the network ``choice`` asks for, with the release's validators (``304``
        for a copy that is current, ``kggraph.web.explore.data_answers``)."""

        async def make(runtime: Runtime) -> Response:
            return shape(await self._service.network(runtime, choice))

        return await conditional(request, make)

    async def network(self, request: Request, choice: Filters) -> Response:
        """Agents (nodes, with degree, betweenness and community) and edges (one per pair of
        agents and kind of activity, with their evidence), as Cytoscape JSON. ``data`` holds
        the counts, the filter and the years the kept activities began in."""
        return await self._answer(request, choice, lambda built: JSONResponse(network_json(built)))

    async def stats(
        self,
        request: Request,
        choice: Filters,
        top: Annotated[
            int, Query(ge=1, le=1000, description="How many agents each ranking lists.")
        ] = 10,
    ) -> Response:
        """Nodes, edges (by kind), pairs and components; the ``top`` agents by degree and by
        betweenness; the Louvain communities (fixed seed, so the same graph gives the same
        ones)."""
        return await self._answer(
            request, choice, lambda built: JSONResponse(stats_json(built, top))
        )

    async def path(
        self,
        request: Request,
        choice: Filters,
        source: Annotated[
            str, Query(alias="from", min_length=1, description="First agent: IRI, slug or label.")
        ],
        target: Annotated[
            str, Query(alias="to", min_length=1, description="Second agent: IRI, slug or label.")
        ],
        all_paths: Annotated[
            bool, Query(alias="all", description="Every simple path up to `max_length` hops.")
        ] = False,
        max_length: Annotated[
            int, Query(ge=1, le=MAX_PATH_LENGTH, description="With `all`: most hops.")
        ] = 3,
        limit: Annotated[int, Query(ge=1, le=500, description="Most paths returned.")] = PATH_LIMIT,
    ) -> Response:
        """The shortest paths between two agents (or, with ``all``, every simple path up to
        ``max_length`` hops), shortest first. Each hop lists its edges, one per kind, and each
        edge its evidence: the agreements, projects, programmes or memberships the two agents
        share."""

        def shape(built: BuiltNetwork) -> Response:
            found = built.network
            first, last = resolve_agent(found, source), resolve_agent(found, target)
            if all_paths:
                paths = simple_paths(found, source, target, max_length=max_length, limit=limit)
            else:
                paths = shortest_paths(found, source, target, limit=limit)
            answer = {
                "version": built.version,
                "filter": filter_json(found),
                "from": agent_json(first, found.facts, built.measures[first.iri]),
                "to": agent_json(last, found.facts, built.measures[last.iri]),
                "all": all_paths,
                "max_length": max_length if all_paths else None,
                "paths": [path_json(p, found.facts) for p in paths],
            }
            return JSONResponse(answer)

        return await self._answer(request, choice, shape)

    async def ego(
        self, request: Request, choice: Filters, agent: AgentQuery, radius: Radius = 1
    ) -> Response:
        """The agents within ``radius`` hops of ``agent`` and every edge among them, as
        Cytoscape JSON; ``data.center`` is the agent."""
        return await self._ego(request, choice, agent, radius)

    async def ego_at(
        self, request: Request, choice: Filters, agent: AgentPath, radius: Radius = 1
    ) -> Response:
        """The same as ``/network/ego?agent=``, with the agent in the path."""
        return await self._ego(request, choice, agent, radius)

    async def _ego(
        self, request: Request, choice: NetworkFilter, name: str, radius: int
    ) -> Response:

        def shape(built: BuiltNetwork) -> Response:
            center = resolve_agent(built.network, name)
            around = BuiltNetwork(ego_network(built.network, name, radius=radius), built.version)
            answer = network_json(around)
            answer["data"].update(
                center=agent_json(center, built.network.facts, built.measures[center.iri]),
                radius=radius,
            )
            return JSONResponse(answer)

        return await self._answer(request, choice, shape)

    async def export(
        self,
        request: Request,
        choice: Filters,
        fmt: Annotated[ExportFormat, Path(description="graphml, gexf, json (Cytoscape) or csv.")],
    ) -> Response:
        """The network for Gephi (GEXF), yEd and most tools (GraphML), Cytoscape (JSON) or a
        spreadsheet (``nodes.csv``, ``edges.csv``): the same bytes as ``kggraph network
        export``."""
        media_type, filename, write = EXPORTS[fmt.value]
        headers = {"Content-Disposition": f'attachment; filename="{filename}"'}

        def shape(built: BuiltNetwork) -> Response:
            body = built.exported(fmt.value, write)
            return Response(body, media_type=media_type, headers=headers)

        return await self._answer(request, choice, shape)


def _export_responses() -> dict[int | str, dict[str, Any]]:
    """Each export's media type under ``200``, so the OpenAPI names what the route answers."""
    media: dict[str, Any] = {mt.split(";", 1)[0]: {} for mt, _, _ in EXPORTS.values()}
    return {200: {"description": "The network in the format of the path", "content": media}}
