"""The organisation network: agents joined by the agreements, projects, programmes and
memberships they share, built from the graph (``kggraph.network.facts``) and analysed with networkx.

Nodes are the agents that take part in at least one activity the filter keeps, so an agent that
only ever works alone (a company with a project of its own) is an isolated node, and one that
takes part in nothing kept (an award-giver only) is not a node. There is one edge per pair of
agents and kind of activity; its evidence is the activities themselves, so every hop of a path
can be traced back to the agreements or projects behind it. Which activities are kept is
a ``NetworkFilter`` (``kggraph.network.filters``, where each part of it is explained).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx

from kggraph.core.errors import NotFound
from kggraph.graph.store import GraphStore
from kggraph.network.facts import KINDS, Activity, Agent, Facts, Term, load_facts
from kggraph.network.filters import NetworkFilter
from kggraph.network.names import resolve

__all__ = ["KINDS", "Edge", "Network", "build_network", "open_network", "resolve_agent"]


@dataclass(frozen=True)
class Edge:
    """Two agents (``source`` < ``target`` by IRI) that share activities of one kind."""

    source: str
    target: str
    kind: str
    evidence: tuple[Activity, ...]

    @property
    def count(self) -> int:
        return len(self.evidence)

    @property
    def first_year(self) -> int | None:
        return min((a.first_year for a in self.evidence if a.first_year is not None), default=None)

    @property
    def last_year(self) -> int | None:
        return max((a.last_year for a in self.evidence if a.last_year is not None), default=None)

    @property
    def open_ended(self) -> bool:
        return any(a.open_ended for a in self.evidence)

    def summary(self) -> dict[str, Any]:
        """The edge's own fields, as every export and answer names them (evidence aside)."""
        return {
            "source": self.source,
            "target": self.target,
            "kind": self.kind,
            "count": self.count,
            "first_year": self.first_year,
            "last_year": self.last_year,
            "open_ended": self.open_ended,
        }


@dataclass(frozen=True)
class Network:
    """Agents and edges, sorted by IRI, with the facts and the filter they came from (its
    country and sector as IRIs)."""

    agents: tuple[Agent, ...]
    edges: tuple[Edge, ...]
    filter: NetworkFilter
    facts: Facts = field(repr=False, compare=False)

    @cached_property
    def by_iri(self) -> Mapping[str, Agent]:
        return {a.iri: a for a in self.agents}

    def edges_between(self, first: str, second: str) -> tuple[Edge, ...]:
        """Every edge (one per kind) between two agents, in kind order."""
        pair = tuple(sorted((first, second)))
        return tuple(e for e in self.edges if (e.source, e.target) == pair)

    def graph(self) -> Any:
        """A simple undirected ``networkx.Graph``: one edge per pair, ``count`` summed over
        kinds, ``kinds`` the kinds joined by spaces. Nodes and edges are added in IRI order so
        that every analysis on it is reproducible."""
        graph = nx.Graph()
        graph.add_nodes_from(a.iri for a in self.agents)
        for edge in self.edges:
            if graph.has_edge(edge.source, edge.target):
                data = graph.edges[edge.source, edge.target]
                data["count"] += edge.count
                data["kinds"] += " " + edge.kind
            else:
                graph.add_edge(edge.source, edge.target, count=edge.count, kinds=edge.kind)
        return graph

    def subnetwork(self, iris: Iterable[str]) -> Network:
        """The agents given and the edges among them, with the same filter and facts."""
        keep = set(iris)
        return Network(
            agents=tuple(a for a in self.agents if a.iri in keep),
            edges=tuple(e for e in self.edges if e.source in keep and e.target in keep),
            filter=self.filter,
            facts=self.facts,
        )


def build_network(facts: Facts, network_filter: NetworkFilter | None = None) -> Network:
    """The network of the activities that ``network_filter`` keeps (all of them without one)."""
    chosen = (network_filter or NetworkFilter()).resolved(facts)
    kept = [a for a in facts.activities if _keeps(chosen, a, facts)]
    grouped: dict[tuple[str, str, str], list[Activity]] = defaultdict(list)
    for activity in kept:
        for first, second in itertools.combinations(activity.agents, 2):
            grouped[(first, second, activity.kind)].append(activity)
    edges = tuple(
        Edge(first, second, kind, tuple(sorted(found, key=_evidence_order)))
        for (first, second, kind), found in sorted(grouped.items(), key=_edge_order)
    )
    members = {iri for a in kept for iri in a.agents if iri in facts.agents}
    agents = tuple(facts.agents[iri] for iri in sorted(members))
    return Network(agents=agents, edges=edges, filter=chosen, facts=facts)


def open_network(store: GraphStore, network_filter: NetworkFilter | None = None) -> Network:
    """Read the facts from ``store`` and build the network ``network_filter`` keeps."""
    return build_network(load_facts(store), network_filter)


def resolve_agent(network: Network, name: str) -> Agent:
    """The agent ``name`` stands for (full IRI, slug such as ``jica`` or ``org/jica``, or an
    exact label or alternative label in either language), if it is a node of ``network``."""
    names = {iri: agent.names for iri, agent in network.facts.agents.items()}
    iri = resolve(name, names, "agent")
    if iri not in network.by_iri:
        agent = network.facts.agents[iri]
        raise NotFound(
            f"{agent.label} <{iri}> is not in this network: it takes part in no agreement, "
            "project, programme or membership that the filters keep"
        )
    return network.by_iri[iri]


def _keeps(chosen: NetworkFilter, activity: Activity, facts: Facts) -> bool:
    return (
        activity.kind in chosen.kinds
        and _in_period(chosen, activity)
        and (chosen.country is None or chosen.country in activity.countries)
        and (chosen.sector is None or _in_sector(chosen.sector, activity, facts.sectors))
    )


def _in_period(chosen: NetworkFilter, activity: Activity) -> bool:
    if not chosen.has_period:
        return True
    if activity.first_year is None or activity.last_year is None:
        return chosen.include_undated
    if chosen.to_year is not None and activity.first_year > chosen.to_year:
        return False
    ends_before = chosen.from_year is not None and activity.last_year < chosen.from_year
    return activity.open_ended or not ends_before


def _in_sector(sector: str, activity: Activity, sectors: Mapping[str, Term]) -> bool:
    """True if one of its sectors is ``sector`` or has it among its broader concepts."""
    todo, seen = list(activity.sectors), set()
    while todo:
        current = todo.pop()
        if current == sector:
            return True
        if current not in seen:
            seen.add(current)
            todo.extend(sectors[current].broader if current in sectors else ())
    return False


def _evidence_order(activity: Activity) -> tuple[int, str]:
    return (activity.first_year or 10_000, activity.iri)


def _edge_order(item: tuple[tuple[str, str, str], list[Activity]]) -> tuple[str, str, int]:
    (first, second, kind), _ = item
    return (first, second, KINDS.index(kind))
