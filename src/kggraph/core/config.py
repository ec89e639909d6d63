"""Settings: one frozen object, built once (defaults < environment < CLI options) and passed down.

Every setting has a named default and a help text; ``tests/test_config.py`` checks that each
one is documented in the README. ``to_environ`` writes settings back as ``KGGRAPH_*`` variables,
which is how the server hands them to the processes uvicorn starts.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kggraph.core.errors import ConfigError

ENV_PREFIX = "KGGRAPH_"

DEFAULT_ROOT = Path(".")
DEFAULT_OUTPUT = Path("dist")
DEFAULT_KEEP_RELEASES = 3
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _cores() -> int:
    """The processors this process may run on (its affinity), else the machine's."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # no affinity on this system
        return os.cpu_count() or 1


DEFAULT_WORKERS = _cores()
"""One web process per processor: a process answers on one core at a time (Python's lock)."""
DEFAULT_QUERY_WORKERS = 2
DEFAULT_QUERY_PIPELINE = 2
DEFAULT_INLINE_WORK = 1_000_000
DEFAULT_QUERY_TIMEOUT = 30.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_MAX_BODY_BYTES = 1_000_000
DEFAULT_MAX_QUERY_BYTES = 100_000
"""A long hand-written query is a few kilobytes; reading 100 kB takes a tenth of a second."""
DEFAULT_MAX_QUERY_DEPTH = 128
"""The engine survives ~400 nested collections, ~600 chained OPTIONALs (8 MB stack): 3x margin."""
DEFAULT_CACHE_ENTRIES = 256
DEFAULT_CACHE_BYTES = 64_000_000
DEFAULT_CACHE_MAX_AGE = 60
DEFAULT_MAX_ANSWER_BYTES = 50_000_000
DEFAULT_CLIENT_BUDGET_SECONDS = 60.0
"""Seconds of query time a client earns per minute (``kggraph.budgets.counters``), as Wikidata's
does."""
DEFAULT_CLIENT_BURST_SECONDS = 120.0
DEFAULT_CLIENT_CONCURRENCY = 5
DEFAULT_CLIENT_ERRORS = 30.0
"""Failed queries a client may send per minute, in a bucket apart from its query time."""
DEFAULT_CLIENT_ERROR_BURST = 60.0
REDIS_SCHEMES = ("redis", "rediss", "unix")
DEFAULT_WORKER_MEMORY = 0
"""0: a share of the machine's memory, total RAM / (2 × web processes × query workers), and no
less than ``MIN_WORKER_MEMORY`` (``worker_memory_bytes``)."""
MIN_WORKER_MEMORY = 300 * 2**20
"""A query worker needs about 270 MB of address space before it holds any graph (Python,
pyoxigraph, and the 200 MB buffer of pyoxigraph's bulk loader, measured), so less cannot work."""
DEFAULT_LONG_QUERY_SECONDS = 1.0
DEFAULT_HEADER_TIMEOUT = 10.0
"""Headers fit in one packet; ten seconds covers a slow mobile link, not a slowloris client."""
DEFAULT_MAX_CONNECTIONS = 1000
STORE_DIALECTS = ("auto", "oxigraph", "virtuoso", "generic")
"""How kggraph may speak to a remote store (``kggraph.query.dialects``); ``auto`` asks it."""


def _setting(default: Any, help_text: str) -> Any:
    return field(default=default, metadata={"help": help_text})


