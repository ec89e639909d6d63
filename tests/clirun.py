"""``kggraph`` run in this process through typer's ``CliRunner``: the exit code, stdout and
stderr apart, without starting an interpreter. An exception that no command turns into an exit
code is raised in the test, with its traceback."""

from __future__ import annotations

from click.testing import Result
from typer.testing import CliRunner

from kggraph.cli.app import app

PLAIN = {"COLUMNS": "250", "NO_COLOR": "1"}
"""Wide enough for the report's table (``kggraph.cli.app.WIDE_TABLE``), and no colour codes."""


def kggraph(*args: str, env: dict[str, str] | None = None) -> Result:
    """``kggraph ARGS…`` with ``env`` added to the environment while it runs."""
    return CliRunner().invoke(app, list(args), env={**PLAIN, **(env or {})}, catch_exceptions=False)
