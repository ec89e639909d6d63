"""The organisation network and the timeline as the server builds them, read through the pool.

The server process holds no graph: queries run in the worker processes. So the network's facts
(``kggraph.network.facts``) and the timeline's rows (``kggraph.network.timeline``) are read by
sending their SELECTs to the workers and parsing the SPARQL JSON that comes back; the queries run
side by side on the workers, within the usual time limit. That happens once per release version, and
again only after ``kggraph build`` publishes a new one. A network is then built in this process from
the facts for each filter asked (about a millisecond on this graph) and kept, with what is derived
from it (centrality, communities, exports), in a small least-recently-used cache.

Loading the release here instead (``OxigraphStore(release.open_store())``) would cost about
as much (a ~60 ms load, then the same ~0.2 s of queries) but keep a second copy of the graph in
every web process, outside the time limit and the release-following that the pool already does.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from functools import cached_property
from typing import Any, Generic, TypeVar

from kggraph.network.analysis import Centrality, Summary, summarise
from kggraph.network.export import cytoscape_json
from kggraph.network.facts import Facts, Row, gather_facts
from kggraph.network.filters import NetworkFilter
from kggraph.network.graph import Network, build_network
from kggraph.network.reading import select_rows
from kggraph.network.timeline import QUERIES as TIMELINE_QUERIES
from kggraph.network.timeline import Timeline, timeline_from_rows
from kggraph.network.timeline import query_text as timeline_query
from kggraph.web.runtime import Runtime

log = logging.getLogger(__name__)

NETWORK_CACHE_ENTRIES = 32
"""Networks (one per release version and filter) kept with their derived results."""

T = TypeVar("T")


class BuiltNetwork:
    """One network of one release, and what the API derives from it, each made on first use."""

    def __init__(self, network: Network, version: str) -> None:
        self.network = network
        self.version = version
        self._exports: dict[str, bytes] = {}

    @cached_property
    def summary(self) -> Summary:
        return summarise(self.network)

    @cached_property
    def measures(self) -> Mapping[str, Centrality]:
        return {c.agent.iri: c for c in self.summary.centrality}

    @cached_property
    def cytoscape(self) -> dict[str, Any]:
        return cytoscape_json(self.network)

    def exported(self, name: str, write: Callable[[Network], bytes]) -> bytes:
        """The export ``name`` made by ``write``, made once."""
        if name not in self._exports:
            self._exports[name] = write(self.network)
        return self._exports[name]


class _PerRelease(Generic[T]):
    """A value made once per release version; callers that ask meanwhile wait for that one."""

    def __init__(self, what: str, make: Callable[[Runtime], Awaitable[T]]) -> None:
        self._what = what
        self._make = make
        self._lock = asyncio.Lock()
        self._version: str | None = None
        self._value: T | None = None

    async def get(self, runtime: Runtime) -> T:
        async with self._lock:
            version = runtime.version
            if self._value is None or self._version != version:
                started = time.perf_counter()
                self._value = await self._make(runtime)
                self._version = version
                elapsed = (time.perf_counter() - started) * 1000
                log.info("read the %s of %s in %.0f ms", self._what, version, elapsed)
            return self._value


class NetworkService:
    """Facts and timeline per release, networks per (release, filter); one per application."""

    def __init__(self, *, max_networks: int = NETWORK_CACHE_ENTRIES) -> None:
        self._facts = _PerRelease("network facts", _read_facts)
        self._timeline = _PerRelease("timeline", _read_timeline)
        self._networks: OrderedDict[tuple[str, NetworkFilter], BuiltNetwork] = OrderedDict()
        self._max_networks = max_networks

    async def facts(self, runtime: Runtime) -> Facts:
        return await self._facts.get(runtime)

    async def timeline(self, runtime: Runtime) -> Timeline:
        return await self._timeline.get(runtime)

    async def network(self, runtime: Runtime, choice: NetworkFilter) -> BuiltNetwork:
        """The network ``choice`` asks for; a name no country or sector has is a bad filter
        (``InvalidArgument``). Kept per release and resolved filter, so a country named by
        slug or by label is one network."""
        facts = await self.facts(runtime)
        chosen = choice.resolved(facts)
        key = (runtime.version, chosen)
        found = self._networks.get(key)
        if found is None:
            found = BuiltNetwork(build_network(facts, chosen), runtime.version)
            self._networks[key] = found
            while len(self._networks) > self._max_networks:
                self._networks.popitem(last=False)
        self._networks.move_to_end(key)
        return found


async def _select(runtime: Runtime, text: str) -> list[Row]:
    """One SELECT on a query worker, as rows; a cut-off answer would be a wrong network."""
    return await select_rows(runtime.pool, text, "a network query")


async def _read_facts(runtime: Runtime) -> Facts:
    return await gather_facts(lambda text: _select(runtime, text))


async def _read_timeline(runtime: Runtime) -> Timeline:
    names = list(TIMELINE_QUERIES)
    answers = await asyncio.gather(*(_select(runtime, timeline_query(n)) for n in names))
    return timeline_from_rows(dict(zip(names, answers, strict=True)))
