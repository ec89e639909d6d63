"""``python -m kggraph`` runs the command-line interface."""

from kggraph.cli import app

app(prog_name="kggraph")
