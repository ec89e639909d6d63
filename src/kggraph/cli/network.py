"""``kggraph network``: the organisation network of the published graph, for analysts.

``stats`` ranks agents and finds communities, ``path`` traces how two agents are connected and
through which agreements and projects, ``ego`` shows an agent's neighbourhood and ``export``
writes the network for Gephi, Cytoscape or a spreadsheet. Every command reads the current
release (``kggraph build`` makes it), or with ``--store`` (``KGGRAPH_STORE``) the release a
SPARQL store holds, as ``kggraph serve --store`` does, and takes the same filters: ``--from-year``,
``--to-year``, ``--country``, ``--sector``, ``--kind`` and ``--include-undated``, which make
one ``kggraph.network.filters.NetworkFilter`` (see there for what each keeps).

Errors end the command in ``kggraph.cli.exits``, as in every ``kggraph`` command: bad input
(no build yet, an unknown or ambiguous agent, country or sector, an empty period) is exit 2, an
export that cannot be written is exit 3.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kggraph.cli.exits import exit_on_error
from kggraph.core.config import Settings, load_settings
from kggraph.core.errors import BuildError
from kggraph.core.namespaces import ID_IRI
from kggraph.graph.release import require_current
from kggraph.graph.store import OxigraphStore
from kggraph.network.analysis import (
    PATH_LIMIT,
    NetworkPath,
    Summary,
    ego_network,
    shortest_paths,
    simple_paths,
    summarise,
)
from kggraph.network.export import export
from kggraph.network.facts import gather_facts
from kggraph.network.filters import KINDS, NetworkFilter
from kggraph.network.graph import Edge, Network, build_network, open_network, resolve_agent
from kggraph.network.reading import from_store


class ExportFormat(StrEnum):
    """Formats ``export`` writes (``csv`` writes nodes.csv and edges.csv into a folder)."""

    graphml = "graphml"
    gexf = "gexf"
    cytoscape = "cytoscape"
    csv = "csv"


app = typer.Typer(
    help="The organisation network: who works with whom, through which agreements, projects, "
    "programmes and memberships.",
    no_args_is_help=True,
    add_completion=False,
)

RootOption = Annotated[
    Path | None,
    typer.Option("--root", help="Project folder [env KGGRAPH_ROOT]."),
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", help="Folder of published builds [env KGGRAPH_OUTPUT]."),
]
StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Read the network from this SPARQL query endpoint (loaded with kggraph publish "
        "--to) instead of the current build [env KGGRAPH_STORE].",
    ),
]
FromYear = Annotated[
    int | None, typer.Option("--from-year", help="Keep activities running in or after this year.")
]
ToYear = Annotated[
    int | None, typer.Option("--to-year", help="Keep activities begun in or before this year.")
]
Country = Annotated[
    str | None,
    typer.Option("--country", help="Keep activities in this country (IRI, slug or label)."),
]
Sector = Annotated[
    str | None,
    typer.Option("--sector", help="Keep activities of this sector (IRI, slug or label)."),
]
Kinds = Annotated[
    list[str] | None,
    typer.Option("--kind", help=f"Edge kinds (repeatable; all by default): {', '.join(KINDS)}."),
]
IncludeUndated = Annotated[
    bool,
    typer.Option("--include-undated", help="With a period, keep undated activities too."),
]


def _settings(root: Path | None, output: Path | None, store: str | None) -> Settings:
    with exit_on_error():
        return load_settings(overrides={"root": root, "output": output, "store": store})


def _filter(
    from_year: int | None,
    to_year: int | None,
    country: str | None,
    sector: str | None,
    kinds: list[str] | None,
    include_undated: bool,
) -> NetworkFilter:
    """The filter options, in the order every command takes them, as one filter."""
    with exit_on_error():
        return NetworkFilter(
            from_year=from_year,
            to_year=to_year,
            country=country,
            sector=sector,
            kinds=tuple(kinds or ()),
            include_undated=include_undated,
        )


def _network(settings: Settings, chosen: NetworkFilter) -> Network:
    """The network that ``chosen`` keeps, of the store's release if a store is set, else of
    the current build."""
    with exit_on_error():
        if settings.store:
            return build_network(from_store(settings, gather_facts), chosen)
        store = OxigraphStore(require_current(settings.output_dir).open_store())
        return open_network(store, chosen)


def _describe(network: Network) -> str:
    """The filter in words, for the heading of every answer."""
    chosen: NetworkFilter = network.filter
    facts = network.facts
    parts = []
    if chosen.has_period:
        parts.append(f"years {chosen.from_year or '…'}–{chosen.to_year or '…'}")
        parts.append("undated kept" if chosen.include_undated else "undated left out")
    if chosen.country:
        parts.append(f"in {facts.countries[chosen.country].label}")
    if chosen.sector:
        parts.append(f"sector {facts.sectors[chosen.sector].label}")
    parts.append("kinds " + ", ".join(chosen.kinds))
    return "; ".join(parts)


def _slug(iri: str) -> str:
    return iri.removeprefix(ID_IRI)


def _years(edge: Edge) -> str:
    if edge.first_year is None:
        return "undated"
    span = str(edge.first_year)
    if edge.last_year and edge.last_year != edge.first_year:
        span += f"–{edge.last_year}"
    return span + (" (open-ended)" if edge.open_ended else "")


def _evidence(edge: Edge) -> str:
    return "\n".join(f"{a.label} ({_slug(a.iri)})" for a in edge.evidence)


@app.command("stats")
def stats_command(
    top: Annotated[int, typer.Option("--top", help="How many agents each ranking lists.")] = 10,
    from_year: FromYear = None,
    to_year: ToYear = None,
    country: Country = None,
    sector: Sector = None,
    kind: Kinds = None,
    include_undated: IncludeUndated = False,
    root: RootOption = None,
    output: OutputOption = None,
    store: StoreOption = None,
) -> None:
    """Counts, the most central agents and the communities of the network."""
    chosen = _filter(from_year, to_year, country, sector, kind, include_undated)
    network = _network(_settings(root, output, store), chosen)
    summary = summarise(network)
    console = Console()
    console.print(
        f"[bold]{summary.nodes} agents, {summary.edges} edges[/] ({summary.pairs} pairs of "
        f"agents, {summary.components} components); {_describe(network)}"
    )
    _print_summary(console, summary, top)


def _print_summary(console: Console, summary: Summary, top: int) -> None:
    kinds = Table("kind", "edges", title="Edges by kind")
    for name, count in summary.edges_by_kind:
        kinds.add_row(name, str(count))
    console.print(kinds)
    for by in ("degree", "betweenness"):
        ranking = Table("#", "agent", "kind", "degree", "strength", "betweenness")
        ranking.title = f"Top {top} by {by}"
        for rank, item in enumerate(summary.top(by, top), start=1):
            ranking.add_row(
                str(rank),
                item.agent.label,
                item.agent.kind,
                str(item.degree),
                str(item.strength),
                f"{item.betweenness:.3f}",
            )
        console.print(ranking)
    groups = Table("#", "size", "members", title="Communities (Louvain, fixed seed)")
    for community in summary.communities:
        names = ", ".join(a.label for a in community.members)
        groups.add_row(str(community.number), str(len(community.members)), names)
    console.print(groups)


def _print_path(console: Console, number: int, path: NetworkPath) -> None:
    chain = " → ".join(a.label for a in path.agents)
    console.print(f"[bold]Path {number}[/] ({path.length} hop(s)): {chain}")
    table = Table("from", "to", "kind", "count", "years", "evidence", show_lines=True)
    table.columns[-1].overflow = "fold"
    for hop in path.hops:
        for edge in hop.edges:
            table.add_row(
                hop.source.label,
                hop.target.label,
                edge.kind,
                str(edge.count),
                _years(edge),
                _evidence(edge),
            )
    console.print(table)


@app.command("path")
def path_command(
    source: Annotated[str, typer.Argument(help="First agent: IRI, slug or exact label.")],
    target: Annotated[str, typer.Argument(help="Second agent: IRI, slug or exact label.")],
    max_length: Annotated[
        int, typer.Option("--max-length", help="With --all: most hops a path may have.")
    ] = 3,
    all_paths: Annotated[
        bool, typer.Option("--all", help="Every simple path up to --max-length hops.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", help="Most paths to print.")] = PATH_LIMIT,
    from_year: FromYear = None,
    to_year: ToYear = None,
    country: Country = None,
    sector: Sector = None,
    kind: Kinds = None,
    include_undated: IncludeUndated = False,
    root: RootOption = None,
    output: OutputOption = None,
    store: StoreOption = None,
) -> None:
    """The shortest path(s) between two agents, or all paths up to a length, with evidence."""
    chosen = _filter(from_year, to_year, country, sector, kind, include_undated)
    network = _network(_settings(root, output, store), chosen)
    with exit_on_error():
        first, last = resolve_agent(network, source), resolve_agent(network, target)
        if all_paths:
            found = simple_paths(network, source, target, max_length=max_length, limit=limit)
        else:
            found = shortest_paths(network, source, target, limit=limit)
    console = Console()
    console.print(f"{first.label} ↔ {last.label}; {_describe(network)}")
    if not found:
        reach = f"within {max_length} hops" if all_paths else "in this network"
        console.print(f"No path between {first.label} and {last.label} {reach}.")
        return
    for number, path in enumerate(found, start=1):
        _print_path(console, number, path)


@app.command("ego")
def ego_command(
    center: Annotated[str, typer.Argument(help="The agent: IRI, slug or exact label.")],
    radius: Annotated[int, typer.Option("--radius", help="How many hops out to go.")] = 1,
    from_year: FromYear = None,
    to_year: ToYear = None,
    country: Country = None,
    sector: Sector = None,
    kind: Kinds = None,
    include_undated: IncludeUndated = False,
    root: RootOption = None,
    output: OutputOption = None,
    store: StoreOption = None,
) -> None:
    """The agents within --radius hops of an agent, and the edges among them."""
    chosen = _filter(from_year, to_year, country, sector, kind, include_undated)
    network = _network(_settings(root, output, store), chosen)
    with exit_on_error():
        agent = resolve_agent(network, center)
        ego = ego_network(network, center, radius=radius)
    console = Console()
    console.print(
        f"[bold]{agent.label}[/]: {len(ego.agents) - 1} agent(s) within {radius} hop(s), "
        f"{len(ego.edges)} edge(s); {_describe(network)}"
    )
    countries = network.facts.countries
    agents = Table("agent", "kind", "country", "slug", title="Agents")
    agents.columns[-1].overflow = "fold"
    for member in sorted(ego.agents, key=lambda a: (a.iri != agent.iri, a.label)):
        where = ", ".join(countries[c].label for c in member.countries if c in countries)
        agents.add_row(member.label, member.kind, where, _slug(member.iri))
    console.print(agents)
    edges = Table("agent", "agent", "kind", "count", "years", "evidence", show_lines=True)
    edges.columns[-1].overflow = "fold"
    for edge in ego.edges:
        names = (ego.by_iri[edge.source].label, ego.by_iri[edge.target].label)
        edges.add_row(*names, edge.kind, str(edge.count), _years(edge), _evidence(edge))
    edges.title = "Edges"
    console.print(edges)


@app.command("export")
def export_command(
    fmt: Annotated[ExportFormat, typer.Argument(metavar="FORMAT", help="Output format.")],
    out: Annotated[
        Path, typer.Option("--out", help="File to write (a folder for csv).", show_default=False)
    ],
    from_year: FromYear = None,
    to_year: ToYear = None,
    country: Country = None,
    sector: Sector = None,
    kind: Kinds = None,
    include_undated: IncludeUndated = False,
    root: RootOption = None,
    output: OutputOption = None,
    store: StoreOption = None,
) -> None:
    """Write the network as GraphML, GEXF (Gephi), Cytoscape JSON or CSV node and edge lists."""
    chosen = _filter(from_year, to_year, country, sector, kind, include_undated)
    network = _network(_settings(root, output, store), chosen)
    with exit_on_error():
        written = _export(network, fmt, out)
    console = Console()
    console.print(f"{len(network.agents)} agents, {len(network.edges)} edges; {_describe(network)}")
    for path in written:
        console.print(f"Wrote {path}", highlight=False)


def _export(network: Network, fmt: ExportFormat, out: Path) -> list[Path]:
    """Write the export; a file that cannot be written is output not written."""
    try:
        return export(network, fmt.value, out)
    except OSError as err:
        raise BuildError(f"cannot write the export: {err.strerror}", location=str(out)) from None
