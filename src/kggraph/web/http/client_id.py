"""Who is asking: the client a query budget is kept for, its address and its ``User-Agent``.

The address is the connection's peer. ``X-Forwarded-For`` is believed only when that peer is a
trusted reverse proxy (``KGGRAPH_TRUSTED_PROXIES``): then the client is the right-most address
of the header that is not itself a trusted proxy, since each proxy appends the address it saw
and everything left of a trusted hop may have been written by the client. Anyone else's header
is ignored, or a client could pick a fresh budget with each request.

The key is a digest of address and ``User-Agent``, so a long header costs a budget store no
more than a short one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

Address = IPv4Address | IPv6Address


class ClientIdentifier:
    """Client keys from a request's peer and headers, trusting ``trusted`` proxies."""

    def __init__(self, trusted: Iterable[str] = ()) -> None:
        self._trusted = tuple(ip_network(entry, strict=False) for entry in trusted)

    def address(self, peer: str | None, forwarded_for: str | None) -> str:
        """The client's address: the peer's, or the one its trusted proxies forwarded."""
        if peer is None:
            return "unknown"
        if forwarded_for is None or not self._trusts(_parse(peer)):
            return peer
        nearest = peer
        for hop in reversed(forwarded_for.split(",")):
            found = _parse(hop)
            if found is None:  # a trusted proxy wrote something that is not an address
                return nearest
            if not self._trusts(found):
                return str(found)
            nearest = str(found)
        return nearest

    def key(self, peer: str | None, forwarded_for: str | None, user_agent: str) -> str:
        """The client's key: a digest of its address and ``User-Agent``."""
        who = f"{self.address(peer, forwarded_for)}\n{user_agent}".encode("utf-8", "replace")
        return hashlib.blake2b(who, digest_size=12).hexdigest()

    def _trusts(self, found: Address | None) -> bool:
        return found is not None and any(found in network for network in self._trusted)


def _parse(text: str) -> Address | None:
    """An address as a proxy writes it (``1.2.3.4``, ``1.2.3.4:5678``, ``[::1]:80``, ``::1``),
    IPv4-mapped IPv6 read as IPv4; ``None`` if it is none of these."""
    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        found = ip_address(text)
    except ValueError:  # recovers: not an address, which the caller handles
        return None
    if isinstance(found, IPv6Address) and found.ipv4_mapped is not None:
        return found.ipv4_mapped
    return found
