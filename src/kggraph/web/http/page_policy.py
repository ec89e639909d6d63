"""The ``Content-Security-Policy`` of our script pages (the query page, the explore pages)."""

from __future__ import annotations

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # YASGUI sets style attributes in its markup
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",  # as on every page (kggraph.web.http.security)
    )
)
"""Only this server: the page can neither load nor send anything elsewhere."""
