"""Errors as short, readable HTTP answers: the status the error class implies, never a trace."""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from http import HTTPStatus
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from kggraph.core import errors

STATUS: tuple[tuple[type[errors.KggraphError], int], ...] = (
    (errors.QuerySyntaxError, 400),
    (errors.QueryRefused, 400),
    (errors.RemoteServiceError, 502),
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


def error_response(err: errors.KggraphError, *, headers: dict[str, str] | None = None) -> Response:
    """``400 Bad Request`` and one line saying what is wrong and where."""
    err = remote_failure(err)
    if isinstance(err, errors.TooManyRequests):
        headers = {**(headers or {}), "Retry-After": str(err.retry_after)}
    return text_error(status_of(err), str(err), headers=headers)


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


def text_error(status: int, message: str, *, headers: dict[str, str] | None = None) -> Response:
    phrase = HTTPStatus(status).phrase
    body = f"{status} {phrase}: {message}\n"
    extra = dict(headers or {})
    if status == 503:
        extra.setdefault("Retry-After", "5")
    return Response(body, status_code=status, media_type="text/plain; charset=utf-8", headers=extra)


class TextErrorRoute(APIRoute):
    """A FastAPI route whose errors read like the SPARQL endpoint's: a status and one line of
    text, and ``400`` (not FastAPI's ``422`` JSON) for a parameter that does not validate.
    Use it as ``APIRouter(route_class=TextErrorRoute)``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as err:
                return text_error(400, validation_message(err))
            except errors.KggraphError as err:
                return error_response(err)

        return answer


def validation_message(err: RequestValidationError) -> str:
    """``from_year: Input should be a valid integer (got 'soon')``, for each bad parameter."""
    parts = []
    for problem in err.errors():
        where = [str(p) for p in problem.get("loc", ())[1:] if not isinstance(p, int)]
        name = ".".join(where) or "request"
        shown = "input" in problem and problem.get("type") != "missing"
        got = f" (got {problem['input']!r})" if shown else ""
        parts.append(f"{name}: {problem.get('msg', 'invalid')}{got}")
    return "; ".join(parts)
