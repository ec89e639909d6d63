"""``/openapi.json``: FastAPI's description of the routes it serves, made true to the server.

Three changes to what FastAPI writes: ``/sparql``, which is answered in front of the framework
and so unseen by it, is added (``kggraph.web.openapi.sparql``); the ``422`` answers FastAPI
lists for every route with parameters are taken out, because the server's error handler
(``kggraph.web.http.errors``) answers a parameter that does not validate with ``400``, which
each route documents; and the problem document those routes refuse with is added as the schema
``Problem``. The document is made once, on first use, as FastAPI does.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from kggraph.web.http.errors import PROBLEM_SCHEMA, PROBLEM_SCHEMA_NAME
from kggraph.web.openapi import sparql

Json = dict[str, Any]
UNUSED_SCHEMAS = ("HTTPValidationError", "ValidationError")
"""The schemas of FastAPI's ``422`` body, which no answer of ours has."""


def install(app: FastAPI) -> None:
    """Have ``app`` serve this document at ``/openapi.json`` (and ``/docs`` show it)."""

    def openapi() -> Json:
        if app.openapi_schema is None:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override


def document(app: FastAPI) -> Json:
    """The OpenAPI document of ``app``, with ``/sparql`` first and without ``422``."""
    found = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        description=app.description,
        routes=app.routes,
    )
    found["paths"] = {sparql.PATH: sparql.path_item(), **found.get("paths", {})}
    for item in found["paths"].values():
        for operation in item.values():
            operation.get("responses", {}).pop("422", None)
    schemas = found.setdefault("components", {}).setdefault("schemas", {})
    for name in UNUSED_SCHEMAS:
        schemas.pop(name, None)
    schemas[PROBLEM_SCHEMA_NAME] = PROBLEM_SCHEMA
    return found
