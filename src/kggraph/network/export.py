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
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from kggraph.core.errors import InvalidArgument
from kggraph.network.analysis import COMMUNITY_SEED, centrality, communities
from kggraph.network.graph import Edge, Network

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
        **edge.summary(),
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


def graphml_bytes(network: Network) -> bytes:
    """The network as GraphML (UTF-8)."""
    out = io.BytesIO()
    nx.write_graphml(to_multigraph(network), out, encoding="utf-8", prettyprint=True)
    return out.getvalue()


def gexf_bytes(network: Network) -> bytes:
    """GEXF 1.2 for Gephi, without the date networkx stamps into it (see module docstring)."""
    writer = nx.readwrite.gexf.GEXFWriter(encoding="utf-8", prettyprint=True)
    writer.add_graph(to_multigraph(network))
    meta = writer.xml.find("meta")
    if meta is not None:
        meta.attrib.pop("lastmodifieddate", None)
        creator = meta.find("creator")
        if creator is not None:
            creator.text = "kggraph"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def cytoscape_json(network: Network) -> dict[str, Any]:
    """Cytoscape.js / Cytoscape desktop JSON (``elements`` with ``nodes`` and ``edges``).

    Each edge gets an ``id`` (``source target kind``): Cytoscape.js needs unique edge ids to
    tell apart the edges of one pair, and a page can show or hide an edge by it."""
    graph = to_multigraph(network)
    for node, attributes in graph.nodes(data=True):
        attributes["name"] = attributes.get("label", node)
    document: dict[str, Any] = nx.cytoscape_data(graph)
    for edge in document["elements"]["edges"]:
        found = edge["data"]
        found["id"] = edge_id(found["source"], found["target"], found["key"])
    return document


def edge_id(source: str, target: str, kind: str) -> str:
    """The id of an edge in ``cytoscape_json``: IRIs hold no spaces, so it cannot collide."""
    return f"{source} {target} {kind}"


def cytoscape_bytes(network: Network) -> bytes:
    return (json.dumps(cytoscape_json(network), ensure_ascii=False, indent=1) + "\n").encode()


def nodes_csv(network: Network) -> bytes:
    """``nodes.csv``: one row per agent (UTF-8, RFC 4180)."""
    return _table(NODE_COLUMNS, node_rows(network))


def edges_csv(network: Network) -> bytes:
    """``edges.csv``: one row per edge (UTF-8, RFC 4180)."""
    return _table(EDGE_COLUMNS, edge_rows(network))


def _table(columns: tuple[str, ...], rows: Iterable[Row]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def write_graphml(network: Network, out: Path) -> list[Path]:
    out.write_bytes(graphml_bytes(network))
    return [out]


def write_gexf(network: Network, out: Path) -> list[Path]:
    out.write_bytes(gexf_bytes(network))
    return [out]


def write_cytoscape(network: Network, out: Path) -> list[Path]:
    out.write_bytes(cytoscape_bytes(network))
    return [out]


def write_csv(network: Network, out: Path) -> list[Path]:
    """``nodes.csv`` and ``edges.csv`` in the folder ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    nodes, edges = out / "nodes.csv", out / "edges.csv"
    nodes.write_bytes(nodes_csv(network))
    edges.write_bytes(edges_csv(network))
    return [nodes, edges]


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
        raise InvalidArgument(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")
    if fmt != "csv":
        out.parent.mkdir(parents=True, exist_ok=True)
    return WRITERS[fmt](network, out)
