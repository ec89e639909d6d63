"""Canned queries in queries/: each has its header, and answers with the source's facts."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from kggraph.build import BuildResult

ROOT = Path(__file__).resolve().parents[1]
QUERIES = sorted((ROOT / "queries").glob("*.rq"))
HEADER = re.compile(r"^# (\w+): (.+)$", re.MULTILINE)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def store(built: BuildResult) -> ox.Store:
    store = ox.Store()
    store.load(path=built.release / "kggraph.nt", format=ox.RdfFormat.N_TRIPLES)
    return store


def _rows(store: ox.Store, name: str) -> list[dict[str, str]]:
    text = (ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    solutions = store.query(text)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_every_query_has_a_title_and_description(path: Path) -> None:
    header = dict(HEADER.findall(path.read_text(encoding="utf-8")))
    assert header.get("title") and header.get("description")


def test_agreements_come_in_date_order_with_their_parties(store: ox.Store) -> None:
    rows = _rows(store, "agreements-in-date-order")
    dates = [r["date"] for r in rows if "date" in r]
    assert dates == sorted(dates)
    haiphong = [r for r in rows if "Haiphong" in r["parties"]]
    assert [(r["kind"], r["date"], r["dateText"]) for r in haiphong] == [
        ("Friendship and cooperation agreement", "2009", "平成21年"),
        ("Sister city agreement", "2014-04", "平成26年4月"),
    ]
    surabaya = [r for r in rows if "Surabaya" in r["parties"]]
    assert sorted(r["date"] for r in surabaya) == ["2011-03", "2012-11"]


def test_partner_cities_by_kind(store: ox.Store) -> None:
    rows = _rows(store, "partner-cities")
    links = {(r["cityLabel"], r["link"].rsplit("#", 1)[1]) for r in rows}
    assert ("Dalian", "friendshipCity") in links
    assert ("Haiphong", "sisterCity") in links
    assert ("Surabaya", "environmentalSisterCity") in links
    assert ("Davao", "environmentalSisterCity") in links
    countries = {r["cityLabel"]: r["countryLabel"] for r in rows}
    assert countries["Haiphong"] == "Vietnam" and countries["Davao"] == "Philippines"


def test_training_statistics_as_of_march_2025(store: ox.Store) -> None:
    rows = _rows(store, "training-statistics")
    values = sorted(int(float(r["value"])) for r in rows)
    assert values == [30, 169, 246, 11107]
    assert {r["asOf"] for r in rows} == {"2025-03"}
    assert {r["asOfText"] for r in rows} == {"令和7年3月現在"}
