"""What an endpoint URL may be: HTTPS to a host the deliverer may reach; plain HTTP only into a range an operator allowed.

Refused as well: credentials in the URL (they would be stored in clear and logged), fragments
(never sent), anything without a host, and hosts that name an address the deliverer may not reach
(``domain/addresses.py``): loopback, private, link-local (where cloud metadata services answer),
shared, multicast, unspecified and reserved addresses, however spelled (IPv4-mapped IPv6, 6to4,
NAT64, ``localhost``), unless ``BIANMIN_WEBHOOKS_ALLOWED_NETWORKS`` names the range. A numeric host
other than a dotted quad (``https://2852039166/``, ``https://0xa9fea9fe/``, ``https://169.254.43518/``)
is refused whatever it reads as: resolvers read such spellings as addresses, people do not.

Names are not resolved here: what a name resolves to can change after registration, so the
deliverer checks the addresses it actually connects to, every time (``egress.GuardedBackend``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from urllib.parse import urlsplit

from bianmin.webhooks.domain.addresses import IPNetwork, allowed_address, literal, numeric_ipv4, within

MAX_URL_LENGTH = 2000


def url_problem(url: str, allowed: Sequence[IPNetwork] = ()) -> str | None:
    """Why a URL cannot be an endpoint given the operator's ``allowed`` ranges, or None when it can."""
    if len(url) > MAX_URL_LENGTH:
        return f"must be at most {MAX_URL_LENGTH} characters"
    if any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        return "must not contain spaces or control characters"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("https", "http"):
        return "must be an https URL"
    if not host:
        return "must name a host"
    if parts.username is not None or parts.password is not None:
        return "must not carry credentials; authenticate receivers by the signature"
    if parts.fragment:
        return "must not carry a fragment"
    address = literal(host)
    if address is not None and not allowed_address(address, allowed):
        return "names an address the deliverer may not reach (loopback, private, link-local, shared or reserved)"
    if numeric_ipv4(host) is not None and not _dotted_quad(host):
        return "must write an IPv4 address as four decimal numbers"
    if parts.scheme == "http" and (address is None or not within(address, allowed)):
        # Plain HTTP crosses networks in clear; only a range the operator vouches for (development, an extranet) may use it.
        return "must use https unless it names an address in a range the operator allowed"
    return None


def _dotted_quad(host: str) -> bool:
    try:
        return str(ipaddress.IPv4Address(host)) == host
    except ValueError:
        return False
