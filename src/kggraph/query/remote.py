"""A remote SPARQL 1.1 query endpoint as the web's query backend: ``RemoteStore``.

It meets ``kggraph.query.backend.QueryBackend`` as the embedded worker pool does, so every
feature runs unchanged on either. Each query is one form-encoded POST of the SPARQL 1.1
Protocol over a pooled ``httpx.AsyncClient``, said the way the store's ``Dialect`` says it
(``kggraph.query.dialects``): the text with the task's bindings written in as ``VALUES``
blocks, the protocol's dataset, the store's own time limit where it takes one.

Answers are kept to the same limits, with the same code, as the embedded store's: the store is
asked for one row (or triple) per line, so the rows are counted as they arrive and the transfer
stopped past ``max_rows`` (or twice ``max_answer_bytes``); what was kept is read with pyoxigraph
and written in the client's format by ``kggraph.query.run``'s serialisers, which cut at the row
and byte limits and set ``Answer.truncated`` as the workers do. So an answer from the store is
byte for byte the embedded store's, blank node labels aside.

Failures become our errors, never a hang: past the time limit plus ``GRACE_SECONDS`` the
request is dropped (``QueryTimeout``); a store that cannot be reached, or that breaks off its
answer, is ``QueryUnavailable``; both are ``503`` with ``Retry-After`` to the client.

The release the store holds is read from its release graph (``VERSION_QUERY``) when the store
starts and again, in the background, when the last reading is older than ``VERSION_SECONDS``:
``version`` never waits on the network.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from urllib.parse import urlencode

import httpx

from kggraph.core.config import Settings
from kggraph.core.errors import KggraphError, QueryError, QueryTimeout, QueryUnavailable
from kggraph.core.namespaces import BASE_IRI
from kggraph.query.dialects import DIALECTS, Dialect
from kggraph.query.executor import Answer, QueryTask
from kggraph.query.protocol import FORM
from kggraph.query.remote_answers import Limits, read_answer, write_answer

GRACE_SECONDS = 0.5
"""How long past the query time limit the HTTP request may last: a store that keeps its own
limit (the same) answers its timeout first."""
CONNECT_SECONDS = 3.0
"""How long to wait for a connection to the store before telling the client it is down."""
VERSION_SECONDS = 3.0
"""How old the release read from the store may get before it is read again."""
RELEASE_GRAPH = BASE_IRI + "graph/release"
"""The store's named graph that says which release it holds (``kggraph publish --to``)."""
VERSION_QUERY = (
    f"SELECT ?version WHERE {{ GRAPH <{RELEASE_GRAPH}> "
    f"{{ <{BASE_IRI}catalog#dataset> <http://www.w3.org/2002/07/owl#versionInfo> ?version }} }}"
)
"""What the store is asked for the release it holds."""
SERVER_DIALECTS = (("oxigraph", "oxigraph"), ("virtuoso", "virtuoso"))
"""(part of the store's ``Server`` header, dialect) for ``store_dialect=auto``."""
LOG = logging.getLogger("kggraph.query")


