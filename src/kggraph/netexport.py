"""The organisation network as files for other tools: GraphML, GEXF (Gephi), Cytoscape JSON
and CSV node and edge lists.

Every format holds the same graph: one node per agent (its IRI as the id) and one edge per pair
of agents and kind of activity (the kind as the edge key), with the attributes of ``node_rows``
and ``edge_rows``. GraphML and GEXF only take scalar attributes, so lists (countries, evidence)
are joined: IRIs with a space, labels with " | ". An attribute with no value (an undated edge's
first year) is left out rather than written as an empty string, so readers see it as missing.
Nodes and edges are written in IRI order and GEXF without its "last modified" date, so the same
network always gives the same bytes.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from kggraph.errors import KggraphError
from kggraph.netanalysis import COMMUNITY_SEED, centrality, communities
from kggraph.network import Edge, Network

FORMATS = ("graphml", "gexf", "cytoscape", "csv")
NODE_COLUMNS = (
    "id",
    "label",
    "label_ja",
    "kind",
    "kind_iri",
    "countries",
    "country_labels",
    "parent",
    "founded",
    "alt_labels",
    "degree",
    "strength",
    "betweenness",
    "community",
)
EDGE_COLUMNS = (
    "source",
    "target",
    "kind",
    "count",
    "first_year",
    "last_year",
    "open_ended",
    "evidence",
    "evidence_labels",
    "label",
)
LIST_SEPARATOR = " | "
"""Joins labels; IRIs, which hold no spaces, are joined with a single space."""

Row = dict[str, str | int | float | bool]


def node_rows(network: Network, *, seed: int = COMMUNITY_SEED) -> list[Row]:
    """One row per agent, with its centrality and community number."""
    measures = {c.agent.iri: c for c in centrality(network)}
    group = {a.iri: c.number for c in communities(network, seed=seed) for a in c.members}
    countries = network.facts.countries
    rows = []
    for agent in network.agents:
        measure = measures[agent.iri]
        row: dict[str, Any] = {
            "id": agent.iri,
            "label": agent.label,
            "label_ja": agent.label_ja,
            "kind": agent.kind,
            "kind_iri": agent.kind_iri,
            "countries": " ".join(agent.countries),
            "country_labels": LIST_SEPARATOR.join(
                countries[c].label if c in countries else c for c in agent.countries
            ),
            "parent": agent.parent,
            "founded": agent.founded,
            "alt_labels": LIST_SEPARATOR.join(agent.alt_labels),
            "degree": measure.degree,
            "strength": measure.strength,
            "betweenness": round(measure.betweenness, 6),
            "community": group[agent.iri],
        }
        rows.append({k: v for k, v in row.items() if v is not None})
    return rows


def edge_rows(network: Network) -> list[Row]:
    """One row per edge (pair of agents and kind), with its evidence IRIs and labels."""
    return [_edge_row(edge) for edge in network.edges]


def _edge_row(edge: Edge) -> Row:
    row: dict[str, Any] = {
        "source": edge.source,
        "target": edge.target,
        "kind": edge.kind,
        "count": edge.count,
        "first_year": edge.first_year,
        "last_year": edge.last_year,
        "open_ended": edge.open_ended,
        "evidence": " ".join(a.iri for a in edge.evidence),
        "evidence_labels": LIST_SEPARATOR.join(a.label for a in edge.evidence),
        "label": f"{edge.kind} ×{edge.count}",
    }
    return {k: v for k, v in row.items() if v is not None}


def to_multigraph(network: Network, *, seed: int = COMMUNITY_SEED) -> Any:
    """A ``networkx.MultiGraph``: node id = IRI, edge key = kind, scalar attributes only.

    ``weight`` repeats ``count`` because Gephi and Cytoscape size edges by it."""
    graph = nx.MultiGraph(name="kggraph organisation network")
    for row in node_rows(network, seed=seed):
        graph.add_node(row["id"], **{k: v for k, v in row.items() if k != "id"})
    for row in edge_rows(network):
        attributes = {k: v for k, v in row.items() if k not in ("source", "target")}
        graph.add_edge(row["source"], row["target"], key=row["kind"], weight=row["count"])
        graph.edges[row["source"], row["target"], row["kind"]].update(attributes)
    return graph


def write_graphml(network: Network, out: Path) -> list[Path]:
    nx.write_graphml(to_multigraph(network), out, encoding="utf-8", prettyprint=True)
    return [out]


def write_gexf(network: Network, out: Path) -> list[Path]:
    """GEXF 1.2 for Gephi, without the date networkx stamps into it (see module docstring)."""
    writer = nx.readwrite.gexf.GEXFWriter(encoding="utf-8", prettyprint=True)
    writer.add_graph(to_multigraph(network))
    meta = writer.xml.find("meta")
    if meta is not None:
        meta.attrib.pop("lastmodifieddate", None)
        creator = meta.find("creator")
        if creator is not None:
            creator.text = "kggraph"
    with out.open("wb") as handle:
        writer.write(handle)
    return [out]


def write_cytoscape(network: Network, out: Path) -> list[Path]:
    """Cytoscape.js / Cytoscape desktop JSON (``elements`` with ``nodes`` and ``edges``)."""
    graph = to_multigraph(network)
    for node, data in graph.nodes(data=True):
        data["name"] = data.get("label", node)
    data = nx.cytoscape_data(graph)
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return [out]


def write_csv(network: Network, out: Path) -> list[Path]:
    """``nodes.csv`` and ``edges.csv`` (UTF-8, RFC 4180) in the folder ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    nodes, edges = out / "nodes.csv", out / "edges.csv"
    _write_table(nodes, NODE_COLUMNS, node_rows(network))
    _write_table(edges, EDGE_COLUMNS, edge_rows(network))
    return [nodes, edges]


def _write_table(path: Path, columns: tuple[str, ...], rows: Iterable[Row]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


WRITERS = {
    "graphml": write_graphml,
    "gexf": write_gexf,
    "cytoscape": write_cytoscape,
    "csv": write_csv,
}


def export(network: Network, fmt: str, out: Path) -> list[Path]:
    """Write ``network`` as ``fmt`` (one of ``FORMATS``) to ``out``; return the files written.

    For ``csv``, ``out`` is a folder that receives ``nodes.csv`` and ``edges.csv``."""
    if fmt not in WRITERS:
        raise KggraphError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")
    if fmt != "csv":
        out.parent.mkdir(parents=True, exist_ok=True)
    return WRITERS[fmt](network, out)
