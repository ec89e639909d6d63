"""Errors as HTTP answers, mapped in one place: the status each kggraph error implies, in the
shape of the route family it happened in, never a trace.

Routes raise the errors of ``kggraph.core.errors`` and let them go; ``handle_error``, registered
once by ``kggraph.web.app``, turns them, FastAPI's parameter validation failures and the
framework's own ``404``/``405`` into answers. The layers in front of the framework (the
``/sparql`` fast path, the client budgets) answer with ``error_answer``, so they give the same
answers. The shapes, by the path the request was for (``family_of``):

- ``/sparql`` and ``/graph/…`` (and every path not named below): plain text, one line,
  ``STATUS Phrase: message``, what SPARQL clients show their users; a query that does not parse
  gets the parser's message with its line and column.
- ``/queries…`` and ``/network…``, the JSON APIs: ``application/problem+json`` (RFC 9457),
  ``{"type": "about:blank", "title": phrase, "status": code, "detail": message,
  "instance": path}``; a parameter that does not validate is a ``400`` whose ``detail`` names it.
- The HTML pages (``/``, ``/id/…``, ``/search``, ``/explore/…``): an identifier that is not in
  the graph, or was withdrawn, gets a page of its own (``404``, ``410``) from its route, for a
  browser; every other error there is text, as above.

``429`` carries ``Retry-After`` (the seconds the budget asks for), and so does every ``503``
(``5`` unless the error names more). Every error answer says ``Vary: Accept``: which format was
asked for can decide the error (``406``, a page or a line).
"""

from __future__ import annotations

import re
from enum import Enum
from http import HTTPStatus
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Scope

from kggraph.core import errors

STATUS: tuple[tuple[type[errors.KggraphError], int], ...] = (
    (errors.QuerySyntaxError, 400),
    (errors.QueryRefused, 400),
    (errors.RemoteServiceError, 502),
    (errors.StoreError, 502),
    (errors.QueryUnavailable, 503),
    (errors.QueryError, 500),
    (errors.ReadOnly, 403),
    (errors.NotAcceptable, 406),
    (errors.PayloadTooLarge, 413),
    (errors.UnsupportedMediaType, 415),
    (errors.RequestError, 400),
    (errors.InvalidArgument, 400),
    (errors.NotFound, 404),
    (errors.TooManyRequests, 429),
    (errors.ReleaseDamaged, 503),
    (errors.ConfigError, 500),
)
"""Most specific class first."""


def status_of(err: errors.KggraphError) -> int:
    for cls, status in STATUS:
        if isinstance(err, cls):
            return status
    return 500


_NETWORK_ERRORS = frozenset(
    {
        "OSError",
        "ConnectionError",
        "ConnectionRefusedError",
        "ConnectionResetError",
        "ConnectionAbortedError",
        "BrokenPipeError",
        "TimeoutError",
    }
)
"""What pyoxigraph raises when a SERVICE call fails (its HTTP client's errors): a query sees
only the loaded graph otherwise, so evaluating one touches no file and no other socket."""
_REMOTE_STATUS = re.compile(r"Error (\d{3}) ([^\n]*?) returned by (\S+)")
"""pyoxigraph's text for an endpoint that answered an error status."""


def remote_failure(err: errors.KggraphError) -> errors.KggraphError:
    """A query's failed SERVICE call as ``RemoteServiceError`` (``502``), in one line naming
    the endpoint and its status; any other error as it is.

    The query workers report an error they have no class for as ``QueryError`` with the text
    ``"<exception class>: <message>"``; a network error there can only come from SERVICE."""
    if type(err) is not errors.QueryError:
        return err
    kind, _, detail = err.message.partition(": ")
    if kind == "PermissionError":  # the worker's network lock (kggraph.query.sandbox) said no
        return errors.QueryRefused(
            "this endpoint makes no outbound calls: the query's SERVICE call was refused"
        )
    if kind not in _NETWORK_ERRORS:
        return err
    found = _REMOTE_STATUS.search(detail)
    if found is not None:
        status, phrase, endpoint = found.groups()
        return errors.RemoteServiceError(
            f"the SERVICE endpoint {endpoint} answered {status} {phrase}".rstrip()
        )
    first_line = detail.strip().splitlines()[0] if detail.strip() else kind
    return errors.RemoteServiceError(f"a SERVICE endpoint could not be reached: {first_line}")


PROBLEM_PATHS = ("/queries", "/network")
"""Where the JSON APIs are (the path itself, or under it): errors there are problem documents."""
PROBLEM_TYPE = "application/problem+json"
TEXT_TYPE = "text/plain; charset=utf-8"
VARY = "Accept"
RETRY_AFTER_503 = "5"
"""Seconds a client is asked to wait after a ``503`` that names no time of its own."""


