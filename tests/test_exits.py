"""Exit codes (``kggraph.cli.exits``): one meaning each, the same in every command, and the
README's table says what the code says."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from kggraph.cli.exits import CODES, HELP, ExitCode, code_for
from kggraph.core import errors
from kggraph.core.errors import KggraphError
from kggraph.publish.build import BuildResult
from tests.clirun import kggraph

README = Path(__file__).resolve().parents[1] / "README.md"
ROW = re.compile(r"^\| `(\d+)` \| (.+) \|$")

ERROR_CLASSES = sorted(
    (
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, KggraphError)
    ),
    key=lambda cls: cls.__name__,
)


def _readme_table() -> list[tuple[int, str]]:
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index("| exit code | meaning |")
    rows = []
    for line in lines[start + 2 :]:
        match = ROW.match(line)
        if match is None:
            break
        rows.append((int(match.group(1)), match.group(2)))
    return rows


def test_the_readme_table_is_the_list_of_codes() -> None:
    assert _readme_table() == [(code.value, code.help) for code in ExitCode]


def test_every_code_has_its_own_meaning() -> None:
    assert set(HELP) == set(ExitCode)
    assert len(set(HELP.values())) == len(ExitCode)
    assert set(CODES.values()) == set(ExitCode) - {ExitCode.OK}


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_class_has_a_code_of_its_own_choosing(cls: type[KggraphError]) -> None:
    """A new class in ``kggraph.core.errors`` must be given its code, not inherit one."""
    assert cls in CODES, f"add {cls.__name__} to kggraph.cli.exits.CODES"


@pytest.mark.parametrize(
    ("err", "code"),
    [
        (errors.ValidationFailed("1 violation(s)", report=None), ExitCode.NOT_CONFORMANT),
        (errors.SourceError("bad Turtle", location="data/x.ttl:1:2"), ExitCode.BAD_INPUT),
        (errors.NotFound("there is no published build yet"), ExitCode.BAD_INPUT),
        (errors.QuerySyntaxError("expected }"), ExitCode.BAD_INPUT),
        (errors.BuildError("cannot write the build: No space left"), ExitCode.NOT_WRITTEN),
        (errors.QueryError("cannot reach http://127.0.0.1:1/sparql"), ExitCode.QUERY_FAILED),
        (errors.QueryTimeout("stopped after 30 s"), ExitCode.QUERY_FAILED),
        (errors.RemoteServiceError("the SERVICE endpoint answered 500"), ExitCode.QUERY_FAILED),
    ],
)
def test_a_subclass_takes_the_code_of_its_nearest_listed_class(
    err: KggraphError, code: ExitCode
) -> None:
    assert code_for(err) is code


def test_help_ends_with_the_codes() -> None:
    done = kggraph("--help")
    assert done.exit_code == 0
    text = " ".join(done.stdout.split())
    for code in ExitCode:
        assert f"{code.value} {code.name.lower().replace('_', ' ')}" in text


def test_a_usage_mistake_is_bad_input_too() -> None:
    """click's own refusal of an unknown option agrees with ``BAD_INPUT``."""
    assert kggraph("validate", "--no-such-option").exit_code == ExitCode.BAD_INPUT


def test_the_network_commands_use_the_same_codes(tmp_path: Path) -> None:
    no_build = kggraph("network", "stats", "--output", str(tmp_path / "empty"))
    assert no_build.exit_code == ExitCode.BAD_INPUT and "kggraph build" in no_build.stderr


@pytest.mark.slow
def test_an_export_that_cannot_be_written_is_not_written(
    built: BuildResult, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    out = blocker / "network.graphml"  # under a file: no one can write there, root included
    done = kggraph("network", "export", "graphml", "--out", str(out),
                   "--output", str(built.release.parent.parent))  # fmt: skip
    assert done.exit_code == ExitCode.NOT_WRITTEN
    assert "cannot write the export" in done.stderr and str(out) in done.stderr
