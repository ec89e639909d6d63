"""Analyses of the organisation network: centrality, communities, paths and ego networks.

All of them run on ``Network.graph()``, the simple graph with one edge per pair of agents.
Betweenness counts hops, not evidence: an edge backed by five agreements is as short as one
backed by a single project, because "who connects whom" is the question it answers; the
evidence count is the weight for communities, where stronger ties should hold groups together.
Results are sorted and communities use a fixed seed, so the same graph gives the same answer.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import networkx as nx

from kggraph.network.facts import KINDS, Agent
from kggraph.network.graph import Edge, Network, resolve_agent

COMMUNITY_SEED = 20250331
"""Seed of the Louvain community detection (the source's figures are as of March 2025)."""
PATH_LIMIT = 50
"""Most paths an analysis returns by default."""
PATH_SCAN = 10_000
"""Most paths read from networkx before sorting: a cap on the work one question can cause."""


@dataclass(frozen=True)
class Centrality:
    """How central one agent is: neighbours, evidence behind its edges, and brokerage."""

    agent: Agent
    degree: int
    """Distinct agents it shares at least one activity with."""
    strength: int
    """Evidence behind its edges: the sum of their counts over all kinds."""
    betweenness: float
    """Normalised betweenness centrality (share of shortest paths that pass through it)."""


@dataclass(frozen=True)
class Community:
    """A group of agents tied more closely to each other than to the rest (Louvain)."""

    number: int
    members: tuple[Agent, ...]


@dataclass(frozen=True)
class Summary:
    """The network at a glance."""

    nodes: int
    edges: int
    edges_by_kind: tuple[tuple[str, int], ...]
    pairs: int
    """Pairs of agents joined by at least one edge of any kind."""
    components: int
    centrality: tuple[Centrality, ...]
    communities: tuple[Community, ...]

    def top(self, by: str, count: int) -> tuple[Centrality, ...]:
        """The ``count`` most central agents by ``degree``, ``strength`` or ``betweenness``."""
        ranked = sorted(self.centrality, key=lambda c: (-getattr(c, by), c.agent.label))
        return tuple(ranked[:count])


@dataclass(frozen=True)
class Hop:
    """One step of a path, with every edge (one per kind) that joins its two agents."""

    source: Agent
    target: Agent
    edges: tuple[Edge, ...]


@dataclass(frozen=True)
class NetworkPath:
    """A path between two agents; each hop carries the activities that are its evidence."""

    agents: tuple[Agent, ...]
    hops: tuple[Hop, ...]

    @property
    def length(self) -> int:
        return len(self.hops)


def centrality(network: Network) -> tuple[Centrality, ...]:
    """Degree, strength and betweenness of every agent, in IRI order."""
    graph = network.graph()
    between = nx.betweenness_centrality(graph, normalized=True)
    return tuple(
        Centrality(
            agent=agent,
            degree=int(graph.degree(agent.iri)),
            strength=int(graph.degree(agent.iri, weight="count")),
            betweenness=float(between[agent.iri]),
        )
        for agent in network.agents
    )


def communities(network: Network, *, seed: int = COMMUNITY_SEED) -> tuple[Community, ...]:
    """Louvain communities weighted by evidence count, largest first, numbered from 1."""
    graph = network.graph()
    if graph.number_of_nodes() == 0:
        return ()
    found = nx.community.louvain_communities(graph, weight="count", seed=seed)
    groups = [sorted((network.by_iri[iri] for iri in group), key=_by_label) for group in found]
    groups.sort(key=lambda members: (-len(members), members[0].label))
    return tuple(Community(n, tuple(members)) for n, members in enumerate(groups, start=1))


def summarise(network: Network, *, seed: int = COMMUNITY_SEED) -> Summary:
    """Counts, centrality and communities of ``network``."""
    graph = network.graph()
    return Summary(
        nodes=len(network.agents),
        edges=len(network.edges),
        edges_by_kind=tuple((k, sum(e.kind == k for e in network.edges)) for k in KINDS),
        pairs=int(graph.number_of_edges()),
        components=int(nx.number_connected_components(graph)) if network.agents else 0,
        centrality=centrality(network),
        communities=communities(network, seed=seed),
    )


def shortest_paths(
    network: Network, source: str, target: str, *, limit: int = PATH_LIMIT
) -> tuple[NetworkPath, ...]:
    """Every shortest path between two agents (by name, slug or IRI), at most ``limit``."""
    first, last = resolve_agent(network, source), resolve_agent(network, target)
    graph = network.graph()
    if first.iri == last.iri or not nx.has_path(graph, first.iri, last.iri):
        return ()
    found = nx.all_shortest_paths(graph, first.iri, last.iri)
    return _paths(network, itertools.islice(found, PATH_SCAN), limit)


def simple_paths(
    network: Network, source: str, target: str, *, max_length: int, limit: int = PATH_LIMIT
) -> tuple[NetworkPath, ...]:
    """Paths without repeated agents of at most ``max_length`` hops, shortest first."""
    first, last = resolve_agent(network, source), resolve_agent(network, target)
    if max_length < 1 or first.iri == last.iri:
        return ()
    found = nx.all_simple_paths(network.graph(), first.iri, last.iri, cutoff=max_length)
    return _paths(network, itertools.islice(found, PATH_SCAN), limit)


def ego_network(network: Network, center: str, *, radius: int = 1) -> Network:
    """The agents within ``radius`` hops of ``center`` and every edge among them."""
    agent = resolve_agent(network, center)
    nodes = nx.ego_graph(network.graph(), agent.iri, radius=max(radius, 0)).nodes
    return network.subnetwork(str(iri) for iri in nodes)


def _paths(
    network: Network, found: itertools.islice[list[str]], limit: int
) -> tuple[NetworkPath, ...]:
    paths = [_path(network, [str(iri) for iri in iris]) for iris in found]
    paths.sort(key=lambda p: (p.length, [a.label for a in p.agents], [a.iri for a in p.agents]))
    return tuple(paths[: max(limit, 0)])


def _path(network: Network, iris: list[str]) -> NetworkPath:
    agents = tuple(network.by_iri[iri] for iri in iris)
    hops = tuple(
        Hop(network.by_iri[a], network.by_iri[b], network.edges_between(a, b))
        for a, b in itertools.pairwise(iris)
    )
    return NetworkPath(agents, hops)


def _by_label(agent: Agent) -> tuple[str, str]:
    return (agent.label, agent.iri)