@dataclass(frozen=True)
class Settings:
    """Where kggraph reads its inputs and writes its output, and how the endpoint serves it."""

    root: Path = _setting(DEFAULT_ROOT, "Project folder holding ontology/, data/ and shapes/.")
    output: Path = _setting(
        DEFAULT_OUTPUT, "Folder of published builds, relative to root unless absolute."
    )
    keep_releases: int = _setting(
        DEFAULT_KEEP_RELEASES, "How many earlier published builds to keep beside the current one."
    )
    host: str = _setting(DEFAULT_HOST, "Address the server listens on.")
    port: int = _setting(DEFAULT_PORT, "Port the server listens on.")
    workers: int = _setting(
        DEFAULT_WORKERS,
        "Web server processes (uvicorn workers), each with its own query workers; by default one "
        "per processor. Several share the client budgets (through a table in shared memory, or "
        "Redis with redis_url).",
    )
    query_workers: int = _setting(
        DEFAULT_QUERY_WORKERS,
        "Query worker processes per web server process: queries that may run at the same time.",
    )
    query_pipeline: int = _setting(
        DEFAULT_QUERY_PIPELINE,
        "Queries handed to one query worker at a time: the next waits in its pipe and starts "
        "the moment the current one ends (a query stuck behind a slow one moves to another "
        "worker). 1 hands them over one by one.",
    )
    inline_work: int = _setting(
        DEFAULT_INLINE_WORK,
        "Lookups (triple patterns around one IRI, DESCRIBE) whose data bounds them to at most "
        "this many bindings are answered in the web process from its own copy of the store, "
        "without the trip to a query worker; 0: every query goes to a worker.",
    )
    query_timeout: float = _setting(
        DEFAULT_QUERY_TIMEOUT,
        "Seconds a query may take (waiting for a worker included) before it is stopped (503).",
    )
    max_rows: int = _setting(
        DEFAULT_MAX_ROWS, "Most result rows (or triples) one answer holds; the rest are cut off."
    )
    max_answer_bytes: int = _setting(
        DEFAULT_MAX_ANSWER_BYTES,
        "Most bytes one answer holds (or with a unit: 50M); rows past it are cut off as past "
        "max_rows.",
    )
    worker_memory: int = _setting(
        DEFAULT_WORKER_MEMORY,
        "Most memory one query worker may use, in bytes or with a unit (512M, 2G): a query that "
        "needs more is stopped (503) and the worker replaced. 0: total RAM / (2 x workers x "
        "query_workers), at least 300M.",
    )
    long_query_seconds: float = _setting(
        DEFAULT_LONG_QUERY_SECONDS,
        "Seconds after which a query counts as long: at most query_workers - 1 long queries run "
        "at once, so one worker stays free for short ones (the query that would take the last "
        "is stopped, 503).",
    )
    max_body_bytes: int = _setting(
        DEFAULT_MAX_BODY_BYTES, "Largest request body accepted (bigger ones get 413)."
    )
    max_query_bytes: int = _setting(
        DEFAULT_MAX_QUERY_BYTES,
        "Longest query text accepted, in bytes (UTF-8); longer ones get 413 before being read.",
    )
    max_query_depth: int = _setting(
        DEFAULT_MAX_QUERY_DEPTH,
        "Deepest nesting a query may have: brackets, and operators built one inside the other "
        "(OPTIONAL, UNION, a path's /, +…); deeper ones get 400 (the engine's stack would "
        "overflow past a few hundred).",
    )
    cache_entries: int = _setting(
        DEFAULT_CACHE_ENTRIES, "How many query answers the in-memory cache keeps (0 = no cache)."
    )
    cache_bytes: int = _setting(
        DEFAULT_CACHE_BYTES, "Most bytes of answers the in-memory cache keeps."
    )
    cache_max_age: int = _setting(
        DEFAULT_CACHE_MAX_AGE, "Seconds clients may reuse an answer without asking (Cache-Control)."
    )
    service_allowlist: tuple[str, ...] = _setting(
        (),
        "SPARQL endpoints a query may call with SERVICE (comma-separated IRIs; none by default).",
    )
    public_url: str = _setting(
        "", "URL the endpoint is published at, for the service description (default: as asked)."
    )
    header_timeout: float = _setting(
        DEFAULT_HEADER_TIMEOUT,
        "Seconds a client has to send a request's complete headers, from opening the connection "
        "or from the previous answer on it; then the connection is closed.",
    )
    max_connections: int = _setting(
        DEFAULT_MAX_CONNECTIONS,
        "Most connections one web server process holds open; the next gets 503 and is closed.",
    )

    client_budget_seconds: float = _setting(
        DEFAULT_CLIENT_BUDGET_SECONDS,
        "Seconds of query time one client (address and User-Agent) earns per minute; past its "
        "balance it gets 429 (0: no time budget).",
    )
    client_burst_seconds: float = _setting(
        DEFAULT_CLIENT_BURST_SECONDS,
        "Most query time a client can save up and spend at once (the budget's capacity).",
    )
    client_concurrency: int = _setting(
        DEFAULT_CLIENT_CONCURRENCY,
        "Most queries one client may have running at once; the next gets 429 (0: no limit).",
    )
    client_errors: float = _setting(
        DEFAULT_CLIENT_ERRORS,
        "Failed queries (4xx) one client may send per minute before it gets 429 (0: no limit).",
    )
    client_error_burst: float = _setting(
        DEFAULT_CLIENT_ERROR_BURST, "Most failed queries a client may send in a burst."
    )
    trusted_proxies: tuple[str, ...] = _setting(
        (),
        "Addresses or networks (comma-separated, e.g. 127.0.0.1,10.0.0.0/8) of reverse proxies "
        "whose X-Forwarded-For names the client; none by default.",
    )
    redis_url: str = _setting(
        "",
        "Redis that several web processes share the client budgets through (redis://host:port/0); "
        "unset: kggraph serve shares them between its own processes in shared memory.",
    )
    budget_file: str = _setting(
        "",
        "Set by kggraph serve when it starts several web processes without redis_url: the table "
        "in shared memory through which they share the client budgets. Leave it unset.",
    )
    store: str = _setting(
        "",
        "URL of a SPARQL 1.1 query endpoint to answer from instead of the embedded store "
        "(Oxigraph server, Virtuoso; loaded with kggraph publish --to); empty: the embedded store.",
    )
    store_dialect: str = _setting(
        STORE_DIALECTS[0],
        "How to speak to the store: auto (ask its Server header once), oxigraph, virtuoso, or "
        "generic (the SPARQL 1.1 Protocol alone).",
    )

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def output_dir(self) -> Path:
        return self.output if self.output.is_absolute() else self.root / self.output

    @property
    def worker_memory_bytes(self) -> int:
        """The memory ceiling of one query worker: ``worker_memory``, else a share of the
        machine's memory that every worker of every web process may take at once with half of
        it to spare, but never less than a worker needs to start (0, no ceiling, where the
        system does not tell its memory)."""
        if self.worker_memory:
            return self.worker_memory
        total = total_memory()
        if not total:
            return 0
        return max(total // (2 * self.workers * self.query_workers), MIN_WORKER_MEMORY)

    def with_overrides(self, **overrides: Any) -> Settings:
        """Return a copy with the given settings replaced (``None`` values are ignored)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def setting_help() -> dict[str, str]:
    """Name → help text of every setting, for the CLI and the README check."""
    return {f.name: str(f.metadata["help"]) for f in fields(Settings)}


def total_memory() -> int:
    """Bytes of memory the machine has, or 0 where the system does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


_BYTE_SIZES = {"worker_memory", "max_answer_bytes"}
"""Settings read as a number of bytes, with an optional unit."""
_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def parse_size(name: str, raw: str) -> int:
    """``2G`` → 2147483648: bytes, or a whole number with K, M, G or T (powers of 1024; an
    ``i`` or ``B`` after the unit is allowed: ``2GiB``)."""
    found = re.fullmatch(r"\s*(\d+)\s*([KMGT]?)(?:i?B)?\s*", raw, flags=re.IGNORECASE)
    if found is None:
        raise ConfigError(
            f"{env_name(name)} must be a number of bytes, or one with a unit (512M, 2G), "
            f"not {raw!r}"
        )
    return int(found[1]) * _UNITS[found[2].upper()]


def env_name(name: str) -> str:
    """``KGGRAPH_QUERY_TIMEOUT`` for ``query_timeout``."""
    return ENV_PREFIX + name.upper()


def _convert(name: str, raw: str, kind: Any) -> Any:
    if kind in ("Path", Path):
        return Path(raw)
    if name in _BYTE_SIZES:
        return parse_size(name, raw)
    if kind in ("tuple[str, ...]",):
        return tuple(item.strip() for item in raw.split(",") if item.strip())
    number = {"int": (int, "a whole number"), "float": (float, "a number")}.get(str(kind))
    if number is not None:
        try:
            return number[0](raw)
        except ValueError:
            raise ConfigError(f"{env_name(name)} must be {number[1]}, not {raw!r}") from None
    return raw


def to_environ(settings: Settings) -> dict[str, str]:
    """Every setting as a ``KGGRAPH_*`` variable that ``load_settings`` reads back unchanged."""
    values: dict[str, str] = {}
    for f in fields(Settings):
        value = getattr(settings, f.name)
        values[env_name(f.name)] = ",".join(value) if isinstance(value, tuple) else str(value)
    return values


_AT_LEAST = {
    "keep_releases": 0,
    "port": 1,
    "workers": 1,
    "query_workers": 1,
    "query_pipeline": 1,
    "inline_work": 0,
    "max_rows": 1,
    "max_body_bytes": 1,
    "max_query_bytes": 1,
    "max_query_depth": 1,
    "max_answer_bytes": 1,
    "worker_memory": 0,
    "cache_entries": 0,
    "cache_bytes": 0,
    "cache_max_age": 0,
    "max_connections": 1,
    "client_budget_seconds": 0,
    "client_burst_seconds": 0,
    "client_concurrency": 0,
    "client_errors": 0,
    "client_error_burst": 0,
}


def _check(settings: Settings) -> Settings:
    for name, least in _AT_LEAST.items():
        value = getattr(settings, name)
        if value < least:
            raise ConfigError(f"{name} must be {least} or more, not {value}")
    if settings.port > 65535:
        raise ConfigError(f"port must be 65535 or less, not {settings.port}")
    if not settings.query_timeout > 0:
        raise ConfigError(
            f"query_timeout must be more than 0 seconds, not {settings.query_timeout}"
        )
    if 0 < settings.worker_memory < MIN_WORKER_MEMORY:
        raise ConfigError(
            f"worker_memory must be 0 (a share of RAM) or at least {MIN_WORKER_MEMORY // 2**20} "
            f"MiB, not {settings.worker_memory} bytes: a query worker needs that much to start"
        )
    if not settings.long_query_seconds > 0:
        raise ConfigError(
            f"long_query_seconds must be more than 0, not {settings.long_query_seconds}"
        )
    for iri in settings.service_allowlist:
        parts = urlsplit(iri)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"service_allowlist holds {iri!r}, which is not an http(s) IRI")
    if not settings.header_timeout > 0:
        raise ConfigError(
            f"header_timeout must be more than 0 seconds, not {settings.header_timeout}"
        )
    _check_budgets(settings)
    _check_store(settings)
    return settings


