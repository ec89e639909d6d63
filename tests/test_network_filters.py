"""``NetworkFilter`` (kggraph.network.filters): the one filter of the network builder, the CLI
and the HTTP API. Pure checks on hand-made facts; the filters at work on the real graph are in
tests/test_network.py."""

from __future__ import annotations

import pytest

from kggraph.core.errors import InvalidArgument
from kggraph.network.facts import KINDS, Facts, Term
from kggraph.network.filters import NetworkFilter

ID = "https://w3id.org/kggraph/id/"
VIETNAM = ID + "country/vietnam"
SEWERAGE = ID + "concept/sector/sewerage"
FACTS = Facts(
    agents={},
    activities=(),
    countries={VIETNAM: Term(VIETNAM, "Vietnam", "ベトナム")},
    sectors={SEWERAGE: Term(SEWERAGE, "Sewerage", "下水道")},
)


def test_the_default_keeps_everything() -> None:
    chosen = NetworkFilter()
    assert chosen.kinds == KINDS and not chosen.has_period
    assert chosen.resolved(FACTS) == chosen


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"from_year": 2020, "to_year": 2010}, "from 2020 is after to 2010"),
        ({"kinds": ("project", "event")}, "unknown kind(s) event; choose from agreement"),
        ({"kinds": ("friendship", "event")}, "unknown kind(s) event, friendship"),
    ],
)
def test_what_cannot_work_is_refused_naming_the_value(
    given: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidArgument) as caught:
        NetworkFilter(**given)  # type: ignore[arg-type]
    assert message in str(caught.value)


def test_a_one_year_period_is_a_period() -> None:
    assert NetworkFilter(from_year=2014, to_year=2014).has_period
    assert NetworkFilter(to_year=2014).has_period


def test_kinds_keep_their_order_without_repeats_and_none_means_all() -> None:
    assert NetworkFilter(kinds=("project", "agreement", "project")).kinds == (
        "project",
        "agreement",
    )
    assert NetworkFilter(kinds=()).kinds == KINDS


def test_a_blank_name_is_no_filter() -> None:
    assert NetworkFilter(country="", sector="  ") == NetworkFilter()


@pytest.mark.parametrize("name", ["vietnam", "country/vietnam", VIETNAM, "ベトナム", " Vietnam "])
def test_names_resolve_to_the_iri_and_an_iri_stays(name: str) -> None:
    chosen = NetworkFilter(country=name, sector="sewerage").resolved(FACTS)
    assert (chosen.country, chosen.sector) == (VIETNAM, SEWERAGE)
    assert chosen.resolved(FACTS) == chosen


def test_an_unknown_name_is_a_bad_argument_with_close_matches() -> None:
    with pytest.raises(InvalidArgument, match=r"no country is called 'Vietnm'.*Vietnam"):
        NetworkFilter(country="Vietnm").resolved(FACTS)
    with pytest.raises(InvalidArgument, match="no sector is called 'roads'"):
        NetworkFilter(sector="roads").resolved(FACTS)
