"""Errors as short, readable HTTP answers: the status the error class implies, never a trace."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from http import HTTPStatus
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from kggraph import errors

STATUS: tuple[tuple[type[errors.KggraphError], int], ...] = (
    (errors.QuerySyntaxError, 400),
    (errors.QueryRefused, 400),
    (errors.QueryTimeout, 503),
    (errors.QueryError, 500),
    (errors.ReadOnly, 403),
    (errors.NotAcceptable, 406),
    (errors.PayloadTooLarge, 413),
    (errors.UnsupportedMediaType, 415),
    (errors.RequestError, 400),
    (errors.InvalidArgument, 400),
    (errors.NotFound, 404),
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
    return text_error(status_of(err), str(err), headers=headers)


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
