"""The ``kggraph`` command: build and validate the graph, with progress and readable reports.

Exit codes: 0 success, 1 the graph does not conform to the shapes, 2 bad input or settings
(a file that does not parse, a missing folder, a wrong option), 3 the output could not be written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kggraph import __version__
from kggraph.build import BuildResult, Step, build, check
from kggraph.config import Settings, load_settings
from kggraph.errors import BuildError, ConfigError, EraDateError, SourceError, ValidationFailed
from kggraph.publish import CURRENT
from kggraph.summary import read_manifest, render, replace_block
from kggraph.validate import ValidationReport

EXIT_NOT_CONFORMANT = 1
EXIT_BAD_INPUT = 2
EXIT_BUILD_FAILED = 3
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
    no_args_is_help=True,
    add_completion=False,
)

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


def _settings(**overrides: Path | None) -> Settings:
    try:
        return load_settings(overrides=overrides)
    except ConfigError as err:
        _fail(err, EXIT_BAD_INPUT)
        raise  # unreachable: _fail exits


def _fail(err: Exception, code: int) -> None:
    Console(stderr=True).print(f"[bold red]error:[/] {err}", highlight=False)
    raise typer.Exit(code)


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
    try:
        with _progress(console) as on_step:
            return job(on_step)
    except ValidationFailed as err:
        report = err.report
        if isinstance(report, ValidationReport):
            print_report(report, Console(stderr=True))
        _fail(err, EXIT_NOT_CONFORMANT)
    except (SourceError, ConfigError, EraDateError) as err:
        _fail(err, EXIT_BAD_INPUT)
    except BuildError as err:
        _fail(err, EXIT_BUILD_FAILED)
    return None


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
    triples = manifest["triples"]
    assert isinstance(triples, dict)  # noqa: S101 - shape of our own manifest
    console.print(f"[bold]Published[/] {result.release}  ({triples['total']} triples)")
    classes = Table("class", "instances", title="Instances per class")
    for name, count in dict(manifest["classes"]).items():  # type: ignore[call-overload]
        if name.startswith("kg:"):
            classes.add_row(name, str(count))
    console.print(classes)
    files = Table("file", "bytes", "sha256", title="Files")
    for name, info in dict(manifest["files"]).items():  # type: ignore[call-overload]
        files.add_row(name, str(info["bytes"]), info["sha256"][:16] + "…")
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
            _fail(ValidationFailed(f"{len(report.violations)} violation(s)", report=report), 1)
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
    try:
        manifest = read_manifest(settings.output_dir / CURRENT / "manifest.json")
        if readme is None:
            typer.echo(render(manifest))
            return
        readme.write_text(replace_block(readme.read_text(encoding="utf-8"), manifest), "utf-8")
    except BuildError as err:
        _fail(err, EXIT_BAD_INPUT)
    typer.echo(f"Updated the summary in {readme}")


@app.command("version")
def version_command() -> None:
    """Print the kggraph version."""
    typer.echo(__version__)
