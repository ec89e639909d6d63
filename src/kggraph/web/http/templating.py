"""The one way our pages' Jinja2 templates are loaded: from ``web/templates``, HTML escaped."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).parent.parent / "templates"


def template_environment() -> Environment:
    """A Jinja2 environment over ``web/templates``: autoescaped HTML, tidy whitespace."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html",)),
        trim_blocks=True,
        lstrip_blocks=True,
    )