class RemoteStore:
    """A SPARQL endpoint at ``url``, spoken to in ``dialect`` (``None``: chosen at ``start``
    from the store's ``Server`` header, see ``probe_dialect``)."""

    def __init__(self, url: str, dialect: Dialect | None, settings: Settings) -> None:
        self.url = url
        self._dialect = dialect
        self._timeout = settings.query_timeout
        self._limits = Limits(settings.max_rows, settings.max_answer_bytes)
        self._client: httpx.AsyncClient | None = None
        self._version = ""
        self._read_at = -VERSION_SECONDS
        self._reading: asyncio.Task[None] | None = None
        self._failure = ""
        """Why the store could not be reached last time, or ``""`` once it answers."""
        self._closed = False

    @property
    def version(self) -> str:
        """The release the store holds, as last read (``""`` if it names none); read again in
        the background once older than ``VERSION_SECONDS``."""
        if time.monotonic() - self._read_at > VERSION_SECONDS:
            self._read_version_soon()
        return self._version

    @property
    def max_rows(self) -> int:
        return self._limits.rows

    @property
    def degraded(self) -> bool:
        """The store could not be reached last time, or names no release."""
        return bool(self._failure) or not self._version

    @property
    def dialect(self) -> str:
        return self._dialect.name if self._dialect is not None else "auto"

    def status(self) -> dict[str, object]:
        """What the health page shows about the store."""
        return {
            "store": self.url,
            "dialect": self.dialect,
            "reachable": not self._failure,
            "last_failure": self._failure or None,
        }

    async def start(self) -> None:
        """Open the connection pool, choose the dialect if asked to, and read the release."""
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        timeout = httpx.Timeout(self._timeout + GRACE_SECONDS, connect=CONNECT_SECONDS)
        self._client = httpx.AsyncClient(timeout=timeout, limits=limits)
        if self._dialect is None:
            self._dialect = await probe_dialect(self._client, self.url)
        await self._read_version()

    async def close(self) -> None:
        self._closed = True
        if self._reading is not None:
            self._reading.cancel()
        if self._client is not None:
            await self._client.aclose()

    async def run(self, task: QueryTask) -> Answer:
        """Answer ``task`` from the store within the time limit, or raise."""
        if self._closed or self._client is None or self._dialect is None:
            raise QueryError("the server is shutting down")
        try:
            async with asyncio.timeout(self._timeout + GRACE_SECONDS):
                answer = await self._ask(self._client, self._dialect, task)
        except TimeoutError:
            raise QueryTimeout(
                f"the query ran longer than the {self._timeout:g} s limit and was stopped"
            ) from None
        except httpx.TimeoutException:
            raise QueryTimeout(
                f"the store did not answer within the {self._timeout:g} s limit"
            ) from None
        except httpx.ConnectError as err:
            self._failure = f"{type(err).__name__}: {err}"
            LOG.warning("the store at %s cannot be reached: %s", self.url, self._failure)
            raise QueryUnavailable(
                "the SPARQL store cannot be reached: try again shortly"
            ) from None
        except httpx.TransportError as err:
            LOG.warning("the store at %s broke off its answer: %s", self.url, err)
            raise QueryUnavailable(
                "the SPARQL store broke off its answer: try again shortly"
            ) from None
        self._failure = ""
        return answer

    async def _ask(self, client: httpx.AsyncClient, dialect: Dialect, task: QueryTask) -> Answer:
        params, headers = dialect.request(task, self._timeout)
        request = client.build_request(
            "POST",
            self.url,
            content=urlencode(params).encode("utf-8"),
            headers={**headers, "Content-Type": FORM},
        )
        response = await client.send(request, stream=True)
        try:
            body, cut = await read_answer(response, self._limits)
        finally:
            await response.aclose()
        clean = dialect.check(response.status_code, response.headers, body)
        return await write_answer(clean, response.headers.get("content-type", ""), task, cut,
                                  self._limits)  # fmt: skip

    def _read_version_soon(self) -> None:
        """Read the release again in the background, unless a reading is under way."""
        if self._closed or (self._reading is not None and not self._reading.done()):
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # outside the server's loop: keep the last reading
            return
        self._reading = loop.create_task(self._read_version())

    async def _read_version(self) -> None:
        """The release the store holds; ``""`` if it names none or cannot be asked."""
        self._read_at = time.monotonic()
        try:
            answer = await self.run(QueryTask(VERSION_QUERY, "sparql-json"))
        except KggraphError as err:
            LOG.warning("cannot read the release the store at %s holds: %s", self.url, err)
            return
        rows = json.loads(answer.body)["results"]["bindings"]
        versions = sorted(str(row["version"]["value"]) for row in rows if "version" in row)
        if len(versions) > 1:
            LOG.warning("the store at %s names several releases: %s", self.url, versions)
        self._version = versions[-1] if versions else ""


async def probe_dialect(client: httpx.AsyncClient, url: str) -> Dialect:
    """The dialect for the store's ``Server`` header (asked once with ``ASK {}``); the generic
    one if it names no store we know, or cannot be asked."""
    try:
        found = await client.get(url, params={"query": "ASK {}"})
    except httpx.HTTPError as err:
        LOG.warning("cannot ask the store at %s what it is: %s", url, err)
        return DIALECTS["generic"]
    server = found.headers.get("server", "").lower()
    for part, name in SERVER_DIALECTS:
        if part in server:
            return dialect_named(name)
    return DIALECTS["generic"]


def dialect_named(name: str) -> Dialect:
    """The dialect a ``store_dialect`` value names (not ``auto``)."""
    return DIALECTS[name]


def remote_store(settings: Settings) -> RemoteStore:
    """The store the settings name (``store``, ``store_dialect``)."""
    chosen = None if settings.store_dialect == "auto" else dialect_named(settings.store_dialect)
    return RemoteStore(settings.store, chosen, settings)
