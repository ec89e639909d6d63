"""Errors as short, readable HTTP answers: the status the error class implies, never a trace."""

from __future__ import annotations

from http import HTTPStatus

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
