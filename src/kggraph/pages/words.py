"""The words a resource page uses for paging its incoming links and for the statements taken
from outside the source, in both languages (English, Japanese), as the page's other words are.

``say`` picks one; a missing key fails loudly (``KeyError``) rather than showing a blank.
"""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "shown_of": ("{first}–{last} of {count}", "全{count}件中 {first}–{last}件"),
    "page_of": ("page {page} of {pages}", "{pages}ページ中{page}ページ目"),
    "previous": ("Previous {size}", "前の{size}件"),
    "next": ("Next {size}", "次の{size}件"),
    "paging_nav": ("Pages of “{prop}”", "「{prop}」のページ"),
    "more_on_page": (
        "Next {size}, on the page of {through}",
        "次の{size}件({through}のページ)",
    ),
    "outside": ("Links to other datasets", "他のデータセットへのリンク"),
    "outside_note": (
        "Not stated by the source: taken from other datasets, and kept apart in the named graph",
        "典拠にはない記述です。他のデータセットから取り込み、次の名前付きグラフに分けて収めています:",
    ),
    "outside_from": ("The graph was taken from", "このグラフの出典"),
    "coordinates": ("Coordinates (WGS 84)", "座標(WGS 84)"),
    "latitude": ("latitude", "緯度"),
    "longitude": ("longitude", "経度"),
}


def say(key: str, lang: str, **values: object) -> str:
    """The text ``key`` in ``lang`` (English unless ``lang`` is ``ja``), with ``values`` filled
    in."""
    english, japanese = TEXT[key]
    return (japanese if lang == "ja" else english).format(**values)
