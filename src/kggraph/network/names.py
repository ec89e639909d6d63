"""Names an analyst types for an agent, a country or a sector, turned into one IRI.

Analysts think in names ("JICA", "ハイフォン市人民委員会", "vietnam"), the graph in IRIs. A name is
tried, in order, as: the full IRI; the path under ``…/id/`` (``org/jica``); a tail of that path
(``jica``, or ``sector/sewerage`` for ``concept/sector/sewerage``); an exact label or
alternative label in English or Japanese (case and surrounding spaces ignored). The first of
these that matches decides; if it matches more than one IRI the name is ambiguous. Either
failure raises ``NotFound`` naming the candidates, so a typo gets an answer ("close matches:
…") rather than an empty network.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping

from kggraph.core.errors import NotFound
from kggraph.core.language import local_name
from kggraph.core.namespaces import ID_IRI

SUGGESTIONS = 8
"""Most close matches listed when a name is unknown or ambiguous."""


def resolve(name: str, candidates: Mapping[str, tuple[str, ...]], what: str) -> str:
    """The one IRI of ``candidates`` that ``name`` stands for. ``candidates`` maps an IRI to
    the names it goes by, its English label first (which a listing shows)."""
    text = name.strip()
    key = text.casefold()
    tiers: tuple[Callable[[str, tuple[str, ...]], bool], ...] = (
        lambda iri, _names: iri == text or _slug(iri).casefold() == key,
        lambda iri, _names: f"/{_slug(iri)}".casefold().endswith(f"/{key}"),
        lambda _iri, names: key in {n.strip().casefold() for n in names},
    )
    for matches_name in tiers:
        found = sorted(iri for iri, names in candidates.items() if matches_name(iri, names))
        if len(found) == 1:
            return found[0]
        if found:
            raise NotFound(
                f"the {what} name {name!r} is ambiguous; it matches "
                + _listing(found, candidates)
                + ". Use the IRI or the slug instead."
            )
    close = _close_matches(key, candidates)
    hint = f"; close matches: {_listing(close, candidates)}" if close else ""
    raise NotFound(f"no {what} is called {name!r}{hint}")


def _slug(iri: str) -> str:
    return iri.removeprefix(ID_IRI)


def _listing(iris: list[str], candidates: Mapping[str, tuple[str, ...]]) -> str:
    shown = [f"{_label(iri, candidates)} ({_slug(iri)})" for iri in iris[:SUGGESTIONS]]
    more = len(iris) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _label(iri: str, candidates: Mapping[str, tuple[str, ...]]) -> str:
    """Its label, chosen when the facts were read (``kggraph.core.language.term_label``);
    the local name for an IRI with no names at all, as that rule ends."""
    names = candidates.get(iri, ())
    return names[0] if names else local_name(iri)


def _close_matches(key: str, candidates: Mapping[str, tuple[str, ...]]) -> list[str]:
    """IRIs whose slug or a name contains ``key``, then those that are spelt alike."""
    spellings: dict[str, str] = {}
    for iri, names in sorted(candidates.items()):
        for spelling in (_slug(iri), *names):
            spellings.setdefault(spelling.casefold(), iri)
    containing = [iri for spelling, iri in spellings.items() if key and key in spelling]
    alike = difflib.get_close_matches(key, list(spellings), n=SUGGESTIONS, cutoff=0.6)
    ordered = dict.fromkeys([*containing, *(spellings[s] for s in alike)])
    return list(ordered)
