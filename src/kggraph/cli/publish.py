"""``kggraph publish``: put the current release into a SPARQL store (``--to URL``) or into an
Oxigraph database folder for a read-only server (``--location DIR``).

``LOADERS`` lists the kinds of store, one line each; ``--kind auto`` asks the store which it is
(its ``Server`` header). Errors end in ``kggraph.cli.exits``: a store that cannot be reached or
that refuses the load exits with ``QUERY_FAILED``, a bad URL or folder with ``BAD_INPUT``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kggraph.cli.exits import exit_on_error
from kggraph.core.config import load_settings
from kggraph.core.errors import InvalidArgument
from kggraph.graph.release import require_current
from kggraph.publish.to_folder import load_folder
from kggraph.publish.to_store import OxigraphLoader, Published, StoreLoader, choose
from kggraph.publish.to_virtuoso import VirtuosoLoader

LOADERS: dict[str, StoreLoader] = {
    OxigraphLoader.kind: OxigraphLoader(),
    VirtuosoLoader.kind: VirtuosoLoader(),
}
"""Every kind of store ``--to`` loads into: its name, and its loader."""


def publish_command(
    to: Annotated[
        str | None,
        typer.Option("--to", help="The store: its SPARQL endpoint or its base URL."),
    ] = None,
    kind: Annotated[
        str,
        typer.Option("--kind", help=f"The store's kind: auto | {' | '.join(LOADERS)}."),
    ] = "auto",
    location: Annotated[
        Path | None,
        typer.Option("--location", help="Instead: a new Oxigraph folder for serve-read-only."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", help="Folder of published builds (env KGGRAPH_OUTPUT; default dist)."
        ),
    ] = None,
) -> None:
    """Load the current release into a SPARQL store, replacing what it held, in one step."""
    console = Console(stderr=True)
    with exit_on_error():
        if (to is None) == (location is None):
            raise InvalidArgument("give either --to URL (a store) or --location DIR (a folder)")
        settings = load_settings(overrides={"output": output} if output else None)
        release = require_current(settings.output_dir)

        def progress(step: str) -> None:
            console.print(f"… {step}", highlight=False)

        if location is not None:
            done = load_folder(release, location, progress)
        else:
            loader = choose(kind, to or "", LOADERS)
            done = loader.publish(release, to or "", progress)
    _report(done, Console())


def _report(done: Published, console: Console) -> None:
    console.print(
        f"[green]✓[/] Published {done.version} to {done.where}: {done.triples} triples in the "
        f"default graph, {done.quads} quads in all, in {done.seconds:.1f} s",
        highlight=False,
    )
