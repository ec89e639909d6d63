"""``kggraph query --name NAME --param key=value`` and ``--list``, against a real server; the
mistakes and their exit codes in this process (``tests/clirun.py``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from kggraph.canned.catalogue import load_canned_queries
from kggraph.cli.exits import ExitCode
from kggraph.core.namespaces import KGID
from tests import clirun
from tests.conftest import Server, free_port

ROOT = Path(__file__).resolve().parents[1]
QUERIES = load_canned_queries(ROOT / "queries")
VIETNAM = "country/vietnam"

pytestmark = pytest.mark.slow


def kggraph(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kggraph", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "400", "NO_COLOR": "1", **(env or {})},
        timeout=120,
        check=False,
    )


def api_json(server: Server, slug: str, **params: str) -> dict[str, object]:
    answer = httpx.get(f"{server.url}/queries/{slug}", params=params, timeout=60)
    assert answer.status_code == 200, answer.text
    document: dict[str, object] = answer.json()
    return document


def own_server(server: Server) -> dict[str, str]:
    """Settings that make the session server "our local server" (no --endpoint needed)."""
    port = server.url.rsplit(":", 1)[1]
    return {"KGGRAPH_ROOT": str(ROOT), "KGGRAPH_HOST": "127.0.0.1", "KGGRAPH_PORT": port}


def test_a_canned_query_prints_a_table_with_every_row(server: Server) -> None:
    done = kggraph(
        "query", "--name", "water-contracts-in-country", "--param", f"country={VIETNAM}",
        "--endpoint", server.sparql,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    document = api_json(server, "water-contracts-in-country", country=VIETNAM)
    rows = document["results"]["bindings"]  # type: ignore[index]
    assert rows
    assert f"{len(rows)} row(s)" in done.stdout
    header = document["head"]["vars"]  # type: ignore[index]
    assert all(name in done.stdout for name in header)
    for row in rows:  # short cells, which the table does not wrap
        assert row["date"]["value"] in done.stdout and row["dateText"]["value"] in done.stdout
    assert str(KGID[VIETNAM]) in done.stdout


def test_csv_and_json_are_the_apis_answers(server: Server) -> None:
    args = ["query", "--name", "dates-with-source-text", "--param", "fromYear=2009",
            "--param", "toYear=2011", "--endpoint", server.sparql]  # fmt: skip
    as_csv = kggraph(*args, "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    expected = httpx.get(
        f"{server.url}/queries/dates-with-source-text",
        params={"fromYear": "2009", "toYear": "2011", "format": "csv"},
        timeout=60,
    ).text
    assert as_csv.stdout.replace("\r\n", "\n") == expected.replace("\r\n", "\n")
    as_json = kggraph(*args, "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == api_json(
        server, "dates-with-source-text", fromYear="2009", toYear="2011"
    )


def test_without_endpoint_it_uses_our_server_and_the_local_queries(server: Server) -> None:
    done = kggraph(
        "query", "--name", "label-search", "--param", "text=Haiphong", "--format", "json",
        env=own_server(server),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == api_json(server, "label-search", text="Haiphong")


def test_list_shows_every_canned_query(server: Server) -> None:
    for where in (["--endpoint", server.sparql], []):  # the server's list, then queries/
        done = kggraph("query", "--list", *where, env={"KGGRAPH_ROOT": str(ROOT)})
        assert done.returncode == 0, done.stderr
        assert f"{len(QUERIES)} canned queries" in done.stdout
        for query in QUERIES:
            assert query.slug in done.stdout
        assert "fiscalYear (xsd:integer) = 2024" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "partner-city"], "there is no canned query 'partner-city'"),
        (["--name", "partner-cities", "--param", "country=country/vietnam"],
         "partner-cities has no parameter 'country'; its parameters: none"),
        (["--name", "activities-in-fiscal-year", "--param", "fiscalYear=soon"],
         "parameter fiscalYear expects xsd:integer"),
        (["--name", "water-contracts-in-country", "--param", "country=x> } ; DROP ALL ; #"],
         "parameter country expects IRI"),
        (["--name", "label-search", "--param", "text"], "--param takes key=value"),
        (["--param", "text=x"], "add --name NAME"),
        (["ASK {}", "--name", "label-search"], "not both"),
        ([], "give a query"),
    ],
)  # fmt: skip
def test_mistakes_are_reported_before_any_request(args: list[str], message: str) -> None:
    """Nothing listens on the port: each mistake is found locally, with exit code 2."""
    settings = {"KGGRAPH_ROOT": str(ROOT), "KGGRAPH_PORT": str(free_port())}
    done = clirun.kggraph("query", *args, env=settings)
    assert done.exit_code == ExitCode.BAD_INPUT
    assert message in " ".join(done.stderr.split())
    assert "cannot reach" not in done.stderr


def test_an_unknown_name_on_a_remote_server_lists_its_queries(server: Server) -> None:
    done = clirun.kggraph("query", "--name", "nope", "--endpoint", server.sparql)
    assert done.exit_code == ExitCode.BAD_INPUT
    assert all(q.slug in done.stderr.replace("\n", "") for q in QUERIES[:3])


def test_an_unreachable_server_is_a_clear_error() -> None:
    port = free_port()
    done = clirun.kggraph("query", "--list", "--endpoint", f"http://127.0.0.1:{port}/sparql")
    assert done.exit_code == ExitCode.QUERY_FAILED
    assert "cannot reach" in done.stderr
