"""Every error kggraph raises on purpose, in one tree.

    KggraphError                 base: a message, an optional location and a spec link
    ├── ConfigError              a setting has a value that cannot work
    ├── InvalidArgument          an option or parameter that cannot work: an empty period,
    │                            an unknown kind or format (CLI exit 2, HTTP 400)
    ├── SourceError              an input file cannot be read or parsed (file:line:col)
    ├── EraDateError             a Japanese date that does not exist or cannot be read
    ├── ValidationFailed         the graph does not conform to the shapes (carries the report)
    ├── BuildError               the published output could not be written
    ├── QueryError               a SPARQL query failed while it ran (500)
    │   ├── QuerySyntaxError     the parser rejected it; the location is line and column (400)
    │   ├── QueryRefused         valid SPARQL that is not allowed here: an update, or a
    │   │                        SERVICE call to an endpoint outside the allow-list (400)
    │   ├── RemoteServiceError   an allowed SERVICE endpoint failed: it answered an error,
    │   │                        or could not be reached (502)
    │   ├── StoreError           the remote SPARQL store behind kggraph failed to answer a
    │   │                        query it took, or answered what cannot be read (502)
    │   └── QueryUnavailable     not answerable now: a worker limit stopped it (memory, the
    │       │                    long-query lane) or its worker was lost, twice (503)
    │       └── QueryTimeout     it ran past the time limit, or no worker was free in time (503)
    ├── RequestError             the HTTP request does not follow the SPARQL protocol (400)
    │   ├── ReadOnly             a SPARQL Update request: the endpoint is read-only (403)
    │   ├── NotAcceptable        none of the formats the client accepts fits the answer (406)
    │   ├── PayloadTooLarge      the request body is bigger than the limit (413)
    │   └── UnsupportedMediaType a POST body of a type the protocol does not define (415)
    ├── NotFound                 no such resource (404)
    ├── TooManyRequests          the client is over its budget: query time, queries at once,
    │                            or failed queries (429, with the seconds to wait)
    └── ReleaseDamaged           a file of the published release is missing or unreadable (503)

The CLI maps these to exit codes and the web layer to HTTP statuses; nothing in between
catches them.
"""

from __future__ import annotations


class KggraphError(Exception):
    """Base of every kggraph error: a readable message, where it happened, and a spec link."""

    def __init__(self, message: str, *, location: str | None = None, link: str | None = None):
        super().__init__(message)
        self.message = message
        self.location = location
        self.link = link

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text} (see {self.link})" if self.link else text


class ConfigError(KggraphError):
    """A setting has a value that cannot work."""


class InvalidArgument(KggraphError):
    """An option or parameter has a value that cannot work (an empty period, an unknown kind):
    the caller's mistake, where a plain ``KggraphError`` would read as the server's."""


class SourceError(KggraphError):
    """An input file cannot be read or parsed."""


class EraDateError(KggraphError, ValueError):
    """A Japanese-era date that does not exist or cannot be read."""


class ValidationFailed(KggraphError):
    """The graph does not conform to the shapes; ``report`` says where and why."""

    def __init__(self, message: str, *, report: object):
        super().__init__(message)
        self.report = report


class BuildError(KggraphError):
    """The published output could not be written."""


class QueryError(KggraphError):
    """A SPARQL query cannot be answered: it failed while it ran."""


class QuerySyntaxError(QueryError):
    """The SPARQL parser rejected the query."""


class QueryRefused(QueryError):
    """Valid SPARQL that this endpoint does not run: an update, or a SERVICE call not allowed."""


class QueryUnavailable(QueryError):
    """The query cannot be answered now, though nothing is wrong with its text: a limit every
    worker keeps stopped it (memory, the long-query lane), or its worker was lost twice."""


class QueryTimeout(QueryUnavailable):
    """The query ran past the time limit and was stopped, or no worker was free in time."""


class RequestError(KggraphError):
    """The HTTP request does not follow the SPARQL protocol (no query, two queries, ...)."""


class ReadOnly(RequestError):
    """A SPARQL Update request: the endpoint is read-only."""


class NotAcceptable(RequestError):
    """None of the formats the client accepts fits the answer."""


class PayloadTooLarge(RequestError):
    """The request body is bigger than the limit."""


class UnsupportedMediaType(RequestError):
    """A POST body of a media type the SPARQL protocol does not define."""


class NotFound(KggraphError):
    """No such resource."""


class TooManyRequests(KggraphError):
    """The client has used up its query time, has too many queries running, or has sent too
    many failed queries (``kggraph.budgets.counters``); ``retry_after`` is the whole seconds to
    wait."""

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class ReleaseDamaged(KggraphError):
    """A file the published release should hold is missing, truncated or does not parse: the
    server cannot answer from it until a new build is published."""


class RemoteServiceError(QueryError):
    """A SERVICE call to an endpoint of the allow-list failed: the endpoint answered an error
    status, could not be reached, or sent what cannot be read."""


class StoreError(QueryError):
    """The remote SPARQL store kggraph serves from (``KGGRAPH_STORE``) failed on a query it
    accepted: an error status of its own (a function it lacks, an internal error), or an answer
    in a form kggraph cannot read. The fault is upstream, so the web answers ``502``."""