def _check_store(settings: Settings) -> None:
    """A store is an http(s) URL, spoken to in a dialect kggraph knows."""
    parts = urlsplit(settings.store)
    if settings.store and (parts.scheme not in ("http", "https") or not parts.netloc):
        raise ConfigError(
            f"store must be the http(s) URL of a SPARQL query endpoint, not {settings.store!r}"
        )
    if settings.store_dialect not in STORE_DIALECTS:
        raise ConfigError(
            f"store_dialect must be one of {', '.join(STORE_DIALECTS)}, "
            f"not {settings.store_dialect!r}"
        )


def _check_budgets(settings: Settings) -> None:
    """A budget that is on needs room to spend it; proxies must be addresses or networks."""
    for rate, burst in (
        ("client_budget_seconds", "client_burst_seconds"),
        ("client_errors", "client_error_burst"),
    ):
        if getattr(settings, rate) > 0 and not getattr(settings, burst) > 0:
            raise ConfigError(f"{burst} must be more than 0 while {rate} is on")
    for proxy in settings.trusted_proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise ConfigError(
                f"trusted_proxies holds {proxy!r}, which is not an address or a network"
            ) from None
    if settings.redis_url and urlsplit(settings.redis_url).scheme not in REDIS_SCHEMES:
        raise ConfigError(
            f"redis_url must start with redis://, rediss:// or unix://, not {settings.redis_url!r}"
        )


def load_settings(
    *, environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Build the settings from defaults, then ``KGGRAPH_*`` variables, then explicit overrides."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for f in fields(Settings):
        raw = env.get(env_name(f.name))
        if raw is not None:
            values[f.name] = _convert(f.name, raw, f.type)
    return _check(Settings(**values).with_overrides(**(overrides or {})))
