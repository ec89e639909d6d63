"""How a ``kggraph`` command ends: the exit codes, and the one place an error gets its code.

Commands raise the errors of ``kggraph.core.errors`` (or let them rise) and end in ``fail``,
which prints the message and exits with ``code_for(err)``. The code depends on the error's
class only, never on the command, so a script can act on it without knowing which command ran.
``ExitCode`` lists the codes and ``HELP`` says what each means; the README's table of exit codes
is ``HELP``, word for word (a test checks it), and ``kggraph --help`` ends with a short form.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from kggraph.core.errors import (
    BuildError,
    ConfigError,
    EraDateError,
    InvalidArgument,
    KggraphError,
    NotAcceptable,
    NotFound,
    PayloadTooLarge,
    QueryError,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    QueryUnavailable,
    ReadOnly,
    ReleaseDamaged,
    RemoteServiceError,
    RequestError,
    SourceError,
    StoreError,
    TooManyRequests,
    UnsupportedMediaType,
    ValidationFailed,
)


class ExitCode(IntEnum):
    """Every code a ``kggraph`` command exits with; each has one meaning (``help``)."""

    OK = 0
    NOT_CONFORMANT = 1
    BAD_INPUT = 2
    NOT_WRITTEN = 3
    QUERY_FAILED = 4

    @property
    def help(self) -> str:
        return HELP[self]


HELP = {
    ExitCode.OK: "success",
    ExitCode.NOT_CONFORMANT: "the graph does not conform to the shapes (a table lists each "
    "finding: focus node and its label, path and value, message, and the data file it is in)",
    ExitCode.BAD_INPUT: "bad input, found by kggraph itself before it writes anything: a file "
    "that does not parse (with file:line:col), a missing folder, no build yet, a bad setting, "
    "option, name or parameter",
    ExitCode.NOT_WRITTEN: "the output could not be written (a full disk, no permission): a "
    "release, an export, the README's summary; what was there before stays",
    ExitCode.QUERY_FAILED: "the query failed where it ran: the endpoint (or the release's own "
    "store) refused it (its message is printed), failed, ran out of time or could not be reached",
}

CODES: dict[type[KggraphError], ExitCode] = {
    KggraphError: ExitCode.BAD_INPUT,
    ValidationFailed: ExitCode.NOT_CONFORMANT,
    ConfigError: ExitCode.BAD_INPUT,
    InvalidArgument: ExitCode.BAD_INPUT,
    SourceError: ExitCode.BAD_INPUT,
    EraDateError: ExitCode.BAD_INPUT,
    NotFound: ExitCode.BAD_INPUT,
    ReleaseDamaged: ExitCode.BAD_INPUT,
    RequestError: ExitCode.BAD_INPUT,
    ReadOnly: ExitCode.BAD_INPUT,
    NotAcceptable: ExitCode.BAD_INPUT,
    PayloadTooLarge: ExitCode.BAD_INPUT,
    UnsupportedMediaType: ExitCode.BAD_INPUT,
    QuerySyntaxError: ExitCode.BAD_INPUT,
    QueryRefused: ExitCode.BAD_INPUT,
    BuildError: ExitCode.NOT_WRITTEN,
    QueryError: ExitCode.QUERY_FAILED,
    QueryUnavailable: ExitCode.QUERY_FAILED,
    QueryTimeout: ExitCode.QUERY_FAILED,
    RemoteServiceError: ExitCode.QUERY_FAILED,
    StoreError: ExitCode.QUERY_FAILED,
    TooManyRequests: ExitCode.QUERY_FAILED,
}
"""The code of every class of ``kggraph.core.errors`` (a test keeps the list complete). The
clients (``kggraph.query.client``, ``kggraph.canned.client``) raise a plain ``QueryError`` for
whatever the endpoint answers with an error status, so a query the server finds malformed is
``QUERY_FAILED`` with the server's message; the request errors are what the server raises."""


def code_for(err: KggraphError) -> ExitCode:
    """The exit code for ``err``: that of its class, else of its nearest listed base class
    (a subclass made outside ``kggraph.core.errors``)."""
    for cls in type(err).__mro__:
        if cls in CODES:
            return CODES[cls]
    return ExitCode.BAD_INPUT  # unreachable: KggraphError itself is listed


def fail(err: KggraphError) -> NoReturn:
    """Print ``error: <message>`` on stderr and exit with the error's code."""
    Console(stderr=True).print(f"[bold red]error:[/] {escape(str(err))}", highlight=False)
    raise typer.Exit(code_for(err))


def epilog() -> str:
    """The exit codes in short, for the end of ``kggraph --help``."""
    names = ", ".join(f"{c.value} {c.name.lower().replace('_', ' ')}" for c in ExitCode)
    return f"Exit codes: {names} (the README says what each means)."


@contextmanager
def exit_on_error() -> Iterator[None]:
    """Run a command's body; an error of kggraph ends the command through ``fail``."""
    try:
        yield
    except KggraphError as err:
        fail(err)
