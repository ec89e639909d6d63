"""``python -m kggraph`` runs the command-line interface."""

from kggraph.cli.app import app

app(prog_name="kggraph")