class Family(Enum):
    """The error shape of a route family."""

    TEXT = "text"
    PROBLEM = "problem"


def family_of(path: str) -> Family:
    """The shape of errors for a request to ``path`` (without the server's root path)."""
    for prefix in PROBLEM_PATHS:
        if path == prefix or path.startswith(prefix + "/"):
            return Family.PROBLEM
    return Family.TEXT


def route_path(scope: Scope) -> str:
    """The request's path without the root path a proxy mounted the server under."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path.removeprefix(root) if root and path.startswith(root) else path


def error_answer(err: errors.KggraphError, scope: Scope) -> Response:
    """The answer to a request (``scope``) that failed with ``err``."""
    err = remote_failure(err)
    headers = {}
    if isinstance(err, errors.TooManyRequests):
        headers["Retry-After"] = str(err.retry_after)
    return answer(status_of(err), str(err), scope, headers=headers)


def answer(
    status: int, message: str, scope: Scope, *, headers: dict[str, str] | None = None
) -> Response:
    """An error answer with ``status`` and ``message`` in the shape of the request's family."""
    extra = {"Vary": VARY, **(headers or {})}
    if status == 503:
        extra.setdefault("Retry-After", RETRY_AFTER_503)
    if family_of(route_path(scope)) is Family.PROBLEM:
        return problem(status, message, instance=scope["path"], headers=extra)
    return text_error(status, message, headers=extra)


async def handle_error(request: Request, exc: Exception) -> Response:
    """The application's one exception handler: our errors, parameters that do not validate
    (``400``, not FastAPI's ``422``) and the framework's ``404``/``405`` (its ``Allow`` kept)."""
    if isinstance(exc, errors.KggraphError):
        return error_answer(exc, request.scope)
    if isinstance(exc, RequestValidationError):
        return answer(400, validation_message(exc), request.scope)
    if isinstance(exc, HTTPException):
        headers = dict(exc.headers or {})
        return answer(exc.status_code, str(exc.detail), request.scope, headers=headers)
    raise exc  # registered for the three classes above only


HANDLED: tuple[type[Exception], ...] = (errors.KggraphError, RequestValidationError, HTTPException)
"""What ``handle_error`` is registered for."""


def text_error(status: int, message: str, *, headers: dict[str, str] | None = None) -> Response:
    """``400 Bad Request: what is wrong``, one line of text."""
    body = f"{status} {HTTPStatus(status).phrase}: {message}\n"
    return Response(body, status_code=status, media_type=TEXT_TYPE, headers=headers)


def problem(
    status: int, detail: str, *, instance: str, headers: dict[str, str] | None = None
) -> Response:
    """An RFC 9457 problem document: ``about:blank``, so the title is the status phrase."""
    document = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    return JSONResponse(document, status_code=status, media_type=PROBLEM_TYPE, headers=headers)


def validation_message(err: RequestValidationError) -> str:
    """``from_year: Input should be a valid integer (got 'soon')``, for each bad parameter."""
    parts = []
    for found in err.errors():
        where = [str(p) for p in found.get("loc", ())[1:] if not isinstance(p, int)]
        name = ".".join(where) or "request"
        shown = "input" in found and found.get("type") != "missing"
        got = f" (got {found['input']!r})" if shown else ""
        parts.append(f"{name}: {found.get('msg', 'invalid')}{got}")
    return "; ".join(parts)


PROBLEM_SCHEMA_NAME = "Problem"
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string", "description": "`about:blank`: the status says it all"},
        "title": {"type": "string", "description": "The status phrase (`Bad Request`)"},
        "status": {"type": "integer", "description": "The HTTP status"},
        "detail": {"type": "string", "description": "What is wrong, in one sentence"},
        "instance": {"type": "string", "description": "The path that was asked for"},
    },
}
"""The problem document (``components/schemas/Problem`` of ``/openapi.json``)."""


def text_responses(descriptions: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the given error statuses, each one line of text."""
    content = {TEXT_TYPE: {"schema": {"type": "string"}}}
    return {
        status: {"description": why, "content": content} for status, why in descriptions.items()
    }


def problem_responses(descriptions: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the given error statuses, each a problem document."""
    reference = f"#/components/schemas/{PROBLEM_SCHEMA_NAME}"
    content = {PROBLEM_TYPE: {"schema": {"$ref": reference}}}
    return {
        status: {"description": why, "content": content} for status, why in descriptions.items()
    }
