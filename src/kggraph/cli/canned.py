"""``kggraph query --name NAME --param key=value`` and ``kggraph query --list``.

The canned queries run on a server, through its ``/queries/<name>`` API, the same answers and
caching a browser or a script gets. Which queries exist and what their parameters are comes
from the project's own ``queries/`` folder when the command talks to our local server (no
``--endpoint``), so names and values are checked without a request; with ``--endpoint`` it
comes from that server's ``GET /queries``, which is what that server will run.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from kggraph.canned.catalogue import CannedQuery, load_canned_queries
from kggraph.canned.client import api_base, fetch_catalogue, find, parse_params, run_canned
from kggraph.core.config import Settings
from kggraph.core.errors import InvalidArgument
from kggraph.core.namespaces import ID_IRI
from kggraph.query.client import ClientAnswer

QUERIES_DIR = "queries"


def server_base(settings: Settings, endpoint: str | None) -> str:
    """The server's root: from ``--endpoint`` (``…/sparql``), else our own host and port."""
    return api_base(endpoint or f"http://{settings.host}:{settings.port}/sparql")


def catalogue(
    settings: Settings, endpoint: str | None, *, timeout: float
) -> tuple[CannedQuery, ...]:
    """The canned queries: ``queries/`` for our local server, else the server's own list."""
    if endpoint is None:
        local = load_canned_queries(settings.root / QUERIES_DIR)
        if local:
            return local
    return fetch_catalogue(server_base(settings, endpoint), timeout=timeout)


def run_named(
    settings: Settings,
    name: str,
    params: Sequence[str],
    *,
    endpoint: str | None,
    output: str,
    timeout: float,
) -> ClientAnswer:
    """Run the canned query ``name`` with ``key=value`` parameters on the server."""
    given = parse_params(params)
    query = find(catalogue(settings, endpoint, timeout=timeout), name)
    return run_canned(server_base(settings, endpoint), query, given, output=output, timeout=timeout)


def check_combination(query: str | None, name: str | None, params: Sequence[str]) -> None:
    """A query text and ``--name`` exclude each other; ``--param`` needs ``--name``."""
    if query is not None and name is not None:
        raise InvalidArgument("give either a query (text or file) or --name NAME, not both")
    if params and name is None:
        raise InvalidArgument("--param sets a parameter of a canned query: add --name NAME")
    if query is None and name is None:
        raise InvalidArgument("give a query (text or .rq file), --name NAME, or --list")


def print_catalogue(queries: Sequence[CannedQuery], console: Console) -> None:
    """Each canned query: its name, its title and its parameters with type and default."""
    table = Table(caption=f"{len(queries)} canned queries")
    table.add_column("name", no_wrap=True)
    table.add_column("title")
    table.add_column("parameters (type) = default", overflow="fold")
    for query in queries:
        params = "\n".join(f"{p.name} ({p.type}) = {_short(p.default)}" for p in query.params)
        table.add_row(query.slug, query.title, params or "—")
    console.print(table)


def _short(value: str) -> str:
    """An instance IRI as the id path ``--param`` also takes (``country/vietnam``)."""
    return value.removeprefix(ID_IRI)
