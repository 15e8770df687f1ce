"""Which headers cross the gateway in each direction, and who the client really is.

Requests lose their hop-by-hop headers, the client's credentials (the services trust the signed
identity instead, and must never see a key) and any identity header a client forged; they gain
the identity, the request id, the trace context and ``X-Forwarded-*``. ``X-Forwarded-For`` from
the client is believed only when the direct peer is a configured trusted proxy; otherwise the
chain restarts at the peer, so a client cannot choose the address it is rate-limited under.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from functools import lru_cache

HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
    "te", "trailer", "trailers", "transfer-encoding", "upgrade",
})
_REQUEST_REPLACED = frozenset({
    "host", "content-length", "authorization", "x-api-key", "x-bianmin-identity", "x-request-id",
    "traceparent", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "forwarded",
})
# The gateway's own server adds these; the upstream's copies would be duplicates.
_RESPONSE_REPLACED = frozenset({"x-request-id", "server", "date"})

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def parse_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """Trusted proxies as networks; a bare address is a one-address network."""
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def is_trusted(address: str | None, networks: Sequence[Network]) -> bool:
    """Whether an address lies in one of the trusted networks."""
    if not address or not networks:
        return False
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _chain(forwarded_for: str | None) -> list[str]:
    return [part.strip() for part in (forwarded_for or "").split(",") if part.strip()]


def client_ip(peer: str | None, forwarded_for: str | None, networks: Sequence[Network]) -> str:
    """The client's address: the peer, or behind trusted proxies the nearest untrusted hop of the chain."""
    if not is_trusted(peer, networks):
        return peer or "unknown"
    hops = _chain(forwarded_for)
    for hop in reversed(hops):
        if not is_trusted(hop, networks):
            return hop
    return hops[0] if hops else (peer or "unknown")


def forwarded_for(peer: str | None, incoming: str | None, networks: Sequence[Network]) -> str:
    """The ``X-Forwarded-For`` to send on: the incoming chain plus the peer only when the peer is trusted."""
    hop = peer or "unknown"
    if is_trusted(peer, networks) and _chain(incoming):
        return ", ".join([*_chain(incoming), hop])
    return hop


def _connection_tokens(headers: Iterable[tuple[str, str]]) -> set[str]:
    tokens: set[str] = set()
    for name, value in headers:
        if name.lower() == "connection":
            tokens.update(token.strip().lower() for token in value.split(","))
    return tokens


def request_headers(incoming: Iterable[tuple[str, str]], added: dict[str, str]) -> list[tuple[str, str]]:
    """The headers of the forwarded request: the client's minus what must not cross, plus ``added``."""
    incoming = list(incoming)
    dropped = HOP_BY_HOP | _REQUEST_REPLACED | _connection_tokens(incoming)
    kept = [(name, value) for name, value in incoming if name.lower() not in dropped]
    return kept + list(added.items())


def response_headers(upstream: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The upstream's response headers minus the hop-by-hop ones and those the gateway sets itself."""
    upstream = list(upstream)
    tokens = {t.encode() for t in _connection_tokens((n.decode("latin-1"), v.decode("latin-1")) for n, v in upstream)}
    dropped = {h.encode() for h in HOP_BY_HOP | _RESPONSE_REPLACED} | tokens
    return [(name.lower(), value) for name, value in upstream if name.lower() not in dropped]
