"""Every error kggraph raises on purpose, in one tree.

    KggraphError                 base: a message, an optional location and a spec link
    ├── ConfigError              a setting has a value that cannot work
    ├── SourceError              an input file cannot be read or parsed (file:line:col)
    ├── EraDateError             a Japanese date that does not exist or cannot be read
    ├── ValidationFailed         the graph does not conform to the shapes (carries the report)
    ├── BuildError               the published output could not be written
    ├── QueryError               a SPARQL query cannot be answered
    │   ├── QuerySyntaxError     the parser rejected it (400)
    │   └── QueryTimeout         it ran past the time limit (503)
    └── NotFound                 no such resource (404)

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
    """A SPARQL query cannot be answered."""


class QuerySyntaxError(QueryError):
    """The SPARQL parser rejected the query."""


class QueryTimeout(QueryError):
    """The query ran past the time limit and was stopped."""


class NotFound(KggraphError):
    """No such resource."""
