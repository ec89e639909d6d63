"""Where clients reach this server: the one base every absolute link of ours is written with."""

from __future__ import annotations

from starlette.requests import Request

from kggraph.web.runtime import Runtime


def public_url(request: Request, runtime: Runtime) -> str:
    """Where clients reach this server: ``public_url`` if set, else the URL they used."""
    if runtime.settings.public_url:
        return runtime.settings.public_url.rstrip("/")
    return str(request.base_url).rstrip("/")
