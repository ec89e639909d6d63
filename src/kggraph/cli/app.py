"""The ``kggraph`` command: ``build``, ``validate``, ``serve``, ``query``, ``summary`` and
``version`` (``network`` is ``kggraph.cli.network``), with progress and readable reports.

Every command ends in ``kggraph.cli.exits``: an error gets the exit code of its kind there.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kggraph import __version__
from kggraph.cli.canned import catalogue, check_combination, print_catalogue, run_named
from kggraph.cli.exits import epilog, exit_on_error, fail
from kggraph.cli.links import links_command
from kggraph.cli.network import app as network_app
from kggraph.cli.publish import publish_command
from kggraph.core.config import Settings, load_settings, to_environ
from kggraph.core.errors import (
    BuildError,
    InvalidArgument,
    KggraphError,
    NotFound,
    ValidationFailed,
)
from kggraph.graph.manifest import Manifest
from kggraph.graph.release import is_stale, require_current
from kggraph.publish.build import BuildResult, Step, build, check
from kggraph.publish.promote import current_release
from kggraph.publish.summary import render, replace_block
from kggraph.query.client import OUTPUTS, ClientAnswer, ask, read_query
from kggraph.validation.shapes import ValidationReport

WIDE_TABLE = 140
"""Below this terminal width the report is printed as text blocks instead of a table."""

STEP_TEXT = {
    "load": "Loading ontology and data",
    "derive": "Deriving fiscal years",
    "validate": "Validating against the SHACL shapes",
    "write": "Writing dumps and manifest",
    "publish": "Publishing the release",
}

app = typer.Typer(
    help="kggraph: Kitakyushu's international environmental cooperation as linked data.",
    epilog=epilog(),
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(network_app, name="network", help="The organisation network: stats, paths, exports.")
app.command("links")(links_command)
app.command("publish")(publish_command)

RootOption = Annotated[
    Path | None,
    typer.Option(
        "--root", help="Project folder with ontology/, data/, shapes/ [env KGGRAPH_ROOT]."
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", help="Folder of published builds [env KGGRAPH_OUTPUT; default dist]."),
]


def _settings(**overrides: object) -> Settings:
    with exit_on_error():
        return load_settings(overrides=overrides)


@contextmanager
def _progress(console: Console) -> Iterator[Step]:
    """Show each build step with a spinner, and tick it off when the next begins."""
    with console.status("Starting…") as status:
        done: list[str] = []

        def on_step(step: str) -> None:
            if done:
                console.print(f"[green]✓[/] {STEP_TEXT.get(done[-1], done[-1])}")
            done.append(step)
            status.update(STEP_TEXT.get(step, step) + "…")

        yield on_step
        if done:
            console.print(f"[green]✓[/] {STEP_TEXT.get(done[-1], done[-1])}")


def _run(console: Console, job: Callable[[Step], object]) -> object:
    """Run a build step by step; a graph that does not conform gets its report first."""
    try:
        with _progress(console) as on_step:
            return job(on_step)
    except ValidationFailed as err:
        if isinstance(err.report, ValidationReport):
            print_report(err.report, Console(stderr=True))
        fail(err)
    except KggraphError as err:
        fail(err)


def print_report(report: ValidationReport, console: Console) -> None:
    """Print every finding as a table: severity, focus node and label, path, message, file."""
    if not report.results:
        return
    if console.width < WIDE_TABLE:
        console.print(report.text(), highlight=False, soft_wrap=True)
        return
    table = Table(title="SHACL validation", show_lines=True, expand=True)
    for column in ("severity", "focus node", "path / value", "message", "file"):
        table.add_column(column, overflow="fold")
    for r in report.results:
        focus = r.focus + (f"\n{r.label}" if r.label else "")
        where = (r.path or "") + (f"\n= {r.value}" if r.value else "")
        colour = "red" if r.severity == "Violation" else "yellow"
        table.add_row(f"[{colour}]{r.severity}[/]", focus, where, r.message, r.source or "?")
    console.print(table)


def print_summary(result: BuildResult, console: Console) -> None:
    """Print what was published: counts per class and the files with their sizes."""
    manifest = result.manifest
    console.print(f"[bold]Published[/] {result.release}  ({manifest.triples.total} triples)")
    classes = Table("class", "instances", title="Instances per class")
    for name, count in manifest.classes.items():
        if name.startswith("kg:"):
            classes.add_row(name, str(count))
    console.print(classes)
    files = Table("file", "bytes", "sha256", title="Files")
    for listed in manifest.files:
        files.add_row(listed.name, str(listed.bytes), listed.sha256[:16] + "…")
    console.print(files)


@app.command("build")
def build_command(root: RootOption = None, output: OutputOption = None) -> None:
    """Validate the graph and, if it conforms, publish dumps and a manifest."""
    settings = _settings(root=root, output=output)
    console = Console()
    result = _run(console, lambda on_step: build(settings, on_step))
    if isinstance(result, BuildResult):
        print_report(result.report, console)
        print_summary(result, console)


@app.command("validate")
def validate_command(root: RootOption = None) -> None:
    """Validate the graph against the shapes; write nothing."""
    settings = _settings(root=root)
    console = Console()
    checked = _run(console, lambda on_step: check(settings, on_step))
    report = getattr(checked, "report", None)
    if isinstance(report, ValidationReport):
        print_report(report, console)
        if not report.conforms:
            fail(ValidationFailed(f"{len(report.violations)} violation(s)", report=report))
        console.print(f"[green]The graph conforms[/] ({len(report.warnings)} warning(s)).")


@app.command("summary")
def summary_command(
    root: RootOption = None,
    output: OutputOption = None,
    readme: Annotated[
        Path | None,
        typer.Option("--readme", help="Rewrite the summary block of this Markdown file."),
    ] = None,
) -> None:
    """Print what is in the published graph (Markdown), or write it into the README."""
    settings = _settings(root=root, output=output)
    with exit_on_error():
        manifest = require_current(settings.output_dir).read_manifest()
        if readme is None:
            typer.echo(render(manifest))
            return
        write_summary(readme, manifest)
    typer.echo(f"Updated the summary in {readme}")


def write_summary(readme: Path, manifest: Manifest) -> None:
    """Rewrite the summary block of ``readme``: one that cannot be read is bad input, one that
    cannot be written (or has no block to rewrite) is output not written."""
    try:
        text = readme.read_text(encoding="utf-8")
    except OSError as err:
        raise InvalidArgument(f"cannot read it: {err.strerror}", location=str(readme)) from None
    updated = replace_block(text, manifest)
    try:
        readme.write_text(updated, encoding="utf-8")
    except OSError as err:
        raise BuildError(f"cannot write it: {err.strerror}", location=str(readme)) from None


@app.command("serve")
def serve_command(
    root: RootOption = None,
    output: OutputOption = None,
    host: Annotated[
        str | None, typer.Option("--host", help="Address to listen on [env KGGRAPH_HOST].")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", help="Port to listen on [env KGGRAPH_PORT].")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Web server processes [env KGGRAPH_WORKERS]."),
    ] = None,
    rebuild: Annotated[
        bool,
        typer.Option("--build/--no-build", help="Build first when the output is missing or stale."),
    ] = True,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Log every request.")
    ] = True,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Answer from this SPARQL query endpoint (loaded with kggraph publish --to) "
            "instead of the embedded store; no build first [env KGGRAPH_STORE].",
        ),
    ] = None,
) -> None:
    """Serve the published graph: the SPARQL endpoint and its query page (uvicorn)."""
    settings = _settings(
        root=root, output=output, host=host, port=port, workers=workers, store=store
    )
    console = Console(stderr=True)
    _raise_open_files_limit(settings, console)
    if settings.store:  # the store holds the release; dist/ holds its documents
        rebuild = False
    if rebuild and is_stale(settings):
        console.print("The published output is missing or older than its inputs: building.")
        _build_before_serving(settings, console)
    if current_release(settings.output_dir) is None and not settings.store:
        fail(NotFound("there is no published build to serve: run `kggraph build`"))
    with _shared_budgets(settings) as settings:
        os.environ.update(to_environ(settings))
        console.print(
            f"Serving {settings.store or current_release(settings.output_dir)} at "
            f"[bold]http://{settings.host}:{settings.port}/sparql[/] "
            f"({_processes(settings.workers)})",
            highlight=False,
        )
        if settings.budget_file:
            console.print(
                f"The web processes share client budgets in {settings.budget_file}.",
                soft_wrap=True,
                highlight=False,
            )
        _run_uvicorn(settings, access_log=access_log)


@contextmanager
def _shared_budgets(settings: Settings) -> Iterator[Settings]:
    """``settings`` with a table in shared memory for the client budgets when several web
    processes would otherwise each count their own (no Redis); the table is removed after."""
    if settings.workers == 1 or settings.redis_url or settings.budget_file:
        yield settings
        return
    from kggraph.budgets.shared_counters import create

    table = create()
    try:
        yield replace(settings, budget_file=str(table))
    finally:
        table.unlink(missing_ok=True)


def _processes(workers: int) -> str:
    return "1 web process" if workers == 1 else f"{workers} web processes"


def _run_uvicorn(settings: Settings, *, access_log: bool) -> None:
    import uvicorn

    from kggraph.web.http.connections import guarded_protocol

    uvicorn.run(
        "kggraph.web.app:create_app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        access_log=access_log,
        log_level="info",
        # closes connections whose headers are late, refuses those past the cap
        http=guarded_protocol(  # type: ignore[arg-type] # a factory of protocols, as uvicorn uses it
            header_timeout=settings.header_timeout, max_connections=settings.max_connections
        ),
        # uvicorn counts the asking connection too: +1 agrees with max_connections, and it also
        # bounds requests in flight (an answer can outlive its connection)
        limit_concurrency=settings.max_connections + 1,
        ws="none",  # no WebSocket routes: an upgrade request is an ordinary request
        # uvicorn would take X-Forwarded-For from any loopback peer as the client's address;
        # kggraph.web.http.client_id believes it only from KGGRAPH_TRUSTED_PROXIES
        proxy_headers=False,
    )


def _raise_open_files_limit(settings: Settings, console: Console) -> None:
    """Lift the soft limit on open files to the hard one; warn if even that is short of
    ``max_connections``."""
    from kggraph.web.http.connections import DESCRIPTOR_RESERVE, raise_open_files_limit

    _, limit = raise_open_files_limit()
    if limit < settings.max_connections + DESCRIPTOR_RESERVE:
        console.print(
            f"[yellow]This process may open {limit} files, fewer than KGGRAPH_MAX_CONNECTIONS "
            f"({settings.max_connections}) needs; raise the hard limit (ulimit -Hn) or lower "
            "the setting.[/]"
        )


def _build_before_serving(settings: Settings, console: Console) -> None:
    """Build; if the graph does not conform, serve the last good build (if any) and say so."""
    last_good = current_release(settings.output_dir)
    try:
        with _progress(console) as on_step:
            build(settings, on_step)
    except ValidationFailed as err:
        if isinstance(err.report, ValidationReport):
            print_report(err.report, console)
        if last_good is None:
            fail(err)
        console.print(f"[yellow]The new build failed validation; serving {last_good}.[/]")
    except KggraphError as err:
        if last_good is None:
            fail(err)
        console.print(f"[yellow]The build failed ({err}); serving {last_good}.[/]")


@app.command("query")
def query_command(
    query: Annotated[
        str | None, typer.Argument(help="A SPARQL query, or a file holding one (.rq).")
    ] = None,
    endpoint: Annotated[
        str | None,
        typer.Option("--endpoint", help="SPARQL endpoint URL [default: ours, from the settings]."),
    ] = None,
    output: Annotated[
        str, typer.Option("--format", help=f"Output: {' | '.join(OUTPUTS)}.")
    ] = "table",
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait.")] = 60,
    name: Annotated[
        str | None,
        typer.Option("--name", help="Run this canned query (queries/NAME.rq) by /queries/NAME."),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="key=value: a canned query's parameter (repeatable)."),
    ] = None,
    list_queries: Annotated[
        bool, typer.Option("--list", help="List the canned queries and their parameters.")
    ] = False,
) -> None:
    """Run a query (or a canned query, --name) on a SPARQL endpoint; print a table or the answer."""
    settings = _settings()
    url = endpoint or f"http://{settings.host}:{settings.port}/sparql"
    with exit_on_error():
        if list_queries:
            print_catalogue(catalogue(settings, endpoint, timeout=timeout), Console())
            return
        check_combination(query, name, param or [])
        if name is not None:
            answer = run_named(
                settings, name, param or [], endpoint=endpoint, output=output, timeout=timeout
            )
        else:
            answer = ask(url, read_query(query or ""), output=output, timeout=timeout)
    print_answer(answer, Console())


def print_answer(answer: ClientAnswer, console: Console) -> None:
    """A SELECT as a table with the row count, an ASK as true/false, anything else as it is."""
    if answer.text is not None:
        typer.echo(answer.text, nl=not answer.text.endswith("\n"))
    elif answer.boolean is not None:
        typer.echo("true" if answer.boolean else "false")
    elif answer.table is not None:
        table = Table(*answer.table.variables, caption=f"{len(answer.table.rows)} row(s)")
        for row in answer.table.rows:
            table.add_row(*("" if cell is None else cell for cell in row))
        console.print(table)


@app.command("version")
def version_command() -> None:
    """Print the kggraph version."""
    typer.echo(__version__)
