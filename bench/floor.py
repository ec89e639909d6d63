"""The ``floor`` peer of the endpoint benchmark: ``floor_app.py`` under uvicorn, run with as many
web processes as ours runs with in the same run, and no access log (ours runs without one too).

It shares ours' HTTP parser (httptools) and event loop (uvicorn's choice, uvloop when
installed), so what separates ours from it is our web layer, and what separates it from
``oxigraph serve`` is Python and uvicorn themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from floor_app import DATA, PATH
from kggraph.core.config import load_settings
from kggraph.core.errors import ConfigError
from report import FLOOR
from servers import HOST, OURS_ENV, Server, tool

BENCH = Path(__file__).resolve().parent


def web_processes(settings: Mapping[str, str]) -> int:
    """How many web processes ``kggraph serve`` runs with ``settings`` (``KGGRAPH_*``
    variables, as the benchmark gives them to ours): ``workers`` if set, else its default.
    ``ConfigError`` if the settings are not valid."""
    return load_settings(environ={**OURS_ENV, **settings}).workers


def floor(data: Path, *, workers: int) -> Server:
    """uvicorn serving ``floor_app:app`` on ``data`` with ``workers`` processes."""
    return Server(
        FLOOR,
        PATH,
        lambda port: [
            tool("uvicorn"),
            "floor_app:app",
            "--app-dir",
            str(BENCH),
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--http",
            "httptools",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env={DATA: str(data)},
    )


def floor_like_ours(data: Path, settings: Mapping[str, str]) -> list[Server]:
    """The floor with as many web processes as ours with ``settings`` (none, and a message, if
    those are not valid: ours will not start either)."""
    try:
        workers = web_processes(settings)
    except ConfigError as err:
        print(f"floor: SKIPPED: ours' settings are not valid ({err})", flush=True)
        return []
    print(f"floor: {workers} web process(es), as ours", flush=True)
    return [floor(data, workers=workers)]
