"""The one way our pages' Jinja2 templates are loaded: from ``web/templates``, HTML escaped."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from kggraph.core.formats import BY_NAME

TEMPLATES = Path(__file__).parent.parent / "templates"


def template_environment() -> Environment:
    """A Jinja2 environment over ``web/templates``: autoescaped HTML, tidy whitespace, and the
    format table as ``format_table`` (``format_table["turtle"].media_type``), so no template spells
    a media type of its own."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html",)),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["format_table"] = BY_NAME
    return environment
