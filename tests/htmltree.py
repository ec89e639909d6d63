"""A small HTML tree from the standard library's parser, for tests that look at a page's
structure (which element holds which text, in which language) rather than at its bytes.

Our pages close every element they open, so the tree needs no HTML5 error recovery beyond
void elements and an end tag that closes the elements left open inside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset(
    "area base br col embed hr img input link meta source track wbr".split()
)  # fmt: skip


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    def get(self, name: str, default: str = "") -> str:
        return self.attrs.get(name, default)

    @property
    def classes(self) -> set[str]:
        return set(self.get("class").split())

    @property
    def lang(self) -> str:
        """The language in force here: its own ``lang`` or its nearest ancestor's."""
        node: Element | None = self
        while node is not None:
            if "lang" in node.attrs:
                return node.attrs["lang"]
            node = node.parent
        return ""

    def iter(self, tag: str | None = None) -> Iterator[Element]:
        """This element and every element inside it (of ``tag``), in document order."""
        if tag is None or self.tag == tag:
            yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter(tag)

    def texts(self) -> Iterator[tuple[str, Element]]:
        """Every text node inside, stripped and not empty, with the element holding it."""
        for child in self.children:
            if isinstance(child, Element):
                if child.tag not in ("script", "style"):
                    yield from child.texts()
            elif child.strip():
                yield child.strip(), self

    @property
    def text(self) -> str:
        return " ".join(t for t, _ in self.texts())

    def by_id(self, wanted: str) -> Element:
        found = [e for e in self.iter() if e.get("id") == wanted]
        assert len(found) == 1, f"{len(found)} elements have the id {wanted!r}"
        return found[0]

    def having(self, tag: str, **attrs: str) -> list[Element]:
        """Elements of ``tag`` inside whose attributes (``data_year`` for ``data-year``) match."""
        wanted = {k.replace("_", "-"): v for k, v in attrs.items()}
        return [e for e in self.iter(tag) if all(e.attrs.get(k) == v for k, v in wanted.items())]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.open = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.open)
        self.open.children.append(element)
        if tag not in VOID:
            self.open = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open.children.append(Element(tag, {k: v or "" for k, v in attrs}, self.open))

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.open
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.open = node.parent

    def handle_data(self, data: str) -> None:
        self.open.children.append(data)


def parse(html: str) -> Element:
    """The document's tree (its root holds ``<html>``)."""
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root
