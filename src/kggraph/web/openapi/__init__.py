"""The HTTP API described: ``/openapi.json`` made true to the server, ``/docs`` to read it."""
