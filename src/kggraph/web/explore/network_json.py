"""The JSON the network API answers with: agents, edges with their evidence, paths, statistics.

Plain dicts of JSON values, built from ``kggraph.network.graph`` objects, so every route writes the
same shape for the same thing: an agent is always ``{"iri", "label", "label_ja", "kind", …}``
and an edge always carries its evidence, the activities behind it, with their years and the
roles the two agents had in them. IRIs stay IRIs; a page maps them to this server's ``/id/``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from kggraph.network.analysis import Centrality, NetworkPath
from kggraph.network.facts import Activity, Agent, Facts
from kggraph.network.graph import Edge, Network
from kggraph.web.explore.service import BuiltNetwork

Json = dict[str, Any]


def network_json(built: BuiltNetwork) -> Json:
    """Cytoscape JSON (``nx.cytoscape_graph`` reads it back) with counts and the filter in
    ``data``, and the range of years the kept activities began in (for a year slider)."""
    network = built.network
    document = dict(built.cytoscape)
    document["data"] = {
        "name": "kggraph organisation network",
        "version": built.version,
        "nodes": len(network.agents),
        "edges": len(network.edges),
        "filter": filter_json(network),
        "years": _years(network),
    }
    return document


def filter_json(network: Network) -> Json:
    """The filter the network was built with, its country and sector with their labels."""
    chosen, facts = network.filter, network.facts
    return {
        **asdict(chosen),
        "country": _term(facts, chosen.country, "countries"),
        "sector": _term(facts, chosen.sector, "sectors"),
        "kinds": list(chosen.kinds),
    }


def agent_json(agent: Agent, facts: Facts, measure: Centrality | None = None) -> Json:
    found: Json = {
        "iri": agent.iri,
        "label": agent.label,
        "label_ja": agent.label_ja,
        "kind": agent.kind,
        "kind_iri": agent.kind_iri,
        "countries": [_term(facts, c, "countries") for c in agent.countries],
        "parent": agent.parent,
        "founded": agent.founded,
        "alt_labels": list(agent.alt_labels),
    }
    if measure is not None:
        found.update(
            degree=measure.degree,
            strength=measure.strength,
            betweenness=round(measure.betweenness, 6),
        )
    return found


def edge_json(edge: Edge) -> Json:
    """One edge with its evidence; each activity names the roles both agents had in it."""
    return {**edge.summary(), "evidence": [_evidence(a, edge) for a in edge.evidence]}


def path_json(path: NetworkPath, facts: Facts) -> Json:
    return {
        "length": path.length,
        "agents": [agent_json(a, facts) for a in path.agents],
        "hops": [
            {
                "source": hop.source.iri,
                "target": hop.target.iri,
                "edges": [edge_json(e) for e in hop.edges],
            }
            for hop in path.hops
        ],
    }


def stats_json(built: BuiltNetwork, top: int) -> Json:
    """Counts, the ``top`` agents by degree and by betweenness, and the communities."""
    network, summary = built.network, built.summary
    facts = network.facts
    return {
        "version": built.version,
        "filter": filter_json(network),
        "nodes": summary.nodes,
        "edges": summary.edges,
        "edges_by_kind": dict(summary.edges_by_kind),
        "pairs": summary.pairs,
        "components": summary.components,
        "top": {
            by: [agent_json(c.agent, facts, c) for c in summary.top(by, top)]
            for by in ("degree", "betweenness")
        },
        "communities": [
            {
                "number": c.number,
                "size": len(c.members),
                "members": [{"iri": a.iri, "label": a.label} for a in c.members],
            }
            for c in summary.communities
        ],
    }


def _evidence(activity: Activity, edge: Edge) -> Json:
    return {
        "iri": activity.iri,
        "label": activity.label,
        "label_ja": activity.label_ja,
        "type": activity.type_label,
        "first_year": activity.first_year,
        "last_year": activity.last_year,
        "open_ended": activity.open_ended,
        "roles": {
            "source": list(activity.roles_of(edge.source)),
            "target": list(activity.roles_of(edge.target)),
        },
    }


def _term(facts: Facts, iri: str | None, which: str) -> Json | None:
    if iri is None:
        return None
    terms = facts.countries if which == "countries" else facts.sectors
    term = terms.get(iri)
    return {"iri": iri, "label": term.label if term else iri}


def _years(network: Network) -> Json:
    """First and last year an activity of the kept kinds began in (``null`` if none)."""
    years = [
        a.first_year
        for a in network.facts.activities
        if a.kind in network.filter.kinds and a.first_year is not None
    ]
    return {"first": min(years, default=None), "last": max(years, default=None)}
